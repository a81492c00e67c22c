"""The exceptions trio_spotify raises, and the one place where httpx's become ours.

The tree:

    SpotifyError
    ├── ClientClosedError          the client was used after its `async with` block ended
    ├── NetworkError               httpx failed to send or receive (wraps the httpx exception)
    │   └── RequestTimeoutError    one of the transport's safety timeouts fired
    ├── AuthenticationError        the accounts service refused a token request (RFC 6749 body)
    │   ├── InvalidGrantError      the code or refresh token is no longer valid: sign in again
    │   ├── AuthorizationError     the authorization redirect granted no code
    │   │   ├── AuthorizationDeniedError  the user (or Spotify) refused: `error=access_denied`
    │   │   └── StateMismatchError        the redirect's `state` is not this attempt's
    │   └── SignInRequiredError    no token to refresh: the user must sign in first
    ├── SpotifyAPIError            the Web API answered with a non-2xx status
    │   ├── BadRequestError        400
    │   ├── TokenExpiredError      401, also after the single renewal-and-retry
    │   ├── ForbiddenError         403
    │   │   └── MissingScopeError  403 where the token lacks a scope the endpoint needs
    │   ├── NotFoundError          404
    │   ├── RateLimitError         429 that will not be waited out (too long, or a quota)
    │   └── ServerError            5xx, after the retries ran out
    ├── ResponseDecodeError        a 2xx body that is not the JSON Spotify promises
    ├── InvalidRedirectURIError    a redirect URI Spotify would refuse (also a `ValueError`)
    ├── TokenStoreError            a token store could not be read or written
    └── RedisUnavailableError      Redis (`trio_spotify.redis`) cannot be reached or failed

Every name ends in `Error`. The earlier names stay as aliases of the same classes:
`TokenExpired`, `RateLimitExceeded` (async_spotify's), `BadRequest`, `Forbidden`,
`MissingScope`, `NotFound`, `RequestTimeout`, `InvalidGrant`, `AuthorizationDenied`,
`StateMismatch`, `SignInRequired` and `InvalidRedirectURI`; `except TokenExpired:` and
`except TokenExpiredError:` catch the same exceptions.

`NetworkError.reached_server` and `NetworkError.malformed` say whether a transport failure
is safe to retry.

Every exception is an attrs class with positional fields (so it pickles) and an explicit
`__str__`. No exception carries a token, a secret or a full response body: the fields
that hold a response are left out of `repr`, and messages only quote what Spotify said.

`trio.Cancelled` is never caught or wrapped here: `map_transport_errors` catches
`httpx.TransportError` only.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import attrs
import httpx

__all__ = [
    "AuthenticationError",
    "AuthorizationDenied",
    "AuthorizationDeniedError",
    "AuthorizationError",
    "BadRequest",
    "BadRequestError",
    "ClientClosedError",
    "Forbidden",
    "ForbiddenError",
    "InvalidGrant",
    "InvalidGrantError",
    "InvalidRedirectURI",
    "InvalidRedirectURIError",
    "MissingScope",
    "MissingScopeError",
    "NetworkError",
    "NotFound",
    "NotFoundError",
    "RateLimitError",
    "RateLimitExceeded",
    "RedisUnavailableError",
    "RequestTimeout",
    "RequestTimeoutError",
    "ResponseDecodeError",
    "ServerError",
    "SignInRequired",
    "SignInRequiredError",
    "SpotifyAPIError",
    "SpotifyError",
    "StateMismatch",
    "StateMismatchError",
    "TokenExpired",
    "TokenExpiredError",
    "TokenStoreError",
]

#: How much of an undecodable body a `ResponseDecodeError` keeps.
_TEXT_PREVIEW = 200


@attrs.define(str=False)
class SpotifyError(Exception):
    """Base class of every exception raised by trio_spotify."""

    message: str

    def __str__(self) -> str:
        return self.message


@attrs.define(str=False)
class ClientClosedError(SpotifyError, RuntimeError):
    """The client was used after its `async with open_spotify(...)` block ended."""


@attrs.define(str=False)
class NetworkError(SpotifyError):
    """Sending the request or receiving the answer failed below HTTP.

    The httpx exception is the `__cause__`. `method` and `url` say which request.
    Two fields say what the failure means for a retry (`map_transport_errors` sets them,
    and the handler reads only them, never httpx's classes):

    - `reached_server`: whether the request may have reached the server. `False` only
      when it certainly did not: the connection could not be made (a refused or failed
      connect, the connect timeout) or no connection of the pool became free in time.
      A request that cannot have reached the server is safe to send again, even a POST.
    - `malformed`: the request itself could not be sent as given (httpx refused it
      locally, such as a header value HTTP cannot carry): sending it again cannot help.
    """

    method: str
    url: str
    reached_server: bool = True
    malformed: bool = False

    def __str__(self) -> str:
        return f"{self.message} ({self.method} {self.url})"


@attrs.define(str=False)
class RequestTimeoutError(NetworkError):
    """One of the transport's safety timeouts (connect, read, write, pool) fired.

    These are configuration passed once to `open_spotify`; a caller's own deadline
    (`trio.fail_after`) raises `trio.TooSlowError` instead, as it should.
    """


@attrs.define(str=False)
class AuthenticationError(SpotifyError):
    """The accounts service refused a token request.

    `error` is the RFC 6749 code (`invalid_client`, `invalid_grant`, ...),
    `description` Spotify's `error_description`, `status` the HTTP status.
    """

    error: str
    description: str | None = None
    status: int | None = None

    def __str__(self) -> str:
        text = f"{self.message}: {self.error}"
        if self.description:
            text += f" ({self.description})"
        return text


@attrs.define(str=False)
class InvalidGrantError(AuthenticationError):
    """The authorization code or refresh token is no longer valid.

    Refresh tokens expire six months after the user signed in, and a revoked or rotated one
    stops working at once: the user must sign in again. The stored token is left untouched.
    """


@attrs.define(str=False)
class AuthorizationError(AuthenticationError):
    """The authorization redirect did not grant a code.

    `error` is the `error` parameter of the redirect (RFC 6749 §4.1.2.1), or
    `invalid_request` for a redirect that carries neither a code nor an error.
    """


@attrs.define(str=False)
class AuthorizationDeniedError(AuthorizationError):
    """The user (or Spotify) refused the sign-in: the redirect carried `error=access_denied`."""


@attrs.define(str=False)
class StateMismatchError(AuthorizationError):
    """The redirect's `state` is not the one this sign-in attempt sent.

    The redirect did not come from this attempt (a stale browser tab, another attempt, or a
    forged request — the CSRF that `state` exists to stop); it is refused unread.
    """


@attrs.define(str=False)
class SignInRequiredError(AuthenticationError):
    """The strategy holds no token to refresh: the user has to sign in first."""


@attrs.define(str=False)
class SpotifyAPIError(SpotifyError):
    """The Web API answered with a status that is not a success.

    `status` is the HTTP status, `message` Spotify's `error.message` (or the reason
    phrase when the body has none), `reason` Spotify's `error.reason` where present
    (player errors, `QUOTA_EXCEEDED`), `method` and `url` the request.
    """

    status: int
    reason: str | None
    method: str
    url: str

    def __str__(self) -> str:
        text = f"{self.status} {self.message}"
        if self.reason:
            text += f" [{self.reason}]"
        return f"{text} ({self.method} {self.url})"


@attrs.define(str=False)
class BadRequestError(SpotifyAPIError):
    """400: Spotify found the request malformed (an invalid ID, a limit out of range, ...)."""


@attrs.define(str=False)
class TokenExpiredError(SpotifyAPIError):
    """401: the access token was refused even after one renewal and retry, or cannot be renewed."""


@attrs.define(str=False)
class ForbiddenError(SpotifyAPIError):
    """403: refused — a missing scope, Premium required, or a development-mode restriction."""


@attrs.define(str=False)
class MissingScopeError(ForbiddenError):
    """403 on an endpoint whose required scopes the token was not granted.

    `required` lists the scopes the endpoint needs, `granted` those the token has.
    """

    required: frozenset[str] = frozenset()
    granted: frozenset[str] = frozenset()

    def __str__(self) -> str:
        missing = ", ".join(sorted(self.required - self.granted)) or "unknown"
        return (
            f"{super().__str__()}: the token lacks the scope(s) {missing}; "
            "sign in again asking for them"
        )


@attrs.define(str=False)
class NotFoundError(SpotifyAPIError):
    """404: no such object, or (player) no active device."""


@attrs.define(str=False)
class RateLimitError(SpotifyAPIError):
    """429 that the client will not wait out.

    Raised at once when `Retry-After` exceeds the client's `max_retry_after`, or when the
    body says `QUOTA_EXCEEDED` (a quota does not reset in seconds). `retry_after` is the
    number of seconds Spotify asked for, or `None` when it gave none.
    """

    retry_after: float | None = None

    def __str__(self) -> str:
        text = super().__str__()
        if self.retry_after is not None:
            text += f"; retry after {self.retry_after:g} s"
        return text


@attrs.define(str=False)
class ServerError(SpotifyAPIError):
    """5xx: Spotify failed, and retrying did not help (or was not safe)."""


@attrs.define(str=False)
class ResponseDecodeError(SpotifyError):
    """A response body that should be JSON is not.

    `status` is the HTTP status and `text` the start of the body (at most 200 characters).
    """

    status: int
    text: str = attrs.field(repr=False)

    def __str__(self) -> str:
        return f"{self.message} (status {self.status}): {self.text!r}"


@attrs.define(str=False)
class InvalidRedirectURIError(SpotifyError, ValueError):
    """A redirect URI that Spotify would refuse (`localhost`, plain http, a fragment, ...).

    `uri` is the URI as given (redirect URIs hold no secret).
    """

    uri: str

    def __str__(self) -> str:
        return f"invalid redirect URI {self.uri!r}: {self.message}"


@attrs.define(str=False)
class TokenStoreError(SpotifyError):
    """A token store could not be read or written.

    `path` is the file concerned (`None` for other stores). A file that cannot be parsed
    is left untouched: move it away or delete it, then sign in again.
    """

    path: str | None = None

    def __str__(self) -> str:
        return self.message if self.path is None else f"{self.message} ({self.path})"


@attrs.define(str=False)
class RedisUnavailableError(SpotifyError):
    """The Redis server that coordinates processes (`trio_spotify.redis`) cannot be used.

    Raised by `open_redis_coordinator` when the server cannot be reached at open, and by
    requests while it is lost mid-run (until it is back; requests already sent finish).
    `url` is the server's URL with any password removed; the cause (`__cause__`) is the
    Redis client's exception.
    """

    url: str

    def __str__(self) -> str:
        return f"{self.message} (Redis at {self.url})"


_STATUS_ERRORS: dict[int, type[SpotifyAPIError]] = {
    400: BadRequestError,
    401: TokenExpiredError,
    403: ForbiddenError,
    404: NotFoundError,
    429: RateLimitError,
}


def _error_fields(response: httpx.Response) -> tuple[str, str | None]:
    """Spotify's `error.message` and `error.reason` from a response, best effort."""
    message: str = response.reason_phrase or f"HTTP {response.status_code}"
    reason: str | None = None
    try:
        body = json.loads(response.content)
    except ValueError:
        return message, reason
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        if isinstance(error.get("message"), str) and error["message"]:
            message = error["message"]
        if isinstance(error.get("reason"), str):
            reason = error["reason"]
    elif isinstance(error, str):
        message = error
    return message, reason


