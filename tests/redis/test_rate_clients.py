"""Two clients, each with its own Redis coordinator (two "processes"), share one rate budget
through the handler: a 429 met by one pauses the other, and a pause past `max_retry_after`
raises `RateLimitError` in both. One emulator in-process (its rolling window is per app,
so both clients count against the same limit); a real Redis; the real clock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import coredis
import httpx
import pytest
import trio

import trio_spotify
from trio_spotify.redis import open_redis_coordinator
from trio_spotify.testing import IN_PROCESS_URL, RateLimit, SpotifyEmulator

pytestmark = pytest.mark.loopback


@asynccontextmanager
async def _process(
    emulator: SpotifyEmulator, redis_url: str, namespace: str
) -> AsyncIterator[trio_spotify.Spotify]:
    async with (
        open_redis_coordinator(redis_url, namespace=namespace) as coordinator,
        trio_spotify.open_spotify(
            emulator.client_credentials(),
            coordinator=coordinator,
            transport=httpx.ASGITransport(app=emulator.app),
            api_url=IN_PROCESS_URL + "/v1",
            accounts_url=IN_PROCESS_URL,
        ) as spotify,
    ):
        yield spotify


async def _until(condition: Callable[[], bool]) -> None:
    while not condition():  # noqa: ASYNC110 - nothing to wait on
        await trio.sleep(0.01)


async def _paused_in_redis(redis_url: str, namespace: str) -> None:
    """Wait until the shared pause is written (pushed by a background task)."""
    client: coredis.Redis[str] = coredis.Redis.from_url(redis_url, decode_responses=True)
    async with client:
        while await client.hget(f"{namespace}:rate", "reopen") is None:  # noqa: ASYNC110
            await trio.sleep(0.01)


def _sent(emulator: SpotifyEmulator) -> int:
    return sum(emulator.counters.requests.values())


async def test_a_429_in_one_process_pauses_the_other_without_a_429(
    redis_url: str, redis_namespace: str
) -> None:
    emulator = SpotifyEmulator(rate_limit=RateLimit(2, window=1.0))
    with trio.fail_after(20):
        async with (
            _process(emulator, redis_url, redis_namespace) as a,
            _process(emulator, redis_url, redis_namespace) as b,
        ):
            await b.request("GET", "/markets")  # b is signed in and has spoken to Redis
            async with trio.open_nursery() as nursery:
                for _ in range(2):  # one fits in the window, one meets the 429 and waits
                    nursery.start_soon(a.request, "GET", "/markets")
                await _until(lambda: emulator.counters.rate_limited == 1)
                await _paused_in_redis(redis_url, redis_namespace)
                await b.request("GET", "/markets")  # waits out the pause a met
            assert emulator.counters.rate_limited == 1  # b never met a 429 itself
            assert b.statistics().rate_limited == 0
            assert a.statistics().rate_limited == 1


async def test_a_pause_past_max_retry_after_raises_in_every_process(
    redis_url: str, redis_namespace: str
) -> None:
    emulator = SpotifyEmulator(rate_limit=RateLimit(1, window=600.0))
    with trio.fail_after(20):
        async with (
            _process(emulator, redis_url, redis_namespace) as a,
            _process(emulator, redis_url, redis_namespace) as b,
        ):
            await a.request("GET", "/markets")
            with pytest.raises(trio_spotify.RateLimitError) as in_a:
                await a.request("GET", "/markets")  # Retry-After: 600 > max_retry_after
            assert in_a.value.retry_after == 600
            await _paused_in_redis(redis_url, redis_namespace)
            sent = _sent(emulator)
            with pytest.raises(trio_spotify.RateLimitError) as in_b:
                await b.request("GET", "/markets")
            assert in_b.value.retry_after is not None
            assert 590 < in_b.value.retry_after <= 600
            assert _sent(emulator) == sent  # b raised without sending anything


async def test_a_quota_exceeded_in_one_process_raises_in_every_process(
    redis_url: str, redis_namespace: str
) -> None:
    emulator = SpotifyEmulator(quota=1)
    with trio.fail_after(20):
        async with (
            _process(emulator, redis_url, redis_namespace) as a,
            _process(emulator, redis_url, redis_namespace) as b,
        ):
            await a.request("GET", "/markets")
            with pytest.raises(trio_spotify.RateLimitError) as in_a:
                await a.request("GET", "/markets")
            assert in_a.value.reason == "QUOTA_EXCEEDED"
            await _paused_in_redis(redis_url, redis_namespace)
            sent = _sent(emulator)
            with pytest.raises(trio_spotify.RateLimitError) as in_b:
                await b.request("GET", "/markets")
            assert in_b.value.retry_after is not None
            assert in_b.value.retry_after > 86000  # the quota's Retry-After, for everyone
            assert _sent(emulator) == sent
