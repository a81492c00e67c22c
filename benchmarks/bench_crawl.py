"""Benchmark: `trio-spotify crawl artist` against a plain sequential loop, on the emulator.

Both crawl the whole discography of the same artists — artist, albums (full objects, as
many per request as the operations table's `get-multiple-albums` row allows), tracks (full
objects, per `get-several-tracks`) — from an in-process emulator
(`trio_spotify.testing.open_emulator_client`, real clock) that delays every answer by
`--latency` seconds and, in the rate-limited scenario, answers 429 beyond `--rate-limit`
requests per rolling `--window` seconds. Each run gets a fresh emulator with the same seed.

- **crawl**: the command's own code (`trio_spotify._cli.crawl.run`), `-c CONCURRENCY`:
  pages and batches in flight at once, through the client's limiter and rate-limit gate;
- **sequential**: the loop a script would write with the same library calls, one request
  after the other (`artists.get`, `artists.albums` page by page, `albums.get_several`
  and `tracks.get_several` per batch, the batch and page sizes taken from the same table),
  writing the same JSON Lines.

The script checks that both write the same records, then prints items/s, requests and 429s
side by side, and the speed-up. Run: `python benchmarks/bench_crawl.py` (a few seconds;
`--artists 40` for a bigger run, `--help` for the rest).
"""

from __future__ import annotations

import argparse
import io
import json
import time
import warnings
from typing import Any

import trio

from trio_spotify._cli import build_parser
from trio_spotify._cli import crawl as crawl_cli
from trio_spotify._operations import OPERATIONS
from trio_spotify.testing import RateLimit, SpotifyEmulator, open_emulator_client


def batch(operation_id: str) -> int:
    size = OPERATIONS[operation_id].batch
    assert size is not None, operation_id
    return size


def page(operation_id: str) -> int:
    limits = OPERATIONS[operation_id].limit_range
    assert limits is not None, operation_id
    return limits[1]


def make_emulator(opts: argparse.Namespace, rate_limited: bool) -> SpotifyEmulator:
    emulator = SpotifyEmulator(seed=opts.seed)
    emulator.faults.latency = opts.latency
    if rate_limited:
        emulator.rate_limit = RateLimit(opts.rate_limit, window=opts.window)
    return emulator


def artist_ids(opts: argparse.Namespace) -> list[str]:
    catalog = SpotifyEmulator(seed=opts.seed).catalog
    return [catalog.id_of(1, i) for i in range(opts.artists)]


def keys(data: bytes) -> list[tuple[str, str]]:
    return [(r["kind"], r["id"]) for r in map(json.loads, data.splitlines())]


async def run_crawl(opts: argparse.Namespace, emulator: SpotifyEmulator) -> tuple[bytes, float]:
    args = build_parser().parse_args(
        [
            "crawl",
            "--emulator",
            "--progress",
            "none",
            "-c",
            str(opts.concurrency),
            "artist",
            *artist_ids(opts),
        ]
    )
    out, err = io.BytesIO(), io.StringIO()
    start = time.perf_counter()
    code = await crawl_cli.run(args, stdout=out, stderr=err, emulator=emulator)
    elapsed = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"the crawl failed ({code}): {err.getvalue()}")
    return out.getvalue(), elapsed


