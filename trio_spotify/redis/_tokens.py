"""The shared token: one current token per (app, user) in Redis, renewed single-flight.

**Keys** (`ns` is the coordinator's namespace; `id` a SHA-256 digest of the sign-in's
identity — the client id and the user's store key, or a digest of the initial refresh
token — so that no secret and no user name is ever part of a key name):

- `ns:token:id` — the current token (JSON, secrets included: Redis is the store), with a
  TTL of its lifetime plus `margin`, or of `refresh_ttl` when it carries a refresh token (the
  refresh token must outlive the access token: it is the sign-in);
- `ns:lock:id` — the renewal lock: `SET NX PX lock_timeout` with a random owner value,
  released by a Lua script only by its owner;
- `ns:renewed:id` — the pub/sub channel on which a renewal is announced.

**Renewal** (`RedisTokenSource.renew(stale)`): within the process, one task at a time
(a `trio.Lock`, double-checked as `TokenManager` does). That task reads the shared token:
if it is fresh and not the refused one, it is adopted (another process renewed). Otherwise
it tries the lock. The holder reads the token once more (double check), hands the shared
token to the auth strategy (so that a rotated refresh token of another process is the one
used), renews, writes the new token (and with it any rotated refresh token) to Redis and
announces it in one Lua script — before releasing the lock. While it renews, it extends
the lock every third of `lock_timeout`, so a slow accounts service does not let a second
process refresh with the same refresh token. The others wait for the announcement, or at
most `poll` seconds, then look again; a holder that died (kill -9) extends nothing, so its
lock expires and delays the others by at most `lock_timeout`.

Freshness of a shared token is judged on the wall clock (`expires_at`), the one clock the
processes share.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import secrets
import time
from collections.abc import Callable

import coredis
import trio

from .._auth import AccountsService, RenewalOutcomes, Token, TokenAdopter, TokenRenewer
from .._errors import TokenStoreError
from .._nursery import open_nursery
from ._health import REDIS_ERRORS, RedisHealth

__all__ = ["RedisTokenSource", "RedisTokenStore", "identity_of"]

logger = logging.getLogger("trio_spotify")

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
_EXTEND = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_PUBLISH = """
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('PUBLISH', KEYS[2], ARGV[3])
return 1
"""


def identity_of(auth: TokenRenewer) -> str:
    """Who a token belongs to, as a string with no secret in it: the key shared tokens
    are kept under (before hashing).

    An `auth` may say it itself (a `coordination_key` attribute); the user sign-in
    strategies give their client id and user (`key`); `ClientCredentials` its client id;
    another strategy holding a `refresh_token` its client id and a digest of it.

    Raises:
        TypeError: `auth` says nothing to tell it apart from another sign-in.
    """
    explicit = getattr(auth, "coordination_key", None)
    if isinstance(explicit, str) and explicit:
        return explicit
    client_id = getattr(auth, "client_id", None)
    if not isinstance(client_id, str) or not client_id:
        raise TypeError(
            f"cannot share the token of a {type(auth).__name__} through Redis: give it a "
            "'coordination_key' attribute naming the sign-in (no secret in it)"
        )
    held = getattr(auth, "token", None)
    key = getattr(auth, "key", None)
    if isinstance(key, str) and key and (held is None or isinstance(held, Token)):
        return f"user:{key}"
    refresh = getattr(auth, "refresh_token", None)
    if isinstance(refresh, str) and refresh:
        digest = hashlib.sha256(refresh.encode()).hexdigest()[:32]
        return f"refresh:{client_id}:{digest}"
    return f"app:{client_id}"


def _hashed(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:32]


class RedisTokenStore:
    """A `TokenStore` in Redis: tokens by key, with a TTL, each write announced.

    Args:
        client: a connected `coredis.Redis` (with `decode_responses=True`).
        namespace: the prefix of every key.
        margin: seconds a token is kept past its expiry.
        refresh_ttl: seconds a token with a refresh token is kept.
        health: where failures are reported (`None`: just raise them).
    """

    def __init__(
        self,
        client: coredis.Redis[str],
        namespace: str,
        *,
        margin: float = 300.0,
        refresh_ttl: float = 30 * 86400.0,
        health: RedisHealth | None = None,
    ) -> None:
        self._client = client
        self._namespace = namespace
        self._margin = margin
        self._refresh_ttl = refresh_ttl
        self._health = health
        self._publish = client.register_script(_PUBLISH)
        self._release = client.register_script(_RELEASE)
        self._extend = client.register_script(_EXTEND)

    def __repr__(self) -> str:
        return f"<RedisTokenStore namespace={self._namespace!r}>"

    def token_key(self, key: str) -> str:
        return f"{self._namespace}:token:{_hashed(key)}"

    def lock_key(self, key: str) -> str:
        return f"{self._namespace}:lock:{_hashed(key)}"

    def channel(self, key: str) -> str:
        return f"{self._namespace}:renewed:{_hashed(key)}"

    def channel_pattern(self) -> str:
        return f"{self._namespace}:renewed:*"

    def _ttl_ms(self, token: Token) -> int:
        left = token.expires_in()
        if token.refresh_token is not None or left is None:
            seconds = self._refresh_ttl
        else:
            seconds = max(left, 0.0) + self._margin
        return max(1, math.ceil(seconds * 1000))

    async def load_entry(self, key: str) -> tuple[Token, float] | None:
        """The token under `key` and when it was obtained (wall clock), or `None`.
        A checkpoint; raises the Redis client's exceptions, `TokenStoreError` for a value
        that is not a token."""
        raw = await self._client.get(self.token_key(key))
        if raw is None:
            return None
        try:
            data = json.loads(raw)
            return Token.from_json(data["token"]), float(data["obtained_at"])
        except (ValueError, KeyError, TypeError) as exc:
            raise TokenStoreError(
                f"the token kept in Redis under {self.token_key(key)} is malformed "
                f"({type(exc).__name__})"
            ) from None

    async def publish(self, key: str, token: Token, *, obtained_at: float | None = None) -> None:
        """Write `token` under `key` and announce it, atomically (one Lua script).
        A checkpoint; raises the Redis client's exceptions."""
        obtained = time.time() if obtained_at is None else obtained_at
        value = json.dumps({"token": token.to_json(), "obtained_at": obtained})
        await self._publish(
            keys=[self.token_key(key), self.channel(key)],
            args=[value, self._ttl_ms(token), "renewed"],
        )

    async def try_lock(self, key: str, owner: str, expiry: float) -> bool:
        """Take the renewal lock of `key` for `expiry` seconds if it is free. A checkpoint."""
        result = await self._client.set(
            self.lock_key(key),
            owner,
            px=max(1, math.ceil(expiry * 1000)),
            condition=coredis.PureToken.NX,
        )
        return bool(result)

    async def extend_lock(self, key: str, owner: str, expiry: float) -> bool:
        """Extend the lock of `key` to `expiry` seconds from now if `owner` still holds it.
        A checkpoint."""
        extended: object = await self._extend(
            keys=[self.lock_key(key)], args=[owner, max(1, math.ceil(expiry * 1000))]
        )
        return bool(extended)

    async def unlock(self, key: str, owner: str) -> None:
        """Release the lock of `key` if `owner` still holds it. A checkpoint."""
        await self._release(keys=[self.lock_key(key)], args=[owner])

    # -- the TokenStore protocol ----------------------------------------------------------

    async def load(self, key: str) -> Token | None:
        """The token saved under `key`, or `None`. A checkpoint.

        Raises:
            TokenStoreError: Redis failed, or the value is malformed.
        """
        try:
            entry = await self.load_entry(key)
        except REDIS_ERRORS as exc:
            raise self._store_error("reading a token from Redis failed", exc) from exc
        return None if entry is None else entry[0]

    async def save(self, key: str, token: Token) -> None:
        """Keep `token` under `key` (with its TTL) and announce it. A checkpoint.

        Raises:
            TokenStoreError: Redis failed.
        """
        if not isinstance(token, Token):
            raise TypeError(f"expected a trio_spotify.Token, not {type(token).__name__}")
        try:
            await self.publish(key, token)
        except REDIS_ERRORS as exc:
            raise self._store_error("writing a token to Redis failed", exc) from exc

    def _store_error(self, message: str, exc: Exception) -> TokenStoreError:
        if self._health is not None:
            self._health.failed(exc)
            return TokenStoreError(f"{message}: {self._health.describe(exc)}")
        return TokenStoreError(f"{message}: {type(exc).__name__}")


