"""The shared token, in one process: several coordinators stand for several processes.

The emulator runs in-process; Redis is a real throw-away server. Real clock, bounded waits.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import trio
from helpers.redis_server import COREDIS_LEAK, RedisServer

import trio_spotify
from trio_spotify import Token
from trio_spotify.redis import RedisCoordinator, RedisUnavailableError, open_redis_coordinator
from trio_spotify.redis._tokens import identity_of
from trio_spotify.testing import IN_PROCESS_URL, SpotifyEmulator

# coredis 6.9 leaks the streams of a failed connection attempt: see COREDIS_LEAK.
pytestmark = COREDIS_LEAK


class HoldingTransport(httpx.AsyncBaseTransport):
    """The emulator in-process, holding requests to `/v1/markets` while `hold` is set."""

    def __init__(self, emulator: SpotifyEmulator) -> None:
        self._inner = httpx.ASGITransport(app=emulator.app)
        self.hold = False
        self.arrived = trio.Event()
        self.release = trio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.hold and request.url.path == "/v1/markets":
            self.arrived.set()
            await self.release.wait()
        return await self._inner.handle_async_request(request)


@asynccontextmanager
async def client(
    coordinator: RedisCoordinator, emulator: SpotifyEmulator, transport: Any = None
) -> AsyncIterator[trio_spotify.Spotify]:
    async with trio_spotify.open_spotify(
        emulator.client_credentials(),
        coordinator=coordinator,
        transport=transport or httpx.ASGITransport(app=emulator.app),
        api_url=IN_PROCESS_URL + "/v1",
        accounts_url=IN_PROCESS_URL,
    ) as spotify:
        yield spotify


async def test_clients_of_several_coordinators_renew_an_expired_token_once(
    redis_url: str, redis_namespace: str
) -> None:
    emulator = SpotifyEmulator()
    renewals: list[int] = []

    async def process(ready: trio.Event, go: trio.Event) -> None:
        async with (
            open_redis_coordinator(redis_url, namespace=redis_namespace) as coordinator,
            client(coordinator, emulator) as spotify,
        ):
            await spotify.request("GET", "/markets")
            ready.set()
            await go.wait()
            async with trio.open_nursery() as nursery:
                for _ in range(50):
                    nursery.start_soon(spotify.request, "GET", "/markets")
            renewals.append(spotify.statistics().token_renewals)

    with trio.fail_after(30):
        readies = [trio.Event() for _ in range(4)]
        go = trio.Event()
        async with trio.open_nursery() as nursery:
            for ready in readies:
                nursery.start_soon(process, ready, go)
            for ready in readies:
                await ready.wait()
            emulator.expire_access_tokens()
            go.set()
    assert emulator.counters.tokens_by_grant["client_credentials"] == 2
    assert sum(renewals) == 2


async def test_requests_in_flight_finish_when_redis_is_lost(
    redis_server: RedisServer, redis_url: str, redis_namespace: str
) -> None:
    emulator = SpotifyEmulator()
    transport = HoldingTransport(emulator)
    results: list[Any] = []

    async def in_flight(spotify: trio_spotify.Spotify) -> None:
        results.append(await spotify.request("GET", "/markets"))

    with trio.fail_after(20):
        async with (
            open_redis_coordinator(redis_url, namespace=redis_namespace, heartbeat=0.05) as coord,
            client(coord, emulator, transport) as spotify,
            trio.open_nursery() as nursery,
        ):
            await spotify.request("GET", "/markets")
            transport.hold = True
            nursery.start_soon(in_flight, spotify)
            await transport.arrived.wait()
            redis_server.stop()
            while coord.health.available:  # noqa: ASYNC110 - the heartbeat notices
                await trio.sleep(0.01)
            with pytest.raises(RedisUnavailableError):
                await spotify.request("GET", "/markets")
            transport.release.set()
    assert len(results) == 1
    assert "markets" in results[0]


async def test_a_task_cancelled_while_another_process_renews_leaves_nothing_behind(
    redis_url: str, redis_namespace: str
) -> None:
    emulator = SpotifyEmulator()
    identity = identity_of(emulator.client_credentials())
    with trio.fail_after(20):
        async with (
            open_redis_coordinator(redis_url, namespace=redis_namespace, poll=0.02) as coord,
            client(coord, emulator) as spotify,
        ):
            # "Another process" holds the renewal lock: our first request waits for it...
            assert await coord.tokens.try_lock(identity, "another-process", 30)
            with trio.move_on_after(0.3) as waited:
                await spotify.request("GET", "/markets")
            assert waited.cancelled_caught
            assert emulator.counters.tokens_by_grant["client_credentials"] == 0
            # ... and, cancelled mid-wait (mid-command, too), leaves the connection usable.
            await coord.tokens.unlock(identity, "another-process")
            await spotify.request("GET", "/markets")
    assert emulator.counters.tokens_by_grant["client_credentials"] == 1
    assert spotify.statistics().token_renewals == 1


async def test_a_renewal_failure_reaches_the_waiting_tasks_and_the_lock_is_released(
    redis_url: str, redis_namespace: str
) -> None:
    emulator = SpotifyEmulator()
    bad = trio_spotify.ClientCredentials(emulator.client_id, "not-the-secret")
    with trio.fail_after(20):
        async with open_redis_coordinator(redis_url, namespace=redis_namespace) as coord:
            async with trio_spotify.open_spotify(
                bad,
                coordinator=coord,
                transport=httpx.ASGITransport(app=emulator.app),
                api_url=IN_PROCESS_URL + "/v1",
                accounts_url=IN_PROCESS_URL,
            ) as spotify:
                with pytest.raises(trio_spotify.AuthenticationError):
                    await spotify.request("GET", "/markets")
            # The lock was released: a good client renews at once.
            async with client(coord, emulator) as spotify:
                await spotify.request("GET", "/markets")
    assert emulator.counters.tokens_by_grant["client_credentials"] == 1


async def test_waiters_wake_at_the_announcement_not_the_poll(
    redis_url: str, redis_namespace: str
) -> None:
    emulator = SpotifyEmulator()
    identity = identity_of(emulator.client_credentials())
    poll = 30.0  # far longer than the test may take: only the announcement can wake it
    with trio.fail_after(10):
        async with (
            open_redis_coordinator(redis_url, namespace=redis_namespace, poll=poll) as coord,
            open_redis_coordinator(redis_url, namespace=redis_namespace) as other,
            client(coord, emulator) as spotify,
            trio.open_nursery() as nursery,
        ):
            assert await other.tokens.try_lock(identity, "another-process", 30)
            nursery.start_soon(spotify.request, "GET", "/markets")
            await trio.sleep(0.2)  # the request is waiting for the other's renewal
            access = emulator.issue_access_token(user_id="")
            started = trio.current_time()
            await other.tokens.publish(identity, Token(access, expires_at=time.time() + 3600))
    assert trio.current_time() - started < poll / 10
    assert emulator.counters.tokens_by_grant["client_credentials"] == 0
    assert spotify.token is not None
    assert spotify.token.access_token == access


class Holding:
    """A strategy that holds a token already (as a restored user sign-in does)."""

    def __init__(self, token: Token) -> None:
        self.coordination_key = "held-sign-in"
        self.token: Token | None = token
        self.renewed = 0

    async def renew(self, accounts: Any, stale: Any) -> Token:
        self.renewed += 1
        raise AssertionError("no renewal expected")


async def test_a_held_token_is_shared_when_redis_has_none_and_the_shared_one_wins(
    redis_url: str, redis_namespace: str
) -> None:
    emulator = SpotifyEmulator()
    first = Token(emulator.issue_access_token(user_id=""), expires_at=time.time() + 3600)
    second = Token(emulator.issue_access_token(user_id=""), expires_at=time.time() + 3600)
    with trio.fail_after(10):
        async with open_redis_coordinator(redis_url, namespace=redis_namespace) as coord:
            for held in (first, second):
                auth = Holding(held)
                async with trio_spotify.open_spotify(
                    auth,
                    coordinator=coord,
                    transport=httpx.ASGITransport(app=emulator.app),
                    api_url=IN_PROCESS_URL + "/v1",
                    accounts_url=IN_PROCESS_URL,
                ) as spotify:
                    await spotify.request("GET", "/markets")
                    # The first client shares its token; the second adopts it over its own.
                    assert spotify.token == first
                assert auth.renewed == 0
            assert await coord.tokens.load("held-sign-in") == first
    assert emulator.counters.tokens_issued == 2  # the two minted above, no renewal


async def test_the_redis_token_store_is_a_token_store(redis_url: str, redis_namespace: str) -> None:
    from trio_spotify import TokenStore
    from trio_spotify.redis import RedisTokenStore

    async with open_redis_coordinator(redis_url, namespace=redis_namespace) as coord:
        store: TokenStore = coord.tokens
        assert isinstance(store, RedisTokenStore)
        assert await store.load("someone") is None
        token = Token("A1", refresh_token="R1", expires_at=time.time() + 60, scope="streaming")
        await store.save("someone", token)
        assert await store.load("someone") == token
        with pytest.raises(TypeError):
            await store.save("someone", "not a token")  # type: ignore[arg-type]
        assert "someone" not in coord.tokens.token_key("someone")  # digests, not names
