"""Sign-in without I/O: the authorize URL, `state`, PKCE, and reading the redirect.

A user sign-in has three steps; this module is the first two, as pure functions (it reads
nothing but its arguments and sends nothing):

1. `authorization_request` builds the `/authorize` URL the user opens: `client_id`,
   `response_type=code`, the `redirect_uri`, the space-separated `scope`, `show_dialog`,
   a fresh random `state` from `secrets` and, for PKCE, the S256 `code_challenge` of a
   verifier made by `make_code_verifier` (43-128 characters of `A-Z a-z 0-9 - . _ ~`).
   The result, an `AuthorizationRequest`, is what the redirect must match.
2. Spotify sends the browser back to the redirect URI with `code` and `state` (or
   `error=access_denied`). `code_from_redirect` checks `state` first — a redirect that
   does not carry the state of this attempt is refused with `StateMismatchError` before
   anything else is read — then turns `error=` into `AuthorizationDeniedError` /
   `AuthorizationError`, and returns the code.

Step 3, trading the code for a token, is I/O: see `AuthorizationCode` and `PKCE`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import string
import urllib.parse
from collections.abc import Mapping

import attrs

from .._errors import AuthorizationDeniedError, AuthorizationError, StateMismatchError
from ._redirect import RedirectURI

__all__ = [
    "VERIFIER_ALPHABET",
    "AuthorizationRequest",
    "authorization_request",
    "code_challenge",
    "code_from_redirect",
    "make_code_verifier",
    "parse_redirect",
]

#: RFC 7636 §4.1: the characters a code verifier may use.
VERIFIER_ALPHABET = string.ascii_letters + string.digits + "-._~"


def make_code_verifier(length: int = 128) -> str:
    """A fresh random PKCE code verifier of `length` characters.

    Raises:
        ValueError: `length` is not an integer from 43 to 128.
    """
    if not isinstance(length, int) or not 43 <= length <= 128:
        raise ValueError(f"a code verifier has 43 to 128 characters, not {length!r}")
    return "".join(secrets.choice(VERIFIER_ALPHABET) for _ in range(length))


def code_challenge(verifier: str) -> str:
    """The S256 challenge of `verifier`: unpadded base64url of its SHA-256 digest."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@attrs.frozen
class AuthorizationRequest:
    """One sign-in attempt: the URL to open and what its redirect must match.

    Made by `AuthorizationCode.begin` / `PKCE.begin`. The `state` and the PKCE
    `code_verifier` stay out of `repr` (so does `url`, which contains the state).
    """

    url: str = attrs.field(repr=False)
    redirect_uri: RedirectURI
    scope: frozenset[str]
    state: str = attrs.field(repr=False)
    code_verifier: str | None = attrs.field(default=None, repr=False)


def authorization_request(
    accounts_url: str,
    client_id: str,
    redirect_uri: RedirectURI,
    scope: frozenset[str],
    *,
    show_dialog: bool,
    code_verifier: str | None = None,
    state: str | None = None,
) -> AuthorizationRequest:
    """A new sign-in attempt at the accounts service `accounts_url`.

    `state` defaults to 32 fresh random bytes (URL-safe); with a `code_verifier` (PKCE)
    the URL carries its S256 challenge, never the verifier itself.
    """
    state = secrets.token_urlsafe(32) if state is None else state
    params = {
        "client_id": client_id,
        "response_type": "code",
        "redirect_uri": redirect_uri.uri,
        "state": state,
        "show_dialog": "true" if show_dialog else "false",
    }
    if scope:
        params["scope"] = " ".join(sorted(scope))
    if code_verifier is not None:
        params["code_challenge_method"] = "S256"
        params["code_challenge"] = code_challenge(code_verifier)
    query = urllib.parse.urlencode(params, quote_via=urllib.parse.quote)
    url = f"{accounts_url.rstrip('/')}/authorize?{query}"
    return AuthorizationRequest(url, redirect_uri, scope, state, code_verifier)


def parse_redirect(redirect: str | Mapping[str, str]) -> dict[str, str]:
    """The query parameters of a redirect: a full URL, a query string or a mapping.

    Surrounding whitespace (a pasted line) and a `#fragment` are ignored.

    Raises:
        TypeError: `redirect` is neither a string nor a mapping.
    """
    if isinstance(redirect, Mapping):
        return {str(k): str(v) for k, v in redirect.items()}
    if not isinstance(redirect, str):
        raise TypeError(
            "the redirect must be a URL, a query string or a mapping, "
            f"not {type(redirect).__name__}"
        )
    text = redirect.strip()
    if "?" in text:
        text = text.split("?", 1)[1]
    elif "://" in text:
        text = ""
    text = text.split("#", 1)[0]
    return dict(urllib.parse.parse_qsl(text, keep_blank_values=True))


def code_from_redirect(redirect: str | Mapping[str, str], request: AuthorizationRequest) -> str:
    """Check a redirect against the attempt `request` and return its authorization code.

    Raises:
        StateMismatchError: its `state` is missing or is not the attempt's (checked
            first, in constant time, before anything else is read).
        AuthorizationDeniedError: `error=access_denied`.
        AuthorizationError: another `error`, or no `code`.
    """
    params = parse_redirect(redirect)
    state = params.get("state")
    if state is None or not hmac.compare_digest(state.encode(), request.state.encode()):
        raise StateMismatchError(
            "the redirect does not belong to this sign-in attempt (its state parameter "
            + ("is missing" if state is None else "does not match")
            + "); start the sign-in again",
            "state_mismatch",
        )
    error = params.get("error")
    if error is not None:
        description = params.get("error_description") or None
        if error == "access_denied":
            raise AuthorizationDeniedError(
                "the user did not allow the app access to their Spotify account",
                error,
                description,
            )
        raise AuthorizationError("Spotify refused the sign-in", error, description)
    code = params.get("code")
    if not code:
        raise AuthorizationError(
            "the redirect carries neither a code nor an error", "invalid_request"
        )
    return code
