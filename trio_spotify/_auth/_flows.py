"""User sign-in: the authorization-code and PKCE strategies.

Both strategies walk the same three steps and differ only in how the app proves who it is
(the client secret for `AuthorizationCode`, a fresh code verifier per attempt for `PKCE`):

1. `begin` (or `authorize_url`) starts an attempt: the `/authorize` URL to open, with a
   fresh `state` (see `_authorize.py`, which does this without I/O).
2. `exchange` checks the redirect the browser came back with (`state` first) and trades
   its code for a token at `/api/token`, then holds the token and saves it to the
   strategy's `TokenStore`.
3. Given to `open_spotify`, the strategy is a `TokenRenewer`: the client starts from its
   `token` and calls `renew` — under the client's single-flight lock — which uses the
   refresh grant. A refresh answer that omits the refresh token keeps the old one; one
   that rotates it replaces it; either way the new token is saved before `renew` returns,
   so a rotated refresh token is never lost. `invalid_grant` (refresh tokens expire six
   months after sign-in, or were revoked) raises `InvalidGrantError` telling the user to
   sign in again; the stored token is left as it was.

What the two strategies share — every keyword option, its default and its check — is
written once, as the attrs fields of `UserSignIn`; `SignInOptions` types the same options
for `from_env` (a test keeps the two in step). `trio_spotify.login` runs steps 1-2 with a
loopback listener and the user's browser.

Secrets — the client secret, access and refresh tokens, the code verifier and the
authorization code — appear in no `repr`, `str`, exception or log record.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar, Self, TypedDict, Unpack

import attrs
import httpx
import trio

from .._config import DEFAULT_ACCOUNTS_URL, DEFAULT_TIMEOUT
from .._errors import InvalidGrantError, RequestTimeoutError, SignInRequiredError
from ._authorize import (
    AuthorizationRequest,
    authorization_request,
    code_from_redirect,
    make_code_verifier,
)
from ._credentials import read_env
from ._redirect import RedirectURI, parse_redirect_uri
from ._scopes import ScopeArgument, scope_set
from ._store import TokenStore
from ._token import Token
from ._token_endpoint import AccountsService

__all__ = ["PKCE", "AuthorizationCode", "SignInOptions", "UserSignIn"]

#: How long a refresh that was sent is seen through after the caller was cancelled.
_REFRESH_GRACE = 60.0

logger = logging.getLogger("trio_spotify")


# -- checks of the constructor arguments ---------------------------------------------------


def _non_empty(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{attribute.name} must be a non-empty string")


def _accounts_url(url: str) -> str:
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ValueError(f"accounts_url must be an http(s) URL, not {url!r}")
    return url.rstrip("/")


def _user_name(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value or "/" in value:
        raise ValueError(f"user must be a non-empty name without '/', not {value!r}")


def _optional_token(
    instance: object, attribute: attrs.Attribute[Token | None], value: object
) -> None:
    if value is not None and not isinstance(value, Token):
        raise TypeError(f"token must be a trio_spotify.Token, not {type(value).__name__}")


def _verifier_length(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    make_code_verifier(value)  # raises ValueError for a length out of 43-128


def _sign_in_required() -> SignInRequiredError:
    return SignInRequiredError(
        "the user is not signed in (no refresh token): run 'trio-spotify login' or "
        "'await trio_spotify.login(flow)', or load a saved token with 'await flow.restore()'",
        "no_refresh_token",
    )


def _reworded(exc: InvalidGrantError, message: str) -> InvalidGrantError:
    """`exc` with a message saying what to do; Spotify's error code and description kept."""
    return InvalidGrantError(message, exc.error, exc.description, exc.status)


# -- the options, once ----------------------------------------------------------------------


class SignInOptions(TypedDict, total=False):
    """The keyword options of every user sign-in strategy, as `from_env` takes them.

    The same names, types and defaults as the keyword-only fields of `UserSignIn`.
    """

    scope: ScopeArgument
    show_dialog: bool
    accounts_url: str
    store: TokenStore | None
    user: str
    token: Token | None


