"""`spotify.audiobooks`: audiobooks, their chapters, the user's saved audiobooks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from ..types import Audiobook, Paging, SavedAudiobook, SimplifiedChapter
from ._base import Group
from ._checks import check_id, check_ids, check_market

__all__ = ["Audiobooks"]


class Audiobooks(Group):
    """Audiobook operations. Every method is a checkpoint; see `Group` for errors."""

    async def get(self, id: str, *, market: str | None = None) -> Audiobook:
        """One audiobook (`GET /audiobooks/{id}`)."""
        book_id, market = check_id(id, "audiobook"), check_market(market)
        return cast(
            Audiobook,
            await self._call(
                "get-an-audiobook", segments={"id": book_id}, params={"market": market}
            ),
        )

    async def get_several(
        self, ids: Iterable[str], *, market: str | None = None
    ) -> list[Audiobook | None]:
        """Audiobooks by ID (`GET /audiobooks`), any number, 50 per request sent concurrently, in
        input order (`None` for unknown IDs); deprecated."""
        book_ids, market = check_ids(ids, "audiobook"), check_market(market)
        return await self._chunked_read(
            "get-multiple-audiobooks", book_ids, key="audiobooks", params={"market": market}
        )

    async def chapters(
        self,
        id: str,
        *,
        market: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> Paging[SimplifiedChapter]:
        """A page of the audiobook's chapters (`GET /audiobooks/{id}/chapters`)."""
        book_id, market = check_id(id, "audiobook"), check_market(market)
        params = {
            "market": market,
        }
        return cast(
            "Paging[SimplifiedChapter]",
            await self._call(
                "get-audiobook-chapters",
                segments={"id": book_id},
                params=params,
                page=(limit, offset),
            ),
        )

    async def saved(
        self, *, limit: int | None = None, offset: int | None = None
    ) -> Paging[SavedAudiobook]:
        """A page of the current user's saved audiobooks (`GET /me/audiobooks`)."""
        return cast(
            "Paging[SavedAudiobook]",
            await self._call("get-users-saved-audiobooks", page=(limit, offset)),
        )

    async def save(self, ids: Iterable[str]) -> None:
        """Save audiobooks to the user's library (`PUT /me/audiobooks`), 50 per request, in order;
        deprecated."""
        await self._chunked_write("save-audiobooks-user", check_ids(ids, "audiobook"))

    async def remove(self, ids: Iterable[str]) -> None:
        """Remove audiobooks from the user's library (`DELETE /me/audiobooks`), 50 per request, in
        order; deprecated."""
        await self._chunked_write("remove-audiobooks-user", check_ids(ids, "audiobook"))

    async def contains(self, ids: Iterable[str]) -> list[bool]:
        """Whether each audiobook is saved in the user's library (`GET /me/audiobooks/contains`), 50
        per request, in input order; deprecated."""
        return await self._chunked_read(
            "check-users-saved-audiobooks", check_ids(ids, "audiobook"), key=None
        )
