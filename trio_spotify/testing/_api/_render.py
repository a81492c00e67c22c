"""Spotify's objects as the emulator writes them, where more than one category needs them.

The catalog (`.._catalog`) builds the simple objects (a simplified album, a track); this
module composes the full ones that embed a first page of children (an album with its
tracks, a show with its episodes, a playlist with its items), playlist and user objects
from the emulator's state, and the paging object shared by every list of playlists.
Everything here is a pure function of the catalog and the state: no parameter checking,
which is the handlers' business.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from .._call import Call
from .._catalog import API, OPEN, Catalog
from .._catalog_ids import PLAYLIST
from .._state import Playlist, PlaylistEntry

__all__ = [
    "FULL",
    "browse_playlist_ids",
    "can_read_contents",
    "context_object",
    "full_album",
    "full_audiobook",
    "full_playlist",
    "full_show",
    "iso_ms",
    "mosaic",
    "playlist_entry",
    "playlist_page",
    "public_user",
    "render_uri",
    "simple_playlist",
    "static_page",
]


def static_page(path: str, items: list[Any], total: int, limit: int) -> dict[str, Any]:
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
    """An album with its copyrights, label and popularity, and its first 50 tracks."""
    album = c.simple_album(index)
    tracks = c.album_tracks(index)
    return {
        **album,
        **c.album_extras(index),
        "tracks": static_page(
            f"/albums/{album['id']}/tracks",
            [c.simple_track(t) for t in tracks[:50]],
            len(tracks),
            50,
        ),
    }


def full_show(c: Catalog, index: int) -> dict[str, Any]:
    """A show with its first 50 episodes."""
    show = c.simple_show(index)
    episodes = c.show_episodes(index)
    return {
        **show,
        "episodes": static_page(
            f"/shows/{show['id']}/episodes",
            [c.simple_episode(e) for e in episodes[:50]],
            len(episodes),
            50,
        ),
    }


def full_audiobook(c: Catalog, index: int) -> dict[str, Any]:
    """An audiobook with its first 50 chapters."""
    book = c.simple_audiobook(index)
    chapters = c.audiobook_chapters(index)
    return {
        **book,
        "chapters": static_page(
            f"/audiobooks/{book['id']}/chapters",
            [c.simple_chapter(x) for x in chapters[:50]],
            len(chapters),
            50,
        ),
    }


#: The full object of each catalog kind, by index.
FULL: dict[str, Callable[[Catalog, int], dict[str, Any]]] = {
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
    return FULL[kind](call.catalog, ref.index)


def iso_ms(ms: int) -> str:
    """`ms` (wall-clock milliseconds) as Spotify writes `played_at`, with milliseconds:
    `2017-05-27T20:07:54.721Z`."""
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def context_object(uri: str) -> dict[str, Any]:
    """The `context` of a playback or a play history entry: the album, playlist, artist or
    show `uri` names."""
    kind, spotify_id = uri.split(":")[1:]
    return {
        "type": kind,
        "href": f"{API}/{kind}s/{spotify_id}",
        "external_urls": {"spotify": f"{OPEN}/{kind}/{spotify_id}"},
        "uri": uri,
    }


def simple_playlist(playlist: Playlist) -> dict[str, Any]:
    """A simplified playlist: its metadata and the links to (and count of) its items."""
    base = f"{API}/playlists/{playlist.id}"
    ref = {"href": f"{base}/tracks", "total": len(playlist.entries)}
    return {
        "collaborative": playlist.collaborative,
        "description": playlist.description or "",
        "external_urls": {"spotify": f"{OPEN}/playlist/{playlist.id}"},
        "href": base,
        "id": playlist.id,
        "images": playlist.images or mosaic(playlist),
        "name": playlist.name,
        "owner": Catalog.user_ref(playlist.owner, playlist.owner_name),
        # Spotify sends it on every playlist, simplified or full (undocumented).
        "primary_color": None,
        "public": playlist.public,
        "snapshot_id": playlist.snapshot_id,
        "items": {**ref, "href": f"{base}/items"},
        "tracks": ref,
        "type": "playlist",
        "uri": f"spotify:playlist:{playlist.id}",
    }


def mosaic(playlist: Playlist) -> list[dict[str, Any]]:
    """The cover Spotify makes for a playlist without an uploaded one: a mosaic of its
    first items' artwork, in three sizes (no cover for an empty playlist)."""
    if not playlist.entries:
        return []
    key = hashlib.sha1(
        "".join(e.uri for e in playlist.entries[:4]).encode(), usedforsecurity=False
    ).hexdigest()
    return [
        {"height": size, "url": f"https://mosaic.scdn.co/{size}/{key}", "width": size}
        for size in (640, 300, 60)
    ]


