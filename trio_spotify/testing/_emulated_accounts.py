"""The emulated accounts service: `GET /authorize` and `POST /api/token`.

`/authorize` plays the part of the user and the consent screen: it validates the
request as Spotify does (known `client_id`, `response_type=code`, a registered or
loopback-IP `redirect_uri`, `S256` for PKCE), then consents at once for the emulator's
user (`emulator.user_id`) and answers `302` to `redirect_uri?code=...&state=...` — or
`?error=access_denied&state=...` when `emulator.consent` is `False`. A browser, an
`httpx` client with `follow_redirects=False` or a sign-in helper can all drive it.

`/api/token` implements the grants of Spotify's token endpoint, with RFC 6749 error
bodies (`{"error": "invalid_grant", "error_description": "..."}`):

- `authorization_code`: the app authenticates with HTTP Basic (or `client_id` +
  `client_secret` in the form); `redirect_uri` must equal the one given to
  `/authorize`; a code works once and for ten minutes.
- the same with PKCE: `client_id` and `code_verifier` in the form, no secret; the
  verifier is checked against the `S256` challenge.
- `client_credentials`: Basic auth; the token has no user and no scopes.
- `refresh_token`: Basic auth, or `client_id` alone for a PKCE refresh token. PKCE
  refresh tokens rotate (the answer carries a new one and the old one stops working) unless
  `rotate_refresh_tokens` says otherwise; code-flow refreshes answer without a refresh
  token ("continue using the existing one"). A refresh token expires
  `refresh_token_lifetime` seconds after the original authorization (`invalid_grant`).

Access tokens live `access_token_lifetime` seconds on the emulator's clock.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import secrets
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit

import attrs
import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from ._counters import EmulatorCounters
from ._faults import Faults

__all__ = ["ALL_SCOPES", "AccessGrant", "AccountsHost", "EmulatedAccounts"]

#: Every scope Spotify documents (the OpenAPI file's 19 plus `user-personalized`).
ALL_SCOPES = frozenset(
    {
        "ugc-image-upload",
        "user-read-playback-state",
        "user-modify-playback-state",
        "user-read-currently-playing",
        "app-remote-control",
        "streaming",
        "playlist-read-private",
        "playlist-read-collaborative",
        "playlist-modify-private",
        "playlist-modify-public",
        "user-follow-modify",
        "user-follow-read",
        "user-read-playback-position",
        "user-top-read",
        "user-read-recently-played",
        "user-library-modify",
        "user-library-read",
        "user-read-email",
        "user-read-private",
        "user-personalized",
    }
)

_CODE_LIFETIME = 600.0
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@attrs.define
class AccessGrant:
    """What an access token stands for."""

    client_id: str
    user_id: str | None
    scopes: frozenset[str]
    expires_at: float
    grant_type: str


@attrs.define
class _Code:
    client_id: str
    user_id: str
    scopes: frozenset[str]
    redirect_uri: str
    challenge: str | None
    expires_at: float
    used: bool = False


@attrs.define
class _Refresh:
    client_id: str
    user_id: str
    scopes: frozenset[str]
    authorized_at: float
    pkce: bool
    revoked: bool = False


class _OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


def _is_loopback_ip(host: str | None) -> bool:
    if not host:
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class AccountsHost(Protocol):
    """What the accounts service reads of its emulator (`SpotifyEmulator` is one): the
    app's credentials, the user who signs in, token lifetimes, the clock, the counters and
    the faults. A protocol, so that the service sits below the emulator that composes it."""

    client_id: str
    client_secret: str
    user_id: str
    consent: bool
    redirect_uris: set[str]
    access_token_lifetime: float
    refresh_token_lifetime: float | None
    rotate_refresh_tokens: bool | None
    clock: Callable[[], float]
    counters: EmulatorCounters
    faults: Faults


class EmulatedAccounts:
    """The token store and the two accounts endpoints of one emulator.

    Not the client's `trio_spotify.AccountsService` (which talks to this one): this is the
    service's side, `SpotifyEmulator.accounts`.
    """

    def __init__(self, emulator: AccountsHost) -> None:
        self._emulator = emulator
        self.access: dict[str, AccessGrant] = {}
        self._codes: dict[str, _Code] = {}
        self._refresh: dict[str, _Refresh] = {}

    # -- token minting --------------------------------------------------------------------

    def mint_access(
        self,
        client_id: str,
        user_id: str | None,
        scopes: frozenset[str],
        grant_type: str,
        lifetime: float | None = None,
    ) -> tuple[str, int]:
        """A new access token and its lifetime in whole seconds (counted as issued)."""
        emulator = self._emulator
        if lifetime is None:
            lifetime = emulator.access_token_lifetime
        token = "BQ" + secrets.token_urlsafe(48)
        self.access[token] = AccessGrant(
            client_id, user_id, scopes, emulator.clock() + lifetime, grant_type
        )
        emulator.counters.tokens_issued += 1
        emulator.counters.tokens_by_grant[grant_type] += 1
        return token, int(lifetime)

    def mint_refresh(
        self,
        client_id: str,
        user_id: str,
        scopes: frozenset[str],
        *,
        pkce: bool,
        authorized_at: float | None = None,
    ) -> str:
        token = "AQ" + secrets.token_urlsafe(64)
        at = self._emulator.clock() if authorized_at is None else authorized_at
        self._refresh[token] = _Refresh(client_id, user_id, scopes, at, pkce)
        return token

    def expire_access_tokens(self) -> int:
        """Make every access token issued so far expired; returns how many were live."""
        now = self._emulator.clock()
        live = 0
        for grant in self.access.values():
            if grant.expires_at > now:
                live += 1
                grant.expires_at = now
        return live

    def revoke_refresh_tokens(self) -> None:
        """Revoke every refresh token (the user removed the app's access)."""
        for refresh in self._refresh.values():
            refresh.revoked = True

    # -- /authorize -----------------------------------------------------------------------

    def redirect_uri_allowed(self, redirect_uri: str) -> bool:
        if redirect_uri in self._emulator.redirect_uris:
            return True
        try:
            parts = urlsplit(redirect_uri)
        except ValueError:
            return False
        # Spotify allows http only for loopback IP literals (any port), never "localhost".
        return parts.scheme == "http" and _is_loopback_ip(parts.hostname)

    async def authorize(self, request: Request) -> Response:
        """`GET /authorize`: consent at once and redirect back (see the module docstring)."""
        emulator = self._emulator
        emulator.counters.authorizations += 1
        q = request.query_params
        if q.get("client_id") != emulator.client_id:
            return PlainTextResponse("INVALID_CLIENT: Invalid client", status_code=400)
        redirect_uri = q.get("redirect_uri", "")
        if not self.redirect_uri_allowed(redirect_uri):
            return PlainTextResponse("INVALID_CLIENT: Invalid redirect URI", status_code=400)
        state = q.get("state")

        def back(**fields: str) -> Response:
            if state is not None:
                fields["state"] = state
            sep = "&" if "?" in redirect_uri else "?"
            return RedirectResponse(redirect_uri + sep + urlencode(fields), status_code=302)

        if q.get("response_type") != "code":
            return back(error="unsupported_response_type")
        challenge = q.get("code_challenge")
        method = q.get("code_challenge_method")
        if (challenge is not None or method is not None) and (method != "S256" or not challenge):
            return back(
                error="invalid_request", error_description="code_challenge_method must be S256"
            )
        requested = frozenset(q.get("scope", "").split())
        unknown = requested - ALL_SCOPES
        if unknown:
            return back(error="invalid_scope")
        if not emulator.consent:
            return back(error="access_denied")
        code = secrets.token_urlsafe(32)
        self._codes[code] = _Code(
            emulator.client_id,
            emulator.user_id,
            requested,
            redirect_uri,
            challenge,
            emulator.clock() + _CODE_LIFETIME,
        )
        return back(code=code)

    # -- /api/token -----------------------------------------------------------------------

    async def token(self, request: Request) -> Response:
        """`POST /api/token`: one of the grants, or an RFC 6749 error body."""
        fault = self._emulator.faults.take("request-token", targeted_only=True)
        if fault is not None:
            kind, status = fault
            self._emulator.counters.faults[kind] += 1
            if kind == "error":
                return JSONResponse(
                    {"error": "server_error", "error_description": "injected fault"},
                    status_code=status,
                )
            if kind == "malformed":
                return Response(b'{"access_token": ', media_type="application/json")
            raise httpx.RemoteProtocolError("the emulator dropped the connection (injected fault)")
        try:
            form = self._form(request, await request.body())
            body = self._grant(request, form)
        except _OAuthError as exc:
            self._emulator.counters.token_errors[exc.error] += 1
            return JSONResponse(
                {"error": exc.error, "error_description": exc.description},
                status_code=exc.status,
                headers=_NO_STORE,
            )
        return JSONResponse(body, headers=_NO_STORE)

    @staticmethod
    def _form(request: Request, raw: bytes) -> dict[str, str]:
        # Parsed here rather than with request.form(), which needs python-multipart.
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            raise _OAuthError(
                "invalid_request", "Content-Type must be application/x-www-form-urlencoded"
            )
        try:
            return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
        except (UnicodeDecodeError, ValueError):
            raise _OAuthError("invalid_request", "malformed form body") from None

    def _client(self, request: Request, form: dict[str, str]) -> tuple[str | None, bool]:
        """The client id the request names and whether it proved its secret."""
        emulator = self._emulator
        header = request.headers.get("authorization")
        if header is not None:
            scheme, _, value = header.partition(" ")
            if scheme.lower() != "basic":
                raise _OAuthError("invalid_client", "Invalid client")
            try:
                decoded = base64.b64decode(value, validate=True).decode()
                client_id, _, secret = decoded.partition(":")
            except (binascii.Error, UnicodeDecodeError):
                raise _OAuthError("invalid_client", "Invalid client") from None
        else:
            client_id = form.get("client_id", "")
            secret = form.get("client_secret", "")
            if not client_id:
                return None, False
        if client_id != emulator.client_id:
            raise _OAuthError("invalid_client", "Invalid client")
        if secret:
            if not secrets.compare_digest(secret, emulator.client_secret):
                raise _OAuthError("invalid_client", "Invalid client secret")
            return client_id, True
        if header is not None:
            raise _OAuthError("invalid_client", "Invalid client secret")
        return client_id, False

    def _grant(self, request: Request, form: dict[str, str]) -> dict[str, Any]:
        grant_type = form.get("grant_type")
        if not grant_type:
            raise _OAuthError("unsupported_grant_type", "grant_type parameter is missing")
        client_id, authenticated = self._client(request, form)
        if grant_type == "client_credentials":
            if client_id is None or not authenticated:
                raise _OAuthError("invalid_client", "Invalid client")
            token, expires_in = self.mint_access(client_id, None, frozenset(), grant_type)
            return {"access_token": token, "token_type": "Bearer", "expires_in": expires_in}
        if grant_type == "authorization_code":
            return self._code_grant(form, client_id, authenticated)
        if grant_type == "refresh_token":
            return self._refresh_grant(form, client_id, authenticated)
        raise _OAuthError("unsupported_grant_type", f"grant_type {grant_type!r} is not supported")

    def _code_grant(
        self, form: dict[str, str], client_id: str | None, authenticated: bool
    ) -> dict[str, Any]:
        if client_id is None:
            raise _OAuthError("invalid_client", "Invalid client")
        code_value = form.get("code")
        if not code_value:
            raise _OAuthError("invalid_request", "code parameter is missing")
        code = self._codes.get(code_value)
        now = self._emulator.clock()
        if code is None or code.used or code.client_id != client_id:
            raise _OAuthError("invalid_grant", "Invalid authorization code")
        if now >= code.expires_at:
            raise _OAuthError("invalid_grant", "Authorization code expired")
        if form.get("redirect_uri") != code.redirect_uri:
            raise _OAuthError("invalid_grant", "Invalid redirect URI")
        verifier = form.get("code_verifier")
        if code.challenge is not None:
            if not verifier:
                raise _OAuthError("invalid_request", "code_verifier required")
            if not 43 <= len(verifier) <= 128 or _s256(verifier) != code.challenge:
                raise _OAuthError("invalid_grant", "code_verifier was incorrect")
        elif not authenticated:
            raise _OAuthError("invalid_client", "Invalid client")
        code.used = True
        pkce = code.challenge is not None and not authenticated
        token, expires_in = self.mint_access(
            client_id, code.user_id, code.scopes, "authorization_code"
        )
        refresh = self.mint_refresh(client_id, code.user_id, code.scopes, pkce=pkce)
        return {
            "access_token": token,
            "token_type": "Bearer",
            "scope": " ".join(sorted(code.scopes)),
            "expires_in": expires_in,
            "refresh_token": refresh,
        }

    def _refresh_grant(
        self, form: dict[str, str], client_id: str | None, authenticated: bool
    ) -> dict[str, Any]:
        value = form.get("refresh_token")
        if not value:
            raise _OAuthError("invalid_request", "refresh_token must be supplied")
        if client_id is None:
            raise _OAuthError("invalid_client", "Invalid client")
        refresh = self._refresh.get(value)
        if refresh is None or refresh.client_id != client_id:
            raise _OAuthError("invalid_grant", "Invalid refresh token")
        if refresh.revoked:
            raise _OAuthError("invalid_grant", "Refresh token revoked")
        if not refresh.pkce and not authenticated:
            raise _OAuthError("invalid_client", "Invalid client")
        emulator = self._emulator
        lifetime = emulator.refresh_token_lifetime
        if lifetime is not None and emulator.clock() >= refresh.authorized_at + lifetime:
            raise _OAuthError("invalid_grant", "Refresh token expired")
        token, expires_in = self.mint_access(
            client_id, refresh.user_id, refresh.scopes, "refresh_token"
        )
        body: dict[str, Any] = {
            "access_token": token,
            "token_type": "Bearer",
            "scope": " ".join(sorted(refresh.scopes)),
            "expires_in": expires_in,
        }
        rotate = emulator.rotate_refresh_tokens
        if rotate is None:
            rotate = refresh.pkce
        if rotate:
            refresh.revoked = True
            body["refresh_token"] = self.mint_refresh(
                client_id,
                refresh.user_id,
                refresh.scopes,
                pkce=refresh.pkce,
                authorized_at=refresh.authorized_at,
            )
        return body
