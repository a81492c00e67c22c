"""The request handler: every Web API request of a client goes through `Handler.request`.

`Handler.request` is a short loop over two steps, until one of them answers or raises:

- `_attempt` sends the request once on the wire: it waits out the rate-limit gate
  (`_ratelimit.py`) if a 429 closed it (raising at once if the pause is, or becomes,
  longer than `max_retry_after`), waits its turn under the rate learned from the 429s,
  takes the current token from the token manager
  (renewing it single-flight if it is about to expire, without holding a limiter slot),
  takes a slot of the client's `trio.CapacityLimiter` (if the gate closed meanwhile the
  slot is given back and it starts over), and sends on the least busy of several
  `httpx.AsyncClient` (one shared client's pool bookkeeping grows with its waiters,
  several small ones keep the cost per request flat). The slot is released as soon as the
  answer is read. What comes back is the response, or our `NetworkError`.
- `_decide` classifies it: 2xx is the answer (decoded); a 401 renews the token keyed on
  the one that was refused and retries once; a 429 closes the gate for `Retry-After`
  seconds and retries (or raises at once past `max_retry_after`, or for a quota); 5xx and
  transport errors are retried with exponential back-off and full jitter when that is
  safe; anything else becomes the matching `SpotifyAPIError`.

Whether a transport failure is safe to retry is read from the `NetworkError` fields that
`map_transport_errors` (in `_errors.py`) sets; the handler never looks at httpx's
exception classes. All waiting happens in `trio.sleep`, outside the limiter, so a caller's
`trio.move_on_after` / `fail_after` cancels it. The handler knows nothing about albums.

The gate and the token source come from a `Coordinator` (`_coordination.py`): in-process
by default, shared between processes with `trio_spotify.redis`.

`Sender` is the handler as the layers above it see it (endpoint groups and paging hold a
`Sender`, never the facade).
"""

from __future__ import annotations

import enum
import logging
import math
from collections.abc import Mapping
from typing import Any, Protocol

import attrs
import httpx
import trio

from ._auth import Token
from ._config import HTTPConfig, RetryPolicy
from ._coordination import Coordinator, LocalCoordinator, TokenSource
from ._errors import (
    ClientClosedError,
    NetworkError,
    api_error_from_response,
    decode_json,
    map_transport_errors,
    paused_too_long,
)
from ._request import format_params

__all__ = ["Handler", "Sender", "SpotifyStatistics"]

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
    #: The request rate learned from the 429s, in requests per second: requests start no
    #: faster (`None` while unlimited, until the first 429, or with `learn_rate=False`).
    learned_rate: float | None = None


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


class Sender(Protocol):
    """What endpoint groups and paging send through: `Handler`, as seen from above it."""

    @property
    def api_url(self) -> str:
        """The Web API base URL, without a trailing slash."""
        ...

    @property
    def granted_scopes(self) -> frozenset[str] | None:
        """The scopes of the token held now (`None` before the first request obtains one)."""
        ...

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
        """Send one Web API request and return its decoded JSON; see `Handler.request`."""
        ...


@attrs.frozen
class _Call:
    """One request as it goes on the wire, built once however often it is sent."""

    method: str
    url: httpx.URL
    query: dict[str, str]
    json: Any
    content: bytes | None
    headers: dict[str, str]


@attrs.frozen
class _Sent:
    """What one attempt brought back: the response or our `NetworkError`, and what it was
    sent with (the token, to renew keyed on it; the gate's epoch, to count a 429 once)."""

    token: Token
    epoch: int
    response: httpx.Response | None
    error: NetworkError | None
    elapsed: float


@attrs.define
class _Tries:
    """What one request met so far: bounds its retries."""

    #: 5xx answers and transport errors retried.
    failures: int = 0
    #: 429s waited out.
    rate_limit_waits: int = 0
    #: Whether a 401 already renewed the token.
    renewed: bool = False


class _Step(enum.Enum):
    """What `_decide` makes of an attempt (raising is the fifth outcome)."""

    #: A 2xx: decode it and return.
    ANSWER = enum.auto()
    #: A 401: renew the token that was refused, then send again.
    RENEW = enum.auto()
    #: A 429 closed the gate: the next attempt waits until it reopens.
    WAIT = enum.auto()
    #: A 5xx or transport error safe to retry: sleep the back-off, then send again.
    BACK_OFF = enum.auto()


