"""The model and the text of `trio_spotify/types.py`, for `generate_types.py`.

`Klass`/`Field` hold what the generator decided (names, types, optionality, docstrings);
`render` writes them as Python: `__all__`, then every class after the classes it uses (so
the module needs no `from __future__ import annotations`), with attribute docstrings wrapped
to the house width. Markdown from the definition stays Markdown; relative links to Spotify's
documentation become absolute.
"""

from __future__ import annotations

import keyword
import re
import textwrap
from dataclasses import dataclass, field

DOCS_SITE = "https://developer.spotify.com"
WIDTH = 96
# Class docstrings (the first line; the generator adds the schema's name and the operations
# that answer with it).
SUMMARIES: dict[str, str] = {
    "Paging": "A page of items (`offset`/`limit` paging); follow it with `iter_items`.",
    "CursorPaging": "A page of items with cursors (`after`/`before` paging).",
    "Album": "An album, with its artists, copyrights and first page of tracks.",
    "SimplifiedAlbum": "An album as other objects embed it (no tracks, copyrights or label).",
    "ArtistDiscographyAlbum": "An album of an artist's discography, with its `album_group`.",
    "Artist": "An artist.",
    "SimplifiedArtist": "An artist as other objects embed it.",
    "Track": "A track, with its album and artists.",
    "SimplifiedTrack": "A track as an album embeds it (no album, popularity or external IDs).",
    "LinkedTrack": "The track a relinked track replaces (`linked_from`).",
    "Episode": "A podcast episode, with its show.",
    "SimplifiedEpisode": "An episode as a show embeds it (no show).",
    "Show": "A podcast show, with its first page of episodes.",
    "SimplifiedShow": "A show as other objects embed it (no episodes).",
    "Audiobook": "An audiobook, with its first page of chapters.",
    "SimplifiedAudiobook": "An audiobook as other objects embed it (no chapters).",
    "Chapter": "A chapter of an audiobook, with its audiobook.",
    "SimplifiedChapter": "A chapter as an audiobook embeds it.",
    "Playlist": "A playlist, with its owner, followers and (if readable) first page of items.",
    "SimplifiedPlaylist": "A playlist as lists of playlists hold it (a link to its items).",
    "PlaylistTrack": "An entry of a playlist: the track or episode, when and by whom added.",
    "PlaylistTracksRef": "The link to a playlist's items and their number.",
    "PlaylistUser": "A user as a playlist names them (who added an item).",
    "PlaylistOwner": "The owner of a playlist.",
    "User": "A user's public profile.",
    "PrivateUser": "The current user's profile (more fields with more scopes).",
    "SavedAlbum": "An album in the user's library, with when it was saved.",
    "SavedTrack": "A track in the user's library, with when it was saved.",
    "SavedShow": "A show in the user's library, with when it was saved.",
    "SavedEpisode": "An episode in the user's library, with when it was saved.",
    "SavedAudiobook": "An audiobook in the user's library, with when it was saved.",
    "PlaybackState": "The user's playback: device, item, progress, shuffle and repeat.",
    "CurrentlyPlaying": "What the user is playing now.",
    "Device": "A device that can play.",
    "Queue": "The item playing now and the items queued after it.",
    "PlayHistory": "A track the user played, with when and from where.",
    "Context": "Where playback comes from: an album, artist, playlist or show.",
    "Category": "A category of Spotify's browse tab.",
    "Image": "An image (cover art, a profile picture), with its size if known.",
    "Copyright": "A copyright statement.",
    "ExternalUrls": "Links to the object outside the Web API.",
    "ExternalIds": "Industry IDs (ISRC, EAN, UPC) of a track or album.",
    "Followers": "A follower count.",
    "ResumePoint": "Where the user stopped listening to an episode or chapter.",
    "AudioFeatures": "Audio features of a track (danceability, energy, tempo, ...).",
    "AudioAnalysis": "The low-level audio analysis of a track.",
    "Recommendations": "Recommended tracks and the seeds they came from.",
    "SearchResults": "Search results: one page per type searched.",
    "SnapshotId": "The new version of a playlist after a change.",
    "FollowedArtists": "The artists the user follows (cursor paging, under `artists`).",
    "FeaturedPlaylists": "A page of playlists with a message (featured, a category's).",
    "NewReleases": "New album releases (a page, under `albums`).",
    "Categories": "A page of browse categories (under `categories`).",
}

DEPRECATED_NOTE = (
    "Deprecated: not sent to development-mode apps since Spotify's November 2024 / February "
    "2026 changes (extended-quota apps still get it), so it may be missing."
)


# --------------------------------------------------------------------------------------------
# The model.
# --------------------------------------------------------------------------------------------
@dataclass
class Field:
    name: str
    type: str
    required: bool
    doc: str = ""
    deprecated: bool = False


@dataclass
class Klass:
    name: str
    doc: str
    fields: list[Field] = field(default_factory=list)
    generic: bool = False


def literal(value: object) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


