"""The rate-limit gate shared by every task of one client.

Three jobs, one small object (so that another implementation, one shared between
processes, can take its place): a *pause* after a 429, a *window* of requests in flight,
and a *learned allowance* that paces requests so that a long crawl settles under the limit.

**The pause.** When any request meets a 429, the gate closes for `Retry-After` seconds: no
task sends anything until it reopens, and all of them resume together. A task waiting for
the gate wakes whenever another 429 extends the pause, so that it can give up at once when
the pause became longer than it accepts (`wait_open(max_pause)`). The length compared is
the pause a 429 asked for minus the time elapsed since, never a difference of two clock
readings (`(now + 60) - now` is not always 60 in floating point).

**The window.** A 429 "event" that teaches nothing about the rate (learning off, or a
refusal before any success) halves the number of requests allowed in flight, and every
success adds `1/window` back (additive increase, multiplicative decrease, as TCP does). The
window is applied as the `total_tokens` of the client's `trio.CapacityLimiter`. A 429 is
counted as a new event only if its request was sent after the last event (an epoch
counter): sixty-four requests that were all in flight when the limit hit count once.

**The learned allowance.** Spotify's limit is a rolling window: so many requests in any
30 seconds. The gate learns both numbers. Its *span* is the longest `Retry-After` met (the
server's own hint of its window); its *allowance*, the requests it lets start in any span.
It starts unlimited, so a client that never meets a 429 is never slowed. At a 429 event
(once the pause is over, so that every answer is in) the allowance becomes a fraction
(`backoff`, 1 by default) of the successes among the requests sent during the span up to
the refused one: the rate the server demonstrably allowed. Every success adds a quarter
request per span of successes (`_GROWTH`), so the client probes the limit every few spans,
and a refused probe costs little: its `Retry-After` ends about when the allowance would
have let the next burst start anyway. `turn()` lets a request start only when fewer than
the allowance started (or are about to) in the last span, plus a 1% margin: bursts as the
server allows them, and no more. The waits are `trio.sleep_until`, outside the limiter.
The learned rate is `allowance / span` (`SpotifyStatistics.learned_rate`).

**The interface** a shared implementation would provide: `close_for(seconds)`,
`wait_open(max_pause)`, `turn()` (and the `sent` function it gives), `on_success(sent_at)`,
`on_rate_limited(retry_after, epoch, sent_at)`, `rate`, `window`, and the counters.
"""

from __future__ import annotations

import collections
import contextlib
import math
from collections.abc import AsyncIterator, Callable

import trio

__all__ = ["RateGate"]

#: Successes are counted in buckets of this many seconds...
_BUCKET = 0.002
#: ... over at most this many seconds (bounds the memory, whatever the request rate).
_HORIZON = 60.0
#: A request starts this fraction of a span later than the allowance would let it: the
#: server's clock and the network's delays are not ours.
_MARGIN = 1.01
#: The allowance grows by this many requests per span of successes: a probe of the limit
#: every four spans (a probe refused costs a pause, and the window it could have used).
_GROWTH = 0.25


