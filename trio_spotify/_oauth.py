"""User sign-in: the authorization-code and PKCE strategies.

Both strategies walk the same three steps, and differ only in how the app proves who it is:

1. `authorize_url` (or `begin`) builds the
   `/authorize` URL the user opens: `client_id`, `response_type=code`, the
   `redirect_uri`, the space-separated `scope`, `show_dialog`, a fresh random
   `state` from `secrets` and, for PKCE, the S256 `code_challenge` of a fresh
   verifier (43-128 characters of `A-Z a-z 0-9 - . _ ~`).
2. Spotify sends the browser back to the redirect URI with `code` and `state` (or
   `error=access_denied`). `exchange` checks `state` first —
   a redirect that does not carry the state of this attempt is refused with
   `StateMismatch` before anything else is read — then turns `error=` into
   `AuthorizationDenied` / `AuthorizationError`, and trades the code for a
   token at `/api/token` (with the client secret for `AuthorizationCode`, with the
   code verifier for `PKCE`).
3. Given to `open_spotify`, the strategy is a `TokenRenewer`: the
   client starts from its `token` and calls `renew` — under the
   client's single-flight lock — which uses the refresh grant. A refresh answer that omits
   the refresh token keeps the old one; one that rotates it replaces it; either way the new
   token is saved to the strategy's `TokenStore` before `renew`
   returns, so a rotated refresh token is never lost. `invalid_grant` (refresh tokens
   expire six months after sign-in, or were revoked) raises
   `InvalidGrant` telling the user to sign in again; the stored token
   is left as it was.

`trio_spotify.login` runs steps 1-2 with a loopback listener and the user's browser.

Secrets — the client secret, access and refresh tokens, the code verifier and the
authorization code — appear in no `repr`, `str`, exception or log record.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import string
import urllib.parse
from collections.abc import Mapping
from typing import Any, ClassVar, Self

import attrs
import httpx
import trio

from ._auth import AccountsService, _read_env
from ._config import DEFAULT_ACCOUNTS_URL, DEFAULT_TIMEOUT
from ._errors import (
    AuthorizationDenied,
    AuthorizationError,
    InvalidGrant,
    RequestTimeout,
    SignInRequired,
    StateMismatch,
)
from ._redirect import RedirectURI, parse_redirect_uri
from ._scopes import ScopeArgument, scope_set
from ._store import TokenStore
from ._token import Token

__all__ = [
    "PKCE",
    "AuthorizationCode",
    "AuthorizationDenied",
    "AuthorizationError",
    "AuthorizationRequest",
    "SignInRequired",
    "StateMismatch",
    "code_challenge",
    "make_code_verifier",
]

#: How long a refresh that was sent is seen through after the caller was cancelled.
_REFRESH_GRACE = 60.0

logger = logging.getLogger("trio_spotify")

#: RFC 7636 §4.1: the characters a code verifier may use.
VERIFIER_ALPHABET = string.ascii_letters + string.digits + "-._~"


# -- errors ------------------------------------------------------------------------------


def _sign_in_required() -> SignInRequired:
    return SignInRequired(
        "the user is not signed in (no refresh token): run 'trio-spotify login' or "
        "'await trio_spotify.login(flow)', or load a saved token with 'await flow.restore()'",
        "no_refresh_token",
    )


# -- PKCE helpers ------------------------------------------------------------------------


def make_code_verifier(length: int = 128) -> str:
    """A fresh random PKCE code verifier of `length` characters (43-128)."""
    if not isinstance(length, int) or not 43 <= length <= 128:
        raise ValueError(f"a code verifier has 43 to 128 characters, not {length!r}")
    return "".join(secrets.choice(VERIFIER_ALPHABET) for _ in range(length))


def code_challenge(verifier: str) -> str:
    """The S256 challenge of `verifier`: unpadded base64url of its SHA-256 digest."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


# -- one sign-in attempt -----------------------------------------------------------------


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


