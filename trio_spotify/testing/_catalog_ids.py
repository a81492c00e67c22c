"""Deterministic, reversible Spotify IDs for the emulator's catalog.

A Spotify ID is 22 base-62 characters (a 128-bit value). The emulator derives each ID from
its seed, the kind of object and the object's index, so that the same seed always yields
the same catalog and an ID can be decoded back to `(kind, index)` without a lookup table:
the high 88 bits are a keyed hash of `(seed, kind, index)`, the low 40 bits carry the
kind and index masked by that hash. Decoding checks the hash, so a random 22-character
string (or an ID minted with another seed) is recognised as unknown.
"""

from __future__ import annotations

import functools
import hashlib
import re

__all__ = [
    "ALBUM",
    "ALPHABET",
    "ARTIST",
    "AUDIOBOOK",
    "CHAPTER",
    "EPISODE",
    "KIND_NAMES",
    "PLAYLIST",
    "SHOW",
    "TRACK",
    "USER_PLAYLIST",
    "IdCodec",
    "is_base62_id",
]

#: The kind codes inside IDs (`SpotifyEmulator.catalog.id_of(kind, index)`); playlists
#: created through the API are `USER_PLAYLIST`.
ARTIST, ALBUM, TRACK, SHOW, EPISODE, AUDIOBOOK, CHAPTER, PLAYLIST, USER_PLAYLIST = range(1, 10)
KIND_NAMES = {
    ARTIST: "artist",
    ALBUM: "album",
    TRACK: "track",
    SHOW: "show",
    EPISODE: "episode",
    AUDIOBOOK: "audiobook",
    CHAPTER: "chapter",
    PLAYLIST: "playlist",
    USER_PLAYLIST: "playlist",
}

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}
_MASK40 = (1 << 40) - 1
_ID_LENGTH = 22


_SHAPE = re.compile(r"[0-9A-Za-z]{22}")


def is_base62_id(value: str) -> bool:
    """Whether `value` has the shape of a Spotify ID (22 base-62 characters)."""
    return _SHAPE.fullmatch(value) is not None


@functools.lru_cache(maxsize=1 << 16)
def _keyed_hash(key: bytes, kind: int, index: int) -> int:
    # Cached: catalogs are shared and the same objects are named again and again.
    digest = hashlib.blake2b(f"{kind}:{index}".encode(), digest_size=11, key=key[:64]).digest()
    return int.from_bytes(digest, "big")


class IdCodec:
    """Mints and decodes the IDs of one seeded catalog."""

    def __init__(self, seed: int | str) -> None:
        self._key = str(seed).encode()

    def _hash(self, kind: int, index: int) -> int:
        return _keyed_hash(self._key, kind, index)

    def encode(self, kind: int, index: int) -> str:
        """The ID of object number `index` of `kind` (both small non-negative ints)."""
        if not 0 <= kind < 256 or not 0 <= index < 1 << 32:
            raise ValueError(f"kind {kind} / index {index} out of range")
        h = self._hash(kind, index)
        value = (h << 40) | (((kind << 32) | index) ^ (h & _MASK40))
        chars = []
        while value:
            value, digit = divmod(value, 62)
            chars.append(ALPHABET[digit])
        return "".join(reversed(chars)).rjust(_ID_LENGTH, "0")

    def decode(self, spotify_id: str) -> tuple[int, int] | None:
        """`(kind, index)` of an ID this codec minted, or `None` for any other string."""
        if not is_base62_id(spotify_id):
            return None
        value = 0
        for ch in spotify_id:
            value = value * 62 + _INDEX[ch]
        h = value >> 40
        low = (value & _MASK40) ^ (h & _MASK40)
        kind, index = low >> 32, low & 0xFFFFFFFF
        if h >= 1 << 88 or self._hash(kind, index) != h:
            return None
        return kind, index
