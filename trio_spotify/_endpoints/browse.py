"""`spotify.categories`, `spotify.genres` and `spotify.markets`: the browse catalog."""

from __future__ import annotations

from typing import cast

from ..types import (
    Categories as PagedCategories,
)
from ..types import (
    Category,
    FeaturedPlaylists,
    GenreSeeds,
)
from ..types import (
    Markets as MarketList,
)
from ._base import Group
from ._checks import check_text

__all__ = ["Categories", "Genres", "Markets"]


class Categories(Group):
    """Browse categories. Every method is a checkpoint; see `Group` for errors."""

    async def get(self, category_id: str, *, locale: str | None = None) -> Category:
        """One browse category (`GET /browse/categories/{category_id}`); deprecated."""
        category = check_text(category_id, "category_id")
        return cast(
            Category,
            await self._call(
                "get-a-category", segments={"category_id": category}, params={"locale": locale}
            ),
        )

    async def browse(
        self, *, locale: str | None = None, limit: int | None = None, offset: int | None = None
    ) -> PagedCategories:
        """`{"categories": page}` of browse categories (`GET /browse/categories`); deprecated."""
        params = {
            "locale": locale,
        }
        return cast(
            PagedCategories, await self._call("get-categories", params=params, page=(limit, offset))
        )

    async def playlists(
        self, category_id: str, *, limit: int | None = None, offset: int | None = None
    ) -> FeaturedPlaylists:
        """`{"playlists": page}` of the category's playlists
        (`GET /browse/categories/{category_id}/playlists`); deprecated."""
        category = check_text(category_id, "category_id")
        return cast(
            FeaturedPlaylists,
            await self._call(
                "get-a-categories-playlists",
                segments={"category_id": category},
                page=(limit, offset),
            ),
        )


class Genres(Group):
    """Genre seeds for recommendations."""

    async def seeds(self) -> GenreSeeds:
        """`{"genres": [...]}` usable as `seed_genres`
        (`GET /recommendations/available-genre-seeds`); deprecated. A checkpoint."""
        return cast(GenreSeeds, await self._call("get-recommendation-genres"))


class Markets(Group):
    """Markets where Spotify is available."""

    async def available(self) -> MarketList:
        """`{"markets": ["AD", ...]}` (`GET /markets`); deprecated. A checkpoint."""
        return cast(MarketList, await self._call("get-available-markets"))