class RateGate:
    """Pauses all requests of a client after a 429, reopens them gradually, paces them.

    Args:
        limiter: the client's limiter, whose `total_tokens` the window sets.
        max_concurrency: the largest window.
        learn: whether to learn an allowance from the 429s (`False`: pause and window only).
        backoff: the fraction of the recently measured successes the allowance drops to.
    """

    def __init__(
        self,
        limiter: trio.CapacityLimiter,
        max_concurrency: int,
        *,
        learn: bool = True,
        backoff: float = 1.0,
    ) -> None:
        self._limiter = limiter
        self._max = max_concurrency
        self._window = float(max_concurrency)
        self._learn = learn
        self._backoff = backoff
        # The pause: closed until _reopen_at == _pause_start + _pause_length.
        self._reopen_at = -math.inf
        self._pause_start = -math.inf
        self._pause_length = 0.0
        #: Set (and replaced) whenever the pause is extended: waiters wake and re-check.
        self._extended = trio.Event()
        # The learned allowance (None: unlimited) per span of seconds.
        self._allowance: float | None = None
        self._span = 0.0
        #: When the requests of the last span were sent, oldest first (while learning).
        self._sends: collections.deque[float] = collections.deque()
        #: Requests holding a turn, not sent yet.
        self._pending = 0
        #: Successes by the bucket of their send time, over the last `_HORIZON` seconds.
        self._success_keys: collections.deque[int] = collections.deque()
        self._success_counts: collections.deque[int] = collections.deque()
        #: When the request that met the last 429 event was sent (learning pending).
        self._refused_at: float | None = None
        #: Incremented at every decrease; a request remembers the epoch it was sent in.
        self.epoch = 0
        self.waiting = 0
        self.rate_limited = 0
        self.paused_seconds = 0.0

    # -- what the handler reads ---------------------------------------------------------------

    @property
    def window(self) -> int:
        """How many requests may be in flight now."""
        return max(1, int(self._window))

    @property
    def rate(self) -> float | None:
        """The learned rate, in requests per second (`None` while unlimited)."""
        if self._allowance is None or self._span <= 0:
            return None
        return self._allowance / self._span

    def is_closed(self) -> bool:
        """Whether a 429's pause is on."""
        return trio.current_time() < self._reopen_at

    def pause_remaining(self) -> float:
        """Seconds until the gate reopens (0 when open): the requested pause minus the time
        elapsed since it was requested, so that it is exactly the `Retry-After` at first."""
        now = trio.current_time()
        if now >= self._reopen_at:
            return 0.0
        return max(0.0, self._pause_length - (now - self._pause_start))

    # -- waiting ----------------------------------------------------------------------------

    async def wait_open(self, max_pause: float = math.inf) -> float:
        """Sleep until the gate is open; return 0.0 then.

        Returns the remaining pause instead, at once, when the pause is (or, while waiting,
        becomes) longer than `max_pause`: the caller raises. A checkpoint only when closed.
        """
        while self.is_closed():
            remaining = self.pause_remaining()
            if remaining > max_pause:
                return remaining
            extended = self._extended
            self.waiting += 1
            try:
                with trio.move_on_at(self._reopen_at):
                    await extended.wait()
            finally:
                self.waiting -= 1
        return 0.0

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[Callable[[], None]]:
        """Wait until a request may start under the learned allowance, and hold its turn.

        A checkpoint only when it sleeps (never while unlimited). The block gets a function
        to call when it sends the request (not a checkpoint); leaving without calling it
        gives the turn back (to wait for the gate again, on an error). The sleep is a
        `trio.sleep_until` outside the limiter, so the caller's deadline cancels it.
        """
        if self._refused_at is not None and not self.is_closed():
            self._learn_now()
        if self._allowance is not None:
            while (start := self._next_start()) > trio.current_time():
                self.waiting += 1
                try:
                    await trio.sleep_until(start)
                finally:
                    self.waiting -= 1
        held = [True]
        self._pending += 1

        def sent() -> None:
            if held[0]:
                held[0] = False
                self._pending -= 1
            if self._allowance is not None:
                self._sends.append(trio.current_time())

        try:
            yield sent
        finally:
            if held[0]:
                self._pending -= 1

    def _next_start(self) -> float:
        """When the next request may start: at once while fewer than the allowance started
        (or are about to) in the last span, else when the oldest of them leaves the span."""
        assert self._allowance is not None
        allowance = max(1, int(self._allowance))
        sends = self._sends
        now = trio.current_time()
        while sends and (len(sends) > allowance or sends[0] <= now - self._span):
            sends.popleft()
        index = len(sends) + self._pending - allowance
        if index < 0:
            return now
        if index >= len(sends):  # the turns are all taken by requests about to be sent
            return now + self._span / allowance
        return sends[index] + self._span * _MARGIN

    # -- what the handler records -----------------------------------------------------------

    def close_for(self, seconds: float) -> None:
        """Close the gate for `seconds` from now (unless it stays closed longer already)."""
        now = trio.current_time()
        seconds = max(seconds, 0.0)
        reopen_at = now + seconds
        if reopen_at > self._reopen_at:
            self.paused_seconds += reopen_at - max(now, self._reopen_at)
            self._reopen_at = reopen_at
            self._pause_start = now
            self._pause_length = seconds
            self._extended.set()
            self._extended = trio.Event()

    def on_rate_limited(self, retry_after: float, sent_epoch: int, sent_at: float) -> None:
        """Record a 429 to a request sent at `sent_at` in `sent_epoch`: close the gate, and
        once per event shrink the window and learn the allowance (when the gate reopens,
        once the answers to what was sent before this request are in)."""
        self.rate_limited += 1
        self.close_for(retry_after)
        if sent_epoch == self.epoch:
            self.epoch += 1
            if self._learn and retry_after > 0:
                self._span = min(_HORIZON, max(self._span, retry_after))
                self._refused_at = sent_at
            else:
                self._halve_window()

    def on_success(self, sent_at: float) -> None:
        """Record a success to a request sent at `sent_at`: grow the window by `1/window`
        up to the configured maximum, and the learned allowance by `1/allowance`."""
        if self._window < self._max:
            self._window = min(float(self._max), self._window + 1.0 / self._window)
            self._apply()
        if not self._learn:
            return
        key = math.floor(sent_at / _BUCKET)
        keys, counts = self._success_keys, self._success_counts
        if keys and keys[-1] == key:
            counts[-1] += 1
        elif not keys or key > keys[-1]:
            keys.append(key)
            counts.append(1)
            while keys[0] < key - _HORIZON / _BUCKET:
                keys.popleft()
                counts.popleft()
        else:  # answered after a request sent later: into its place, from the end
            i = len(keys) - 1
            while i >= 0 and keys[i] > key:
                i -= 1
            if i >= 0 and keys[i] == key:
                counts[i] += 1
            else:
                keys.insert(i + 1, key)
                counts.insert(i + 1, 1)
        if self._allowance is not None:
            self._allowance += _GROWTH / self._allowance

    def _learn_now(self) -> None:
        """The allowance: `backoff` times the most successes sent within one span during
        the two spans before the refused request (requests race to the server, so which
        one is refused first is noisy, the window it filled is not). Edges included: paced
        requests of one turn are sent `_MARGIN` spans apart, so one span cannot hold a turn
        twice."""
        refused_at, self._refused_at = self._refused_at, None
        if refused_at is None:
            return
        width = math.floor(self._span / _BUCKET)
        first = math.floor((refused_at - 2 * self._span) / _BUCKET)
        last = math.floor((refused_at + self._span * (_MARGIN - 1)) / _BUCKET)
        recent = [
            (key, count)
            for key, count in zip(self._success_keys, self._success_counts, strict=True)
            if first <= key <= last
        ]
        measured = total = 0
        low = 0
        for key, count in recent:  # the largest sum over keys within `width` of each other
            total += count
            while recent[low][0] < key - width:
                total -= recent[low][1]
                low += 1
            measured = max(measured, total)
        if measured:
            self._allowance = max(1.0, self._backoff * measured)
        else:  # refused before any success: says nothing about the rate
            self._halve_window()

    def _halve_window(self) -> None:
        self._window = max(1.0, self._window / 2)
        self._apply()

    def _apply(self) -> None:
        if self._limiter.total_tokens != self.window:
            self._limiter.total_tokens = self.window
