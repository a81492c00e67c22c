"""Static type tests of the answers: what mypy and pyright see, checked by both in strict mode.

This module is type-checked by `.ci/run` (`mypy --strict` on this file, and `pyright`, whose
`pyrightconfig.json` makes it strict):

- `answers` and `items` state, with `typing.assert_type`, the type of the answer of at least
  one method of every endpoint group and the element type `iter_items` / `all_items` give
  for each kind of page (plain and cursor paging, wrapper objects, search results by `key`).
  They are real code: the test at the end runs them against the emulator, so every call
  whose type is stated here works, and every key read here is in a real answer
  (`assert_type` does nothing at run time).
- `mistakes` holds code that must NOT type-check (it is never run): each line carries a
  `# type: ignore[code]` for mypy and a `# pyright: ignore[rule]` for pyright. mypy's
  `warn_unused_ignores` and pyright's `reportUnnecessaryTypeIgnoreComment` (in this
  directory each tool reads only its own comment) turn a line that stops being an error into
  a failure, and the code in brackets pins *which* error it is.
"""

# The mistakes below are bare expressions, so that an error's unknown type lands nowhere.
# pyright: reportUnusedExpression=false

from __future__ import annotations

from typing import Any, Literal, assert_type

import pytest
import trio

from trio_spotify import Spotify, types
from trio_spotify.testing import SpotifyEmulator, open_emulator_client


def _first(page: types.Paging[Any] | types.CursorPaging[Any]) -> str:
    """The `id` of the first item of a page (an ID for the next call)."""
    first: Any = page["items"][0]
    ident: str = first["id"]
    return ident


async def answers(spotify: Spotify) -> dict[str, str]:
    """At least one method of every group, with the type its answer has; returns IDs found."""
    found = await spotify.search(
        "a", types=["album", "artist", "track", "show", "episode", "audiobook"], limit=2
    )
    assert_type(found, types.SearchResults)
    # Each type searched for is there; the others are absent (NotRequired keys).
    assert "albums" in found
    assert "artists" in found
    assert "tracks" in found
    assert "shows" in found
    assert "episodes" in found
    assert "audiobooks" in found
    assert_type(found["tracks"], types.Paging[types.Track])
    album_id, artist_id = _first(found["albums"]), _first(found["artists"])
    track_id, show_id = _first(found["tracks"]), _first(found["shows"])
    episode_id, book_id = _first(found["episodes"]), _first(found["audiobooks"])

    album = await spotify.albums.get(album_id)
    assert_type(album, types.Album)
    assert_type(album["total_tracks"], int)
    assert_type(album["album_type"], Literal["album", "single", "compilation"])
    assert_type(await spotify.albums.get_several([album_id]), list[types.Album | None])
    assert_type(await spotify.albums.tracks(album_id), types.Paging[types.SimplifiedTrack])
    assert_type(await spotify.albums.saved(), types.Paging[types.SavedAlbum])
    assert_type(await spotify.albums.contains([album_id]), list[bool])
    assert_type(await spotify.albums.save([album_id]), None)
    assert_type(await spotify.albums.new_releases(), types.NewReleases)

    assert_type(await spotify.artists.get(artist_id), types.Artist)
    assert_type(await spotify.artists.albums(artist_id), types.Paging[types.ArtistDiscographyAlbum])
    assert_type(await spotify.artists.followed(), types.FollowedArtists)
    assert_type(await spotify.artists.is_following([artist_id]), list[bool])

    book = await spotify.audiobooks.get(book_id)
    assert_type(book, types.Audiobook)
    chapter_id = _first(book["chapters"])
    assert_type(await spotify.audiobooks.chapters(book_id), types.Paging[types.SimplifiedChapter])
    assert_type(await spotify.chapters.get(chapter_id), types.Chapter)

    categories = await spotify.categories.browse()
    assert_type(categories, types.Categories)
    category_id = categories["categories"]["items"][0]["id"]
    assert_type(await spotify.categories.get(category_id), types.Category)
    assert_type(await spotify.categories.playlists(category_id), types.FeaturedPlaylists)
    assert_type(await spotify.genres.seeds(), types.GenreSeeds)
    assert_type(await spotify.markets.available(), types.Markets)

    assert_type(await spotify.episodes.get(episode_id), types.Episode)
    assert_type(await spotify.shows.get(show_id), types.Show)
    assert_type(await spotify.shows.episodes(show_id), types.Paging[types.SimplifiedEpisode])
    assert_type(await spotify.library.contains([f"spotify:show:{show_id}"]), list[bool])

    assert_type(await spotify.player.state(), types.PlaybackState | None)
    assert_type(await spotify.player.currently_playing(), types.CurrentlyPlaying | None)
    assert_type(await spotify.player.devices(), types.Devices)
    assert_type(await spotify.player.queue(), types.Queue)
    assert_type(await spotify.player.recently_played(), types.CursorPaging[types.PlayHistory])

    me = await spotify.users.me()
    assert_type(me, types.PrivateUser)
    assert_type(await spotify.users.get(me["id"]), types.User)
    assert_type(await spotify.users.top("artists"), types.Paging[types.Artist])
    assert_type(await spotify.users.top("tracks"), types.Paging[types.Track])

    playlist = await spotify.playlists.create("typed")
    assert_type(playlist, types.Playlist)
    added = await spotify.playlists.add_items(playlist["id"], [track_id])
    assert_type(added, types.SnapshotId)
    assert_type(added["snapshot_id"], str)
    assert_type(await spotify.playlists.get(playlist["id"]), types.Playlist)
    assert_type(await spotify.playlists.items(playlist["id"]), types.Paging[types.PlaylistTrack])
    assert_type(await spotify.playlists.saved(), types.Paging[types.SimplifiedPlaylist])
    assert_type(await spotify.playlists.cover_image(playlist["id"]), list[types.Image])

    track = await spotify.tracks.get(track_id)
    assert_type(track, types.Track)
    assert_type(track.get("preview_url"), str | None)
    assert_type(await spotify.tracks.get_several([track_id]), list[types.Track | None])
    assert_type(await spotify.tracks.saved(), types.Paging[types.SavedTrack])
    assert_type(await spotify.tracks.audio_features(track_id), types.AudioFeatures)
    recommended = await spotify.tracks.recommendations(seed_tracks=[track_id])
    assert_type(recommended, types.Recommendations)
    return {"album": album_id, "playlist": playlist["id"]}


