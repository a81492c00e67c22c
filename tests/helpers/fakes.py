"""The fakes of the test suite, in one place, each on httpx.MockTransport or loopback.

- `FakeSpotify`: a scripted Web API and accounts service for the core client's unit tests;
- `Recorder`: answers every endpoint request with a plausible body and records it;
- `FakeAccounts`: a scripted accounts service for the sign-in unit tests;
- `LoopbackSpotify`: a small scripted Spotify served over real loopback sockets.

Behaviour is tested against the shipped emulator (`trio_spotify.testing`); these fakes
exist where a test must script an exact answer or count exactly what was sent.
"""

from __future__ import annotations

import base64
import collections
import contextlib
import hashlib
import itertools
import json
import math
import string
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any

import attrs
import httpx
import trio
from hypercorn.config import Config
from hypercorn.trio import serve

import trio_spotify

# -- the core client: FakeSpotify --------------------

API = "https://api.test/v1"


ACCOUNTS = "https://accounts.test"


CLIENT_ID = "client-id-1234"


CLIENT_SECRET = "client-secret-SHOULD-NOT-LEAK"


Responder = Callable[[httpx.Request], Awaitable[httpx.Response]]


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        status,
        content=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def api_error(
    status: int, message: str, reason: str | None = None, headers: dict[str, str] | None = None
) -> httpx.Response:
    error: dict[str, Any] = {"status": status, "message": message}
    if reason is not None:
        error["reason"] = reason
    return json_response(status, {"error": error}, headers)


@attrs.define
class FakeSpotify:
    """A scripted accounts service and Web API.

    Issues access tokens ``token-1``, ``token-2``, ... from ``/api/token`` (client
    credentials, checking the Basic header); the Web API accepts only ``valid_tokens``
    (by default the latest one) and answers with ``api``; records every request and the
    peak number of API requests in flight.
    """

    api: Responder | None = None
    token_lifetime: int = 3600
    token_delay: float = 0.0
    issued: int = 0
    requests: list[httpx.Request] = attrs.Factory(list)
    send_times: list[float] = attrs.Factory(list)
    in_flight: int = 0
    peak_in_flight: int = 0

    @property
    def current_token(self) -> str:
        return f"token-{self.issued}"

    async def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/token":
            return await self._token(request)
        self.requests.append(request)
        self.send_times.append(trio.current_time())
        auth = request.headers.get("Authorization", "")
        if auth != f"Bearer {self.current_token}" or self.issued == 0:
            return api_error(401, "The access token expired")
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            if self.api is None:
                await trio.sleep(0.01)
                return json_response(200, {"path": request.url.path})
            return await self.api(request)
        finally:
            self.in_flight -= 1

    async def _token(self, request: httpx.Request) -> httpx.Response:
        expected = httpx.BasicAuth(CLIENT_ID, CLIENT_SECRET)
        probe = next(expected.auth_flow(httpx.Request("POST", "https://x")))
        if request.headers.get("Authorization") != probe.headers["Authorization"]:
            return json_response(
                400, {"error": "invalid_client", "error_description": "Invalid client secret"}
            )
        await trio.sleep(self.token_delay)
        self.issued += 1
        return json_response(
            200,
            {
                "access_token": self.current_token,
                "token_type": "bearer",
                "expires_in": self.token_lifetime,
            },
        )

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)


def credentials(secret: str = CLIENT_SECRET) -> trio_spotify.ClientCredentials:
    return trio_spotify.ClientCredentials(CLIENT_ID, secret)


def no_jitter(cap: float) -> float:
    return cap


def open_fake(fake: FakeSpotify, auth: Any = None, **kwargs: Any) -> Any:
    kwargs.setdefault("retry", trio_spotify.RetryPolicy(jitter=no_jitter))
    return trio_spotify.open_spotify(
        credentials() if auth is None else auth,
        api_url=API,
        accounts_url=ACCOUNTS,
        transport=fake.transport(),
        **kwargs,
    )


