"""The 96 operations of Spotify's OpenAPI definition, described once as data.

Each `Operation` carries what the endpoint methods, the paging helpers, the emulator, the
CLI and `docs/endpoints.md` need: HTTP method and path template, the scopes a token must
hold, whether Spotify deprecated it (and what replaces it), how many IDs one request may
carry (`batch`), the range of `limit`, the largest `offset`, and the shape of its paging
(`paging`, `wrapped_in`). Taken from `official-spotify-open-api.yml` and the endpoint
table; `tests/endpoints/test_endpoints_spec.py` checks every column against the definition.

`operation_for(method, path)` finds the operation a request is an instance of (a paging
`next` link, a request the emulator receives), from the same rows.
"""

from __future__ import annotations

import re
from typing import Literal

import attrs

__all__ = ["INCLUDE_GROUPS", "OPERATIONS", "SEARCH_TYPES", "Operation", "Paging", "operation_for"]

#: How an operation's answer is paged: `"offset"` (`items`, `offset`, `limit`, `total`,
#: `next`) or `"cursor"` (`items`, `cursors`, `next`).
Paging = Literal["offset", "cursor"]


@attrs.frozen
class Operation:
    """One operation of the Web API: `Operation(operation_id, method, path, *, ...)`.

    `scopes` is a tuple of alternatives: the token needs at least one scope of every
    element (`(frozenset({"playlist-modify-public", "playlist-modify-private"}),)` means
    either will do). `replacement` names the method to use instead of a deprecated one.
    """

    operation_id: str
    method: str
    path: str
    scopes: tuple[frozenset[str], ...] = attrs.field(default=(), kw_only=True)
    deprecated: bool = attrs.field(default=False, kw_only=True)
    replacement: str | None = attrs.field(default=None, kw_only=True)
    batch: int | None = attrs.field(default=None, kw_only=True)
    limit_range: tuple[int, int] | None = attrs.field(default=None, kw_only=True)
    #: The largest `offset` Spotify accepts, where it documents one.
    max_offset: int | None = attrs.field(default=None, kw_only=True)
    #: The paging object the answer is, or wraps (`None`: the answer is not paged).
    paging: Paging | None = attrs.field(default=None, kw_only=True)
    #: The keys the paging object is wrapped in (`("artists",)` for followed artists, one
    #: per type for search); empty when the answer is the paging object itself.
    wrapped_in: tuple[str, ...] = attrs.field(default=(), kw_only=True)

    @property
    def all_scopes(self) -> frozenset[str]:
        """Every scope the definition lists for this operation."""
        return frozenset().union(*self.scopes)

    def missing_scopes(self, granted: frozenset[str]) -> frozenset[str]:
        """The listed scopes of the alternatives `granted` satisfies none of."""
        missing: set[str] = set()
        for alternatives in self.scopes:
            if not alternatives & granted:
                missing |= alternatives
        return frozenset(missing)


