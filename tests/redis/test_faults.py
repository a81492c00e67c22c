"""Redis faults: unreachable at open, lost mid-run and back, `on_redis_error="local"`, and
no secret (token or Redis password) in any error, repr or log record on the way.

The emulator runs in-process (`httpx.ASGITransport`); Redis is a real throw-away server
(`tests/redis/conftest.py`) that the tests stop and restart. Real clock, bounded waits.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import trio
from helpers.redis_server import COREDIS_LEAK, RedisServer, free_port

import trio_spotify
from trio_spotify.redis import RedisCoordinator, RedisUnavailableError, open_redis_coordinator
from trio_spotify.redis._tokens import identity_of
from trio_spotify.testing import IN_PROCESS_URL, SpotifyEmulator

PASSWORD = "pw-Sekr1t-do-not-print"

# coredis 6.9 leaks the streams of a failed connection attempt: see COREDIS_LEAK.
pytestmark = COREDIS_LEAK


@asynccontextmanager
async def client(
    emulator: SpotifyEmulator, coordinator: RedisCoordinator, auth: Any = None
) -> AsyncIterator[trio_spotify.Spotify]:
    async with trio_spotify.open_spotify(
        auth if auth is not None else emulator.client_credentials(),
        coordinator=coordinator,
        transport=httpx.ASGITransport(app=emulator.app),
        api_url=IN_PROCESS_URL + "/v1",
        accounts_url=IN_PROCESS_URL,
    ) as spotify:
        yield spotify


async def until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    with trio.fail_after(seconds):
        while not condition():  # noqa: ASYNC110 - the heartbeat sets no event for tests
            await trio.sleep(0.01)


def _markets(spotify: trio_spotify.Spotify) -> Any:
    return spotify.request("GET", "/markets")


async def test_unreachable_at_open_names_the_url_without_its_password() -> None:
    port = free_port()
    with trio.fail_after(10), pytest.raises(RedisUnavailableError) as caught:
        async with open_redis_coordinator(f"redis://:{PASSWORD}@127.0.0.1:{port}/0"):
            pytest.fail("opened")  # pragma: no cover
    error = caught.value
    assert error.url == f"redis://127.0.0.1:{port}/0"
    assert "cannot reach Redis" in str(error)
    assert f"127.0.0.1:{port}" in str(error)
    for text in (str(error), repr(error), str(error.__cause__), repr(error.__cause__)):
        assert PASSWORD not in text


async def test_a_wrong_password_is_refused_at_open_without_quoting_it(redis_binary: str) -> None:
    with RedisServer(password=PASSWORD) as server:
        url = f"redis://:wrong-{PASSWORD}@127.0.0.1:{server.port}/0"
        with trio.fail_after(10), pytest.raises(RedisUnavailableError) as caught:
            async with open_redis_coordinator(url):
                pytest.fail("opened")  # pragma: no cover
    assert PASSWORD not in str(caught.value) + repr(caught.value)
    assert caught.value.url == f"redis://127.0.0.1:{server.port}/0"


async def test_an_exception_in_the_block_comes_out_as_itself(redis_url: str) -> None:
    with trio.fail_after(10), pytest.raises(KeyError, match="mine"):
        async with open_redis_coordinator(redis_url):
            raise KeyError("mine")


async def test_lost_mid_run_new_requests_raise_then_resume_when_back(
    redis_server: RedisServer, redis_url: str, redis_namespace: str
) -> None:
    emulator = SpotifyEmulator()
    async with (
        open_redis_coordinator(redis_url, namespace=redis_namespace, heartbeat=0.05) as coord,
        client(emulator, coord) as spotify,
    ):
        await _markets(spotify)
        redis_server.stop()
        await until(lambda: not coord.health.available)
        with pytest.raises(RedisUnavailableError) as caught:
            await _markets(spotify)
        assert "Redis was lost mid-run" in str(caught.value)
        assert "reachable again" in str(caught.value)
        assert caught.value.url == redis_url
        redis_server.start()
        await until(lambda: coord.health.available)
        # Coordination resumes: a renewal goes through Redis again (an empty server now).
        emulator.expire_access_tokens()
        await _markets(spotify)
        stored = await coord.tokens.load(identity_of(emulator.client_credentials()))
        assert stored == spotify.token
    assert emulator.counters.tokens_by_grant["client_credentials"] == 2


async def test_local_mode_carries_on_in_process_with_one_warning_and_republishes(
    redis_server: RedisServer,
    redis_url: str,
    redis_namespace: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    emulator = SpotifyEmulator()
    caplog.set_level(logging.INFO, logger="trio_spotify")
    async with (
        open_redis_coordinator(
            redis_url, namespace=redis_namespace, on_redis_error="local", heartbeat=0.05
        ) as coord,
        client(emulator, coord) as spotify,
    ):
        await _markets(spotify)
        redis_server.stop()
        await until(lambda: not coord.health.available)
        emulator.expire_access_tokens()
        async with trio.open_nursery() as nursery:
            for _ in range(50):
                nursery.start_soon(_markets, spotify)
        await _markets(spotify)
        assert emulator.counters.tokens_by_grant["client_credentials"] == 2  # still 1 renewal
        redis_server.start()
        await until(lambda: coord.health.available)
        # The token renewed while Redis was away is published once it is back.
        await until(lambda: coord._sources[0].unpublished is None)
        stored = await coord.tokens.load(identity_of(emulator.client_credentials()))
        assert stored == spotify.token
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert "coordinating in this process only" in warnings[0].getMessage()
    assert any("is back" in r.getMessage() for r in caplog.records)


async def test_no_secret_in_errors_reprs_or_logs(
    redis_binary: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    emulator = SpotifyEmulator()
    texts: list[str] = []
    with RedisServer(password=PASSWORD) as server:
        async with (
            open_redis_coordinator(server.url, heartbeat=0.05) as coord,
            client(emulator, coord) as spotify,
        ):
            await _markets(spotify)
            token = spotify.token
            assert token is not None
            texts += [repr(coord), repr(coord.health), repr(coord.tokens), repr(coord._sources)]
            server.stop()
            await until(lambda: not coord.health.available)
            with pytest.raises(RedisUnavailableError) as caught:
                await _markets(spotify)
            texts += [str(caught.value), repr(caught.value), str(coord.health.reason)]
            server.start()
            await until(lambda: coord.health.available)
        keys = await _keys(server)
    texts += [r.getMessage() for r in caplog.records] + keys
    secrets = [PASSWORD, token.access_token, emulator.client_secret, emulator.client_id]
    for text in texts:
        for secret in secrets:
            assert secret not in text, text


async def _keys(server: RedisServer) -> list[str]:
    import coredis

    async with coredis.Redis.from_url(server.url, decode_responses=True) as redis:
        return [str(key) async for key in redis.scan_iter()]


async def test_every_key_has_a_ttl(redis_url: str, redis_namespace: str) -> None:
    import coredis

    emulator = SpotifyEmulator(rotate_refresh_tokens=True)
    async with open_redis_coordinator(redis_url, namespace=redis_namespace) as coord:
        async with client(emulator, coord) as spotify:
            await _markets(spotify)
        async with client(emulator, coord, emulator.user_auth()) as spotify:
            await spotify.request("GET", "/me")
    async with coredis.Redis.from_url(redis_url, decode_responses=True) as redis:
        keys = [key async for key in redis.scan_iter(match=f"{redis_namespace}:*")]
        tokens = [key for key in keys if key.startswith(f"{redis_namespace}:token:")]
        assert len(tokens) == 2  # the app's token and the user's
        assert not [key for key in keys if ":lock:" in key]  # released
        for key in keys:  # the tokens' and the rate budget's
            assert await redis.pttl(key) > 0, key


async def test_a_failure_of_the_subscription_never_escapes_the_coordinator(
    redis_url: str, redis_namespace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import anyio

    class Broken:
        async def __aenter__(self) -> None:
            raise anyio.ClosedResourceError  # as coredis does leaving a closed subscription

        async def __aexit__(self, *exc_info: object) -> None:
            pass  # pragma: no cover

    with trio.fail_after(10):
        async with open_redis_coordinator(redis_url, namespace=redis_namespace) as coord:
            await trio.sleep(0.05)  # the listener is subscribed
            monkeypatch.setattr(coord._client, "pubsub", lambda **kwargs: Broken())
            assert coord._listener is not None
            coord._listener.cancel()  # as the heartbeat does when Redis is back
            await trio.sleep(0.6)  # it fails (twice: it subscribes again after `poll`)
