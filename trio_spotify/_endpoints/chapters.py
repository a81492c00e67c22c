"""`spotify.chapters`: audiobook chapters."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from ..types import Chapter
from ._base import Group
from ._checks import check_id, check_ids, check_market

__all__ = ["Chapters"]


class Chapters(Group):
    """Chapter operations. Every method is a checkpoint; see `Group` for errors."""

    async def get(self, id: str, *, market: str | None = None) -> Chapter:
        """One chapter (`GET /chapters/{id}`)."""
        chapter_id, market = check_id(id, "chapter"), check_market(market)
        return cast(
            Chapter,
            await self._call(
                "get-a-chapter", segments={"id": chapter_id}, params={"market": market}
            ),
        )

    async def get_several(
        self, ids: Iterable[str], *, market: str | None = None
    ) -> list[Chapter | None]:
        """Chapters by ID (`GET /chapters`), any number, 50 per request sent concurrently, in
        input order (`None` for unknown IDs); deprecated."""
        chapter_ids, market = check_ids(ids, "chapter"), check_market(market)
        return await self._chunked_read(
            "get-several-chapters", chapter_ids, key="chapters", params={"market": market}
        )
