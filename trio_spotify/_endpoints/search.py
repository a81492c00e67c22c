"""`spotify.search(q, types=...)`: the catalog search, a callable group."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, cast

from .._operations import SEARCH_TYPES
from ..types import SearchResults
from ._base import Group
from ._checks import check_choices, check_market, check_text

__all__ = ["Search"]

#: What `types` may name: `SEARCH_TYPES` of the table, as a type.
SearchType = Literal["album", "artist", "playlist", "track", "show", "episode", "audiobook"]


class Search(Group):
    """`await spotify.search("q", types=["track"])`: a checkpoint."""

    async def __call__(
        self,
        q: str,
        *,
        types: SearchType | Iterable[SearchType],
        market: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
        include_external: Literal["audio"] | None = None,
    ) -> SearchResults:
        """Search the catalog (`GET /search`).

        Returns one wrapped paging object per type, `{"tracks": page, "artists": page}`:
        `spotify.iter_items(result, key="tracks")` follows one of them. `limit` is 0 to 10
        and `offset` at most 1000 (Spotify's caps since February 2026).
        """
        query = check_text(q, "q")
        kinds = check_choices(types, SEARCH_TYPES, "types")
        if include_external not in (None, "audio"):
            raise ValueError(f"include_external must be 'audio' or None, not {include_external!r}")
        params = {
            "q": query,
            "type": kinds,
            "market": check_market(market),
            "include_external": include_external,
        }
        return cast(SearchResults, await self._call("search", params=params, page=(limit, offset)))
