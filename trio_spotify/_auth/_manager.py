"""Single-flight token renewal.

One `TokenManager` per client holds the current token and a `trio.Lock`. A task
that finds the token stale (about to expire, or refused with a 401) calls `renew`
with the token it saw; under the lock the manager checks whether another task already
replaced that token while this one waited, and only if not asks the auth strategy. So N
concurrent requests meeting an expired token cause one call to the token endpoint, for
any N — the bug of async_spotify, which renewed once per failing request, cannot happen.

When a renewal fails, the tasks that were waiting for it get (a copy of) its exception
instead of each trying again; a request that arrives afterwards makes a new attempt.

Expiry is scheduled on `trio.current_time()`, never on the wall clock, so tests drive it
with `MockClock`. If a renewal is cancelled half-way, nothing has been replaced: the next
request finds the same stale token and renews again. (The user sign-in strategies finish a
refresh they have sent, shielded, because its answer may carry a rotated refresh token that
the old one no longer replaces.)
"""

from __future__ import annotations

import contextlib
import copy
import logging
import math
import time
from collections.abc import Callable, Iterator

import trio

from ._credentials import TokenRenewer
from ._token import Token
from ._token_endpoint import AccountsService

__all__ = ["RenewalOutcomes", "TokenManager"]

logger = logging.getLogger("trio_spotify")


def _copy_of(failure: Exception) -> Exception:
    """A copy of `failure` for another task to raise (one object raised in several tasks
    would pile their tracebacks onto each other)."""
    try:
        return copy.copy(failure)
    except Exception:  # an exception type whose __init__ cannot be called with its args
        return RuntimeError(f"renewing the access token failed: {type(failure).__name__}")


class RenewalOutcomes:
    """How the renewals of one token holder ended, for the tasks that waited on its lock.

    A task takes a `ticket()` before it waits for the lock; once it holds the lock,
    `raise_if_failed_since(ticket)` raises a copy of the failure of an attempt that ran
    meanwhile, rather than ask again at once (a revoked refresh token would otherwise be
    tried by every waiting task, one round trip after another). `attempt()` wraps one
    renewal and records how it ended. Used by `TokenManager` and by the Redis token source.
    """

    def __init__(self) -> None:
        self._finished = 0
        self._last_failure: Exception | None = None

    def ticket(self) -> int:
        """The number of attempts finished so far. Not a checkpoint."""
        return self._finished

    def raise_if_failed_since(self, ticket: int) -> None:
        """Raise a copy of the last attempt's failure if an attempt finished after `ticket`
        was taken and failed. Not a checkpoint."""
        failure = self._last_failure
        if self._finished != ticket and failure is not None:
            raise _copy_of(failure) from failure

    @contextlib.contextmanager
    def attempt(self) -> Iterator[None]:
        """Record how the renewal in the `with` block ends (an `Exception` propagates)."""
        try:
            yield
        except Exception as exc:
            self._finished += 1
            self._last_failure = exc
            raise
        self._finished += 1
        self._last_failure = None


class TokenManager:
    """The current token of one client, renewed single-flight behind a lock."""

    def __init__(
        self,
        auth: Token | TokenRenewer,
        accounts: AccountsService,
        *,
        skew: float,
        on_token: Callable[[Token], object] | None = None,
    ) -> None:
        if isinstance(auth, Token):
            self._renewer: TokenRenewer | None = None
            initial: Token | None = auth
        elif isinstance(auth, TokenRenewer):
            self._renewer = auth
            held = getattr(auth, "token", None)
            initial = held if isinstance(held, Token) else None
        else:
            raise TypeError(
                "auth must be a trio_spotify.Token or an object with an async renew() method, "
                f"not {type(auth).__name__}"
            )
        self._accounts = accounts
        self._skew = skew
        self._on_token = on_token
        self._lock = trio.Lock()
        #: Renewal attempts finished so far, and how the last one failed (`None`: it didn't).
        self._outcomes = RenewalOutcomes()
        self._token: Token | None = None
        self._renew_at = -math.inf
        #: How many times the auth strategy was asked for a token.
        self.renewals = 0
        if initial is not None:
            self._install(initial, lifetime=initial.expires_in(), since=trio.current_time())

    @property
    def can_renew(self) -> bool:
        return self._renewer is not None

    @property
    def token(self) -> Token | None:
        return self._token

    def _install(self, token: Token, *, lifetime: float | None, since: float) -> None:
        """Hold `token`, valid for `lifetime` seconds from `since` (trio's clock)."""
        self._token = token
        if lifetime is None:
            self._renew_at = math.inf
        else:
            # Renew a little before expiry; never more than a quarter of the lifetime early,
            # so short-lived tokens (tests, emulator) are not renewed on every request.
            margin = min(self._skew, max(lifetime, 0.0) / 4)
            self._renew_at = since + lifetime - margin

    def _is_fresh(self) -> bool:
        """Whether the installed token needs no renewal yet (a fixed token never does)."""
        return self._renewer is None or trio.current_time() < self._renew_at

    async def current(self) -> Token:
        """The token to send now, renewed first if stale. A checkpoint when it renews."""
        token = self._token
        if token is not None and self._is_fresh():
            return token
        return await self.renew(token)

    async def renew(self, stale: Token | None) -> Token:
        """Replace `stale` with a fresh token, unless another task already did.

        A checkpoint. Raises whatever the auth strategy raises
        (`AuthenticationError`, `NetworkError`);
        `on_token` is called, under the lock, with every new token.
        """
        ticket = self._outcomes.ticket()
        async with self._lock:
            current = self._token
            if current is not None and current is not stale and self._is_fresh():
                return current  # another task renewed while we waited for the lock
            # An attempt that ran while we waited failed: share its failure.
            self._outcomes.raise_if_failed_since(ticket)
            if self._renewer is None:
                raise RuntimeError("a fixed Token cannot be renewed; check can_renew first")
            # The lifetime is counted from before the request: the token's own clock started
            # no earlier, so the renewal is never scheduled after the real expiry.
            started, started_wall = trio.current_time(), time.time()
            with self._outcomes.attempt():
                token = await self._renewer.renew(self._accounts, current)
            self.renewals += 1
            self._install(token, lifetime=token.expires_in(started_wall), since=started)
            logger.info("access token renewed (renewal %d)", self.renewals)
            if self._on_token is not None:
                self._on_token(token)
        return token
