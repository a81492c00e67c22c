"""The 96 operations of Spotify's OpenAPI definition, described once as data.

Each :class:`Operation` carries what the endpoint methods need and what
``docs/endpoints.md`` shows: HTTP method and path template, the scopes a token must hold,
whether Spotify deprecated it (and what replaces it), how many IDs one request may carry
(``batch``) and the range of ``limit``. Taken from ``official-spotify-open-api.yml`` and the
endpoint table; ``tests/test_endpoints_spec.py`` checks this table against the definition.
"""

from __future__ import annotations

import attrs

__all__ = ["OPERATIONS", "Operation"]


@attrs.frozen
class Operation:
    """One operation of the Web API.

    ``scopes`` is a tuple of alternatives: the token needs at least one scope of every
    element (``(frozenset({"playlist-modify-public", "playlist-modify-private"}),)`` means
    either will do). ``replacement`` names the method to use instead of a deprecated one.
    """

    operation_id: str
    method: str
    path: str
    scopes: tuple[frozenset[str], ...] = ()
    deprecated: bool = False
    replacement: str | None = None
    batch: int | None = None
    limit_range: tuple[int, int] | None = None
    #: The largest ``offset`` Spotify accepts, where it documents one.
    max_offset: int | None = None

    @property
    def all_scopes(self) -> frozenset[str]:
        """Every scope the definition lists for this operation."""
        return frozenset().union(*self.scopes)

    def missing_scopes(self, granted: frozenset[str]) -> frozenset[str]:
        """The listed scopes of the alternatives ``granted`` satisfies none of."""
        missing: set[str] = set()
        for alternatives in self.scopes:
            if not alternatives & granted:
                missing |= alternatives
        return frozenset(missing)


def _op(
    operation_id: str,
    method: str,
    path: str,
    *,
    scopes: tuple[frozenset[str], ...] = (),
    deprecated: bool = False,
    replacement: str | None = None,
    batch: int | None = None,
    limit_range: tuple[int, int] | None = None,
    max_offset: int | None = None,
) -> Operation:
    return Operation(
        operation_id,
        method,
        path,
        scopes,
        deprecated,
        replacement,
        batch,
        limit_range,
        max_offset,
    )


