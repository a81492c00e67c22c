"""The emulator's episodes: get one or several, saved episodes."""

from __future__ import annotations

from .._call import ApiHandler
from .._catalog import Catalog
from ._factories import get_one, get_several, saved_change, saved_contains, saved_list

__all__ = ["HANDLERS"]

HANDLERS: dict[str, ApiHandler] = {
    "get-an-episode": get_one("episode"),
    "get-multiple-episodes": get_several("episode", "episodes"),
    "get-users-saved-episodes": saved_list("episode", "episode", Catalog.episode),
    "save-episodes-user": saved_change("episode", save=True),
    "remove-episodes-user": saved_change("episode", save=False),
    "check-users-saved-episodes": saved_contains("episode"),
}
