"""`spotify.albums`: albums, their tracks, the user's saved albums, new releases."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from ..types import Album, NewReleases, Paging, SavedAlbum, SimplifiedTrack
from ._base import Group
from ._checks import check_id, check_ids, check_market

__all__ = ["Albums"]


class Albums(Group):
    """Album operations. Every method is a checkpoint; see `Group` for errors."""

    async def get(self, id: str, *, market: str | None = None) -> Album:
        """One album (`GET /albums/{id}`)."""
        album_id, market = check_id(id, "album"), check_market(market)
        return cast(
            Album,
            await self._call("get-an-album", segments={"id": album_id}, params={"market": market}),
        )

    async def get_several(
        self, ids: Iterable[str], *, market: str | None = None
    ) -> list[Album | None]:
        """Albums by ID (`GET /albums`), any number, 20 per request sent concurrently, in input
        order (`None` for unknown IDs); deprecated."""
        album_ids, market = check_ids(ids, "album"), check_market(market)
        return await self._chunked_read(
            "get-multiple-albums", album_ids, key="albums", params={"market": market}
        )

    async def tracks(
        self,
        id: str,
        *,
        market: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> Paging[SimplifiedTrack]:
        """A page of the album's tracks (`GET /albums/{id}/tracks`)."""
        album_id, market = check_id(id, "album"), check_market(market)
        params = {
            "market": market,
        }
        return cast(
            "Paging[SimplifiedTrack]",
            await self._call(
                "get-an-albums-tracks",
                segments={"id": album_id},
                params=params,
                page=(limit, offset),
            ),
        )

    async def saved(
        self, *, limit: int | None = None, offset: int | None = None, market: str | None = None
    ) -> Paging[SavedAlbum]:
        """A page of the current user's saved albums (`GET /me/albums`)."""
        params = {
            "market": check_market(market),
        }
        return cast(
            "Paging[SavedAlbum]",
            await self._call("get-users-saved-albums", params=params, page=(limit, offset)),
        )

    async def save(self, ids: Iterable[str]) -> None:
        """Save albums to the user's library (`PUT /me/albums`), 20 per request, in order;
        deprecated."""
        await self._chunked_write("save-albums-user", check_ids(ids, "album"))

    async def remove(self, ids: Iterable[str]) -> None:
        """Remove albums from the user's library (`DELETE /me/albums`), 20 per request, in
        order; deprecated."""
        await self._chunked_write("remove-albums-user", check_ids(ids, "album"))

    async def contains(self, ids: Iterable[str]) -> list[bool]:
        """Whether each album is saved in the user's library (`GET /me/albums/contains`), 20 per
        request, in input order; deprecated."""
        return await self._chunked_read(
            "check-users-saved-albums", check_ids(ids, "album"), key=None
        )

    async def new_releases(
        self, *, limit: int | None = None, offset: int | None = None
    ) -> NewReleases:
        """`{"albums": page}` of new releases (`GET /browse/new-releases`); deprecated."""
        return cast(NewReleases, await self._call("get-new-releases", page=(limit, offset)))
