"""What renews a token: the `TokenRenewer` interface, `ClientCredentials`, `read_env`.

`open_spotify(auth)` takes either a fixed `Token` or a `TokenRenewer`: any object with an
`async renew(accounts, stale)` method that returns a fresh `Token`. The client calls it
lazily (on first use), before the token expires, and after a 401 — always behind one lock
(see `TokenManager`), so that a thousand tasks meeting an expired token cause one call. A
renewer may also expose a `token` attribute holding a token it already has (a signed-in
user's), which the client starts from, and an `adopt(token)` method (`TokenAdopter`) if its
next renewal depends on the token it holds.

`ClientCredentials` is the simplest renewer: the app's own token, asked for again each time.
The user sign-in strategies (`AuthorizationCode`, `PKCE`) are renewers too.

`read_env` is how every strategy's `from_env` reads its configuration.
"""

from __future__ import annotations

import os
from typing import Protocol, runtime_checkable

import attrs

from ._token import Token
from ._token_endpoint import AccountsService

__all__ = ["ClientCredentials", "TokenAdopter", "TokenRenewer", "read_env"]


@runtime_checkable
class TokenRenewer(Protocol):
    """Anything that can obtain a fresh access token.

    `renew` is called with the client's `AccountsService` and the token being
    replaced (`None` on first use). It is a checkpoint, may raise
    `AuthenticationError`, and is never called concurrently by one
    client: the client serialises renewals behind a lock.
    """

    async def renew(self, accounts: AccountsService, stale: Token | None) -> Token: ...


@runtime_checkable
class TokenAdopter(Protocol):
    """A `TokenRenewer` whose next renewal depends on the token it holds (a refresh token).

    A coordinator that shares tokens between processes (`trio_spotify.redis`) calls `adopt`
    with the shared token before it asks for a renewal, so that the renewer refreshes with
    the latest refresh token: another process may have rotated it. Not a checkpoint.
    """

    def adopt(self, token: Token) -> None: ...


def read_env(name: str) -> str:
    """The value of the environment variable `name`.

    Raises:
        LookupError: the variable is unset or empty; the message names it.
    """
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

        Raises:
            LookupError: naming the variable that is missing.
        """
        return cls(read_env("SPOTIFY_CLIENT_ID"), read_env("SPOTIFY_CLIENT_SECRET"))

    async def renew(self, accounts: AccountsService, stale: Token | None) -> Token:
        """Request a new app token.

        A checkpoint.

        Raises:
            AuthenticationError: the accounts service refused.
            NetworkError: it could not be reached.
        """
        return await accounts.request_token(
            {"grant_type": "client_credentials"},
            client_id=self.client_id,
            client_secret=self.client_secret,
        )
