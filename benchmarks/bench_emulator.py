"""How many simple GETs per second the emulator serves, and whether it stays correct.

The emulator runs in its own process (`trio-spotify emulator --port 0`, hypercorn's Trio
worker) so that the load generator — this process, httpx on Trio — does not share its
core. For each concurrency level the script keeps that many connections busy with
`GET /v1/tracks/{id}` for `--duration` seconds, checks that every answer is 200 and
holds the track that was asked for, and prints requests per second, the share of one
core the server process used, and the rate it could sustain at full use of that core (the
load generator is usually the limit on a 2-core machine). The same requests
in-process (`httpx.ASGITransport`, one core, no sockets) are measured in the same run
for comparison.

    python benchmarks/bench_emulator.py                 # about 15 s
    python benchmarks/bench_emulator.py --duration 10 --levels 1,64,256,512
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import httpx
import trio

from trio_spotify.testing import IN_PROCESS_URL, SpotifyEmulator


async def start_server(seed: str) -> tuple[trio.Process, dict[str, str]]:
    process = await trio.lowlevel.open_process(
        [sys.executable, "-m", "trio_spotify", "emulator", "--port", "0", "--seed", seed],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    buffer = b""
    with trio.fail_after(30):
        while b"mode:" not in buffer:
            chunk = await process.stdout.receive_some()
            if not chunk:
                raise RuntimeError("the emulator did not start")
            buffer += chunk
    info = {}
    for line in buffer.decode().splitlines()[1:]:
        key, _, value = line.strip().partition(": ")
        info[key] = value.strip()
    return process, info


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), or NaN elsewhere."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def load(
    clients: list[httpx.AsyncClient], token: str, ids: list[str], concurrency: int, duration: float
) -> tuple[int, int, float]:
    """(answers, wrong answers, seconds) of `concurrency` workers for `duration` s."""
    done = 0
    wrong = 0
    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.perf_counter() + duration

    async def worker(offset: int) -> None:
        nonlocal done, wrong
        client = clients[offset % len(clients)]
        n = offset
        while time.perf_counter() < deadline:
            expected = ids[n % len(ids)]
            response = await client.get(f"/v1/tracks/{expected}", headers=headers)
            if response.status_code != 200 or response.json()["id"] != expected:
                wrong += 1
            done += 1
            n += concurrency

    start = time.perf_counter()
    async with trio.open_nursery() as nursery:
        for k in range(concurrency):
            nursery.start_soon(worker, k)
    return done, wrong, time.perf_counter() - start


async def main(args: argparse.Namespace) -> int:
    levels = [int(x) for x in args.levels.split(",")]
    local = SpotifyEmulator(seed=args.seed)
    catalog = local.catalog
    ids = [catalog.id_of(3, catalog.track_at(n)) for n in range(1000)]
    process, info = await start_server(args.seed)
    failures = 0
    results: dict[str, float] = {}
    try:
        base = info["accounts_url"]
        token = info["user token"]
        print(f"emulator on {base} (separate process); {args.duration:g} s per level")
        print(
            f"{'where':<12}{'connections':>12}{'requests':>10}{'wrong':>7}{'req/s':>10}"
            f"{'server CPU':>12}{'capacity':>10}"
        )
        for level in levels:
            # Several small httpx clients: one client's pool bookkeeping grows with its
            # connections and would make the load generator, not the server, the limit.
            per_client = 16
            clients = [
                httpx.AsyncClient(
                    base_url=base,
                    timeout=60,
                    limits=httpx.Limits(
                        max_connections=per_client, max_keepalive_connections=per_client
                    ),
                )
                for _ in range(-(-level // per_client))
            ]
            try:
                await load(clients, token, ids, min(level, 8), 0.3)  # warm up connections
                cpu = cpu_seconds(process.pid)
                done, wrong, seconds = await load(clients, token, ids, level, args.duration)
                busy = (cpu_seconds(process.pid) - cpu) / seconds
            finally:
                for client in clients:
                    await client.aclose()
            failures += wrong
            results[f"loopback-{level}"] = done / seconds
            # The load generator, not the server, is usually the limit: the server's
            # capacity is its rate divided by the share of one core it used.
            capacity = done / seconds / busy if busy > 0 else float("nan")
            results[f"capacity-{level}"] = capacity
            print(
                f"{'loopback':<12}{level:>12}{done:>10}{wrong:>7}{done / seconds:>10.0f}"
                f"{busy:>11.0%}{capacity:>10.0f}"
            )
        in_token = local.issue_access_token()
        transport = httpx.ASGITransport(app=local.app)
        async with httpx.AsyncClient(transport=transport, base_url=IN_PROCESS_URL) as client:
            done, wrong, seconds = await load([client], in_token, ids, 32, args.duration)
        failures += wrong
        results["in-process"] = done / seconds
        print(f"{'in-process':<12}{32:>12}{done:>10}{wrong:>7}{done / seconds:>10.0f}")
    finally:
        process.terminate()
        await process.wait()
    best = max(v for k, v in results.items() if k.startswith("loopback"))
    worst = min(v for k, v in results.items() if k.startswith("loopback"))
    print(
        f"loopback rate: {worst:.0f}..{best:.0f} req/s measured (target >= 500); "
        f"in-process / best loopback = {results['in-process'] / best:.2f}"
    )
    if failures:
        print(f"FAILED: {failures} wrong answers")
        return 1
    return 0 if worst >= 500 else 2


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per level")
    parser.add_argument("--levels", default="1,32,256", help="connection counts, comma-separated")
    parser.add_argument("--seed", default="0")
    sys.exit(trio.run(main, parser.parse_args()))
