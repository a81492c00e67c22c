"""Every endpoint group against the emulator (``trio_spotify.testing``), in-process.

These tests discover IDs through the API itself (search, the user's playlists) and check
behaviour end to end: objects come back for IDs, URIs and URLs, pages are followed to the
end, chunked lists keep order and nulls, library writes round-trip, playlists keep item
order across chunks, the player obeys. Deprecated operations are exercised too (their
warnings are checked in test_endpoints.py and silenced here).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import trio

import trio_spotify
from trio_spotify import types
from trio_spotify._endpoints.search import SearchType
from trio_spotify.testing import SpotifyEmulator, open_emulator_client

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

UNKNOWN_TRACK = "0000000000000000000000"
KINDS = ["track", "album", "artist", "show", "episode", "audiobook", "playlist"]


@pytest.fixture
async def emulator() -> SpotifyEmulator:
    return SpotifyEmulator(seed=7, clock=trio.current_time)


@pytest.fixture
async def spotify(emulator: SpotifyEmulator) -> AsyncIterator[trio_spotify.Spotify]:
    async with open_emulator_client(emulator) as client:
        yield client


def item_ids(entries: list[types.PlaylistTrack]) -> list[str | None]:
    """The IDs of a playlist's entries (`None` for an entry whose item is gone)."""
    return [item["id"] if (item := entry["item"]) else None for entry in entries]


async def ids_of(spotify: trio_spotify.Spotify, kind: SearchType, count: int) -> list[str]:
    result = await spotify.search("a", types=kind, limit=10)
    items = await spotify.all_items(result, max_items=count)
    return [item["id"] for item in items]


async def test_albums(spotify: trio_spotify.Spotify) -> None:
    a, b = await ids_of(spotify, "album", 2)
    album = await spotify.albums.get(f"spotify:album:{a}", market="DE")
    assert album["id"] == a
    first = await spotify.albums.tracks(a, limit=2)
    tracks = await spotify.all_items(first)
    assert len(tracks) == first["total"] == album["tracks"]["total"]
    several = await spotify.albums.get_several([b, a, b])
    assert [x["id"] if x else None for x in several] == [b, a, b]
    await spotify.albums.save([a, b])
    assert await spotify.albums.contains([a, b]) == [True, True]
    saved = await spotify.all_items(await spotify.albums.saved(limit=1))
    assert {entry["album"]["id"] for entry in saved} >= {a, b}
    await spotify.albums.remove([a])
    assert await spotify.albums.contains([a, b]) == [False, True]
    releases = await spotify.albums.new_releases(limit=5)
    assert len(await spotify.all_items(releases, max_items=12)) == 12


async def test_artists(spotify: trio_spotify.Spotify) -> None:
    (a, b) = await ids_of(spotify, "artist", 2)
    assert (await spotify.artists.get(f"https://open.spotify.com/artist/{a}?si=1"))["id"] == a
    assert [x["id"] if x else None for x in await spotify.artists.get_several([a, b])] == [a, b]
    albums = await spotify.all_items(await spotify.artists.albums(a, limit=10))
    assert albums
    assert all(any(ar["id"] == a for ar in album["artists"]) for album in albums)
    assert "tracks" in await spotify.artists.top_tracks(a, market="US")
    assert "artists" in await spotify.artists.related_artists(a)
    await spotify.artists.follow([a, b])
    assert await spotify.artists.is_following([a, b]) == [True, True]
    followed = await spotify.all_items(await spotify.artists.followed(limit=1))
    assert {artist["id"] for artist in followed} >= {a, b}
    await spotify.artists.unfollow([b])
    assert await spotify.artists.is_following([a, b]) == [True, False]