def api_error_from_response(
    response: httpx.Response, *, retry_after: float | None = None
) -> SpotifyAPIError:
    """The exception that stands for a non-2xx Web API `response`."""
    message, reason = _error_fields(response)
    status = response.status_code
    method, url = response.request.method, _url_without_query(response.request.url)
    if status == 429:
        return RateLimitError(message, status, reason, method, url, retry_after)
    cls = _STATUS_ERRORS.get(status)
    if cls is None:
        cls = ServerError if status >= 500 else SpotifyAPIError
    return cls(message, status, reason, method, url)


def paused_too_long(method: str, url: httpx.URL, remaining: float) -> RateLimitError:
    """The error for a request that would wait on the rate-limit gate beyond the cap."""
    return RateLimitError(
        "rate limited: the client is paused for longer than max_retry_after",
        429,
        None,
        method,
        _url_without_query(url),
        remaining,
    )


def authentication_error_from_response(response: httpx.Response) -> AuthenticationError:
    """The exception for a refused token request, read from its RFC 6749 body."""
    error, description = "invalid_response", None
    try:
        body: Any = json.loads(response.content)
    except ValueError:
        body = None
    if isinstance(body, dict):
        if isinstance(body.get("error"), str):
            error = body["error"]
        if isinstance(body.get("error_description"), str):
            description = body["error_description"]
    cls = InvalidGrantError if error == "invalid_grant" else AuthenticationError
    return cls(
        "the accounts service refused the token request", error, description, response.status_code
    )


