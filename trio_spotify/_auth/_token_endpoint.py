"""The client of Spotify's accounts service: `POST /api/token`.

`AccountsService` is what a `TokenRenewer` is handed: a small client of the token endpoint
that runs on its own httpx client, outside the request limiter (so a renewal never waits
behind API requests). It authenticates the app (the Basic header with a client secret, or
`client_id` in the form for PKCE), decodes the answer into a `Token` (keeping the old
refresh token when a refresh answer omits it), and raises `AuthenticationError` with the
RFC 6749 error code when the service refuses.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

import httpx
import trio

from .._errors import (
    ResponseDecodeError,
    authentication_error_from_response,
    decode_json,
    map_transport_errors,
)
from ._token import Token

__all__ = ["AccountsService"]

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
        """The token endpoint: `<url>/api/token`."""
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

        A checkpoint.

        Raises:
            AuthenticationError: the service refused (its subclass `InvalidGrantError` for
                `invalid_grant`).
            NetworkError: the service could not be reached.
            ResponseDecodeError: the answer is not a token.
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
