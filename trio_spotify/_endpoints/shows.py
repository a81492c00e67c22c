"""`spotify.shows`: podcasts, their episodes, the user's saved shows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from ..types import Paging, SavedShow, Show, SimplifiedEpisode, SimplifiedShow
from ._base import Group
from ._checks import check_id, check_ids, check_market

__all__ = ["Shows"]


class Shows(Group):
    """Show operations. Every method is a checkpoint; see `Group` for errors."""

    async def get(self, id: str, *, market: str | None = None) -> Show:
        """One show (`GET /shows/{id}`)."""
        show_id, market = check_id(id, "show"), check_market(market)
        return cast(
            Show,
            await self._call("get-a-show", segments={"id": show_id}, params={"market": market}),
        )

    async def get_several(
        self, ids: Iterable[str], *, market: str | None = None
    ) -> list[SimplifiedShow | None]:
        """Shows by ID (`GET /shows`), any number, 50 per request sent concurrently, in
        input order (`None` for unknown IDs); deprecated."""
        show_ids, market = check_ids(ids, "show"), check_market(market)
        return await self._chunked_read(
            "get-multiple-shows", show_ids, key="shows", params={"market": market}
        )

    async def episodes(
        self,
        id: str,
        *,
        market: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> Paging[SimplifiedEpisode]:
        """A page of the show's episodes (`GET /shows/{id}/episodes`)."""
        show_id, market = check_id(id, "show"), check_market(market)
        params = {
            "market": market,
        }
        return cast(
            "Paging[SimplifiedEpisode]",
            await self._call(
                "get-a-shows-episodes",
                segments={"id": show_id},
                params=params,
                page=(limit, offset),
            ),
        )

    async def saved(
        self, *, limit: int | None = None, offset: int | None = None
    ) -> Paging[SavedShow]:
        """A page of the current user's saved shows (`GET /me/shows`)."""
        return cast(
            "Paging[SavedShow]", await self._call("get-users-saved-shows", page=(limit, offset))
        )

    async def save(self, ids: Iterable[str]) -> None:
        """Save shows to the user's library (`PUT /me/shows`), 50 per request, in order;
        deprecated."""
        await self._chunked_write("save-shows-user", check_ids(ids, "show"))

    async def remove(self, ids: Iterable[str], *, market: str | None = None) -> None:
        """Remove shows from the user's library (`DELETE /me/shows`), 50 per request, in
        order; deprecated."""
        show_ids, market = check_ids(ids, "show"), check_market(market)
        await self._chunked_write("remove-shows-user", show_ids, params={"market": market})

    async def contains(self, ids: Iterable[str]) -> list[bool]:
        """Whether each show is saved in the user's library (`GET /me/shows/contains`), 50
        per request, in input order; deprecated."""
        return await self._chunked_read("check-users-saved-shows", check_ids(ids, "show"), key=None)
