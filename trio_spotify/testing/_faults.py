"""What goes wrong on purpose: injected faults and latency, rate limits and quotas.

`Faults` is the schedule tests write to (`emulator.faults`); `fault_response` turns a
fault drawn for one request into its answer; `Throttle` keeps the rolling window and the
quota of each client id, for `RateLimit` and `SpotifyEmulator.quota`.
"""

from __future__ import annotations

import collections
import math
import random

import attrs
import httpx
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from ._reply import JSON_TYPE, ApiError

__all__ = ["SOCKET_SCOPE_KEY", "Faults", "RateLimit", "Throttle", "fault_response"]

#: Set in the ASGI scope by `open_emulator_server`: the request came over a real socket.
SOCKET_SCOPE_KEY = "trio_spotify.socket"


@attrs.frozen
class RateLimit:
    """Allow `requests` Web API requests per client id in any rolling `window` seconds."""

    requests: int = attrs.field(validator=attrs.validators.ge(1))
    window: float = attrs.field(default=30.0, validator=attrs.validators.gt(0))


@attrs.define
class _Scheduled:
    kind: str
    status: int
    remaining: int
    operation: str | None


class Faults:
    """Failures injected into Web API answers, for testing retries and for benchmarks.

    - `latency`: seconds every Web API answer is delayed (`anyio.sleep`, so under
      Trio a `MockClock` skips it);
    - `fail_next`, `malformed_next`, `drop_next`: schedule faults for the
      next `count` matching requests (optionally of one `operation` id);
    - `error_rate`: the probability that any request gets a random status of
      `error_statuses` (seeded, so runs repeat).

    Faults hit Web API requests; the token endpoint only gets those scheduled with
    `operation="request-token"` (an error answers `{"error": "server_error"}`).

    Dropping a connection closes it mid-answer when the emulator is served on a socket;
    in-process it raises `httpx.RemoteProtocolError` out of the transport, which is what
    the client sees on a socket.
    """

    def __init__(self, seed: int | str = 0) -> None:
        self.latency = 0.0
        self.error_rate = 0.0
        self.error_statuses: tuple[int, ...] = (500, 502, 503)
        self._random = random.Random(f"faults/{seed}")
        self._scheduled: list[_Scheduled] = []

    def fail_next(self, status: int = 503, count: int = 1, *, operation: str | None = None) -> None:
        """Answer the next `count` requests (of `operation`) with `status` (5xx, or any)."""
        if not 400 <= status <= 599:
            raise ValueError(f"status must be an HTTP error status, not {status}")
        self._schedule("error", status, count, operation)

    def malformed_next(self, count: int = 1, *, operation: str | None = None) -> None:
        """Answer the next `count` requests with a 200 whose body is not valid JSON."""
        self._schedule("malformed", 200, count, operation)

    def drop_next(self, count: int = 1, *, operation: str | None = None) -> None:
        """Drop the connection of the next `count` requests half-way through the answer."""
        self._schedule("drop", 0, count, operation)

    def clear(self) -> None:
        """Remove every scheduled fault and switch off latency and random errors."""
        self._scheduled.clear()
        self.latency = 0.0
        self.error_rate = 0.0

    @property
    def pending(self) -> int:
        """Scheduled faults not yet delivered."""
        return sum(s.remaining for s in self._scheduled)

    def _schedule(self, kind: str, status: int, count: int, operation: str | None) -> None:
        if count < 1:
            raise ValueError(f"count must be at least 1, not {count}")
        self._scheduled.append(_Scheduled(kind, status, count, operation))

    def take(self, operation: str, *, targeted_only: bool = False) -> tuple[str, int] | None:
        """The fault for one request of `operation` (consumed), or `None`.

        The token endpoint (`operation="request-token"`) passes `targeted_only`: it only
        gets faults scheduled for it by name, never the untargeted ones or random errors.
        """
        for item in self._scheduled:
            if item.operation == operation or (item.operation is None and not targeted_only):
                item.remaining -= 1
                if item.remaining == 0:
                    self._scheduled.remove(item)
                return item.kind, item.status
        if not targeted_only and self.error_rate > 0 and self._random.random() < self.error_rate:
            return "error", self._random.choice(self.error_statuses)
        return None


class _DroppedResponse(Response):
    """Starts a 200 answer promising more bytes than it sends, then stops: on a socket the
    server closes the connection mid-body."""

    def __init__(self) -> None:
        super().__init__(status_code=200)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", JSON_TYPE.encode()), (b"content-length", b"4096")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"partial": ', "more_body": True})
        raise ConnectionAbortedError("the emulator dropped this connection (injected fault)")


def fault_response(kind: str, status: int, *, on_socket: bool) -> Response:
    """The answer of a Web API request that drew the fault `(kind, status)`.

    Raises `ApiError` for an injected error status, and `httpx.RemoteProtocolError` for a
    dropped connection in-process (on a socket the answer itself breaks off).
    """
    if kind == "error":
        raise ApiError(
            status,
            "Service unavailable"
            if status == 503
            else "Server error"
            if status >= 500
            else "Injected error",
        )
    if kind == "malformed":
        return Response(b'{"error": malformed json', status_code=200, media_type=JSON_TYPE)
    if on_socket:
        return _DroppedResponse()
    raise httpx.RemoteProtocolError("the emulator dropped the connection (injected fault)")


class Throttle:
    """The rolling request window and the quota use of each client id."""

    def __init__(self) -> None:
        self._windows: dict[str, collections.deque[float]] = {}
        self._quota_used: collections.Counter[str] = collections.Counter()

    def check(
        self, client_id: str, *, rate_limit: RateLimit | None, quota: int | None, now: float
    ) -> None:
        """Count one request of `client_id`; raises `ApiError` 429 (with `Retry-After`)
        when it is over `quota` or over `rate_limit`'s window."""
        if quota is not None:
            self._quota_used[client_id] += 1
            if self._quota_used[client_id] > quota:
                raise ApiError(429, "Too many requests", "QUOTA_EXCEEDED", {"Retry-After": "86400"})
        if rate_limit is None:
            return
        window = self._windows.setdefault(client_id, collections.deque())
        while window and window[0] <= now - rate_limit.window:
            window.popleft()
        if len(window) >= rate_limit.requests:
            retry_after = max(1, math.ceil(window[0] + rate_limit.window - now))
            raise ApiError(429, "API rate limit exceeded", None, {"Retry-After": str(retry_after)})
        window.append(now)
