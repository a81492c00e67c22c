"""The shared rate budget (`trio_spotify.redis._rate.RedisRateBudget`) against a real Redis.

Each "process" is a budget with its own coredis client (and its own trio clock mirror);
they share only the Redis server and the namespace. Real sockets, real clock (the pause
lives on Redis `TIME`): every wait is bounded by `fail_after`, and what is asserted is what
a budget answers (a pause, a start time), not how long something took, except lower bounds
that sleeping cannot break.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager

import coredis
import pytest
import trio

from trio_spotify.redis._rate import RedisRateBudget

pytestmark = pytest.mark.loopback


@asynccontextmanager
async def _processes(
    url: str, namespace: str, count: int = 2, **options: object
) -> AsyncIterator[list[RedisRateBudget]]:
    """`count` budgets, each with its own client and background pusher."""
    async with AsyncExitStack() as stack:
        nursery = await stack.enter_async_context(trio.open_nursery())
        budgets = []
        for _ in range(count):
            client: coredis.Redis[str] = coredis.Redis.from_url(url, decode_responses=True)
            await stack.enter_async_context(client)
            budgets.append(
                RedisRateBudget(
                    client,
                    namespace,
                    trio.CapacityLimiter(8),
                    8,
                    spawn=nursery.start_soon,
                    **options,  # type: ignore[arg-type]
                )
            )
        try:
            yield budgets
        finally:
            nursery.cancel_scope.cancel()


async def _refresh(budget: RedisRateBudget) -> None:
    """Take (and give back) a turn: the budget reads the shared state."""
    async with budget.turn():
        pass


async def _until(predicate: Callable[[], bool]) -> None:
    """Poll `predicate` (what it watches has no event to wait on)."""
    while not predicate():  # noqa: ASYNC110
        await trio.sleep(0.005)


async def _pushed(budget: RedisRateBudget) -> None:
    """Wait until the background pusher has nothing queued."""
    await _until(lambda: not budget._queued())
    await trio.sleep(0.02)  # the script call in flight, if any


async def test_a_429_in_one_process_closes_the_gate_in_the_other(
    redis_url: str, redis_namespace: str
) -> None:
    with trio.fail_after(10):
        async with _processes(redis_url, redis_namespace) as (a, b):
            await _refresh(a)
            await _refresh(b)
            assert not b.is_closed()
            a.on_rate_limited(5.0, a.epoch, trio.current_time())
            assert a.is_closed()  # at once, locally
            await _pushed(a)
            await _refresh(b)
            assert b.is_closed()
            assert 4.5 < b.pause_remaining() <= 5.0
            assert b.rate_limited == 0  # b met no 429 itself


async def test_the_latest_deadline_wins_across_processes(
    redis_url: str, redis_namespace: str
) -> None:
    with trio.fail_after(10):
        async with _processes(redis_url, redis_namespace, 3) as (a, b, c):
            for budget in (a, b, c):
                await _refresh(budget)
            a.on_rate_limited(8.0, a.epoch, trio.current_time())
            await _pushed(a)
            b.on_rate_limited(1.0, b.epoch, trio.current_time())  # shorter: must not shorten
            await _pushed(b)
            await _refresh(c)
            assert 7.5 < c.pause_remaining() <= 8.0
            b.close_for(12.0)  # longer: extends for everyone
            await _pushed(b)
            await _refresh(c)
            assert 11.5 < c.pause_remaining() <= 12.0


async def test_a_pause_past_max_pause_elsewhere_ends_every_wait_at_once(
    redis_url: str, redis_namespace: str
) -> None:
    """A waiter on a short pause returns the long pause another process met (the handler
    then raises `RateLimitError`) instead of sleeping until its own pause ends."""
    with trio.fail_after(10):
        async with _processes(redis_url, redis_namespace, poll=0.05) as (a, b):
            await _refresh(a)
            await _refresh(b)
            b.on_rate_limited(2.0, b.epoch, trio.current_time())
            results: list[float] = []

            async def wait_in_b() -> None:
                results.append(await b.wait_open(max_pause=3.0))

            async with trio.open_nursery() as nursery:
                nursery.start_soon(wait_in_b)
                await _until(lambda: b.waiting == 1)
                a.on_rate_limited(30.0, a.epoch, trio.current_time())
            assert len(results) == 1
            assert 25.0 < results[0] <= 30.0  # not 0.0: it did not wait the 2 s out
            assert b.is_closed()


async def test_concurrent_429s_count_as_one_event(redis_url: str, redis_namespace: str) -> None:
    with trio.fail_after(10):
        async with _processes(redis_url, redis_namespace) as (a, b):
            await _refresh(a)
            await _refresh(b)
            sent = trio.current_time() - 0.01  # all sent before the first 429 was recorded
            for _ in range(5):
                a.on_rate_limited(1.0, 0, sent)
                b.on_rate_limited(1.0, 0, sent)
            await _pushed(a)
            await _pushed(b)
            client: coredis.Redis[str] = coredis.Redis.from_url(redis_url, decode_responses=True)
            async with client:
                assert await client.hget(f"{redis_namespace}:rate", "epoch") == "1"
            assert a.epoch == b.epoch == 1  # and once per process locally
            assert a.rate_limited == b.rate_limited == 5


async def test_the_learned_rate_is_shared_and_paces_every_process(
    redis_url: str, redis_namespace: str
) -> None:
    """Successes in two processes teach one allowance; after the pause, a third process
    paces its starts under it."""
    with trio.fail_after(10):
        async with _processes(redis_url, redis_namespace, 3) as (a, b, c):
            for budget in (a, b, c):
                await _refresh(budget)
            for budget in (a, b):
                for _ in range(6):
                    async with budget.turn() as sent:
                        sent()
                    budget.on_success(trio.current_time())
            await _pushed(a)
            await _pushed(b)
            a.on_rate_limited(0.5, a.epoch, trio.current_time())
            await _pushed(a)
            await _refresh(c)
            assert c.is_closed()
            assert c.rate is None  # not learned until the pause is over
            await trio.sleep(c.pause_remaining() + 0.05)
            await _refresh(c)  # the first turn after the pause learns: 12 per 0.5 s
            assert c.rate == pytest.approx(12 / 0.5)
            starts = []
            for _ in range(13):  # 12 fit in the span; the 13th waits for the first answer
                before = trio.current_time()
                async with c.turn() as sent:
                    starts.append(trio.current_time() - before)
                    sent()
            assert max(starts[:12]) < 0.4
            assert starts[12] >= 0.4
            await _refresh(a)
            assert a.rate == pytest.approx(12 / 0.5, rel=0.1)


async def test_a_budget_that_meets_no_429_never_waits(redis_url: str, redis_namespace: str) -> None:
    with trio.fail_after(10):
        async with _processes(redis_url, redis_namespace, 1) as (a,):
            for _ in range(200):
                async with a.turn() as sent:
                    sent()
                a.on_success(trio.current_time())
            assert a.rate is None
            assert a.waiting == 0
            assert not a.is_closed()


async def test_every_key_has_a_ttl(redis_url: str, redis_namespace: str) -> None:
    with trio.fail_after(10):
        async with _processes(redis_url, redis_namespace, ttl=100.0) as (a, b):
            for budget in (a, b):
                async with budget.turn() as sent:
                    sent()
                budget.on_success(trio.current_time())
            a.on_rate_limited(0.2, a.epoch, trio.current_time())
            await _pushed(a)
            await trio.sleep(0.25)
            async with b.turn() as sent:  # learns, and keeps a log of starts
                sent()
            b.close_for(500.0)  # a pause outlives the ttl: its key outlives the pause
            await _pushed(b)
            client: coredis.Redis[str] = coredis.Redis.from_url(redis_url, decode_responses=True)
            async with client:
                keys = [key async for key in client.scan_iter(match=f"{redis_namespace}:*")]
                assert sorted(keys) == sorted(
                    f"{redis_namespace}:rate{suffix}" for suffix in ("", ":log", ":ok")
                )
                ttls = {key: await client.pttl(key) for key in keys}
            assert 500_000 < ttls[f"{redis_namespace}:rate"] <= 600_000
            assert 0 < ttls[f"{redis_namespace}:rate:log"] <= 100_000
            assert 0 < ttls[f"{redis_namespace}:rate:ok"] <= 100_000


async def _set_state(url: str, namespace: str, **fields: object) -> None:
    client: coredis.Redis[str] = coredis.Redis.from_url(url, decode_responses=True)
    async with client:
        await client.hset(f"{namespace}:rate", {k: str(v) for k, v in fields.items()})


async def test_a_start_counts_from_a_late_answer_less_the_network_delay(
    redis_url: str, redis_namespace: str
) -> None:
    """A request answered late (queued at the server, which counts it on arrival) holds its
    start until its answer less the fastest answer seen, not just a span after its send."""
    await _set_state(redis_url, redis_namespace, allow=1, learned=1, span=500)
    with trio.fail_after(10):
        async with _processes(redis_url, redis_namespace, 1) as (a,):
            async with a.turn() as sent:  # answered at once: the network's delay is ~0
                sent()
            async with a.turn() as sent:  # a span later; answered 0.3 s after its send
                sent()
                await trio.sleep(0.3)
            answered = trio.current_time()
            async with a.turn() as sent:
                started = trio.current_time()
                sent()
            assert started - answered >= 0.45  # a span after the answer, not after the send


async def test_a_refused_probe_halves_the_growth(redis_url: str, redis_namespace: str) -> None:
    await _set_state(redis_url, redis_namespace, allow=31.5, learned=30, span=1000)
    with trio.fail_after(10):
        async with _processes(redis_url, redis_namespace, 1) as (a,):
            await _refresh(a)
            a.on_rate_limited(1.0, a.epoch, trio.current_time())
            await _pushed(a)
            client: coredis.Redis[str] = coredis.Redis.from_url(redis_url, decode_responses=True)
            async with client:
                assert float(await client.hget(f"{redis_namespace}:rate", "growth") or 0) == 0.0625