@pytest.mark.parametrize(
    ("group", "kind", "children"),
    [
        ("shows", "show", "episodes"),
        ("audiobooks", "audiobook", "chapters"),
    ],
)
async def test_shows_and_audiobooks(
    spotify: trio_spotify.Spotify, group: str, kind: SearchType, children: str
) -> None:
    endpoints: Any = getattr(spotify, group)
    a, b = await ids_of(spotify, kind, 2)
    assert (await endpoints.get(a))["id"] == a
    assert [x["id"] for x in await endpoints.get_several([b, a])] == [b, a]
    page = await getattr(endpoints, children)(a, limit=3)
    assert len(await spotify.all_items(page)) == page["total"]
    await endpoints.save([a])
    assert await endpoints.contains([a, b]) == [True, False]
    saved = await spotify.all_items(await endpoints.saved(limit=1))
    assert a in {entry[kind]["id"] for entry in saved}
    await endpoints.remove([a])
    assert await endpoints.contains([a]) == [False]


async def test_episodes_and_chapters(spotify: trio_spotify.Spotify) -> None:
    e1, e2 = await ids_of(spotify, "episode", 2)
    assert (await spotify.episodes.get(e1))["id"] == e1
    several_episodes = await spotify.episodes.get_several([e2, e1])
    assert [x["id"] if x else None for x in several_episodes] == [e2, e1]
    await spotify.episodes.save([e1, e2])
    assert await spotify.episodes.contains([e1, e2]) == [True, True]
    saved = await spotify.all_items(await spotify.episodes.saved(limit=1))
    assert {entry["episode"]["id"] for entry in saved} >= {e1, e2}
    await spotify.episodes.remove([e1])
    assert await spotify.episodes.contains([e1, e2]) == [False, True]
    (book,) = await ids_of(spotify, "audiobook", 1)
    chapters = await spotify.all_items(await spotify.audiobooks.chapters(book, limit=50))
    c1, c2 = chapters[0]["id"], chapters[1]["id"]
    assert (await spotify.chapters.get(c1))["id"] == c1
    several_chapters = await spotify.chapters.get_several([c2, c1])
    assert [x["id"] if x else None for x in several_chapters] == [c2, c1]


async def test_tracks_chunked_in_order_with_nulls(
    spotify: trio_spotify.Spotify, emulator: SpotifyEmulator
) -> None:
    ids = await ids_of(spotify, "track", 120)
    wanted = [*ids[:60], UNKNOWN_TRACK, *ids[60:]]
    before = emulator.counters.total_requests
    tracks = await spotify.tracks.get_several(wanted)
    assert emulator.counters.total_requests - before == 3  # 121 IDs in chunks of 50
    assert [t["id"] if t else None for t in tracks] == [*ids[:60], None, *ids[60:]]
    assert (await spotify.tracks.get(f"https://open.spotify.com/intl-de/track/{ids[0]}"))[
        "id"
    ] == ids[0]
    await spotify.tracks.save(ids[:70])
    assert await spotify.tracks.contains(ids[65:75]) == [True] * 5 + [False] * 5
    saved = await spotify.all_items(await spotify.tracks.saved(limit=50))
    assert set(ids[:70]) <= {entry["track"]["id"] for entry in saved}
    await spotify.tracks.remove(ids[:70])
    assert await spotify.tracks.contains(ids[:3]) == [False] * 3
    features = await spotify.tracks.several_audio_features(ids[:3])
    assert [f["id"] if f else None for f in features] == ids[:3]
    assert (await spotify.tracks.audio_features(ids[0]))["id"] == ids[0]
    assert "sections" in await spotify.tracks.audio_analysis(ids[0])
    genres = (await spotify.genres.seeds())["genres"]
    recommended = await spotify.tracks.recommendations(
        seed_tracks=ids[:2], seed_genres=genres[:1], limit=5, attributes={"min_energy": 0.1}
    )
    assert len(recommended["tracks"]) <= 5


async def test_search_wrapped_pages(spotify: trio_spotify.Spotify) -> None:
    result = await spotify.search("a", types=["track", "artist"], limit=10)
    assert set(result) == {"tracks", "artists"}
    with pytest.raises(ValueError, match="key="):
        spotify.iter_items(result)
    artists = await spotify.all_items(result, key="artists")
    assert len(artists) == result["artists"]["total"]
    tracks = await spotify.all_items(result, key="tracks", max_items=55)
    assert len({t["id"] for t in tracks}) == 55