class RedisTokenSource:
    """The token of one client, shared through Redis (a `TokenSource`; see the module docstring).

    Made by `RedisCoordinator.token_source`; counts only the renewals this process made.
    """

    def __init__(
        self,
        renewer: TokenRenewer,
        accounts: AccountsService,
        *,
        store: RedisTokenStore,
        health: RedisHealth,
        wake: Callable[[str], trio.Event],
        skew: float,
        on_token: Callable[[Token], object] | None,
        lock_timeout: float,
        poll: float,
    ) -> None:
        self._renewer = renewer
        self._accounts = accounts
        self._store = store
        self._health = health
        self._wake = wake
        self._skew = skew
        self._on_token = on_token
        self._lock_timeout = lock_timeout
        self._poll = poll
        self._key = identity_of(renewer)
        self._lock = trio.Lock()
        self._outcomes = RenewalOutcomes()
        self._token: Token | None = None
        self._obtained_at = -math.inf
        #: Whether the shared token was read once (a fresh process adopts it first).
        self._synced = False
        #: A token renewed while Redis was lost, to publish when it is back.
        self.unpublished: Token | None = None
        self.renewals = 0
        held = getattr(renewer, "token", None)
        if isinstance(held, Token):
            self._install(held, time.time())

    def __repr__(self) -> str:
        return f"<RedisTokenSource renewals={self.renewals}>"

    @property
    def can_renew(self) -> bool:
        return True

    @property
    def token(self) -> Token | None:
        return self._token

    def _install(self, token: Token, obtained_at: float) -> None:
        self._token = token
        self._obtained_at = obtained_at

    def _fresh(self, token: Token, obtained_at: float) -> bool:
        """Whether `token` needs no renewal yet, on the wall clock (shared by processes)."""
        if token.expires_at is None:
            return True
        lifetime = max(token.expires_at - obtained_at, 0.0)
        margin = min(self._skew, lifetime / 4)
        return time.time() < token.expires_at - margin

    async def current(self) -> Token:
        """The token to send now, adopted from Redis or renewed first if stale.

        A checkpoint. Raises `RedisUnavailableError` while Redis is lost (in "raise" mode),
        and what `renew` raises.
        """
        self._health.check()
        token = self._token
        if token is not None and self._fresh(token, self._obtained_at):
            if self._synced:
                await trio.lowlevel.checkpoint()
                return token
            # First use of a token the strategy held: the shared one, if any, comes first.
            return await self.renew(None)
        return await self.renew(token)

    async def renew(self, stale: Token | None) -> Token:
        """Replace `stale` with a fresh token, unless another task or process already did.

        A checkpoint. Raises what the auth strategy raises (`AuthenticationError`,
        `NetworkError`) and, in "raise" mode, `RedisUnavailableError` when Redis fails or is
        lost. `on_token` is called with every token this process obtains.
        """
        ticket = self._outcomes.ticket()
        async with self._lock:
            current = self._token
            if (
                current is not None
                and current is not stale
                and self._synced
                and self._fresh(current, self._obtained_at)
            ):
                return current
            self._outcomes.raise_if_failed_since(ticket)
            with self._outcomes.attempt():
                return await self._renew_locked(stale)

    def _adoptable(self, entry: tuple[Token, float] | None, stale: Token | None) -> bool:
        if entry is None:
            return False
        token, obtained_at = entry
        if stale is not None and token.access_token == stale.access_token:
            return False
        return self._fresh(token, obtained_at)

    async def _renew_locked(self, stale: Token | None) -> Token:
        """Under the local lock: adopt, or renew under the Redis lock (see the docstring)."""
        health = self._health
        while health.check():
            try:
                event = self._wake(self._key)  # before looking: no announcement is missed
                entry = await self._store.load_entry(self._key)
                self._synced = True
                if self._adoptable(entry, stale):
                    assert entry is not None
                    self._install(*entry)
                    return entry[0]
                owner = secrets.token_hex(16)
                if await self._store.try_lock(self._key, owner, self._lock_timeout):
                    try:
                        async with open_nursery() as nursery:
                            nursery.start_soon(self._keep_lock, owner)
                            token = await self._renew_holding_lock(stale)
                            nursery.cancel_scope.cancel()
                        return token
                    finally:
                        await self._unlock(owner)
            except REDIS_ERRORS as exc:
                error = health.failed(exc)
                if health.mode == "raise":
                    raise error from exc
                break
            # Another process renews: wait for its announcement, or look again after `poll`.
            with trio.move_on_after(self._poll):
                await event.wait()
        # Redis lost in "local" mode: in-process coordination only.
        return await self._ask(stale, publish=False)

    async def _renew_holding_lock(self, stale: Token | None) -> Token:
        entry = await self._store.load_entry(self._key)  # the double check
        if self._adoptable(entry, stale):
            assert entry is not None
            self._install(*entry)
            return entry[0]
        own = self._token
        if (
            entry is None
            and own is not None
            and (stale is None or own.access_token != stale.access_token)
            and self._fresh(own, self._obtained_at)
        ):
            # Nothing shared yet, and the strategy held a good token: share it. (Never over
            # a shared entry: that one may carry a refresh token rotated after ours.)
            await self._store.publish(self._key, own, obtained_at=self._obtained_at)
            return own
        if entry is not None and isinstance(self._renewer, TokenAdopter):
            # The shared token carries the latest refresh token (another process may have
            # rotated it): the strategy refreshes with that one, not with the one it holds.
            self._renewer.adopt(entry[0])
        return await self._ask(stale if entry is None else entry[0], publish=True)

    async def _ask(self, stale: Token | None, *, publish: bool) -> Token:
        """Ask the auth strategy; install the token and, with `publish`, write it to Redis
        (a rotated refresh token is written before the lock is released)."""
        obtained_at = time.time()
        token = await self._renewer.renew(self._accounts, stale if stale else self._token)
        self.renewals += 1
        self._install(token, obtained_at)
        logger.info("access token renewed (renewal %d)", self.renewals)
        if self._on_token is not None:
            self._on_token(token)
        if publish:
            try:
                await self._store.publish(self._key, token, obtained_at=obtained_at)
                self.unpublished = None
            except REDIS_ERRORS as exc:
                # The token is good: use it, and publish it once Redis is back.
                self.unpublished = token
                self._health.failed(exc)
        else:
            self.unpublished = token
        return token

    async def republish(self) -> None:
        """Write a token renewed while Redis was lost, unless Redis holds a newer one.
        Called by the coordinator when Redis is back. A checkpoint; raises the Redis client's
        exceptions."""
        token = self.unpublished
        if token is None:
            await trio.lowlevel.checkpoint()
            return
        entry = await self._store.load_entry(self._key)
        if entry is None or entry[1] < self._obtained_at:
            await self._store.publish(self._key, token, obtained_at=self._obtained_at)
        if self.unpublished is token:
            self.unpublished = None

    async def _keep_lock(self, owner: str) -> None:
        """While this process renews, extend its lock every third of its expiry: a slow
        renewal keeps it, a dead process (which extends nothing) loses it at expiry."""
        while True:
            await trio.sleep(self._lock_timeout / 3)
            try:
                if not await self._store.extend_lock(self._key, owner, self._lock_timeout):
                    return
            except REDIS_ERRORS:
                return  # the renewal itself will meet the failure if it matters

    async def _unlock(self, owner: str) -> None:
        """Release the lock: shielded and bounded (a lock left behind expires anyway)."""
        with trio.move_on_after(2) as scope:
            scope.shield = True
            try:
                await self._store.unlock(self._key, owner)
            except REDIS_ERRORS as exc:
                self._health.failed(exc)