def playlist_entry(call: Call, entry: PlaylistEntry) -> dict[str, Any]:
    """A playlist item: when and by whom it was added, and the track or episode (under both
    Spotify's current key `item` and the older `track`).

    Spotify adds keys the definition does not list (undocumented): `primary_color` and
    `video_thumbnail: {"url": null}` on the entry, `episode`/`track` flags on the item, and
    `html_description: null` on the show of an episode.
    """
    item = dict(render_uri(call, entry.uri))
    is_episode = item["type"] == "episode"
    item["episode"], item["track"] = is_episode, not is_episode
    if is_episode and isinstance(item.get("show"), dict):
        item["show"] = {**item["show"], "html_description": None}
    return {
        "added_at": entry.added_at,
        "added_by": Catalog.user_ref(entry.added_by),
        "is_local": False,
        "item": item,
        "primary_color": None,
        "track": item,
        "video_thumbnail": {"url": None},
    }


def can_read_contents(call: Call, playlist: Playlist) -> bool:
    """Development-mode apps only see the contents of playlists the user owns or
    collaborates on (February 2026)."""
    if call.emulator.mode != "development":
        return True
    return playlist.owner == call.grant.user_id or (
        playlist.collaborative and playlist.id in call.user.followed_playlists
    )


def full_playlist(call: Call, playlist: Playlist) -> dict[str, Any]:
    """A playlist with its followers and, where the caller may read them, its first 100
    items (as `items` and as the older `tracks`)."""
    obj = simple_playlist(playlist)
    obj["description"] = playlist.description
    obj["followers"] = {"href": None, "total": playlist.followers}
    del obj["items"], obj["tracks"]
    if can_read_contents(call, playlist):
        page = static_page(
            f"/playlists/{playlist.id}/items",
            [playlist_entry(call, e) for e in playlist.entries[:100]],
            len(playlist.entries),
            100,
        )
        # `/items` takes `limit` up to 50 (the corrected definition), `/tracks` up to 100:
        # each `next` link asks for what its endpoint accepts.
        obj["items"] = {
            **page,
            "next": page["next"] and page["next"].replace("limit=100", "limit=50"),
        }
        obj["tracks"] = {
            **page,
            "href": page["href"].replace("/items?", "/tracks?"),
            "next": page["next"] and page["next"].replace("/items?", "/tracks?"),
        }
    return obj


def playlist_page(call: Call, ids: Sequence[str]) -> dict[str, Any]:
    """A page (from the query's `limit` and `offset`) of the playlists `ids` names."""
    playlists = [p for p in (call.emulator.playlist(i) for i in ids) if p is not None]
    return call.page_list(playlists, simple_playlist)


def browse_playlist_ids(call: Call, key: str) -> list[str]:
    """Twelve catalog playlists, the same ones for the same `key` (featured, a category)."""
    catalog = call.catalog
    n = catalog.size.playlists
    rng = random.Random(f"{catalog.seed}/browse/{key}")
    return [catalog.id_of(PLAYLIST, i) for i in rng.sample(range(n), min(n, 12))]


def public_user(call: Call, user_id: str) -> dict[str, Any]:
    """The public profile of `user_id` (its follower count from this emulator's users)."""
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
