"""The emulator's shows: get one or several, a show's episodes, saved shows."""

from __future__ import annotations

from .._call import ApiHandler
from .._catalog import Catalog
from ._factories import children, get_one, get_several, saved_change, saved_contains, saved_list

__all__ = ["HANDLERS"]

HANDLERS: dict[str, ApiHandler] = {
    "get-a-show": get_one("show"),
    "get-multiple-shows": get_several("show", "shows", Catalog.simple_show),
    "get-a-shows-episodes": children("show", Catalog.show_episodes, Catalog.simple_episode),
    "get-users-saved-shows": saved_list("show", "show", Catalog.simple_show),
    "save-shows-user": saved_change("show", save=True),
    "remove-shows-user": saved_change("show", save=False),
    "check-users-saved-shows": saved_contains("show"),
}