def decode_json(response: httpx.Response) -> Any:
    """The decoded JSON body, `None` for an empty one; `ResponseDecodeError` otherwise."""
    if response.status_code == 204 or not response.content.strip():
        return None
    try:
        return json.loads(response.content)
    except ValueError:
        text = response.content[:_TEXT_PREVIEW].decode("utf-8", "replace")
        raise ResponseDecodeError(
            "Spotify answered with a body that is not JSON", response.status_code, text
        ) from None


def _url_without_query(url: httpx.URL) -> str:
    # Query strings carry IDs, never secrets, but they can be long; the path says enough.
    return str(url.copy_with(query=None))


#: httpx's exceptions raised before any byte of the request can have reached the server.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@contextlib.contextmanager
def map_transport_errors(method: str, url: httpx.URL) -> Iterator[None]:
    """Turn httpx's transport exceptions into `NetworkError` / `RequestTimeoutError`.

    The one place where httpx's exception classes are read: the error records whether the
    request may have reached the server (`reached_server`) and whether it was malformed
    locally (`malformed`), so that the layers above decide on retries from those fields
    alone. Only `httpx.TransportError` is caught: cancellation and every other exception
    pass through untouched.
    """
    try:
        yield
    except httpx.TransportError as exc:
        reached = not isinstance(exc, _NOT_SENT)
        malformed = isinstance(exc, httpx.LocalProtocolError)
        where = _url_without_query(url)
        # Only the type: httpx's text can quote a header value, an Authorization one too.
        # The httpx exception stays available as __cause__.
        if isinstance(exc, httpx.TimeoutException):
            raise RequestTimeoutError(
                f"timed out: {type(exc).__name__}", method, where, reached, malformed
            ) from exc
        raise NetworkError(
            f"network error: {type(exc).__name__}", method, where, reached, malformed
        ) from exc


# -- the earlier names (async_spotify's and the first wave's), kept as aliases ---------------

AuthorizationDenied = AuthorizationDeniedError
BadRequest = BadRequestError
Forbidden = ForbiddenError
InvalidGrant = InvalidGrantError
InvalidRedirectURI = InvalidRedirectURIError
MissingScope = MissingScopeError
NotFound = NotFoundError
RateLimitExceeded = RateLimitError
RequestTimeout = RequestTimeoutError
SignInRequired = SignInRequiredError
StateMismatch = StateMismatchError
TokenExpired = TokenExpiredError
