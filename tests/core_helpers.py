"""Fakes for the core client's unit tests: a scripted Spotify on ``httpx.MockTransport``."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import attrs
import httpx
import trio

import trio_spotify

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
