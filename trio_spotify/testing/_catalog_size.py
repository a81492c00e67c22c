"""`CatalogSize`: how big the emulator's generated catalog is, and the bounds of its layout.

An album has at most `MAX_TRACKS` track slots, a show `MAX_EPISODES` episode slots and an
audiobook `MAX_CHAPTERS` chapter slots: child indexes are `parent * MAX + slot`, so a
child's parent is found by division.
"""

from __future__ import annotations

import attrs

__all__ = ["MAX_CHAPTERS", "MAX_EPISODES", "MAX_TRACKS", "CatalogSize"]

MAX_TRACKS = 32
MAX_EPISODES = 256
MAX_CHAPTERS = 128


@attrs.frozen
class CatalogSize:
    """How big the generated catalog is. The defaults page everywhere and stay cheap."""

    artists: int = 40
    albums_per_artist: int = 24
    #: Tracks per album are drawn between 4 and this (at most 32).
    max_tracks_per_album: int = 16
    shows: int = 12
    episodes_per_show: int = 60
    audiobooks: int = 8
    chapters_per_audiobook: int = 24
    #: Public playlists of the catalog's users; their lengths cycle through `playlist_lengths`.
    playlists: int = 24
    playlist_lengths: tuple[int, ...] = (2500, 480, 120, 50, 7, 1000, 0, 250)
    users: int = 16

    def __attrs_post_init__(self) -> None:
        if not 4 <= self.max_tracks_per_album <= MAX_TRACKS:
            raise ValueError(f"max_tracks_per_album must be between 4 and {MAX_TRACKS}")
        if not 1 <= self.episodes_per_show <= MAX_EPISODES:
            raise ValueError(f"episodes_per_show must be between 1 and {MAX_EPISODES}")
        if not 1 <= self.chapters_per_audiobook <= MAX_CHAPTERS:
            raise ValueError(f"chapters_per_audiobook must be between 1 and {MAX_CHAPTERS}")
        for name in ("artists", "albums_per_artist", "shows", "audiobooks", "users"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
