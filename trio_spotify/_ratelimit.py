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
the refused one: the rate the server demonstrably allowed.

*Turns.* `turn()` lets a request start only while fewer than the allowance hold a turn. A
turn ends a span after its request was sent (plus a margin of 1%, at most 0.1 s: the
server's clock is not ours), or a span after its answer came less the network's own delay
(the fastest answer seen), whichever is later. The server counts a request when it
arrives, which may be any time until it answers: a request queued behind others, or
stalled, arrives late, and the one sent in its place a span after the send, arriving
promptly, would be refused. So the client bursts as the server allows, and no more. The
waits are `trio.sleep_until`, outside the limiter.

*Probes.* Every success adds an eighth of a request per span of successes (`_GROWTH`), so
that the client probes the limit after some eight spans. A turn beyond the allowance
learned at the last event (a probe) starts only at the end of a burst, while every turn
held was taken in the last quarter span: refused there, its `Retry-After` ends about when
the next burst would start anyway, and pauses nothing that was ready to go (refused at the
start of a burst, it would hold the rest of the burst back). Each refused probe (an event
while the allowance had grown past the learned one) halves the growth, down to a probe
every 128 spans, so that a limit that stays put is probed ever more rarely; an event that
finds more room than the last one restores it. The learned rate is `allowance / span`
(`SpotifyStatistics.learned_rate`).

**The interface** a shared implementation would provide: `close_for(seconds)`,
`wait_open(max_pause)`, `turn()` (and the `sent` function it gives), `on_success(sent_at)`,
`on_rate_limited(retry_after, epoch, sent_at)`, `rate`, `window`, and the counters.
"""

from __future__ import annotations

import bisect
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
#: A turn lasts this fraction of a span after its request was sent at least (the server's
#: clock is not ours), or a span and this many seconds, if less.
_MARGIN = 1.01
_MAX_MARGIN = 0.1
#: The allowance grows by this many requests per span of successes: a probe of the limit
#: after eight spans (a probe refused costs a pause, and the window it could have used)...
_GROWTH = 0.125
#: ... half as fast after each refused probe, down to this (a probe every 128 spans).
_MIN_GROWTH = _GROWTH / 16


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
        #: The allowance learned at the last 429 event (before any growth since).
        self._learned: float | None = None
        #: Requests per span of successes the allowance grows by.
        self._growth = _GROWTH
        #: Whether the allowance had grown past the learned one when the last event began.
        self._probing = False
        #: The turns of the last span, oldest first (while learning): when each request was
        #: sent, and when its answer lets its turn go (`-inf` until answered).
        self._sends: collections.deque[list[float]] = collections.deque()
        #: The shortest time any request took to be answered (the network's own delay).
        self._fastest = math.inf
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
                self._sends.append([trio.current_time(), -math.inf])

        try:
            yield sent
        finally:
            if held[0]:
                self._pending -= 1

    def _next_start(self) -> float:
        """When the next request may start: at once while fewer than the allowance hold a
        turn (or are about to), else when the next of those turns ends.

        A turn ends a span (and the margin) after its request was sent, or a span after its
        answer came, less the network's own delay (`_fastest`), if that is later: the server
        counts a request when it arrives, which can be any time until it answers (a request
        queued behind others, or stalled, arrives late), and the request sent in its place
        may arrive at once. So a late arrival delays the next turn instead of meeting a 429.

        A turn beyond the allowance learned at the last 429 event (a probe of the limit)
        starts only at the end of a burst: while every turn held was taken in the last
        quarter span. Refused there, its `Retry-After` pauses nothing that was ready to go.
        """
        assert self._allowance is not None
        allowance = max(1, int(self._allowance))
        sends = self._sends
        now = trio.current_time()
        hold = self._hold()
        while sends and max(sends[0][0] + hold, sends[0][1]) <= now:
            sends.popleft()
        held = [(end, at) for at, late in sends if (end := max(at + hold, late)) > now]
        held.sort()
        index = len(held) + self._pending - allowance
        if index < 0:
            learned = allowance if self._learned is None else int(self._learned)
            if len(held) + self._pending < learned or not held:
                return now
            if min(at for _, at in held) >= now - self._span / 4:
                return now  # a probe, at the end of a burst
            return held[0][0]  # a probe: look again when the next turn ends
        if index >= len(held):  # the turns are all taken by requests about to be sent
            return now + self._span / allowance
        return held[index][0]

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
                self._probing = (
                    self._allowance is not None
                    and self._learned is not None
                    and int(self._allowance) > int(self._learned)
                )
            else:
                self._halve_window()

    def on_success(self, sent_at: float) -> None:
        """Record a success to a request sent at `sent_at`: grow the window by `1/window`
        up to the configured maximum, and the learned allowance by `growth/allowance`; the
        request's turn ends a span after now (less the network's own delay) at the latest."""
        if self._window < self._max:
            self._window = min(float(self._max), self._window + 1.0 / self._window)
            self._apply()
        if not self._learn:
            return
        self._answered(sent_at)
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
            self._allowance += self._growth / self._allowance

    def _hold(self) -> float:
        """How long a turn lasts after its request was sent, at least."""
        return self._span + min(self._span * (_MARGIN - 1), _MAX_MARGIN)

    def _answered(self, sent_at: float) -> None:
        """Let the turn of the request sent at `sent_at` end a span after its answer came
        (less the network's own delay) if that is later than a span after it was sent.

        `sent_at` is the handler's reading of the clock less the request's duration, which
        can be a little later than the time its turn recorded: the turn is the last one not
        yet answered sent up to then, within `_BUCKET`.
        """
        now = trio.current_time()
        self._fastest = min(self._fastest, now - sent_at)
        sends = self._sends
        i = bisect.bisect_right(sends, sent_at + 1e-9, key=lambda turn: turn[0]) - 1
        while i >= 0 and sends[i][0] >= sent_at - _BUCKET:
            if sends[i][1] == -math.inf:
                sends[i][1] = now + self._span - self._fastest
                return
            i -= 1

    def _learn_now(self) -> None:
        """The allowance: `backoff` times the most successes sent within one span during
        the two spans before the refused request (requests race to the server, so which
        one is refused first is noisy, the window it filled is not). Edges included: paced
        requests of one turn are sent more than a span apart (`_hold`), so one span cannot
        hold a turn twice."""
        refused_at, self._refused_at = self._refused_at, None
        if refused_at is None:
            return
        width = math.floor(self._span / _BUCKET)
        first = math.floor((refused_at - 2 * self._span) / _BUCKET)
        last = math.floor((refused_at + self._hold() - self._span) / _BUCKET)
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
            self._adapt(max(1.0, self._backoff * measured))
        else:  # refused before any success: says nothing about the rate
            self._halve_window()

    def _adapt(self, allowance: float) -> None:
        """Take the `allowance` learned at a 429 event, and adapt how the next one is met.

        Compared with the allowance learned at the event before: more turns means the
        limit rose (probe at full speed again); else a refused probe (the allowance had
        grown past the learned one) halves the growth, so that a limit that stays put is
        probed ever more rarely.
        """
        learned, self._learned = self._learned, allowance
        self._allowance = allowance
        if learned is None:
            return
        if int(allowance) > int(learned):
            self._growth = _GROWTH
        elif self._probing:
            self._growth = max(_MIN_GROWTH, self._growth / 2)

    def _halve_window(self) -> None:
        self._window = max(1.0, self._window / 2)
        self._apply()

    def _apply(self) -> None:
        if self._limiter.total_tokens != self.window:
            self._limiter.total_tokens = self.window
