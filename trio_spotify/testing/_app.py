"""The emulator's ASGI application: the routes, and the way every Web API request goes.

The routes are the operations table's (`trio_spotify._operations.OPERATIONS`: method and
path under `/v1`), each served by the handler `_api.HANDLERS` holds for its operationId,
plus the accounts service's `/authorize` and `/api/token` at the root; a path with a
trailing slash is served as the path without it, as Spotify does. A Web API request
goes: count it → latency and injected faults → authenticate → rate limit and quota →
development mode, user token and scopes → the handler → JSON, with the placeholder base
URL of the catalog's links replaced by the request's, and an `ETag` (304 on a match) on
every successful `GET`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Protocol

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from trio_spotify._operations import OPERATIONS, Operation

from ._access import authenticate, authorize
from ._api import HANDLERS
from ._api._finish import finish_answer
from ._call import ApiHandler, Call, EmulatorState
from ._catalog import BASE
from ._counters import EmulatorCounters
from ._emulated_accounts import EmulatedAccounts
from ._faults import SOCKET_SCOPE_KEY, Faults, RateLimit, Throttle, fault_response
from ._reply import JSON_TYPE, ApiError

__all__ = ["AppHost", "build_app"]

Endpoint = Callable[[Request], Awaitable[Response]]


class AppHost(EmulatorState, Protocol):
    """What the app reads of its emulator (`SpotifyEmulator` is one), besides what the
    handlers do: the accounts service, counters, faults and rate limits. A protocol, so
    that the app sits below the emulator that composes it."""

    accounts: EmulatedAccounts
    counters: EmulatorCounters
    faults: Faults
    throttle: Throttle
    rate_limit: RateLimit | None
    quota: int | None


def build_app(emulator: AppHost) -> Starlette:
    """The ASGI app of `emulator`: the accounts service and one route per operation."""
    api_routes = [
        Route(
            op.path,
            _endpoint(emulator, op, HANDLERS[op.operation_id]),
            methods=[op.method],
            name=op.operation_id,
        )
        for op in OPERATIONS.values()
    ]

    async def not_found(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        message = "Service not found" if status == 404 else "Method not allowed"
        return ApiError(status, message).response()

    app = Starlette(
        routes=[
            Route("/authorize", emulator.accounts.authorize, methods=["GET"]),
            Route("/api/token", emulator.accounts.token, methods=["POST"]),
            Mount("/v1", routes=api_routes),
        ],
        exception_handlers={404: not_found, 405: not_found},
        middleware=[Middleware(_WithoutTrailingSlash)],
    )
    app.router.redirect_slashes = False
    return app


class _WithoutTrailingSlash:
    """Serve `/v1/me/` and `/v1/tracks/?ids=...` as `/v1/me` and `/v1/tracks?ids=...`, as
    Spotify does (Starlette would answer a 307 redirect, which a client that does not
    follow redirects reads as an empty answer)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and len(path) > 1 and path.endswith("/"):
            scope = dict(scope, path=path.rstrip("/") or "/")
            raw = scope.get("raw_path")
            if isinstance(raw, bytes):
                scope["raw_path"] = raw.rstrip(b"/") or b"/"
        await self.app(scope, receive, send)


def _endpoint(emulator: AppHost, op: Operation, handler: ApiHandler) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        emulator.counters.requests[op.operation_id] += 1
        try:
            return await _serve(emulator, op, handler, request)
        except ApiError as error:
            if error.status == 429:
                emulator.counters.rate_limited += 1
            elif error.status == 401:
                emulator.counters.unauthorized += 1
            return error.response()

    return endpoint


async def _serve(
    emulator: AppHost, op: Operation, handler: ApiHandler, request: Request
) -> Response:
    faults = emulator.faults
    if faults.latency > 0:
        await anyio.sleep(faults.latency)
    fault = faults.take(op.operation_id)
    if fault is not None:
        kind, status = fault
        emulator.counters.faults[kind] += 1
        return fault_response(kind, status, on_socket=bool(request.scope.get(SOCKET_SCOPE_KEY)))
    grant = authenticate(request, emulator.accounts, emulator.clock)
    emulator.throttle.check(
        grant.client_id, rate_limit=emulator.rate_limit, quota=emulator.quota, now=emulator.clock()
    )
    authorize(op, grant, development=emulator.mode == "development")
    raw = await request.body() if request.method != "GET" else b""
    call = Call(emulator, op, request, grant, raw)
    status, body = finish_answer(call, *handler(call))
    if body is None:
        return Response(status_code=status)
    base = str(request.base_url).rstrip("/")
    data = json.dumps(body, separators=(",", ":")).replace(BASE, base).encode()
    if request.method != "GET" or status != 200:
        return Response(data, status_code=status, media_type=JSON_TYPE)
    # Conditional requests: an ETag on every GET, 304 when If-None-Match matches it.
    etag = '"' + hashlib.blake2b(data, digest_size=12).hexdigest() + '"'
    headers = {"ETag": etag, "Cache-Control": "private, max-age=0"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(data, status_code=status, media_type=JSON_TYPE, headers=headers)
