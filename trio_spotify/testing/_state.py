"""Mutable state of the emulator: users' libraries and follows, playlists, players.

Catalog objects are immutable and generated on demand (`_catalog.py`); everything a
write can change lives here. A catalog playlist is copied into a `Playlist` the
first time it is touched, so a catalog of thousands of playlists costs nothing until used.
Times are wall-clock milliseconds from the emulator's `now_ms`.
"""

from __future__ import annotations

import attrs

__all__ = ["Device", "PlayerState", "Playlist", "PlaylistEntry", "UserState"]


@attrs.define
class PlaylistEntry:
    uri: str
    added_at: str
    added_by: str


@attrs.define
class Playlist:
    id: str
    name: str
    description: str | None
    owner: str
    owner_name: str | None
    public: bool
    collaborative: bool
    followers: int
    entries: list[PlaylistEntry]
    version: int = 1
    images: list[dict[str, object]] = attrs.field(factory=list)
    #: How many cover uploads this playlist received.
    covers: int = 0

    @property
    def snapshot_id(self) -> str:
        return f"{self.version:08d}{self.id}"

    def changed(self) -> str:
        self.version += 1
        return self.snapshot_id


@attrs.define
class Device:
    id: str
    name: str
    type: str
    #: `None` for a device whose volume Spotify does not know (it sends `null`).
    volume_percent: int | None
    supports_volume: bool = True


@attrs.define
class PlayerState:
    """A user's playback: which device, what plays, where in it."""

    devices: list[Device]
    active_device: str | None = None
    is_playing: bool = False
    #: The URIs being played in order (a context's tracks or explicit `uris`).
    items: list[str] = attrs.field(factory=list)
    position: int = 0
    context_uri: str | None = None
    queue: list[str] = attrs.field(factory=list)
    #: Progress at `progress_clock` (seconds on the emulator's clock).
    progress_ms: int = 0
    progress_clock: float = 0.0
    repeat_state: str = "off"
    shuffle_state: bool = False

    @property
    def current(self) -> str | None:
        if not self.items or self.active_device is None:
            return None
        return self.items[self.position]

    def device(self, device_id: str) -> Device | None:
        return next((d for d in self.devices if d.id == device_id), None)


@attrs.define
class UserState:
    """One user's library, follows, playlists, listening history and player."""

    user_id: str
    display_name: str
    #: uri -> added_at (ISO), in insertion order; listed newest first.
    saved: dict[str, dict[str, str]] = attrs.field(factory=dict)
    followed_artists: dict[str, None] = attrs.field(factory=dict)
    followed_users: dict[str, None] = attrs.field(factory=dict)
    followed_playlists: dict[str, None] = attrs.field(factory=dict)
    #: (track uri, played_at ms, context uri or None), oldest first.
    history: list[tuple[str, int, str | None]] = attrs.field(factory=list)
    player: PlayerState = attrs.field(factory=lambda: PlayerState(devices=[]))

    def saved_of(self, kind: str) -> dict[str, str]:
        return self.saved.setdefault(kind, {})
