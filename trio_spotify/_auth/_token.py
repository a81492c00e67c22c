"""The access token value object.

A `Token` is immutable: renewing produces a new one. Its secrets (the access and
refresh tokens) never appear in `repr` or `str`. `expires_at` is wall-clock time
(seconds since the epoch) because that is what survives being saved to a file; the client
schedules renewals on `trio.current_time()` instead (see `_manager.py`), so that a
`MockClock` controls them in tests.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any

import attrs

from ._scopes import scope_set

__all__ = ["Token"]


#: RFC 6750's `b64token`: what may follow `Bearer` in an Authorization header.
_B64TOKEN = re.compile(r"[A-Za-z0-9._~+/-]+=*")


def _check_access_token(instance: Token, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value:
        raise ValueError("access_token must be a non-empty string")
    if not _B64TOKEN.fullmatch(value):
        # Never quote the value: it is a secret (often with a stray newline from a file).
        raise ValueError(
            "access_token contains characters a bearer token cannot have "
            "(whitespace or a newline read from a file or the environment?)"
        )


@attrs.frozen
class Token:
    """An OAuth access token, optionally with a refresh token, expiry and granted scopes.

    Pass one to `open_spotify` to use a fixed access token (it cannot be renewed: once
    Spotify refuses it, requests raise `TokenExpiredError`), or let an auth
    strategy such as `ClientCredentials` obtain them.

    `repr(token)` shows the expiry and scopes, never the access or refresh token.
    """

    access_token: str = attrs.field(repr=False, validator=_check_access_token)
    refresh_token: str | None = attrs.field(default=None, repr=False, kw_only=True)
    #: Wall-clock expiry in seconds since the epoch, or `None` when unknown.
    expires_at: float | None = attrs.field(default=None, kw_only=True)
    #: The scopes granted to the token.
    scope: frozenset[str] = attrs.field(default=frozenset(), converter=scope_set, kw_only=True)
    token_type: str = attrs.field(default="Bearer", kw_only=True)

    def expires_in(self, now: float | None = None) -> float | None:
        """Seconds of wall-clock time left before expiry (negative once expired), or `None`."""
        if self.expires_at is None:
            return None
        return self.expires_at - (time.time() if now is None else now)

    @property
    def authorization(self) -> str:
        """The value of the `Authorization` header that carries this token."""
        return f"Bearer {self.access_token}"

    @classmethod
    def from_token_response(
        cls, body: Mapping[str, Any], *, previous: Token | None = None, now: float | None = None
    ) -> Token:
        """Build a token from the accounts service's JSON answer.

        A refresh answer may omit `refresh_token` ("continue using the existing token"):
        the previous token's refresh token is then kept, so a rotation is never lost and
        an omission never drops it. Raises `ValueError` for a body without an
        `access_token`.
        """
        access_token = body.get("access_token")
        if not isinstance(access_token, str) or not access_token:
            raise ValueError("the token response has no access_token")
        expires_in = body.get("expires_in")
        expires_at = None
        if isinstance(expires_in, int | float) and not isinstance(expires_in, bool):
            expires_at = (time.time() if now is None else now) + float(expires_in)
        refresh_token = body.get("refresh_token")
        if not isinstance(refresh_token, str) or not refresh_token:
            refresh_token = previous.refresh_token if previous is not None else None
        scope: str | frozenset[str] | None = body.get("scope")
        if not isinstance(scope, str):
            scope = previous.scope if previous is not None else None
        token_type = body.get("token_type")
        return cls(
            access_token,
            refresh_token=refresh_token,
            expires_at=expires_at,
            scope=scope,
            token_type="Bearer" if not isinstance(token_type, str) else token_type.capitalize(),
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready mapping of every field, secrets included: for token stores only."""
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at,
            "scope": " ".join(sorted(self.scope)),
            "token_type": self.token_type,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Token:
        """The inverse of `to_json`; raises `ValueError` on a malformed mapping."""
        try:
            expires_at = data.get("expires_at")
            return cls(
                data["access_token"],
                refresh_token=data.get("refresh_token"),
                expires_at=None if expires_at is None else float(expires_at),
                scope=data.get("scope") or None,
                token_type=data.get("token_type", "Bearer"),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"malformed token data: {type(exc).__name__} {exc}") from None
