"""The emulator's albums: get one or several, an album's tracks, saved albums, new releases."""

from __future__ import annotations

from .._call import ApiHandler, Call
from .._catalog import Catalog
from .._reply import Reply
from ._factories import children, get_one, get_several, saved_change, saved_contains, saved_list
from ._render import full_album

__all__ = ["HANDLERS"]


def _new_releases(call: Call) -> Reply:
    catalog = call.catalog
    albums = list(range(catalog.album_count))[-100:][::-1]
    return 200, {"albums": call.page_list(albums, catalog.simple_album)}


HANDLERS: dict[str, ApiHandler] = {
    "get-an-album": get_one("album"),
    "get-multiple-albums": get_several("album", "albums"),
    "get-an-albums-tracks": children("album", Catalog.album_tracks, Catalog.simple_track),
    "get-users-saved-albums": saved_list("album", "album", full_album),
    # The definition lets the body carry 50 IDs, the query 20 (the table's batch).
    "save-albums-user": saved_change("album", save=True, body_maximum=50),
    "remove-albums-user": saved_change("album", save=False, body_maximum=50),
    "check-users-saved-albums": saved_contains("album"),
    "get-new-releases": _new_releases,
}
