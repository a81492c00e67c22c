"""The emulator's Web API: one handler per operation, keyed by the operation's `operationId`.

The modules mirror the client's `trio_spotify._endpoints` (one per category, the same
split). Each holds `HANDLERS`, a mapping of operationId to `ApiHandler`; nothing here
repeats a method, path, scope, batch size or limit: those are the operations table's
(`trio_spotify._operations.OPERATIONS`), which the app reads to build its routes and the
handlers read through their `Call`. What is the emulator's own is behaviour: what each
operation does to the state and answers. It does not import the client's endpoint code,
so it stays an independent oracle of what Spotify does.
"""

from __future__ import annotations

from collections.abc import Mapping

from .._call import ApiHandler
from . import (
    albums,
    artists,
    audiobooks,
    browse,
    chapters,
    episodes,
    library,
    player,
    playlists,
    search,
    shows,
    tracks,
    users,
)

__all__ = ["HANDLERS", "HANDLERS_BY_CATEGORY"]

#: Each category module's handlers, by the module's name.
HANDLERS_BY_CATEGORY: Mapping[str, Mapping[str, ApiHandler]] = {
    module.__name__.rpartition(".")[2]: module.HANDLERS
    for module in (
        albums,
        artists,
        audiobooks,
        browse,
        chapters,
        episodes,
        library,
        player,
        playlists,
        search,
        shows,
        tracks,
        users,
    )
}

#: Every handler by operationId (`tests/emulator/test_emulator_routes.py` checks that the
#: categories name each operation of the table exactly once).
HANDLERS: Mapping[str, ApiHandler] = {
    operation_id: handler
    for handlers in HANDLERS_BY_CATEGORY.values()
    for operation_id, handler in handlers.items()
}
