"""The emulator's library (February 2026): save, remove and check any kind of item by URI.

`/me/library` keeps one library with the type-specific operations: saving an album here
is saving it there. The operations table lists the union of the scopes each kind needs;
the handlers check the scope of each URI's kind (see `_LIBRARY_WRITE` and
`_LIBRARY_READ`), as Spotify's migration guide describes.
"""

from __future__ import annotations

from typing import Any

from .._call import ApiHandler, Call
from .._reply import ApiError, Reply, bad_request
from .._state import UserState

__all__ = ["HANDLERS"]

_LIBRARY_WRITE = {
    "track": "user-library-modify",
    "album": "user-library-modify",
    "episode": "user-library-modify",
    "show": "user-library-modify",
    "audiobook": "user-library-modify",
    "artist": "user-follow-modify",
    "user": "user-follow-modify",
    "playlist": "playlist-modify-public",
}
_LIBRARY_READ = {
    "track": "user-library-read",
    "album": "user-library-read",
    "episode": "user-library-read",
    "show": "user-library-read",
    "audiobook": "user-library-read",
    "artist": "user-follow-read",
    "user": "user-follow-read",
    "playlist": "playlist-read-private",
}


def _library_uris(call: Call, scopes: dict[str, str]) -> list[tuple[str, str]]:
    raw = call.query.get("uris")
    if raw is not None:
        uris = [u for u in raw.split(",") if u]
    else:
        body = call.json_object() if call.request.method != "GET" else {}
        uris = body.get("uris") or []
        if not isinstance(uris, list) or not all(isinstance(u, str) for u in uris):
            raise bad_request("uris must be an array of strings")
    if not uris:
        raise bad_request("Missing required parameter: uris")
    if len(uris) > call.batch:
        raise bad_request(f"Too many uris requested: at most {call.batch}")
    parsed = [call.parse_uri(u, tuple(scopes)) for u in uris]
    for kind, _ in parsed:
        scope = scopes[kind]
        if not call.has_scope(scope) and not (
            kind == "playlist" and call.has_scope("playlist-modify-private")
        ):
            raise ApiError(403, "Insufficient client scope")
    for kind, spotify_id in parsed:
        if kind == "user":
            continue
        if kind == "playlist":
            if call.emulator.playlist(spotify_id) is None:
                raise bad_request(f"Payload contains a non-existing ID: {spotify_id}")
        else:
            ref = call.emulator.catalog.resolve(spotify_id)
            if ref is None or ref.kind != kind:
                raise bad_request(f"Payload contains a non-existing ID: {spotify_id}")
    return parsed


def _library_store(user: UserState, kind: str) -> dict[str, Any]:
    if kind == "artist":
        return user.followed_artists
    if kind == "user":
        return user.followed_users
    if kind == "playlist":
        return user.followed_playlists
    return user.saved_of(kind)


def _library_key(kind: str, spotify_id: str) -> str:
    return spotify_id if kind in ("artist", "user", "playlist") else f"spotify:{kind}:{spotify_id}"


def _library_change(save: bool) -> ApiHandler:
    def handler(call: Call) -> Reply:
        user = call.user
        for kind, spotify_id in _library_uris(call, _LIBRARY_WRITE):
            store = _library_store(user, kind)
            key = _library_key(kind, spotify_id)
            if save:
                if key not in store:
                    store[key] = (
                        call.emulator.iso(call.emulator.now_ms())
                        if kind not in ("artist", "user", "playlist")
                        else None
                    )
            else:
                store.pop(key, None)
        return 200, None

    return handler


def _library_contains(call: Call) -> Reply:
    user = call.user
    return 200, [
        _library_key(kind, i) in _library_store(user, kind)
        for kind, i in _library_uris(call, _LIBRARY_READ)
    ]


HANDLERS: dict[str, ApiHandler] = {
    "save-library-items": _library_change(True),
    "remove-library-items": _library_change(False),
    "check-library-contains": _library_contains,
}
