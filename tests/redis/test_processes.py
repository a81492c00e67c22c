"""Many processes, one token: worker processes (`worker.py`) against one emulator served on
loopback and one real Redis.

- 8 processes x 100 concurrent requests, all on the same expired token: exactly one token
  request reaches the emulator, and every request succeeds.
- A user token whose refresh token rotates at every refresh, 20 forced expiries across 4
  processes: no `invalid_grant`, and Redis holds the last refresh token issued.
- A process killed (SIGKILL) while it holds the renewal lock delays the others by at most the
  lock's expiry.

Real sockets, real clock: no `autojump_clock` here; every wait is bounded by `fail_after`.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import coredis
import pytest
import trio

import trio_spotify
from trio_spotify.redis import open_redis_coordinator
from trio_spotify.redis._tokens import identity_of
from trio_spotify.testing import SpotifyEmulator, open_emulator_server

pytestmark = pytest.mark.loopback

WORKER = Path(__file__).with_name("worker.py")


def _config(emulator: SpotifyEmulator, base_url: str, redis_url: str, ns: str, **more: Any) -> str:
    return json.dumps(
        {
            "base_url": base_url,
            "client_id": emulator.client_id,
            "client_secret": emulator.client_secret,
            "redis_url": redis_url,
            "namespace": ns,
            **more,
        }
    )


async def _run_workers(configs: list[str], results: list[dict[str, Any]]) -> None:
    async def run(config: str) -> None:
        done = await trio.run_process(
            [sys.executable, str(WORKER), config],
            capture_stdout=True,
            capture_stderr=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr.decode()[-3000:]
        results.append(json.loads(done.stdout.decode().strip().splitlines()[-1]))

    async with trio.open_nursery() as nursery:
        for config in configs:
            nursery.start_soon(run, config)


async def _wait_until(control: coredis.Redis[str], key: str, value: int) -> None:
    while int(await control.get(key) or 0) < value:  # noqa: ASYNC110 - another process
        await trio.sleep(0.01)


async def test_eight_processes_on_one_expired_token_renew_it_once(
    redis_url: str, redis_namespace: str
) -> None:
    emulator = SpotifyEmulator()
    processes, requests = 8, 100
    results: list[dict[str, Any]] = []
    with trio.fail_after(60):
        async with (
            open_emulator_server(emulator) as base_url,
            coredis.Redis.from_url(redis_url, decode_responses=True) as control,
            trio.open_nursery() as nursery,
        ):
            config = _config(
                emulator, base_url, redis_url, redis_namespace, mode="burst", requests=requests
            )
            nursery.start_soon(_run_workers, [config] * processes, results)
            # Every worker holds the shared token (one request each went through)...
            await _wait_until(control, f"{redis_namespace}:test:ready", processes)
            assert emulator.counters.tokens_by_grant["client_credentials"] == 1
            # ... which now expires on the server: 800 requests meet a 401 together.
            assert emulator.expire_access_tokens() == 1
            await control.set(f"{redis_namespace}:test:go", "1")
    assert emulator.counters.tokens_by_grant["client_credentials"] == 2  # exactly 1 renewal
    assert emulator.counters.unauthorized >= processes
    assert sorted(r["ok"] for r in results) == [requests + 1] * processes
    assert sum(r["renewals"] for r in results) == 2


async def test_rotating_refresh_tokens_survive_twenty_expiries_across_processes(
    redis_url: str, redis_namespace: str
) -> None:
    emulator = SpotifyEmulator(rotate_refresh_tokens=True)
    initial = emulator.user_auth()
    processes, rounds = 4, 20
    results: list[dict[str, Any]] = []
    with trio.fail_after(90):
        async with (
            open_emulator_server(emulator) as base_url,
            coredis.Redis.from_url(redis_url, decode_responses=True) as control,
            trio.open_nursery() as nursery,
        ):
            config = _config(
                emulator,
                base_url,
                redis_url,
                redis_namespace,
                mode="rounds",
                requests=10,
                refresh_token=initial.refresh_token,
            )
            nursery.start_soon(_run_workers, [config] * processes, results)
            await _wait_until(control, f"{redis_namespace}:test:ready", processes)
            for round_number in range(1, rounds + 1):
                emulator.expire_access_tokens()
                await control.set(f"{redis_namespace}:test:round", str(round_number))
                await _wait_until(control, f"{redis_namespace}:test:done:{round_number}", processes)
            await control.set(f"{redis_namespace}:test:round", "stop")
        # The sign-in still works, and Redis holds the refresh token issued last.
        async with open_redis_coordinator(redis_url, namespace=redis_namespace) as coordinator:
            stored = await coordinator.tokens.load(identity_of(initial))
    assert emulator.counters.token_errors == {}
    assert emulator.counters.tokens_by_grant["refresh_token"] == 1 + rounds
    assert sorted(r["ok"] for r in results) == [1 + 10 * rounds] * processes
    live = [t for t, r in emulator.accounts._refresh.items() if not r.revoked]
    assert stored is not None
    assert [stored.refresh_token] == live


async def test_a_process_killed_holding_the_lock_delays_the_others_at_most_its_expiry(
    redis_url: str, redis_namespace: str
) -> None:
    emulator = SpotifyEmulator()
    lock_timeout = 1.5
    with trio.fail_after(60):
        async with (
            open_emulator_server(emulator) as base_url,
            coredis.Redis.from_url(redis_url, decode_responses=True) as control,
        ):
            config = _config(
                emulator, base_url, redis_url, redis_namespace, mode="hang",
                lock_timeout=lock_timeout,
            )  # fmt: skip
            process = await trio.lowlevel.open_process([sys.executable, str(WORKER), config])
            try:
                await _wait_until(control, f"{redis_namespace}:test:in_renewal", 1)
                async with (
                    open_redis_coordinator(
                        redis_url, namespace=redis_namespace, lock_timeout=lock_timeout
                    ) as coordinator,
                    trio_spotify.open_spotify(
                        emulator.client_credentials(),
                        coordinator=coordinator,
                        api_url=base_url + "/v1",
                        accounts_url=base_url,
                    ) as spotify,
                ):
                    os.kill(process.pid, signal.SIGKILL)
                    started = trio.current_time()
                    await spotify.request("GET", "/markets")
                    waited = trio.current_time() - started
            finally:
                process.kill()
                await process.wait()
    assert process.returncode == -signal.SIGKILL
    assert emulator.counters.tokens_by_grant["client_credentials"] == 1
    # The lock was taken before the kill: the wait is at most what it had left, plus a poll.
    assert waited <= lock_timeout + 0.5
    assert spotify.statistics().token_renewals == 1
