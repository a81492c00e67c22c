"""`spotify.episodes`: podcast episodes and the user's saved episodes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from ..types import Episode, Paging, SavedEpisode
from ._base import Group
from ._checks import check_id, check_ids, check_market

__all__ = ["Episodes"]


class Episodes(Group):
    """Episode operations. Every method is a checkpoint; see `Group` for errors."""

    async def get(self, id: str, *, market: str | None = None) -> Episode:
        """One episode (`GET /episodes/{id}`)."""
        episode_id, market = check_id(id, "episode"), check_market(market)
        return cast(
            Episode,
            await self._call(
                "get-an-episode", segments={"id": episode_id}, params={"market": market}
            ),
        )

    async def get_several(
        self, ids: Iterable[str], *, market: str | None = None
    ) -> list[Episode | None]:
        """Episodes by ID (`GET /episodes`), any number, 50 per request sent concurrently, in
        input order (`None` for unknown IDs); deprecated."""
        episode_ids, market = check_ids(ids, "episode"), check_market(market)
        return await self._chunked_read(
            "get-multiple-episodes", episode_ids, key="episodes", params={"market": market}
        )

    async def saved(
        self, *, market: str | None = None, limit: int | None = None, offset: int | None = None
    ) -> Paging[SavedEpisode]:
        """A page of the current user's saved episodes (`GET /me/episodes`)."""
        params = {
            "market": check_market(market),
        }
        return cast(
            "Paging[SavedEpisode]",
            await self._call("get-users-saved-episodes", params=params, page=(limit, offset)),
        )

    async def save(self, ids: Iterable[str]) -> None:
        """Save episodes to the user's library (`PUT /me/episodes`), 50 per request, in order;
        deprecated."""
        await self._chunked_write("save-episodes-user", check_ids(ids, "episode"))

    async def remove(self, ids: Iterable[str]) -> None:
        """Remove episodes from the user's library (`DELETE /me/episodes`), 50 per request, in
        order; deprecated."""
        await self._chunked_write("remove-episodes-user", check_ids(ids, "episode"))

    async def contains(self, ids: Iterable[str]) -> list[bool]:
        """Whether each episode is saved in the user's library (`GET /me/episodes/contains`), 50
        per request, in input order; deprecated."""
        return await self._chunked_read(
            "check-users-saved-episodes", check_ids(ids, "episode"), key=None
        )
