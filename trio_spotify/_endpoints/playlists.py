"""`spotify.playlists`: playlists, their items, creating and editing them, cover images.

Item lists of any length are split into requests of 100, sent one after the other so the
playlist ends up in the order given: additions at a `position` advance it chunk by chunk,
removals pass on the `snapshot_id` each chunk returns.
"""

# Arguments are checked at run time too (for callers without a type checker), so strict
# pyright would call some isinstance calls needless.
# pyright: reportUnnecessaryIsInstance=false

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from typing import Any, cast

from .._errors import ResponseDecodeError
from .._operations import OPERATIONS
from ..types import (
    FeaturedPlaylists,
    Image,
    Paging,
    Playlist,
    PlaylistTrack,
    SimplifiedPlaylist,
    SnapshotId,
)
from ._base import Group, is_list
from ._checks import (
    PLAYABLE,
    AdditionalType,
    check_flag,
    check_id,
    check_ids,
    check_int,
    check_market,
    check_text,
    check_types,
    check_uris,
)

__all__ = ["MAX_COVER_BYTES", "Playlists"]

#: The largest Base64-encoded JPEG Spotify accepts as a playlist cover.
MAX_COVER_BYTES = 256 * 1024


class Playlists(Group):
    """Playlist operations. Every method is a checkpoint; see `Group` for errors.

    Playlist items are given as track or episode URIs or URLs (a bare ID is taken as a
    track); local files' `spotify:local:…` URIs pass through unchanged.
    """

    def _pid(self, playlist_id: str) -> dict[str, str]:
        return {"playlist_id": check_id(playlist_id, "playlist", "playlist_id")}

    def _items_of(self, uris: Iterable[str], *, allow_empty: bool = False) -> list[str]:
        return check_uris(uris, PLAYABLE, default="track", local=True, allow_empty=allow_empty)

    @staticmethod
    def _details(
        name: str | None,
        public: bool | None,
        collaborative: bool | None,
        description: str | None,
    ) -> dict[str, Any]:
        public = check_flag(public, "public")
        collaborative = check_flag(collaborative, "collaborative")
        if collaborative and public:
            raise ValueError("a collaborative playlist cannot be public: pass public=False")
        body = {
            "name": name,
            "public": public,
            "collaborative": collaborative,
            "description": description,
        }
        return {key: value for key, value in body.items() if value is not None}

    # -- reading ---------------------------------------------------------------------------

    async def get(
        self,
        playlist_id: str,
        *,
        market: str | None = None,
        fields: str | None = None,
        additional_types: AdditionalType | Iterable[AdditionalType] | None = None,
    ) -> Playlist:
        """One playlist (`GET /playlists/{playlist_id}`); its `items` is the first page of its
        items."""
        segments, market = self._pid(playlist_id), check_market(market)
        params = {
            "market": market,
            "fields": fields,
            "additional_types": check_types(additional_types),
        }
        return cast(Playlist, await self._call("get-playlist", segments=segments, params=params))

    async def items(
        self,
        playlist_id: str,
        *,
        market: str | None = None,
        fields: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
        additional_types: AdditionalType | Iterable[AdditionalType] | None = None,
    ) -> Paging[PlaylistTrack]:
        """A page of the playlist's items (`GET /playlists/{playlist_id}/items`)."""
        return await self._read_items(
            "get-playlists-items", playlist_id, market, fields, limit, offset, additional_types
        )

    async def tracks(
        self,
        playlist_id: str,
        *,
        market: str | None = None,
        fields: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
        additional_types: AdditionalType | Iterable[AdditionalType] | None = None,
    ) -> Paging[PlaylistTrack]:
        """A page of the playlist's items (`GET /playlists/{playlist_id}/tracks`); deprecated."""
        return await self._read_items(
            "get-playlists-tracks", playlist_id, market, fields, limit, offset, additional_types
        )

    async def _read_items(
        self,
        operation_id: str,
        playlist_id: str,
        market: str | None,
        fields: str | None,
        limit: int | None,
        offset: int | None,
        additional_types: AdditionalType | Iterable[AdditionalType] | None,
    ) -> Paging[PlaylistTrack]:
        segments = self._pid(playlist_id)
        params = {
            "market": check_market(market),
            "fields": fields,
            "additional_types": check_types(additional_types),
        }
        return cast(
            "Paging[PlaylistTrack]",
            await self._call(operation_id, segments=segments, params=params, page=(limit, offset)),
        )

    async def saved(
        self, *, limit: int | None = None, offset: int | None = None
    ) -> Paging[SimplifiedPlaylist]:
        """A page of the current user's playlists, owned or followed (`GET /me/playlists`)."""
        return cast(
            "Paging[SimplifiedPlaylist]",
            await self._call("get-a-list-of-current-users-playlists", page=(limit, offset)),
        )

    async def user_playlists(
        self, user_id: str, *, limit: int | None = None, offset: int | None = None
    ) -> Paging[SimplifiedPlaylist]:
        """A page of a user's public playlists (`GET /users/{user_id}/playlists`); deprecated."""
        segments = {"user_id": check_id(user_id, "user", "user_id")}
        return cast(
            "Paging[SimplifiedPlaylist]",
            await self._call("get-list-users-playlists", segments=segments, page=(limit, offset)),
        )

    async def featured(
        self, *, locale: str | None = None, limit: int | None = None, offset: int | None = None
    ) -> FeaturedPlaylists:
        """`{"message", "playlists": page}` of featured playlists
        (`GET /browse/featured-playlists`); deprecated."""
        params = {
            "locale": locale,
        }
        return cast(
            FeaturedPlaylists,
            await self._call("get-featured-playlists", params=params, page=(limit, offset)),
        )

    async def cover_image(self, playlist_id: str) -> list[Image]:
        """The playlist's cover images (`GET /playlists/{playlist_id}/images`)."""
        result = await self._call("get-playlist-cover", segments=self._pid(playlist_id))
        return cast("list[Image]", result)

    async def is_following(
        self, playlist_id: str, *, user_ids: Iterable[str] | None = None
    ) -> list[bool]:
        """Whether each user follows the playlist, in input order
        (`GET /playlists/{playlist_id}/followers/contains`); deprecated.

        Like `artists.is_following` it answers a list. Without `user_ids` it is
        `[current user follows it]`. Spotify takes user IDs 1 per request (its definition
        says the ID must be the current user's), so each ID costs one request; they go out
        concurrently. An answer that is not a list of one boolean raises
        `ResponseDecodeError`.
        """
        segments = self._pid(playlist_id)
        if user_ids is not None:
            ids = check_ids(user_ids, "user", "user_ids")
            return await self._chunked_read(
                "check-if-user-follows-playlist", ids, key=None, segments=segments
            )
        answer: Any = await self._call("check-if-user-follows-playlist", segments=segments)
        flags = answer if is_list(answer) else None
        if flags is None or len(flags) != 1:
            raise ResponseDecodeError(
                f"check-if-user-follows-playlist: expected a list of one boolean, not {answer!r}",
                200,
                "",
            )
        return [bool(flags[0])]

    # -- creating and editing --------------------------------------------------------------

    async def create(
        self,
        name: str,
        *,
        public: bool | None = None,
        collaborative: bool | None = None,
        description: str | None = None,
    ) -> Playlist:
        """Create a playlist for the current user and return it (`POST /me/playlists`)."""
        body = self._details(check_text(name, "name"), public, collaborative, description)
        return cast(Playlist, await self._call("create-playlist", json=body))

    async def create_for_user(
        self,
        user_id: str,
        name: str,
        *,
        public: bool | None = None,
        collaborative: bool | None = None,
        description: str | None = None,
    ) -> Playlist:
        """Create a playlist for a user (`POST /users/{user_id}/playlists`); deprecated."""
        segments = {"user_id": check_id(user_id, "user", "user_id")}
        body = self._details(check_text(name, "name"), public, collaborative, description)
        return cast(
            Playlist, await self._call("create-playlist-for-user", segments=segments, json=body)
        )

    async def change_details(
        self,
        playlist_id: str,
        *,
        name: str | None = None,
        public: bool | None = None,
        collaborative: bool | None = None,
        description: str | None = None,
    ) -> None:
        """Rename the playlist or change its description and visibility
        (`PUT /playlists/{playlist_id}`)."""
        segments = self._pid(playlist_id)
        if name is not None:
            check_text(name, "name")
        body = self._details(name, public, collaborative, description)
        if not body:
            raise ValueError("give at least one of name, public, collaborative, description")
        await self._call("change-playlist-details", segments=segments, json=body)

    async def follow(self, playlist_id: str, *, public: bool | None = None) -> None:
        """Follow the playlist (`PUT /playlists/{playlist_id}/followers`); deprecated."""
        segments = self._pid(playlist_id)
        body = None if check_flag(public, "public") is None else {"public": public}
        await self._call("follow-playlist", segments=segments, json=body)

    async def unfollow(self, playlist_id: str) -> None:
        """Unfollow the playlist (`DELETE /playlists/{playlist_id}/followers`); deprecated."""
        await self._call("unfollow-playlist", segments=self._pid(playlist_id))

    async def upload_cover_image(self, playlist_id: str, jpeg: bytes) -> None:
        """Replace the cover with `jpeg` (`PUT /playlists/{playlist_id}/images`): the raw JPEG
        bytes, sent Base64-encoded.

        Raises `ValueError` if it is not a JPEG or its Base64 form exceeds 256 KB.
        """
        segments = self._pid(playlist_id)
        if not isinstance(jpeg, bytes | bytearray) or not jpeg.startswith(b"\xff\xd8\xff"):
            raise ValueError("jpeg must be the bytes of a JPEG image (starting FF D8 FF)")
        encoded = base64.b64encode(jpeg)
        if len(encoded) > MAX_COVER_BYTES:
            raise ValueError(
                f"jpeg is {len(encoded)} bytes once Base64-encoded ({len(jpeg)} raw); "
                f"Spotify accepts at most {MAX_COVER_BYTES}"
            )
        await self._call(
            "upload-custom-playlist-cover",
            segments=segments,
            content=encoded,
            headers={"Content-Type": "image/jpeg"},
        )

    # -- items -----------------------------------------------------------------------------

    async def add_items(
        self, playlist_id: str, uris: Iterable[str], *, position: int | None = None
    ) -> SnapshotId:
        """Add items in the given order (`POST /playlists/{playlist_id}/items`), 100 per request;
        returns the last `{snapshot_id}`."""
        return await self._add("add-items-to-playlist", playlist_id, uris, position)

    async def add_tracks(
        self, playlist_id: str, uris: Iterable[str], *, position: int | None = None
    ) -> SnapshotId:
        """`add_items` through `POST /playlists/{playlist_id}/tracks`, 100 per request;
        deprecated."""
        return await self._add("add-tracks-to-playlist", playlist_id, uris, position)

    async def _add(
        self, operation_id: str, playlist_id: str, uris: Iterable[str], position: int | None
    ) -> SnapshotId:
        segments, items = self._pid(playlist_id), self._items_of(uris)
        if position is not None:
            check_int(position, "position")
        return await self._add_chunks(operation_id, segments, items, position)

    async def _add_chunks(
        self,
        operation_id: str,
        segments: dict[str, str],
        items: Sequence[str],
        position: int | None,
        *,
        warn: bool = True,
    ) -> SnapshotId:
        """Add `items` chunk by chunk, at `position` (advanced by each chunk) or at the end."""

        def body(chunk: Sequence[str], previous: Any) -> dict[str, Any]:
            nonlocal position
            sent: dict[str, Any] = {"uris": list(chunk)}
            if position is not None:
                sent["position"] = position
                position += len(chunk)
            return sent

        answer = await self._chunked_write(
            operation_id, items, build=body, segments=segments, warn=warn
        )
        return cast(SnapshotId, answer)

    async def replace_items(self, playlist_id: str, uris: Iterable[str]) -> SnapshotId:
        """Replace all items with `uris` (`PUT /playlists/{playlist_id}/items`), 100 per request;
        an empty list clears the playlist.

        Past 100 items the first 100 replace and the rest are added in order.
        """
        return await self._replace(
            "reorder-or-replace-playlists-items", "add-items-to-playlist", playlist_id, uris
        )

    async def replace_tracks(self, playlist_id: str, uris: Iterable[str]) -> SnapshotId:
        """`replace_items` through `PUT /playlists/{playlist_id}/tracks`, 100 per request;
        deprecated."""
        return await self._replace(
            "reorder-or-replace-playlists-tracks", "add-tracks-to-playlist", playlist_id, uris
        )

    async def _replace(
        self, replace_id: str, add_id: str, playlist_id: str, uris: Iterable[str]
    ) -> SnapshotId:
        segments, items = self._pid(playlist_id), self._items_of(uris, allow_empty=True)
        batch = OPERATIONS[replace_id].batch
        assert batch is not None
        answer = cast(
            SnapshotId,
            await self._call(replace_id, segments=segments, json={"uris": items[:batch]}),
        )
        rest = items[batch:]
        if rest:
            # The rest continue this call, which already warned if deprecated.
            answer = await self._add_chunks(add_id, segments, rest, None, warn=False)
        return answer

    async def reorder_items(
        self,
        playlist_id: str,
        *,
        range_start: int,
        insert_before: int,
        range_length: int | None = None,
        snapshot_id: str | None = None,
    ) -> SnapshotId:
        """Move `range_length` items (default 1) from `range_start` to before `insert_before`
        (`PUT /playlists/{playlist_id}/items`); returns `{snapshot_id}`."""
        return await self._reorder(
            "reorder-or-replace-playlists-items",
            playlist_id,
            range_start,
            insert_before,
            range_length,
            snapshot_id,
        )

    async def reorder_tracks(
        self,
        playlist_id: str,
        *,
        range_start: int,
        insert_before: int,
        range_length: int | None = None,
        snapshot_id: str | None = None,
    ) -> SnapshotId:
        """`reorder_items` through `PUT /playlists/{playlist_id}/tracks`; deprecated."""
        return await self._reorder(
            "reorder-or-replace-playlists-tracks",
            playlist_id,
            range_start,
            insert_before,
            range_length,
            snapshot_id,
        )

    async def _reorder(
        self,
        operation_id: str,
        playlist_id: str,
        range_start: int,
        insert_before: int,
        range_length: int | None,
        snapshot_id: str | None,
    ) -> SnapshotId:
        segments = self._pid(playlist_id)
        body: dict[str, Any] = {
            "range_start": check_int(range_start, "range_start"),
            "insert_before": check_int(insert_before, "insert_before"),
        }
        if range_length is not None:
            body["range_length"] = check_int(range_length, "range_length", 1)
        if snapshot_id is not None:
            body["snapshot_id"] = check_text(snapshot_id, "snapshot_id")
        return cast(SnapshotId, await self._call(operation_id, segments=segments, json=body))

    async def remove_items(
        self, playlist_id: str, uris: Iterable[str], *, snapshot_id: str | None = None
    ) -> SnapshotId:
        """Remove every occurrence of each item (`DELETE /playlists/{playlist_id}/items`), 100 per
        request; returns the last `{snapshot_id}` (each chunk is sent against the snapshot
        the previous returned)."""
        return await self._remove("remove-items-playlist", "items", playlist_id, uris, snapshot_id)

    async def remove_tracks(
        self, playlist_id: str, uris: Iterable[str], *, snapshot_id: str | None = None
    ) -> SnapshotId:
        """`remove_items` through `DELETE /playlists/{playlist_id}/tracks`, 100 per request;
        deprecated."""
        return await self._remove(
            "remove-tracks-playlist", "tracks", playlist_id, uris, snapshot_id
        )

    async def _remove(
        self,
        operation_id: str,
        key: str,
        playlist_id: str,
        uris: Iterable[str],
        snapshot_id: str | None,
    ) -> SnapshotId:
        segments, items = self._pid(playlist_id), self._items_of(uris)
        if snapshot_id is not None:
            check_text(snapshot_id, "snapshot_id")

        def body(chunk: Sequence[str], previous: Any) -> dict[str, Any]:
            nonlocal snapshot_id
            if snapshot_id is not None and isinstance(previous, dict):
                snapshot_id = cast(dict[str, Any], previous).get("snapshot_id", snapshot_id)
            sent: dict[str, Any] = {key: [{"uri": uri} for uri in chunk]}
            if snapshot_id is not None:
                sent["snapshot_id"] = snapshot_id
            return sent

        answer = await self._chunked_write(operation_id, items, build=body, segments=segments)
        return cast(SnapshotId, answer)