async def run_sequential(
    opts: argparse.Namespace, emulator: SpotifyEmulator
) -> tuple[bytes, float]:
    out = io.BytesIO()
    seen: set[tuple[str, str]] = set()

    def emit(kind: str, ident: str, data: Any, context: str | None) -> None:
        if (kind, ident) in seen:
            return
        seen.add((kind, ident))
        record = {"kind": kind, "id": ident, "context": context, "data": data}
        out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")

    album_page, album_batch = page("get-an-artists-albums"), batch("get-multiple-albums")
    track_batch = batch("get-several-tracks")
    start = time.perf_counter()
    async with open_emulator_client(emulator) as spotify:
        for artist_id in artist_ids(opts):
            emit("artist", artist_id, await spotify.artists.get(artist_id), None)
            album_ids: list[str] = []
            offset = 0
            while True:
                albums = await spotify.artists.albums(artist_id, limit=album_page, offset=offset)
                album_ids += [a["id"] for a in albums["items"]]
                if albums["next"] is None:
                    break
                offset += album_page
            tracks: list[tuple[str, str]] = []
            for i in range(0, len(album_ids), album_batch):
                for album in await spotify.albums.get_several(album_ids[i : i + album_batch]):
                    emit("album", album["id"], album, f"spotify:artist:{artist_id}")
                    tracks_page = album["tracks"]
                    items = list(tracks_page["items"])
                    while tracks_page["next"] is not None:
                        tracks_page = await spotify.request("GET", tracks_page["next"])
                        items += tracks_page["items"]
                    tracks += [(t["id"], f"spotify:album:{album['id']}") for t in items]
            for i in range(0, len(tracks), track_batch):
                chunk = tracks[i : i + track_batch]
                full = await spotify.tracks.get_several([t for t, _ in chunk])
                for (track_id, context), track in zip(chunk, full, strict=True):
                    emit("track", track_id, track, context)
    return out.getvalue(), time.perf_counter() - start


async def scenario(opts: argparse.Namespace, rate_limited: bool) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name, runner in (("crawl", run_crawl), ("sequential", run_sequential)):
        emulator = make_emulator(opts, rate_limited)
        data, elapsed = await runner(opts, emulator)
        items = len(data.splitlines())
        results[name] = {
            "keys": sorted(keys(data)),
            "items": items,
            "seconds": elapsed,
            "items_per_s": items / elapsed,
            "requests": emulator.counters.total_requests,
            "429s": emulator.counters.rate_limited,
        }
    if results["crawl"]["keys"] != results["sequential"]["keys"]:
        raise SystemExit("the crawl and the sequential loop wrote different records")
    return results


def report(title: str, results: dict[str, Any], opts: argparse.Namespace | None = None) -> None:
    crawl, seq = results["crawl"], results["sequential"]
    print(f"\n{title}")
    print(f"{'':12} {'items':>7} {'seconds':>8} {'items/s':>9} {'requests':>9} {'429s':>6}")
    for name in ("crawl", "sequential"):
        r = results[name]
        print(
            f"{name:12} {r['items']:>7,} {r['seconds']:>8.2f} {r['items_per_s']:>9,.0f} "
            f"{r['requests']:>9,} {r['429s']:>6,}"
        )
    print(f"speed-up: {crawl['items_per_s'] / seq['items_per_s']:.1f}x items/s")
    if opts is not None:
        # The fastest any client can go: `rate_limit` answers per window, from t = 0.
        answered = crawl["requests"] - crawl["429s"]
        floor = (answered - 1) // opts.rate_limit * opts.window
        print(
            f"rate-limit floor for {answered} answers: {floor:.1f} s; "
            f"the crawl took {crawl['seconds'] / floor:.2f}x that"
            if floor
            else ""
        )


async def main(opts: argparse.Namespace) -> None:
    print(
        f"{opts.artists} artists, {opts.latency * 1000:.0f} ms per answer, "
        f"crawl -c {opts.concurrency}"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the batch endpoints
        report("latency only", await scenario(opts, rate_limited=False))
        report(
            f"latency + rate limit ({opts.rate_limit} requests per {opts.window:g} s)",
            await scenario(opts, rate_limited=True),
            opts,
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--artists", type=int, default=8, help="artists to crawl (default 8)")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per answer")
    parser.add_argument("--rate-limit", type=int, default=60, help="requests per window")
    parser.add_argument("--window", type=float, default=1.0, help="rate-limit window, seconds")
    parser.add_argument("--concurrency", type=int, default=16, help="crawl -c (default 16)")
    parser.add_argument("--seed", default="0", help="emulator catalog seed")
    trio.run(main, parser.parse_args())
