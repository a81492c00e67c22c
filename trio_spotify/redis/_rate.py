"""`RedisRateBudget`: one rate budget for every process, kept in Redis (Lua scripts).

    RedisRateBudget(client, namespace, limiter, max_concurrency, *, learn=True,
                    on_error=None, health=None, spawn=None, poll=0.1, ttl=3600.0)

- `client`: a connected `coredis.Redis` (`decode_responses=True`); `namespace`: the key
  prefix (budgets on the same Redis and namespace share everything below).
- `limiter`, `max_concurrency`, `learn`: as for `trio_spotify._ratelimit.RateGate`.
- `on_error(exc)`: called with every Redis failure (default: `health.failed`).
- `health`: the coordinator's `RedisHealth`: while Redis is lost, requests raise its
  `RedisUnavailableError` (`"raise"`) or use an in-process `RateGate` (`"local"`). Without
  one, every call tries Redis again and a failure raises `RedisUnavailableError`.
- `spawn(async_fn)`: starts background work (the coordinator's `nursery.start_soon`): the
  task that pushes successes and 429s to Redis. Without it they are pushed by the next
  `turn()` or `wait_open()` of this budget.
- `poll`: the longest a task waiting for the gate goes without looking at the shared pause.
- `ttl`: seconds every key outlives its last use (a pause: its end plus `ttl`).

**What is shared** (three keys under `{namespace}:rate`, on Redis `TIME`, so across
machines): the *pause* (its reopening time; a 429 anywhere sets it, the latest deadline
wins: a Lua `max`), the *429 events* (a 429 to a request sent before the last event is not a
new one), the *learned allowance* (requests per span, as `RateGate` learns it, but measured
on the successes of every process, and grown by all of them) and the *log of starts* (a
sliding-window token bucket: `turn()` takes a start time in one atomic script and sleeps
until it; at most the allowance start in any span). A start counts from its request's
answer less the network's own delay (the fastest answer this process saw), or its send if
later, as in `RateGate`: the server counts a request when it arrives, and one queued behind
others arrives late. A start not used is given back. Every success grows the allowance by
an eighth of a request per span; a refused probe halves that growth (down to a sixteenth),
an event that finds more room restores it. It starts unlimited, so that clients that never
meet a 429 are never slowed.

**Cost**: one script call per request (about 0.1-0.3 ms on loopback), a second after a
paced wait; the pushes of successes and 429s are batched into one call per round trip.

**What stays per process**: the concurrency window (the limiter), the counters of
`statistics()`, and a mirror of the pause on trio's clock, so that `is_closed()` and
`pause_remaining()` are synchronous. `turn()` refreshes the mirror (one round trip per
request); a task waiting in `wait_open()` looks at the shared pause every `poll` seconds,
so a 429 elsewhere that makes the pause longer than its `max_pause` makes it return at
once in every process (and the handler raises `RateLimitExceeded`).

`on_success`, `on_rate_limited` and `close_for` are synchronous: they update the mirror
at once and queue the push (one script call carries everything queued).
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import coredis
import trio

from .._ratelimit import RateGate
from ._health import REDIS_OR_TIMEOUT, RedisHealth
from ._rate_lua import PEEK, PUSH, TURN

__all__ = ["RedisRateBudget"]

logger = logging.getLogger("trio_spotify")

#: Successes are counted in buckets of this many milliseconds (server time).
_BUCKET_MS = 5
#: The longest span learned, and how long successes are kept, in seconds.
_HORIZON = 60.0
#: A start waits this fraction of a span longer than the allowance says (clocks, networks).
_MARGIN = 1.01
#: The allowance grows by this many requests per span of successes (as `RateGate`), halved
#: after each refused probe down to a sixteenth, restored when an event finds more room.
_GROWTH = 0.125
#: Seconds one Redis call may take before it counts as a failure.
_OP_TIMEOUT = 2.0


def _noop() -> None:
    """The `sent` function of a turn that records nothing locally."""


class RedisRateBudget:
    """A `trio_spotify.RateBudget` shared through Redis (see the module docstring)."""

    def __init__(
        self,
        client: coredis.Redis[str],
        namespace: str,
        limiter: trio.CapacityLimiter,
        max_concurrency: int,
        *,
        learn: bool = True,
        on_error: Callable[[Exception], object] | None = None,
        health: RedisHealth | None = None,
        spawn: Callable[[Callable[[], Awaitable[None]]], object] | None = None,
        poll: float = 0.1,
        ttl: float = 3600.0,
    ) -> None:
        if not poll > 0 or not ttl > 0:
            raise ValueError(f"poll and ttl must be positive, not {poll!r} and {ttl!r}")
        self._client = client
        self.namespace = namespace
        self._keys = [f"{namespace}:rate", f"{namespace}:rate:log", f"{namespace}:rate:ok"]
        self._limiter = limiter
        self._max = max_concurrency
        self._window = float(max_concurrency)
        self._learn = learn
        self._sticky = health is not None
        self._health = health if health is not None else RedisHealth("redis://", "raise")
        self._on_error = on_error if on_error is not None else self._health.failed
        self._poll = poll
        self._ttl_ms = max(1, math.ceil(ttl * 1000))
        self._turn = client.register_script(TURN)
        self._push = client.register_script(PUSH)
        self._peek = client.register_script(PEEK)
        #: In-process coordination while Redis is lost (`on_redis_error="local"`).
        self._fallback = RateGate(limiter, max_concurrency, learn=learn)
        self._in_fallback = False
        # The mirror of the shared pause, on trio's clock.
        self._reopen_at = -math.inf
        self._pause_start = -math.inf
        self._pause_length = 0.0
        self._extended = trio.Event()
        self._polling = False
        # What the server said last: its clock minus trio's, the allowance and span.
        self._offset: float | None = None
        self._allowance: float | None = None
        self._span = 0.0
        # What waits to be pushed: pauses (seconds, sent_at on the server or None,
        # whether a 429) and successes by bucket.
        self._pauses: list[tuple[float, float | None, bool]] = []
        self._successes: dict[int, int] = {}
        #: Turns ended: their start (a member of the log) and when answered (None: unsent).
        self._ended: list[tuple[str, float | None]] = []
        #: The fastest answer seen (seconds from send): the network's own delay.
        self._fastest = math.inf
        self._dirty = trio.Event()
        self._background = spawn is not None
        self.epoch = 0
        self.waiting = 0
        self.rate_limited = 0
        self.paused_seconds = 0.0
        if spawn is not None:
            spawn(self._run)

    def __repr__(self) -> str:
        return f"<RedisRateBudget namespace={self.namespace!r} rate={self.rate!r}>"

    # -- what the handler reads -------------------------------------------------------------

    @property
    def window(self) -> int:
        """How many requests may be in flight now (per process)."""
        if self._in_fallback:
            return self._fallback.window
        return max(1, int(self._window))

    @property
    def rate(self) -> float | None:
        """The shared learned rate in requests per second (`None` while unlimited)."""
        if self._in_fallback:
            return self._fallback.rate
        if self._allowance is None or self._span <= 0:
            return None
        return self._allowance / self._span

    def is_closed(self) -> bool:
        """Whether a 429's pause is on (as this process last heard)."""
        if self._in_fallback:
            return self._fallback.is_closed()
        return trio.current_time() < self._reopen_at

    def pause_remaining(self) -> float:
        """Seconds until the gate reopens (0 when open)."""
        if self._in_fallback:
            return self._fallback.pause_remaining()
        now = trio.current_time()
        if now >= self._reopen_at:
            return 0.0
        return max(0.0, self._pause_length - (now - self._pause_start))

    # -- Redis or not -------------------------------------------------------------------------

    def _use_redis(self) -> bool:
        """Whether to coordinate through Redis now; raises `RedisUnavailableError` while
        it is lost in "raise" mode. Switches to and from the in-process gate."""
        use = self._health.check()
        if use and self._in_fallback:  # Redis is back: carry the local pause over
            self._in_fallback = False
            if self._fallback.is_closed():
                self.close_for(self._fallback.pause_remaining())
        elif not use and not self._in_fallback:
            self._in_fallback = True
            self._drop_queued()
            if self.is_closed():
                self._fallback.close_for(self.pause_remaining())
        return use

    def _failed(self, exc: Exception) -> None:
        self._on_error(exc)
        if not self._sticky:
            self._health.recovered()  # no heartbeat of ours: try again next time

    async def _call(self, script: Any, keys: list[str], args: list[object]) -> list[str]:
        """Run `script`, bounded by `_OP_TIMEOUT`. Raises `REDIS_OR_TIMEOUT`."""
        with trio.fail_after(_OP_TIMEOUT):
            reply = await script(keys=keys, args=args)
        self._offset = float(reply[0]) / 1000 - trio.current_time()
        return [str(x) for x in reply]

    def _mirror(self, left_ms: str, length_ms: str) -> None:
        """Apply the shared pause to the local mirror (extending only)."""
        left = float(left_ms) / 1000
        if left > 0:
            self._close_local(left, max(left, float(length_ms) / 1000))

    # -- waiting ------------------------------------------------------------------------------

    async def wait_open(self, max_pause: float = math.inf) -> float:
        """Sleep until the gate is open; return 0.0 then, or the pause left at once when it
        is (or, while waiting, becomes, in any process) longer than `max_pause`.

        A checkpoint. Raises `RedisUnavailableError` while Redis is lost ("raise" mode).
        """
        if not self._use_redis():
            return await self._fallback.wait_open(max_pause)
        await self._flush_unless_background()
        await trio.lowlevel.checkpoint()
        while self.is_closed():
            remaining = self.pause_remaining()
            if remaining > max_pause:
                return remaining
            extended = self._extended
            self.waiting += 1
            try:
                with trio.move_on_at(min(self._reopen_at, trio.current_time() + self._poll)):
                    await extended.wait()
            finally:
                self.waiting -= 1
            if self.is_closed() and not extended.is_set() and not self._polling:
                await self._look()
        return 0.0

    async def _look(self) -> None:
        """Refresh the mirror from the shared pause (one poller per process)."""
        self._polling = True
        try:
            reply = await self._call(self._peek, self._keys[:1], [])
        except REDIS_OR_TIMEOUT as exc:
            self._failed(exc)  # keep waiting on the mirror; turn() decides what to do
        else:
            self._mirror(reply[1], reply[2])
        finally:
            self._polling = False

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[Callable[[], None]]:
        """Take a start under the shared allowance (one script call) and sleep until it;
        after a sleep, take it again (answers since may have moved it: a start counts from
        the answer of the request it lets go, less the network's own delay).

        A checkpoint. If the shared gate is closed the mirror closes, and the block should
        go back to `wait_open` (the handler checks `is_closed()`). Raises
        `RedisUnavailableError` while Redis is lost ("raise" mode).
        """
        if not self._use_redis():
            async with self._fallback.turn() as local:
                yield local
            return
        await self._flush_unless_background()
        member = ""
        error: Exception | None = None
        while True:  # after a wait, take the start again: the answers since may move it
            args: list[object] = [_MARGIN, self._ttl_ms, _BUCKET_MS, int(self._learn), 1.0]
            try:
                reply = await self._call(self._turn, self._keys, [*args, member])
            except REDIS_OR_TIMEOUT as exc:
                self._failed(exc)
                error = exc
                break
            self._allowance = float(reply[4]) if reply[4] else None
            self._span = float(reply[5]) / 1000
            self._mirror(reply[1], reply[2])
            member = reply[6]
            wait = float(reply[3]) / 1000
            if wait <= 0:
                break
            self.waiting += 1
            try:
                await trio.sleep(wait)
            finally:
                self.waiting -= 1
        if error is not None:
            if not self._use_redis():
                async with self._fallback.turn() as given:
                    yield given
                return
            raise self._health.error("the shared rate budget cannot be used", error)
        if not member:
            yield _noop
            return
        sent_at: list[float] = []

        def sent() -> None:
            if not sent_at:
                sent_at.append(trio.current_time())

        try:
            yield sent
        finally:  # a start not used is given back
            self._ended.append((member, self._counted_at(sent_at[0]) if sent_at else None))
            self._dirty.set()

    def _counted_at(self, sent_at: float) -> float | None:
        """When (server time) the start of a request sent at `sent_at` and answered now
        counts from: its answer less the network's own delay (the fastest answer seen), or
        its send, whichever is later. The server counts a request when it arrives, anywhere
        until it answers; a request queued behind others arrives late."""
        if self._offset is None:
            return None
        now = trio.current_time()
        self._fastest = min(self._fastest, now - sent_at)
        return max(sent_at, now - self._fastest) + self._offset

    # -- what the handler records -------------------------------------------------------------

    def _close_local(self, seconds: float, length: float | None = None) -> bool:
        now = trio.current_time()
        reopen_at = now + seconds
        if reopen_at <= self._reopen_at + 0.001:
            return False
        self.paused_seconds += reopen_at - max(now, self._reopen_at)
        self._reopen_at = reopen_at
        self._pause_start = now - ((length or seconds) - seconds)
        self._pause_length = length or seconds
        self._extended.set()
        self._extended = trio.Event()
        return True

    def close_for(self, seconds: float) -> None:
        """Close the gate for `seconds` from now, in every process (the latest deadline
        wins). Not a checkpoint: the push to Redis is queued."""
        seconds = max(seconds, 0.0)
        if self._in_fallback:
            self._fallback.close_for(seconds)
            return
        self._close_local(seconds)
        self._queue_pause(seconds, None, limited=False)

    def on_rate_limited(self, retry_after: float, sent_epoch: int, sent_at: float) -> None:
        """Record a 429 to a request sent at `sent_at` (trio's clock) in `sent_epoch`: close
        the gate here at once and in every process (queued), shrink the local window once
        per local event when not learning. Not a checkpoint."""
        if self._in_fallback:
            self._fallback.on_rate_limited(retry_after, sent_epoch, sent_at)
            return
        self.rate_limited += 1
        retry_after = max(retry_after, 0.0)
        self._close_local(retry_after)
        if sent_epoch == self.epoch:
            self.epoch += 1
            if not (self._learn and retry_after > 0):
                self._window = max(1.0, self._window / 2)
                self._apply()
        server_sent = None if self._offset is None else sent_at + self._offset
        self._queue_pause(retry_after, server_sent, limited=True)

    def on_success(self, sent_at: float) -> None:
        """Record a success to a request sent at `sent_at` (trio's clock): grow the local
        window, and count it (queued) for the shared allowance. Not a checkpoint."""
        if self._in_fallback:
            self._fallback.on_success(sent_at)
            return
        if self._window < self._max:
            self._window = min(float(self._max), self._window + 1.0 / self._window)
            self._apply()
        if self._learn and self._offset is not None:
            bucket = math.floor((sent_at + self._offset) * 1000 / _BUCKET_MS)
            self._successes[bucket] = self._successes.get(bucket, 0) + 1
            self._dirty.set()

    def _queue_pause(self, seconds: float, sent_at: float | None, *, limited: bool) -> None:
        self._pauses.append((seconds, sent_at, limited))
        self._dirty.set()

    def _apply(self) -> None:
        if self._limiter.total_tokens != self.window:
            self._limiter.total_tokens = self.window

    # -- pushing ------------------------------------------------------------------------------

    def _queued(self) -> bool:
        """Whether anything waits to be pushed."""
        return bool(self._pauses or self._successes or self._ended)

    def _drop_queued(self) -> None:
        self._pauses.clear()
        self._successes.clear()
        self._ended.clear()

    async def _flush_unless_background(self) -> None:
        if not self._background and self._queued():
            await self._flush()

    async def _flush(self) -> None:
        """Push everything queued in one script call; on a failure it is dropped (and
        reported). A checkpoint; raises nothing but cancellation."""
        pauses, self._pauses = self._pauses, []
        successes, self._successes = self._successes, {}
        ended, self._ended = self._ended, []
        if not pauses and not successes and not ended:
            return
        args: list[object] = [self._ttl_ms, math.ceil(_HORIZON * 1000), int(self._learn)]
        args += [_GROWTH, len(pauses)]
        for seconds, sent_at, limited in pauses:
            args += [seconds * 1000, "" if sent_at is None else sent_at * 1000, int(limited)]
        args.append(len(ended))
        for member, answered in ended:
            args += [member, "" if answered is None else answered * 1000]
        for bucket, count in successes.items():
            args += [bucket, count]
        try:
            reply = await self._call(self._push, self._keys, args)
        except REDIS_OR_TIMEOUT as exc:
            self._failed(exc)
            return
        self._mirror(reply[1], reply[2])

    async def _run(self) -> None:
        """The background pusher (started through `spawn`): never raises but cancellation."""
        while True:
            await self._dirty.wait()
            self._dirty = trio.Event()
            if self._in_fallback or not self._health.available:
                self._drop_queued()
                continue
            try:
                await self._flush()
            except Exception:  # a bug must not take the coordinator down with it
                logger.exception("pushing the rate budget to Redis failed")
