"""Bad arguments found by fuzzing: each is refused before anything is sent, naming itself."""

from __future__ import annotations

import httpx
import pytest
import trio

import trio_spotify

PLAYLIST = "37i9dQZF1DXcBWIGoYBM5M"


@pytest.fixture
async def spotify_and_sent():
    sent: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"id": PLAYLIST, "snapshot_id": "s"})

    transport = httpx.MockTransport(handle)
    async with trio_spotify.open_spotify(trio_spotify.Token("t" * 20), transport=transport) as s:
        yield s, sent


@pytest.mark.parametrize("path", ["/tracks/a\x00b", "/tracks/a\nb", "/me\x7f", "/me\r\nX: y"])
async def test_a_control_character_in_a_path_is_a_value_error_naming_it(
    spotify_and_sent, path: str
) -> None:
    spotify, sent = spotify_and_sent
    with pytest.raises(ValueError, match="control characters") as info:
        await spotify.request("GET", path)
    assert repr(path) in str(info.value)
    with pytest.raises(ValueError, match="control characters"):
        await spotify.request("GET", "https://api.spotify.com/v1" + path)
    assert sent == []


FLAG_CALLS = {
    "playlists.create(public)": lambda s, v: s.playlists.create("n", public=v),
    "playlists.create(collaborative)": lambda s, v: s.playlists.create("n", collaborative=v),
    "playlists.change_details(public)": lambda s, v: s.playlists.change_details(PLAYLIST, public=v),
    "playlists.change_details(collaborative)": lambda s, v: s.playlists.change_details(
        PLAYLIST, collaborative=v
    ),
    "playlists.follow(public)": lambda s, v: s.playlists.follow(PLAYLIST, public=v),
    "player.transfer(play)": lambda s, v: s.player.transfer("device", play=v),
}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("name", sorted(FLAG_CALLS))
@pytest.mark.parametrize("value", [{}, 1, "false", []])
async def test_a_flag_that_is_not_a_bool_is_a_type_error(
    spotify_and_sent, name: str, value: object
) -> None:
    spotify, sent = spotify_and_sent
    with pytest.raises(TypeError, match=name.partition("(")[2].rstrip(")")):
        await FLAG_CALLS[name](spotify, value)
    assert sent == []
    # ... while True and False still go out as they are.
    await FLAG_CALLS[name](spotify, False)
    assert len(sent) == 1
    await trio.lowlevel.checkpoint()
