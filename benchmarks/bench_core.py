"""Benchmark of the core client against a raw httpx.AsyncClient, over loopback.

Two parts, each measured side by side in one run (this machine is shared and noisy):

1. Throughput and CPU: N GET requests at 1 and at 64 in flight, trio_spotify versus one
   shared raw ``httpx.AsyncClient``, counting client set-up time. The server is a minimal
   asyncio HTTP/1.1 server in a separate process, so the client's own CPU
   (``time.process_time``) is measured alone. Targets: at 64 in flight, >= 3x the
   throughput of the raw shared client; at 1 in flight, CPU per request <= 1.2x raw httpx.
2. Rate limits: the server allows R requests per rolling window of W seconds and answers
   429 with an integer Retry-After beyond that. Target: completion within 1.1x of the ideal
   time, at most 0.25 429s per successful request.

Run: ``python benchmarks/bench_core.py`` (``--requests``, ``--quick``; see ``--help``).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import math
import os
import socket
import subprocess
import sys
import time
from typing import ClassVar

import httpx
import trio

import trio_spotify

# -- the server (runs in its own process) ---------------------------------------------------

_BODY = json.dumps({"id": "11dFghVXANMlKmJXsNCbNl", "name": "a track", "popularity": 50}).encode()
_TOKEN = json.dumps(
    {"access_token": "bench-token", "token_type": "bearer", "expires_in": 3600}
).encode()


def _response(status: str, body: bytes, extra: bytes = b"") -> bytes:
    return (
        b"HTTP/1.1 " + status.encode() + b"\r\ncontent-type: application/json\r\n"
        b"content-length: " + str(len(body)).encode() + b"\r\n" + extra + b"\r\n" + body
    )


class _Server(asyncio.Protocol):
    window: ClassVar[int | None] = None
    seconds: ClassVar[float] = 1.0
    sent: ClassVar[collections.deque[float]] = collections.deque()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end]
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            self.transport.write(self._answer(head.split(b" ", 2)[1]))  # type: ignore[attr-defined]

    def _answer(self, path: bytes) -> bytes:
        if path == b"/api/token":
            return _response("200 OK", _TOKEN)
        if self.window is not None:
            now = time.monotonic()
            sent = _Server.sent
            while sent and sent[0] <= now - self.seconds:
                sent.popleft()
            if len(sent) >= self.window:
                wait = max(1, math.ceil(sent[0] + self.seconds - now))
                body = b'{"error":{"status":429,"message":"API rate limit exceeded"}}'
                return _response(
                    "429 Too Many Requests", body, b"retry-after: " + str(wait).encode() + b"\r\n"
                )
            sent.append(now)
        return _response("200 OK", _BODY)


def serve(port: int, window: int | None, seconds: float) -> None:
    _Server.window, _Server.seconds = window, seconds

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(_Server, "127.0.0.1", port, backlog=1024)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


class ServerProcess:
    def __init__(self, window: int | None = None, seconds: float = 1.0) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        args = [sys.executable, __file__, "--serve", str(self.port), "--seconds", str(seconds)]
        if window is not None:
            args += ["--window", str(window)]
        self.process = subprocess.Popen(args)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.base = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(5)


# -- the clients -------------------------------------------------------------------------------


async def _drive(n: int, concurrency: int, call) -> None:  # type: ignore[no-untyped-def]
    send, receive = trio.open_memory_channel[int](n)
    for i in range(n):
        send.send_nowait(i)
    send.close()

    async def worker() -> None:
        async for _ in receive:
            await call()

    async with trio.open_nursery() as nursery:
        for _ in range(concurrency):
            nursery.start_soon(worker)


async def run_raw(base: str, n: int, concurrency: int) -> tuple[float, float]:
    """One shared AsyncClient (pool sized to the concurrency), as most code writes it."""
    cpu, wall = time.process_time(), time.perf_counter()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=f"{base}/v1", limits=limits) as client:

        async def call() -> None:
            response = await client.get(
                "/tracks/11dFghVXANMlKmJXsNCbNl", headers={"Authorization": "Bearer bench-token"}
            )
            response.raise_for_status()
            response.json()

        await _drive(n, concurrency, call)
    return time.perf_counter() - wall, time.process_time() - cpu


async def run_client(base: str, n: int, concurrency: int) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    async with trio_spotify.open_spotify(
        trio_spotify.ClientCredentials("id", "secret"),
        api_url=f"{base}/v1",
        accounts_url=base,
        max_concurrency=concurrency,
    ) as spotify:

        async def call() -> None:
            await spotify.request("GET", "/tracks/11dFghVXANMlKmJXsNCbNl")

        await _drive(n, concurrency, call)
    return time.perf_counter() - wall, time.process_time() - cpu


async def run_rate_limited(
    base: str, n: int, concurrency: int, window: int, seconds: float
) -> tuple[float, trio_spotify.SpotifyStatistics]:
    start = time.perf_counter()
    async with trio_spotify.open_spotify(
        trio_spotify.ClientCredentials("id", "secret"),
        api_url=f"{base}/v1",
        accounts_url=base,
        max_concurrency=concurrency,
    ) as spotify:
        await _drive(n, concurrency, lambda: spotify.request("GET", "/tracks/x"))
        stats = spotify.statistics()
    return time.perf_counter() - start, stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--window", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=1.0, help=argparse.SUPPRESS)
    parser.add_argument("--requests", type=int, default=4000, help="requests per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the best is kept")
    parser.add_argument("--rate", type=int, default=100, help="R: requests allowed per window")
    parser.add_argument("--rate-window", type=float, default=2.0, help="W: window in seconds")
    parser.add_argument(
        "--rate-requests", type=int, default=1000, help="requests in the rate-limited run"
    )
    args = parser.parse_args()
    if args.serve is not None:
        serve(args.serve, args.window, args.seconds)
        return

    n = args.requests
    print(f"# throughput: {n} GETs per run, best of {args.rounds}, client set-up included")
    with ServerProcess() as server:
        for concurrency in (1, 64):
            best: dict[str, tuple[float, float]] = {}
            for _ in range(args.rounds):
                for name, runner in (("raw httpx", run_raw), ("trio_spotify", run_client)):
                    wall, cpu = trio.run(runner, server.base, n, concurrency)
                    if name not in best or wall < best[name][0]:
                        best[name] = (wall, cpu)
            raw_wall, raw_cpu = best["raw httpx"]
            ours_wall, ours_cpu = best["trio_spotify"]
            print(
                f"in flight {concurrency:>2}: raw {n / raw_wall:7.0f} req/s "
                f"{raw_cpu / n * 1e6:6.0f} us CPU/req | trio_spotify {n / ours_wall:7.0f} req/s "
                f"{ours_cpu / n * 1e6:6.0f} us CPU/req | throughput x{raw_wall / ours_wall:.2f} "
                f"CPU/req x{ours_cpu / raw_cpu:.2f}"
            )

    r, w, total = args.rate, args.rate_window, args.rate_requests
    # The ideal: a batch of R at t=0, W, 2W, ...; the last batch starts at (ceil(N/R) - 1) W.
    ideal = max((math.ceil(total / r) - 1) * w, w)
    print(f"# rate limit: {total} GETs, server allows {r} per rolling {w:g} s, 64 in flight")
    with ServerProcess(window=r, seconds=w) as server:
        elapsed, stats = trio.run(run_rate_limited, server.base, total, 64, r, w)
    successes = total
    print(
        f"completed in {elapsed:.2f} s, ideal {ideal:.2f} s: x{elapsed / ideal:.3f} of ideal; "
        f"{stats.rate_limited} 429s = {stats.rate_limited / successes:.3f} per success; "
        f"paused {stats.rate_limit_pause:.1f} s"
    )


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
