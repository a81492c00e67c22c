"""The emulator's objects have Spotify's keys and nulls (issue 10, "Keys and nulls").

Each test says where the fact comes from: the corrected definition
(`tests/data/fixed-spotify-open-api.yml`), `shared/spotify/protocol.md`, or "Spotify sends
it, undocumented" (answers captured from the real Web API)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import trio
import yaml
from helpers.fidelity import answer, get, play

from trio_spotify.testing import SpotifyEmulator

SPEC = Path(__file__).parent.parent / "data" / "fixed-spotify-open-api.yml"
MODES = ["extended", "development"]


def make(mode: str = "extended") -> SpotifyEmulator:
    emulator = SpotifyEmulator(clock=trio.current_time, seed=3, mode=mode)  # type: ignore[arg-type]
    emulator.user(emulator.user_id)  # seeds the user's library and playlists
    return emulator


def track_uri(e: SpotifyEmulator, n: int) -> str:
    return f"spotify:track:{e.catalog.id_of(3, e.catalog.track_at(n))}"


def episode_uri(e: SpotifyEmulator) -> str:
    return f"spotify:episode:{e.catalog.id_of(5, e.catalog.show_episodes(0)[0])}"


# -- the player ---------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_playback_without_a_context_says_context_null(mode: str) -> None:
    # Spotify sends `"context": null` on /me/player and /me/player/currently-playing when
    # the playback has no context (a list of `uris`); undocumented (the definition lists
    # the key, not its null). `smart_shuffle` is on /me/player: Spotify sends it, undocumented.
    e = make(mode)
    await play(e, {"uris": [track_uri(e, 1)]})
    state = await get(e, "/me/player")
    playing = await get(e, "/me/player/currently-playing")
    assert "context" in state
    assert state["context"] is None
    assert "context" in playing
    assert playing["context"] is None
    assert state["smart_shuffle"] is False
    assert "smart_shuffle" not in playing


async def test_playback_of_an_album_has_its_context() -> None:
    # The definition: `context` is the ContextObject of what plays.
    e = make()
    album = e.catalog.id_of(2, 0)
    await play(e, {"context_uri": f"spotify:album:{album}"})
    state = await get(e, "/me/player")
    assert state["context"]["uri"] == f"spotify:album:{album}"


async def test_idle_queue_says_currently_playing_null() -> None:
    # Spotify sends `"currently_playing": null` when nothing plays (undocumented null).
    e = make()
    queue = await get(e, "/me/player/queue")
    assert queue == {"currently_playing": None, "queue": []}


async def test_recently_played_entries_say_context_null_and_played_at_has_milliseconds() -> None:
    # Spotify: `context: null` on entries without one, `played_at` as
    # `2017-05-27T20:07:54.721Z` (the definition's example), and its cursor page has no
    # `total` (the definition's CursorPagingObject has none).
    e = make()
    page = await get(e, "/me/player/recently-played", params={"limit": 5})
    assert "total" not in page
    for item in page["items"]:
        assert "context" in item
        assert item["context"] is None
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", item["played_at"])


async def test_some_devices_have_volume_percent_null() -> None:
    # The definition: DeviceObject.volume_percent is nullable; Spotify sends null for
    # devices whose volume it does not control.
    e = make()
    devices = (await get(e, "/me/player/devices"))["devices"]
    volumes = [d["volume_percent"] for d in devices]
    assert None in volumes
    assert any(isinstance(v, int) for v in volumes)
    assert all(d["supports_volume"] is False for d in devices if d["volume_percent"] is None)


# -- playlists -----------------------------------------------------------------------------------


async def test_every_playlist_object_has_primary_color() -> None:
    # Spotify sends `primary_color` (null or a colour) on every playlist object, simplified
    # or full; undocumented (the definition does not list it).
    e = make()
    mine = (await get(e, "/me/playlists"))["items"]
    assert mine
    assert all("primary_color" in p for p in mine)
    full = await get(e, f"/playlists/{mine[0]['id']}")
    assert "primary_color" in full
    assert full["primary_color"] is None


async def test_playlist_entries_have_spotify_undocumented_keys() -> None:
    # Spotify sends, undocumented: on each entry `video_thumbnail: {"url": null}` and
    # `primary_color`; on its track `episode: false, track: true`, the reverse on an
    # episode, whose show has `html_description: null`.
    e = make()
    playlist = e.owned_playlists(e.user_id)[2]  # "Empty"
    uris = [track_uri(e, 5), episode_uri(e)]
    added = await answer(e, "POST", f"/playlists/{playlist}/items", json={"uris": uris})
    assert added.status_code == 201, added.text
    page = await get(
        e, f"/playlists/{playlist}/items", params={"additional_types": "track,episode"}
    )
    track_entry, episode_entry = page["items"]
    for entry in (track_entry, episode_entry):
        assert entry["video_thumbnail"] == {"url": None}
        assert "primary_color" in entry
        assert entry["primary_color"] is None
    assert (track_entry["item"]["track"], track_entry["item"]["episode"]) == (True, False)
    assert (episode_entry["item"]["track"], episode_entry["item"]["episode"]) == (False, True)
    assert episode_entry["item"]["show"]["html_description"] is None


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/browse/featured-playlists", {}),
        ("/search", {"q": "mix", "type": "playlist", "limit": 10}),
    ],
)
async def test_featured_and_searched_playlists_say_public_null(
    path: str, params: dict[str, Any]
) -> None:
    # Spotify sends `public: null` on the playlists of featured and search results
    # (undocumented null; the definition types it a boolean).
    e = make()
    body = await get(e, path, params=params)
    items = body["playlists"]["items"]
    assert items
    assert all("public" in p and p["public"] is None for p in items)


async def test_a_users_own_playlist_says_public_true() -> None:
    # The definition: `public` is the playlist's public/private status where it is known.
    e = make()
    mine = e.owned_playlists(e.user_id)[0]
    assert (await get(e, f"/playlists/{mine}"))["public"] is True


async def test_playlist_images_are_spotifys_mosaic() -> None:
    # Spotify makes a playlist without an uploaded cover a mosaic of its items' artwork in
    # three sizes (640, 300, 60; undocumented), not `[]`.
    e = make()
    mine = e.owned_playlists(e.user_id)[0]
    images = (await get(e, f"/playlists/{mine}"))["images"]
    assert [(i["width"], i["height"]) for i in images] == [(640, 640), (300, 300), (60, 60)]
    assert all(i["url"].startswith("https://mosaic.scdn.co/") for i in images)


# -- catalog objects -------------------------------------------------------------------------------


def test_some_albums_have_a_year_or_a_month_as_release_date() -> None:
    # The definition: `release_date_precision` is `year`, `month` or `day`, and
    # `release_date` is then "1981", "1981-12" or "1981-12-15".
    c = make().catalog
    shapes = {"year": r"\d{4}", "month": r"\d{4}-\d\d", "day": r"\d{4}-\d\d-\d\d"}
    seen = set()
    for index in range(c.album_count):
        album = c.simple_album(index)
        precision = album["release_date_precision"]
        assert re.fullmatch(shapes[precision], album["release_date"])
        seen.add(precision)
    assert seen == {"year", "month", "day"}


async def test_audio_analysis_has_every_key_of_the_definition() -> None:
    # The definition: AudioAnalysisObject's `meta` and `track` properties.
    spec = yaml.safe_load(SPEC.read_text())["components"]["schemas"]["AudioAnalysisObject"]
    e = make()
    track = e.catalog.id_of(3, e.catalog.track_at(3))
    analysis = await get(e, f"/audio-analysis/{track}")
    assert set(analysis["track"]) == set(spec["properties"]["track"]["properties"])
    assert set(analysis["meta"]) == set(spec["properties"]["meta"]["properties"])
    assert analysis["meta"]["detailed_status"] == "OK"


async def test_genre_seeds_of_recommendations_say_href_null() -> None:
    # Spotify sends `href: null` on genre seeds (the definition: "A link to the full track
    # or artist data for this seed. For genre seeds, this value will be null").
    e = make()
    body = await get(e, "/recommendations", params={"seed_genres": "jazz", "limit": 2})
    (seed,) = body["seeds"]
    assert "href" in seed
    assert seed["href"] is None


async def test_the_last_page_of_followed_artists_says_after_null() -> None:
    # Spotify: the last page of `/me/following` has `cursors: {"after": null}` (the
    # definition's CursorObject.after), not `{}`.
    e = make()
    page = (await get(e, "/me/following", params={"type": "artist", "limit": 50}))["artists"]
    assert page["next"] is None
    assert page["cursors"] == {"after": None}


async def test_episodes_have_a_resume_point_with_the_playback_position_scope() -> None:
    # The definition: EpisodeObject.resume_point, "only available with the
    # user-read-playback-position scope".
    e = make()
    episode = e.catalog.id_of(5, e.catalog.show_episodes(1)[0])
    with_scope = e.issue_access_token(["user-read-playback-position"])
    without = e.issue_access_token(["user-read-private"])
    point = (await get(e, f"/episodes/{episode}", token=with_scope))["resume_point"]
    assert point == {"fully_played": False, "resume_position_ms": 0}
    assert "resume_point" not in await get(e, f"/episodes/{episode}", token=without)
