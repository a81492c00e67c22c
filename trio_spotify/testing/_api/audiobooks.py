"""The emulator's audiobooks: get one or several, an audiobook's chapters, saved audiobooks."""

from __future__ import annotations

from .._call import ApiHandler
from .._catalog import Catalog
from ._factories import children, get_one, get_several, saved_change, saved_contains, saved_list
from ._render import full_audiobook

__all__ = ["HANDLERS"]

HANDLERS: dict[str, ApiHandler] = {
    "get-an-audiobook": get_one("audiobook"),
    "get-multiple-audiobooks": get_several("audiobook", "audiobooks"),
    "get-audiobook-chapters": children(
        "audiobook", Catalog.audiobook_chapters, Catalog.simple_chapter
    ),
    "get-users-saved-audiobooks": saved_list("audiobook", "audiobook", full_audiobook),
    "save-audiobooks-user": saved_change("audiobook", save=True),
    "remove-audiobooks-user": saved_change("audiobook", save=False),
    "check-users-saved-audiobooks": saved_contains("audiobook"),
}