async def test_users(spotify: trio_spotify.Spotify, emulator: SpotifyEmulator) -> None:
    me = await spotify.users.me()
    assert me["id"] == emulator.user_id
    other = emulator.catalog.user_id(1)
    assert (await spotify.users.get(f"spotify:user:{other}"))["id"] == other
    top = await spotify.users.top("artists", time_range="short_term", limit=5)
    assert len(top["items"]) <= 5
    await spotify.users.follow([other])
    assert await spotify.users.is_following([other]) == [True]
    await spotify.users.unfollow([other])
    assert await spotify.users.is_following([other]) == [False]


async def test_library_by_uri(spotify: trio_spotify.Spotify) -> None:
    (track,) = await ids_of(spotify, "track", 1)
    (album,) = await ids_of(spotify, "album", 1)
    (artist,) = await ids_of(spotify, "artist", 1)
    uris = [
        f"spotify:track:{track}",
        f"https://open.spotify.com/album/{album}",
        f"spotify:artist:{artist}",
    ]
    assert await spotify.library.contains(uris) == [False, False, False]
    await spotify.library.save(uris)
    assert await spotify.library.contains(uris) == [True, True, True]
    assert await spotify.tracks.contains([track]) == [True]
    await spotify.library.remove(uris[:2])
    assert await spotify.library.contains(uris) == [False, False, True]


async def test_playlists(spotify: trio_spotify.Spotify) -> None:
    created = await spotify.playlists.create("Road trip", public=False, description="x")
    pid = created["id"]
    tracks = await ids_of(spotify, "track", 250)
    await spotify.playlists.add_items(pid, tracks[:200])
    await spotify.playlists.add_items(pid, tracks[200:], position=100)  # in the middle
    items = await spotify.all_items(await spotify.playlists.items(pid, limit=50))
    expected = [*tracks[:100], *tracks[200:], *tracks[100:200]]
    assert item_ids(items) == expected
    playlist = await spotify.playlists.get(pid)
    assert item_ids(await spotify.all_items(playlist)) == expected
    await spotify.playlists.change_details(pid, name="Renamed")
    assert (await spotify.playlists.get(pid, fields="name"))["name"] == "Renamed"
    await spotify.playlists.remove_items(pid, tracks[:150])
    left = await spotify.all_items(await spotify.playlists.items(pid, limit=50))
    assert item_ids(left) == [*tracks[200:], *tracks[150:200]]
    snapshot = await spotify.playlists.replace_items(pid, tracks[:130])
    assert "snapshot_id" in snapshot
    await spotify.playlists.reorder_items(pid, range_start=0, insert_before=130)
    order = item_ids(await spotify.all_items(await spotify.playlists.items(pid)))
    assert order == [*tracks[1:130], tracks[0]]
    assert len(await spotify.all_items(await spotify.playlists.tracks(pid, limit=50))) == 130
    await spotify.playlists.add_tracks(pid, tracks[:1])
    await spotify.playlists.remove_tracks(pid, tracks[:1])
    # remove_tracks removed every occurrence of tracks[0]: 129 items are left.
    await spotify.playlists.reorder_tracks(pid, range_start=0, insert_before=129)
    order = item_ids(await spotify.all_items(await spotify.playlists.items(pid)))
    assert order == [*tracks[2:130], tracks[1]]
    await spotify.playlists.replace_tracks(pid, [])
    assert (await spotify.playlists.items(pid))["total"] == 0
    mine = await spotify.all_items(await spotify.playlists.saved(limit=50))
    assert pid in {p["id"] for p in mine}
    jpeg = b"\xff\xd8\xff\xe0" + bytes(1000)
    await spotify.playlists.upload_cover_image(pid, jpeg)
    assert isinstance(await spotify.playlists.cover_image(pid), list)
    other = await spotify.playlists.create_for_user("emulator.user", "Old way")
    assert other["name"] == "Old way"


