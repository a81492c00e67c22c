"""The shared rate budget when Redis is lost mid-run: "raise" mode raises
`RedisUnavailableError` for new requests, "local" mode falls back to the in-process gate,
and both go back to Redis when it is back. A real `redis-server`, stopped and started.
"""

from __future__ import annotations

import math

import coredis
import pytest
import trio
from helpers.redis_server import COREDIS_LEAK, RedisServer

from trio_spotify import RedisUnavailableError
from trio_spotify.redis._health import RedisHealth
from trio_spotify.redis._rate import RedisRateBudget

pytestmark = [
    pytest.mark.loopback,
    # coredis 6.9 leaks the streams of a failed connection attempt: see COREDIS_LEAK.
    *COREDIS_LEAK,
]


async def _refresh(budget: RedisRateBudget) -> None:
    async with budget.turn():
        pass


async def _budget_on(
    url: str, health: RedisHealth | None
) -> tuple[coredis.Redis[str], RedisRateBudget]:
    client: coredis.Redis[str] = coredis.Redis.from_url(
        url, decode_responses=True, retry_policy=coredis.retry.NoRetryPolicy()
    )
    budget = RedisRateBudget(client, "fallback", trio.CapacityLimiter(8), 8, health=health)
    return client, budget


async def test_redis_lost_raises_for_new_requests_then_recovers(
    redis_server: RedisServer, redis_url: str
) -> None:
    health = RedisHealth(redis_url, "raise")
    client, budget = await _budget_on(redis_url, health)
    with trio.fail_after(20):
        async with client:
            await _refresh(budget)
            redis_server.stop()
            with pytest.raises(RedisUnavailableError) as caught:
                await _refresh(budget)
            assert str(redis_server.port) in str(caught.value)
            assert not health.available
            with pytest.raises(RedisUnavailableError):
                await budget.wait_open()  # while lost: at once, without touching Redis
            budget.on_success(trio.current_time())  # in flight: finishes quietly
            redis_server.start()
            health.recovered()  # what the coordinator's heartbeat does
            budget.close_for(3.0)
            await budget.wait_open(max_pause=1.0)  # pushes the queued pause
            await _refresh(budget)
            assert 2.0 < budget.pause_remaining() <= 3.0


async def test_redis_lost_in_local_mode_coordinates_in_process(
    redis_server: RedisServer, redis_url: str
) -> None:
    health = RedisHealth(redis_url, "local")
    client, budget = await _budget_on(redis_url, health)
    with trio.fail_after(20):
        async with client:
            await _refresh(budget)
            redis_server.stop()
            await _refresh(budget)  # fails, falls back: no exception
            assert not health.available
            budget.on_rate_limited(4.0, budget.epoch, trio.current_time())
            assert budget.is_closed()  # the in-process gate pauses this process
            assert await budget.wait_open(max_pause=1.0) > 3.0
            redis_server.start()
            health.recovered()
            await _refresh(budget)  # carries the local pause over...
            other_client, other = await _budget_on(redis_url, health)
            async with other_client:
                await _refresh(other)
                assert other.is_closed()  # ... to Redis, for every process


async def test_without_a_health_every_call_tries_redis_again(
    redis_server: RedisServer, redis_url: str
) -> None:
    client, budget = await _budget_on(redis_url, None)
    with trio.fail_after(20):
        async with client:
            redis_server.stop()
            with pytest.raises(RedisUnavailableError):
                await _refresh(budget)
            redis_server.start()
            await _refresh(budget)
            assert not budget.is_closed()
            assert math.isinf(-budget._reopen_at)