# -- the endpoint methods: Recorder --------------------


def make_id(n: int, prefix: str = "") -> str:
    """A distinct valid 22-character base-62 ID for ``n``."""
    alphabet = string.digits + string.ascii_letters
    digits = []
    for _ in range(6):
        n, r = divmod(n, 62)
        digits.append(alphabet[r])
    return (prefix + "x" * 22)[: 22 - 6] + "".join(reversed(digits))


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


# -- sign-in: FakeAccounts --------------------

REDIRECT = "http://127.0.0.1:8765/callback"


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@attrs.define
class FakeAccounts:
    """A scripted accounts service: `/api/token` and `/v1/me`; codes come from `issue_code`."""

    rotate: bool = False
    scope: str = "user-library-read user-top-read"
    expires_in: int = 3600
    refresh_fails: bool = False
    token_requests: list[dict[str, str]] = attrs.Factory(list)
    auth_headers: list[str | None] = attrs.Factory(list)
    api_requests: int = 0
    issued: list[str] = attrs.Factory(list)
    _codes: dict[str, dict[str, str | None]] = attrs.Factory(dict)
    _refresh: set[str] = attrs.Factory(set)
    _counter: itertools.count[int] = attrs.Factory(itertools.count)

    def issue_code(self, redirect_uri: str, challenge: str | None = None) -> str:
        code = f"CODE-{next(self._counter)}"
        self._codes[code] = {"redirect_uri": redirect_uri, "challenge": challenge}
        return code

    def authorize(self, url: str) -> str:
        """What `/authorize` would redirect to: `redirect_uri?code=...&state=...`."""
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        code = self.issue_code(query["redirect_uri"], query.get("code_challenge"))
        params = urllib.parse.urlencode({"code": code, "state": query["state"]})
        return f"{query['redirect_uri']}?{params}"

    def _new_refresh(self) -> str:
        token = f"REFRESH-{next(self._counter)}"
        self._refresh.add(token)
        return token

    def _grant(self, refresh: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "access_token": f"ACCESS-{next(self._counter)}",
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "scope": self.scope,
        }
        self.issued.append(body["access_token"])
        if refresh is not None:
            body["refresh_token"] = refresh
            self.issued.append(refresh)
        return body

    def handler(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/me":
            self.api_requests += 1
            return httpx.Response(200, json={"id": "alice"})
        assert request.url.path == "/api/token", request.url
        form = dict(urllib.parse.parse_qsl(request.content.decode()))
        self.token_requests.append(form)
        self.auth_headers.append(request.headers.get("authorization"))
        error = httpx.Response(400, json={"error": "invalid_grant", "error_description": "nope"})
        if form["grant_type"] == "authorization_code":
            code = self._codes.pop(form.get("code", ""), None)
            if code is None or code["redirect_uri"] != form.get("redirect_uri"):
                return error
            challenge = code["challenge"]
            if challenge is not None and s256(form.get("code_verifier", "")) != challenge:
                return error
            return httpx.Response(200, json=self._grant(self._new_refresh()))
        if form["grant_type"] == "refresh_token":
            if self.refresh_fails or form.get("refresh_token") not in self._refresh:
                body = {"error": "invalid_grant", "error_description": "Refresh token revoked"}
                return httpx.Response(400, json=body)
            if self.rotate:
                self._refresh.discard(form["refresh_token"])
                return httpx.Response(200, json=self._grant(self._new_refresh()))
            return httpx.Response(200, json=self._grant(None))
        return httpx.Response(400, json={"error": "unsupported_grant_type"})

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)

    def secrets(self) -> set[str]:
        """Every secret handed out or received so far (codes, tokens, verifiers)."""
        found = {CLIENT_SECRET, *self.issued}
        for form in self.token_requests:
            for key in ("code", "refresh_token", "code_verifier"):
                if key in form:
                    found.add(form[key])
        return found


# -- loopback: LoopbackSpotify --------------------

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
