"""What shaping an answer for its market, mode and `additional_types` costs the emulator.

Every answer goes through `trio_spotify.testing._api._finish.finish_answer` before it is
encoded. This script serves the same requests in-process (`httpx.ASGITransport`) with
that step and with it replaced by the identity, alternating rounds in one run, and prints
the best time of each and their ratio (this machine is shared and noisy: compare ratios,
not seconds). The heaviest common answer is measured: a page of 50 playlist entries, each
a full track with its album and artists.

    python benchmarks/bench_emulator_shaping.py            # about 10 s
    python benchmarks/bench_emulator_shaping.py --requests 500 --rounds 5
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import httpx
import trio

import trio_spotify.testing._app as app_module
from trio_spotify.testing import IN_PROCESS_URL, SpotifyEmulator


async def serve(requests: int, path: str, params: dict[str, Any]) -> float:
    emulator = SpotifyEmulator(clock=trio.current_time, seed=1)
    emulator.user(emulator.user_id)
    playlist = emulator.owned_playlists(emulator.user_id)[1]  # "Long Drive", 120 items
    track = emulator.catalog.id_of(3, emulator.catalog.track_at(5))
    headers = {"Authorization": f"Bearer {emulator.issue_access_token()}"}
    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url=IN_PROCESS_URL) as client:
        start = time.perf_counter()
        for _ in range(requests):
            response = await client.get(
                path.format(playlist=playlist, track=track), params=params, headers=headers
            )
            assert response.status_code == 200, response.text
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    shaping = app_module.finish_answer

    def identity(call: Any, status: int, body: Any) -> tuple[int, Any]:
        return status, body

    cases = [
        ("50 playlist entries", "/v1/playlists/{playlist}/items", {"limit": 50}),
        ("one track", "/v1/tracks/{track}", {}),
    ]
    for label, path, params in cases:
        best = {"shaped": float("inf"), "unshaped": float("inf")}
        for _ in range(args.rounds):
            for name, step in (("shaped", shaping), ("unshaped", identity)):
                app_module.finish_answer = step  # type: ignore[assignment]
                best[name] = min(best[name], trio.run(serve, args.requests, path, params))
        app_module.finish_answer = shaping
        ratio = best["shaped"] / best["unshaped"]
        print(
            f"{label}: {args.requests} requests, shaped {best['shaped']:.3f} s, "
            f"unshaped {best['unshaped']:.3f} s, ratio {ratio:.2f}"
        )


if __name__ == "__main__":
    main()
