"""Fakes for the endpoint tests: a recording Spotify on ``httpx.MockTransport``.

:class:`Recorder` answers every request with a plausible body (a list of the right length
for ``ids``/``uris`` requests, ``{"snapshot_id": ...}`` for playlist writes, ...) unless a
test installs its own ``respond`` function, and keeps every request it saw.
"""

from __future__ import annotations

import contextlib
import json
import string
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import attrs
import httpx
import trio

import trio_spotify

API = "https://api.test/v1"
ACCOUNTS = "https://accounts.test"


def make_id(n: int, prefix: str = "") -> str:
    """A distinct valid 22-character base-62 ID for ``n``."""
    alphabet = string.digits + string.ascii_letters
    digits = []
    for _ in range(6):
        n, r = divmod(n, 62)
        digits.append(alphabet[r])
    return (prefix + "x" * 22)[: 22 - 6] + "".join(reversed(digits))


def json_response(status: int, body: Any) -> httpx.Response:
    return httpx.Response(
        status, content=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )


@attrs.frozen
class Seen:
    """One request as the fake received it."""

    method: str
    path: str
    params: dict[str, str]
    body: Any
    content: bytes
    headers: httpx.Headers
    at: float

    @property
    def ids(self) -> list[str]:
        raw = self.params.get("ids") or self.params.get("uris") or ""
        return raw.split(",") if raw else []


def _default_answer(request: httpx.Request, seen: Seen) -> httpx.Response:
    path = seen.path
    n = len(seen.ids)
    if isinstance(seen.body, dict) and not n:
        n = len(seen.body.get("ids", []))
    if path.endswith("/followers/contains"):
        return json_response(200, [True])
    if path.endswith("/contains"):
        return json_response(200, [i % 2 == 0 for i in range(n)])
    if seen.method == "GET" and "ids" in seen.params:
        key = path.rsplit("/", 1)[-1].replace("-", "_")
        return json_response(200, {key: [{"id": i} for i in seen.ids]})
    if path.endswith("/images") and seen.method == "GET":
        return json_response(200, [{"url": "https://i.scdn.co/x", "height": 300, "width": 300}])
    if path.startswith("/playlists/") and seen.method != "GET":
        return json_response(201 if seen.method == "POST" else 200, {"snapshot_id": "snap"})
    if path.startswith("/me/player") and seen.method != "GET":
        return httpx.Response(204)
    return json_response(200, {"answer": path})


@attrs.define
class Recorder:
    """A Spotify that records requests; ``respond`` may be replaced by an async function."""

    respond: Callable[[httpx.Request, Seen], Awaitable[httpx.Response]] | None = None
    latency: float = 0.0
    seen: list[Seen] = attrs.Factory(list)
    in_flight: int = 0
    peak: int = 0

    async def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        assert path.startswith("/v1"), path
        body: Any = None
        content = request.content
        if request.headers.get("content-type", "").startswith("application/json") and content:
            body = json.loads(content)
        seen = Seen(
            request.method,
            path[len("/v1") :],
            dict(request.url.params),
            body,
            content,
            request.headers,
            trio.current_time(),
        )
        self.seen.append(seen)
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            if self.latency:
                await trio.sleep(self.latency)
            if self.respond is not None:
                return await self.respond(request, seen)
            await trio.lowlevel.checkpoint()
            return _default_answer(request, seen)
        finally:
            self.in_flight -= 1

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)


@contextlib.asynccontextmanager
async def open_client(
    recorder: Recorder, *, scope: str = "", max_concurrency: int = 32
) -> AsyncIterator[trio_spotify.Spotify]:
    """A client with a fixed token (granted ``scope``) talking to ``recorder``."""
    token = trio_spotify.Token("access-token", scope=scope)
    async with trio_spotify.open_spotify(
        token,
        api_url=API,
        accounts_url=ACCOUNTS,
        transport=recorder.transport,
        max_concurrency=max_concurrency,
    ) as spotify:
        yield spotify
