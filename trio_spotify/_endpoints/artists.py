"""`spotify.artists`: artists, their albums and top tracks, following artists."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, cast

from .._operations import INCLUDE_GROUPS
from ..types import (
    Artist,
    ArtistDiscographyAlbum,
    FollowedArtists,
    Paging,
    SeveralArtists,
    SeveralTracks,
)
from ._base import Group
from ._checks import check_choices, check_id, check_ids, check_limit, check_market

__all__ = ["Artists"]

#: What `include_groups` may name: `INCLUDE_GROUPS` of the table, as a type.
IncludeGroup = Literal["album", "single", "appears_on", "compilation"]


class Artists(Group):
    """Artist operations. Every method is a checkpoint; see `Group` for errors."""

    async def get(self, id: str) -> Artist:
        """One artist (`GET /artists/{id}`)."""
        return cast(
            Artist, await self._call("get-an-artist", segments={"id": check_id(id, "artist")})
        )

    async def get_several(self, ids: Iterable[str]) -> list[Artist | None]:
        """Artists by ID (`GET /artists`), any number, 50 per request sent concurrently, in input
        order (`None` for unknown IDs); deprecated."""
        return await self._chunked_read(
            "get-multiple-artists", check_ids(ids, "artist"), key="artists"
        )

    async def albums(
        self,
        id: str,
        *,
        include_groups: IncludeGroup | Iterable[IncludeGroup] | None = None,
        market: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> Paging[ArtistDiscographyAlbum]:
        """A page of the artist's albums (`GET /artists/{id}/albums`)."""
        artist_id = check_id(id, "artist")
        groups = (
            None
            if include_groups is None
            else check_choices(include_groups, INCLUDE_GROUPS, "include_groups")
        )
        params = {
            "include_groups": groups,
            "market": check_market(market),
        }
        return cast(
            "Paging[ArtistDiscographyAlbum]",
            await self._call(
                "get-an-artists-albums",
                segments={"id": artist_id},
                params=params,
                page=(limit, offset),
            ),
        )

    async def top_tracks(self, id: str, *, market: str | None = None) -> SeveralTracks:
        """`{"tracks": [...]}`: the artist's top tracks (`GET /artists/{id}/top-tracks`);
        deprecated."""
        artist_id, market = check_id(id, "artist"), check_market(market)
        return cast(
            SeveralTracks,
            await self._call(
                "get-an-artists-top-tracks", segments={"id": artist_id}, params={"market": market}
            ),
        )

    async def related_artists(self, id: str) -> SeveralArtists:
        """`{"artists": [...]}`: artists similar to this one (`GET /artists/{id}/related-artists`);
        deprecated."""
        return cast(
            SeveralArtists,
            await self._call(
                "get-an-artists-related-artists", segments={"id": check_id(id, "artist")}
            ),
        )

    async def followed(
        self, *, after: str | None = None, limit: int | None = None
    ) -> FollowedArtists:
        """`{"artists": cursor page}` the current user follows (`GET /me/following`)."""
        params = {
            "type": "artist",
            "limit": check_limit("get-followed", limit),
            "after": None if after is None else check_id(after, "artist", "after"),
        }
        return cast(FollowedArtists, await self._call("get-followed", params=params))

    async def follow(self, ids: Iterable[str]) -> None:
        """Follow artists (`PUT /me/following`), 50 per request, in order; deprecated."""
        artist_ids = check_ids(ids, "artist")
        await self._chunked_write("follow-artists-users", artist_ids, params={"type": "artist"})

    async def unfollow(self, ids: Iterable[str]) -> None:
        """Unfollow artists (`DELETE /me/following`), 50 per request, in order; deprecated."""
        artist_ids = check_ids(ids, "artist")
        await self._chunked_write("unfollow-artists-users", artist_ids, params={"type": "artist"})

    async def is_following(self, ids: Iterable[str]) -> list[bool]:
        """Whether the current user follows each artist (`GET /me/following/contains`), 50 per
        request, in input order; deprecated."""
        return await self._chunked_read(
            "check-current-user-follows",
            check_ids(ids, "artist"),
            key=None,
            params={"type": "artist"},
        )
