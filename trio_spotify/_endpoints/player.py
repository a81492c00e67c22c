"""`spotify.player`: playback state and control (Premium users only for control)."""

# Arguments are checked at run time too (for callers without a type checker), so strict
# pyright would call some isinstance calls needless.
# pyright: reportUnnecessaryIsInstance=false

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, cast

from ..types import CurrentlyPlaying, CursorPaging, Devices, PlaybackState, PlayHistory, Queue
from ._base import Group
from ._checks import (
    CONTEXTS,
    PLAYABLE,
    AdditionalType,
    check_choice,
    check_flag,
    check_int,
    check_limit,
    check_market,
    check_text,
    check_types,
    check_uris,
)

__all__ = ["Player"]


class Player(Group):
    """Player operations. Every method is a checkpoint; see `Group` for errors.

    Control methods raise `NotFoundError` when the user has no active device
    and `ForbiddenError` for a non-Premium user.
    """

    async def state(
        self,
        *,
        market: str | None = None,
        additional_types: AdditionalType | Iterable[AdditionalType] | None = None,
    ) -> PlaybackState | None:
        """The playback state, `None` when nothing is playing (`GET /me/player`)."""
        params = {"market": check_market(market), "additional_types": check_types(additional_types)}
        # `None` for Spotify's 204 (nothing playing): `_call` answers what the handler decoded.
        answer = await self._call("get-information-about-the-users-current-playback", params=params)
        return cast("PlaybackState | None", answer)

    async def transfer(self, device_id: str, *, play: bool | None = None) -> None:
        """Move playback to `device_id` (`PUT /me/player`)."""
        body: dict[str, Any] = {"device_ids": [check_text(device_id, "device_id")]}
        if check_flag(play, "play") is not None:
            body["play"] = play
        await self._call("transfer-a-users-playback", json=body)

    async def devices(self) -> Devices:
        """`{"devices": [...]}` the user can play on (`GET /me/player/devices`)."""
        return cast(Devices, await self._call("get-a-users-available-devices"))

    async def currently_playing(
        self,
        *,
        market: str | None = None,
        additional_types: AdditionalType | Iterable[AdditionalType] | None = None,
    ) -> CurrentlyPlaying | None:
        """What is playing, `None` when nothing is (`GET /me/player/currently-playing`)."""
        params = {"market": check_market(market), "additional_types": check_types(additional_types)}
        # `None` for Spotify's 204 (nothing playing): `_call` answers what the handler decoded.
        answer = await self._call("get-the-users-currently-playing-track", params=params)
        return cast("CurrentlyPlaying | None", answer)

    async def play(
        self,
        *,
        device_id: str | None = None,
        context_uri: str | None = None,
        uris: Iterable[str] | None = None,
        offset: int | str | None = None,
        position_ms: int | None = None,
    ) -> None:
        """Start or resume playback (`PUT /me/player/play`).

        `context_uri` (an album, artist, playlist, show or audiobook) or `uris` (tracks and
        episodes) say what to play; `offset` is a position (int) or a URI (str) in it.
        """
        body: dict[str, Any] = {}
        if context_uri is not None and uris is not None:
            raise ValueError("give context_uri or uris, not both")
        if context_uri is not None:
            body["context_uri"] = check_uris([context_uri], CONTEXTS, name="context_uri")[0]
        if uris is not None:
            body["uris"] = check_uris(uris, PLAYABLE, default="track")
        if offset is not None:
            if isinstance(offset, str):
                body["offset"] = {
                    "uri": check_uris([offset], PLAYABLE, default="track", name="offset")[0]
                }
            else:
                body["offset"] = {"position": check_int(offset, "offset")}
        if position_ms is not None:
            body["position_ms"] = check_int(position_ms, "position_ms")
        await self._call(
            "start-a-users-playback", params={"device_id": device_id}, json=body or None
        )

    async def pause(self, *, device_id: str | None = None) -> None:
        """Pause playback (`PUT /me/player/pause`)."""
        await self._call("pause-a-users-playback", params={"device_id": device_id})

    async def next(self, *, device_id: str | None = None) -> None:
        """Skip to the next item (`POST /me/player/next`)."""
        await self._call("skip-users-playback-to-next-track", params={"device_id": device_id})

    async def previous(self, *, device_id: str | None = None) -> None:
        """Skip to the previous item (`POST /me/player/previous`)."""
        await self._call("skip-users-playback-to-previous-track", params={"device_id": device_id})

    async def seek(self, position_ms: int, *, device_id: str | None = None) -> None:
        """Seek to `position_ms` in the current item (`PUT /me/player/seek`)."""
        await self._call(
            "seek-to-position-in-currently-playing-track",
            params={"position_ms": check_int(position_ms, "position_ms"), "device_id": device_id},
        )

    async def repeat(
        self, state: Literal["track", "context", "off"], *, device_id: str | None = None
    ) -> None:
        """Set the repeat mode (`PUT /me/player/repeat`)."""
        mode = check_choice(state, ("track", "context", "off"), "state")
        await self._call(
            "set-repeat-mode-on-users-playback", params={"state": mode, "device_id": device_id}
        )

    async def volume(self, volume_percent: int, *, device_id: str | None = None) -> None:
        """Set the volume, 0 to 100 (`PUT /me/player/volume`)."""
        volume = check_int(volume_percent, "volume_percent", 0, 100, noun="")
        await self._call(
            "set-volume-for-users-playback",
            params={"volume_percent": volume, "device_id": device_id},
        )

    async def shuffle(self, state: bool, *, device_id: str | None = None) -> None:
        """Turn shuffle on or off (`PUT /me/player/shuffle`)."""
        if not isinstance(state, bool):
            raise ValueError(f"state must be True or False, not {state!r}")
        await self._call(
            "toggle-shuffle-for-users-playback", params={"state": state, "device_id": device_id}
        )

    async def recently_played(
        self, *, limit: int | None = None, after: int | None = None, before: int | None = None
    ) -> CursorPaging[PlayHistory]:
        """A cursor page of recently played tracks (`GET /me/player/recently-played`).

        `after`/`before` are Unix timestamps in milliseconds; give at most one.
        """
        if after is not None and before is not None:
            raise ValueError("give after or before, not both")
        params = {
            "limit": check_limit("get-recently-played", limit),
            "after": None if after is None else check_int(after, "after"),
            "before": None if before is None else check_int(before, "before"),
        }
        return cast(
            "CursorPaging[PlayHistory]", await self._call("get-recently-played", params=params)
        )

    async def queue(self) -> Queue:
        """The current item and the queue (`GET /me/player/queue`)."""
        return cast(Queue, await self._call("get-queue"))

    async def add_to_queue(self, uri: str, *, device_id: str | None = None) -> None:
        """Add a track or episode to the queue (`POST /me/player/queue`)."""
        item = check_uris([uri], PLAYABLE, default="track", name="uri")[0]
        await self._call("add-to-queue", params={"uri": item, "device_id": device_id})