def parse_redirect(redirect: str | Mapping[str, str]) -> dict[str, str]:
    """The query parameters of a redirect: a full URL, a query string or a mapping."""
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


def _reworded(exc: InvalidGrant, message: str) -> InvalidGrant:
    """`exc` with a message saying what to do; Spotify's error code and description kept."""
    return InvalidGrant(message, exc.error, exc.description, exc.status)


# -- the strategies ----------------------------------------------------------------------


class _UserSignIn:
    """What the two user strategies share; see the module documentation."""

    _flow_name: ClassVar[str]

    def __init__(
        self,
        client_id: str,
        redirect_uri: str | RedirectURI,
        *,
        scope: ScopeArgument = None,
        show_dialog: bool = False,
        accounts_url: str = DEFAULT_ACCOUNTS_URL,
        store: TokenStore | None = None,
        user: str = "default",
        token: Token | None = None,
    ) -> None:
        if not isinstance(client_id, str) or not client_id:
            raise ValueError("client_id must be a non-empty string")
        if not accounts_url.startswith(("http://", "https://")):
            raise ValueError(f"accounts_url must be an http(s) URL, not {accounts_url!r}")
        if not isinstance(user, str) or not user or "/" in user:
            raise ValueError(f"user must be a non-empty name without '/', not {user!r}")
        if token is not None and not isinstance(token, Token):
            raise TypeError(f"token must be a trio_spotify.Token, not {type(token).__name__}")
        self.client_id = client_id
        self.redirect_uri = parse_redirect_uri(redirect_uri)
        #: The scopes asked for at sign-in.
        self.scope = scope_set(scope)
        self.show_dialog = bool(show_dialog)
        self.accounts_url = accounts_url.rstrip("/")
        self.store = store
        self.user = user
        #: The current token (`None` until signed in); `open_spotify` starts from it.
        self.token = token
        self._pending: AuthorizationRequest | None = None
        self._lock = trio.Lock()

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} client_id={self.client_id!r} "
            f"redirect_uri={self.redirect_uri.uri!r} scope={sorted(self.scope)!r} "
            f"user={self.user!r} signed_in={self.token is not None}>"
        )

    @property
    def key(self) -> str:
        """The key this strategy's token is stored under: `"<client id>/<user>"`."""
        return f"{self.client_id}/{self.user}"

    # -- the parts that differ ---------------------------------------------------------

    def _client_secret(self) -> str | None:
        return None

    def _challenge_params(self, verifier: str | None) -> dict[str, str]:
        return {}

    def _new_verifier(self) -> str | None:
        return None

    @classmethod
    def _secret_from_env(cls) -> tuple[str, ...]:
        """The constructor's arguments between `client_id` and `redirect_uri`."""
        return ()

    # -- construction from the environment -----------------------------------------------

    @classmethod
    def from_env(
        cls,
        *,
        scope: ScopeArgument = None,
        redirect_uri: str | RedirectURI | None = None,
        show_dialog: bool = False,
        accounts_url: str = DEFAULT_ACCOUNTS_URL,
        store: TokenStore | None = None,
        user: str = "default",
    ) -> Self:
        """Read `SPOTIFY_CLIENT_ID`, `SPOTIFY_CLIENT_SECRET` (for
        `AuthorizationCode` only: PKCE needs no secret) and `SPOTIFY_REDIRECT_URI`.

        An explicit `redirect_uri` wins over the variable. Raises `LookupError`
        naming the first missing variable.
        """
        client_id = _read_env("SPOTIFY_CLIENT_ID")
        secret = cls._secret_from_env()
        uri = redirect_uri if redirect_uri is not None else _read_env("SPOTIFY_REDIRECT_URI")
        positional: tuple[Any, ...] = (client_id, *secret, uri)
        return cls(
            *positional,
            scope=scope,
            show_dialog=show_dialog,
            accounts_url=accounts_url,
            store=store,
            user=user,
        )

    # -- step 1: the authorize URL -------------------------------------------------------

    def begin(
        self, *, redirect_uri: str | RedirectURI | None = None, show_dialog: bool | None = None
    ) -> AuthorizationRequest:
        """Start a sign-in attempt: a fresh `state` (and PKCE verifier) and the URL to open.

        `redirect_uri` overrides the configured one for this attempt (`login` uses it to
        put the port it actually listens on into a loopback URI registered without one).
        The attempt becomes the one `exchange` expects, replacing any earlier one.
        """
        uri = self.redirect_uri if redirect_uri is None else parse_redirect_uri(redirect_uri)
        state = secrets.token_urlsafe(32)
        verifier = self._new_verifier()
        params = {
            "client_id": self.client_id,
            "response_type": "code",
            "redirect_uri": uri.uri,
            "state": state,
            "show_dialog": "true"
            if (self.show_dialog if show_dialog is None else show_dialog)
            else "false",
        }
        if self.scope:
            params["scope"] = " ".join(sorted(self.scope))
        params.update(self._challenge_params(verifier))
        query = urllib.parse.urlencode(params, quote_via=urllib.parse.quote)
        url = f"{self.accounts_url}/authorize?{query}"
        request = AuthorizationRequest(url, uri, self.scope, state, verifier)
        self._pending = request
        return request

    def authorize_url(self, *, redirect_uri: str | RedirectURI | None = None) -> str:
        """The `/authorize` URL of a new sign-in attempt (see `begin`)."""
        return self.begin(redirect_uri=redirect_uri).url

    # -- step 2: the redirect and the code exchange ----------------------------------------

    def check_redirect(
        self, redirect: str | Mapping[str, str], request: AuthorizationRequest | None = None
    ) -> str:
        """Check a redirect against `request` (default: the latest attempt); return its code.

        Raises `StateMismatch` when its `state` is missing or different,
        `AuthorizationDenied` for `error=access_denied`, `AuthorizationError`
        for another `error` or no `code`, and `RuntimeError` when no attempt was
        started. Not async: reads nothing but its arguments.
        """
        request = request if request is not None else self._pending
        if request is None:
            raise RuntimeError(
                "no sign-in attempt is in progress: call authorize_url() or begin() first"
            )
        params = parse_redirect(redirect)
        state = params.get("state")
        if state is None or not hmac.compare_digest(state.encode(), request.state.encode()):
            raise StateMismatch(
                "the redirect does not belong to this sign-in attempt (its state parameter "
                + ("is missing" if state is None else "does not match")
                + "); start the sign-in again",
                "state_mismatch",
            )
        error = params.get("error")
        if error is not None:
            description = params.get("error_description") or None
            if error == "access_denied":
                raise AuthorizationDenied(
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

    async def exchange(
        self,
        redirect: str | Mapping[str, str],
        *,
        request: AuthorizationRequest | None = None,
        accounts: AccountsService | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> Token:
        """Finish a sign-in: check the redirect, trade its code for a token, keep and save it.

        `redirect` is the URL the browser was sent back to (as pasted from the address bar),
        its query string, or its parameters. `request` is the attempt it answers (default:
        the latest `begin`). The token endpoint is reached through `accounts` if
        given, else through a short-lived httpx client on `transport` (default: the
        network) at `accounts_url`. The token becomes `token` and is saved to
        `store`.

        A checkpoint. Raises what `check_redirect` raises;
        `InvalidGrant` when the code is refused (used twice, expired,
        or for another redirect URI); `AuthenticationError`,
        `NetworkError` from the token request;
        `TokenStoreError` when saving fails (the token is kept).
        """
        request = request if request is not None else self._pending
        code = self.check_redirect(redirect, request)
        assert request is not None  # check_redirect raised otherwise
        if self._pending is request:
            self._pending = None  # a code and its state are good for one exchange only
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": request.redirect_uri.uri,
        }
        if request.code_verifier is not None:
            form["code_verifier"] = request.code_verifier
        if accounts is not None:
            token = await self._request_code_token(accounts, form)
        else:
            async with httpx.AsyncClient(
                transport=transport, trust_env=False, timeout=DEFAULT_TIMEOUT
            ) as client:
                token = await self._request_code_token(
                    AccountsService(client, self.accounts_url), form
                )
        async with self._lock:
            self.token = token
            await self._save(token)
        logger.info(
            "signed in with the %s flow; granted scopes: %s",
            self._flow_name,
            " ".join(sorted(token.scope)) or "(none)",
        )
        return token

    async def _request_code_token(self, accounts: AccountsService, form: dict[str, str]) -> Token:
        try:
            return await accounts.request_token(
                form, client_id=self.client_id, client_secret=self._client_secret()
            )
        except InvalidGrant as exc:
            raise _reworded(
                exc,
                "the authorization code was refused (codes are good for one use and a few "
                "minutes, and only with the redirect URI they were issued for); sign in again",
            ) from exc

    # -- persistence -----------------------------------------------------------------------

    async def _save(self, token: Token) -> None:
        if self.store is not None:
            await self.store.save(self.key, token)

    async def restore(self) -> Token | None:
        """Load this user's saved token from `store` and hold it, if it is usable.

        Returns `None` (and holds nothing new) when nothing is saved, when the saved token
        lacks some of the scopes this strategy asks for, or when it has expired without a
        refresh token: the user has to sign in. A checkpoint; raises
        `TokenStoreError` for an unreadable store and
        `RuntimeError` when the strategy has no store.
        """
        if self.store is None:
            raise RuntimeError("this strategy has no token store to restore from (store=...)")
        token = await self.store.load(self.key)
        if token is None:
            logger.info("no saved token for %s", self.key)
            return None
        missing = self.scope - token.scope
        if missing:
            logger.info(
                "the saved token for %s lacks the scope(s) %s: sign in again",
                self.key,
                " ".join(sorted(missing)),
            )
            return None
        expires_in = token.expires_in()
        if token.refresh_token is None and expires_in is not None and expires_in <= 0:
            logger.info("the saved token for %s expired and cannot be refreshed", self.key)
            return None
        self.token = token
        return token

    # -- step 3: renewal -----------------------------------------------------------------

    async def renew(self, accounts: AccountsService, stale: Token | None) -> Token:
        """Refresh the token with the refresh grant; save and return the new one.

        Called by the client under its single-flight lock. If another client sharing this
        strategy already replaced `stale` with a token that is still valid, that token is
        returned without asking Spotify again. A checkpoint. Raises
        `InvalidGrant` when the refresh token is refused (expired six
        months after sign-in, or revoked: sign in again; the saved token is not touched),
        `SignInRequired` when there is no refresh token,
        `AuthenticationError` / `NetworkError`
        from the token request and `TokenStoreError` when saving
        fails (the new token is still held, so the next renewal uses it).
        """
        async with self._lock:
            current = self.token
            if (
                current is not None
                and current is not stale
                and (stale is None or current.access_token != stale.access_token)
            ):
                left = current.expires_in()
                if left is None or left > 0:
                    # Replaced meanwhile (another client sharing this strategy, or restore()).
                    return current
            base = current if current is not None else stale
            if base is None or base.refresh_token is None:
                raise _sign_in_required()
            # Once sent, a refresh is seen through even if the caller is cancelled: its
            # answer may carry a rotated refresh token, and the old one may already be dead.
            # The shield is bounded; the accounts client's own timeouts fire well before.
            with trio.move_on_after(_REFRESH_GRACE) as grace:
                grace.shield = True
                token = await self._refresh(accounts, base)
            if grace.cancelled_caught:
                raise RequestTimeout(
                    f"the token refresh did not finish within {_REFRESH_GRACE:g} s",
                    "POST",
                    accounts.token_url,
                )
            await trio.lowlevel.checkpoint()  # deliver a cancellation that came meanwhile
            return token

    async def _refresh(self, accounts: AccountsService, base: Token) -> Token:
        """Send the refresh grant for `base`; hold and save what it returns."""
        assert base.refresh_token is not None
        try:
            token = await accounts.request_token(
                {"grant_type": "refresh_token", "refresh_token": base.refresh_token},
                client_id=self.client_id,
                client_secret=self._client_secret(),
                previous=base,
            )
        except InvalidGrant as exc:
            raise _reworded(
                exc,
                "the refresh token was refused — refresh tokens expire six months after "
                "sign-in and stop working when revoked; sign in again ('trio-spotify login' "
                "or 'await trio_spotify.login(flow)')",
            ) from exc
        rotated = token.refresh_token != base.refresh_token
        self.token = token
        logger.debug(
            "user token refreshed (%s flow, refresh token %s)",
            self._flow_name,
            "rotated" if rotated else "kept",
        )
        await self._save(token)
        return token


class AuthorizationCode(_UserSignIn):
    """The authorization-code flow, for apps that can keep a client secret.

    `AuthorizationCode(client_id, client_secret, redirect_uri, scope=[...])`; options
    (keyword-only): `scope` (a string, `Scope` members or names),
    `show_dialog` (make Spotify ask again even if the user already approved),
    `accounts_url` (where `/authorize` and the code exchange go; renewals go to the
    `accounts_url` of the client the strategy is given to), `store` (a
    `TokenStore` the token is saved to
    after sign-in and every renewal), `user` (a label naming this user in the store) and
    `token` (a token obtained earlier). Raises `ValueError` for an empty id or
    secret and `InvalidRedirectURI` for a redirect URI Spotify refuses.
    The secret never appears in `repr`.
    """

    _flow_name = "authorization code"

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        redirect_uri: str | RedirectURI,
        *,
        scope: ScopeArgument = None,
        show_dialog: bool = False,
        accounts_url: str = DEFAULT_ACCOUNTS_URL,
        store: TokenStore | None = None,
        user: str = "default",
        token: Token | None = None,
    ) -> None:
        if not isinstance(client_secret, str) or not client_secret:
            raise ValueError("client_secret must be a non-empty string")
        super().__init__(
            client_id,
            redirect_uri,
            scope=scope,
            show_dialog=show_dialog,
            accounts_url=accounts_url,
            store=store,
            user=user,
            token=token,
        )
        self._secret = client_secret

    def _client_secret(self) -> str | None:
        return self._secret

    @classmethod
    def _secret_from_env(cls) -> tuple[str, ...]:
        return (_read_env("SPOTIFY_CLIENT_SECRET"),)


