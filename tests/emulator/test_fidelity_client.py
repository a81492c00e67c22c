"""The client copes with the emulator's answers as Spotify sends them (issue 10): `None`
for `context` and `item`, 204 when nothing plays, unplayable tracks."""

from __future__ import annotations

import pytest
import trio

from trio_spotify.testing import SpotifyEmulator, open_emulator_client


def make() -> SpotifyEmulator:
    emulator = SpotifyEmulator(clock=trio.current_time, seed=11)
    emulator.user(emulator.user_id)
    return emulator


async def test_state_and_currently_playing_are_none_when_idle() -> None:
    # The definition: 204 (no body) when nothing plays; the client answers None.
    e = make()
    async with open_emulator_client(e) as spotify:
        assert await spotify.player.state() is None
        assert await spotify.player.currently_playing() is None
        queue = await spotify.player.queue()
    assert queue["currently_playing"] is None
    assert e.counters.requests["get-information-about-the-users-current-playback"] == 1


async def test_state_without_a_context_has_context_none() -> None:
    e = make()
    c = e.catalog
    uri = f"spotify:track:{c.id_of(3, c.track_at(8))}"
    async with open_emulator_client(e) as spotify:
        devices = (await spotify.player.devices())["devices"]
        await spotify.player.play(device_id=devices[0]["id"], uris=[uri])
        state = await spotify.player.state()
        playing = await spotify.player.currently_playing()
    assert state is not None
    assert playing is not None
    assert state["context"] is None
    assert playing["context"] is None
    assert state["item"] is not None
    assert state["item"]["uri"] == uri


async def test_a_playing_episode_is_item_none_unless_episodes_are_asked_for() -> None:
    e = make()
    c = e.catalog
    uri = f"spotify:episode:{c.id_of(5, c.show_episodes(2)[0])}"
    async with open_emulator_client(e) as spotify:
        devices = (await spotify.player.devices())["devices"]
        await spotify.player.play(device_id=devices[0]["id"], uris=[uri])
        plain = await spotify.player.currently_playing()
        with_episodes = await spotify.player.state(additional_types=["track", "episode"])
    assert plain is not None
    assert plain["item"] is None
    assert with_episodes is not None
    assert with_episodes["item"] is not None
    assert with_episodes["item"]["uri"] == uri


async def test_unplayable_tracks_come_back_as_such() -> None:
    e = make()
    c = e.catalog
    album = next(
        a for a in range(c.album_count) if "JP" not in c.simple_album(a)["available_markets"]
    )
    track = c.id_of(3, c.album_tracks(album)[0])
    async with open_emulator_client(e, e.client_credentials()) as spotify:
        refused = await spotify.tracks.get(track, market="JP")
        with pytest.warns(DeprecationWarning, match="get-several-tracks"):
            several = await spotify.tracks.get_several([track], market="JP")
    assert refused["is_playable"] is False
    assert refused["restrictions"] == {"reason": "market"}
    assert several[0] is not None
    assert several[0]["is_playable"] is False
