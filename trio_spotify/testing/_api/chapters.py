"""The emulator's chapters: get one or several."""

from __future__ import annotations

from .._call import ApiHandler
from ._factories import get_one, get_several

__all__ = ["HANDLERS"]

HANDLERS: dict[str, ApiHandler] = {
    "get-a-chapter": get_one("chapter"),
    "get-several-chapters": get_several("chapter", "chapters"),
}
