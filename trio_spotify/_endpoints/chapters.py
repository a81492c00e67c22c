"""`spotify.chapters`: audiobook chapters."""

from __future__ import annotations

from collections.abc import Iterable

from ._base import JSON, Group

__all__ = ["Chapters"]


class Chapters(Group):
    """Chapter operations. Every method is a checkpoint; see `Group` for errors."""

    async def get(self, id: str, *, market: str | None = None) -> JSON:
        """One chapter (`GET /chapters/{id}`)."""
        chapter_id, market = self._id(id, "chapter"), self._market(market)
        return await self._call(
            "get-a-chapter", segments={"id": chapter_id}, params={"market": market}
        )

    async def get_several(
        self, ids: Iterable[str], *, market: str | None = None
    ) -> list[JSON | None]:
        """Chapters by ID, any number, in input order (`None` for unknown IDs); deprecated."""
        chapter_ids, market = self._ids(ids, "chapter"), self._market(market)
        return await self._chunked_read(
            "get-several-chapters", chapter_ids, key="chapters", params={"market": market}
        )
