"""Spotify IDs, URIs and open.spotify.com URLs: parsing, checking and building them.

Spotify names every catalog object three ways:

    4uLU6hMCjMI75M1A2tKUQC                                   an ID (22 base-62 characters)
    spotify:track:4uLU6hMCjMI75M1A2tKUQC                     a URI
    https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC?si=…   a URL (also /intl-de/track/…)

Every endpoint method accepts all three wherever it takes an ID; the helpers here turn them
into what a request needs. A URI or URL of another kind than the one expected (an album URI
given to `tracks.get`) is refused with `ValueError` rather than sent to Spotify.

User IDs are free-form (`"smedjan"`), not base-62, and so are category IDs and device IDs;
only the catalog kinds in `BASE62_KINDS` are checked character by character.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Collection, Iterable
from typing import Literal, get_args

import attrs

__all__ = [
    "BASE62_KINDS",
    "Kind",
    "SpotifyID",
    "parse_id",
    "parse_ids",
    "parse_uri",
    "to_uri",
    "to_url",
]

#: The kinds of object a Spotify URI can name.
Kind = Literal[
    "album", "artist", "audiobook", "chapter", "episode", "playlist", "show", "track", "user"
]
_KINDS: frozenset[str] = frozenset(get_args(Kind))

#: Kinds whose IDs are exactly 22 base-62 characters.
BASE62_KINDS: frozenset[str] = _KINDS - {"user"}

_BASE62_ID = re.compile(r"[0-9A-Za-z]{22}")
_OPEN_HOSTS = frozenset({"open.spotify.com", "play.spotify.com"})
_INTL = re.compile(r"intl-[a-z]{2}(?:[-_][a-z]{2})?", re.IGNORECASE)
_PREVIEW = 60


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _PREVIEW else text[: _PREVIEW - 4] + "...'"


@attrs.frozen
class SpotifyID:
    """One Spotify object named by its kind and ID.

    `SpotifyID.parse("spotify:track:4uLU6hMCjMI75M1A2tKUQC")` and
    `SpotifyID.parse("https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC?si=x")` are both
    `SpotifyID(kind="track", id="4uLU6hMCjMI75M1A2tKUQC")`; `.uri` and `.url` build the
    other forms.
    """

    kind: Kind
    id: str

    def __attrs_post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(
                f"unknown Spotify kind {self.kind!r}; expected one of {sorted(_KINDS)}"
            )
        _check_bare(self.id, self.kind, self.id)

    @classmethod
    def parse(cls, value: str, kind: Kind | Collection[Kind] | None = None) -> SpotifyID:
        """Read a URI or URL (or, when `kind` names exactly one kind, a bare ID).

        `kind` may be one kind or several accepted kinds; a value of another kind raises
        `ValueError`. Without `kind` a bare ID is refused (its kind is unknown).
        """
        kinds = _kinds_of(kind)
        found_kind, found_id = _parse(value, kinds, _single(kinds))
        if found_kind is None:
            expected = " or ".join(sorted(kinds)) if kinds else "a Spotify URI or URL"
            raise ValueError(
                f"{_shown(value)} is a bare ID; give a URI or URL so its kind is known "
                f"(expected {expected}, e.g. 'spotify:track:<id>')"
            )
        return cls._checked(found_kind, found_id)

    @classmethod
    def _checked(cls, kind: str, id: str) -> SpotifyID:
        """A SpotifyID of `kind` and `id` that `_parse` already checked."""
        made = object.__new__(cls)
        object.__setattr__(made, "kind", kind)
        object.__setattr__(made, "id", id)
        return made

    @property
    def uri(self) -> str:
        """`spotify:<kind>:<id>`."""
        return f"spotify:{self.kind}:{self.id}"

    @property
    def url(self) -> str:
        """`https://open.spotify.com/<kind>/<id>`."""
        return f"https://open.spotify.com/{self.kind}/{urllib.parse.quote(self.id, safe='')}"

    def __str__(self) -> str:
        return self.uri


def _a(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def _kinds_of(kind: Kind | Collection[Kind] | None) -> frozenset[str]:
    if kind is None:
        return frozenset()
    kinds = frozenset([kind]) if isinstance(kind, str) else frozenset(kind)
    unknown = kinds - _KINDS
    if unknown:
        raise ValueError(
            f"unknown Spotify kind(s) {sorted(unknown)}; expected one of {sorted(_KINDS)}"
        )
    return kinds


def _check_bare(candidate: str, kind: str, original: object) -> None:
    if kind in BASE62_KINDS:
        if not _BASE62_ID.fullmatch(candidate):
            raise ValueError(
                f"{_shown(original)} is not a valid Spotify {kind} ID "
                "(expected 22 letters and digits, a spotify: URI or an open.spotify.com URL)"
            )
    elif (
        not candidate
        or candidate in {".", ".."}
        or any(c in candidate for c in "/?#,:")
        or candidate.strip() != candidate
    ):
        raise ValueError(f"{_shown(original)} is not a valid Spotify {kind} ID")


def _single(kinds: frozenset[str]) -> str | None:
    """The one kind in `kinds`, `None` if there are several or none."""
    return next(iter(kinds)) if len(kinds) == 1 else None


def _parse(value: str, kinds: frozenset[str], bare: str | None) -> tuple[str | None, str]:
    """`(kind, id)` from an ID, URI or URL, parsed and checked once.

    A URI or URL must name one of `kinds` (any kind when `kinds` is empty) and carry a
    valid ID of its kind. A bare ID is taken as kind `bare` and checked as such; with
    `bare=None` it comes back unchecked as `(None, value)` and the caller decides.
    Raises `ValueError` naming the value (`TypeError` if it is not a str).
    """
    found = _split(value)
    if found is None:
        if bare is None:
            return None, value
        _check_bare(value, bare, value)
        return bare, value
    found_kind, found_id = found
    if kinds and found_kind not in kinds:
        raise ValueError(
            f"{_shown(value)} names {_a(found_kind)}, but "
            f"{' or '.join(_a(k) for k in sorted(kinds))} is expected here"
        )
    _check_bare(found_id, found_kind, value)
    return found_kind, found_id


def _split(value: str) -> tuple[str, str] | None:
    """`(kind, id)` from a URI or URL, `None` for a bare ID; ValueError if malformed."""
    if not isinstance(value, str):
        raise TypeError(f"a Spotify ID must be a str, not {type(value).__name__}")
    if value.startswith("spotify:"):
        parts = value.split(":")
        if len(parts) == 3 and parts[1] in _KINDS:
            return parts[1], parts[2]
        if len(parts) == 5 and parts[1] == "user" and parts[3] == "playlist":
            return "playlist", parts[4]  # the legacy spotify:user:<owner>:playlist:<id>
        raise ValueError(f"{_shown(value)} is not a Spotify URI of a known kind")
    if value.startswith(("https://", "http://")):
        url = urllib.parse.urlsplit(value)
        if url.hostname not in _OPEN_HOSTS:
            raise ValueError(f"{_shown(value)} is not an open.spotify.com URL")
        segments = [s for s in url.path.split("/") if s]
        if segments and _INTL.fullmatch(segments[0]):
            segments = segments[1:]
        if len(segments) == 4 and segments[0] == "user" and segments[2] == "playlist":
            segments = segments[2:]
        if len(segments) == 3 and segments[0] == "embed":
            segments = segments[1:]
        if len(segments) != 2 or segments[0] not in _KINDS:
            raise ValueError(f"{_shown(value)} is not a link to a Spotify object of a known kind")
        return segments[0], urllib.parse.unquote(segments[1])
    return None


def parse_id(value: str, kind: Kind | Collection[Kind]) -> str:
    """The bare ID in `value` (an ID, URI or URL), checked to be of `kind`.

    `parse_id("https://open.spotify.com/intl-de/track/4uLU6hMCjMI75M1A2tKUQC?si=1", "track")`
    is `"4uLU6hMCjMI75M1A2tKUQC"`. Raises `ValueError` naming the value when it is
    malformed or names another kind.
    """
    kinds = _kinds_of(kind)
    found_kind, found_id = _parse(value, kinds, _single(kinds))
    if (
        found_kind is None
        and any(k in BASE62_KINDS for k in kinds)
        and not _BASE62_ID.fullmatch(value)
    ):
        raise ValueError(f"{_shown(value)} is not a valid Spotify ID")
    return found_id


def parse_ids(
    values: Iterable[str], kind: Kind | Collection[Kind], *, name: str = "ids"
) -> list[str]:
    """`parse_id` for each of `values`; refuses a lone string and an empty list."""
    if isinstance(values, str | bytes):
        raise TypeError(f"{name} must be a list of IDs, not a single string: use [{values!r}]")
    parsed = [parse_id(value, kind) for value in values]
    if not parsed:
        raise ValueError(f"{name} must not be empty")
    return parsed


def parse_uri(value: str, kind: Kind | Collection[Kind], *, default: Kind | None = None) -> str:
    """The `spotify:<kind>:<id>` URI for `value` (an ID, URI or URL) of one of `kind`.

    A bare ID is only accepted with a `default` kind (playlist items take track IDs).
    """
    kinds = _kinds_of(kind)
    if default is not None:
        _kinds_of(default)
    found_kind, found_id = _parse(value, kinds, default)
    if found_kind is None:
        expected = " or ".join(sorted(kinds))
        raise ValueError(
            f"{_shown(value)} is a bare ID; give a URI or URL (a {expected}) so its kind is known"
        )
    return f"spotify:{found_kind}:{found_id}"


def to_uri(kind: Kind, id: str) -> str:
    """`spotify:<kind>:<id>`, checking the ID (which may itself be a URI or URL of `kind`)."""
    return SpotifyID.parse(id, kind).uri


def to_url(kind: Kind, id: str) -> str:
    """`https://open.spotify.com/<kind>/<id>`, checking the ID as `to_uri` does."""
    return SpotifyID.parse(id, kind).url
