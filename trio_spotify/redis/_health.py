"""Whether Redis can be used right now, and what happens when it cannot.

One `RedisHealth` per coordinator, shared by its token sources and rate budgets. Any of
them that meets a Redis failure reports it (`failed`); from then on Redis counts as *lost*
until the coordinator's heartbeat reaches it again (`recovered`). While lost:

- with `on_redis_error="raise"` (the default) `check()` raises `RedisUnavailableError` at
  once (no request waits for a dead socket); requests already past it finish;
- with `on_redis_error="local"` `check()` returns `False` and callers coordinate in-process;
  one warning is logged per outage (and an info line when Redis is back).

Also here: `redact_url`, the URL without its password (every message quotes that one),
and `REDIS_ERRORS`, the exceptions that mean "Redis failed" (coredis's and the socket's).
"""

from __future__ import annotations

import logging
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import coredis.exceptions
import trio

from .._errors import RedisUnavailableError

__all__ = ["REDIS_ERRORS", "REDIS_OR_TIMEOUT", "OnRedisError", "RedisHealth", "redact_url"]

logger = logging.getLogger("trio_spotify")

#: What `on_redis_error` may be.
OnRedisError = Literal["raise", "local"]

#: The exceptions that mean Redis could not do what was asked.
REDIS_ERRORS = (coredis.exceptions.RedisError, OSError)
#: The same, and the timeout of an operation bounded with `trio.fail_after`.
REDIS_OR_TIMEOUT = (coredis.exceptions.RedisError, OSError, trio.TooSlowError)


def redact_url(url: str) -> str:
    """`url` with its password (in the userinfo or a `password=` parameter) removed."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:
        return "<an unparsable Redis URL>"
    user = f"{parts.username}@" if parts.username else ""
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k.lower() != "password"])
    return urlunsplit((parts.scheme, f"{user}{host}{port}", parts.path, query, ""))


class RedisHealth:
    """The shared state "is Redis usable" of one coordinator (see the module docstring).

    Args:
        url: the Redis URL (only its redacted form is kept).
        mode: `"raise"` or `"local"`.
        secrets: strings (the password) scrubbed from any message quoting a Redis error.
    """

    def __init__(self, url: str, mode: OnRedisError, *, secrets: tuple[str, ...] = ()) -> None:
        if mode not in ("raise", "local"):
            raise ValueError(f"on_redis_error must be 'raise' or 'local', not {mode!r}")
        self.url = redact_url(url)
        self.mode: OnRedisError = mode
        self._secrets = tuple(s for s in secrets if s)
        self.available = True
        #: Why Redis was lost (a short description), while it is.
        self.reason: str | None = None
        #: Outages seen so far (each logs one warning in "local" mode).
        self.outages = 0

    def __repr__(self) -> str:
        state = "available" if self.available else "lost"
        return f"<RedisHealth {self.url} {state} on_redis_error={self.mode!r}>"

    def describe(self, exc: BaseException) -> str:
        """A short description of a Redis failure, with no secret in it."""
        text = str(exc) or type(exc).__name__
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return f"{type(exc).__name__}: {text}"

    def error(self, message: str, exc: BaseException | None = None) -> RedisUnavailableError:
        """A `RedisUnavailableError` saying `message` (and the failure), naming the URL."""
        if exc is not None:
            message = f"{message}: {self.describe(exc)}"
        return RedisUnavailableError(message, self.url)

    def failed(self, exc: BaseException) -> RedisUnavailableError:
        """Record that Redis failed with `exc`; return the error to raise in "raise" mode."""
        if self.available:
            self.available = False
            self.reason = self.describe(exc)
            self.outages += 1
            if self.mode == "local":
                logger.warning(
                    "Redis at %s was lost (%s): coordinating in this process only until it is back",
                    self.url,
                    self.reason,
                )
            else:
                logger.info("Redis at %s was lost (%s)", self.url, self.reason)
        return self.lost_error()

    def lost_error(self) -> RedisUnavailableError:
        """The error requests raise while Redis is lost ("raise" mode)."""
        return RedisUnavailableError(
            f"Redis was lost mid-run ({self.reason}); requests raise this until it is "
            "reachable again (or use on_redis_error='local' to carry on in-process)",
            self.url,
        )

    def recovered(self) -> None:
        """Record that Redis answers again."""
        if not self.available:
            self.available = True
            self.reason = None
            logger.info("Redis at %s is back: coordinating through it again", self.url)

    def check(self) -> bool:
        """Whether to use Redis now: `True` if it is available; while it is lost, `False`
        in "local" mode, and in "raise" mode raises `RedisUnavailableError`."""
        if self.available:
            return True
        if self.mode == "raise":
            raise self.lost_error()
        return False
