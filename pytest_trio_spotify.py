"""The pytest plugin of trio_spotify (entry point `pytest11`: `trio_spotify`).

Fixtures, for suites run with pytest-trio (`trio_mode = true` or `@pytest.mark.trio`):

- `spotify_emulator`: a fresh `SpotifyEmulator` per test,
  on `trio.current_time` (so `autojump_clock` drives token expiry and rate windows);
- `spotify`: a `Spotify` client connected to it in-process, signed
  in as the emulator's user with every scope;
- `spotify_app`: the same, with the app's client-credentials token (no user).

Configure the emulator of one test with a marker:

    @pytest.mark.spotify_emulator(mode="development", rate_limit=RateLimit(10, 30))
    async def test_x(spotify, spotify_emulator): ...

A project's own fixture of the same name overrides these (pytest prefers the nearest
definition). pytest imports this module in every project where trio_spotify is installed,
so it imports nothing at all of trio_spotify at import time: the client, starlette,
hypercorn and the emulator load inside the fixtures. (That is also why it lives outside the
package: importing it does not run `trio_spotify/__init__.py` before coverage starts.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from trio_spotify import Spotify
    from trio_spotify.testing import SpotifyEmulator

__all__ = ["spotify", "spotify_app", "spotify_emulator"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "spotify_emulator(**kwargs): keyword arguments for the spotify_emulator fixture's "
        "SpotifyEmulator",
    )


@pytest.fixture
def spotify_emulator(request: pytest.FixtureRequest) -> SpotifyEmulator:
    """A fresh emulator on `trio.current_time`; `@pytest.mark.spotify_emulator(...)`
    passes keyword arguments to it."""
    import trio

    from trio_spotify.testing import SpotifyEmulator

    kwargs: dict[str, Any] = {"clock": trio.current_time}
    marker = request.node.get_closest_marker("spotify_emulator")
    if marker is not None:
        kwargs.update(marker.kwargs)
    return SpotifyEmulator(**kwargs)


@pytest.fixture
async def spotify(spotify_emulator: SpotifyEmulator) -> AsyncIterator[Spotify]:
    """A client connected in-process to `spotify_emulator`, as its user (every scope)."""
    from trio_spotify.testing import open_emulator_client

    async with open_emulator_client(spotify_emulator) as client:
        yield client


@pytest.fixture
async def spotify_app(spotify_emulator: SpotifyEmulator) -> AsyncIterator[Spotify]:
    """A client connected in-process to `spotify_emulator` with a client-credentials token."""
    from trio_spotify.testing import open_emulator_client

    async with open_emulator_client(
        spotify_emulator, spotify_emulator.client_credentials()
    ) as client:
        yield client