_ALL = [
    Operation("get-an-album", "GET", "/albums/{id}"),
    Operation(
        "get-multiple-albums",
        "GET",
        "/albums",
        deprecated=True,
        replacement="spotify.albums.get",
        batch=20,
    ),
    Operation(
        "get-an-albums-tracks", "GET", "/albums/{id}/tracks", limit_range=(1, 50), paging="offset"
    ),
    Operation("get-an-artist", "GET", "/artists/{id}"),
    Operation(
        "get-multiple-artists",
        "GET",
        "/artists",
        deprecated=True,
        replacement="spotify.artists.get",
        batch=50,
    ),
    Operation(
        "get-an-artists-albums", "GET", "/artists/{id}/albums", limit_range=(1, 10), paging="offset"
    ),
    Operation("get-an-artists-top-tracks", "GET", "/artists/{id}/top-tracks", deprecated=True),
    Operation(
        "get-an-artists-related-artists", "GET", "/artists/{id}/related-artists", deprecated=True
    ),
    Operation(
        "get-a-show", "GET", "/shows/{id}", scopes=(frozenset({"user-read-playback-position"}),)
    ),
    Operation(
        "get-multiple-shows",
        "GET",
        "/shows",
        deprecated=True,
        replacement="spotify.shows.get",
        batch=50,
    ),
    Operation(
        "get-a-shows-episodes",
        "GET",
        "/shows/{id}/episodes",
        scopes=(frozenset({"user-read-playback-position"}),),
        limit_range=(1, 50),
        paging="offset",
    ),
    Operation(
        "get-an-episode",
        "GET",
        "/episodes/{id}",
        scopes=(frozenset({"user-read-playback-position"}),),
    ),
    Operation(
        "get-multiple-episodes",
        "GET",
        "/episodes",
        scopes=(frozenset({"user-read-playback-position"}),),
        deprecated=True,
        replacement="spotify.episodes.get",
        batch=50,
    ),
    Operation("get-an-audiobook", "GET", "/audiobooks/{id}"),
    Operation(
        "get-multiple-audiobooks",
        "GET",
        "/audiobooks",
        deprecated=True,
        replacement="spotify.audiobooks.get",
        batch=50,
    ),
    Operation(
        "get-audiobook-chapters",
        "GET",
        "/audiobooks/{id}/chapters",
        limit_range=(1, 50),
        paging="offset",
    ),
    Operation(
        "get-users-saved-audiobooks",
        "GET",
        "/me/audiobooks",
        scopes=(frozenset({"user-library-read"}),),
        limit_range=(1, 50),
        paging="offset",
    ),
    Operation(
        "save-audiobooks-user",
        "PUT",
        "/me/audiobooks",
        scopes=(frozenset({"user-library-modify"}),),
        deprecated=True,
        replacement="spotify.library.save",
        batch=50,
    ),
    Operation(
        "remove-audiobooks-user",
        "DELETE",
        "/me/audiobooks",
        scopes=(frozenset({"user-library-modify"}),),
        deprecated=True,
        replacement="spotify.library.remove",
        batch=50,
    ),
    Operation(
        "check-users-saved-audiobooks",
        "GET",
        "/me/audiobooks/contains",
        scopes=(frozenset({"user-library-read"}),),
        deprecated=True,
        replacement="spotify.library.contains",
        batch=50,
    ),
    Operation("get-a-chapter", "GET", "/chapters/{id}"),
    Operation(
        "get-several-chapters",
        "GET",
        "/chapters",
        deprecated=True,
        replacement="spotify.chapters.get",
        batch=50,
    ),
    Operation("get-track", "GET", "/tracks/{id}"),
    Operation(
        "get-several-tracks",
        "GET",
        "/tracks",
        deprecated=True,
        replacement="spotify.tracks.get",
        batch=50,
    ),
    Operation(
        "search",
        "GET",
        "/search",
        limit_range=(0, 10),
        max_offset=1000,
        paging="offset",
        wrapped_in=("tracks", "artists", "albums", "playlists", "shows", "episodes", "audiobooks"),
    ),
    Operation(
        "get-current-users-profile",
        "GET",
        "/me",
        scopes=(frozenset({"user-read-email", "user-read-private"}),),
    ),
    Operation("get-playlist", "GET", "/playlists/{playlist_id}"),
    Operation(
        "change-playlist-details",
        "PUT",
        "/playlists/{playlist_id}",
        scopes=(frozenset({"playlist-modify-private", "playlist-modify-public"}),),
    ),
    Operation(
        "get-playlists-tracks",
        "GET",
        "/playlists/{playlist_id}/tracks",
        scopes=(frozenset({"playlist-read-private"}),),
        deprecated=True,
        replacement="spotify.playlists.items",
        limit_range=(1, 50),
        paging="offset",
    ),
    Operation(
        "add-tracks-to-playlist",
        "POST",
        "/playlists/{playlist_id}/tracks",
        scopes=(frozenset({"playlist-modify-private", "playlist-modify-public"}),),
        deprecated=True,
        replacement="spotify.playlists.add_items",
        batch=100,
    ),
    Operation(
        "reorder-or-replace-playlists-tracks",
        "PUT",
        "/playlists/{playlist_id}/tracks",
        scopes=(frozenset({"playlist-modify-private", "playlist-modify-public"}),),
        deprecated=True,
        replacement="spotify.playlists.replace_items / spotify.playlists.reorder_items",
        batch=100,
    ),
    Operation(
        "remove-tracks-playlist",
        "DELETE",
        "/playlists/{playlist_id}/tracks",
        scopes=(frozenset({"playlist-modify-private", "playlist-modify-public"}),),
        deprecated=True,
        replacement="spotify.playlists.remove_items",
        batch=100,
    ),
    Operation(
        "get-playlists-items",
        "GET",
        "/playlists/{playlist_id}/items",
        scopes=(frozenset({"playlist-read-private"}),),
        limit_range=(1, 50),
        paging="offset",
    ),
    Operation(
        "add-items-to-playlist",
        "POST",
        "/playlists/{playlist_id}/items",
        scopes=(frozenset({"playlist-modify-private", "playlist-modify-public"}),),
        batch=100,
    ),
    Operation(
        "reorder-or-replace-playlists-items",
        "PUT",
        "/playlists/{playlist_id}/items",
        scopes=(frozenset({"playlist-modify-private", "playlist-modify-public"}),),
        batch=100,
    ),
    Operation(
        "remove-items-playlist",
        "DELETE",
        "/playlists/{playlist_id}/items",
        scopes=(frozenset({"playlist-modify-private", "playlist-modify-public"}),),
        batch=100,
    ),
    Operation(
        "get-a-list-of-current-users-playlists",
        "GET",
        "/me/playlists",
        scopes=(frozenset({"playlist-read-private"}),),
        limit_range=(1, 50),
        max_offset=100_000,
        paging="offset",
    ),
    Operation(
        "create-playlist",
        "POST",
        "/me/playlists",
        scopes=(frozenset({"playlist-modify-private", "playlist-modify-public"}),),
    ),
    Operation(
        "save-library-items",
        "PUT",
        "/me/library",
        scopes=(
            frozenset({"playlist-modify-public", "user-follow-modify", "user-library-modify"}),
        ),
        batch=40,
    ),
    Operation(
        "remove-library-items",
        "DELETE",
        "/me/library",
        scopes=(
            frozenset({"playlist-modify-public", "user-follow-modify", "user-library-modify"}),
        ),
        batch=40,
    ),
    Operation(
        "check-library-contains",
        "GET",
        "/me/library/contains",
        scopes=(frozenset({"playlist-read-private", "user-follow-read", "user-library-read"}),),
        batch=40,
    ),
    Operation(
        "get-users-saved-albums",
        "GET",
        "/me/albums",
        scopes=(frozenset({"user-library-read"}),),
        limit_range=(1, 50),
        paging="offset",
    ),
    Operation(
        "save-albums-user",
        "PUT",
        "/me/albums",
        scopes=(frozenset({"user-library-modify"}),),
        deprecated=True,
        replacement="spotify.library.save",
        batch=20,
    ),
    Operation(
        "remove-albums-user",
        "DELETE",
        "/me/albums",
        scopes=(frozenset({"user-library-modify"}),),
        deprecated=True,
        replacement="spotify.library.remove",
        batch=20,
    ),
    Operation(
        "check-users-saved-albums",
        "GET",
        "/me/albums/contains",
        scopes=(frozenset({"user-library-read"}),),
        deprecated=True,
        replacement="spotify.library.contains",
        batch=20,
    ),
    Operation(
        "get-users-saved-tracks",
        "GET",
        "/me/tracks",
        scopes=(frozenset({"user-library-read"}),),
        limit_range=(1, 50),
        paging="offset",
    ),
    Operation(
        "save-tracks-user",
        "PUT",
        "/me/tracks",
        scopes=(frozenset({"user-library-modify"}),),
        deprecated=True,
        replacement="spotify.library.save",
        batch=50,
    ),
    Operation(
        "remove-tracks-user",
        "DELETE",
        "/me/tracks",
        scopes=(frozenset({"user-library-modify"}),),
        deprecated=True,
        replacement="spotify.library.remove",
        batch=50,
    ),
    Operation(
        "check-users-saved-tracks",
        "GET",
        "/me/tracks/contains",
        scopes=(frozenset({"user-library-read"}),),
        deprecated=True,
        replacement="spotify.library.contains",
        batch=50,
    ),
    Operation(
        "get-users-saved-episodes",
        "GET",
        "/me/episodes",
        scopes=(
            frozenset({"user-library-read"}),
            frozenset({"user-read-playback-position"}),
        ),
        limit_range=(1, 50),
        paging="offset",
    ),
    Operation(
        "save-episodes-user",
        "PUT",
        "/me/episodes",
        scopes=(frozenset({"user-library-modify"}),),
        deprecated=True,
        replacement="spotify.library.save",
        batch=50,
    ),
    Operation(
        "remove-episodes-user",
        "DELETE",
        "/me/episodes",
        scopes=(frozenset({"user-library-modify"}),),
        deprecated=True,
        replacement="spotify.library.remove",
        batch=50,
    ),
    Operation(
        "check-users-saved-episodes",
        "GET",
        "/me/episodes/contains",
        scopes=(frozenset({"user-library-read"}),),
        deprecated=True,
        replacement="spotify.library.contains",
        batch=50,
    ),
    Operation(
        "get-users-saved-shows",
        "GET",
        "/me/shows",
        scopes=(frozenset({"user-library-read"}),),
        limit_range=(1, 50),
        paging="offset",
    ),
    Operation(
        "save-shows-user",
        "PUT",
        "/me/shows",
        scopes=(frozenset({"user-library-modify"}),),
        deprecated=True,
        replacement="spotify.library.save",
        batch=50,
    ),
    Operation(
        "remove-shows-user",
        "DELETE",
        "/me/shows",
        scopes=(frozenset({"user-library-modify"}),),
        deprecated=True,
        replacement="spotify.library.remove",
        batch=50,
    ),
    Operation(
        "check-users-saved-shows",
        "GET",
        "/me/shows/contains",
        scopes=(frozenset({"user-library-read"}),),
        deprecated=True,
        replacement="spotify.library.contains",
        batch=50,
    ),
    Operation(
        "get-users-top-artists-and-tracks",
        "GET",
        "/me/top/{type}",
        scopes=(frozenset({"user-top-read"}),),
        limit_range=(1, 50),
        paging="offset",
    ),
    Operation(
        "get-users-profile",
        "GET",
        "/users/{user_id}",
        deprecated=True,
        replacement="spotify.users.me (for the current user)",
    ),
    Operation(
        "get-list-users-playlists",
        "GET",
        "/users/{user_id}/playlists",
        scopes=(frozenset({"playlist-read-collaborative", "playlist-read-private"}),),
        deprecated=True,
        replacement="spotify.playlists.saved (for the current user)",
        limit_range=(1, 50),
        max_offset=100_000,
        paging="offset",
    ),
    Operation(
        "create-playlist-for-user",
        "POST",
        "/users/{user_id}/playlists",
        scopes=(frozenset({"playlist-modify-private", "playlist-modify-public"}),),
        deprecated=True,
        replacement="spotify.playlists.create",
    ),
    Operation(
        "follow-playlist",
        "PUT",
        "/playlists/{playlist_id}/followers",
        scopes=(frozenset({"playlist-modify-private", "playlist-modify-public"}),),
        deprecated=True,
        replacement="spotify.library.save",
    ),
    Operation(
        "unfollow-playlist",
        "DELETE",
        "/playlists/{playlist_id}/followers",
        scopes=(frozenset({"playlist-modify-private", "playlist-modify-public"}),),
        deprecated=True,
        replacement="spotify.library.remove",
    ),
    Operation(
        "get-featured-playlists",
        "GET",
        "/browse/featured-playlists",
        deprecated=True,
        limit_range=(1, 50),
        paging="offset",
        wrapped_in=("playlists",),
    ),
    Operation(
        "get-categories",
        "GET",
        "/browse/categories",
        deprecated=True,
        limit_range=(1, 50),
        paging="offset",
        wrapped_in=("categories",),
    ),
    Operation("get-a-category", "GET", "/browse/categories/{category_id}", deprecated=True),
    Operation(
        "get-a-categories-playlists",
        "GET",
        "/browse/categories/{category_id}/playlists",
        deprecated=True,
        limit_range=(1, 50),
        paging="offset",
        wrapped_in=("playlists",),
    ),
    Operation("get-playlist-cover", "GET", "/playlists/{playlist_id}/images"),
    Operation(
        "upload-custom-playlist-cover",
        "PUT",
        "/playlists/{playlist_id}/images",
        scopes=(
            frozenset({"playlist-modify-private", "playlist-modify-public"}),
            frozenset({"ugc-image-upload"}),
        ),
    ),
    Operation(
        "get-new-releases",
        "GET",
        "/browse/new-releases",
        deprecated=True,
        limit_range=(1, 50),
        paging="offset",
        wrapped_in=("albums",),
    ),
    Operation(
        "get-followed",
        "GET",
        "/me/following",
        scopes=(frozenset({"user-follow-read"}),),
        limit_range=(1, 50),
        paging="cursor",
        wrapped_in=("artists",),
    ),
    Operation(
        "follow-artists-users",
        "PUT",
        "/me/following",
        scopes=(frozenset({"user-follow-modify"}),),
        deprecated=True,
        replacement="spotify.library.save",
        batch=50,
    ),
    Operation(
        "unfollow-artists-users",
        "DELETE",
        "/me/following",
        scopes=(frozenset({"user-follow-modify"}),),
        deprecated=True,
        replacement="spotify.library.remove",
        batch=50,
    ),
    Operation(
        "check-current-user-follows",
        "GET",
        "/me/following/contains",
        scopes=(frozenset({"user-follow-read"}),),
        deprecated=True,
        replacement="spotify.library.contains",
        batch=50,
    ),
    Operation(
        "check-if-user-follows-playlist",
        "GET",
        "/playlists/{playlist_id}/followers/contains",
        deprecated=True,
        replacement="spotify.library.contains",
        batch=1,
    ),
    Operation("get-several-audio-features", "GET", "/audio-features", deprecated=True, batch=100),
    Operation("get-audio-features", "GET", "/audio-features/{id}", deprecated=True),
    Operation("get-audio-analysis", "GET", "/audio-analysis/{id}", deprecated=True),
    Operation(
        "get-recommendations", "GET", "/recommendations", deprecated=True, limit_range=(1, 100)
    ),
    Operation(
        "get-recommendation-genres",
        "GET",
        "/recommendations/available-genre-seeds",
        deprecated=True,
    ),
    Operation(
        "get-information-about-the-users-current-playback",
        "GET",
        "/me/player",
        scopes=(frozenset({"user-read-playback-state"}),),
    ),
    Operation(
        "transfer-a-users-playback",
        "PUT",
        "/me/player",
        scopes=(frozenset({"user-modify-playback-state"}),),
    ),
    Operation(
        "get-a-users-available-devices",
        "GET",
        "/me/player/devices",
        scopes=(frozenset({"user-read-playback-state"}),),
    ),
    Operation(
        "get-the-users-currently-playing-track",
        "GET",
        "/me/player/currently-playing",
        scopes=(frozenset({"user-read-currently-playing"}),),
    ),
    Operation(
        "start-a-users-playback",
        "PUT",
        "/me/player/play",
        scopes=(frozenset({"user-modify-playback-state"}),),
    ),
    Operation(
        "pause-a-users-playback",
        "PUT",
        "/me/player/pause",
        scopes=(frozenset({"user-modify-playback-state"}),),
    ),
    Operation(
        "skip-users-playback-to-next-track",
        "POST",
        "/me/player/next",
        scopes=(frozenset({"user-modify-playback-state"}),),
    ),
    Operation(
        "skip-users-playback-to-previous-track",
        "POST",
        "/me/player/previous",
        scopes=(frozenset({"user-modify-playback-state"}),),
    ),
    Operation(
        "seek-to-position-in-currently-playing-track",
        "PUT",
        "/me/player/seek",
        scopes=(frozenset({"user-modify-playback-state"}),),
    ),
    Operation(
        "set-repeat-mode-on-users-playback",
        "PUT",
        "/me/player/repeat",
        scopes=(frozenset({"user-modify-playback-state"}),),
    ),
    Operation(
        "set-volume-for-users-playback",
        "PUT",
        "/me/player/volume",
        scopes=(frozenset({"user-modify-playback-state"}),),
    ),
    Operation(
        "toggle-shuffle-for-users-playback",
        "PUT",
        "/me/player/shuffle",
        scopes=(frozenset({"user-modify-playback-state"}),),
    ),
    Operation(
        "get-recently-played",
        "GET",
        "/me/player/recently-played",
        scopes=(frozenset({"user-read-recently-played"}),),
        limit_range=(1, 50),
        paging="cursor",
    ),
    Operation(
        "get-queue",
        "GET",
        "/me/player/queue",
        scopes=(frozenset({"user-read-currently-playing", "user-read-playback-state"}),),
    ),
    Operation(
        "add-to-queue",
        "POST",
        "/me/player/queue",
        scopes=(frozenset({"user-modify-playback-state"}),),
    ),
    Operation("get-available-markets", "GET", "/markets", deprecated=True),
]