class PKCE(_UserSignIn):
    """The authorization-code flow with PKCE, for apps that cannot keep a secret.

    `PKCE(client_id, redirect_uri, scope=[...])`, with the same keyword options as
    `AuthorizationCode` plus `verifier_length` (43-128, default 128). Every
    sign-in attempt gets a fresh code verifier; only its S256 challenge leaves the program
    before the code exchange. Spotify rotates PKCE refresh tokens: each works once, which
    is why renewals save the new one before returning.
    """

    _flow_name = "PKCE"

    def __init__(
        self,
        client_id: str,
        redirect_uri: str | RedirectURI,
        *,
        scope: ScopeArgument = None,
        show_dialog: bool = False,
        accounts_url: str = DEFAULT_ACCOUNTS_URL,
        store: TokenStore | None = None,
        user: str = "default",
        token: Token | None = None,
        verifier_length: int = 128,
    ) -> None:
        make_code_verifier(verifier_length)  # validates the length
        super().__init__(
            client_id,
            redirect_uri,
            scope=scope,
            show_dialog=show_dialog,
            accounts_url=accounts_url,
            store=store,
            user=user,
            token=token,
        )
        self.verifier_length = verifier_length

    def _new_verifier(self) -> str | None:
        return make_code_verifier(self.verifier_length)

    def _challenge_params(self, verifier: str | None) -> dict[str, str]:
        assert verifier is not None
        return {"code_challenge_method": "S256", "code_challenge": code_challenge(verifier)}
