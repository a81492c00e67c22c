"""Who may call an operation: a live access token, a user's token, and the scopes Spotify
enforces.

The scopes come from the operations table (`Operation.scopes`: a tuple of alternatives,
each satisfied by any one of its scopes, checked with `Operation.missing_scopes`). The
table says what Spotify's definition lists; Spotify enforces fewer: some listed scopes
only add fields to the answer (`resume_point` with `user-read-playback-position`, `email`
with `user-read-email`), and some reads are open to any token. Where the emulator
enforces something else than the table, `ENFORCED_SCOPES` says what, in the same shape,
and why: that is the emulator's behaviour, not a second table of the operations.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import attrs
from starlette.requests import Request

from trio_spotify._operations import Operation

from ._emulated_accounts import AccessGrant, EmulatedAccounts
from ._reply import BEARER_CHALLENGE, ApiError

__all__ = [
    "ENFORCED_SCOPES",
    "authenticate",
    "authorize",
    "enforced_scopes",
    "requires_user",
    "unauthorized",
]

_LIBRARY_READ = frozenset({"user-library-read"})
_ANY_PLAYLIST_SCOPE = frozenset(
    {
        "playlist-read-private",
        "playlist-read-collaborative",
        "playlist-modify-public",
        "playlist-modify-private",
    }
)
_CURRENTLY_PLAYING = frozenset({"user-read-currently-playing", "user-read-playback-state"})

#: operationId -> the scopes the emulator enforces, where they differ from the table's.
ENFORCED_SCOPES: dict[str, tuple[frozenset[str], ...]] = {
    # `user-read-playback-position` only adds `resume_point`: any token reads shows and
    # episodes, and saved episodes need only the library scope.
    "get-a-show": (),
    "get-a-shows-episodes": (),
    "get-an-episode": (),
    "get-multiple-episodes": (),
    "get-users-saved-episodes": (_LIBRARY_READ,),
    # The profile needs no scope; `email`, `country`, `product` need theirs (`_api/users.py`).
    "get-current-users-profile": (),
    # The items of a public playlist and a user's public playlists are open to any token.
    "get-playlists-tracks": (),
    "get-playlists-items": (),
    "get-list-users-playlists": (),
    # Any playlist scope lists the current user's playlists.
    "get-a-list-of-current-users-playlists": (_ANY_PLAYLIST_SCOPE,),
    # Checked per URI kind by the handlers (`_api/library.py`).
    "save-library-items": (),
    "remove-library-items": (),
    "check-library-contains": (),
    # Either player-reading scope reads what is playing.
    "get-the-users-currently-playing-track": (_CURRENTLY_PLAYING,),
    # The image scope alone allows a cover upload to a playlist the user may change.
    "upload-custom-playlist-cover": (frozenset({"ugc-image-upload"}),),
}

#: Reads outside `/me` that still act for the current user.
_FOR_THE_USER = frozenset({"check-if-user-follows-playlist"})


def enforced_scopes(op: Operation) -> tuple[frozenset[str], ...]:
    """The scopes a token needs for `op`, in the table's shape (a tuple of alternatives)."""
    return ENFORCED_SCOPES.get(op.operation_id, op.scopes)


@functools.cache
def _as_enforced(op: Operation) -> Operation:
    # The row with the enforced scopes, so that the table's own `missing_scopes` decides.
    scopes = enforced_scopes(op)
    return op if scopes == op.scopes else attrs.evolve(op, scopes=scopes)


def requires_user(op: Operation) -> bool:
    """Whether `op` needs a user's token: every `/me` path, every write (it changes some
    user's data) and a few reads about the current user. App tokens get 401 there."""
    return op.path.startswith("/me") or op.method != "GET" or op.operation_id in _FOR_THE_USER


def authenticate(
    request: Request, accounts: EmulatedAccounts, clock: Callable[[], float]
) -> AccessGrant:
    """The grant of the request's bearer token: 401 without a token or with an unknown or
    expired one, 400 for another authentication scheme."""
    header = request.headers.get("authorization")
    if header is None:
        raise unauthorized("No token provided")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise ApiError(400, "Only valid bearer authentication supported")
    grant = accounts.access.get(token)
    if grant is None:
        raise unauthorized("Invalid access token", error="invalid_token")
    if clock() >= grant.expires_at:
        raise unauthorized("The access token expired", error="invalid_token")
    return grant


def unauthorized(message: str, *, error: str | None = None) -> ApiError:
    """A 401 with Spotify's error object and the challenge RFC 6750 §3 requires of every
    401 of a bearer-token resource: `WWW-Authenticate: Bearer realm="spotify"`, with
    `error="invalid_token"` when a token was given but is unknown or expired (§3.1; a
    request without a token gets no error code)."""
    challenge = BEARER_CHALLENGE
    if error is not None:
        challenge += f', error="{error}", error_description="{message}"'
    return ApiError(401, message, headers={"WWW-Authenticate": challenge})


def authorize(op: Operation, grant: AccessGrant, *, development: bool) -> None:
    """Refuse `op` to `grant` as Spotify would: 403 for a deprecated operation in
    development mode, 401 for an app token on a user's operation, 403 for missing scopes."""
    if op.deprecated and development:
        raise ApiError(403, "Forbidden")
    if requires_user(op) and grant.user_id is None:
        raise unauthorized("This request requires user authentication.")
    if _as_enforced(op).missing_scopes(grant.scopes):
        raise ApiError(403, "Insufficient client scope")
