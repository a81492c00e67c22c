"""Running the emulator: on a loopback socket (hypercorn's Trio worker) or in-process.

Both are async context managers, so both are `open_*` (in Trio, a `serve_*` function runs
until cancelled and takes `task_status`): `open_emulator_server` serves for the duration
of its block, `open_emulator_client` connects a client for the duration of its block.
`serve_emulator` is the earlier name of `open_emulator_server`, kept as an alias.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import httpx
import trio

from ._emulator import SpotifyEmulator
from ._faults import SOCKET_SCOPE_KEY

if TYPE_CHECKING:
    from trio_spotify import Spotify

__all__ = ["IN_PROCESS_URL", "open_emulator_client", "open_emulator_server", "serve_emulator"]

#: The base URL in-process clients use (nothing resolves it: the transport is the app).
IN_PROCESS_URL = "http://emulator.test"

logger = logging.getLogger("trio_spotify.testing")


@contextlib.asynccontextmanager
async def open_emulator_server(
    emulator: SpotifyEmulator,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    backlog: int = 1024,
) -> AsyncIterator[str]:
    """Serve `emulator` on `host:port` for the duration of the block; yields the base URL.

        async with open_emulator_server(emulator) as base_url:  # "http://127.0.0.1:<port>"
            ...

    `port=0` lets the OS pick a free port (read it from the URL). Clients use
    `accounts_url=base_url` and `api_url=base_url + "/v1"`. Leaving the block stops the
    server (open connections get one second to finish). Runs on the real clock: do not use
    it under `autojump_clock`, whose jumps fire httpx's and hypercorn's timeouts.

    Entering is a checkpoint. An exception raised in the block comes out as itself.
    Raises `OSError` (a plain one, never inside an exception group) when the address
    cannot be bound or the host does not resolve.
    """
    from hypercorn.config import Config
    from hypercorn.trio import serve

    config = Config()
    config.bind = [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"]
    config.backlog = backlog
    config.graceful_timeout = 1.0
    config.accesslog = None
    config.errorlog = logger
    config.loglevel = "WARNING"
    app = emulator.app

    async def socket_app(scope: Any, receive: Any, send: Any) -> None:
        scope[SOCKET_SCOPE_KEY] = True
        await app(scope, receive, send)

    shutdown = trio.Event()
    try:
        async with trio.open_nursery() as nursery:
            try:
                binds = await nursery.start(
                    functools.partial(serve, socket_app, config, shutdown_trigger=shutdown.wait)
                )
            except ExceptionGroup as group:
                # hypercorn fails to bind (busy port, unknown host) inside its own nursery:
                # the caller gets the one `OSError`, not two layers of groups around it.
                leaves = _leaves(group)
                if len(leaves) == 1 and isinstance(leaves[0], OSError):
                    raise leaves[0] from None
                raise
            try:
                yield binds[0]
            finally:
                shutdown.set()
    except BaseExceptionGroup as group:
        # Take off the one layer our own nursery added, no more: a group the user's code
        # raised in the block (or their own nursery's) comes out as it was raised.
        if len(group.exceptions) == 1:
            raise group.exceptions[0] from None
        raise


def _leaves(group: BaseExceptionGroup[Any]) -> list[BaseException]:
    """The exceptions inside `group` and its nested groups, in order."""
    found: list[BaseException] = []
    for exc in group.exceptions:
        found.extend(_leaves(exc) if isinstance(exc, BaseExceptionGroup) else [exc])
    return found


#: The earlier name of `open_emulator_server` (it is an async context manager, so Trio's
#: naming makes it `open_*`), kept so that existing code keeps working.
serve_emulator = open_emulator_server


@contextlib.asynccontextmanager
async def open_emulator_client(
    emulator: SpotifyEmulator, auth: Any = None, **kwargs: Any
) -> AsyncIterator[Spotify]:
    """`open_spotify` connected to `emulator` in-process (`httpx.ASGITransport`).

    `auth` defaults to `SpotifyEmulator.user_auth` (the emulator's user, every
    scope); pass `emulator.client_credentials()` for an app token. Other keyword
    arguments go to `open_spotify`. Works under `autojump_clock`: nothing touches a socket.
    """
    from trio_spotify import open_spotify

    if auth is None:
        auth = emulator.user_auth()
    kwargs.setdefault("api_url", IN_PROCESS_URL + "/v1")
    kwargs.setdefault("accounts_url", IN_PROCESS_URL)
    transport = httpx.ASGITransport(app=emulator.app)
    async with open_spotify(auth, transport=transport, **kwargs) as spotify:
        yield spotify