@attrs.define(eq=False, repr=False)
class UserSignIn:
    """What the user sign-in strategies share; construct `AuthorizationCode` or `PKCE`.

    The keyword options — their names, defaults and checks — are the keyword-only fields
    below, written once for both strategies and described in `AuthorizationCode`.
    """

    _flow_name: ClassVar[str]

    client_id: str = attrs.field(validator=_non_empty)
    redirect_uri: RedirectURI = attrs.field(converter=parse_redirect_uri)
    #: The scopes asked for at sign-in.
    scope: frozenset[str] = attrs.field(default=None, converter=scope_set, kw_only=True)
    show_dialog: bool = attrs.field(default=False, converter=bool, kw_only=True)
    accounts_url: str = attrs.field(
        default=DEFAULT_ACCOUNTS_URL, converter=_accounts_url, kw_only=True
    )
    store: TokenStore | None = attrs.field(default=None, kw_only=True)
    user: str = attrs.field(default="default", validator=_user_name, kw_only=True)
    #: The current token (`None` until signed in); `open_spotify` starts from it.
    token: Token | None = attrs.field(default=None, validator=_optional_token, kw_only=True)
    _pending: AuthorizationRequest | None = attrs.field(default=None, init=False)
    _lock: trio.Lock = attrs.field(factory=trio.Lock, init=False)

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
        redirect_uri: str | RedirectURI | None = None,
        **options: Unpack[SignInOptions],
    ) -> Self:
        """Read `SPOTIFY_CLIENT_ID`, `SPOTIFY_CLIENT_SECRET` (for `AuthorizationCode`
        only: PKCE needs no secret) and `SPOTIFY_REDIRECT_URI`.

        An explicit `redirect_uri` wins over the variable; `options` are the keyword
        options of the constructor.

        Raises:
            LookupError: naming the first missing variable.
        """
        client_id = read_env("SPOTIFY_CLIENT_ID")
        secret = cls._secret_from_env()
        uri = redirect_uri if redirect_uri is not None else read_env("SPOTIFY_REDIRECT_URI")
        positional: tuple[Any, ...] = (client_id, *secret, uri)
        return cls(*positional, **options)

    # -- step 1: the authorize URL -------------------------------------------------------

    def begin(
        self, *, redirect_uri: str | RedirectURI | None = None, show_dialog: bool | None = None
    ) -> AuthorizationRequest:
        """Start a sign-in attempt: a fresh `state` (and PKCE verifier) and the URL to open.

        `redirect_uri` overrides the configured one for this attempt (`login` uses it to
        put the port it actually listens on into a loopback URI registered without one).
        The attempt becomes the one `exchange` expects, replacing any earlier one.
        """
        request = authorization_request(
            self.accounts_url,
            self.client_id,
            self.redirect_uri if redirect_uri is None else parse_redirect_uri(redirect_uri),
            self.scope,
            show_dialog=self.show_dialog if show_dialog is None else show_dialog,
            code_verifier=self._new_verifier(),
        )
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

        Not async: reads nothing but its arguments.

        Raises:
            StateMismatchError: its `state` is missing or different.
            AuthorizationDeniedError: `error=access_denied`.
            AuthorizationError: another `error`, or no `code`.
            RuntimeError: no attempt was started.
        """
        request = request if request is not None else self._pending
        if request is None:
            raise RuntimeError(
                "no sign-in attempt is in progress: call authorize_url() or begin() first"
            )
        return code_from_redirect(redirect, request)

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

        A checkpoint.

        Raises:
            StateMismatchError: see `check_redirect`, which raises first.
            InvalidGrantError: the code is refused (used twice, expired, or for another
                redirect URI).
            AuthenticationError: another refusal of the token request.
            NetworkError: the accounts service could not be reached.
            TokenStoreError: saving failed (the token is kept).
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
        except InvalidGrantError as exc:
            raise _reworded(
                exc,
                "the authorization code was refused (codes are good for one use and a few "
                "minutes, and only with the redirect URI they were issued for); sign in again",
            ) from exc

    def adopt(self, token: Token) -> None:
        """Hold `token`, obtained elsewhere (shared by another process): the next renewal
        refreshes with its refresh token. Not a checkpoint (`TokenAdopter`)."""
        self.token = token

    # -- persistence -----------------------------------------------------------------------

    async def _save(self, token: Token) -> None:
        if self.store is not None:
            await self.store.save(self.key, token)

    async def restore(self) -> Token | None:
        """Load this user's saved token from `store` and hold it, if it is usable.

        Returns `None` (and holds nothing new) when nothing is saved, when the saved token
        lacks some of the scopes this strategy asks for, or when it has expired without a
        refresh token: the user has to sign in. A checkpoint.

        Raises:
            TokenStoreError: the store cannot be read.
            RuntimeError: the strategy has no store.
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
        returned without asking Spotify again. A checkpoint; once sent, a refresh is seen
        through (shielded, for at most a minute) even if the caller is cancelled.

        Raises:
            InvalidGrantError: the refresh token is refused (expired six months after
                sign-in, or revoked: sign in again; the saved token is not touched).
            SignInRequiredError: there is no refresh token.
            AuthenticationError: another refusal of the token request.
            NetworkError: the accounts service could not be reached.
            RequestTimeoutError: a refresh seen through after a cancellation took too long.
            TokenStoreError: saving failed (the new token is still held, so the next
                renewal uses it).
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
                raise RequestTimeoutError(
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
        except InvalidGrantError as exc:
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


@attrs.define(eq=False, repr=False)
class AuthorizationCode(UserSignIn):
    """The authorization-code flow, for apps that can keep a client secret.

    `AuthorizationCode(client_id, client_secret, redirect_uri, scope=[...])`; everything
    after `redirect_uri` is keyword-only and shared with `PKCE`.

    Attributes:
        client_id: the app's client ID.
        client_secret: the app's client secret; it never appears in `repr`.
        redirect_uri: where Spotify sends the browser back, checked against Spotify's
            rules by `parse_redirect_uri`.
        scope: the scopes to ask for at sign-in: a space-separated string, `Scope`
            members or names.
        show_dialog: make Spotify ask the user again even if they already approved.
        accounts_url: where `/authorize` and the code exchange go (renewals go to the
            `accounts_url` of the client the strategy is given to).
        store: a `TokenStore` the token is saved to after sign-in and every renewal.
        user: a label naming this user in the store (no `/`).
        token: a token obtained earlier, which the client starts from.

    Raises:
        ValueError: an empty id or secret, a `user` with `/`, or an `accounts_url` that is
            not http(s).
        InvalidRedirectURIError: a redirect URI Spotify refuses.
    """

    _flow_name = "authorization code"

    client_secret: str = attrs.field(repr=False, validator=_non_empty)
    # Declared again so that it comes after the secret, as in `(id, secret, uri)`.
    redirect_uri: RedirectURI = attrs.field(converter=parse_redirect_uri)

    def _client_secret(self) -> str | None:
        return self.client_secret

    @classmethod
    def _secret_from_env(cls) -> tuple[str, ...]:
        return (read_env("SPOTIFY_CLIENT_SECRET"),)


@attrs.define(eq=False, repr=False)
class PKCE(UserSignIn):
    """The authorization-code flow with PKCE, for apps that cannot keep a secret.

    `PKCE(client_id, redirect_uri, scope=[...])`, with the keyword options of
    `AuthorizationCode` plus `verifier_length`. Every sign-in attempt gets a fresh code
    verifier; only its S256 challenge leaves the program before the code exchange. Spotify
    rotates PKCE refresh tokens: each works once, which is why renewals save the new one
    before returning.

    Attributes:
        verifier_length: the length of the code verifiers, 43 to 128 (default 128).

    Raises:
        ValueError: as for `AuthorizationCode`, and for a `verifier_length` out of range.
        InvalidRedirectURIError: a redirect URI Spotify refuses.
    """

    _flow_name = "PKCE"

    verifier_length: int = attrs.field(default=128, validator=_verifier_length, kw_only=True)

    def _new_verifier(self) -> str | None:
        return make_code_verifier(self.verifier_length)
