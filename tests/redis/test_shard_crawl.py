"""`trio-spotify crawl --redis URL --shard K/N`: shards as processes sharing one Redis.

Three `trio-spotify crawl` subprocesses hydrate one list of track IDs from an emulator
served on loopback, coordinated through a real `redis-server` (the module's throw-away
one, `conftest.py`): every ID is written exactly once over the shards, and the shared
token is requested once. When Redis stops mid-crawl the processes say so and stop with
every line whole; once it is back, `--resume` completes each shard with nothing lost and
nothing written twice.

Real sockets, real clock: no `autojump_clock`; every wait is bounded by `fail_after`.
Also here: `benchmarks/bench_shared_crawl.py` still runs (smallest settings, no figure
asserted), since it needs `redis-server` as these tests do.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest
import trio
from helpers.redis_server import RedisServer

from trio_spotify.testing import SpotifyEmulator, open_emulator_server

pytestmark = pytest.mark.loopback

SHARDS = 3


def _ids(emulator: SpotifyEmulator, count: int) -> list[str]:
    ids = [emulator.catalog.id_of(3, index) for index in emulator.catalog.all_tracks()]
    assert len(ids) >= count
    return ids[:count]


def _argv(base_url: str, redis_url: str, ns: str, index: int, out: Path, source: Path) -> list[str]:
    return [
        sys.executable, "-m", "trio_spotify", "crawl",
        "--api-url", f"{base_url}/v1", "--accounts-url", base_url,
        "--redis", redis_url, "--redis-namespace", ns,
        "--shard", f"{index}/{SHARDS}", "-c", "1", "--progress", "none",
        "-o", str(out), "tracks", "--from", str(source),
    ]  # fmt: skip


def _env(emulator: SpotifyEmulator) -> Mapping[str, str]:
    return dict(
        os.environ,
        SPOTIFY_CLIENT_ID=emulator.client_id,
        SPOTIFY_CLIENT_SECRET=emulator.client_secret,
    )


async def _run_all(commands: list[list[str]], env: Mapping[str, str]) -> list[tuple[int, str]]:
    results: list[tuple[int, str]] = [(-1, "")] * len(commands)

    async def one(index: int) -> None:
        done = await trio.run_process(
            commands[index], env=env, capture_stdout=True, capture_stderr=True, check=False
        )
        results[index] = (done.returncode, done.stderr.decode(errors="replace"))

    async with trio.open_nursery() as nursery:
        for index in range(len(commands)):
            nursery.start_soon(one, index)
    return results


def _written(outs: list[Path]) -> list[str]:
    ids: list[str] = []
    for out in outs:
        data = out.read_bytes()
        assert data.endswith(b"\n")  # every line whole
        ids += [json.loads(line)["id"] for line in data.splitlines()]
    return ids


async def test_shards_share_the_token_and_write_every_id_exactly_once(
    tmp_path: Path, redis_url: str, redis_namespace: str
) -> None:
    emulator = SpotifyEmulator()
    emulator.faults.latency = 0.01
    ids = _ids(emulator, 600)
    source = tmp_path / "ids.txt"
    source.write_text("\n".join(ids) + "\n")
    outs = [tmp_path / f"shard-{k}.jsonl" for k in range(1, SHARDS + 1)]
    with trio.fail_after(60):
        async with open_emulator_server(emulator) as base_url:
            commands = [
                _argv(base_url, redis_url, redis_namespace, k, outs[k - 1], source)
                for k in range(1, SHARDS + 1)
            ]
            results = await _run_all(commands, _env(emulator))
    assert [code for code, _ in results] == [0] * SHARDS, results
    written = _written(outs)
    assert sorted(written) == sorted(ids)
    assert emulator.counters.tokens_by_grant["client_credentials"] == 1  # shared: one token


async def _wait_for_lines(paths: list[Path], count: int) -> None:
    def lines(path: Path) -> int:
        try:
            return path.read_bytes().count(b"\n")
        except FileNotFoundError:
            return 0

    while any(lines(path) < count for path in paths):  # noqa: ASYNC110 - other processes
        await trio.sleep(0.02)


async def test_redis_stopped_mid_crawl_then_resumed_loses_and_repeats_nothing(
    tmp_path: Path, redis_server: RedisServer, redis_url: str, redis_namespace: str
) -> None:
    emulator = SpotifyEmulator()
    emulator.faults.latency = 0.25  # 20 requests per shard, one at a time: about 5 s
    ids = _ids(emulator, 3000)
    source = tmp_path / "ids.txt"
    source.write_text("\n".join(ids) + "\n")
    outs = [tmp_path / f"shard-{k}.jsonl" for k in range(1, SHARDS + 1)]
    with trio.fail_after(120):
        async with open_emulator_server(emulator) as base_url:
            commands = [
                _argv(base_url, redis_url, redis_namespace, k, outs[k - 1], source)
                for k in range(1, SHARDS + 1)
            ]
            env = _env(emulator)
            async with trio.open_nursery() as nursery:
                first: list[list[tuple[int, str]]] = []

                async def crawl() -> None:
                    first.append(await _run_all(commands, env))

                nursery.start_soon(crawl)
                await _wait_for_lines(outs, 50)  # every shard has written its first batch
                redis_server.stop()
            # Redis stayed away longer than the crawl's retries: each shard stopped.
            for code, err in first[0]:
                assert code == 1, err
                assert "Redis was lost mid-run" in err
                assert "every line of" in err
                assert "add --resume to continue" in err
            partial = _written(outs)
            assert len(partial) == len(set(partial)) < len(ids)
            redis_server.start()  # back, empty: the token is fetched again
            resumed = await _run_all([[*c, "--resume"] for c in commands], env)
    for code, err in resumed:
        assert code == 0, err
        assert "resuming:" in err
    written = _written(outs)
    assert sorted(written) == sorted(ids)  # nothing lost, nothing twice


async def test_redis_back_within_the_crawls_retries_is_ridden_out(
    tmp_path: Path, redis_server: RedisServer, redis_url: str, redis_namespace: str
) -> None:
    emulator = SpotifyEmulator()
    emulator.faults.latency = 0.1
    ids = _ids(emulator, 1500)
    source = tmp_path / "ids.txt"
    source.write_text("\n".join(ids) + "\n")
    outs = [tmp_path / f"shard-{k}.jsonl" for k in range(1, SHARDS + 1)]
    results: list[list[tuple[int, str]]] = []
    with trio.fail_after(90):
        async with open_emulator_server(emulator) as base_url:
            commands = [
                _argv(base_url, redis_url, redis_namespace, k, outs[k - 1], source)
                for k in range(1, SHARDS + 1)
            ]
            env = _env(emulator)
            async with trio.open_nursery() as nursery:

                async def crawl() -> None:
                    results.append(await _run_all(commands, env))

                nursery.start_soon(crawl)
                await _wait_for_lines(outs, 50)
                redis_server.stop()
                await trio.sleep(1.5)  # the processes notice (heartbeat: 1 s)...
                redis_server.start()  # ... and Redis is back before their retries run out
    for code, err in results[0]:
        assert code == 0, err
        assert "Redis was lost mid-run" in err  # said once, then tried again
        assert "trying again" in err
    written = _written(outs)
    assert sorted(written) == sorted(ids)  # nothing lost, nothing twice, no --resume


def test_the_shared_crawl_benchmark_runs(redis_server: RedisServer) -> None:
    bench = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_shared_crawl.py"
    argv = ["--requests", "8", "--rate", "20", "--latency", "0", "--processes", "2"]
    done = subprocess.run(
        [sys.executable, str(bench), *argv, "--no-targets"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "error"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith("alone ") for line in lines), done.stdout
    assert any(line.startswith("redis ") for line in lines), done.stdout
