"""How the client obtains access tokens: the strategy interface and client credentials.

`open_spotify(auth)` takes either a fixed `Token` or a
`TokenRenewer`: any object with an `async renew(accounts, stale)` method that
returns a fresh `Token`. The client calls it lazily (on first use),
before the token expires, and after a 401 — always behind one lock, so that a thousand
tasks meeting an expired token cause one call. A renewer may also expose a `token`
attribute holding a token it already has (a signed-in user's), which the client starts from.

`AccountsService` is what a renewer is handed: a small client of Spotify's accounts
service (`POST /api/token`) that runs outside the request limiter, decodes the answer into
a `Token` (keeping the old refresh token when a refresh answer omits it)
and raises `AuthenticationError` with the RFC 6749 error code.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from typing import Protocol, runtime_checkable

import attrs
import httpx
import trio

from ._errors import (
    ResponseDecodeError,
    authentication_error_from_response,
    decode_json,
    map_transport_errors,
)
from ._token import Token

__all__ = ["AccountsService", "ClientCredentials", "TokenRenewer"]

logger = logging.getLogger("trio_spotify")


class AccountsService:
    """A client of Spotify's accounts service, handed to `TokenRenewer` strategies.

    Not constructed by users: `open_spotify` builds one on its own small httpx client
    (outside the API request limiter, so a renewal never waits behind API requests).
    """

    def __init__(self, client: httpx.AsyncClient, url: str) -> None:
        self._client = client
        #: Base URL of the accounts service, e.g. `https://accounts.spotify.com`.
        self.url = url.rstrip("/")

    @property
    def token_url(self) -> str:
        return f"{self.url}/api/token"

    async def request_token(
        self,
        form: Mapping[str, str],
        *,
        client_id: str,
        client_secret: str | None = None,
        previous: Token | None = None,
    ) -> Token:
        """POST `form` to `/api/token` and return the token it grants.

        With `client_secret` the client authenticates with the Basic header; without it
        (PKCE) `client_id` goes into the form. `previous` is the token being refreshed:
        its refresh token is kept if the answer omits one.

        A checkpoint. Raises `AuthenticationError` (or its subclass
        `InvalidGrant`) when the service refuses,
        `NetworkError` when it cannot be reached and
        `ResponseDecodeError` for an answer that is not a token.
        """
        data = dict(form)
        url = httpx.URL(self.token_url)
        start = trio.current_time()
        # The lifetime counts from when the request was sent: an upper bound on the moment
        # the service started it, so the expiry is never later than the service's.
        sent = time.time()
        with map_transport_errors("POST", url):
            if client_secret is None:
                data.setdefault("client_id", client_id)
                response = await self._client.post(url, data=data)
            else:
                basic = httpx.BasicAuth(client_id, client_secret)
                response = await self._client.post(url, data=data, auth=basic)
        logger.debug(
            "POST %s grant_type=%s -> %d (%.3fs)",
            url,
            data.get("grant_type"),
            response.status_code,
            trio.current_time() - start,
        )
        if response.status_code != 200:
            raise authentication_error_from_response(response)
        body = decode_json(response)
        if not isinstance(body, dict):
            raise ResponseDecodeError(
                "the token endpoint answered without a JSON object", response.status_code, ""
            )
        try:
            return Token.from_token_response(body, previous=previous, now=sent)
        except ValueError as exc:
            # The message names what was wrong, never a value that could be a secret.
            raise ResponseDecodeError(
                f"the token endpoint's answer is not a usable token: {exc}",
                response.status_code,
                "",
            ) from None


@runtime_checkable
class TokenRenewer(Protocol):
    """Anything that can obtain a fresh access token.

    `renew` is called with the client's `AccountsService` and the token being
    replaced (`None` on first use). It is a checkpoint, may raise
    `AuthenticationError`, and is never called concurrently by one
    client: the client serialises renewals behind a lock.
    """

    async def renew(self, accounts: AccountsService, stale: Token | None) -> Token: ...


def _read_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise LookupError(f"the environment variable {name} is not set")
    return value


@attrs.frozen
class ClientCredentials:
    """The client-credentials grant: an app's own token, for catalog data (no user).

    Renewing asks the accounts service again (there is no refresh token in this grant).
    The secret never appears in `repr`.
    """

    client_id: str
    client_secret: str = attrs.field(repr=False)

    @classmethod
    def from_env(cls) -> ClientCredentials:
        """Read `SPOTIFY_CLIENT_ID` and `SPOTIFY_CLIENT_SECRET`.

        Raises `LookupError` naming the variable that is missing.
        """
        return cls(_read_env("SPOTIFY_CLIENT_ID"), _read_env("SPOTIFY_CLIENT_SECRET"))

    async def renew(self, accounts: AccountsService, stale: Token | None) -> Token:
        """Request a new app token.

        A checkpoint; raises `AuthenticationError` when refused.
        """
        return await accounts.request_token(
            {"grant_type": "client_credentials"},
            client_id=self.client_id,
            client_secret=self.client_secret,
        )
