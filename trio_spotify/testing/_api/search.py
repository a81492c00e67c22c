"""The emulator's search: every word of `q` must appear in a name (a field filter such as
`artist:velvet` counts as its value), one offset page per requested type."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from trio_spotify._operations import SEARCH_TYPES

from .._call import ApiHandler, Call
from .._catalog_ids import PLAYLIST
from .._reply import Reply, bad_request
from ._finish import in_market
from ._render import simple_playlist

__all__ = ["HANDLERS"]


def _slice(items: list[Any], render: Callable[[Any], Any], offset: int, limit: int) -> list[Any]:
    return [render(x) for x in items[offset : offset + limit]]


def _simple_playlist_by_id(call: Call, playlist_id: str) -> dict[str, Any]:
    playlist = call.emulator.playlist(playlist_id)
    assert playlist is not None
    return simple_playlist(playlist)


def _search(call: Call) -> Reply:
    q = call.query.get("q")
    if not q:
        raise bad_request("No search query")
    types_raw = call.query.get("type")
    if not types_raw:
        raise bad_request("Missing parameter type")
    types = types_raw.split(",")
    for t in types:
        if t not in SEARCH_TYPES:
            raise bad_request("Bad search type field")
    call.market()
    limit = call.limit(5)
    offset = call.offset()
    terms = [t.split(":", 1)[-1].strip('"').lower() for t in q.split()]
    terms = [t for t in terms if t]
    catalog = call.catalog
    answer: dict[str, Any] = {}
    for t in types:
        matches: list[Any]
        render: Callable[[Any], Any]
        if t == "playlist":
            matches = [
                catalog.id_of(PLAYLIST, i)
                for i in range(catalog.size.playlists)
                if all(term in catalog.playlist_name(i).lower() for term in terms)
            ]
            render = functools.partial(_simple_playlist_by_id, call)
        else:
            matches = [i for name, i in catalog.names[t] if all(term in name for term in terms)]
            render = {
                "track": catalog.track,
                "artist": catalog.artist,
                "album": catalog.simple_album,
                "show": catalog.simple_show,
                "episode": catalog.simple_episode,
                "audiobook": catalog.simple_audiobook,
            }[t]
            matches = in_market(call, t, matches, render)
        answer[t + "s"] = call.page(
            len(matches), functools.partial(_slice, matches, render), limit=limit, offset=offset
        )
    return 200, answer


HANDLERS: dict[str, ApiHandler] = {"search": _search}
