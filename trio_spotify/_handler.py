"""The request handler: every Web API request of a client goes through `Handler.request`.

What happens to one request, in order:

1. the rate-limit gate (`_ratelimit.py`) is waited out if a 429 closed it;
2. the token manager (`_tokens.py`) hands out the current token, renewing it single-flight
   if it is about to expire — without holding a limiter slot;
3. a slot of the client's `trio.CapacityLimiter` is taken; if the gate closed meanwhile the
   slot is given back and we start over; the request goes out on the least busy of several
   `httpx.AsyncClient` (one shared client's pool bookkeeping grows with its waiters, several
   small ones keep the cost per request flat), and the slot is released as soon as the
   answer is read;
4. the answer is classified: 2xx is decoded; a 401 renews the token keyed on the one that
   was refused and retries once; a 429 closes the gate for `Retry-After` seconds (or
   raises at once past `max_retry_after`, or for a quota); 5xx and transport errors are
   retried with exponential back-off and full jitter when that is safe; anything else
   becomes the matching `SpotifyAPIError`.

All waiting happens in `trio.sleep`, outside the limiter, so a caller's
`trio.move_on_after` / `fail_after` cancels it. The handler knows nothing about albums.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any

import attrs
import httpx
import trio

from ._config import HTTPConfig, RetryPolicy
from ._errors import (
    ClientClosedError,
    NetworkError,
    api_error_from_response,
    decode_json,
    map_transport_errors,
    paused_too_long,
)
from ._ratelimit import RateGate
from ._request import format_params
from ._tokens import TokenManager

__all__ = ["Handler", "SpotifyStatistics"]

logger = logging.getLogger("trio_spotify")

_QUOTA_EXCEEDED = "QUOTA_EXCEEDED"


@attrs.frozen
class SpotifyStatistics:
    """A snapshot of a client's activity, from `Spotify.statistics`."""

    #: Requests holding a limiter slot (on the wire) right now.
    requests_in_flight: int
    #: Tasks waiting for a limiter slot or for the rate-limit gate to reopen.
    tasks_waiting: int
    #: The configured bound on requests in flight.
    max_concurrency: int
    #: Requests allowed in flight now: lowered after a 429, regrown by successes.
    concurrency_window: int
    #: Requests sent to the Web API, retries included.
    requests_sent: int
    #: Times the auth strategy was asked for a token.
    token_renewals: int
    #: 429 answers received.
    rate_limited: int
    #: Requests sent again (after a 5xx, a transport error, a 401 renewal or a 429).
    retries: int
    #: Seconds during which the rate-limit gate was closed.
    rate_limit_pause: float


def _parse_retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