# --------------------------------------------------------------------------------------------
# Rendering.
# --------------------------------------------------------------------------------------------
def clean(text: str) -> str:
    text = text.strip()
    text = re.sub(r"\]\((/documentation/[^)]*)\)", rf"]({DOCS_SITE}\1)", text)
    text = text.replace("\\_", "_").replace("\\*", "*")
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    for bad, good in {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'}.items():
        text = text.replace(bad, good)
    text = text.replace("\u2013", "-").replace("\u2014", "--").replace("\u00a0", " ")
    return text


_NBSP = "\u2060"  # joins words that must stay on one line while wrapping


def _paragraphs(text: str) -> list[list[str]]:
    """Paragraphs (blank-line separated) of `text`, each a list of items: a bullet starts an
    item, any other line continues the one before."""
    out: list[list[str]] = []
    for block in re.split(r"\n\s*\n", text):
        items: list[str] = []
        for line in block.splitlines():
            line = line.strip()
            if not line:
                continue
            if items and not re.match(r"^(?:[-*]|\d+\.)\s", line):
                items[-1] += " " + line
            else:
                items.append(line)
        if items:
            out.append(items)
    return out


def wrap(text: str, indent: str) -> list[str]:
    # Keep a link's text and a code span on one line.
    text = re.sub(r"\[([^\]]*)\]\(|`[^`]*`", lambda m: m.group(0).replace(" ", _NBSP), clean(text))
    lines: list[str] = []
    for paragraph in _paragraphs(text):
        if lines:
            lines.append("")
        for item in paragraph:
            bullet = re.match(r"^((?:[-*]|\d+\.)\s+)", item)
            lines.extend(
                textwrap.wrap(
                    item,
                    width=WIDTH - len(indent),
                    subsequent_indent=" " * len(bullet.group(1)) if bullet else "",
                    break_long_words=False,
                    break_on_hyphens=False,
                )
            )
    return [line.replace(_NBSP, " ") for line in lines]


def docstring(text: str, indent: str) -> list[str]:
    lines = wrap(text, indent)
    if not lines:
        return []
    if lines[-1].endswith('"'):
        lines[-1] = lines[-1][:-1] + '\\"'
    if len(lines) == 1 and len(indent) + len(lines[0]) + 6 <= WIDTH:
        return [f'{indent}"""{lines[0]}"""']
    out = [f'{indent}"""{lines[0]}']
    out.extend(f"{indent}{line}" if line else "" for line in lines[1:])
    out.append(f'{indent}"""')
    return out


def annotation(f: Field) -> str:
    return f.type if f.required else f"NotRequired[{f.type}]"


HEADER = '''\
"""Typed answers: a `TypedDict` for every object of the Spotify Web API.

**Generated by `scripts/generate_types.py` from `tests/data/fixed-spotify-open-api.yml`; do
not edit.** Change the generator (its `OVERRIDES` table holds Spotify's real optionality) and
regenerate with `python scripts/generate_types.py`; CI fails when this file is stale.

The answers of `trio_spotify` stay the plain dicts Spotify sent: these types only describe
them, at no cost at run time, and a key Spotify adds tomorrow breaks nothing. Optionality is
what Spotify really sends: a key that some answers omit is `NotRequired` (deprecated keys,
removed for development-mode apps, are always `NotRequired`), a value sent as `null` is
`X | None`. Paging objects are the generic `Paging[T]` and `CursorPaging[T]`.

The types work with pydantic (`TypeAdapter(Album).validate_python(answer)`) and cattrs.
"""

from typing import Generic, Literal, NotRequired, TypeVar

from typing_extensions import TypedDict

T = TypeVar("T")
'''


def dependency_order(classes: dict[str, Klass]) -> list[str]:
    """The class names, each after the classes its keys' types name (alphabetical where
    free), so that the module needs no `from __future__ import annotations`: with it,
    `TypedDict` sees `NotRequired[...]` as a string and gets `__optional_keys__` wrong."""
    done: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in done:
            return
        if name in visiting:
            raise ValueError(f"{name}: a cycle of types; quote a forward reference")
        visiting.add(name)
        for f in classes[name].fields:
            for used in sorted(set(re.findall(r"\b[A-Z]\w*", f.type))):
                if used in classes and used != name:
                    visit(used)
        visiting.discard(name)
        done.append(name)

    for name in sorted(classes):
        visit(name)
    return done


def render(classes: dict[str, Klass]) -> str:
    out = [HEADER, "__all__ = ["]
    out.extend(f'    "{n}",' for n in sorted(classes))
    out.append("]")
    out.append("")
    for name in dependency_order(classes):
        klass = classes[name]
        bases = "TypedDict, Generic[T]" if klass.generic else "TypedDict"
        out.append("")
        out.append(f"class {name}({bases}):")
        out.extend(docstring(klass.doc or f"The `{name}` object.", "    "))
        for f in klass.fields:
            if keyword.iskeyword(f.name):
                raise ValueError(f"{name}.{f.name}: a keyword")
            out.append("")
            out.append(f"    {f.name}: {annotation(f)}")
            doc = f.doc
            if f.deprecated:
                doc = f"{doc.strip()}\n\n{DEPRECATED_NOTE}" if doc.strip() else DEPRECATED_NOTE
            out.extend(docstring(doc, "    "))
        out.append("")
    return "\n".join(out) + "\n"