async def test_playlist_following_and_browse(
    spotify: trio_spotify.Spotify, emulator: SpotifyEmulator
) -> None:
    (pid,) = await ids_of(spotify, "playlist", 1)
    await spotify.playlists.follow(pid)
    assert await spotify.playlists.is_following(pid) == [True]
    me = emulator.user_id
    other = emulator.catalog.user_id(1)
    assert await spotify.playlists.is_following(pid, user_ids=[me, other, me]) == [
        True,
        False,
        True,
    ]
    await spotify.playlists.unfollow(pid)
    assert await spotify.playlists.is_following(pid) == [False]
    await spotify.all_items(await spotify.playlists.user_playlists(other, limit=5))
    featured = await spotify.playlists.featured(limit=5)
    await spotify.all_items(featured, key="playlists")
    categories = await spotify.all_items(await spotify.categories.browse(limit=5))
    category = categories[0]["id"]
    assert (await spotify.categories.get(category))["id"] == category
    await spotify.all_items(await spotify.categories.playlists(category, limit=5))
    assert "DE" in (await spotify.markets.available())["markets"]


async def test_player(spotify: trio_spotify.Spotify) -> None:
    devices = (await spotify.player.devices())["devices"]
    device = devices[0]["id"]
    assert device is not None
    await spotify.player.transfer(device, play=False)
    tracks = await ids_of(spotify, "track", 3)
    await spotify.player.play(device_id=device, uris=tracks)
    state = await spotify.player.state()
    assert state is not None
    assert state["item"] is not None
    assert state["item"]["id"] == tracks[0]
    await spotify.player.next()
    playing = await spotify.player.currently_playing()
    assert playing is not None
    assert playing["item"] is not None
    assert playing["item"]["id"] == tracks[1]
    await spotify.player.previous()
    await spotify.player.seek(1000)
    await spotify.player.repeat("track")
    await spotify.player.volume(30)
    await spotify.player.shuffle(True)
    await spotify.player.add_to_queue(tracks[2])
    queue = await spotify.player.queue()
    assert tracks[2] in [item["id"] for item in queue["queue"]]
    await spotify.player.pause()
    state = await spotify.player.state()
    assert state is not None
    assert state["is_playing"] is False
    assert state["repeat_state"] == "track"
    assert state["shuffle_state"] is True
    recent = await spotify.player.recently_played(limit=2)
    await spotify.all_items(recent, max_items=10)


async def test_missing_scope_against_the_emulator(emulator: SpotifyEmulator) -> None:
    auth = emulator.user_auth(scopes=["user-read-private"])
    async with open_emulator_client(emulator, auth) as spotify:
        await spotify.users.me()
        with pytest.raises(trio_spotify.MissingScope) as info:
            await spotify.player.devices()
    assert info.value.required == {"user-read-playback-state"}


async def test_development_mode_refuses_deprecated_operations(emulator: SpotifyEmulator) -> None:
    emulator.mode = "development"
    async with open_emulator_client(emulator) as spotify:
        (track,) = await ids_of(spotify, "track", 1)
        assert (await spotify.tracks.get(track))["id"] == track
        with pytest.raises(trio_spotify.Forbidden):
            await spotify.tracks.get_several([track])


async def test_tracks_saved_with_times_keep_those_times(spotify: trio_spotify.Spotify) -> None:
    tracks = await ids_of(spotify, "track", 3)
    await spotify.tracks.save(
        {tracks[0]: "2020-05-01T12:00:00Z", tracks[1]: "2021-06-02T08:00:00Z"}
    )
    saved = await spotify.all_items(await spotify.tracks.saved(limit=50))
    added = {entry["track"]["id"]: entry["added_at"] for entry in saved}
    assert added[tracks[0]] == "2020-05-01T12:00:00Z"
    assert added[tracks[1]] == "2021-06-02T08:00:00Z"