_ALL = [
    _op("get-an-album", "GET", "/albums/{id}"),
    _op(
        "get-multiple-albums",
        "GET",
        "/albums",
        deprecated=True,
        replacement="spotify.albums.get",
        batch=20,
    ),
    _op("get-an-albums-tracks", "GET", "/albums/{id}/tracks", limit_range=(1, 50)),
    _op("get-an-artist", "GET", "/artists/{id}"),
    _op(
        "get-multiple-artists",
        "GET",
        "/artists",
        deprecated=True,
        replacement="spotify.artists.get",
        batch=50,
    ),
    _op("get-an-artists-albums", "GET", "/artists/{id}/albums", limit_range=(1, 10)),
    _op("get-an-artists-top-tracks", "GET", "/artists/{id}/top-tracks", deprecated=True),
    _op("get-an-artists-related-artists", "GET", "/artists/{id}/related-artists", deprecated=True),
    _op("get-a-show", "GET", "/shows/{id}", scopes=(frozenset({"user-read-playback-position"}),)),
    _op(
        "get-multiple-shows",
        "GET",
        "/shows",
        deprecated=True,
        replacement="spotify.shows.get",
        batch=50,
    ),
    _op(
        "get-a-shows-episodes",
        "GET",
        "/shows/{id}/episodes",
        scopes=(frozenset({"user-read-playback-position"}),),
        limit_range=(1, 50),
    ),
    _op(
        "get-an-episode",
        "GET",
        "/episodes/{id}",
        scopes=(frozenset({"user-read-playback-position"}),),
    ),
    _op(
        "get-multiple-episodes",
        "GET",
        "/episodes",
        scopes=(frozenset({"user-read-playback-position"}),),
        deprecated=True,
        replacement="spotify.episodes.get",
        batch=50,
    ),
    _op("get-an-audiobook", "GET", "/audiobooks/{id}"),
    _op(
        "get-multiple-audiobooks",
        "GET",
        "/audiobooks",
        deprecated=True,
        replacement="spotify.audiobooks.get",
        batch=50,
    ),
    _op("get-audiobook-chapters", "GET", "/audiobooks/{id}/chapters", limit_range=(1, 50)),
    _op(
        "get-users-saved-audiobooks",
        "GET",
        "/me/audiobooks",
        scopes=(frozenset({"user-library-read"}),),
        limit_range=(1, 50),
    ),
    _op(
        "save-audiobooks-user",
        "PUT",
        "/me/audiobooks",
        scopes=(frozenset({"user-library-modify"}),),
        deprecated=True,
        replacement="spotify.library.save",
        batch=50,
    ),
    _op(
        "remove-audiobooks-user",
        "DELETE",
        "/me/audiobooks",
        scopes=(frozenset({"user-library-modify"}),),
        deprecated=True,
        replacement="spotify.library.remove",
        batch=50,
    ),
    _op(
        "check-users-saved-audiobooks",
        "GET",
        "/me/audiobooks/contains",
        scopes=(frozenset({"user-library-read"}),),
        deprecated=True,
        replacement="spotify.library.contains",
        batch=50,
    ),
    _op("get-a-chapter", "GET", "/chapters/{id}"),
    _op(
        "get-several-chapters",
        "GET",
        "/chapters",
        deprecated=True,
        replacement="spotify.chapters.get",
        batch=50,
    ),
    _op("get-track", "GET", "/tracks/{id}"),
    _op(
        "get-several-tracks",
        "GET",
        "/tracks",
        deprecated=True,
        replacement="spotify.tracks.get",
        batch=50,
    ),
    _op("search", "GET", "/search", limit_range=(0, 10), max_offset=1000),
    _op(
        "get-current-users-profile",
        "GET",
        "/me",
        scopes=(frozenset({"user-read-email", "user-read-private"}),),
    ),
    _op("get-playlist", "GET", "/playlists/{playlist_id}"),
    _op(
        "change-playlist-details",
        "PUT",
        "/playlists/{playlist_id}",
        scopes=(frozenset({"playlist-modify-private", "playlist-modify-public"}),),
    ),
    _op(
        "get-playlists-tracks",
        "GET",
        "/playlists/{playlist_id}/tracks",
        scopes=(frozenset({"playlist-read-private"}),),
        deprecated=True,
        replacement="spotify.playlists.items",
        limit_range=(1, 50),
    ),
    _op(
        "add-tracks-to-playlist",
        "POST",
        "/playlists/{playlist_id}/tracks",
        scopes=(frozenset({"playlist-modify-private", "playlist-modify-public"}),),
        deprecated=True,
        replacement="spotify.playlists.add_items",
        batch=100,
    ),
    _op(
        "reorder-or-replace-playlists-tracks",
        "PUT",
        "/playlists/{playlist_id}/tracks",
        scopes=(frozenset({"playlist-modify-private", "playlist-modify-public"}),),
        deprecated=True,
        replacement="spotify.playlists.replace_items / spotify.playlists.reorder_items",
        batch=100,
    ),
    _op(
        "remove-tracks-playlist",
        "DELETE",
        "/playlists/{playlist_id}/tracks",
        scopes=(frozenset({"playlist-modify-private", "playlist-modify-public"}),),
        deprecated=True,
        replacement="spotify.playlists.remove_items",
        batch=100,
    ),
    _op(
        "get-playlists-items",
        "GET",
        "/playlists/{playlist_id}/items",
        scopes=(frozenset({"playlist-read-private"}),),
        limit_range=(1, 50),
    ),
    _op(
        "add-items-to-playlist",
        "POST",
        "/playlists/{playlist_id}/items",
        scopes=(frozenset({"playlist-modify-private", "playlist-modify-public"}),),
        batch=100,
    ),
    _op(
        "reorder-or-replace-playlists-items",
        "PUT",
        "/playlists/{playlist_id}/items",
        scopes=(frozenset({"playlist-modify-private", "playlist-modify-public"}),),
        batch=100,
    ),
    _op(
        "remove-items-playlist",
        "DELETE",
        "/playlists/{playlist_id}/items",
        scopes=(frozenset({"playlist-modify-private", "playlist-modify-public"}),),
        batch=100,
    ),
    _op(
        "get-a-list-of-current-users-playlists",
        "GET",
        "/me/playlists",
        scopes=(frozenset({"playlist-read-private"}),),
        limit_range=(1, 50),
        max_offset=100_000,
    ),
    _op(
        "create-playlist",
        "POST",
        "/me/playlists",
        scopes=(frozenset({"playlist-modify-private", "playlist-modify-public"}),),
    ),
    _op(
        "save-library-items",
        "PUT",
        "/me/library",
        scopes=(
            frozenset({"playlist-modify-public", "user-follow-modify", "user-library-modify"}),
        ),
        batch=40,
    ),
    _op(
        "remove-library-items",
        "DELETE",
        "/me/library",
        scopes=(
            frozenset({"playlist-modify-public", "user-follow-modify", "user-library-modify"}),
        ),
        batch=40,
    ),
    _op(
        "check-library-contains",
        "GET",
        "/me/library/contains",
        scopes=(frozenset({"playlist-read-private", "user-follow-read", "user-library-read"}),),
        batch=40,
    ),
    _op(
        "get-users-saved-albums",
        "GET",
        "/me/albums",
        scopes=(frozenset({"user-library-read"}),),
        limit_range=(1, 50),
    ),
    _op(
        "save-albums-user",
        "PUT",
        "/me/albums",
        scopes=(frozenset({"user-library-modify"}),),
        deprecated=True,
        replacement="spotify.library.save",
        batch=20,
    ),
    _op(
        "remove-albums-user",
        "DELETE",
        "/me/albums",
        scopes=(frozenset({"user-library-modify"}),),
        deprecated=True,
        replacement="spotify.library.remove",
        batch=20,
    ),
    _op(
        "check-users-saved-albums",
        "GET",
        "/me/albums/contains",
        scopes=(frozenset({"user-library-read"}),),
        deprecated=True,
        replacement="spotify.library.contains",
        batch=20,
    ),
    _op(
        "get-users-saved-tracks",
        "GET",
        "/me/tracks",
        scopes=(frozenset({"user-library-read"}),),
        limit_range=(1, 50),
    ),
    _op(
        "save-tracks-user",
        "PUT",
        "/me/tracks",
        scopes=(frozenset({"user-library-modify"}),),
        deprecated=True,
        replacement="spotify.library.save",
        batch=50,
    ),
    _op(
        "remove-tracks-user",
        "DELETE",
        "/me/tracks",
        scopes=(frozenset({"user-library-modify"}),),
        deprecated=True,
        replacement="spotify.library.remove",
        batch=50,
    ),
    _op(
        "check-users-saved-tracks",
        "GET",
        "/me/tracks/contains",
        scopes=(frozenset({"user-library-read"}),),
        deprecated=True,
        replacement="spotify.library.contains",
        batch=50,
    ),
    _op(
        "get-users-saved-episodes",
        "GET",
        "/me/episodes",
        scopes=(
            frozenset({"user-library-read"}),
            frozenset({"user-read-playback-position"}),
        ),
        limit_range=(1, 50),
    ),
    _op(
        "save-episodes-user",
        "PUT",
        "/me/episodes",
        scopes=(frozenset({"user-library-modify"}),),
        deprecated=True,
        replacement="spotify.library.save",
        batch=50,
    ),
    _op(
        "remove-episodes-user",
        "DELETE",
        "/me/episodes",
        scopes=(frozenset({"user-library-modify"}),),
        deprecated=True,
        replacement="spotify.library.remove",
        batch=50,
    ),
    _op(
        "check-users-saved-episodes",
        "GET",
        "/me/episodes/contains",
        scopes=(frozenset({"user-library-read"}),),
        deprecated=True,
        replacement="spotify.library.contains",
        batch=50,
    ),
    _op(
        "get-users-saved-shows",
        "GET",
        "/me/shows",
        scopes=(frozenset({"user-library-read"}),),
        limit_range=(1, 50),
    ),
    _op(
        "save-shows-user",
        "PUT",
        "/me/shows",
        scopes=(frozenset({"user-library-modify"}),),
        deprecated=True,
        replacement="spotify.library.save",
        batch=50,
    ),
    _op(
        "remove-shows-user",
        "DELETE",
        "/me/shows",
        scopes=(frozenset({"user-library-modify"}),),
        deprecated=True,
        replacement="spotify.library.remove",
        batch=50,
    ),
    _op(
        "check-users-saved-shows",
        "GET",
        "/me/shows/contains",
        scopes=(frozenset({"user-library-read"}),),
        deprecated=True,
        replacement="spotify.library.contains",
        batch=50,
    ),
    _op(
        "get-users-top-artists-and-tracks",
        "GET",
        "/me/top/{type}",
        scopes=(frozenset({"user-top-read"}),),
        limit_range=(1, 50),
    ),
    _op(
        "get-users-profile",
        "GET",
        "/users/{user_id}",
        deprecated=True,
        replacement="spotify.users.me (for the current user)",
    ),
    _op(
        "get-list-users-playlists",
        "GET",
        "/users/{user_id}/playlists",
        scopes=(frozenset({"playlist-read-collaborative", "playlist-read-private"}),),
        deprecated=True,
        replacement="spotify.playlists.saved (for the current user)",
        limit_range=(1, 50),
        max_offset=100_000,
    ),
    _op(
        "create-playlist-for-user",
        "POST",
        "/users/{user_id}/playlists",
        scopes=(frozenset({"playlist-modify-private", "playlist-modify-public"}),),
        deprecated=True,
        replacement="spotify.playlists.create",
    ),
    _op(
        "follow-playlist",
        "PUT",
        "/playlists/{playlist_id}/followers",
        scopes=(frozenset({"playlist-modify-private", "playlist-modify-public"}),),
        deprecated=True,
        replacement="spotify.library.save",
    ),
    _op(
        "unfollow-playlist",
        "DELETE",
        "/playlists/{playlist_id}/followers",
        scopes=(frozenset({"playlist-modify-private", "playlist-modify-public"}),),
        deprecated=True,
        replacement="spotify.library.remove",
    ),
    _op(
        "get-featured-playlists",
        "GET",
        "/browse/featured-playlists",
        deprecated=True,
        limit_range=(1, 50),
    ),
    _op("get-categories", "GET", "/browse/categories", deprecated=True, limit_range=(1, 50)),
    _op("get-a-category", "GET", "/browse/categories/{category_id}", deprecated=True),
    _op(
        "get-a-categories-playlists",
        "GET",
        "/browse/categories/{category_id}/playlists",
        deprecated=True,
        limit_range=(1, 50),
    ),
    _op("get-playlist-cover", "GET", "/playlists/{playlist_id}/images"),
    _op(
        "upload-custom-playlist-cover",
        "PUT",
        "/playlists/{playlist_id}/images",
        scopes=(
            frozenset({"playlist-modify-private", "playlist-modify-public"}),
            frozenset({"ugc-image-upload"}),
        ),
    ),
    _op("get-new-releases", "GET", "/browse/new-releases", deprecated=True, limit_range=(1, 50)),
    _op(
        "get-followed",
        "GET",
        "/me/following",
        scopes=(frozenset({"user-follow-read"}),),
        limit_range=(1, 50),
    ),
    _op(
        "follow-artists-users",
        "PUT",
        "/me/following",
        scopes=(frozenset({"user-follow-modify"}),),
        deprecated=True,
        replacement="spotify.library.save",
        batch=50,
    ),
    _op(
        "unfollow-artists-users",
        "DELETE",
        "/me/following",
        scopes=(frozenset({"user-follow-modify"}),),
        deprecated=True,
        replacement="spotify.library.remove",
        batch=50,
    ),
    _op(
        "check-current-user-follows",
        "GET",
        "/me/following/contains",
        scopes=(frozenset({"user-follow-read"}),),
        deprecated=True,
        replacement="spotify.library.contains",
        batch=50,
    ),
    _op(
        "check-if-user-follows-playlist",
        "GET",
        "/playlists/{playlist_id}/followers/contains",
        deprecated=True,
        replacement="spotify.library.contains",
        batch=1,
    ),
    _op("get-several-audio-features", "GET", "/audio-features", deprecated=True, batch=100),
    _op("get-audio-features", "GET", "/audio-features/{id}", deprecated=True),
    _op("get-audio-analysis", "GET", "/audio-analysis/{id}", deprecated=True),
    _op("get-recommendations", "GET", "/recommendations", deprecated=True, limit_range=(1, 100)),
    _op(
        "get-recommendation-genres",
        "GET",
        "/recommendations/available-genre-seeds",
        deprecated=True,
    ),
    _op(
        "get-information-about-the-users-current-playback",
        "GET",
        "/me/player",
        scopes=(frozenset({"user-read-playback-state"}),),
    ),
    _op(
        "transfer-a-users-playback",
        "PUT",
        "/me/player",
        scopes=(frozenset({"user-modify-playback-state"}),),
    ),
    _op(
        "get-a-users-available-devices",
        "GET",
        "/me/player/devices",
        scopes=(frozenset({"user-read-playback-state"}),),
    ),
    _op(
        "get-the-users-currently-playing-track",
        "GET",
        "/me/player/currently-playing",
        scopes=(frozenset({"user-read-currently-playing"}),),
    ),
    _op(
        "start-a-users-playback",
        "PUT",
        "/me/player/play",
        scopes=(frozenset({"user-modify-playback-state"}),),
    ),
    _op(
        "pause-a-users-playback",
        "PUT",
        "/me/player/pause",
        scopes=(frozenset({"user-modify-playback-state"}),),
    ),
    _op(
        "skip-users-playback-to-next-track",
        "POST",
        "/me/player/next",
        scopes=(frozenset({"user-modify-playback-state"}),),
    ),
    _op(
        "skip-users-playback-to-previous-track",
        "POST",
        "/me/player/previous",
        scopes=(frozenset({"user-modify-playback-state"}),),
    ),
    _op(
        "seek-to-position-in-currently-playing-track",
        "PUT",
        "/me/player/seek",
        scopes=(frozenset({"user-modify-playback-state"}),),
    ),
    _op(
        "set-repeat-mode-on-users-playback",
        "PUT",
        "/me/player/repeat",
        scopes=(frozenset({"user-modify-playback-state"}),),
    ),
    _op(
        "set-volume-for-users-playback",
        "PUT",
        "/me/player/volume",
        scopes=(frozenset({"user-modify-playback-state"}),),
    ),
    _op(
        "toggle-shuffle-for-users-playback",
        "PUT",
        "/me/player/shuffle",
        scopes=(frozenset({"user-modify-playback-state"}),),
    ),
    _op(
        "get-recently-played",
        "GET",
        "/me/player/recently-played",
        scopes=(frozenset({"user-read-recently-played"}),),
        limit_range=(1, 50),
    ),
    _op(
        "get-queue",
        "GET",
        "/me/player/queue",
        scopes=(frozenset({"user-read-currently-playing", "user-read-playback-state"}),),
    ),
    _op(
        "add-to-queue",
        "POST",
        "/me/player/queue",
        scopes=(frozenset({"user-modify-playback-state"}),),
    ),
    _op("get-available-markets", "GET", "/markets", deprecated=True),
]

#: Every operation by its ``operationId``.
OPERATIONS: dict[str, Operation] = {op.operation_id: op for op in _ALL}
