"""Benchmark: 4 crawl processes sharing one app's rate limit, with and without Redis.

One emulator is served on loopback (`trio_spotify.testing.open_emulator_server`, real
clock) with a rolling-window limit of `--rate` requests per `--window` seconds *per app*
(the emulator keys its window by client id, and every process signs in as the same app),
and an answer delay of `--latency`. `--processes` subprocesses run

    trio-spotify crawl --shard K/N tracks --from IDS -o shard-K.jsonl [--redis URL]

together: each hydrates its shard of the same list of track IDs, 50 per request. Run twice,
each on a fresh emulator:

- **alone**: without `--redis`: each process learns the limit on its own and the others'
  429s do not pause it;
- **redis**: with `--redis` on a throw-away `redis-server` started here (a free loopback
  port, no persistence): the processes share the token and the rate budget.

Reported for each: the completion time (from the first request the emulator received to
the last record written, on the wall clock: the processes' start and exit are not
counted) over the ideal time (`successful requests / rate x window`: the time the limit
itself imposes), and the 429s per successful request. Every run is checked first: each
ID written exactly once over all the shards, every process exit 0.

Targets (the `redis` run): completion within 1.15x the ideal, at most 0.05 429s per
success; the script exits 1 when one is missed. Run: `python benchmarks/bench_shared_crawl.py`
(about a minute and a half; `--help` for the sizes). Needs `redis-server` (`apt-get install
redis-server`) and the `redis` extra.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import trio

from trio_spotify._operations import OPERATIONS
from trio_spotify.testing import RateLimit, SpotifyEmulator, open_emulator_server

TARGET_RATIO = 1.15
TARGET_429S = 0.05


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_redis(directory: str) -> tuple[subprocess.Popen[bytes], str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
         "no", "--dir", directory, "--loglevel", "warning"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    break
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise SystemExit("redis-server did not start")
        time.sleep(0.02)
    return process, f"redis://127.0.0.1:{port}/0"


def track_ids(opts: argparse.Namespace) -> list[str]:
    batch = OPERATIONS["get-several-tracks"].batch or 1
    catalog = SpotifyEmulator(seed=opts.seed).catalog
    return [catalog.id_of(3, i) for i in range(opts.requests * batch)]


def check_written(work: Path, name: str, processes: int, ids: list[str]) -> None:
    """Every ID written exactly once over the shards' files."""
    written: list[str] = []
    for index in range(1, processes + 1):
        with open(work / f"{name}-{index}.jsonl", encoding="utf-8") as file:
            written += [json.loads(line)["id"] for line in file]
    if sorted(written) != sorted(ids):
        raise SystemExit(f"{name}: the shards did not write every ID exactly once")


