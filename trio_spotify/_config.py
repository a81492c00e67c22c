"""Configuration: the service URLs, the retry policy and how httpx clients are built.

Values here are set once, at `open_spotify`, and read by the layers below it; like httpx's
`_config.py`, this module holds values and knows nothing about requests in flight.

`open_spotify` turns its transport settings into one `HTTPConfig`; the handler asks
it for each API client (as concurrency grows) and `open_spotify` for the accounts client.
Every client built without a custom transport shares the configuration's one
`ssl.SSLContext`: loading the CA bundle once instead of once per client makes creating
64 clients take 0.08 s instead of 2 s.
"""

from __future__ import annotations

import random
import ssl
from collections.abc import Callable

import attrs
import httpx

__all__ = [
    "DEFAULT_ACCOUNTS_URL",
    "DEFAULT_API_URL",
    "DEFAULT_TIMEOUT",
    "HTTPConfig",
    "RetryPolicy",
    "default_ssl_context",
]

#: The Web API's base URL.
DEFAULT_API_URL = "https://api.spotify.com/v1"
#: The accounts service: `/authorize` and `/api/token`.
DEFAULT_ACCOUNTS_URL = "https://accounts.spotify.com"

#: The transport's safety timeouts unless configured: 30 s, 10 s to connect. A safety net
#: against dead connections, not a deadline: deadlines belong to the caller.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


def default_ssl_context() -> ssl.SSLContext:
    """A verifying context with certifi's CA bundle (httpx's default), built once per client."""
    context = ssl.create_default_context()
    try:
        import certifi  # an httpx dependency
    except ImportError:  # pragma: no cover
        return context
    context.load_verify_locations(certifi.where())
    return context


@attrs.frozen
class HTTPConfig:
    """Transport settings shared by every httpx client of one Spotify client.

    With `transport` set (a `MockTransport`, an `ASGITransport`), every client sends
    through it and the other network settings do not apply. Otherwise each client gets its
    own connection pool, with the shared `ssl_context`, `proxy` and `http2`.
    """

    transport: httpx.AsyncBaseTransport | None
    timeout: httpx.Timeout
    ssl_context: ssl.SSLContext | None
    proxy: str | httpx.Proxy | None
    http2: bool

    def client(self, max_connections: int) -> httpx.AsyncClient:
        """A new client with a pool of `max_connections`. Raises for unusable settings
        (a malformed proxy URL; HTTP/2 without the `h2` package)."""
        transport = self.transport
        if transport is None:
            transport = httpx.AsyncHTTPTransport(
                verify=self.ssl_context if self.ssl_context is not None else True,
                http2=self.http2,
                proxy=self.proxy,
                limits=httpx.Limits(
                    max_connections=max_connections, max_keepalive_connections=max_connections
                ),
            )
        return httpx.AsyncClient(transport=transport, timeout=self.timeout, trust_env=False)


def _full_jitter(cap: float) -> float:
    return random.uniform(0.0, cap)


@attrs.frozen
class RetryPolicy:
    """When and how long the client waits and tries again.

    - `max_attempts`: attempts in all for a request that meets 5xx answers or transport
      errors (so `max_attempts - 1` retries); the back-off before retry *n* is
      `jitter(min(backoff_max, backoff_base * 2 ** (n - 1)))`, full jitter by default.
    - `retry_statuses`: the statuses retried that way. A POST is retried only when the
      request cannot have reached the server (a failed connect), never after a 5xx.
    - `max_retry_after`: a 429 asking for a longer wait raises
      `RateLimitError` at once instead of hanging silently.
    - `default_retry_after`: the pause after a 429 without a readable `Retry-After`.
    - `max_rate_limit_waits`: 429s one request waits out before it gives up and raises.
    - `learn_rate`: learn the allowed rate from the 429s and pace requests under it
      (see docs/concurrency.md); `False` only pauses after each 429.
    """

    max_attempts: int = attrs.field(default=4, validator=attrs.validators.ge(1))
    backoff_base: float = attrs.field(default=0.5, validator=attrs.validators.ge(0))
    backoff_max: float = attrs.field(default=30.0, validator=attrs.validators.ge(0))
    retry_statuses: frozenset[int] = frozenset({500, 502, 503, 504})
    max_retry_after: float = attrs.field(default=60.0, validator=attrs.validators.ge(0))
    default_retry_after: float = attrs.field(default=5.0, validator=attrs.validators.ge(0))
    max_rate_limit_waits: int = attrs.field(default=30, validator=attrs.validators.ge(0))
    jitter: Callable[[float], float] = attrs.field(default=_full_jitter, repr=False)
    learn_rate: bool = True

    def backoff(self, retry: int) -> float:
        """Seconds to sleep before retry number `retry` (1-based)."""
        return self.jitter(min(self.backoff_max, self.backoff_base * 2 ** (retry - 1)))
