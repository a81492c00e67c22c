"""`open_redis_coordinator`: coordination of many processes through one Redis server.

    async with open_redis_coordinator("redis://127.0.0.1:6379/0") as coordinator:
        async with open_spotify(auth, coordinator=coordinator) as spotify:
            ...

The coordinator owns one `coredis.Redis` client and a nursery of background work:

- a *listener* subscribed to the namespace's renewal channels, which wakes the tasks that
  wait for another process's renewal (they also look again every `poll` seconds, so a lost
  message costs at most that);
- a *heartbeat* that pings Redis every `heartbeat` seconds: it notices a lost server even
  when no request needs Redis, and when the server is back marks it available, restarts the
  listener and publishes any token renewed meanwhile;
- the rate budgets' background pushes (`RedisRateBudget`).

None of that work can raise: failures are recorded in the coordinator's `RedisHealth`
(see `_health.py` for what requests then do). An exception raised inside the block comes
out as itself, never inside an exception group.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import unquote, urlsplit

import coredis
import trio
from coredis.retry import NoRetryPolicy

from .._auth import AccountsService, Token, TokenManager, TokenRenewer
from .._coordination import RateBudget, TokenSource
from .._nursery import single_exception
from ._health import REDIS_ERRORS, REDIS_OR_TIMEOUT, OnRedisError, RedisHealth
from ._rate import RedisRateBudget
from ._tokens import RedisTokenSource, RedisTokenStore

__all__ = ["RedisCoordinator", "open_redis_coordinator"]

logger = logging.getLogger("trio_spotify")

#: Seconds an operation of the heartbeat (and the first PING) may take.
_PING_TIMEOUT = 2.0


class RedisCoordinator:
    """A `trio_spotify.Coordinator` sharing tokens and the rate budget through Redis.

    Obtain one from `open_redis_coordinator`; pass it to `open_spotify(coordinator=...)`,
    any number of clients at once. Not a checkpoint to use: both methods are sync.
    """

    def __init__(
        self,
        client: coredis.Redis[str],
        nursery: trio.Nursery,
        health: RedisHealth,
        *,
        namespace: str,
        lock_timeout: float,
        poll: float,
        heartbeat: float,
        address: tuple[str, int] | None,
    ) -> None:
        self._client = client
        self._address = address
        self._nursery = nursery
        self.health = health
        self.namespace = namespace
        self._lock_timeout = lock_timeout
        self._poll = poll
        self._heartbeat = heartbeat
        self.tokens = RedisTokenStore(client, namespace, health=health)
        self._events: dict[str, trio.Event] = {}
        self._sources: list[RedisTokenSource] = []
        self._listener: trio.CancelScope | None = None
        #: Set when Redis is back after an outage (replaced at each outage).
        self._back = trio.Event()

    def __repr__(self) -> str:
        return f"<RedisCoordinator {self.health.url} namespace={self.namespace!r}>"

    # -- the Coordinator protocol ---------------------------------------------------------

    def rate_budget(
        self, limiter: trio.CapacityLimiter, max_concurrency: int, *, learn: bool
    ) -> RateBudget:
        """The shared rate budget of a client (`RedisRateBudget`)."""
        return RedisRateBudget(
            self._client,
            self.namespace,
            limiter,
            max_concurrency,
            learn=learn,
            health=self.health,
            spawn=self._nursery.start_soon,
        )

    def token_source(
        self,
        auth: Token | TokenRenewer,
        accounts: AccountsService,
        *,
        skew: float,
        on_token: Callable[[Token], object] | None,
    ) -> TokenSource:
        """The shared token of the sign-in `auth` (a fixed `Token` is not shared: it
        cannot be renewed). Raises `TypeError` for an `auth` of the wrong kind, or one that
        cannot be told apart from another sign-in (see `identity_of`)."""
        if isinstance(auth, Token) or not isinstance(auth, TokenRenewer):
            return TokenManager(auth, accounts, skew=skew, on_token=on_token)
        source = RedisTokenSource(
            auth,
            accounts,
            store=self.tokens,
            health=self.health,
            wake=self._event_for,
            skew=skew,
            on_token=on_token,
            lock_timeout=self._lock_timeout,
            poll=self._poll,
        )
        self._sources.append(source)
        return source

    # -- background work ------------------------------------------------------------------

    def _event_for(self, identity: str) -> trio.Event:
        channel = self.tokens.channel(identity)
        event = self._events.get(channel)
        if event is None:
            event = self._events[channel] = trio.Event()
        return event

    def _announced(self, channel: str) -> None:
        event = self._events.pop(channel, None)
        if event is not None:
            event.set()

    async def _listen(self) -> None:
        """Wake waiters on every renewal announced; restarted by the heartbeat."""
        while True:
            if not self.health.available:
                # Subscribe again only once the heartbeat reaches Redis (a failed attempt of
                # the Redis client leaves garbage behind, and would only fail again).
                self._back = trio.Event()
                await self._back.wait()
            with trio.CancelScope() as scope:
                self._listener = scope
                try:
                    async with self._client.pubsub(
                        patterns=[self.tokens.channel_pattern()]
                    ) as pubsub:
                        async for message in pubsub:
                            if message.get("type") == "pmessage":
                                self._announced(str(message.get("channel")))
                except REDIS_ERRORS as exc:
                    self.health.failed(exc)
                except Exception as exc:  # background work must not raise
                    # coredis may fail on its own streams too (anyio.ClosedResourceError when
                    # leaving a subscription whose connection closed): the waiters still
                    # poll, so only a later wake-up is lost.
                    logger.debug("the Redis subscription ended: %s", type(exc).__name__)
            # Cancelled by the heartbeat (Redis is back), or failed: subscribe again.
            await trio.sleep(self._poll)

    async def _beat(self) -> None:
        """Ping Redis every `heartbeat` seconds; notice losses and recoveries."""
        while True:
            await trio.sleep(self._heartbeat)
            was_available = self.health.available
            try:
                # A bare TCP connect first: coredis leaks the streams of every connection
                # attempt that fails, so it is not asked while the server is not there.
                await _connectable(self._address, _PING_TIMEOUT)
                with trio.fail_after(_PING_TIMEOUT):
                    await self._client.ping()
                if not was_available:
                    for source in self._sources:
                        await source.republish()
            except REDIS_OR_TIMEOUT as exc:  # OSError included
                self.health.failed(exc)
                continue
            except Exception as exc:  # background work must not raise
                self.health.failed(exc)  # (coredis's own stream errors, see _listen)
                continue
            if not was_available:
                self.health.recovered()
                self._back.set()
                if self._listener is not None:
                    self._listener.cancel()  # its connection died with the old server

    def start_background(self) -> None:
        self._nursery.start_soon(self._listen)
        self._nursery.start_soon(self._beat)


def _password_of(url: str) -> tuple[str, ...]:
    try:
        password = urlsplit(url).password
    except ValueError:
        return ()
    return () if not password else (password, unquote(password))


@contextlib.asynccontextmanager
async def open_redis_coordinator(
    url: str,
    *,
    namespace: str = "trio_spotify",
    on_redis_error: OnRedisError = "raise",
    lock_timeout: float = 30.0,
    poll: float = 0.25,
    heartbeat: float = 1.0,
    connect_timeout: float = 5.0,
) -> AsyncIterator[RedisCoordinator]:
    """Connect to Redis at `url` for the duration of the block; yield a `RedisCoordinator`.

    - `namespace`: the prefix of every key (processes that share must use the same one).
    - `on_redis_error`: what requests do while Redis is lost mid-run: `"raise"`
      `RedisUnavailableError`, or `"local"`: coordinate in-process, with one warning per
      outage. Either way coordination resumes when Redis is back.
    - `lock_timeout`: the expiry of the renewal lock: the longest a process that died
      holding it delays the others. Keep it above the accounts service's timeout.
    - `poll`: the longest a waiting process goes without looking at the shared token.
    - `heartbeat`: seconds between PINGs that watch the connection.

    Entering is a checkpoint. Raises `RedisUnavailableError` (naming the URL without its
    password) when Redis cannot be reached at open, `ValueError` for a bad setting. An
    exception raised in the block comes out as itself.
    """
    if on_redis_error not in ("raise", "local"):
        raise ValueError(f"on_redis_error must be 'raise' or 'local', not {on_redis_error!r}")
    for name, value in (("lock_timeout", lock_timeout), ("poll", poll), ("heartbeat", heartbeat)):
        if not value > 0:
            raise ValueError(f"{name} must be positive, not {value!r}")
    health = RedisHealth(url, on_redis_error, secrets=_password_of(url))
    try:
        client: coredis.Redis[str] = coredis.Redis.from_url(
            url,
            decode_responses=True,
            connect_timeout=connect_timeout,
            stream_timeout=max(10.0, lock_timeout),
            retry_policy=NoRetryPolicy(),
        )
    except ValueError as exc:
        raise health.error("invalid Redis URL", exc) from None
    address = _address_of(url, health)
    try:
        await _connectable(address, connect_timeout)
    except (OSError, trio.TooSlowError) as exc:
        raise health.error("cannot reach Redis", exc) from None
    opened = False
    try:
        async with client:
            try:
                with trio.fail_after(connect_timeout + _PING_TIMEOUT):
                    await client.ping()
            except REDIS_OR_TIMEOUT as exc:
                raise health.error("cannot reach Redis", exc) from None
            opened = True
            async with trio.open_nursery() as nursery:
                coordinator = RedisCoordinator(
                    client,
                    nursery,
                    health,
                    namespace=namespace,
                    lock_timeout=lock_timeout,
                    poll=poll,
                    heartbeat=heartbeat,
                    address=address,
                )
                coordinator.start_background()
                try:
                    yield coordinator
                finally:
                    nursery.cancel_scope.cancel()
    except BaseExceptionGroup as group:
        _raise_single(group, opened=opened, health=health)


def _address_of(url: str, health: RedisHealth) -> tuple[str, int] | None:
    """The TCP host and port of a Redis URL (`None` for a unix socket). Raises
    `RedisUnavailableError` for a malformed URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        return None
    try:
        return parts.hostname or "localhost", parts.port or 6379
    except ValueError as exc:
        raise health.error("invalid Redis URL", exc) from None


async def _connectable(address: tuple[str, int] | None, within: float) -> None:
    """Open a TCP connection to `address` and hang up: whether the server is there, asked
    without the Redis client (whose failed connection attempts leave streams unclosed).
    A checkpoint. Raises `OSError` or `trio.TooSlowError`."""
    if address is None:
        await trio.lowlevel.checkpoint()
        return
    with trio.fail_after(within):
        stream = await trio.open_tcp_stream(*address)
    await stream.aclose()


def _raise_single(group: BaseExceptionGroup[Any], *, opened: bool, health: RedisHealth) -> None:
    """Re-raise the one exception `group` stands for (coredis's own task group and ours
    wrap whatever crosses them), else the group."""
    single = single_exception(group)
    if single is None:
        raise group
    if not opened and isinstance(single, REDIS_ERRORS):
        raise health.error("cannot reach Redis", single) from None
    context = single.__context__
    try:
        raise single
    finally:
        single.__context__ = context
        del single, group