class Handler:
    """Sends Web API requests for one client. Built and closed by `open_spotify`."""

    def __init__(
        self,
        *,
        api_url: str,
        tokens: TokenSource,
        max_concurrency: int,
        http_clients: int,
        retry: RetryPolicy,
        http: HTTPConfig,
        coordinator: Coordinator | None = None,
    ) -> None:
        self.api_url: str = api_url.rstrip("/")
        self._tokens = tokens
        self._retry = retry
        self._max_concurrency = max_concurrency
        self._limiter = trio.CapacityLimiter(max_concurrency)
        # The gate comes from the coordinator (in-process by default, or shared).
        coordinator = LocalCoordinator() if coordinator is None else coordinator
        self._gate = coordinator.rate_budget(self._limiter, max_concurrency, learn=retry.learn_rate)
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

    @property
    def granted_scopes(self) -> frozenset[str] | None:
        """The scopes of the token held now (`None` before the first request obtains one)."""
        token = self._tokens.token
        return None if token is None else token.scope

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
        if any(ord(char) < 0x20 or ord(char) == 0x7F for char in path):
            # httpx would raise its own InvalidURL; say which path, as a ValueError.
            raise ValueError(f"path must not contain control characters, not {path!r}")
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

        See the module docstring for the steps. A checkpoint. Raises `ValueError` for a
        path outside `api_url`, `ClientClosedError` after the client was closed, and the
        `SpotifyError` tree.
        """
        self._check_open()
        method = method.upper()
        call = _Call(
            method, self._resolve(path), format_params(params), json, content, dict(headers or {})
        )
        tries = _Tries()
        while True:
            sent = await self._attempt(call)
            step = self._decide(call, sent, tries)
            if step is _Step.ANSWER:
                assert sent.response is not None
                return decode_json(sent.response)
            if step is _Step.RENEW:
                await self._tokens.renew(sent.token)
            elif step is _Step.BACK_OFF:
                await self._sleep_before_retry(tries.failures)
            # _Step.WAIT: the gate is closed, and the next attempt waits for it to reopen.

    async def _attempt(self, call: _Call) -> _Sent:
        """Send `call` once on the wire; return the response or the `NetworkError`.

        A checkpoint. Waits for the gate, its turn under the learned rate and the token
        outside the limiter, and holds a slot only around the network call. Raises
        `RateLimitError` when the gate is (or, while waiting, becomes) closed for longer
        than `max_retry_after`, `ClientClosedError` once the client closed.
        """
        gate = self._gate
        while True:
            # Returns early (the pause left) when a 429 makes the pause too long to wait.
            remaining = await gate.wait_open(self._retry.max_retry_after)
            if remaining:
                raise paused_too_long(call.method, call.url, remaining)
            # The learned allowance paces starts: outside the limiter, cancellable.
            async with gate.turn() as sent:
                if gate.is_closed():
                    continue  # a 429 closed the gate while we waited for our turn
                token = await self._tokens.current()
                async with self._limiter:
                    self._check_open()
                    if gate.is_closed():
                        continue  # a 429 closed the gate while we waited for a slot
                    epoch = gate.epoch
                    index = self._checkout_client()
                    self._sent += 1
                    sent()
                    started = trio.current_time()
                    try:
                        with map_transport_errors(call.method, call.url):
                            response = await self._clients[index].request(
                                call.method,
                                call.url,
                                params=call.query or None,
                                json=call.json,
                                content=call.content,
                                headers={**call.headers, "Authorization": token.authorization},
                            )
                    except NetworkError as error:
                        return _Sent(token, epoch, None, error, trio.current_time() - started)
                    finally:
                        self._loads[index] -= 1
            return _Sent(token, epoch, response, None, trio.current_time() - started)

    def _decide(self, call: _Call, sent: _Sent, tries: _Tries) -> _Step:
        """What to do after an attempt: return, renew, wait for the gate or back off.

        Not a checkpoint (it only classifies and counts). Raises what ends the request: the
        `NetworkError` that is not safe to retry or outlasted `max_attempts`, and the
        `SpotifyAPIError` of an answer that will not be retried.
        """
        retry = self._retry
        if sent.error is not None:
            logger.info(
                "%s %s failed after %.3fs: %s", call.method, call.url.path, sent.elapsed, sent.error
            )
            if tries.failures + 1 < retry.max_attempts and self._retry_is_safe(
                call.method, sent.error
            ):
                tries.failures += 1
                return _Step.BACK_OFF
            raise sent.error
        response = sent.response
        assert response is not None
        status = response.status_code
        logger.debug("%s %s -> %d (%.3fs)", call.method, call.url.path, status, sent.elapsed)
        if status < 300:
            self._gate.on_success(trio.current_time() - sent.elapsed)
            return _Step.ANSWER
        if status == 401 and not tries.renewed and self._tokens.can_renew:
            tries.renewed = True
            self._retries += 1
            return _Step.RENEW
        if status == 429:
            return self._on_rate_limited(call, sent, response, tries)
        if (
            status in retry.retry_statuses
            and tries.failures + 1 < retry.max_attempts
            and call.method != "POST"
        ):
            tries.failures += 1
            return _Step.BACK_OFF
        raise api_error_from_response(response)

    def _on_rate_limited(
        self, call: _Call, sent: _Sent, response: httpx.Response, tries: _Tries
    ) -> _Step:
        """A 429: close the gate for every task and wait, or raise `RateLimitError`."""
        retry = self._retry
        retry_after = _parse_retry_after(response.headers.get("Retry-After"))
        limited = api_error_from_response(response, retry_after=retry_after)
        if limited.reason == _QUOTA_EXCEEDED:
            if retry_after is not None:  # the other tasks (and processes, shared) stop too
                self._gate.close_for(retry_after)
            raise limited  # a quota does not reset in seconds: not waited out
        pause = retry.default_retry_after if retry_after is None else retry_after
        self._gate.on_rate_limited(pause, sent.epoch, trio.current_time() - sent.elapsed)
        logger.info(
            "429 on %s %s: pausing every request for %.1fs", call.method, call.url.path, pause
        )
        if pause > retry.max_retry_after or tries.rate_limit_waits >= retry.max_rate_limit_waits:
            raise limited
        tries.rate_limit_waits += 1
        self._retries += 1
        return _Step.WAIT

    @staticmethod
    def _retry_is_safe(method: str, error: NetworkError) -> bool:
        """Whether sending again after `error` can help and cannot apply a write twice."""
        if error.malformed:
            return False  # the request itself is malformed: sending it again cannot help
        # A POST may be retried only if it cannot have reached the server.
        return method != "POST" or not error.reached_server

    async def _sleep_before_retry(self, retry_number: int) -> None:
        self._retries += 1
        delay = self._retry.backoff(retry_number)
        logger.info("retrying in %.3fs (retry %d)", delay, retry_number)
        await trio.sleep(delay)

    def statistics(self) -> SpotifyStatistics:
        """A frozen snapshot of the handler's counters (see `SpotifyStatistics`)."""
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
            learned_rate=self._gate.rate,
        )
