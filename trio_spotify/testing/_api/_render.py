"""The 96 Web API operations, described once each in `OPERATIONS`.

Each `Operation` names its method, path (under `/v1`), Spotify's operationId,
the scopes that allow it (any one of them), whether it needs a user's token and whether
Spotify's definition marks it deprecated (so development mode refuses it). Handlers are
small synchronous functions of a `Call` returning `(status, body)`; the
shapes that repeat — get one, get several, list saved items, save/remove/check — are built
by factories, so the table reads like Spotify's endpoint reference.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import random
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from ._call import ApiError, Call, Reply, bad_request
from ._catalog import (
    API,
    CATEGORIES,
    GENRES,
    MARKETS,
    OPEN,
    Catalog,
)
from ._state import Playlist, PlaylistEntry, UserState

__all__ = ["OPERATIONS", "Operation"]

Handler = Callable[[Call], Reply]


@attrs.frozen
class Operation:
    method: str
    path: str
    operation_id: str
    handler: Handler
    #: Any one of these scopes allows the call (empty: any token).
    scopes: frozenset[str] = frozenset()
    #: Needs a user's token (client-credentials tokens get 401).
    user: bool = False
    #: Marked deprecated by Spotify: refused (403) in development mode.
    deprecated: bool = False


_CODES = {
    "artist": 1,
    "album": 2,
    "track": 3,
    "show": 4,
    "episode": 5,
    "audiobook": 6,
    "chapter": 7,
}
_MAX_COVER = 256 * 1024

# -- rendering ----------------------------------------------------------------------------------


def _catalog(call: Call) -> Catalog:
    return call.catalog


def _static_page(path: str, items: list[Any], total: int, limit: int) -> dict[str, Any]:
    """A first-page paging object embedded in another object (album tracks, show episodes)."""
    return {
        "href": f"{API}{path}?offset=0&limit={limit}",
        "items": items,
        "limit": limit,
        "next": f"{API}{path}?offset={limit}&limit={limit}" if total > limit else None,
        "offset": 0,
        "previous": None,
        "total": total,
    }


def full_album(c: Catalog, index: int) -> dict[str, Any]:
    album = c.simple_album(index)
    tracks = c.album_tracks(index)
    return {
        **album,
        **c.album_extras(index),
        "tracks": _static_page(
            f"/albums/{album['id']}/tracks",
            [c.simple_track(t) for t in tracks[:50]],
            len(tracks),
            50,
        ),
    }


def full_show(c: Catalog, index: int) -> dict[str, Any]:
    show = c.simple_show(index)
    episodes = c.show_episodes(index)
    return {
        **show,
        "episodes": _static_page(
            f"/shows/{show['id']}/episodes",
            [c.simple_episode(e) for e in episodes[:50]],
            len(episodes),
            50,
        ),
    }


def full_audiobook(c: Catalog, index: int) -> dict[str, Any]:
    book = c.simple_audiobook(index)
    chapters = c.audiobook_chapters(index)
    return {
        **book,
        "chapters": _static_page(
            f"/audiobooks/{book['id']}/chapters",
            [c.simple_chapter(x) for x in chapters[:50]],
            len(chapters),
            50,
        ),
    }


_FULL: dict[str, Callable[[Catalog, int], dict[str, Any]]] = {
    "artist": Catalog.artist,
    "album": full_album,
    "track": Catalog.track,
    "show": full_show,
    "episode": Catalog.episode,
    "audiobook": full_audiobook,
    "chapter": Catalog.chapter,
}


def render_uri(call: Call, uri: str) -> dict[str, Any]:
    """The full object of a track or episode URI (playlist entries, player, queue)."""
    kind, spotify_id = uri.split(":")[1:]
    ref = call.resolve(spotify_id, kind)
    return _FULL[kind](_catalog(call), ref.index)


def _playlist_user(user_id: str) -> dict[str, Any]:
    return Catalog.user_ref(user_id)


def simple_playlist(playlist: Playlist) -> dict[str, Any]:
    base = f"{API}/playlists/{playlist.id}"
    ref = {"href": f"{base}/tracks", "total": len(playlist.entries)}
    return {
        "collaborative": playlist.collaborative,
        "description": playlist.description or "",
        "external_urls": {"spotify": f"{OPEN}/playlist/{playlist.id}"},
        "href": base,
        "id": playlist.id,
        "images": playlist.images,
        "name": playlist.name,
        "owner": Catalog.user_ref(playlist.owner, playlist.owner_name),
        "public": playlist.public,
        "snapshot_id": playlist.snapshot_id,
        "items": {**ref, "href": f"{base}/items"},
        "tracks": ref,
        "type": "playlist",
        "uri": f"spotify:playlist:{playlist.id}",
    }


def _entry(call: Call, entry: PlaylistEntry) -> dict[str, Any]:
    item = render_uri(call, entry.uri)
    return {
        "added_at": entry.added_at,
        "added_by": _playlist_user(entry.added_by),
        "is_local": False,
        "item": item,
        "track": item,
    }


def _can_read_contents(call: Call, playlist: Playlist) -> bool:
    """Development-mode apps only see the contents of playlists the user owns or
    collaborates on (February 2026)."""
    if call.emulator.mode != "development":
        return True
    return playlist.owner == call.grant.user_id or (
        playlist.collaborative and playlist.id in call.user.followed_playlists
    )


def full_playlist(call: Call, playlist: Playlist) -> dict[str, Any]:
    obj = simple_playlist(playlist)
    obj["description"] = playlist.description
    obj["followers"] = {"href": None, "total": playlist.followers}
    del obj["items"], obj["tracks"]
    if _can_read_contents(call, playlist):
        page = _static_page(
            f"/playlists/{playlist.id}/items",
            [_entry(call, e) for e in playlist.entries[:100]],
            len(playlist.entries),
            100,
        )
        obj["items"] = page
        obj["tracks"] = {
            **page,
            "href": page["href"].replace("/items?", "/tracks?"),
            "next": page["next"] and page["next"].replace("/items?", "/tracks?"),
        }
    return obj


def public_user(call: Call, user_id: str) -> dict[str, Any]:
    state = call.emulator.user(user_id)
    followers = call.emulator.followers_of(user_id)
    return {
        "display_name": state.display_name,
        "external_urls": {"spotify": f"{OPEN}/user/{user_id}"},
        "followers": {"href": None, "total": followers},
        "href": f"{API}/users/{user_id}",
        "id": user_id,
        "images": [],
        "type": "user",
        "uri": f"spotify:user:{user_id}",
    }


def _known_user(call: Call, user_id: str) -> bool:
    return call.emulator.known_user(user_id)


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


# -- operation factories ----------------------------------------------------------------------


def get_one(kind: str, param: str = "id") -> Handler:
    def handler(call: Call) -> Reply:
        call.market()
        ref = call.resolve(call.path(param), kind)
        return 200, _FULL[kind](_catalog(call), ref.index)

    return handler


def get_several(
    kind: str,
    key: str,
    maximum: int,
    render: Callable[[Catalog, int], dict[str, Any]] | None = None,
) -> Handler:
    def handler(call: Call) -> Reply:
        call.market()
        make = render or _FULL[kind]
        catalog = _catalog(call)
        found = []
        for spotify_id in call.id_list("ids", maximum):
            ref = catalog.resolve(spotify_id)
            found.append(make(catalog, ref.index) if ref is not None and ref.kind == kind else None)
        return 200, {key: found}

    return handler


def children(
    kind: str,
    listing: Callable[[Catalog, int], Sequence[int]],
    render: Callable[[Catalog, int], dict[str, Any]],
    *,
    default: int = 20,
    maximum: int = 50,
) -> Handler:
    def handler(call: Call) -> Reply:
        call.market()
        ref = call.resolve(call.path("id"), kind)
        catalog = _catalog(call)
        return 200, call.page_list(
            listing(catalog, ref.index),
            lambda i: render(catalog, i),
            default=default,
            maximum=maximum,
        )

    return handler


def saved_list(kind: str, key: str, render: Callable[[Catalog, int], dict[str, Any]]) -> Handler:
    def handler(call: Call) -> Reply:
        call.market()
        saved = list(reversed(call.user.saved_of(kind).items()))
        catalog = _catalog(call)

        def convert(pair: tuple[str, str]) -> dict[str, Any]:
            ref = catalog.resolve(pair[0].rsplit(":", 1)[1])
            assert ref is not None
            return {"added_at": pair[1], key: render(catalog, ref.index)}

        return 200, call.page_list(saved, convert)

    return handler


def _check_ids_exist(call: Call, kind: str, ids: Sequence[str]) -> None:
    for spotify_id in ids:
        ref = call.emulator.catalog.resolve(spotify_id)
        if ref is None or ref.kind != kind:
            raise bad_request(f"Payload contains a non-existing ID: {spotify_id}")


def saved_change(
    kind: str,
    maximum: int,
    *,
    save: bool,
    body_maximum: int | None = None,
    timestamped: bool = False,
) -> Handler:
    def handler(call: Call) -> Reply:
        store = call.user.saved_of(kind)
        body = call.json_object() if call.query.get("ids") is None else {}
        stamps: dict[str, str] = {}
        if timestamped and "timestamped_ids" in body:
            entries = body["timestamped_ids"]
            if not isinstance(entries, list) or not entries:
                raise bad_request("timestamped_ids must be a non-empty array")
            if len(entries) > (body_maximum or maximum):
                raise bad_request(f"Too many ids requested: at most {body_maximum or maximum}")
            for entry in entries:
                if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                    raise bad_request("timestamped_ids entries need an id")
                stamps[entry["id"]] = str(entry.get("added_at") or "")
            ids = list(stamps)
        elif "ids" in body:
            ids = call.id_list("ids", body_maximum or maximum, body=True)
        else:
            ids = call.id_list("ids", maximum)
        _check_ids_exist(call, kind, ids)
        for spotify_id in ids:
            uri = f"spotify:{kind}:{spotify_id}"
            if save:
                store.pop(uri, None)
                store[uri] = stamps.get(spotify_id) or call.emulator.iso(call.emulator.now_ms())
            else:
                store.pop(uri, None)
        return 200, None

    return handler


def saved_contains(kind: str, maximum: int) -> Handler:
    def handler(call: Call) -> Reply:
        store = call.user.saved_of(kind)
        return 200, [f"spotify:{kind}:{i}" in store for i in call.id_list("ids", maximum)]

    return handler


# -- albums, artists, tracks -------------------------------------------------------------------


def _artist_albums(call: Call) -> Reply:
    call.market()
    ref = call.resolve(call.path("id"), "artist")
    catalog = _catalog(call)
    groups_raw = call.query.get("include_groups")
    albums = list(catalog.artist_albums(ref.index))
    if groups_raw:
        groups = set(groups_raw.split(","))
        if not groups <= {"album", "single", "appears_on", "compilation"}:
            raise bad_request("Invalid include_groups")
        albums = [a for a in albums if catalog.simple_album(a)["album_type"] in groups]
    return 200, call.page_list(albums, catalog.discography_album, default=5, maximum=10)


def _top_tracks(call: Call) -> Reply:
    call.market()
    ref = call.resolve(call.path("id"), "artist")
    catalog = _catalog(call)
    return 200, {"tracks": [catalog.track(t) for t in _top_tracks_of(catalog, ref.index)]}


def _related(call: Call) -> Reply:
    ref = call.resolve(call.path("id"), "artist")
    catalog = _catalog(call)
    n = catalog.size.artists
    return 200, {
        "artists": [catalog.artist((ref.index + 1 + k * 3) % n) for k in range(min(20, n - 1))]
    }


def _slice(items: list[Any], render: Callable[[Any], Any], offset: int, limit: int) -> list[Any]:
    return [render(x) for x in items[offset : offset + limit]]


def _simple_playlist_by_id(call: Call, playlist_id: str) -> dict[str, Any]:
    playlist = call.emulator.playlist(playlist_id)
    assert playlist is not None
    return simple_playlist(playlist)


def _search(call: Call) -> Reply:
    q = call.query.get("q")
    if not q:
        raise bad_request("No search query")
    types_raw = call.query.get("type")
    if not types_raw:
        raise bad_request("Missing parameter type")
    types = types_raw.split(",")
    allowed = ("album", "artist", "playlist", "track", "show", "episode", "audiobook")
    for t in types:
        if t not in allowed:
            raise bad_request("Bad search type field")
    call.market()
    limit = call.limit(5, 10, 0)
    offset = call.offset(1000)
    terms = [t.split(":", 1)[-1].strip('"').lower() for t in q.split()]
    terms = [t for t in terms if t]
    catalog = _catalog(call)
    answer: dict[str, Any] = {}
    for t in types:
        matches: list[Any]
        render: Callable[[Any], Any]
        if t == "playlist":
            matches = [
                catalog.id_of(8, i)
                for i in range(catalog.size.playlists)
                if all(term in catalog.playlist_name(i).lower() for term in terms)
            ]
            render = functools.partial(_simple_playlist_by_id, call)
        else:
            matches = [i for name, i in catalog.names[t] if all(term in name for term in terms)]
            render = {
                "track": catalog.track,
                "artist": catalog.artist,
                "album": catalog.simple_album,
                "show": catalog.simple_show,
                "episode": catalog.simple_episode,
                "audiobook": catalog.simple_audiobook,
            }[t]
        answer[t + "s"] = call.page(
            len(matches), functools.partial(_slice, matches, render), limit=limit, offset=offset
        )
    return 200, answer


# -- users ----------------------------------------------------------------------------------------


def _me(call: Call) -> Reply:
    obj = public_user(call, call.user.user_id)
    obj["account_id"] = hashlib.sha256(call.user.user_id.encode()).hexdigest()[:22]
    if call.has_scope("user-read-private"):
        obj["country"] = "SE"
        obj["product"] = "premium"
        obj["explicit_content"] = {"filter_enabled": False, "filter_locked": False}
    if call.has_scope("user-read-email"):
        obj["email"] = f"{call.user.user_id}@example.com"
    return 200, obj


def _user_profile(call: Call) -> Reply:
    user_id = call.path("user_id")
    if not _known_user(call, user_id):
        raise ApiError(404, "Resource not found")
    return 200, public_user(call, user_id)


def _top(call: Call) -> Reply:
    kind = call.path("type")
    if kind not in ("artists", "tracks"):
        raise ApiError(404, "Service not found")
    time_range = call.query.get("time_range", "medium_term")
    if time_range not in ("short_term", "medium_term", "long_term"):
        raise bad_request("Invalid time range")
    catalog = _catalog(call)
    rng = random.Random(f"{catalog.seed}/top/{call.user.user_id}/{kind}/{time_range}")
    if kind == "artists":
        pool = rng.sample(range(catalog.size.artists), min(50, catalog.size.artists))
        return 200, call.page_list(pool, catalog.artist)
    tracks = [catalog.track_at(rng.randrange(10**6)) for _ in range(50)]
    return 200, call.page_list(list(dict.fromkeys(tracks)), catalog.track)


# -- playlists -------------------------------------------------------------------------------------


def _get_playlist(call: Call) -> Reply:
    call.market()
    return 200, full_playlist(call, _playlist(call))


def _change_playlist(call: Call) -> Reply:
    playlist = _own_playlist(call)
    body = call.json_object()
    if "name" in body:
        if not isinstance(body["name"], str) or not body["name"]:
            raise bad_request("name must be a non-empty string")
        playlist.name = body["name"]
    for key in ("public", "collaborative"):
        if key in body:
            if not isinstance(body[key], bool):
                raise bad_request(f"{key} must be a boolean")
            setattr(playlist, key, body[key])
    if "description" in body:
        playlist.description = str(body["description"])
    if playlist.collaborative and playlist.public:
        raise bad_request("A collaborative playlist cannot be public")
    playlist.changed()
    return 200, None


def _playlist_items(maximum: int) -> Handler:
    def handler(call: Call) -> Reply:
        call.market()
        playlist = _playlist(call)
        if not _can_read_contents(call, playlist):
            raise ApiError(403, "Forbidden")
        return 200, call.page_list(playlist.entries, lambda e: _entry(call, e), maximum=maximum)

    return handler


def _uris_to_add(call: Call) -> list[str]:
    raw = call.query.get("uris")
    if raw is not None:
        uris = [u for u in raw.split(",") if u]
    else:
        body = call.json_object()
        uris = body.get("uris") or []
        if not isinstance(uris, list) or not all(isinstance(u, str) for u in uris):
            raise bad_request("uris must be an array of strings")
    if len(uris) > 100:
        raise bad_request("You can add a maximum of 100 tracks per request.")
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
    position = call.query.get("position")
    body = call.json_object() if call.query.get("uris") is None else {}
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


def _remove_items(key: str) -> Handler:
    def handler(call: Call) -> Reply:
        playlist = _own_playlist(call)
        body = call.json_object()
        items = body.get(key)
        if not isinstance(items, list) or not items:
            raise bad_request(f"Missing {key}")
        if len(items) > 100:
            raise bad_request("Too many items: at most 100")
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


def _list_playlists(call: Call, ids: Sequence[str]) -> dict[str, Any]:
    playlists = [p for p in (call.emulator.playlist(i) for i in ids) if p is not None]
    return call.page_list(playlists, simple_playlist, max_offset=100_000)


def _my_playlists(call: Call) -> Reply:
    user = call.user
    ids = list(dict.fromkeys([*reversed(user.followed_playlists)]))
    return 200, _list_playlists(call, ids)


def _user_playlists(call: Call) -> Reply:
    user_id = call.path("user_id")
    if not _known_user(call, user_id):
        raise ApiError(404, "Resource not found")
    ids = call.emulator.owned_playlists(user_id)
    if user_id != call.grant.user_id:
        ids = [i for i in ids if (p := call.emulator.playlist(i)) is not None and p.public]
    return 200, _list_playlists(call, ids)


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


def _follow_playlist(follow: bool) -> Handler:
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
    if len(users) > 1:
        raise bad_request("Too many ids requested: at most 1")
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


# -- library (February 2026) -------------------------------------------------------------------

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
    if len(uris) > 40:
        raise bad_request("Too many uris requested: at most 40")
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


def _library_change(save: bool) -> Handler:
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


# -- follow ---------------------------------------------------------------------------------------


def _follow_type(call: Call, allowed: Sequence[str] = ("artist", "user")) -> str:
    kind = call.query.get("type")
    if kind is None or kind not in allowed:
        raise bad_request("Invalid type: must be " + " or ".join(allowed))
    return kind


def _follow_ids(call: Call, kind: str) -> list[str]:
    if kind == "artist":
        ids = call.id_list("ids", 50, body=True)
        _check_ids_exist(call, "artist", ids)
        return ids
    raw = call.query.get("ids")
    if raw is not None:
        ids = [u for u in raw.split(",") if u]
    else:
        data = call.json_object().get("ids")
        ids = data if isinstance(data, list) and all(isinstance(i, str) for i in data) else []
    if not ids:
        raise bad_request("Missing required parameter: ids")
    if len(ids) > 50:
        raise bad_request("Too many ids requested: at most 50")
    return ids


def _follow(follow: bool) -> Handler:
    def handler(call: Call) -> Reply:
        kind = _follow_type(call)
        store = call.user.followed_artists if kind == "artist" else call.user.followed_users
        for spotify_id in _follow_ids(call, kind):
            if follow:
                store.setdefault(spotify_id, None)
            else:
                store.pop(spotify_id, None)
        return 204, None

    return handler


def _follow_contains(call: Call) -> Reply:
    kind = _follow_type(call)
    store = call.user.followed_artists if kind == "artist" else call.user.followed_users
    raw = call.query.get("ids") or ""
    ids = [i for i in raw.split(",") if i]
    if not ids:
        raise bad_request("Missing required parameter: ids")
    if len(ids) > 50:
        raise bad_request("Too many ids requested: at most 50")
    return 200, [i in store for i in ids]


def _followed_artists(call: Call) -> Reply:
    _follow_type(call, ("artist",))
    limit = call.limit()
    after = call.query.get("after")
    followed = list(reversed(call.user.followed_artists))
    start = 0
    if after:
        start = followed.index(after) + 1 if after in followed else len(followed)
    page = followed[start : start + limit]
    catalog = _catalog(call)
    items = []
    for spotify_id in page:
        ref = catalog.resolve(spotify_id)
        if ref is not None:
            items.append(catalog.artist(ref.index))
    more = start + limit < len(followed)
    return 200, {
        "artists": {
            "href": call.href(),
            "limit": limit,
            "next": call.href(after=page[-1], limit=limit) if more and page else None,
            "cursors": {"after": page[-1]} if more and page else {},
            "total": len(followed),
            "items": items,
        }
    }


# -- browse ----------------------------------------------------------------------------------------


def _category(call: Call, category_id: str) -> dict[str, Any]:
    names = dict(CATEGORIES)
    if category_id not in names:
        raise ApiError(404, "Resource not found")
    return {
        "href": f"{API}/browse/categories/{category_id}",
        "icons": [
            {"url": f"https://t.scdn.co/images/{category_id}.jpg", "height": 274, "width": 274}
        ],
        "id": category_id,
        "name": names[category_id],
    }


def _categories(call: Call) -> Reply:
    call.query.get("locale")
    return 200, {
        "categories": call.page_list([c for c, _ in CATEGORIES], lambda c: _category(call, c))
    }


def _get_category(call: Call) -> Reply:
    return 200, _category(call, call.path("category_id"))


def _catalog_playlists(call: Call, key: str) -> list[str]:
    catalog = _catalog(call)
    n = catalog.size.playlists
    rng = random.Random(f"{catalog.seed}/browse/{key}")
    return [catalog.id_of(8, i) for i in rng.sample(range(n), min(n, 12))]


def _featured(call: Call) -> Reply:
    return 200, {
        "message": "Popular Playlists",
        "playlists": _list_playlists(call, _catalog_playlists(call, "featured")),
    }


def _category_playlists(call: Call) -> Reply:
    category = _category(call, call.path("category_id"))
    return 200, {
        "message": category["name"],
        "playlists": _list_playlists(call, _catalog_playlists(call, category["id"])),
    }


def _new_releases(call: Call) -> Reply:
    catalog = _catalog(call)
    albums = list(range(catalog.album_count))[-100:][::-1]
    return 200, {"albums": call.page_list(albums, catalog.simple_album)}


# -- audio features and recommendations -----------------------------------------------------------


def _features(catalog: Catalog, index: int) -> dict[str, Any]:
    track = catalog.simple_track(index)
    rng = random.Random(f"{catalog.seed}/features/{index}")
    return {
        "acousticness": round(rng.random(), 3),
        "analysis_url": f"{API}/audio-analysis/{track['id']}",
        "danceability": round(rng.random(), 3),
        "duration_ms": track["duration_ms"],
        "energy": round(rng.random(), 3),
        "id": track["id"],
        "instrumentalness": round(rng.random(), 3),
        "key": rng.randint(-1, 11),
        "liveness": round(rng.random(), 3),
        "loudness": round(rng.uniform(-30, 0), 2),
        "mode": rng.randint(0, 1),
        "speechiness": round(rng.random(), 3),
        "tempo": round(rng.uniform(60, 180), 2),
        "time_signature": rng.choice((3, 4, 4, 5)),
        "track_href": f"{API}/tracks/{track['id']}",
        "type": "audio_features",
        "uri": track["uri"],
        "valence": round(rng.random(), 3),
    }


def _one_features(call: Call) -> Reply:
    ref = call.resolve(call.path("id"), "track")
    return 200, _features(_catalog(call), ref.index)


def _analysis(call: Call) -> Reply:
    ref = call.resolve(call.path("id"), "track")
    catalog = _catalog(call)
    features = _features(catalog, ref.index)
    rng = random.Random(f"{catalog.seed}/analysis/{ref.index}")
    duration = features["duration_ms"] / 1000
    beat = 60 / features["tempo"]
    beats = [
        {
            "start": round(i * beat, 3),
            "duration": round(beat, 3),
            "confidence": round(rng.random(), 3),
        }
        for i in range(int(duration / beat))
    ]
    bars = beats[::4]
    sections = [
        {
            "start": round(s * duration / 4, 3),
            "duration": round(duration / 4, 3),
            "confidence": 1.0,
            "loudness": features["loudness"],
            "tempo": features["tempo"],
            "tempo_confidence": 0.8,
            "key": max(features["key"], 0),
            "key_confidence": 0.5,
            "mode": features["mode"],
            "mode_confidence": 0.5,
            "time_signature": features["time_signature"],
            "time_signature_confidence": 1.0,
        }
        for s in range(4)
    ]
    segments = [
        {
            "start": b["start"],
            "duration": b["duration"],
            "confidence": b["confidence"],
            "loudness_start": -30.0,
            "loudness_max": -10.0,
            "loudness_max_time": 0.05,
            "loudness_end": -40.0,
            "pitches": [round(rng.random(), 3) for _ in range(12)],
            "timbre": [round(rng.uniform(-100, 100), 2) for _ in range(12)],
        }
        for b in beats[:64]
    ]
    return 200, {
        "meta": {
            "analyzer_version": "4.0.0",
            "platform": "Linux",
            "status_code": 0,
            "status_text": "OK",
            "timestamp": 1700000000,
            "analysis_time": 1.0,
            "input_process": "libvorbisfile L+R 44100->22050",
        },
        "track": {
            "num_samples": int(duration * 22050),
            "duration": duration,
            "tempo": features["tempo"],
            "key": features["key"],
            "mode": features["mode"],
            "time_signature": features["time_signature"],
            "loudness": features["loudness"],
        },
        "bars": bars,
        "beats": beats,
        "sections": sections,
        "segments": segments,
        "tatums": beats,
    }


def _recommendations(call: Call) -> Reply:
    catalog = _catalog(call)
    seeds: list[dict[str, Any]] = []
    for param, kind in (
        ("seed_artists", "artist"),
        ("seed_tracks", "track"),
        ("seed_genres", "genre"),
    ):
        raw = call.query.get(param) or ""
        for value in (v for v in raw.split(",") if v):
            if kind == "genre":
                if value not in GENRES:
                    raise bad_request(f"Invalid genre seed: {value}")
                href = None
            else:
                call.resolve(value, kind)
                href = f"{API}/{kind}s/{value}"
            seeds.append(
                {
                    "afterFilteringSize": 250,
                    "afterRelinkingSize": 250,
                    "href": href,
                    "id": value,
                    "initialPoolSize": 250,
                    "type": kind.upper(),
                }
            )
    if not 1 <= len(seeds) <= 5:
        raise bad_request("Between 1 and 5 seeds (artists, genres and tracks) are required")
    limit = call.limit(20, 100)
    rng = random.Random(f"{catalog.seed}/recommend/{','.join(s['id'] for s in seeds)}")
    tracks = [catalog.track(catalog.track_at(rng.randrange(10**6))) for _ in range(limit)]
    for seed in seeds:
        if seed["href"] is None:
            del seed["href"]
    return 200, {"seeds": seeds, "tracks": tracks}


# -- player ---------------------------------------------------------------------------------------


def _player_error(status: int, reason: str, message: str) -> ApiError:
    return ApiError(status, f"Player command failed: {message}", reason)


def _progress(call: Call, user: UserState) -> int:
    player = user.player
    progress = player.progress_ms
    if player.is_playing:
        progress += int((call.emulator.clock() - player.progress_clock) * 1000)
    current = player.current
    if current is not None:
        progress = min(progress, render_uri(call, current)["duration_ms"])
    return max(progress, 0)


def _set_progress(call: Call, user: UserState, progress: int) -> None:
    user.player.progress_ms = progress
    user.player.progress_clock = call.emulator.clock()


def _device_json(player: Any, device: Any) -> dict[str, Any]:
    return {
        "id": device.id,
        "is_active": device.id == player.active_device,
        "is_private_session": False,
        "is_restricted": False,
        "name": device.name,
        "type": device.type,
        "volume_percent": device.volume_percent,
        "supports_volume": device.supports_volume,
    }


def _playing_state(call: Call, with_device: bool) -> Reply:
    user = call.user
    player = user.player
    current = player.current
    if current is None:
        return 204, None
    item = render_uri(call, current)
    obj: dict[str, Any] = {
        "timestamp": call.emulator.now_ms(),
        "progress_ms": _progress(call, user),
        "is_playing": player.is_playing,
        "item": item,
        "currently_playing_type": item["type"],
        "actions": {"disallows": {"resuming": player.is_playing, "pausing": not player.is_playing}},
    }
    if player.context_uri is not None:
        kind, spotify_id = player.context_uri.split(":")[1:]
        obj["context"] = {
            "type": kind,
            "href": f"{API}/{kind}s/{spotify_id}",
            "external_urls": {"spotify": f"{OPEN}/{kind}/{spotify_id}"},
            "uri": player.context_uri,
        }
    if with_device:
        device = player.device(player.active_device or "")
        assert device is not None
        obj["device"] = _device_json(player, device)
        obj["repeat_state"] = player.repeat_state
        obj["shuffle_state"] = player.shuffle_state
    return 200, obj


def _active(call: Call, device_id: str | None = None) -> UserState:
    user = call.user
    player = user.player
    device_id = device_id or call.query.get("device_id")
    if device_id:
        if player.device(device_id) is None:
            raise ApiError(404, "Device not found")
        player.active_device = device_id
    if player.active_device is None:
        raise _player_error(404, "NO_ACTIVE_DEVICE", "No active device found")
    return user


def _context_items(call: Call, context_uri: str) -> list[str]:
    kind, spotify_id = call.parse_uri(context_uri, ("album", "playlist", "artist", "show"))
    catalog = _catalog(call)
    if kind == "playlist":
        playlist = call.emulator.playlist(spotify_id)
        if playlist is None:
            raise ApiError(404, "Resource not found")
        return [e.uri for e in playlist.entries]
    ref = call.resolve(spotify_id, kind)
    if kind == "album":
        return [f"spotify:track:{catalog.id_of(3, t)}" for t in catalog.album_tracks(ref.index)]
    if kind == "show":
        return [f"spotify:episode:{catalog.id_of(5, e)}" for e in catalog.show_episodes(ref.index)]
    tracks = _top_tracks_of(catalog, ref.index)
    return [f"spotify:track:{catalog.id_of(3, t)}" for t in tracks]


def _top_tracks_of(catalog: Catalog, artist: int) -> list[int]:
    albums = catalog.artist_albums(artist)
    return [catalog.album_tracks(albums[n])[0] for n in range(min(10, len(albums)))]


def _play(call: Call) -> Reply:
    user = _active(call)
    player = user.player
    body = call.json_object()
    if "context_uri" in body or "uris" in body:
        if "context_uri" in body:
            if not isinstance(body["context_uri"], str):
                raise bad_request("context_uri must be a string")
            items = _context_items(call, body["context_uri"])
            context: str | None = body["context_uri"]
        else:
            uris = body["uris"]
            if not isinstance(uris, list) or not uris or not all(isinstance(u, str) for u in uris):
                raise bad_request("uris must be a non-empty array of strings")
            for uri in uris:
                kind, spotify_id = call.parse_uri(uri, ("track", "episode"))
                call.resolve(spotify_id, kind)
            items, context = list(uris), None
        if not items:
            raise _player_error(403, "UNKNOWN", "Restriction violated")
        position = 0
        offset = body.get("offset")
        if isinstance(offset, dict):
            if isinstance(offset.get("position"), int):
                position = offset["position"]
            elif isinstance(offset.get("uri"), str):
                if offset["uri"] not in items:
                    raise bad_request("Can't have offset for context type: the uri is not in it")
                position = items.index(offset["uri"])
            if not 0 <= position < len(items):
                raise bad_request("Offset out of range")
        player.items, player.position, player.context_uri = items, position, context
        start = body.get("position_ms", 0)
        if not isinstance(start, int) or start < 0:
            raise bad_request("position_ms must be a non-negative integer")
        _set_progress(call, user, start)
    elif player.current is None:
        raise _player_error(403, "UNKNOWN", "Restriction violated")
    else:
        _set_progress(call, user, _progress(call, user))
    player.is_playing = True
    return 204, None


def _pause(call: Call) -> Reply:
    user = _active(call)
    if not user.player.is_playing:
        raise _player_error(403, "ALREADY_PAUSED", "Already paused")
    _set_progress(call, user, _progress(call, user))
    user.player.is_playing = False
    return 204, None


def _remember(call: Call, user: UserState) -> None:
    current = user.player.current
    if current is not None and current.startswith("spotify:track:"):
        user.history.append((current, call.emulator.now_ms(), user.player.context_uri))


def _next(call: Call) -> Reply:
    user = _active(call)
    player = user.player
    if player.current is None:
        raise _player_error(403, "NO_NEXT_TRACK", "No next track")
    _remember(call, user)
    if player.queue:
        player.items.insert(player.position + 1, player.queue.pop(0))
        player.position += 1
    elif player.position + 1 < len(player.items):
        player.position += 1
    elif player.repeat_state == "context":
        player.position = 0
    else:
        raise _player_error(403, "NO_NEXT_TRACK", "No next track")
    _set_progress(call, user, 0)
    return 204, None


def _previous(call: Call) -> Reply:
    user = _active(call)
    player = user.player
    if player.current is None or player.position == 0:
        raise _player_error(403, "NO_PREV_TRACK", "No previous track")
    _remember(call, user)
    player.position -= 1
    _set_progress(call, user, 0)
    return 204, None


def _seek(call: Call) -> Reply:
    user = _active(call)
    position = call.int_param("position_ms", -1, -1)
    if position < 0:
        raise bad_request("Missing required parameter: position_ms")
    if user.player.current is None:
        raise _player_error(403, "NOT_PLAYING_TRACK", "Nothing is playing")
    _set_progress(call, user, position)
    return 204, None


def _repeat(call: Call) -> Reply:
    user = _active(call)
    state = call.query.get("state")
    if state not in ("track", "context", "off"):
        raise bad_request("Invalid state: must be track, context or off")
    user.player.repeat_state = state
    return 204, None


def _volume(call: Call) -> Reply:
    user = _active(call)
    volume = call.int_param("volume_percent", -1, -1, 100)
    if volume < 0:
        raise bad_request("Missing required parameter: volume_percent")
    device = user.player.device(user.player.active_device or "")
    assert device is not None
    if not device.supports_volume:
        raise _player_error(403, "VOLUME_CONTROL_DISALLOW", "Cannot control device volume")
    device.volume_percent = volume
    return 204, None


def _shuffle(call: Call) -> Reply:
    user = _active(call)
    state = call.query.get("state")
    if state not in ("true", "false"):
        raise bad_request("Invalid state: must be true or false")
    user.player.shuffle_state = state == "true"
    return 204, None


def _transfer(call: Call) -> Reply:
    body = call.json_object()
    devices = body.get("device_ids")
    if not isinstance(devices, list) or len(devices) != 1 or not isinstance(devices[0], str):
        raise bad_request("device_ids must hold exactly one device id")
    user = call.user
    if user.player.device(devices[0]) is None:
        raise ApiError(404, "Device not found")
    if user.player.is_playing:
        _set_progress(call, user, _progress(call, user))
    user.player.active_device = devices[0]
    play = body.get("play")
    if play is True and user.player.current is not None:
        user.player.is_playing = True
    return 204, None


def _devices(call: Call) -> Reply:
    player = call.user.player
    return 200, {"devices": [_device_json(player, d) for d in player.devices]}


def _queue(call: Call) -> Reply:
    player = call.user.player
    current = player.current
    upcoming = player.queue + player.items[player.position + 1 : player.position + 21]
    obj: dict[str, Any] = {"queue": [render_uri(call, u) for u in upcoming[:20]]}
    if current is not None:
        obj["currently_playing"] = render_uri(call, current)
    return 200, obj


def _add_to_queue(call: Call) -> Reply:
    uri = call.query.get("uri")
    if not uri:
        raise bad_request("Missing required parameter: uri")
    kind, spotify_id = call.parse_uri(uri, ("track", "episode"))
    call.resolve(spotify_id, kind)
    user = _active(call)
    user.player.queue.append(uri)
    return 204, None


def _recently_played(call: Call) -> Reply:
    limit = call.limit()
    after = call.query.get("after")
    before = call.query.get("before")
    if after is not None and before is not None:
        raise bad_request("Only one of after and before may be given")
    history = sorted(call.user.history, key=lambda h: h[1], reverse=True)
    try:
        if after is not None:
            newer = [h for h in history if h[1] > int(after)]
            page = newer[-limit:]
        else:
            bound = int(before) if before is not None else None
            page = [h for h in history if bound is None or h[1] < bound][:limit]
    except ValueError:
        raise bad_request("after and before must be Unix timestamps in milliseconds") from None
    catalog = _catalog(call)
    items = []
    for uri, played, context in page:
        ref = catalog.resolve(uri.rsplit(":", 1)[1])
        assert ref is not None
        entry: dict[str, Any] = {
            "track": catalog.track(ref.index),
            "played_at": call.emulator.iso(played),
        }
        if context is not None:
            kind, spotify_id = context.split(":")[1:]
            entry["context"] = {
                "type": kind,
                "href": f"{API}/{kind}s/{spotify_id}",
                "external_urls": {"spotify": f"{OPEN}/{kind}/{spotify_id}"},
                "uri": context,
            }
        items.append(entry)
    older = bool(page) and any(h[1] < page[-1][1] for h in history)
    cursors = {"after": str(page[0][1]), "before": str(page[-1][1])} if page else {}
    return 200, {
        "href": call.href(),
        "limit": limit,
        "next": call.href(before=page[-1][1], after=None, limit=limit) if older else None,
        "cursors": cursors,
        "total": len(history),
        "items": items,
    }


# -- misc ------------------------------------------------------------------------------------------


def _markets(call: Call) -> Reply:
    return 200, {"markets": list(MARKETS)}


def _genres(call: Call) -> Reply:
    return 200, {"genres": list(GENRES)}


# -- the table ------------------------------------------------------------------------------------

_R = frozenset
LIB_R = _R({"user-library-read"})
LIB_W = _R({"user-library-modify"})
PL_W = _R({"playlist-modify-public", "playlist-modify-private"})
PL_R = _R({"playlist-read-private"})
FOL_R = _R({"user-follow-read"})
FOL_W = _R({"user-follow-modify"})
PLAY_R = _R({"user-read-playback-state"})
PLAY_W = _R({"user-modify-playback-state"})


def _op(
    method: str,
    path: str,
    operation_id: str,
    handler: Handler,
    scopes: frozenset[str] = _R(),
    *,
    user: bool = False,
    dep: bool = False,
) -> Operation:
    return Operation(
        method, path, operation_id, handler, scopes, user or path.startswith("/me"), dep
    )


OPERATIONS: tuple[Operation, ...] = (
    # Albums
    _op("GET", "/albums/{id}", "get-an-album", get_one("album")),
    _op("GET", "/albums", "get-multiple-albums", get_several("album", "albums", 20), dep=True),
    _op(
        "GET",
        "/albums/{id}/tracks",
        "get-an-albums-tracks",
        children("album", Catalog.album_tracks, Catalog.simple_track),
    ),
    # Artists
    _op("GET", "/artists/{id}", "get-an-artist", get_one("artist")),
    _op("GET", "/artists", "get-multiple-artists", get_several("artist", "artists", 50), dep=True),
    _op("GET", "/artists/{id}/albums", "get-an-artists-albums", _artist_albums),
    _op("GET", "/artists/{id}/top-tracks", "get-an-artists-top-tracks", _top_tracks, dep=True),
    _op(
        "GET", "/artists/{id}/related-artists", "get-an-artists-related-artists", _related, dep=True
    ),
    # Shows and episodes
    _op("GET", "/shows/{id}", "get-a-show", get_one("show")),
    _op(
        "GET",
        "/shows",
        "get-multiple-shows",
        get_several("show", "shows", 50, Catalog.simple_show),
        dep=True,
    ),
    _op(
        "GET",
        "/shows/{id}/episodes",
        "get-a-shows-episodes",
        children("show", Catalog.show_episodes, Catalog.simple_episode),
    ),
    _op("GET", "/episodes/{id}", "get-an-episode", get_one("episode")),
    _op(
        "GET",
        "/episodes",
        "get-multiple-episodes",
        get_several("episode", "episodes", 50),
        dep=True,
    ),
    # Audiobooks and chapters
    _op("GET", "/audiobooks/{id}", "get-an-audiobook", get_one("audiobook")),
    _op(
        "GET",
        "/audiobooks",
        "get-multiple-audiobooks",
        get_several("audiobook", "audiobooks", 50),
        dep=True,
    ),
    _op(
        "GET",
        "/audiobooks/{id}/chapters",
        "get-audiobook-chapters",
        children("audiobook", Catalog.audiobook_chapters, Catalog.simple_chapter),
    ),
    _op(
        "GET",
        "/me/audiobooks",
        "get-users-saved-audiobooks",
        saved_list("audiobook", "audiobook", full_audiobook),
        LIB_R,
    ),
    _op(
        "PUT",
        "/me/audiobooks",
        "save-audiobooks-user",
        saved_change("audiobook", 50, save=True),
        LIB_W,
        dep=True,
    ),
    _op(
        "DELETE",
        "/me/audiobooks",
        "remove-audiobooks-user",
        saved_change("audiobook", 50, save=False),
        LIB_W,
        dep=True,
    ),
    _op(
        "GET",
        "/me/audiobooks/contains",
        "check-users-saved-audiobooks",
        saved_contains("audiobook", 50),
        LIB_R,
        dep=True,
    ),
    _op("GET", "/chapters/{id}", "get-a-chapter", get_one("chapter")),
    _op(
        "GET", "/chapters", "get-several-chapters", get_several("chapter", "chapters", 50), dep=True
    ),
    # Tracks
    _op("GET", "/tracks/{id}", "get-track", get_one("track")),
    _op("GET", "/tracks", "get-several-tracks", get_several("track", "tracks", 50), dep=True),
    # Search
    _op("GET", "/search", "search", _search),
    # Users
    _op("GET", "/me", "get-current-users-profile", _me),
    # Playlists
    _op("GET", "/playlists/{playlist_id}", "get-playlist", _get_playlist),
    _op(
        "PUT",
        "/playlists/{playlist_id}",
        "change-playlist-details",
        _change_playlist,
        PL_W,
        user=True,
    ),
    _op(
        "GET",
        "/playlists/{playlist_id}/tracks",
        "get-playlists-tracks",
        _playlist_items(100),
        dep=True,
    ),
    _op(
        "POST",
        "/playlists/{playlist_id}/tracks",
        "add-tracks-to-playlist",
        _add_items,
        PL_W,
        user=True,
        dep=True,
    ),
    _op(
        "PUT",
        "/playlists/{playlist_id}/tracks",
        "reorder-or-replace-playlists-tracks",
        _update_items,
        PL_W,
        user=True,
        dep=True,
    ),
    _op(
        "DELETE",
        "/playlists/{playlist_id}/tracks",
        "remove-tracks-playlist",
        _remove_items("tracks"),
        PL_W,
        user=True,
        dep=True,
    ),
    _op("GET", "/playlists/{playlist_id}/items", "get-playlists-items", _playlist_items(100)),
    _op(
        "POST",
        "/playlists/{playlist_id}/items",
        "add-items-to-playlist",
        _add_items,
        PL_W,
        user=True,
    ),
    _op(
        "PUT",
        "/playlists/{playlist_id}/items",
        "reorder-or-replace-playlists-items",
        _update_items,
        PL_W,
        user=True,
    ),
    _op(
        "DELETE",
        "/playlists/{playlist_id}/items",
        "remove-items-playlist",
        _remove_items("items"),
        PL_W,
        user=True,
    ),
    _op(
        "GET",
        "/me/playlists",
        "get-a-list-of-current-users-playlists",
        _my_playlists,
        _R(
            {
                "playlist-read-private",
                "playlist-read-collaborative",
                "playlist-modify-public",
                "playlist-modify-private",
            }
        ),
    ),
    _op("POST", "/me/playlists", "create-playlist", _create_mine, PL_W),
    # Library (February 2026): scopes are checked per URI kind by the handlers
    _op("PUT", "/me/library", "save-library-items", _library_change(True)),
    _op("DELETE", "/me/library", "remove-library-items", _library_change(False)),
    _op("GET", "/me/library/contains", "check-library-contains", _library_contains),
    _op(
        "GET",
        "/me/albums",
        "get-users-saved-albums",
        saved_list("album", "album", full_album),
        LIB_R,
    ),
    _op(
        "PUT",
        "/me/albums",
        "save-albums-user",
        saved_change("album", 20, save=True, body_maximum=50),
        LIB_W,
        dep=True,
    ),
    _op(
        "DELETE",
        "/me/albums",
        "remove-albums-user",
        saved_change("album", 20, save=False, body_maximum=50),
        LIB_W,
        dep=True,
    ),
    _op(
        "GET",
        "/me/albums/contains",
        "check-users-saved-albums",
        saved_contains("album", 20),
        LIB_R,
        dep=True,
    ),
    _op(
        "GET",
        "/me/tracks",
        "get-users-saved-tracks",
        saved_list("track", "track", Catalog.track),
        LIB_R,
    ),
    _op(
        "PUT",
        "/me/tracks",
        "save-tracks-user",
        saved_change("track", 50, save=True, timestamped=True),
        LIB_W,
        dep=True,
    ),
    _op(
        "DELETE",
        "/me/tracks",
        "remove-tracks-user",
        saved_change("track", 50, save=False),
        LIB_W,
        dep=True,
    ),
    _op(
        "GET",
        "/me/tracks/contains",
        "check-users-saved-tracks",
        saved_contains("track", 50),
        LIB_R,
        dep=True,
    ),
    _op(
        "GET",
        "/me/episodes",
        "get-users-saved-episodes",
        saved_list("episode", "episode", Catalog.episode),
        LIB_R,
    ),
    _op(
        "PUT",
        "/me/episodes",
        "save-episodes-user",
        saved_change("episode", 50, save=True),
        LIB_W,
        dep=True,
    ),
    _op(
        "DELETE",
        "/me/episodes",
        "remove-episodes-user",
        saved_change("episode", 50, save=False),
        LIB_W,
        dep=True,
    ),
    _op(
        "GET",
        "/me/episodes/contains",
        "check-users-saved-episodes",
        saved_contains("episode", 50),
        LIB_R,
        dep=True,
    ),
    _op(
        "GET",
        "/me/shows",
        "get-users-saved-shows",
        saved_list("show", "show", Catalog.simple_show),
        LIB_R,
    ),
    _op(
        "PUT", "/me/shows", "save-shows-user", saved_change("show", 50, save=True), LIB_W, dep=True
    ),
    _op(
        "DELETE",
        "/me/shows",
        "remove-shows-user",
        saved_change("show", 50, save=False),
        LIB_W,
        dep=True,
    ),
    _op(
        "GET",
        "/me/shows/contains",
        "check-users-saved-shows",
        saved_contains("show", 50),
        LIB_R,
        dep=True,
    ),
    _op("GET", "/me/top/{type}", "get-users-top-artists-and-tracks", _top, _R({"user-top-read"})),
    _op("GET", "/users/{user_id}", "get-users-profile", _user_profile, dep=True),
    _op("GET", "/users/{user_id}/playlists", "get-list-users-playlists", _user_playlists, dep=True),
    _op(
        "POST",
        "/users/{user_id}/playlists",
        "create-playlist-for-user",
        _create_for_user,
        PL_W,
        user=True,
        dep=True,
    ),
    _op(
        "PUT",
        "/playlists/{playlist_id}/followers",
        "follow-playlist",
        _follow_playlist(True),
        PL_W,
        user=True,
        dep=True,
    ),
    _op(
        "DELETE",
        "/playlists/{playlist_id}/followers",
        "unfollow-playlist",
        _follow_playlist(False),
        PL_W,
        user=True,
        dep=True,
    ),
    _op("GET", "/browse/featured-playlists", "get-featured-playlists", _featured, dep=True),
    _op("GET", "/browse/categories", "get-categories", _categories, dep=True),
    _op("GET", "/browse/categories/{category_id}", "get-a-category", _get_category, dep=True),
    _op(
        "GET",
        "/browse/categories/{category_id}/playlists",
        "get-a-categories-playlists",
        _category_playlists,
        dep=True,
    ),
    _op("GET", "/playlists/{playlist_id}/images", "get-playlist-cover", _cover),
    _op(
        "PUT",
        "/playlists/{playlist_id}/images",
        "upload-custom-playlist-cover",
        _upload_cover,
        _R({"ugc-image-upload"}),
        user=True,
    ),
    _op("GET", "/browse/new-releases", "get-new-releases", _new_releases, dep=True),
    _op("GET", "/me/following", "get-followed", _followed_artists, FOL_R),
    _op("PUT", "/me/following", "follow-artists-users", _follow(True), FOL_W, dep=True),
    _op("DELETE", "/me/following", "unfollow-artists-users", _follow(False), FOL_W, dep=True),
    _op(
        "GET",
        "/me/following/contains",
        "check-current-user-follows",
        _follow_contains,
        FOL_R,
        dep=True,
    ),
    _op(
        "GET",
        "/playlists/{playlist_id}/followers/contains",
        "check-if-user-follows-playlist",
        _playlist_follow_contains,
        user=True,
        dep=True,
    ),
    _op(
        "GET",
        "/audio-features",
        "get-several-audio-features",
        get_several("track", "audio_features", 100, _features),
        dep=True,
    ),
    _op("GET", "/audio-features/{id}", "get-audio-features", _one_features, dep=True),
    _op("GET", "/audio-analysis/{id}", "get-audio-analysis", _analysis, dep=True),
    _op("GET", "/recommendations", "get-recommendations", _recommendations, dep=True),
    _op(
        "GET",
        "/recommendations/available-genre-seeds",
        "get-recommendation-genres",
        _genres,
        dep=True,
    ),
    # Player
    _op(
        "GET",
        "/me/player",
        "get-information-about-the-users-current-playback",
        lambda call: _playing_state(call, True),
        PLAY_R,
    ),
    _op("PUT", "/me/player", "transfer-a-users-playback", _transfer, PLAY_W),
    _op("GET", "/me/player/devices", "get-a-users-available-devices", _devices, PLAY_R),
    _op(
        "GET",
        "/me/player/currently-playing",
        "get-the-users-currently-playing-track",
        lambda call: _playing_state(call, False),
        _R({"user-read-currently-playing", "user-read-playback-state"}),
    ),
    _op("PUT", "/me/player/play", "start-a-users-playback", _play, PLAY_W),
    _op("PUT", "/me/player/pause", "pause-a-users-playback", _pause, PLAY_W),
    _op("POST", "/me/player/next", "skip-users-playback-to-next-track", _next, PLAY_W),
    _op("POST", "/me/player/previous", "skip-users-playback-to-previous-track", _previous, PLAY_W),
    _op("PUT", "/me/player/seek", "seek-to-position-in-currently-playing-track", _seek, PLAY_W),
    _op("PUT", "/me/player/repeat", "set-repeat-mode-on-users-playback", _repeat, PLAY_W),
    _op("PUT", "/me/player/volume", "set-volume-for-users-playback", _volume, PLAY_W),
    _op("PUT", "/me/player/shuffle", "toggle-shuffle-for-users-playback", _shuffle, PLAY_W),
    _op(
        "GET",
        "/me/player/recently-played",
        "get-recently-played",
        _recently_played,
        _R({"user-read-recently-played"}),
    ),
    _op(
        "GET",
        "/me/player/queue",
        "get-queue",
        _queue,
        _R({"user-read-currently-playing", "user-read-playback-state"}),
    ),
    _op("POST", "/me/player/queue", "add-to-queue", _add_to_queue, PLAY_W),
    # Markets
    _op("GET", "/markets", "get-available-markets", _markets, dep=True),
)