class Handler:
    """Sends Web API requests for one client. Built and closed by `open_spotify`."""

    def __init__(
        self,
        *,
        api_url: str,
        tokens: TokenManager,
        max_concurrency: int,
        http_clients: int,
        retry: RetryPolicy,
        http: HTTPConfig,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self._tokens = tokens
        self._retry = retry
        self._max_concurrency = max_concurrency
        self._limiter = trio.CapacityLimiter(max_concurrency)
        self._gate = RateGate(self._limiter, max_concurrency)
        self._max_clients = http_clients
        self._connections_per_client = math.ceil(max_concurrency / http_clients)
        self._http = http
        # The first client is made now, so that a bad transport setting (a malformed proxy,
        # HTTP/2 without the h2 package) fails at open_spotify, not at the first request.
        self._clients: list[httpx.AsyncClient] = [http.client(self._connections_per_client)]
        #: Requests on the wire per client; their sum is the number in flight.
        self._loads: list[int] = [0]
        self._closed = False
        self._sent = 0
        self._retries = 0

    # -- the httpx clients ------------------------------------------------------------------

    def _checkout_client(self) -> int:
        """Index of the least busy client, creating clients lazily up to the maximum."""
        loads = self._loads  # never empty: the first client is made at open
        best = min(range(len(loads)), key=loads.__getitem__)
        if loads[best] >= self._connections_per_client and len(loads) < self._max_clients:
            self._clients.append(self._http.client(self._connections_per_client))
            loads.append(0)
            best = len(loads) - 1
        loads[best] += 1
        return best

    async def aclose(self) -> None:
        """Close every httpx client. Shielded (bounded), so cancellation cannot leak sockets."""
        self._closed = True  # no new send starts: checked again under the limiter
        with trio.move_on_after(5) as scope:
            scope.shield = True
            for client in self._clients:
                await client.aclose()

    # -- requests -----------------------------------------------------------------------------

    def _resolve(self, path: str) -> httpx.URL:
        if path.startswith(("http://", "https://")):
            # Paging "next" links are absolute; never send the token anywhere else.
            if not path.startswith(self.api_url + "/"):
                raise ValueError(
                    f"refusing to send a request outside api_url ({self.api_url}): {path!r}"
                )
            return httpx.URL(path)
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/' (relative to api_url), not {path!r}")
        return httpx.URL(self.api_url + path)

    def _check_open(self) -> None:
        if self._closed:
            raise ClientClosedError(
                "this Spotify client is closed: use it inside its 'async with open_spotify(...)'"
            )

    def _retry_is_safe(self, method: str, error: NetworkError) -> bool:
        cause = error.__cause__
        if isinstance(cause, httpx.LocalProtocolError):
            return False  # the request itself is malformed: sending it again cannot help
        if method != "POST":
            return True
        # A POST may be retried only if it cannot have reached the server.
        return isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send one Web API request and return its decoded JSON (`None` for no body).

        See the module docstring for the steps. A checkpoint. Raises
        `ValueError` for a path outside `api_url`, `ClientClosedError`
        after the client was closed, and the `SpotifyError` tree.
        """
        self._check_open()
        method = method.upper()
        url = self._resolve(path)
        query = format_params(params)
        extra_headers = dict(headers or {})
        failures = 0
        rate_limit_waits = 0
        renewed = False
        retry = self._retry
        while True:
            remaining = self._gate.pause_remaining()
            if remaining > retry.max_retry_after:
                raise paused_too_long(method, url, remaining)
            await self._gate.wait_open()
            token = await self._tokens.current()
            error: NetworkError | None = None
            response: httpx.Response | None = None
            async with self._limiter:
                self._check_open()
                if self._gate.is_closed():
                    continue  # a 429 closed the gate while we waited for a slot
                epoch = self._gate.epoch
                index = self._checkout_client()
                client = self._clients[index]
                self._sent += 1
                started = trio.current_time()
                try:
                    with map_transport_errors(method, url):
                        response = await client.request(
                            method,
                            url,
                            params=query or None,
                            json=json,
                            content=content,
                            headers={**extra_headers, "Authorization": token.authorization},
                        )
                except NetworkError as exc:
                    error = exc
                finally:
                    self._loads[index] -= 1
            elapsed = trio.current_time() - started

            if response is None:
                assert error is not None
                logger.info("%s %s failed after %.3fs: %s", method, url.path, elapsed, error)
                if failures + 1 < retry.max_attempts and self._retry_is_safe(method, error):
                    failures += 1
                    await self._sleep_before_retry(failures)
                    continue
                raise error

            status = response.status_code
            logger.debug("%s %s -> %d (%.3fs)", method, url.path, status, elapsed)
            if status < 300:
                self._gate.on_success()
                return decode_json(response)
            if status == 401 and not renewed and self._tokens.can_renew:
                renewed = True
                self._retries += 1
                await self._tokens.renew(token)
                continue
            if status == 429:
                retry_after = _parse_retry_after(response.headers.get("Retry-After"))
                limited = api_error_from_response(response, retry_after=retry_after)
                if limited.reason == _QUOTA_EXCEEDED:
                    raise limited  # a quota does not reset in seconds: not waited out
                pause = retry.default_retry_after if retry_after is None else retry_after
                self._gate.on_rate_limited(pause, epoch)
                logger.info(
                    "429 on %s %s: pausing every request for %.1fs", method, url.path, pause
                )
                if pause > retry.max_retry_after or rate_limit_waits >= retry.max_rate_limit_waits:
                    raise limited
                rate_limit_waits += 1
                self._retries += 1
                continue
            if (
                status in retry.retry_statuses
                and failures + 1 < retry.max_attempts
                and method != "POST"
            ):
                failures += 1
                await self._sleep_before_retry(failures)
                continue
            raise api_error_from_response(response)

    async def _sleep_before_retry(self, retry_number: int) -> None:
        self._retries += 1
        delay = self._retry.backoff(retry_number)
        logger.info("retrying in %.3fs (retry %d)", delay, retry_number)
        await trio.sleep(delay)

    def statistics(self) -> SpotifyStatistics:
        limiter = self._limiter.statistics()
        return SpotifyStatistics(
            requests_in_flight=sum(self._loads),
            tasks_waiting=limiter.tasks_waiting + self._gate.waiting,
            max_concurrency=self._max_concurrency,
            concurrency_window=self._gate.window,
            requests_sent=self._sent,
            token_renewals=self._tokens.renewals,
            rate_limited=self._gate.rate_limited,
            retries=self._retries,
            rate_limit_pause=self._gate.paused_seconds,
        )
