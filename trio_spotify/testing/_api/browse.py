"""The emulator's browse categories, genre seeds and markets."""

from __future__ import annotations

from typing import Any

from .._call import ApiHandler, Call
from .._catalog import API
from .._reply import ApiError, Reply
from .._vocabulary import CATEGORIES, GENRES, MARKETS
from ._render import browse_playlist_ids, playlist_page

__all__ = ["HANDLERS"]


def _category(category_id: str) -> dict[str, Any]:
    names = dict(CATEGORIES)
    if category_id not in names:
        raise ApiError(404, "Resource not found")
    return {
        "href": f"{API}/browse/categories/{category_id}",
        "icons": [
            {"url": f"https://t.scdn.co/images/{category_id}.jpg", "height": 274, "width": 274}
        ],
        "id": category_id,
        "name": names[category_id],
    }


def _categories(call: Call) -> Reply:
    return 200, {"categories": call.page_list([c for c, _ in CATEGORIES], _category)}


def _get_category(call: Call) -> Reply:
    return 200, _category(call.path("category_id"))


def _category_playlists(call: Call) -> Reply:
    category = _category(call.path("category_id"))
    return 200, {
        "message": category["name"],
        "playlists": playlist_page(call, browse_playlist_ids(call, category["id"])),
    }


def _genres(call: Call) -> Reply:
    return 200, {"genres": list(GENRES)}


def _markets(call: Call) -> Reply:
    return 200, {"markets": list(MARKETS)}


HANDLERS: dict[str, ApiHandler] = {
    "get-categories": _categories,
    "get-a-category": _get_category,
    "get-a-categories-playlists": _category_playlists,
    "get-recommendation-genres": _genres,
    "get-available-markets": _markets,
}
