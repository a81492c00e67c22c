"""A scripted accounts service for the sign-in unit tests (httpx.MockTransport).

It implements just enough of ``/api/token`` (authorization_code with Basic auth or PKCE,
refresh_token with optional rotation, invalid_grant) and a ``/v1/me`` endpoint, records
every request, and issues secrets with recognisable prefixes so tests can grep for leaks.
Behaviour against the real emulator is covered by the ``*_emulator`` tests.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import urllib.parse
from typing import Any

import attrs
import httpx

CLIENT_ID = "client-id-0001"
CLIENT_SECRET = "SECRET-client-0001"
REDIRECT = "http://127.0.0.1:8765/callback"


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@attrs.define
class FakeAccounts:
    """``/api/token`` and ``/v1/me``; codes are registered with :meth:`issue_code`."""

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
        """What ``/authorize`` would redirect to: ``redirect_uri?code=...&state=...``."""
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
