"""The coordination seam: where a client gets its rate-limit gate and its token source.

A client coordinates two things between its tasks: the *rate budget* (pause every request
after a 429, reopen gradually, pace starts under the learned rate) and the *token* (renewed
single-flight: N concurrent 401s cause one renewal). Both sit behind the two small protocols
below, and a `Coordinator` makes them. The handler sees only the protocols.

- `LocalCoordinator` (the default of `open_spotify`) makes today's in-process objects:
  `trio_spotify._ratelimit.RateGate` and `trio_spotify._auth.TokenManager`.
- `trio_spotify.redis.open_redis_coordinator` yields one that shares both between processes
  through Redis.

The synchronous methods (`close_for`, `on_success`, `on_rate_limited`) stay synchronous: a
shared implementation updates its local state at once and publishes from background work
that its own coordinator runs. A shared implementation measures time on the wall clock (or
the server's), never on `trio.current_time()`, across processes; the times the handler
passes in (`sent_at`) are on `trio.current_time()`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Protocol, runtime_checkable

import trio

from ._auth import AccountsService, Token, TokenManager, TokenRenewer
from ._ratelimit import RateGate

__all__ = ["Coordinator", "LocalCoordinator", "RateBudget", "TokenSource"]


class RateBudget(Protocol):
    """What the handler needs of a rate-limit gate (`RateGate` provides it).

    See `trio_spotify._ratelimit` for the meaning of each part.
    """

    #: Counts 429 events: a 429 on a request sent before the last event is not a new one.
    epoch: int
    #: Tasks waiting for the gate to reopen or for their turn.
    waiting: int
    #: 429 answers met.
    rate_limited: int
    #: Seconds during which the gate was closed.
    paused_seconds: float

    @property
    def window(self) -> int:
        """Requests allowed in flight now."""
        ...

    @property
    def rate(self) -> float | None:
        """The learned rate in requests per second (`None` while unlimited)."""
        ...

    def is_closed(self) -> bool:
        """Whether a 429 pause is in force now."""
        ...

    def pause_remaining(self) -> float:
        """Seconds left of the pause (0 when open)."""
        ...

    def close_for(self, seconds: float) -> None:
        """Close the gate for `seconds` (the latest deadline wins). Not a checkpoint."""
        ...

    async def wait_open(self, max_pause: float = math.inf) -> float:
        """Wait until the gate is open; return 0, or the pause left if it exceeds
        `max_pause`. A checkpoint."""
        ...

    def turn(self) -> AbstractAsyncContextManager[Callable[[], None]]:
        """Wait for this request's turn under the learned rate; call the function it gives
        when the request goes on the wire. Entering is a checkpoint."""
        ...

    def on_success(self, sent_at: float) -> None:
        """A request sent at `sent_at` (trio's clock) succeeded. Not a checkpoint."""
        ...

    def on_rate_limited(self, retry_after: float, sent_epoch: int, sent_at: float) -> None:
        """A request sent at `sent_at` in epoch `sent_epoch` met a 429. Not a checkpoint."""
        ...


class TokenSource(Protocol):
    """What the handler and the facade need of a token holder (`TokenManager` provides it)."""

    @property
    def can_renew(self) -> bool:
        """Whether a refused token can be replaced (`False` for a fixed `Token`)."""
        ...

    @property
    def token(self) -> Token | None:
        """The token held now (`None` before the first request obtains one)."""
        ...

    @property
    def renewals(self) -> int:
        """How many times this process asked the auth strategy for a token."""
        ...

    async def current(self) -> Token:
        """The token to send now, renewed first if stale. A checkpoint."""
        ...

    async def renew(self, stale: Token | None) -> Token:
        """Replace `stale` with a fresh token unless someone already did. A checkpoint.

        Raises what the auth strategy raises (`AuthenticationError`, `NetworkError`), and a
        shared implementation its own `SpotifyError` subclass when it cannot coordinate.
        """
        ...


@runtime_checkable
class Coordinator(Protocol):
    """Makes the rate budget and the token source of one client (`open_spotify(coordinator=)`).

    Both methods are called once per client, at `open_spotify`, and are not checkpoints.
    """

    def rate_budget(
        self, limiter: trio.CapacityLimiter, max_concurrency: int, *, learn: bool
    ) -> RateBudget:
        """The gate of a client whose limiter is `limiter` (its window sets `total_tokens`)."""
        ...

    def token_source(
        self,
        auth: Token | TokenRenewer,
        accounts: AccountsService,
        *,
        skew: float,
        on_token: Callable[[Token], object] | None,
    ) -> TokenSource:
        """The token holder of a client signed in with `auth`.

        Raises `TypeError` for an `auth` of the wrong kind.
        """
        ...


class LocalCoordinator:
    """In-process coordination, the default: one `RateGate` and one `TokenManager` per client."""

    def __repr__(self) -> str:
        return "LocalCoordinator()"

    def rate_budget(
        self, limiter: trio.CapacityLimiter, max_concurrency: int, *, learn: bool
    ) -> RateGate:
        """A `RateGate` over `limiter`."""
        return RateGate(limiter, max_concurrency, learn=learn)

    def token_source(
        self,
        auth: Token | TokenRenewer,
        accounts: AccountsService,
        *,
        skew: float,
        on_token: Callable[[Token], object] | None,
    ) -> TokenManager:
        """A `TokenManager` for `auth`. Raises `TypeError` for an `auth` of the wrong kind."""
        return TokenManager(auth, accounts, skew=skew, on_token=on_token)
