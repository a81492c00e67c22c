"""The rate-limit gate: no hang when a pause is extended, no float rounding at the cap,
and a client that learns a rolling-window limit (MockTransport, autojump clock, exact times)."""

from __future__ import annotations

import collections
import itertools
import math
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import trio
import trio.lowlevel
import trio.testing
from helpers.fakes import FakeSpotify, api_error, json_response, no_jitter, open_fake

import trio_spotify
from trio_spotify._ratelimit import RateGate


def _policy(**kwargs: object) -> trio_spotify.RetryPolicy:
    return trio_spotify.RetryPolicy(jitter=no_jitter, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("long_pause", ["12", "3600"])
async def test_a_waiting_task_gives_up_at_once_when_another_429_extends_the_pause(
    autojump_clock: trio.testing.MockClock, long_pause: str
) -> None:
    """max_retry_after=2: a request waiting out a 1 s pause raises at t=0.5, when a request
    sent earlier gets `Retry-After: 12` (or 3600); it does not sleep 12.5 s (or an hour)."""

    async def api(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/slow":
            await trio.sleep(0.5)
            return api_error(429, "API rate limit exceeded", headers={"Retry-After": long_pause})
        if request.url.path == "/v1/first":
            return api_error(429, "API rate limit exceeded", headers={"Retry-After": "1"})
        return json_response(200, {})

    fake = FakeSpotify(api=api)
    raised: dict[str, tuple[float, float | None]] = {}
    async with open_fake(fake, retry=_policy(max_retry_after=2.0)) as spotify:
        await spotify.request("GET", "/warm")
        t0 = trio.current_time()

        async def one(path: str) -> None:
            with pytest.raises(trio_spotify.RateLimitError) as info:
                await spotify.request("GET", path)
            raised[path] = (trio.current_time() - t0, info.value.retry_after)

        async with trio.open_nursery() as nursery:
            nursery.start_soon(one, "/slow")  # in flight before the gate closes
            await trio.lowlevel.checkpoint()
            nursery.start_soon(one, "/first")  # 429 at t=0: the gate closes for 1 s
            await trio.sleep(0.1)
            nursery.start_soon(one, "/waiting")  # 0.9 s left <= 2: it waits
        assert spotify.statistics().tasks_waiting == 0
    assert raised["/slow"] == (0.5, float(long_pause))
    # /first and /waiting were waiting for the gate: they raise when it is extended.
    assert raised["/first"][0] == 0.5
    assert raised["/waiting"] == (0.5, float(long_pause))
    assert [r.url.path for r in fake.requests].count("/v1/waiting") == 0


async def test_a_retry_after_equal_to_max_retry_after_is_waited_out(
    autojump_clock: trio.testing.MockClock,
) -> None:
    """At t=28.347, (t + 60) - t > 60 in floating point: the requested 60 s is compared."""
    t = 28.347
    assert (t + 60) - t > 60  # the rounding the gate must not be fooled by
    calls: list[float] = []

    async def api(request: httpx.Request) -> httpx.Response:
        calls.append(trio.current_time())
        if len(calls) == 1:
            return api_error(429, "API rate limit exceeded", headers={"Retry-After": "60"})
        return json_response(200, {"ok": True})

    fake = FakeSpotify(api=api)
    async with open_fake(fake, retry=_policy(max_retry_after=60.0)) as spotify:
        await trio.sleep_until(t)
        assert await spotify.request("GET", "/x") == {"ok": True}
    assert calls == [t, t + 60]


def _rolling_window(
    requests: int, window: float, latency: float | Callable[[], float] = 0.01
) -> FakeSpotify:
    """A Web API allowing `requests` per rolling `window` seconds, as Spotify does: it
    counts a request when it arrives, `latency` (a number, or a function giving each
    request's) after it was sent, and answers at once."""
    accepted: collections.deque[float] = collections.deque()
    delay = latency if callable(latency) else lambda: latency

    async def api(request: httpx.Request) -> httpx.Response:
        await trio.sleep(delay())
        now = trio.current_time()
        while accepted and accepted[0] <= now - window:
            accepted.popleft()
        if len(accepted) >= requests:
            wait = max(1, math.ceil(accepted[0] + window - now))
            return api_error(429, "API rate limit exceeded", headers={"Retry-After": str(wait)})
        accepted.append(now)
        return json_response(200, {})

    return FakeSpotify(api=api)


async def _crawl(
    fake: FakeSpotify, n: int, learn: bool = True
) -> tuple[float, trio_spotify.SpotifyStatistics]:
    async with open_fake(fake, max_concurrency=64, retry=_policy(learn_rate=learn)) as spotify:
        await spotify.request("GET", "/warm")
        t0 = trio.current_time()
        send, receive = trio.open_memory_channel[int](n)
        for i in range(n - 1):  # with the warm-up, n in the server's windows
            send.send_nowait(i)
        send.close()

        async def worker() -> None:
            async for _ in receive:
                await spotify.request("GET", "/x")

        async with trio.open_nursery() as nursery:
            for _ in range(64):
                nursery.start_soon(worker)
        return trio.current_time() - t0, spotify.statistics()


async def test_the_client_learns_a_rolling_window_and_settles_under_it(
    autojump_clock: trio.testing.MockClock,
) -> None:
    """2,000 requests, 64 in flight, 100 allowed per rolling 2 s: within 1.05x of the ideal
    (38 s) with at most 0.05 429s per success; without learning, 0.07 429s per success."""
    n = 2000
    before_elapsed, before = await _crawl(_rolling_window(100, 2.0), n, learn=False)
    elapsed, after = await _crawl(_rolling_window(100, 2.0), n, learn=True)
    ideal = (math.ceil(n / 100) - 1) * 2.0
    assert before.learned_rate is None
    assert before.rate_limited / n > 0.05  # the behaviour this replaces
    assert elapsed <= 1.05 * ideal
    assert after.rate_limited / n <= 0.05
    assert after.learned_rate is not None
    assert 100 / 2.0 <= after.learned_rate <= 1.1 * 100 / 2.0
    assert elapsed <= before_elapsed


def _counting_refusals(fake: FakeSpotify) -> list[float]:
    """When `fake` answered each 429 (wraps its Web API)."""
    refused_at: list[float] = []
    api = fake.api
    assert api is not None

    async def counting(request: httpx.Request) -> httpx.Response:
        response = await api(request)
        if response.status_code == 429:
            refused_at.append(trio.current_time())
        return response

    fake.api = counting
    return refused_at


async def test_requests_that_arrive_late_delay_the_next_turn_instead_of_meeting_429s(
    autojump_clock: trio.testing.MockClock,
) -> None:
    """100 per rolling 2 s; every 37th request arrives 60 ms after it was sent instead of
    10 ms (queued, or stalled, as on a busy machine). A turn ends a span after the answer
    came (less the network's own delay) when that is later than a span after the send, so
    the request sent in a late one's place does not arrive within its window: after the
    first burst, at most the refused probes meet a 429 (pacing on sends alone met 6)."""
    sent = itertools.count()
    fake = _rolling_window(100, 2.0, lambda: 0.06 if next(sent) % 37 == 0 else 0.01)
    refused_at = _counting_refusals(fake)
    n = 2000
    elapsed, _ = await _crawl(fake, n)
    later = [t for t in refused_at if t > refused_at[0] + 1]
    assert len(later) <= 2, later
    assert elapsed <= 1.07 * (math.ceil(n / 100) - 1) * 2.0


async def test_a_limit_that_stays_put_is_probed_ever_more_rarely(
    autojump_clock: trio.testing.MockClock,
) -> None:
    """100 per rolling 2 s for 80 spans: after the first burst's 429s, each refused probe
    of the limit halves the growth of the allowance, so the probes come after 8, 16, 32
    spans... (3 refusals here), not every 4 spans (15 with a constant growth of a quarter
    request per span)."""
    fake = _rolling_window(100, 2.0)
    refused_at = _counting_refusals(fake)
    n = 8000
    elapsed, stats = await _crawl(fake, n)
    probes = [t for t in refused_at if t > refused_at[0] + 1]
    assert 1 <= len(probes) <= 5, probes
    assert elapsed <= 1.015 * (math.ceil(n / 100) - 1) * 2.0
    assert stats.learned_rate == pytest.approx(100 / 2.0, rel=0.01)


async def test_a_probe_of_the_limit_waits_for_the_end_of_a_burst(
    autojump_clock: trio.testing.MockClock,
) -> None:
    """Learned: 4 per 10 s. Once the allowance has grown to a fifth turn, a request asking
    for it in the middle of a span does not probe the limit there (refused, its pause would
    hold the next burst back): it waits, and takes the first turn of the next burst."""
    gate = RateGate(trio.CapacityLimiter(64), 64)
    for _ in range(4):
        gate.on_success(0.0)
    gate.on_rate_limited(10.0, gate.epoch, sent_at=0.0)
    assert await gate.wait_open() == 0.0

    async def request() -> float:
        async with gate.turn() as sent:
            started = trio.current_time()
            sent()
            gate.on_success(started)  # answered at once
        return started

    burst = [await request() for _ in range(4)]
    assert burst == [10.0] * 4
    while (gate.rate or 0) * 10 < 5:  # a burst of 4 per span until a fifth turn is there
        burst = [await request() for _ in range(4)]
        assert len(set(burst)) == 1
    await trio.sleep(5)  # the middle of the span
    assert await request() == pytest.approx(burst[0] + 10 * 1.01)


def test_the_benchmark_fails_when_a_target_is_missed() -> None:
    """`benchmarks/bench_ratelimit.py` exits 1 when the learning client misses a target
    (1 request per second: the one timed request follows the sign-in's within the second,
    so it meets a 429, 0.5 per success)."""
    script = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_ratelimit.py"
    argv = ["--requests", "2", "--setting", "1/1", "--latency", "0", "--only-learning"]
    done = subprocess.run(
        [sys.executable, str(script), *argv], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "MISSED 1/1:" in done.stdout
    reported = subprocess.run(
        [sys.executable, str(script), *argv, "--no-targets"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert reported.returncode == 0, reported.stderr


async def test_a_client_that_never_meets_a_429_is_not_paced(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async def api(request: httpx.Request) -> httpx.Response:
        await trio.sleep(1)
        return json_response(200, {})

    fake = FakeSpotify(api=api)
    async with open_fake(fake, max_concurrency=50) as spotify:
        start = trio.current_time()
        async with trio.open_nursery() as nursery:
            for _ in range(500):
                nursery.start_soon(spotify.request, "GET", "/x")
        assert trio.current_time() - start == 10.0  # 500 requests, 50 at a time, 1 s each
        assert spotify.statistics().learned_rate is None


async def test_a_pacing_wait_is_cancelled_by_the_caller_and_gives_its_turn_back(
    autojump_clock: trio.testing.MockClock,
) -> None:
    """After learning 2 per 10 s, a third request waits for its turn in a `trio.sleep`:
    the caller's deadline cancels it, and nothing is left waiting or holding a turn."""
    accepted: list[float] = []

    async def api(request: httpx.Request) -> httpx.Response:
        now = trio.current_time()
        if len([t for t in accepted if t > now - 10]) >= 2:
            return api_error(429, "API rate limit exceeded", headers={"Retry-After": "10"})
        accepted.append(now)
        return json_response(200, {})

    fake = FakeSpotify(api=api)
    async with open_fake(fake, retry=_policy()) as spotify:
        async with trio.open_nursery() as nursery:
            for _ in range(3):
                nursery.start_soon(spotify.request, "GET", "/x")
        # The third got a 429 at 0 and was sent again at 10, once the gate reopened.
        assert accepted == [0, 0, 10]
        # Learned: 2 per 10 s, plus an eighth of a request per span of successes since (one).
        assert spotify.statistics().learned_rate == (2 + 0.125 / 2) / 10
        t0 = trio.current_time()
        await spotify.request("GET", "/x")  # the second turn of this span: at once
        assert trio.current_time() == t0
        with trio.move_on_after(3) as scope:
            await spotify.request("GET", "/x")  # the next turn: 10.1 s after the last
        assert scope.cancelled_caught
        assert spotify.statistics().tasks_waiting == 0
        sent = len(fake.requests)
        await spotify.request("GET", "/x")  # the turn was given back: sent at 10 * 1.01
        assert trio.current_time() == pytest.approx(10 + 10 * 1.01)
        assert len(fake.requests) == sent + 1
    assert accepted[-1] == pytest.approx(10 + 10 * 1.01)


async def test_learning_can_be_switched_off(autojump_clock: trio.testing.MockClock) -> None:
    _, stats = await _crawl(_rolling_window(40, 1.0), 200, learn=False)
    assert stats.learned_rate is None
    assert stats.rate_limited > 0


async def test_successes_answered_out_of_order_all_count(
    autojump_clock: trio.testing.MockClock,
) -> None:
    """Requests race to the server: ten successes sent at 0.0, 0.1, ... 0.9 and answered in
    another order all count, so the allowance learned at the 429 is ten per span."""
    gate = RateGate(trio.CapacityLimiter(64), 64)
    for sent_at in (0.9, 0.1, 0.5, 0.0, 0.3, 0.7, 0.2, 0.8, 0.4, 0.6):
        gate.on_success(sent_at)
    gate.on_rate_limited(2.0, gate.epoch, sent_at=1.0)
    assert gate.rate is None  # learned when the pause is over, once every answer is in
    assert await gate.wait_open() == 0.0
    async with gate.turn() as sent:
        sent()
    assert gate.rate == 10 / 2.0
    assert gate.window == 64  # the allowance slows the client down, not the window
