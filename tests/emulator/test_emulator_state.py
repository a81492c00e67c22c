"""Writes change what reads return; paging, limits, IDs and modes behave as Spotify's.

These tests use the pytest plugin's fixtures (`spotify_emulator`, `spotify`) and the
client's raw `spotify.request`, in-process."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
import trio

from trio_spotify import BadRequestError, ForbiddenError, NotFoundError, Spotify
from trio_spotify.testing import CatalogSize, SpotifyEmulator, open_emulator_client

BASE62 = re.compile(r"^[0-9A-Za-z]{22}$")


def ids(emulator: SpotifyEmulator, code: int, indexes: range | list[int]) -> list[str]:
    return [emulator.catalog.id_of(code, i) for i in indexes]


async def test_follow_then_list_then_unfollow(
    spotify: Spotify, spotify_emulator: SpotifyEmulator
) -> None:
    artist = spotify_emulator.catalog.id_of(1, 5)
    before = await spotify.request(
        "GET", "/me/following/contains", params={"type": "artist", "ids": artist}
    )
    assert before == [False]
    assert (
        await spotify.request(
            "PUT", "/me/following", params={"type": "artist"}, json={"ids": [artist]}
        )
        is None
    )
    followed = await spotify.request("GET", "/me/following", params={"type": "artist"})
    assert artist in [a["id"] for a in followed["artists"]["items"]]
    assert await spotify.request(
        "GET", "/me/following/contains", params={"type": "artist", "ids": artist}
    ) == [True]
    await spotify.request("DELETE", "/me/following", params={"type": "artist", "ids": artist})
    assert await spotify.request(
        "GET", "/me/following/contains", params={"type": "artist", "ids": artist}
    ) == [False]


async def test_save_to_library_then_contains(
    spotify: Spotify, spotify_emulator: SpotifyEmulator
) -> None:
    c = spotify_emulator.catalog
    track = f"spotify:track:{c.id_of(3, c.track_at(999_999))}"
    show = f"spotify:show:{c.id_of(4, 11)}"
    uris = [track, show]
    assert await spotify.request("GET", "/me/library/contains", params={"uris": uris}) == [
        False,
        False,
    ]
    await spotify.request("PUT", "/me/library", params={"uris": uris})
    assert await spotify.request("GET", "/me/library/contains", params={"uris": uris}) == [
        True,
        True,
    ]
    # the type-specific endpoints see the same library
    track_id = track.rsplit(":", 1)[1]
    assert await spotify.request("GET", "/me/tracks/contains", params={"ids": track_id}) == [True]
    saved = await spotify.request("GET", "/me/tracks", params={"limit": 1})
    assert saved["items"][0]["track"]["id"] == track_id  # newest first
    await spotify.request("DELETE", "/me/library", json={"uris": [track]})
    assert await spotify.request("GET", "/me/library/contains", params={"uris": uris}) == [
        False,
        True,
    ]
    await spotify.request("PUT", "/me/tracks", json={"ids": [track_id]})
    assert await spotify.request("GET", "/me/library/contains", params={"uris": [track]}) == [True]


async def test_playlist_lifecycle(spotify: Spotify, spotify_emulator: SpotifyEmulator) -> None:
    c = spotify_emulator.catalog
    created = await spotify.request(
        "POST", "/me/playlists", json={"name": "Road trip", "public": False}
    )
    playlist_id = created["id"]
    assert BASE62.match(playlist_id)
    assert created["owner"]["id"] == spotify_emulator.user_id
    assert created["items"]["total"] == 0
    mine = await spotify.request("GET", "/me/playlists", params={"limit": 50})
    assert mine["items"][0]["id"] == playlist_id
    tracks = [f"spotify:track:{c.id_of(3, c.track_at(n))}" for n in range(5)]
    snapshots = [created["snapshot_id"]]
    added = await spotify.request(
        "POST", f"/playlists/{playlist_id}/items", json={"uris": tracks[:4]}
    )
    snapshots.append(added["snapshot_id"])
    added = await spotify.request(
        "POST", f"/playlists/{playlist_id}/items", params={"uris": [tracks[4]], "position": 0}
    )
    snapshots.append(added["snapshot_id"])

    async def order() -> list[str]:
        page = await spotify.request("GET", f"/playlists/{playlist_id}/items")
        return [entry["item"]["uri"] for entry in page["items"]]

    assert await order() == [tracks[4], *tracks[:4]]
    moved = await spotify.request(
        "PUT",
        f"/playlists/{playlist_id}/items",
        json={"range_start": 0, "insert_before": 5, "snapshot_id": snapshots[-1]},
    )
    snapshots.append(moved["snapshot_id"])
    assert await order() == [*tracks[:4], tracks[4]]
    with pytest.raises(BadRequestError):  # stale snapshot
        await spotify.request(
            "PUT",
            f"/playlists/{playlist_id}/items",
            json={"range_start": 0, "insert_before": 2, "snapshot_id": snapshots[0]},
        )
    removed = await spotify.request(
        "DELETE", f"/playlists/{playlist_id}/items", json={"items": [{"uri": tracks[1]}]}
    )
    snapshots.append(removed["snapshot_id"])
    assert await order() == [tracks[0], tracks[2], tracks[3], tracks[4]]
    replaced = await spotify.request(
        "PUT", f"/playlists/{playlist_id}/items", params={"uris": [tracks[2]]}
    )
    snapshots.append(replaced["snapshot_id"])
    assert await order() == [tracks[2]]
    assert (
        await spotify.request(
            "PUT", f"/playlists/{playlist_id}", json={"name": "Renamed", "description": "d"}
        )
        is None
    )
    full = await spotify.request("GET", f"/playlists/{playlist_id}")
    assert full["name"] == "Renamed"
    snapshots.append(full["snapshot_id"])
    assert len(set(snapshots)) == len(snapshots)


async def test_cover_upload(spotify: Spotify, spotify_emulator: SpotifyEmulator) -> None:
    created = await spotify.request("POST", "/me/playlists", json={"name": "Art"})
    pid = created["id"]
    before = await spotify.request("GET", f"/playlists/{pid}/images")
    jpeg = base64.b64encode(b"\xff\xd8\xff\xe0" + bytes(range(200)))
    headers = {"Content-Type": "image/jpeg"}
    assert (
        await spotify.request("PUT", f"/playlists/{pid}/images", content=jpeg, headers=headers)
        is None
    )
    after = await spotify.request("GET", f"/playlists/{pid}/images")
    assert after != before
    assert spotify_emulator.playlist(pid).covers == 1  # type: ignore[union-attr]
    with pytest.raises(BadRequestError):
        await spotify.request(
            "PUT", f"/playlists/{pid}/images", content=base64.b64encode(b"GIF89a"), headers=headers
        )
    with pytest.raises(BadRequestError):
        await spotify.request(
            "PUT", f"/playlists/{pid}/images", content=b"not base64!", headers=headers
        )
    foreign = spotify_emulator.catalog.id_of(8, 1)
    with pytest.raises(ForbiddenError):
        await spotify.request("PUT", f"/playlists/{foreign}/images", content=jpeg, headers=headers)


async def test_player_commands_change_playback_state(
    spotify: Spotify,
    spotify_emulator: SpotifyEmulator,
) -> None:
    c = spotify_emulator.catalog
    assert await spotify.request("GET", "/me/player") is None  # 204: nothing is playing
    album = c.id_of(2, 7)
    with pytest.raises(NotFoundError) as info:
        await spotify.request(
            "PUT", "/me/player/play", json={"context_uri": f"spotify:album:{album}"}
        )
    assert info.value.reason == "NO_ACTIVE_DEVICE"
    devices = (await spotify.request("GET", "/me/player/devices"))["devices"]
    assert not any(d["is_active"] for d in devices)
    await spotify.request("PUT", "/me/player", json={"device_ids": [devices[0]["id"]]})
    await spotify.request(
        "PUT",
        "/me/player/play",
        json={"context_uri": f"spotify:album:{album}", "position_ms": 1000},
    )
    state = await spotify.request("GET", "/me/player")
    first = c.id_of(3, c.album_tracks(7)[0])
    assert state["is_playing"] is True
    assert state["item"]["id"] == first
    assert state["context"]["uri"] == f"spotify:album:{album}"
    assert state["device"]["id"] == devices[0]["id"]
    await spotify.request("PUT", "/me/player/pause")
    paused = await spotify.request("GET", "/me/player")
    assert paused["is_playing"] is False
    with pytest.raises(ForbiddenError) as refused:
        await spotify.request("PUT", "/me/player/pause")
    assert refused.value.reason == "ALREADY_PAUSED"
    await spotify.request("POST", "/me/player/next")
    skipped = await spotify.request("GET", "/me/player/currently-playing")
    assert skipped["item"]["id"] == c.id_of(3, c.album_tracks(7)[1])
    await spotify.request("PUT", "/me/player/volume", params={"volume_percent": 13})
    await spotify.request("PUT", "/me/player/repeat", params={"state": "track"})
    await spotify.request("PUT", "/me/player/shuffle", params={"state": True})
    await spotify.request("PUT", "/me/player/seek", params={"position_ms": 5000})
    state = await spotify.request("GET", "/me/player")
    assert (
        state["device"]["volume_percent"],
        state["repeat_state"],
        state["shuffle_state"],
        state["progress_ms"],
    ) == (13, "track", True, 5000)
    queued = c.id_of(3, c.track_at(4242))
    await spotify.request("POST", "/me/player/queue", params={"uri": f"spotify:track:{queued}"})
    queue = await spotify.request("GET", "/me/player/queue")
    assert queue["queue"][0]["id"] == queued
    await spotify.request("POST", "/me/player/next")
    now = await spotify.request("GET", "/me/player/currently-playing")
    assert now["item"]["id"] == queued
    recent = await spotify.request("GET", "/me/player/recently-played", params={"limit": 2})
    assert [i["track"]["id"] for i in recent["items"]] == [c.id_of(3, c.album_tracks(7)[1]), first]
    with pytest.raises(BadRequestError):
        await spotify.request("PUT", "/me/player", json={"device_ids": [d["id"] for d in devices]})


async def test_progress_follows_the_clock(autojump_clock: trio.testing.MockClock) -> None:
    emulator = SpotifyEmulator(clock=trio.current_time)
    async with open_emulator_client(emulator) as spotify:
        device = (await spotify.request("GET", "/me/player/devices"))["devices"][1]["id"]
        uri = f"spotify:track:{emulator.catalog.id_of(3, 0)}"
        await spotify.request(
            "PUT", "/me/player/play", params={"device_id": device}, json={"uris": [uri]}
        )
        await trio.sleep(12.5)
        state = await spotify.request("GET", "/me/player")
        assert state["progress_ms"] == 12500


async def test_paging_next_links_cover_a_long_playlist(
    spotify: Spotify, spotify_emulator: SpotifyEmulator
) -> None:
    playlist = spotify_emulator.catalog.id_of(8, 0)  # the catalog's 2500-item playlist
    page = await spotify.request("GET", f"/playlists/{playlist}/items", params={"limit": 50})
    assert page["total"] == 2500
    assert page["next"].startswith(spotify.api_url + "/")
    seen: list[str] = []
    while True:
        seen.extend(entry["item"]["id"] for entry in page["items"])
        if page["next"] is None:
            break
        page = await spotify.request("GET", page["next"])
    assert len(seen) == 2500
    assert page["previous"] is not None
    assert page["offset"] == 2450


async def test_next_links_embedded_in_a_playlist_are_served(
    spotify: Spotify, spotify_emulator: SpotifyEmulator
) -> None:
    # GET /playlists/{id} embeds the first 100 items; its next links ask for what their
    # endpoint accepts (the corrected definition: /items up to 50, the older /tracks up to
    # 100), and the emulator serves them.
    playlist = spotify_emulator.catalog.id_of(8, 0)
    full = await spotify.request("GET", f"/playlists/{playlist}")
    for key, limit in (("items", 50), ("tracks", 100)):
        embedded = full[key]
        assert embedded["limit"] == 100
        assert len(embedded["items"]) == 100
        following = await spotify.request("GET", embedded["next"])
        assert following["offset"] == 100
        assert len(following["items"]) == limit


async def test_cursor_paging_of_followed_artists(
    spotify: Spotify, spotify_emulator: SpotifyEmulator
) -> None:
    artists = ids(spotify_emulator, 1, range(40))
    await spotify.request("PUT", "/me/following", params={"type": "artist", "ids": artists[:25]})
    await spotify.request("PUT", "/me/following", params={"type": "artist", "ids": artists[25:]})
    page = (await spotify.request("GET", "/me/following", params={"type": "artist", "limit": 7}))[
        "artists"
    ]
    got: list[str] = []
    while True:
        got.extend(a["id"] for a in page["items"])
        if page["next"] is None:
            break
        assert page["cursors"]["after"] == got[-1]
        page = (await spotify.request("GET", page["next"]))["artists"]
    assert sorted(got) == sorted(set(artists))
    assert page["total"] == 40


async def test_limits_and_ids_are_enforced(
    spotify: Spotify, spotify_emulator: SpotifyEmulator
) -> None:
    c = spotify_emulator.catalog
    tracks = [c.id_of(3, c.track_at(n)) for n in range(51)]
    several = await spotify.request("GET", "/tracks", params={"ids": tracks[:50]})
    assert [t["id"] for t in several["tracks"]] == tracks[:50]
    cases: list[tuple[str, dict[str, Any] | None]] = [
        ("/tracks", {"ids": tracks}),
        ("/albums", {"ids": ids(spotify_emulator, 2, range(21))}),
        (f"/albums/{c.id_of(2, 0)}/tracks", {"limit": 51}),
        (f"/artists/{c.id_of(1, 0)}/albums", {"limit": 11}),
        ("/search", {"q": "the", "type": "track", "limit": 11}),
        ("/search", {"q": "the", "type": "track", "offset": 1001}),
        ("/search", {"q": "the", "type": "planet"}),
        ("/me/library/contains", {"uris": [f"spotify:track:{t}" for t in tracks[:41]]}),
        ("/me/tracks", {"limit": 0}),
        ("/me/following", {"type": "user"}),
        ("/tracks/not-an-id", None),
        ("/recommendations", {"seed_genres": "jazz,rock,pop,funk,soul,disco"}),
    ]
    for path, params in cases:
        with pytest.raises(BadRequestError) as info:
            await spotify.request("GET", path, params=params)
        assert info.value.status == 400, path
    with pytest.raises(BadRequestError) as invalid:
        await spotify.request("GET", "/tracks/not-an-id")
    assert invalid.value.message == "invalid id"
    unknown = "0" * 22
    with pytest.raises(NotFoundError):
        await spotify.request("GET", f"/tracks/{unknown}")
    with pytest.raises(NotFoundError):  # an album ID is not a track
        await spotify.request("GET", f"/tracks/{c.id_of(2, 0)}")


async def test_search_finds_by_name(spotify: Spotify, spotify_emulator: SpotifyEmulator) -> None:
    artist = spotify_emulator.catalog.artist(3)
    found = await spotify.request(
        "GET", "/search", params={"q": artist["name"], "type": "artist,track"}
    )
    assert artist["id"] in [a["id"] for a in found["artists"]["items"]]
    assert found["tracks"]["limit"] == 5
    nothing = await spotify.request("GET", "/search", params={"q": "zzzz", "type": "album"})
    assert nothing["albums"]["total"] == 0


def test_catalog_is_deterministic_and_well_formed() -> None:
    one, two, other = SpotifyEmulator(seed=5), SpotifyEmulator(seed=5), SpotifyEmulator(seed=6)
    index = one.catalog.track_at(77)
    track = one.catalog.track(index)
    assert track == two.catalog.track(index)
    assert track["id"] != other.catalog.track(index)["id"]
    assert other.catalog.resolve(track["id"]) is None  # another seed's ID is unknown
    assert BASE62.match(track["id"])
    assert track["uri"] == f"spotify:track:{track['id']}"
    assert track["external_urls"]["spotify"] == f"https://open.spotify.com/track/{track['id']}"
    size = one.catalog.size
    assert size.albums_per_artist >= 24
    assert max(size.playlist_lengths) >= 1000
    small = SpotifyEmulator(catalog_size=CatalogSize(artists=2, albums_per_artist=3))
    assert small.catalog.album_count == 6
    with pytest.raises(ValueError, match="max_tracks_per_album"):
        CatalogSize(max_tracks_per_album=99)


@pytest.mark.spotify_emulator(mode="development")
async def test_development_mode_refuses_deprecated_operations(
    spotify: Spotify,
    spotify_emulator: SpotifyEmulator,
) -> None:
    c = spotify_emulator.catalog
    track = c.id_of(3, c.track_at(3))
    assert (await spotify.request("GET", f"/tracks/{track}"))["id"] == track
    for path, params in [
        ("/tracks", {"ids": track}),
        ("/markets", None),
        ("/recommendations", {"seed_genres": "jazz"}),
    ]:
        with pytest.raises(ForbiddenError) as info:
            await spotify.request("GET", path, params=params)
        assert info.value.message == "Forbidden"
    # playlist contents only for playlists the user owns
    foreign = c.id_of(8, 1)
    meta = await spotify.request("GET", f"/playlists/{foreign}")
    assert "items" not in meta
    with pytest.raises(ForbiddenError):
        await spotify.request("GET", f"/playlists/{foreign}/items")
    mine = await spotify.request("POST", "/me/playlists", json={"name": "ok"})
    assert (await spotify.request("GET", f"/playlists/{mine['id']}/items"))["total"] == 0


async def test_fixture_client_is_in_process(
    spotify: Spotify, spotify_emulator: SpotifyEmulator
) -> None:
    me = await spotify.request("GET", "/me")
    assert me["id"] == spotify_emulator.user_id
    assert me["href"].startswith(spotify.api_url)
    assert spotify_emulator.counters.requests["get-current-users-profile"] == 1


async def test_users_and_their_playlists(
    spotify: Spotify, spotify_emulator: SpotifyEmulator
) -> None:
    c = spotify_emulator.catalog
    other = c.user_id(2)
    profile = await spotify.request("GET", f"/users/{other}")
    assert profile["id"] == other
    assert profile["uri"] == f"spotify:user:{other}"
    with pytest.raises(NotFoundError):
        await spotify.request("GET", "/users/nobody.at.all")
    owned = await spotify.request("GET", f"/users/{other}/playlists")
    assert owned["total"] >= 1
    assert {p["owner"]["id"] for p in owned["items"]} == {other}
    with pytest.raises(ForbiddenError):
        await spotify.request("POST", f"/users/{other}/playlists", json={"name": "not mine"})
    made = await spotify.request(
        "POST",
        f"/users/{spotify_emulator.user_id}/playlists",
        json={"name": "mine", "collaborative": True, "public": False},
    )
    assert made["collaborative"] is True
    foreign = owned["items"][0]["id"]
    with pytest.raises(ForbiddenError):
        await spotify.request(
            "POST", f"/playlists/{foreign}/items", json={"uris": [f"spotify:track:{c.id_of(3, 0)}"]}
        )
    assert await spotify.request("GET", f"/playlists/{foreign}/followers/contains") == [False]
    await spotify.request("PUT", f"/playlists/{foreign}/followers")
    assert await spotify.request("GET", f"/playlists/{foreign}/followers/contains") == [True]
    mine = await spotify.request("GET", "/me/playlists", params={"limit": 50})
    assert foreign in [p["id"] for p in mine["items"]]
    # following a user through the library shows in their profile's follower count
    await spotify.request("PUT", "/me/library", params={"uris": [f"spotify:user:{other}"]})
    assert (await spotify.request("GET", f"/users/{other}"))["followers"]["total"] == 1
