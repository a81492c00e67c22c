"""The emulator's playlists: read, change, fill, reorder and empty them, create them,
follow them, give them a cover; the current user's, another user's and the featured ones.

Who may change a playlist: its owner, or a user who follows a collaborative one (403
otherwise). Catalog playlists are copied into the emulator's state the first time they are
touched (`SpotifyEmulator.playlist`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from .._call import ApiHandler, Call
from .._fields import apply_fields
from .._reply import ApiError, Reply, bad_request
from .._state import Playlist, PlaylistEntry, UserState
from ._render import (
    browse_playlist_ids,
    can_read_contents,
    full_playlist,
    playlist_entry,
    playlist_page,
)

__all__ = ["HANDLERS"]

#: The largest cover image Spotify accepts (base-64 encoded JPEG).
_MAX_COVER = 256 * 1024


def _playlist(call: Call) -> Playlist:
    playlist_id = call.path("playlist_id")
    playlist = call.emulator.playlist(playlist_id)
    if playlist is None:
        if len(playlist_id) != 22:
            raise bad_request("Invalid playlist Id")
        raise ApiError(404, "Resource not found")
    return playlist


def _own_playlist(call: Call) -> Playlist:
    playlist = _playlist(call)
    if playlist.owner != call.grant.user_id and not (
        playlist.collaborative and playlist.id in call.user.followed_playlists
    ):
        raise ApiError(403, "You cannot modify a playlist you don't own")
    return playlist


def _get_playlist(call: Call) -> Reply:
    call.market()
    selection = call.fields()
    return 200, apply_fields(selection, full_playlist(call, _playlist(call)))


def _change_playlist(call: Call) -> Reply:
    playlist = _own_playlist(call)
    body = call.json_object()
    # Check the whole request first, then apply it: a refused change changes nothing.
    if "name" in body and (not isinstance(body["name"], str) or not body["name"]):
        raise bad_request("name must be a non-empty string")
    for key in ("public", "collaborative"):
        if key in body and not isinstance(body[key], bool):
            raise bad_request(f"{key} must be a boolean")
    public = body.get("public", playlist.public)
    collaborative = body.get("collaborative", playlist.collaborative)
    if collaborative and public:
        raise bad_request("A collaborative playlist cannot be public")
    if "name" in body:
        playlist.name = body["name"]
    playlist.public = public
    playlist.collaborative = collaborative
    if "description" in body:
        playlist.description = str(body["description"])
    playlist.changed()
    return 200, None


def _playlist_items(call: Call) -> Reply:
    call.market()
    selection = call.fields()
    playlist = _playlist(call)
    if not can_read_contents(call, playlist):
        raise ApiError(403, "Forbidden")
    # `limit` as the corrected definition bounds it (`Call.limit`): 1..50 for `/items`,
    # 1..100 for the deprecated `/tracks`.
    page = call.page_list(playlist.entries, lambda e: playlist_entry(call, e))
    return 200, apply_fields(selection, page)


def _uris_to_add(call: Call) -> list[str]:
    raw = call.query.get("uris")
    if raw is not None:
        uris = [u for u in raw.split(",") if u]
    elif isinstance(call.json(), list):
        # A bare array of URIs, what spotipy has always sent: Spotify takes it as `uris`.
        uris = call.json()
    else:
        uris = call.json_object().get("uris") or []
    if not isinstance(uris, list) or not all(isinstance(u, str) for u in uris):
        raise bad_request("uris must be an array of strings")
    if len(uris) > call.batch:
        raise bad_request(f"You can add a maximum of {call.batch} tracks per request.")
    for uri in uris:
        kind, spotify_id = call.parse_uri(uri, ("track", "episode"))
        ref = call.emulator.catalog.resolve(spotify_id)
        if ref is None or ref.kind != kind:
            raise bad_request(f"Payload contains a non-existing ID: {uri}")
    return uris


def _add_items(call: Call) -> Reply:
    playlist = _own_playlist(call)
    uris = _uris_to_add(call)
    if not uris:
        raise bad_request("No uris provided")
    bare = isinstance(call.json(), list)
    position = call.query.get("position")
    body = call.json_object() if call.query.get("uris") is None and not bare else {}
    if position is None and "position" in body:
        position = str(body["position"])
    at = len(playlist.entries)
    if position is not None:
        try:
            at = int(position)
        except ValueError:
            raise bad_request("Invalid position") from None
        if not 0 <= at <= len(playlist.entries):
            raise bad_request("Index out of bounds")
    stamp = call.emulator.iso(call.emulator.now_ms())
    assert call.grant.user_id is not None
    new = [PlaylistEntry(uri, stamp, call.grant.user_id) for uri in uris]
    playlist.entries[at:at] = new
    return 201, {"snapshot_id": playlist.changed()}


def _update_items(call: Call) -> Reply:
    playlist = _own_playlist(call)
    body = call.json_object()
    if call.query.get("uris") is not None or "uris" in body:
        uris = _uris_to_add(call)
        stamp = call.emulator.iso(call.emulator.now_ms())
        assert call.grant.user_id is not None
        playlist.entries = [PlaylistEntry(u, stamp, call.grant.user_id) for u in uris]
        return 200, {"snapshot_id": playlist.changed()}
    try:
        start = int(body["range_start"])
        before = int(body["insert_before"])
        length = int(body.get("range_length", 1))
    except (KeyError, TypeError, ValueError):
        raise bad_request("range_start and insert_before are required") from None
    n = len(playlist.entries)
    if not (0 <= start < n and 0 <= before <= n and length >= 1 and start + length <= n):
        raise bad_request("Index out of bounds")
    snapshot = body.get("snapshot_id")
    if snapshot is not None and snapshot != playlist.snapshot_id:
        raise bad_request("Invalid snapshot id")
    moving = playlist.entries[start : start + length]
    rest = playlist.entries[:start] + playlist.entries[start + length :]
    target = before if before <= start else before - length
    playlist.entries = rest[:target] + moving + rest[target:]
    return 200, {"snapshot_id": playlist.changed()}


def _remove_items(key: str) -> ApiHandler:
    def handler(call: Call) -> Reply:
        playlist = _own_playlist(call)
        body = call.json_object()
        items = body.get(key)
        if not isinstance(items, list) or not items:
            raise bad_request(f"Missing {key}")
        if len(items) > call.batch:
            raise bad_request(f"Too many items: at most {call.batch}")
        snapshot = body.get("snapshot_id")
        if snapshot is not None and snapshot != playlist.snapshot_id:
            raise bad_request("Invalid snapshot id")
        remove = set()
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("uri"), str):
                raise bad_request(f"Each of {key} must be an object with a uri")
            call.parse_uri(item["uri"], ("track", "episode"))
            remove.add(item["uri"])
        playlist.entries = [e for e in playlist.entries if e.uri not in remove]
        return 200, {"snapshot_id": playlist.changed()}

    return handler


def _my_playlists(call: Call) -> Reply:
    user = call.user
    ids = list(dict.fromkeys([*reversed(user.followed_playlists)]))
    return 200, playlist_page(call, ids)


def _user_playlists(call: Call) -> Reply:
    user_id = call.path("user_id")
    if not call.emulator.known_user(user_id):
        raise ApiError(404, "Resource not found")
    ids = call.emulator.owned_playlists(user_id)
    if user_id != call.grant.user_id:
        ids = [i for i in ids if (p := call.emulator.playlist(i)) is not None and p.public]
    return 200, playlist_page(call, ids)


def _create(call: Call, owner: UserState) -> Reply:
    body = call.json_object()
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise bad_request("Missing required field: name")
    public = body.get("public", True)
    collaborative = body.get("collaborative", False)
    if not isinstance(public, bool) or not isinstance(collaborative, bool):
        raise bad_request("public and collaborative must be booleans")
    if collaborative and public:
        raise bad_request("A collaborative playlist cannot be public")
    description = body.get("description")
    playlist = call.emulator.create_playlist(
        owner,
        name,
        public=public,
        collaborative=collaborative,
        description=None if description is None else str(description),
    )
    return 201, full_playlist(call, playlist)


def _create_mine(call: Call) -> Reply:
    return _create(call, call.user)


def _create_for_user(call: Call) -> Reply:
    if call.path("user_id") != call.grant.user_id:
        raise ApiError(403, "You cannot create a playlist for another user")
    return _create(call, call.user)


def _follow_playlist(follow: bool) -> ApiHandler:
    def handler(call: Call) -> Reply:
        playlist = _playlist(call)
        followed = call.user.followed_playlists
        if follow and playlist.id not in followed:
            followed[playlist.id] = None
            playlist.followers += 1
        elif not follow and playlist.id in followed:
            del followed[playlist.id]
            playlist.followers = max(0, playlist.followers - 1)
        return 200, None

    return handler


def _playlist_follow_contains(call: Call) -> Reply:
    playlist = _playlist(call)
    raw = call.query.get("ids")
    users = [u for u in raw.split(",") if u] if raw else [call.user.user_id]
    if len(users) > call.batch:
        raise bad_request(f"Too many ids requested: at most {call.batch}")
    return 200, [playlist.id in call.emulator.user(u).followed_playlists for u in users]


def _cover(call: Call) -> Reply:
    playlist = _playlist(call)
    if playlist.images:
        return 200, playlist.images
    return 200, [{"url": f"https://mosaic.scdn.co/640/{playlist.id}", "height": 640, "width": 640}]


def _upload_cover(call: Call) -> Reply:
    playlist = _own_playlist(call)
    if len(call.raw_body) > _MAX_COVER:
        raise ApiError(413, "Payload too large: the image must be at most 256 KB")
    try:
        image = base64.b64decode(call.raw_body, validate=True)
    except (binascii.Error, ValueError):
        raise bad_request("Image must be Base64-encoded") from None
    if not image.startswith(b"\xff\xd8\xff"):
        raise bad_request("Image must be a JPEG")
    digest = hashlib.sha1(image).hexdigest()
    playlist.covers += 1
    playlist.images = [
        {"url": f"https://image-cdn.scdn.co/image/{digest}", "height": None, "width": None}
    ]
    playlist.changed()
    return 202, None


def _featured(call: Call) -> Reply:
    return 200, {
        "message": "Popular Playlists",
        "playlists": playlist_page(call, browse_playlist_ids(call, "featured")),
    }


HANDLERS: dict[str, ApiHandler] = {
    "get-playlist": _get_playlist,
    "change-playlist-details": _change_playlist,
    "get-playlists-tracks": _playlist_items,
    "add-tracks-to-playlist": _add_items,
    "reorder-or-replace-playlists-tracks": _update_items,
    "remove-tracks-playlist": _remove_items("tracks"),
    "get-playlists-items": _playlist_items,
    "add-items-to-playlist": _add_items,
    "reorder-or-replace-playlists-items": _update_items,
    "remove-items-playlist": _remove_items("items"),
    "get-a-list-of-current-users-playlists": _my_playlists,
    "create-playlist": _create_mine,
    "get-list-users-playlists": _user_playlists,
    "create-playlist-for-user": _create_for_user,
    "follow-playlist": _follow_playlist(True),
    "unfollow-playlist": _follow_playlist(False),
    "get-featured-playlists": _featured,
    "get-playlist-cover": _cover,
    "upload-custom-playlist-cover": _upload_cover,
    "check-if-user-follows-playlist": _playlist_follow_contains,
}
