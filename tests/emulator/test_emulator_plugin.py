"""The pytest plugin: registered through the entry point, cheap to import, fixtures work
(also under autojump_clock), the marker configures the emulator."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points

import pytest
import trio

from trio_spotify import Spotify, TokenExpiredError
from trio_spotify.testing import RateLimit, SpotifyEmulator


def test_entry_point_is_registered() -> None:
    plugins = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert plugins.get("trio_spotify") == "pytest_trio_spotify"


def test_plugin_import_loads_no_server_library() -> None:
    code = (
        "import sys, pytest_trio_spotify, trio_spotify.testing; "
        "print(sorted(m for m in ('starlette', 'hypercorn') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_missing_extra_is_explained() -> None:
    code = (
        "import sys; sys.modules['starlette'] = None\n"
        "import trio_spotify.testing as t\n"
        "try:\n    t.SpotifyEmulator\nexcept ModuleNotFoundError as e:\n    print(e)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'trio_spotify[testing]'" in out.stdout


async def test_seeded_library_as_documented(spotify: Spotify) -> None:
    assert (await spotify.request("GET", "/me/tracks"))["total"] == 30
    assert (await spotify.request("GET", "/me/albums"))["total"] == 6
    assert (await spotify.request("GET", "/me/following", params={"type": "artist"}))["artists"][
        "total"
    ] == 8
    assert (await spotify.request("GET", "/me/playlists"))["total"] == 5


async def test_spotify_app_fixture_has_no_user(spotify_app: Spotify) -> None:
    assert (await spotify_app.request("GET", "/markets"))["markets"]
    with pytest.raises(TokenExpiredError):
        await spotify_app.request("GET", "/me")


async def test_fixture_emulator_runs_on_the_trio_clock(
    autojump_clock: trio.testing.MockClock,
    spotify: Spotify,
    spotify_emulator: SpotifyEmulator,
) -> None:
    await spotify.request("GET", "/me")
    await trio.sleep(3 * 3600)  # three token lifetimes pass in virtual time
    await spotify.request("GET", "/me")
    assert spotify_emulator.counters.tokens_issued == 2
    assert spotify_emulator.counters.unauthorized == 0


@pytest.mark.spotify_emulator(seed=42, rate_limit=RateLimit(3, 30.0), user_id="someone.else")
async def test_marker_configures_the_emulator(
    spotify_emulator: SpotifyEmulator, spotify: Spotify
) -> None:
    assert spotify_emulator.catalog.seed == 42
    assert spotify_emulator.rate_limit == RateLimit(3, 30.0)
    assert (await spotify.request("GET", "/me"))["id"] == "someone.else"


def test_testing_exports_are_complete() -> None:
    import trio_spotify.testing as testing

    for name in testing.__all__:
        assert getattr(testing, name) is not None, name
    assert set(testing.__all__) <= set(dir(testing))
    with pytest.raises(AttributeError):
        _ = testing.NoSuchThing


def test_serve_emulator_is_kept_as_the_alias_of_open_emulator_server() -> None:
    import trio_spotify.testing as testing

    assert testing.serve_emulator is testing.open_emulator_server
    assert {"open_emulator_server", "serve_emulator"} <= set(testing.__all__)


def test_emulators_share_their_catalog_but_not_their_state() -> None:
    one, two = SpotifyEmulator(seed=9), SpotifyEmulator(seed=9)
    assert one.catalog is two.catalog
    assert SpotifyEmulator(seed=10).catalog is not one.catalog
    one.user(one.user_id).followed_users["x"] = None
    assert "x" not in two.user(two.user_id).followed_users
