"""The rate-limit gate shared by every task of one client.

When any request meets a 429, the gate closes for `Retry-After` seconds: no task sends
anything until it reopens, and all of them resume together. Reopening is gentle: each new
429 "event" halves the number of requests allowed in flight, and every success adds
`1/window` back (additive increase, multiplicative decrease, as TCP does), so after a pause
the client creeps back up to its full concurrency instead of hammering the server again.

The window is applied as the `total_tokens` of the client's `trio.CapacityLimiter`, so
one mechanism bounds what is in flight. A 429 is counted as a new event only if its request
was sent after the last decrease (an epoch counter): sixty-four requests that were all in
flight when the limit hit halve the window once, not sixty-four times.
"""

from __future__ import annotations

import math

import trio

__all__ = ["RateGate"]


class RateGate:
    """Pauses all requests of a client after a 429 and reopens them gradually."""

    def __init__(self, limiter: trio.CapacityLimiter, max_concurrency: int) -> None:
        self._limiter = limiter
        self._max = max_concurrency
        self._window = float(max_concurrency)
        self._reopen_at = -math.inf
        #: Incremented at every decrease; a request remembers the epoch it was sent in.
        self.epoch = 0
        self.waiting = 0
        self.rate_limited = 0
        self.paused_seconds = 0.0

    @property
    def window(self) -> int:
        """How many requests may be in flight now."""
        return max(1, int(self._window))

    def is_closed(self) -> bool:
        return trio.current_time() < self._reopen_at

    def pause_remaining(self) -> float:
        """Seconds until the gate reopens (0 when open)."""
        return max(0.0, self._reopen_at - trio.current_time())

    async def wait_open(self) -> None:
        """Sleep until the gate is open. A checkpoint only when it is closed."""
        while (delay := self._reopen_at - trio.current_time()) > 0:
            self.waiting += 1
            try:
                await trio.sleep(delay)
            finally:
                self.waiting -= 1

    def on_rate_limited(self, retry_after: float, sent_epoch: int) -> None:
        """Record a 429 to a request sent in `sent_epoch`: close the gate, shrink the window."""
        self.rate_limited += 1
        now = trio.current_time()
        reopen_at = now + max(retry_after, 0.0)
        if reopen_at > self._reopen_at:
            self.paused_seconds += reopen_at - max(now, self._reopen_at)
            self._reopen_at = reopen_at
        if sent_epoch == self.epoch:
            self.epoch += 1
            self._window = max(1.0, self._window / 2)
            self._apply()

    def on_success(self) -> None:
        """Record a success: grow the window by `1/window` up to the configured maximum."""
        if self._window < self._max:
            self._window = min(float(self._max), self._window + 1.0 / self._window)
            self._apply()

    def _apply(self) -> None:
        if self._limiter.total_tokens != self.window:
            self._limiter.total_tokens = self.window
