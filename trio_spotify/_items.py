"""`Spotify.iter_items` and `Spotify.all_items`, typed by the kind of page they follow.

The paging itself lives in `_paging.py` and is typed loosely (`Mapping[str, Any]` in, items
of `Any` out); this module states, in one set of `typing.overload`s per method, which items
each kind of page holds, so that `async for track in items` is a `types.Track` to mypy,
pyright and editors. Nothing here runs per item: the overloads exist for type checkers only,
and the implementation hands the call on to `_paging` unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, overload

from typing_extensions import Unpack

from . import _paging
from ._handler import Sender
from ._paging import ItemOptions, Items
from .types import (
    Album,
    Artist,
    Audiobook,
    Category,
    CursorPaging,
    FeaturedPlaylists,
    FollowedArtists,
    NewReleases,
    Paging,
    Playlist,
    PlaylistTrack,
    SearchResults,
    Show,
    SimplifiedAlbum,
    SimplifiedAudiobook,
    SimplifiedChapter,
    SimplifiedEpisode,
    SimplifiedPlaylist,
    SimplifiedShow,
    SimplifiedTrack,
    Track,
)
from .types import Categories as CategoryPage

__all__ = ["PagedItems"]

T = TypeVar("T")


class PagedItems:
    """`iter_items` and `all_items`, the methods of `Spotify` that follow paging objects.

    A base class of the facade, given the handler (the sender) the pages are requested
    through, so that the typed overloads are written once, apart from the facade. The element
    type follows from the page given: `Paging[T]` or `CursorPaging[T]` → `T`; a wrapper
    object → the items of the page it wraps (a `Playlist` → `PlaylistTrack`, an `Album` →
    `SimplifiedTrack`, `FollowedArtists` → `Artist`, ...); `SearchResults` with
    `key="tracks"` → `Track`, and so on for each type; any other mapping → `Any`. The types
    cost nothing at run time: the items are the dicts Spotify sent.
    """

    def __init__(self, sender: Sender) -> None:
        self._pages_sender = sender

    @overload
    def iter_items(
        self, page: Paging[T] | CursorPaging[T], *, key: None = None, **options: Unpack[ItemOptions]
    ) -> Items[T]: ...
    @overload
    def iter_items(
        self, page: Playlist, *, key: Literal["items"] | None = None, **options: Unpack[ItemOptions]
    ) -> Items[PlaylistTrack]: ...
    @overload
    def iter_items(
        self, page: Album, *, key: Literal["tracks"] | None = None, **options: Unpack[ItemOptions]
    ) -> Items[SimplifiedTrack]: ...
    @overload
    def iter_items(
        self, page: Show, *, key: Literal["episodes"] | None = None, **options: Unpack[ItemOptions]
    ) -> Items[SimplifiedEpisode]: ...
    @overload
    def iter_items(
        self,
        page: Audiobook,
        *,
        key: Literal["chapters"] | None = None,
        **options: Unpack[ItemOptions],
    ) -> Items[SimplifiedChapter]: ...
    @overload
    def iter_items(
        self,
        page: FollowedArtists,
        *,
        key: Literal["artists"] | None = None,
        **options: Unpack[ItemOptions],
    ) -> Items[Artist]: ...
    @overload
    def iter_items(
        self,
        page: NewReleases,
        *,
        key: Literal["albums"] | None = None,
        **options: Unpack[ItemOptions],
    ) -> Items[SimplifiedAlbum]: ...
    @overload
    def iter_items(
        self,
        page: CategoryPage,
        *,
        key: Literal["categories"] | None = None,
        **options: Unpack[ItemOptions],
    ) -> Items[Category]: ...
    @overload
    def iter_items(
        self,
        page: FeaturedPlaylists,
        *,
        key: Literal["playlists"] | None = None,
        **options: Unpack[ItemOptions],
    ) -> Items[SimplifiedPlaylist]: ...
    @overload
    def iter_items(
        self, page: SearchResults, *, key: Literal["tracks"], **options: Unpack[ItemOptions]
    ) -> Items[Track]: ...
    @overload
    def iter_items(
        self, page: SearchResults, *, key: Literal["artists"], **options: Unpack[ItemOptions]
    ) -> Items[Artist]: ...
    @overload
    def iter_items(
        self, page: SearchResults, *, key: Literal["albums"], **options: Unpack[ItemOptions]
    ) -> Items[SimplifiedAlbum]: ...
    @overload
    def iter_items(
        self, page: SearchResults, *, key: Literal["playlists"], **options: Unpack[ItemOptions]
    ) -> Items[SimplifiedPlaylist]: ...
    @overload
    def iter_items(
        self, page: SearchResults, *, key: Literal["shows"], **options: Unpack[ItemOptions]
    ) -> Items[SimplifiedShow]: ...
    @overload
    def iter_items(
        self, page: SearchResults, *, key: Literal["episodes"], **options: Unpack[ItemOptions]
    ) -> Items[SimplifiedEpisode]: ...
    @overload
    def iter_items(
        self, page: SearchResults, *, key: Literal["audiobooks"], **options: Unpack[ItemOptions]
    ) -> Items[SimplifiedAudiobook]: ...
    @overload
    def iter_items(
        self, page: Mapping[str, Any], *, key: str | None = None, **options: Unpack[ItemOptions]
    ) -> Items[Any]: ...
    def iter_items(
        self,
        page: Mapping[str, Any],
        *,
        key: str | None = None,
        max_items: int | None = None,
        pages_in_flight: int = 16,
    ) -> Items[Any]:
        """Every item of a paged list, starting from a `page` a method returned:

            page = await spotify.playlists.items(playlist_id, limit=50)
            async with spotify.iter_items(page) as items:
                async for item in items:
                    ...

        `page` is a paging object or an object wrapping one (search results, followed
        artists, a playlist); `key` picks the wrapped one where there are several
        (`key="tracks"` for a search over several types). Offset-paged lists fetch their
        remaining pages concurrently, at most `pages_in_flight` ahead of the consumer,
        and yield items in order; cursor-paged lists follow `next` one page at a time.
        `max_items` stops after that many items without requesting pages beyond them.

        The items are typed after the page (see `trio_spotify.types`): `Paging[T]` gives
        items of type `T`, a `Playlist` its `PlaylistTrack`s, search results with
        `key="tracks"` `Track`s, and so on.

        Leaving the `async with` block cancels the fetches still outstanding. A failed
        page fetch is raised (as itself) when the iteration reaches that page. Raises
        `ValueError` at once for a `page` that holds no paging object.
        """
        return _paging.iter_items(
            self._pages_sender, page, key=key, max_items=max_items, pages_in_flight=pages_in_flight
        )

    @overload
    async def all_items(
        self, page: Paging[T] | CursorPaging[T], *, key: None = None, **options: Unpack[ItemOptions]
    ) -> list[T]: ...
    @overload
    async def all_items(
        self, page: Playlist, *, key: Literal["items"] | None = None, **options: Unpack[ItemOptions]
    ) -> list[PlaylistTrack]: ...
    @overload
    async def all_items(
        self, page: Album, *, key: Literal["tracks"] | None = None, **options: Unpack[ItemOptions]
    ) -> list[SimplifiedTrack]: ...
    @overload
    async def all_items(
        self, page: Show, *, key: Literal["episodes"] | None = None, **options: Unpack[ItemOptions]
    ) -> list[SimplifiedEpisode]: ...
    @overload
    async def all_items(
        self,
        page: Audiobook,
        *,
        key: Literal["chapters"] | None = None,
        **options: Unpack[ItemOptions],
    ) -> list[SimplifiedChapter]: ...
    @overload
    async def all_items(
        self,
        page: FollowedArtists,
        *,
        key: Literal["artists"] | None = None,
        **options: Unpack[ItemOptions],
    ) -> list[Artist]: ...
    @overload
    async def all_items(
        self,
        page: NewReleases,
        *,
        key: Literal["albums"] | None = None,
        **options: Unpack[ItemOptions],
    ) -> list[SimplifiedAlbum]: ...
    @overload
    async def all_items(
        self,
        page: CategoryPage,
        *,
        key: Literal["categories"] | None = None,
        **options: Unpack[ItemOptions],
    ) -> list[Category]: ...
    @overload
    async def all_items(
        self,
        page: FeaturedPlaylists,
        *,
        key: Literal["playlists"] | None = None,
        **options: Unpack[ItemOptions],
    ) -> list[SimplifiedPlaylist]: ...
    @overload
    async def all_items(
        self, page: SearchResults, *, key: Literal["tracks"], **options: Unpack[ItemOptions]
    ) -> list[Track]: ...
    @overload
    async def all_items(
        self, page: SearchResults, *, key: Literal["artists"], **options: Unpack[ItemOptions]
    ) -> list[Artist]: ...
    @overload
    async def all_items(
        self, page: SearchResults, *, key: Literal["albums"], **options: Unpack[ItemOptions]
    ) -> list[SimplifiedAlbum]: ...
    @overload
    async def all_items(
        self, page: SearchResults, *, key: Literal["playlists"], **options: Unpack[ItemOptions]
    ) -> list[SimplifiedPlaylist]: ...
    @overload
    async def all_items(
        self, page: SearchResults, *, key: Literal["shows"], **options: Unpack[ItemOptions]
    ) -> list[SimplifiedShow]: ...
    @overload
    async def all_items(
        self, page: SearchResults, *, key: Literal["episodes"], **options: Unpack[ItemOptions]
    ) -> list[SimplifiedEpisode]: ...
    @overload
    async def all_items(
        self, page: SearchResults, *, key: Literal["audiobooks"], **options: Unpack[ItemOptions]
    ) -> list[SimplifiedAudiobook]: ...
    @overload
    async def all_items(
        self, page: Mapping[str, Any], *, key: str | None = None, **options: Unpack[ItemOptions]
    ) -> list[Any]: ...
    async def all_items(
        self,
        page: Mapping[str, Any],
        *,
        key: str | None = None,
        max_items: int | None = None,
        pages_in_flight: int = 16,
    ) -> list[Any]:
        """The items of `iter_items` as a list, typed the same way. A checkpoint."""
        return await _paging.all_items(
            self._pages_sender, page, key=key, max_items=max_items, pages_in_flight=pages_in_flight
        )
