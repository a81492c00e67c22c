"""trio_spotify.testing: an offline emulator of Spotify, for tests, demos and benchmarks.

What moto is for boto3: `SpotifyEmulator` is an ASGI application (built on
Starlette) that serves Spotify's accounts service (`/authorize`, `/api/token`) and all
96 operations of the Web API under `/v1`, over a deterministic catalog generated from a
seed, with state, scopes, token expiry, rate limits and injectable faults.

- in-process: `open_emulator_client`, or `httpx.ASGITransport(app=emulator.app)`
  passed as `open_spotify(transport=...)`;
- on loopback: `async with open_emulator_server(emulator) as base_url: ...` (hypercorn,
  Trio; `serve_emulator` is its earlier name, kept as an alias);
- from pytest: the fixtures `spotify_emulator` and `spotify` (see the top-level
  module `pytest_trio_spotify`);
- from a shell: `trio-spotify emulator --port 8000`.

Needs the `testing` extra (`pip install 'trio_spotify[testing]'`: starlette, hypercorn).
Importing this package is cheap and needs neither: the names below load on first use, so
the pytest plugin (registered for every install) costs nothing when unused. See
docs/testing.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._catalog_size import CatalogSize as CatalogSize
    from ._counters import EmulatorCounters as EmulatorCounters
    from ._emulated_accounts import ALL_SCOPES as ALL_SCOPES
    from ._emulator import EmulatorUserAuth as EmulatorUserAuth
    from ._emulator import SpotifyEmulator as SpotifyEmulator
    from ._faults import Faults as Faults
    from ._faults import RateLimit as RateLimit
    from ._serve import IN_PROCESS_URL as IN_PROCESS_URL
    from ._serve import open_emulator_client as open_emulator_client
    from ._serve import open_emulator_server as open_emulator_server
    from ._serve import serve_emulator as serve_emulator

__all__ = [
    "ALL_SCOPES",
    "IN_PROCESS_URL",
    "CatalogSize",
    "EmulatorCounters",
    "EmulatorUserAuth",
    "Faults",
    "RateLimit",
    "SpotifyEmulator",
    "open_emulator_client",
    "open_emulator_server",
    "serve_emulator",
]

# Where each name lives, imported on first use.
_MODULES = {
    "ALL_SCOPES": "._emulated_accounts",
    "CatalogSize": "._catalog_size",
    "EmulatorCounters": "._counters",
    "EmulatorUserAuth": "._emulator",
    "Faults": "._faults",
    "RateLimit": "._faults",
    "SpotifyEmulator": "._emulator",
    "IN_PROCESS_URL": "._serve",
    "open_emulator_client": "._serve",
    "open_emulator_server": "._serve",
    "serve_emulator": "._serve",
}


def __getattr__(name: str) -> Any:
    module_name = _MODULES.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        module = importlib.import_module(module_name, __name__)
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").split(".")[0]
        if missing in ("starlette", "hypercorn", "anyio"):
            raise ModuleNotFoundError(
                f"trio_spotify.testing needs the 'testing' extra ({missing} is missing): "
                "pip install 'trio_spotify[testing]'",
                name=missing,
            ) from exc
        raise
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
