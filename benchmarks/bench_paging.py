"""Benchmark: concurrent paging and chunked multi-get versus doing the same sequentially.

Against the emulator (``trio_spotify.testing``, in-process over ``httpx.ASGITransport``, on
the real clock) with a fixed latency added to every Web API answer (50 ms by default):

1. paging a playlist of N items (default 2,000; ``--items 10000`` for the documented run):
   ``spotify.all_items(first_page)`` — remaining pages fetched concurrently — versus
   following ``next`` one request at a time;
2. fetching N tracks by ID: ``spotify.tracks.get_several(ids)`` — chunks of 50 sent
   concurrently — versus sending the same chunks one after the other.

Both variants of each part run side by side in one process; the script prints wall time,
requests counted by the emulator, and the speed-up. No timed assertions: figures only.

Run: ``python benchmarks/bench_paging.py [--items 10000] [--latency 0.05]``.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Awaitable, Callable
from itertools import islice
from typing import Any

import trio

import trio_spotify
from trio_spotify.testing import CatalogSize, SpotifyEmulator, open_emulator_client


async def measure(
    emulator: SpotifyEmulator, work: Callable[[], Awaitable[Any]]
) -> tuple[float, int, Any]:
    before = emulator.counters.total_requests
    start = time.perf_counter()
    result = await work()
    return time.perf_counter() - start, emulator.counters.total_requests - before, result


async def sequential_paging(spotify: trio_spotify.Spotify, first: dict[str, Any]) -> list[Any]:
    items = list(first["items"])
    url = first["next"]
    while url:
        page = await spotify.request("GET", url)
        items.extend(page["items"])
        url = page["next"]
    return items


async def sequential_tracks(spotify: trio_spotify.Spotify, ids: list[str]) -> list[Any]:
    tracks: list[Any] = []
    for start in range(0, len(ids), 50):
        answer = await spotify.request("GET", "/tracks", params={"ids": ids[start : start + 50]})
        tracks.extend(answer["tracks"])
    return tracks


def report(name: str, concurrent: tuple[float, int, Any], sequential: tuple[float, int, Any]):
    (t_c, n_c, _), (t_s, n_s, _) = concurrent, sequential
    print(f"{name}:")
    print(f"  concurrent  {t_c:7.2f} s  {n_c:5d} requests")
    print(f"  sequential  {t_s:7.2f} s  {n_s:5d} requests")
    print(f"  speed-up    {t_s / t_c:7.1f}x")


async def main(items: int, latency: float, pages_in_flight: int, concurrency: int) -> None:
    # Enough tracks for ``items`` distinct IDs: 80 artists x 24 albums x ~10 tracks.
    emulator = SpotifyEmulator(seed=1, catalog_size=CatalogSize(artists=80))
    catalog = emulator.catalog
    ids = [catalog.track(i)["id"] for i in islice(catalog.all_tracks(), items)]
    assert len(ids) == items, "catalog too small"
    async with open_emulator_client(emulator, max_concurrency=concurrency) as spotify:
        playlist = await spotify.playlists.create("bench", public=False)
        await spotify.playlists.add_items(playlist["id"], ids)  # set-up, no latency yet
        emulator.faults.latency = latency
        print(
            f"{items} items, {latency * 1000:g} ms per request, max_concurrency={concurrency},"
            f" pages_in_flight={pages_in_flight}"
        )

        first = await spotify.playlists.items(playlist["id"], limit=50)
        concurrent = await measure(
            emulator, lambda: spotify.all_items(first, pages_in_flight=pages_in_flight)
        )
        sequential = await measure(emulator, lambda: sequential_paging(spotify, first))
        assert [e["item"]["id"] for e in concurrent[2]] == ids
        assert [e["item"]["id"] for e in sequential[2]] == ids
        report(f"paging a {items}-item playlist (after its first page)", concurrent, sequential)

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # GET /tracks is deprecated
            concurrent = await measure(emulator, lambda: spotify.tracks.get_several(ids))
        sequential = await measure(emulator, lambda: sequential_tracks(spotify, ids))
        assert [t["id"] for t in concurrent[2]] == ids
        assert [t["id"] for t in sequential[2]] == ids
        report(f"fetching {items} tracks by ID", concurrent, sequential)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request")
    parser.add_argument("--pages-in-flight", type=int, default=16)
    parser.add_argument("--concurrency", type=int, default=32, help="client max_concurrency")
    args = parser.parse_args()
    trio.run(main, args.items, args.latency, args.pages_in_flight, args.concurrency)
