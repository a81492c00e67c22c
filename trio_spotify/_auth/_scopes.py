"""Spotify's authorization scopes, as an enum plus validated free strings.

A user token carries only the scopes the user consented to at sign-in; asking for them is
the job of the sign-in strategies (`_flows.py`). `Scope` lists the scopes Spotify
documents (https://developer.spotify.com/documentation/web-api/concepts/scopes). Spotify adds
scopes from time to time, so wherever a scope is accepted a plain string works too, as long
as it is a single non-empty word: `scope_set` turns any mix of `Scope` members,
strings and space-separated strings into a `frozenset[str]` and refuses anything else with a
`ValueError` that names the offending value.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable

__all__ = ["Scope", "ScopeArgument", "missing_scopes", "scope_set"]


class Scope(enum.StrEnum):
    """The scopes Spotify documents.

    Members are strings: `Scope.USER_TOP_READ == "user-top-read"`.
    """

    # Images
    UGC_IMAGE_UPLOAD = "ugc-image-upload"
    # Spotify Connect
    USER_READ_PLAYBACK_STATE = "user-read-playback-state"
    USER_MODIFY_PLAYBACK_STATE = "user-modify-playback-state"
    USER_READ_CURRENTLY_PLAYING = "user-read-currently-playing"
    # Playback
    APP_REMOTE_CONTROL = "app-remote-control"
    STREAMING = "streaming"
    # Playlists
    PLAYLIST_READ_PRIVATE = "playlist-read-private"
    PLAYLIST_READ_COLLABORATIVE = "playlist-read-collaborative"
    PLAYLIST_MODIFY_PRIVATE = "playlist-modify-private"
    PLAYLIST_MODIFY_PUBLIC = "playlist-modify-public"
    # Follow
    USER_FOLLOW_MODIFY = "user-follow-modify"
    USER_FOLLOW_READ = "user-follow-read"
    # Listening history
    USER_READ_PLAYBACK_POSITION = "user-read-playback-position"
    USER_TOP_READ = "user-top-read"
    USER_READ_RECENTLY_PLAYED = "user-read-recently-played"
    # Library
    USER_LIBRARY_MODIFY = "user-library-modify"
    USER_LIBRARY_READ = "user-library-read"
    # Users
    USER_READ_EMAIL = "user-read-email"
    USER_READ_PRIVATE = "user-read-private"
    USER_PERSONALIZED = "user-personalized"
    # Spotify Open Access (partners only)
    USER_SOA_LINK = "user-soa-link"
    USER_SOA_UNLINK = "user-soa-unlink"
    SOA_MANAGE_ENTITLEMENTS = "soa-manage-entitlements"
    SOA_MANAGE_PARTNER = "soa-manage-partner"
    SOA_CREATE_PARTNER = "soa-create-partner"


#: What the sign-in strategies accept as `scope`: one space-separated string, or an
#: iterable of `Scope` members and strings.
ScopeArgument = str | Scope | Iterable[str | Scope] | None

# A scope is one word of visible ASCII (RFC 6749 §3.3: %x21 / %x23-5B / %x5D-7E).
_SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")


def _check(name: object) -> str:
    if not isinstance(name, str):
        raise TypeError(
            f"a scope must be a string or a trio_spotify.Scope, not {type(name).__name__}"
        )
    value = str(name.value) if isinstance(name, Scope) else name
    if not value:
        raise ValueError("invalid scope: the empty string is not a scope")
    if not _SCOPE_TOKEN.fullmatch(value):
        raise ValueError(
            f"invalid scope {value!r}: a scope is one word of visible ASCII characters, "
            "without spaces, quotes or backslashes"
        )
    return value


def scope_set(scopes: ScopeArgument) -> frozenset[str]:
    """The set of scope names in `scopes`.

    `scopes` may be `None` (no scope), a string (split on whitespace, as Spotify
    writes them), a `Scope`, or an iterable of strings and `Scope` members
    (each a single word). Raises `ValueError` for an empty or malformed name and
    `TypeError` for something that is not a string.
    """
    if scopes is None:
        return frozenset()
    if isinstance(scopes, Scope):
        return frozenset({str(scopes.value)})
    if isinstance(scopes, str):
        return frozenset(_check(word) for word in scopes.split())
    if not isinstance(scopes, Iterable):
        raise TypeError(
            f"scopes must be a string or an iterable of strings, not {type(scopes).__name__}"
        )
    return frozenset(_check(name) for name in scopes)


def missing_scopes(granted: Iterable[str], required: ScopeArgument) -> frozenset[str]:
    """The scopes in `required` that `granted` (e.g. `token.scope`) lacks."""
    return scope_set(required) - frozenset(granted)