async def items(spotify: Spotify, ids: dict[str, str]) -> None:
    """The element types of `iter_items` and `all_items` for each kind of page."""
    # A plain offset page, and a wrapper object holding one (an album, a playlist).
    async with spotify.iter_items(await spotify.albums.tracks(ids["album"])) as tracks:
        async for simplified in tracks:
            assert_type(simplified, types.SimplifiedTrack)
    album = await spotify.albums.get(ids["album"])
    assert_type(await spotify.all_items(album), list[types.SimplifiedTrack])
    assert_type(await spotify.all_items(album, key="tracks"), list[types.SimplifiedTrack])
    playlist = await spotify.playlists.get(ids["playlist"])
    async with spotify.iter_items(playlist) as entries:
        async for entry in entries:
            assert_type(entry, types.PlaylistTrack)
            assert_type(entry["item"], types.Track | types.Episode | None)

    # Search results: `key` picks the page, and the element type with it.
    found = await spotify.search("a", types=["track", "artist"], limit=5)
    async with spotify.iter_items(found, key="tracks", max_items=7) as found_tracks:
        async for full in found_tracks:
            assert_type(full, types.Track)
    assert_type(await spotify.all_items(found, key="artists"), list[types.Artist])
    # ... or the page itself: `found["tracks"]` is a `Paging[Track]`, followed to its end.
    assert "tracks" in found
    assert_type(await spotify.all_items(found["tracks"], max_items=7), list[types.Track])

    # Cursor pages, bare (recently played) and wrapped (followed artists).
    recent = await spotify.player.recently_played()
    assert_type(await spotify.all_items(recent), list[types.PlayHistory])
    followed = await spotify.artists.followed()
    assert_type(await spotify.all_items(followed), list[types.Artist])

    # The browse wrappers.
    assert_type(
        await spotify.all_items(await spotify.albums.new_releases(), max_items=3),
        list[types.SimplifiedAlbum],
    )
    assert_type(
        await spotify.all_items(await spotify.categories.browse(), max_items=3),
        list[types.Category],
    )

    # Anything else (a dict from `spotify.request`) gives items of `Any`.
    raw: dict[str, Any] = await spotify.request("GET", f"/albums/{ids['album']}/tracks")
    assert_type(await spotify.all_items(raw), list[Any])


async def mistakes(
    spotify: Spotify,
    album: types.Album,
    state: types.PlaybackState,
    found: types.SearchResults,
) -> None:
    """Code that must not type-check (never run): one error per line, pinned by its code."""
    album["nmae"]  # type: ignore[typeddict-item]  # pyright: ignore[reportGeneralTypeIssues]
    album["total_tracks"] + ""  # type: ignore[operator]  # pyright: ignore[reportOperatorIssue]
    # `item` is `null` when nothing is playing: it must be checked first.
    state["item"]["name"]  # type: ignore[index]  # pyright: ignore[reportOptionalSubscript]
    # A key Spotify omits for the types not searched for: pyright wants `in` checked first
    # (mypy allows reading a NotRequired key).
    found["tracks"]  # pyright: ignore[reportTypedDictNotRequiredAccess]
    await spotify.users.top("genres")  # type: ignore[call-overload]  # pyright: ignore[reportArgumentType, reportCallIssue]
    snapshot = await spotify.playlists.add_items("3cEYpjA9oz9GiPac4AsH4n", ["x"])
    snapshot["id"]  # type: ignore[typeddict-item]  # pyright: ignore[reportGeneralTypeIssues]
    # The items of an album's tracks page are simplified tracks: no `popularity`.
    async with spotify.iter_items(album["tracks"]) as tracks:
        async for track in tracks:
            track["popularity"]  # type: ignore[typeddict-item]  # pyright: ignore[reportGeneralTypeIssues]
    not_an_album: types.Album = {"name": "x"}  # type: ignore[typeddict-item]  # pyright: ignore[reportAssignmentType]
    del not_an_album


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
async def test_the_typed_calls_run_against_the_emulator() -> None:
    emulator = SpotifyEmulator(seed=7, clock=trio.current_time)
    async with open_emulator_client(emulator) as spotify:
        ids = await answers(spotify)
        await items(spotify, ids)
    assert set(ids) == {"album", "playlist"}