#: Every operation by its `operationId`.
OPERATIONS: dict[str, Operation] = {op.operation_id: op for op in _ALL}

#: What `GET /search` may look for (its `type` parameter), in the definition's order.
SEARCH_TYPES: tuple[str, ...] = (
    "album",
    "artist",
    "playlist",
    "track",
    "show",
    "episode",
    "audiobook",
)
#: The album groups `GET /artists/{id}/albums` may filter on (its `include_groups`).
INCLUDE_GROUPS: tuple[str, ...] = ("album", "single", "appears_on", "compilation")


def _route(template: str) -> re.Pattern[str]:
    """`template` (`/albums/{id}/tracks`) as a pattern matching its paths, segment by segment."""
    return re.compile(re.sub(r"\\\{[a-z_]+\\\}", "[^/]+", re.escape(template)))


def _routes() -> dict[str, list[tuple[re.Pattern[str], str]]]:
    """The templates of each HTTP method, the most literal first (a literal segment wins
    over a placeholder where both would match)."""
    routes: dict[str, list[tuple[re.Pattern[str], str]]] = {}
    for op in sorted(_ALL, key=lambda op: op.path.count("{")):
        routes.setdefault(op.method, []).append((_route(op.path), op.operation_id))
    return routes


#: Compiled once from the rows; `operation_for` reads them.
_ROUTES = _routes()


def operation_for(method: str, path: str) -> Operation | None:
    """The operation a request for `method` and `path` is an instance of, or `None`.

    `path` is relative to the API root, with its segments filled in
    (`/playlists/3cEYpjA9oz9GiPac4AsH4n/items`, no query). The row is read from
    `OPERATIONS` at each call, so the answer is always the table's current row.
    """
    for pattern, operation_id in _ROUTES.get(method.upper(), ()):
        if pattern.fullmatch(path):
            return OPERATIONS[operation_id]
    return None
