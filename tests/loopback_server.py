"""A small scripted Spotify served over real loopback sockets by hypercorn's trio worker.

Used by the core client's loopback tests and benchmarks: it answers the token endpoint and
``/v1/...`` with JSON, can answer 429s on a rolling window, and counts what it saw.
"""

from __future__ import annotations

import collections
import contextlib
import json
import math
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any

import attrs
import trio
from hypercorn.config import Config
from hypercorn.trio import serve

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


@attrs.define
class LoopbackSpotify:
    """An ASGI app: ``/api/token`` grants ``token-N``; ``/v1/*`` echoes the path.

    ``window_requests`` per ``window_seconds`` (rolling) are allowed when set; beyond that
    it answers 429 with an integer ``Retry-After`` (the time until the oldest request in the
    window leaves it, rounded up), as Spotify does.
    """

    window_requests: int | None = None
    window_seconds: float = 1.0
    tokens_issued: int = 0
    requests: int = 0
    successes: int = 0
    rate_limited: int = 0
    connections: set[Any] = attrs.Factory(set)
    _window: collections.deque[float] = attrs.Factory(collections.deque)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        while (await receive()).get("more_body"):
            pass
        if scope["path"] == "/api/token":
            self.tokens_issued += 1
            await self._json(
                send,
                200,
                {
                    "access_token": f"token-{self.tokens_issued}",
                    "token_type": "bearer",
                    "expires_in": 3600,
                },
            )
            return
        self.requests += 1
        self.connections.add(tuple(scope.get("client") or ()))
        now = trio.current_time()
        if self.window_requests is not None:
            while self._window and self._window[0] <= now - self.window_seconds:
                self._window.popleft()
            if len(self._window) >= self.window_requests:
                self.rate_limited += 1
                wait = self._window[0] + self.window_seconds - now
                await self._json(
                    send,
                    429,
                    {"error": {"status": 429, "message": "API rate limit exceeded"}},
                    {"retry-after": str(max(1, math.ceil(wait)))},
                )
                return
            self._window.append(now)
        self.successes += 1
        await self._json(send, 200, {"path": scope["path"], "name": "a track"})

    @staticmethod
    async def _json(
        send: Send, status: int, body: Any, headers: dict[str, str] | None = None
    ) -> None:
        payload = json.dumps(body).encode()
        raw = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode()),
        ]
        raw += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": payload})


@contextlib.asynccontextmanager
async def serve_on_loopback(app: Any) -> AsyncIterator[str]:
    """Serve ``app`` on 127.0.0.1 (a free port) for the block; yields the base URL."""
    config = Config()
    config.bind = ["127.0.0.1:0"]
    config.accesslog = None
    config.errorlog = None
    config.keep_alive_max_requests = 1_000_000
    async with trio.open_nursery() as nursery:
        binds = await nursery.start(serve, app, config)
        yield binds[0]
        nursery.cancel_scope.cancel()
