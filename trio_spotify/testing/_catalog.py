"""The emulator's catalog: artists, albums, tracks, shows, episodes, audiobooks, chapters,
playlists and users, generated deterministically from a seed (out of the fixed word lists,
markets, genres and categories of `_vocabulary.py`).

Nothing is generated up front: an object is built from `random.Random((seed, kind, index))`
the first time it is asked for and cached, so creating an emulator costs microseconds and
a test that touches ten tracks builds ten tracks. Indexes are laid out so that parents are
found by division (album `a` belongs to artist `a // albums_per_artist`; track slot
`t` to album `t // MAX_TRACKS`), and `IdCodec` turns `(kind, index)`
into a 22-character ID and back.

Objects carry their links with the placeholder base URL `BASE`; the app replaces it
with the base URL the request came to, so `href` and paging `next` links point at the
emulator wherever it is served (in-process or on a port).
"""

from __future__ import annotations

import functools
import random
from collections.abc import Iterator
from typing import Any

import attrs

from ._catalog_draws import album_markets, random_date, random_images, random_title, release
from ._catalog_ids import (
    ALBUM,
    ARTIST,
    AUDIOBOOK,
    CHAPTER,
    EPISODE,
    KIND_NAMES,
    PLAYLIST,
    SHOW,
    TRACK,
    IdCodec,
)
from ._catalog_size import MAX_CHAPTERS, MAX_EPISODES, MAX_TRACKS, CatalogSize
from ._user_ids import make_user_id, user_index
from ._vocabulary import ADJECTIVES, FIRST_NAMES, GENRES, LANGUAGES, LAST_NAMES, MARKETS, NOUNS

__all__ = ["API", "BASE", "OPEN", "SHOW_MARKETS", "Catalog", "Ref"]

#: Placeholder base URL in generated objects, replaced by the request's base URL.
BASE = "http://spotify-emulator.invalid"
API = BASE + "/v1"
OPEN = "https://open.spotify.com"
#: Where every show, its episodes, every audiobook and its chapters are available: every
#: market but three (so that a market can make them unplayable).
SHOW_MARKETS = tuple(m for m in MARKETS if m not in ("IN", "JP", "KR"))


@attrs.frozen
class Ref:
    """A catalog object: its kind name (`"track"`...) and index."""

    kind: str
    index: int


class _BoundedCache(dict[tuple[str, int], Any]):
    """At most `limit` generated objects, the oldest dropped first: a long crawl of the
    emulator (100,000 tracks) must not keep every object it was ever asked for. A dropped
    object is generated again, identical, when asked for again."""

    limit = 10_000

    def __setitem__(self, key: tuple[str, int], value: Any) -> None:
        if len(self) >= self.limit:
            del self[next(iter(self))]
        super().__setitem__(key, value)


