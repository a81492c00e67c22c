"""The client of Spotify's accounts service: `POST /api/token`.

`AccountsService` is what a `TokenRenewer` is handed: a small client of the token endpoint
that runs on its own httpx client, outside the request limiter (so a renewal never waits
behind API requests). It authenticates the app (the Basic header with a client secret, or
`client_id` in the form for PKCE), decodes the answer into a `Token` (keeping the old
refresh token when a refresh answer omits it), and raises `AuthenticationError` with the
RFC 6749 error code when the service refuses.

A transient failure of the service does not stop every request waiting for a token: a 5xx
answer or a transport failure is retried with the client's back-off (`RetryPolicy`), up
to `max_attempts` in all — except for the `authorization_code` grant, whose code is single
use: it is sent again only when the request cannot have reached the service.

No exception raised here carries a body of the token endpoint: a token answer that cannot
be decoded is reported without a preview, because a cut-off answer still holds the tokens.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from typing import Any

import httpx
import trio

from .._config import RetryPolicy
from .._errors import (
    AuthenticationError,
    NetworkError,
    ResponseDecodeError,
    authentication_error_from_response,
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

    def __init__(
        self, client: httpx.AsyncClient, url: str, *, retry: RetryPolicy | None = None
    ) -> None:
        self._client = client
        self._retry = retry if retry is not None else RetryPolicy()
        #: Base URL of the accounts service, e.g. `https://accounts.spotify.com`.
        self.url: str = url.rstrip("/")

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
        if client_secret is None:
            data.setdefault("client_id", client_id)
        single_use = data.get("grant_type") == "authorization_code"
        failures = 0
        while True:
            # The lifetime counts from when the request was sent: an upper bound on the
            # moment the service started it, so the expiry is never later than the service's.
            sent = time.time()
            try:
                response = await self._post(url, data, client_id, client_secret)
            except NetworkError as error:
                if not self._may_retry(failures, single_use and error.reached_server, error):
                    raise
            else:
                if response.status_code < 500 or not self._may_retry(
                    failures, single_use, authentication_error_from_response(response)
                ):
                    break
            failures += 1
            await trio.sleep(self._retry.backoff(failures))
        if response.status_code != 200:
            raise authentication_error_from_response(response)
        body = _token_answer(response)
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

    async def _post(
        self, url: httpx.URL, data: dict[str, str], client_id: str, client_secret: str | None
    ) -> httpx.Response:
        """One POST to the token endpoint. A checkpoint; raises `NetworkError`."""
        start = trio.current_time()
        with map_transport_errors("POST", url):
            if client_secret is None:
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
        return response

    def _may_retry(self, failures: int, forbidden: bool, error: Exception) -> bool:
        """Whether a failed token request is sent again (`forbidden`: it may have been
        applied); logs the failure either way."""
        again = not forbidden and failures + 1 < self._retry.max_attempts
        if isinstance(error, NetworkError) and error.malformed:
            again = False
        logger.info(
            "token request failed (%s)%s",
            type(error).__name__ if isinstance(error, NetworkError) else _status_of(error),
            "; retrying" if again else "",
        )
        return again


def _status_of(error: Exception) -> str:
    return f"status {error.status}" if isinstance(error, AuthenticationError) else "error"


def _token_answer(response: httpx.Response) -> Any:
    """The decoded answer, or `None` when it is not JSON.

    Decoded here rather than by `decode_json`, whose errors quote the start of the body:
    a cut-off token answer still holds the tokens. The `ValueError` is dropped inside this
    function, so no exception raised later has it (or its `doc`, the body) as context.
    """
    try:
        return json.loads(response.content)
    except ValueError:
        return None
