"""Benchmark of the rate-limit gate: a rolling-window limit, with and without learning it.

N requests (2,000 by default), 64 in flight, against the emulator in-process
(`trio_spotify.testing.open_emulator_client`, real clock) allowing R requests per rolling
W seconds (429 with an integer `Retry-After` beyond). Each setting runs twice, side by side
in one process: *before* (`RetryPolicy(learn_rate=False)`: the client only pauses after
each 429 and halves its window) and *after* (the default: it learns the allowed rate from
the 429s and paces its requests under it).

The ideal is the fastest any client can go: a batch of R at t = 0, W, 2W, ...; the last
batch starts at (ceil(N / R) - 1) W. Targets (after): completion within 1.05x of the
ideal, at most 0.05 429s per successful request. The script exits 1 when a target is
missed (``--no-targets``: report only, for runs too small to meet them).

Run: ``python benchmarks/bench_ratelimit.py`` (``--requests``, ``--setting R/W`` repeated,
``--latency``, ``--only-learning`` to skip the *before* runs; see ``--help``). The default
settings are 100/2, 250/10, 30/1 and 500/30 (Spotify's own 30-second window).
"""

from __future__ import annotations

import argparse
import math
import sys
import time

import trio

import trio_spotify
from trio_spotify.testing import RateLimit, SpotifyEmulator, open_emulator_client


async def run(
    n: int, concurrency: int, requests: int, window: float, latency: float, learn: bool
) -> tuple[float, int, trio_spotify.SpotifyStatistics]:
    """One run: seconds to complete, the emulator's 429 count, the client's statistics."""
    emulator = SpotifyEmulator(rate_limit=RateLimit(requests, window=window))
    emulator.faults.latency = latency
    policy = trio_spotify.RetryPolicy(learn_rate=learn)
    async with open_emulator_client(emulator, max_concurrency=concurrency, retry=policy) as spotify:
        await spotify.request("GET", "/markets")  # sign in before the clock starts
        send, receive = trio.open_memory_channel[int](n)
        for i in range(n - 1):
            send.send_nowait(i)
        send.close()

        async def worker() -> None:
            async for _ in receive:
                await spotify.request("GET", "/markets")

        start = time.perf_counter()
        async with trio.open_nursery() as nursery:
            for _ in range(concurrency):
                nursery.start_soon(worker)
        elapsed = time.perf_counter() - start
        stats = spotify.statistics()
    return elapsed, emulator.counters.rate_limited, stats


#: Targets of the learning client: its time over the ideal, and 429s per success.
MAX_RATIO = 1.05
MAX_REFUSED = 0.05


def setting(text: str) -> tuple[int, float]:
    requests, _, window = text.partition("/")
    return int(requests), float(window)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="N: successful requests")
    parser.add_argument("--concurrency", type=int, default=64, help="requests in flight")
    parser.add_argument(
        "--setting",
        type=setting,
        action="append",
        help="R/W: the emulator allows R requests per rolling W seconds (repeatable; "
        "default 100/2, 250/10, 30/1 and 500/30)",
    )
    parser.add_argument(
        "--latency", type=float, default=0.05, help="seconds the emulator takes per answer"
    )
    parser.add_argument(
        "--only-learning", action="store_true", help="run only the learning client (after)"
    )
    parser.add_argument(
        "--no-targets", action="store_true", help="exit 0 even when a target is missed"
    )
    args = parser.parse_args()
    n = args.requests
    missed = []
    for r, w in args.setting or [(100, 2.0), (250, 10.0), (30, 1.0), (500, 30.0)]:
        ideal = max((math.ceil(n / r) - 1) * w, w)
        print(
            f"# {n} GETs, {args.concurrency} in flight, the emulator allows {r} per rolling "
            f"{w:g} s: ideal {ideal:.2f} s"
        )
        ratios, refusals = {}, {}
        runs = (("before (learn_rate=False)", False), ("after (learning)", True))
        for name, learn in runs[1:] if args.only_learning else runs:
            elapsed, refused, stats = trio.run(run, n, args.concurrency, r, w, args.latency, learn)
            per_success = refused / n
            ratios[learn], refusals[learn] = elapsed / ideal, per_success
            rate = "-" if stats.learned_rate is None else f"{stats.learned_rate:.1f} req/s"
            print(
                f"{name:<26} {elapsed:7.2f} s  x{elapsed / ideal:.3f} of ideal  "
                f"{refused:4d} 429s = {per_success:.3f} per success  "
                f"paused {stats.rate_limit_pause:5.1f} s  learned rate {rate} "
                f"(allowed {r / w:.1f} req/s)"
            )
        if False in ratios:
            print(f"after / before: x{ratios[True] / ratios[False]:.3f} of the time")
        if ratios[True] > MAX_RATIO or refusals[True] > MAX_REFUSED:
            missed.append(
                f"{r}/{w:g}: x{ratios[True]:.3f} of ideal (target {MAX_RATIO}), "
                f"{refusals[True]:.3f} 429s per success (target {MAX_REFUSED})"
            )
    for line in missed:
        print(f"MISSED {line}")
    if missed and not args.no_targets:
        sys.exit(1)


if __name__ == "__main__":
    main()