class Catalog:
    """The seeded catalog. All methods are cheap and cached; returned dicts are shared and
    must not be mutated (copy before changing)."""

    def __init__(self, seed: int | str = 0, size: CatalogSize | None = None) -> None:
        self.seed = seed
        self.size = size if size is not None else CatalogSize()
        self.ids = IdCodec(seed)
        self._cache: dict[tuple[str, int], Any] = _BoundedCache()

    # -- identity ---------------------------------------------------------------------------

    def _rng(self, kind: str, index: int) -> random.Random:
        return random.Random(f"{self.seed}/{kind}/{index}")

    def id_of(self, kind: int, index: int) -> str:
        return self.ids.encode(kind, index)

    def resolve(self, spotify_id: str) -> Ref | None:
        """The catalog object an ID names, or `None` (unknown, or another seed's ID)."""
        decoded = self.ids.decode(spotify_id)
        if decoded is None:
            return None
        kind, index = decoded
        if not self._exists(kind, index):
            return None
        return Ref(KIND_NAMES[kind], index)

    def _exists(self, kind: int, index: int) -> bool:
        s = self.size
        if kind == ARTIST:
            return index < s.artists
        if kind == ALBUM:
            return index < s.artists * s.albums_per_artist
        if kind == TRACK:
            album, slot = divmod(index, MAX_TRACKS)
            return album < s.artists * s.albums_per_artist and slot < self.album_track_count(album)
        if kind == SHOW:
            return index < s.shows
        if kind == EPISODE:
            show, slot = divmod(index, MAX_EPISODES)
            return show < s.shows and slot < s.episodes_per_show
        if kind == AUDIOBOOK:
            return index < s.audiobooks
        if kind == CHAPTER:
            book, slot = divmod(index, MAX_CHAPTERS)
            return book < s.audiobooks and slot < s.chapters_per_audiobook
        if kind == PLAYLIST:
            return index < s.playlists
        return False

    @staticmethod
    def _links(kind: str, spotify_id: str, api_path: str | None = None) -> dict[str, Any]:
        return {
            "external_urls": {"spotify": f"{OPEN}/{kind}/{spotify_id}"},
            "href": f"{API}/{api_path or kind + 's'}/{spotify_id}",
            "id": spotify_id,
            "uri": f"spotify:{kind}:{spotify_id}",
        }

    # -- counts and index spaces --------------------------------------------------------------

    @property
    def album_count(self) -> int:
        return self.size.artists * self.size.albums_per_artist

    def album_track_count(self, album: int) -> int:
        key = ("album_tracks", album)
        count = self._cache.get(key)
        if count is None:
            count = self._rng("album", album).randint(4, self.size.max_tracks_per_album)
            self._cache[key] = count
        return int(count)

    def album_tracks(self, album: int) -> range:
        start = album * MAX_TRACKS
        return range(start, start + self.album_track_count(album))

    def artist_albums(self, artist: int) -> range:
        n = self.size.albums_per_artist
        return range(artist * n, artist * n + n)

    def show_episodes(self, show: int) -> range:
        start = show * MAX_EPISODES
        return range(start, start + self.size.episodes_per_show)

    def audiobook_chapters(self, book: int) -> range:
        start = book * MAX_CHAPTERS
        return range(start, start + self.size.chapters_per_audiobook)

    def all_tracks(self) -> Iterator[int]:
        for album in range(self.album_count):
            yield from self.album_tracks(album)

    def artist_top_tracks(self, artist: int) -> list[int]:
        """An artist's top tracks: the first track of each of their first ten albums."""
        albums = self.artist_albums(artist)
        return [self.album_tracks(albums[n])[0] for n in range(min(10, len(albums)))]

    def track_at(self, n: int) -> int:
        """A deterministic track index for any integer (for playlists, top lists, search)."""
        album = n % self.album_count
        tracks = self.album_tracks(album)
        return tracks[(n // self.album_count) % len(tracks)]

    # -- users --------------------------------------------------------------------------------

    def user_id(self, index: int) -> str:
        """The ID of user `index`, shaped like Spotify's (`_user_ids.py`)."""
        rng = self._rng("user", index)
        return make_user_id(rng, index, rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))

    def user_index(self, user_id: str) -> int | None:
        return user_index(self, self.size.users, self.user_id, user_id)

    def user_display_name(self, index: int) -> str:
        rng = self._rng("user", index)
        return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"

    @staticmethod
    def user_ref(user_id: str, display_name: str | None = None) -> dict[str, Any]:
        """A PlaylistUserObject / PlaylistOwnerObject (`display_name` given)."""
        obj: dict[str, Any] = {
            "external_urls": {"spotify": f"{OPEN}/user/{user_id}"},
            "href": f"{API}/users/{user_id}",
            "id": user_id,
            "type": "user",
            "uri": f"spotify:user:{user_id}",
        }
        if display_name is not None:
            obj["display_name"] = display_name
        return obj

    # -- artists ------------------------------------------------------------------------------

    def artist(self, index: int) -> dict[str, Any]:
        key = ("artist", index)
        obj = self._cache.get(key)
        if obj is None:
            rng = self._rng("artist", index)
            spotify_id = self.id_of(ARTIST, index)
            name = f"The {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}s"
            obj = {
                **self._links("artist", spotify_id),
                "followers": {"href": None, "total": rng.randint(10, 5_000_000)},
                "genres": rng.sample(GENRES, 2),
                "images": random_images(rng, spotify_id),
                "name": name,
                "popularity": rng.randint(0, 100),
                "type": "artist",
            }
            self._cache[key] = obj
        return obj

    def simple_artist(self, index: int) -> dict[str, Any]:
        a = self.artist(index)
        return {k: a[k] for k in ("external_urls", "href", "id", "name", "type", "uri")}

    # -- albums and tracks ---------------------------------------------------------------------

    def simple_album(self, index: int) -> dict[str, Any]:
        key = ("album", index)
        obj = self._cache.get(key)
        if obj is None:
            rng = self._rng("album", index)
            spotify_id = self.id_of(ALBUM, index)
            artist = index // self.size.albums_per_artist
            obj = {
                "album_type": rng.choice(("album", "album", "single", "compilation")),
                "total_tracks": self.album_track_count(index),
                "available_markets": album_markets(self._rng("album-markets", index), rng),
                **self._links("album", spotify_id),
                "images": random_images(rng, spotify_id),
                "name": random_title(rng),
                **release(self._rng("album-date", index), random_date(rng)),
                "type": "album",
                "artists": [self.simple_artist(artist)],
            }
            self._cache[key] = obj
        return obj

    def album_extras(self, index: int) -> dict[str, Any]:
        rng = self._rng("album+", index)
        return {
            "copyrights": [
                {"text": f"(C) {rng.randint(1970, 2026)} Emulated Records", "type": "C"}
            ],
            "external_ids": {"upc": f"{rng.randrange(10**11, 10**12)}"},
            "genres": [],
            "label": "Emulated Records",
            "popularity": rng.randint(0, 100),
        }

    def discography_album(self, index: int) -> dict[str, Any]:
        album = self.simple_album(index)
        group = album["album_type"]
        return {**album, "album_group": group}

    def simple_track(self, index: int) -> dict[str, Any]:
        key = ("track", index)
        obj = self._cache.get(key)
        if obj is None:
            album, slot = divmod(index, MAX_TRACKS)
            rng = self._rng("track", index)
            spotify_id = self.id_of(TRACK, index)
            artist = album // self.size.albums_per_artist
            obj = {
                "artists": [self.simple_artist(artist)],
                "available_markets": self.simple_album(album)["available_markets"],
                "disc_number": 1,
                "duration_ms": rng.randint(90_000, 420_000),
                "explicit": rng.random() < 0.15,
                **self._links("track", spotify_id),
                "is_playable": True,
                "name": random_title(rng),
                "preview_url": None,
                "track_number": slot + 1,
                "type": "track",
                "is_local": False,
            }
            self._cache[key] = obj
        return obj

    def track(self, index: int) -> dict[str, Any]:
        key = ("track+", index)
        obj = self._cache.get(key)
        if obj is None:
            album = index // MAX_TRACKS
            rng = self._rng("track+", index)
            obj = {
                **self.simple_track(index),
                "album": self.simple_album(album),
                "external_ids": {"isrc": f"QZ{rng.randrange(10**9, 10**10)}"},
                "popularity": rng.randint(0, 100),
            }
            self._cache[key] = obj
        return obj

    # -- shows and episodes -------------------------------------------------------------------

    def simple_show(self, index: int) -> dict[str, Any]:
        key = ("show", index)
        obj = self._cache.get(key)
        if obj is None:
            rng = self._rng("show", index)
            spotify_id = self.id_of(SHOW, index)
            name = f"The {rng.choice(NOUNS)} Podcast"
            obj = {
                "available_markets": list(SHOW_MARKETS),
                "copyrights": [],
                "description": f"Conversations about {rng.choice(NOUNS).lower()}s.",
                "html_description": f"<p>Conversations about {rng.choice(NOUNS).lower()}s.</p>",
                "explicit": False,
                **self._links("show", spotify_id),
                "images": random_images(rng, spotify_id),
                "is_externally_hosted": False,
                "languages": [rng.choice(LANGUAGES)],
                "media_type": "audio",
                "name": name,
                "publisher": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                "type": "show",
                "total_episodes": self.size.episodes_per_show,
            }
            self._cache[key] = obj
        return obj

    def simple_episode(self, index: int) -> dict[str, Any]:
        key = ("episode", index)
        obj = self._cache.get(key)
        if obj is None:
            show, slot = divmod(index, MAX_EPISODES)
            rng = self._rng("episode", index)
            spotify_id = self.id_of(EPISODE, index)
            title = f"Episode {slot + 1}: {random_title(rng)}"
            obj = {
                "audio_preview_url": None,
                "description": f"In this episode: {title}.",
                "html_description": f"<p>In this episode: {title}.</p>",
                "duration_ms": rng.randint(600_000, 5_400_000),
                "explicit": False,
                **self._links("episode", spotify_id),
                "images": random_images(rng, spotify_id),
                "is_externally_hosted": False,
                "is_playable": True,
                "language": self.simple_show(show)["languages"][0],
                "languages": self.simple_show(show)["languages"],
                "name": title,
                "release_date": random_date(rng, 2018),
                "release_date_precision": "day",
                "type": "episode",
            }
            self._cache[key] = obj
        return obj

    def episode(self, index: int) -> dict[str, Any]:
        return {**self.simple_episode(index), "show": self.simple_show(index // MAX_EPISODES)}

    # -- audiobooks and chapters ----------------------------------------------------------------

    def simple_audiobook(self, index: int) -> dict[str, Any]:
        key = ("audiobook", index)
        obj = self._cache.get(key)
        if obj is None:
            rng = self._rng("audiobook", index)
            spotify_id = self.id_of(AUDIOBOOK, index)
            obj = {
                "authors": [{"name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"}],
                "available_markets": list(SHOW_MARKETS),
                "copyrights": [{"text": "Emulated Audio", "type": "C"}],
                "description": "A novel.",
                "html_description": "<p>A novel.</p>",
                "edition": "Unabridged",
                "explicit": False,
                **self._links("audiobook", spotify_id),
                "images": random_images(rng, spotify_id),
                "languages": ["en"],
                "media_type": "audio",
                "name": f"The {random_title(rng)}",
                "narrators": [{"name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"}],
                "publisher": "Emulated Audio",
                "type": "audiobook",
                "total_chapters": self.size.chapters_per_audiobook,
            }
            self._cache[key] = obj
        return obj

    def simple_chapter(self, index: int) -> dict[str, Any]:
        key = ("chapter", index)
        obj = self._cache.get(key)
        if obj is None:
            _book, slot = divmod(index, MAX_CHAPTERS)
            rng = self._rng("chapter", index)
            spotify_id = self.id_of(CHAPTER, index)
            # Spotify's definition types chapters as "episode" (ChapterBase.type enum).
            obj = {
                "audio_preview_url": None,
                "available_markets": list(SHOW_MARKETS),
                "chapter_number": slot,
                "description": f"Chapter {slot + 1}.",
                "html_description": f"<p>Chapter {slot + 1}.</p>",
                "duration_ms": rng.randint(300_000, 3_600_000),
                "explicit": False,
                **self._links("chapter", spotify_id),
                "images": random_images(rng, spotify_id),
                "is_playable": True,
                "languages": ["en"],
                "name": f"Chapter {slot + 1}",
                "release_date": random_date(rng, 2015),
                "release_date_precision": "day",
                "type": "episode",
            }
            self._cache[key] = obj
        return obj

    def chapter(self, index: int) -> dict[str, Any]:
        book = index // MAX_CHAPTERS
        return {**self.simple_chapter(index), "audiobook": self.simple_audiobook(book)}

    # -- seeded playlists -----------------------------------------------------------------------

    def playlist_seed(self, index: int) -> dict[str, Any]:
        """Metadata and item URIs of catalog playlist `index` (mutable copies are the
        state's business)."""
        lengths = self.size.playlist_lengths or (0,)
        length = lengths[index % len(lengths)]
        start = self._rng("playlist-items", index).randrange(10**6)
        rng = self._rng("playlist", index)
        owner = index % self.size.users
        return {
            "id": self.id_of(PLAYLIST, index),
            "name": self.playlist_name(index),
            "description": f"{length} songs for {rng.choice(NOUNS).lower()} days.",
            "owner": self.user_id(owner),
            "owner_name": self.user_display_name(owner),
            "public": True,
            "collaborative": False,
            "followers": rng.randint(0, 100_000),
            "items": [
                f"spotify:track:{self.id_of(TRACK, self.track_at(start + 7919 * n))}"
                for n in range(length)
            ],
        }

    def playlist_name(self, index: int) -> str:
        return f"{random_title(self._rng('playlist-name', index))} Mix"

    # -- kind lookup by URI kind name ---------------------------------------------------------

    @functools.cached_property
    def names(self) -> dict[str, list[tuple[str, int]]]:
        """Lower-cased names per kind, for search (built once, on the first search)."""
        s = self.size
        return {
            "artist": [(self.artist(i)["name"].lower(), i) for i in range(s.artists)],
            "album": [(self.simple_album(i)["name"].lower(), i) for i in range(self.album_count)],
            "track": [(self.simple_track(t)["name"].lower(), t) for t in self.all_tracks()],
            "show": [(self.simple_show(i)["name"].lower(), i) for i in range(s.shows)],
            "episode": [
                (self.simple_episode(e)["name"].lower(), e)
                for i in range(s.shows)
                for e in self.show_episodes(i)
            ],
            "audiobook": [
                (self.simple_audiobook(i)["name"].lower(), i) for i in range(s.audiobooks)
            ],
        }