async def run(
    opts: argparse.Namespace, ids: list[str], work: Path, redis_url: str | None
) -> dict[str, Any]:
    emulator = SpotifyEmulator(seed=opts.seed)
    emulator.faults.latency = opts.latency
    emulator.rate_limit = RateLimit(opts.rate, window=opts.window)
    name = "redis" if redis_url else "alone"
    source = work / "ids.txt"
    source.write_text("\n".join(ids) + "\n")
    first: list[float] = []
    codes: list[tuple[int, str]] = []

    async def watch() -> None:
        while emulator.counters.total_requests == 0:  # noqa: ASYNC110 - other processes
            await trio.sleep(0.002)
        first.append(time.time())

    async with open_emulator_server(emulator) as base_url:
        env = dict(
            os.environ,
            SPOTIFY_CLIENT_ID=emulator.client_id,
            SPOTIFY_CLIENT_SECRET=emulator.client_secret,
        )

        async def crawl(index: int) -> None:
            command = [
                sys.executable, "-m", "trio_spotify", "crawl",
                "--api-url", f"{base_url}/v1", "--accounts-url", base_url,
                "--shard", f"{index}/{opts.processes}", "-c", str(opts.concurrency),
                "--progress", "none", "-q", "--overwrite",
                "-o", str(work / f"{name}-{index}.jsonl"),
            ]  # fmt: skip
            if redis_url is not None:
                command += ["--redis", redis_url, "--redis-namespace", f"bench-{os.getpid()}"]
            command += ["tracks", "--from", str(source)]
            done = await trio.run_process(command, env=env, capture_stderr=True, check=False)
            codes.append((done.returncode, done.stderr.decode(errors="replace")[-2000:]))

        async with trio.open_nursery() as nursery:
            nursery.start_soon(watch)
            for index in range(1, opts.processes + 1):
                nursery.start_soon(crawl, index)
    for code, err in codes:
        if code != 0:
            raise SystemExit(f"{name}: a crawl process failed ({code}): {err}")
    check_written(work, name, opts.processes, ids)
    counters = emulator.counters
    successes = counters.total_requests - counters.rate_limited - counters.unauthorized
    ideal = successes / opts.rate * opts.window
    # The last record written (the files' modification times, on the wall clock).
    end = max(os.stat(work / f"{name}-{k}.jsonl").st_mtime for k in range(1, opts.processes + 1))
    seconds = end - first[0]
    return {
        "name": name,
        "seconds": seconds,
        "ideal": ideal,
        "ratio": seconds / ideal,
        "successes": successes,
        "429s": counters.rate_limited,
        "429s_per_success": counters.rate_limited / successes,
        "tokens": counters.tokens_issued,
    }


async def main(opts: argparse.Namespace) -> int:
    ids = track_ids(opts)
    print(
        f"{opts.processes} processes, {len(ids):,} track IDs ({opts.requests} requests), "
        f"limit {opts.rate} requests per {opts.window:g} s for the app, "
        f"{opts.latency * 1000:.0f} ms per answer, crawl -c {opts.concurrency} each"
    )
    with tempfile.TemporaryDirectory(prefix="bench-shared-crawl-") as directory:
        work = Path(directory)
        redis, url = start_redis(directory)
        try:
            results = [await run(opts, ids, work, None), await run(opts, ids, work, url)]
        finally:
            redis.terminate()
            redis.wait()
    print(
        f"\n{'':6} {'seconds':>8} {'ideal':>7} {'ratio':>6} {'answers':>8} {'429s':>6} "
        f"{'429s/answer':>12} {'tokens':>7}"
    )
    for r in results:
        print(
            f"{r['name']:6} {r['seconds']:>8.2f} {r['ideal']:>7.2f} {r['ratio']:>5.2f}x "
            f"{r['successes']:>8,} {r['429s']:>6,} {r['429s_per_success']:>12.3f} {r['tokens']:>7}"
        )
    if not opts.targets:
        return 0
    shared = results[1]
    misses = []
    if shared["ratio"] > TARGET_RATIO:
        misses.append(f"completion {shared['ratio']:.2f}x the ideal > {TARGET_RATIO}x")
    if shared["429s_per_success"] > TARGET_429S:
        misses.append(f"{shared['429s_per_success']:.3f} 429s per answer > {TARGET_429S}")
    if misses:
        print(f"\nMISSED with Redis: {'; '.join(misses)}")
        return 1
    print(f"\nwith Redis: within {TARGET_RATIO}x of the ideal, <= {TARGET_429S} 429s per answer")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=4, help="crawl processes (default 4)")
    parser.add_argument("--requests", type=int, default=480, help="requests needed (default 480)")
    parser.add_argument("--rate", type=int, default=30, help="requests per window (default 30)")
    parser.add_argument("--window", type=float, default=1.0, help="window, seconds (default 1)")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per answer")
    parser.add_argument("--concurrency", type=int, default=8, help="crawl -c (default 8)")
    parser.add_argument("--seed", default="0", help="emulator catalog seed")
    parser.add_argument(
        "--no-targets",
        dest="targets",
        action="store_false",
        help="report only: exit 0 even when a target is missed (for a smoke test)",
    )
    sys.exit(trio.run(main, parser.parse_args()))
