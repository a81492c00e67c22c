"""The emulator's artists: get one or several, discographies, top tracks, related artists,
and follows (`/me/following`, of artists and of users: one set of operations)."""

from __future__ import annotations

from collections.abc import Sequence

from trio_spotify._operations import INCLUDE_GROUPS

from .._call import ApiHandler, Call
from .._reply import Reply, bad_request
from ._factories import check_ids_exist, get_one, get_several

__all__ = ["HANDLERS"]


def _artist_albums(call: Call) -> Reply:
    call.market()
    ref = call.resolve(call.path("id"), "artist")
    catalog = call.catalog
    groups_raw = call.query.get("include_groups")
    albums = list(catalog.artist_albums(ref.index))
    if groups_raw:
        groups = set(groups_raw.split(","))
        if not groups <= set(INCLUDE_GROUPS):
            raise bad_request("Invalid include_groups")
        albums = [a for a in albums if catalog.simple_album(a)["album_type"] in groups]
    return 200, call.page_list(albums, catalog.discography_album, default=5)


def _top_tracks(call: Call) -> Reply:
    call.market()
    ref = call.resolve(call.path("id"), "artist")
    catalog = call.catalog
    return 200, {"tracks": [catalog.track(t) for t in catalog.artist_top_tracks(ref.index)]}


def _related(call: Call) -> Reply:
    ref = call.resolve(call.path("id"), "artist")
    catalog = call.catalog
    n = catalog.size.artists
    return 200, {
        "artists": [catalog.artist((ref.index + 1 + k * 3) % n) for k in range(min(20, n - 1))]
    }


# -- follows ----------------------------------------------------------------------------------


def _follow_type(call: Call, allowed: Sequence[str] = ("artist", "user")) -> str:
    kind = call.query.get("type")
    if kind is None or kind not in allowed:
        raise bad_request("Invalid type: must be " + " or ".join(allowed))
    return kind


def _follow_ids(call: Call, kind: str) -> list[str]:
    if kind == "artist":
        ids = call.id_list("ids", body=True)
        check_ids_exist(call, "artist", ids)
        return ids
    raw = call.query.get("ids")
    if raw is not None:
        ids = [u for u in raw.split(",") if u]
    else:
        data = call.json_object().get("ids")
        ids = data if isinstance(data, list) and all(isinstance(i, str) for i in data) else []
    if not ids:
        raise bad_request("Missing required parameter: ids")
    if len(ids) > call.batch:
        raise bad_request(f"Too many ids requested: at most {call.batch}")
    return ids


def _follow(follow: bool) -> ApiHandler:
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
    if len(ids) > call.batch:
        raise bad_request(f"Too many ids requested: at most {call.batch}")
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
    catalog = call.catalog
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
            # The last page says `"after": null` (Spotify sends it so).
            "cursors": {"after": page[-1] if more and page else None},
            "total": len(followed),
            "items": items,
        }
    }


HANDLERS: dict[str, ApiHandler] = {
    "get-an-artist": get_one("artist"),
    "get-multiple-artists": get_several("artist", "artists"),
    "get-an-artists-albums": _artist_albums,
    "get-an-artists-top-tracks": _top_tracks,
    "get-an-artists-related-artists": _related,
    "get-followed": _followed_artists,
    "follow-artists-users": _follow(True),
    "unfollow-artists-users": _follow(False),
    "check-current-user-follows": _follow_contains,
}
