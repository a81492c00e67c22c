"""`spotify.library`: the February-2026 library endpoints that take URIs of any kind."""

from __future__ import annotations

from collections.abc import Iterable

from .._ids import Kind
from ._base import Group
from ._checks import check_uris

__all__ = ["Library"]

#: What `/me/library` stores: saving an artist, user or playlist means following it.
LIBRARY_KINDS: tuple[Kind, ...] = (
    "album",
    "artist",
    "audiobook",
    "episode",
    "playlist",
    "show",
    "track",
    "user",
)


class Library(Group):
    """The user's library by URI (`spotify:track:…`, `spotify:playlist:…`, or URLs).

    Bare IDs are refused: their kind cannot be told. Lists of any length are split into
    requests of 40 URIs. Every method is a checkpoint; see `Group` for errors.
    """

    async def save(self, uris: Iterable[str]) -> None:
        """Save (or follow) the items, 40 per request, in order (`PUT /me/library`)."""
        await self._chunked_write(
            "save-library-items", check_uris(uris, LIBRARY_KINDS), param="uris"
        )

    async def remove(self, uris: Iterable[str]) -> None:
        """Remove (or unfollow) the items, 40 per request, in order (`DELETE /me/library`)."""
        await self._chunked_write(
            "remove-library-items", check_uris(uris, LIBRARY_KINDS), param="uris"
        )

    async def contains(self, uris: Iterable[str]) -> list[bool]:
        """Whether each item is in the library (`GET /me/library/contains`), 40 per request sent
        concurrently, in input order."""
        return await self._chunked_read(
            "check-library-contains", check_uris(uris, LIBRARY_KINDS), key=None, param="uris"
        )
