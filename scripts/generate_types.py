#!/usr/bin/env python3
"""Generate `trio_spotify/types.py` from Spotify's OpenAPI definition.

Usage:

    python scripts/generate_types.py            # rewrite trio_spotify/types.py
    python scripts/generate_types.py --check    # exit 1 (and print a diff) if it is stale
    python scripts/generate_types.py --output FILE

The input is the corrected definition `tests/data/fixed-spotify-open-api.yml`. Every object
schema becomes a `TypedDict`; the `Paging*Object` family becomes the generic `Paging[T]` and
`CursorPaging[T]`; the named responses that wrap an object (`{"albums": [...]}`) become
wrapper types. Fields keep the definition's descriptions as attribute docstrings.

Optionality follows these rules, in order:

1. a key is required if the definition lists it in `required`, or if the schema (or the
   `allOf` part) that declares it has no `required` list at all (Spotify's definition leaves
   the list out of most objects although every key is sent);
2. a key whose description says "Optional field.", or that is marked `deprecated: true`
   (removed for development-mode apps in November 2024 or February 2026), is
   `NotRequired`; a deprecated key's docstring says so;
3. `OVERRIDES` below then corrects what Spotify really sends.

The output is formatted with `ruff format`, so it passes `ruff format --check` as written.
This script is a development tool: it needs PyYAML and ruff, not the package.
"""

from __future__ import annotations

import argparse
import difflib
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from types_render import SUMMARIES, Field, Klass, literal, render

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "tests" / "data" / "fixed-spotify-open-api.yml"
TARGET = ROOT / "trio_spotify" / "types.py"

# --------------------------------------------------------------------------------------------
# Names: Spotify's schema name -> our class name. Anything not listed loses its `Object`
# suffix (`AlbumObject` -> `Album`). `None` means "not emitted" (bases merged into their
# subclasses, scalar aliases inlined).
# --------------------------------------------------------------------------------------------
NAMES: dict[str, str | None] = {
    "PublicUserObject": "User",
    "CurrentlyPlayingContextObject": "PlaybackState",
    "ExternalUrlObject": "ExternalUrls",
    "ExternalIdObject": "ExternalIds",
    "DisallowsObject": "Disallows",
    "ErrorObject": "ErrorDetails",
    "TrackRestrictionObject": "Restrictions",
    "AlbumRestrictionObject": "AlbumRestrictions",
    "EpisodeRestrictionObject": "EpisodeRestrictions",
    "ChapterRestrictionObject": "ChapterRestrictions",
    "CursorObject": "Cursors",
    "ExplicitContentSettingsObject": "ExplicitContentSettings",
    "PagingFeaturedPlaylistObject": "FeaturedPlaylists",
    "PlaylistTracksRefObject": "PlaylistTracksRef",
    "AlbumBase": None,
    "EpisodeBase": None,
    "ShowBase": None,
    "AudiobookBase": None,
    "ChapterBase": None,
    "PagingObject": None,
    "CursorPagingObject": None,
}

# Named responses (`components.responses`) that are wrapper objects -> our class name.
RESPONSES: dict[str, str] = {
    "ManyAlbums": "SeveralAlbums",
    "ManyArtists": "SeveralArtists",
    "ManyAudiobooks": "SeveralAudiobooks",
    "ManyAudioFeatures": "SeveralAudioFeatures",
    "ManyChapters": "SeveralChapters",
    "ManyEpisodes": "SeveralEpisodes",
    "ManySimplifiedShows": "SeveralShows",
    "ManyTracks": "SeveralTracks",
    "ManyDevices": "Devices",
    "ManyGenres": "GenreSeeds",
    "Markets": "Markets",
    "PagedAlbums": "NewReleases",
    "PagedCategories": "Categories",
    "CursorPagedArtists": "FollowedArtists",
    "SearchItems": "SearchResults",
    "PlaylistSnapshotId": "SnapshotId",
}

# Response wrappers whose arrays hold `null` for an unknown ID (multi-gets).
NULL_ITEMS = {
    "SeveralAlbums",
    "SeveralArtists",
    "SeveralAudiobooks",
    "SeveralAudioFeatures",
    "SeveralChapters",
    "SeveralEpisodes",
    "SeveralShows",
    "SeveralTracks",
}


# --------------------------------------------------------------------------------------------
# OVERRIDES: what Spotify really sends, where the definition says otherwise. One row per
# (class, key). Actions:
#   "optional"       -> NotRequired (the key is omitted in some answers)
#   "nullable"       -> `X | None` (the value is sent as null)
#   "required"       -> required although the definition omits it from `required`
#   ("type", expr)   -> the value's type, replacing the definition's (enumerations given
#                       only in prose)
#   ("add", expr, doc) -> a key the definition does not declare (always NotRequired: it
#                       is undocumented)
# Sources: protocol.md (2024-2026 changes), endpoints.md section 6, and answers seen from
# Spotify (the emulator reproduces them).
# --------------------------------------------------------------------------------------------
OVERRIDES: dict[tuple[str, str], list[Any]] = {
    # Already right by the rules above (no row needed, and a redundant row is an error):
    # `linked_from`, `available_markets`, `preview_url`, `audio_preview_url` (deprecated ->
    # NotRequired, nullable in the definition); album/episode/chapter `restrictions` and
    # `resume_point` (outside their schema's `required` list); `Device.volume_percent`,
    # `User.display_name`, `Followers.href` (nullable in the definition).
    #
    # Only present when the request has a market, for relinked or restricted content.
    ("Track", "is_playable"): ["optional"],
    ("SimplifiedTrack", "is_playable"): ["optional"],
    ("Episode", "is_playable"): ["optional"],
    ("SimplifiedEpisode", "is_playable"): ["optional"],
    ("Chapter", "is_playable"): ["optional"],
    ("SimplifiedChapter", "is_playable"): ["optional"],
    ("Track", "restrictions"): ["optional"],
    ("SimplifiedTrack", "restrictions"): ["optional"],
    # A playlist's contents: only for playlists the user owns or collaborates on (Feb 2026).
    ("Playlist", "items"): ["optional"],
    # External IDs: an album has `upc` (sometimes `ean`), a track `isrc`, never all three.
    ("ExternalIds", "isrc"): ["optional"],
    ("ExternalIds", "ean"): ["optional"],
    ("ExternalIds", "upc"): ["optional"],
    # Values sent as null.
    ("RecommendationSeed", "href"): ["nullable"],  # genre seeds have no href
    ("Playlist", "public"): ["nullable"],
    ("SimplifiedPlaylist", "public"): ["nullable"],
    ("PlaylistTrack", "added_at"): ["nullable"],  # "some very old playlists"
    ("PlaylistTrack", "added_by"): ["nullable"],
    ("PlaylistTrack", "item"): ["nullable"],  # a removed or unavailable item
    ("PlaylistTrack", "track"): ["nullable"],
    ("PlayHistory", "context"): ["nullable"],  # a track played outside any context
    ("SimplifiedShow", "html_description"): ["nullable"],  # on a playlist item's episode
    ("PlaybackState", "context"): ["nullable"],  # "Can be `null`."
    ("PlaybackState", "item"): ["nullable"],
    ("PlaybackState", "progress_ms"): ["nullable"],
    ("CurrentlyPlaying", "context"): ["nullable"],
    ("CurrentlyPlaying", "item"): ["nullable"],
    ("CurrentlyPlaying", "progress_ms"): ["nullable"],
    ("Queue", "currently_playing"): ["nullable"],
    ("PrivateUser", "display_name"): ["nullable"],
    ("Cursors", "after"): ["nullable"],  # null on the last page
    ("CursorPaging", "next"): ["nullable"],
    # Cursor paging: `before` only on recently-played, `total` not on recently-played.
    ("Cursors", "before"): ["optional"],
    ("CursorPaging", "total"): ["optional"],
    # Enumerations the definition gives only in prose.
    ("PlaybackState", "repeat_state"): ["type", 'Literal["off", "track", "context"]'],
    ("PlaybackState", "currently_playing_type"): [
        "type",
        'Literal["track", "episode", "ad", "unknown"]',
    ],
    ("CurrentlyPlaying", "currently_playing_type"): [
        "type",
        'Literal["track", "episode", "ad", "unknown"]',
    ],
    ("Playlist", "type"): ["type", 'Literal["playlist"]'],
    ("SimplifiedPlaylist", "type"): ["type", 'Literal["playlist"]'],
    ("PrivateUser", "type"): ["type", 'Literal["user"]'],
    ("SimplifiedTrack", "type"): ["type", 'Literal["track"]'],
    ("LinkedTrack", "type"): ["type", 'Literal["track"]'],
    ("Copyright", "type"): ["type", 'Literal["C", "P"]'],
    # The definition puts `DisallowsObject` under `actions`; Spotify sends
    # `"actions": {"disallows": {...}}` (see EXTRA_CLASSES).
    ("PlaybackState", "actions"): ["type", "Actions"],
    ("CurrentlyPlaying", "actions"): ["type", "Actions"],
    # Keys Spotify sends that the definition does not declare.
    ("Playlist", "primary_color"): ["add", "str | None", "The playlist's colour, or null."],
    ("SimplifiedPlaylist", "primary_color"): [
        "add",
        "str | None",
        "The playlist's colour, or null.",
    ],
    ("PlaylistTrack", "primary_color"): ["add", "str | None", "Always null."],
    ("PlaylistTrack", "video_thumbnail"): [
        "add",
        "VideoThumbnail",
        "A thumbnail for a video item (its `url` is null for audio).",
    ],
    ("PlaybackState", "smart_shuffle"): ["add", "bool", "If smart shuffle is on."],
    ("Track", "episode"): ["add", "bool", "Whether the item is an episode (on playlist items)."],
    ("Track", "track"): ["add", "bool", "Whether the item is a track (on playlist items)."],
    ("Episode", "episode"): ["add", "bool", "Whether the item is an episode (on playlist items)."],
    ("Episode", "track"): ["add", "bool", "Whether the item is a track (on playlist items)."],
}

# Objects Spotify sends that the definition does not declare: name -> (docstring, keys as
# (key, type, required, docstring)).
EXTRA_CLASSES: dict[str, tuple[str, list[tuple[str, str, bool, str]]]] = {
    "VideoThumbnail": (
        "The `video_thumbnail` of a playlist item.",
        [("url", "str | None", True, "The thumbnail's URL, or null.")],
    ),
    # The definition puts the `DisallowsObject` directly under `actions`; Spotify wraps it.
    "Actions": (
        'The `actions` of a playback state: `{"disallows": {...}}`.',
        [("disallows", "Disallows", True, "The actions that are not available now.")],
    ),
}


class Generator:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.schemas: dict[str, Any] = spec["components"]["schemas"]
        self.classes: dict[str, Klass] = {}
        self.literals: set[str] = set()

    # -- names --------------------------------------------------------------------------
    def class_name(self, schema: str) -> str | None:
        if schema in NAMES:
            return NAMES[schema]
        return schema.removesuffix("Object")

    def ref_name(self, ref: str) -> str:
        return ref.rsplit("/", 1)[1]

    # -- types --------------------------------------------------------------------------
    def paging_of(self, schema: str) -> str | None:
        """`Paging[X]` for a `PagingXObject` built with allOf, else None."""
        node = self.schemas[schema]
        parts = node.get("allOf")
        if not parts:
            return None
        bases = [self.ref_name(p["$ref"]) for p in parts if "$ref" in p]
        if bases not in (["PagingObject"], ["CursorPagingObject"]):
            return None
        generic = "Paging" if bases == ["PagingObject"] else "CursorPaging"
        for part in parts:
            items = part.get("properties", {}).get("items")
            if items:
                return f"{generic}[{self.type_of(items['items'], 'Item', 'item')}]"
        raise ValueError(f"{schema}: paging without items")

    def type_of(self, node: dict[str, Any], owner: str, key: str) -> str:
        text = self._type_of(node, owner, key)
        if node.get("nullable") and "None" not in text.split(" | "):
            text += " | None"
        return text

    def _type_of(self, node: dict[str, Any], owner: str, key: str) -> str:
        if "$ref" in node:
            return self.named(self.ref_name(node["$ref"]), owner, key)
        if "allOf" in node and len(node["allOf"]) == 1:
            return self._type_of(node["allOf"][0], owner, key)
        if "allOf" in node:  # an inline paging (PagedCategories)
            bases = [self.ref_name(p["$ref"]) for p in node["allOf"] if "$ref" in p]
            if bases == ["PagingObject"]:
                for part in node["allOf"]:
                    items = part.get("properties", {}).get("items")
                    if items:
                        return f"Paging[{self.type_of(items['items'], owner, key)}]"
            raise ValueError(f"{owner}.{key}: unsupported allOf")
        if "oneOf" in node:
            return " | ".join(self._type_of(alt, owner, key) for alt in node["oneOf"])
        kind = node.get("type")
        if "enum" in node:
            return "Literal[" + ", ".join(literal(v) for v in node["enum"]) + "]"
        if kind == "string":
            return "str"
        if kind == "integer":
            return "int"
        if kind == "number":
            return "float"
        if kind == "boolean":
            return "bool"
        if kind == "array":
            return f"list[{self.type_of(node['items'], owner, key)}]"
        if kind == "object" and "properties" in node:
            name = owner + "".join(part.title() for part in key.split("_"))
            self.build(name, node, doc=node.get("description") or f"The `{key}` of an `{owner}`.")
            return name
        raise ValueError(f"{owner}.{key}: unsupported schema {node}")

    def named(self, schema: str, owner: str, key: str) -> str:
        node = self.schemas[schema]
        paging = self.paging_of(schema)
        if paging:
            return paging
        if node.get("type") in ("integer", "number", "string") and "properties" not in node:
            return self._type_of(node, owner, key)
        name = self.class_name(schema)
        if name is None:
            raise ValueError(f"{schema} used directly")
        if name not in self.classes:
            self.build(name, node, doc=f"`{schema}` in Spotify's definition.")
        return name

    # -- objects ------------------------------------------------------------------------
    def parts(self, node: dict[str, Any]) -> list[dict[str, Any]]:
        """The flattened `allOf` parts of an object schema, bases first."""
        if "$ref" in node:
            return self.parts(self.schemas[self.ref_name(node["$ref"])])
        out: list[dict[str, Any]] = []
        for part in node.get("allOf", []):
            out.extend(self.parts(part))
        if "properties" in node or "required" in node:
            out.append({k: v for k, v in node.items() if k != "allOf"})
        return out

    def build(self, name: str, node: dict[str, Any], *, doc: str) -> Klass:
        klass = Klass(name, doc)
        self.classes[name] = klass
        parts = self.parts(node)
        listed = {key for part in parts for key in part.get("required", [])}
        any_list = "required" in node
        props: dict[str, tuple[dict[str, Any], bool]] = {}
        for part in parts:
            for key, prop in part.get("properties", {}).items():
                required = key in listed or ("required" not in part and not any_list)
                props[key] = (prop, required)
        for key, (prop, required) in props.items():
            deprecated = bool(prop.get("deprecated"))
            if prop.get("description", "").strip().endswith("Optional field."):
                required = False
            klass.fields.append(
                Field(
                    key,
                    self.type_of(prop, name, key),
                    required and not deprecated,
                    prop.get("description", ""),
                    deprecated,
                )
            )
        return klass

    def build_paging(self) -> None:
        for generic, schema in (("Paging", "PagingObject"), ("CursorPaging", "CursorPagingObject")):
            klass = self.build(generic, self.schemas[schema], doc="")
            klass.generic = True
            klass.fields.append(Field("items", "list[T]", True, "The requested items."))
            klass.fields.sort(key=lambda f: f.name)

    def build_responses(self) -> None:
        responses = self.spec["components"]["responses"]
        for response, name in RESPONSES.items():
            node = responses[response]["content"]["application/json"]["schema"]
            klass = self.build(name, node, doc=f"The `{response}` answer in Spotify's definition.")
            if response in ("SearchItems",):
                for f in klass.fields:
                    f.required = False
                    f.doc = f.doc or f"The `{f.name}` found, if that type was searched."
            if name in NULL_ITEMS:
                for f in klass.fields:
                    assert f.type.startswith("list[")
                    f.type = f"list[{f.type[5:-1]} | None]"
                    f.doc = f.doc or "In the order of the requested IDs; null for unknown ones."

    def apply_overrides(self) -> None:
        for (name, key), action in OVERRIDES.items():
            klass = self.classes[name]
            found = [f for f in klass.fields if f.name == key]
            if action[0] == "add":
                if found:
                    raise ValueError(f"{name}.{key}: already declared, drop the override")
                klass.fields.append(Field(key, action[1], False, action[2]))
                continue
            if not found:
                raise ValueError(f"{name}.{key}: no such key")
            (f,) = found
            if action[0] in ("optional", "required"):
                if f.required == (action[0] == "required"):
                    raise ValueError(f"{name}.{key}: already {action[0]}, drop the override")
                f.required = action[0] == "required"
            elif action[0] == "nullable":
                if f.type.endswith("| None"):
                    raise ValueError(f"{name}.{key}: already nullable, drop the override")
                f.type += " | None"
            elif action[0] == "type":
                f.type = action[1]
            else:
                raise ValueError(f"{name}.{key}: unknown action {action}")

    def run(self) -> str:
        self.build_paging()
        for schema, node in self.schemas.items():
            name = self.class_name(schema)
            if name is None or self.paging_of(schema):
                continue
            if node.get("type") in ("integer", "number", "string"):
                continue
            if name not in self.classes:
                self.build(name, node, doc=f"`{schema}` in Spotify's definition.")
        self.build_responses()
        for name, (doc, keys) in EXTRA_CLASSES.items():
            if name in self.classes:
                raise ValueError(f"{name}: already generated")
            self.classes[name] = Klass(name, doc, [Field(*key) for key in keys])
        self.apply_overrides()
        self.document()
        return render(self.classes)

    def answer_of(self, response: dict[str, Any]) -> str | None:
        """The type an operation's success response is (`Paging[X]`, `Album`, ...)."""
        if "$ref" not in response:
            return None
        name = self.ref_name(response["$ref"])
        if name in RESPONSES:
            return RESPONSES[name]
        schema = response and self.spec["components"]["responses"][name]
        node = schema["content"]["application/json"]["schema"]
        if "$ref" not in node:
            return None
        return self.named(self.ref_name(node["$ref"]), "", "")

    def document(self) -> None:
        """Class docstrings: summary, schema name, the operations that answer with it."""
        answers: dict[str, list[str]] = {}
        for path, operations in self.spec["paths"].items():
            for method, operation in operations.items():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                for status, response in operation["responses"].items():
                    answer = status.startswith("2") and self.answer_of(response)
                    if not answer:
                        continue
                    paged = re.fullmatch(r"(?:Cursor)?Paging\[(\w+)\]", answer)
                    owner, what = (paged.group(1), "pages of it") if paged else (answer, "")
                    line = f"`{method.upper()} {path}`" + (f" ({what})" if what else "")
                    answers.setdefault(owner, []).append(line)
        for name, klass in self.classes.items():
            parts = [SUMMARIES.get(name, "")]
            if klass.doc:
                parts.append(klass.doc)
            if name in answers:
                parts.append("Answer of " + ", ".join(answers[name]) + ".")
            klass.doc = "\n\n".join(p for p in parts if p)


def ruff_format(source: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", str(TARGET), "-"],
        input=source,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if done.returncode:
        raise SystemExit(f"ruff format failed on the generated text:\n{done.stderr}")
    return done.stdout


def generate(spec_path: Path = SPEC) -> str:
    """The text of `trio_spotify/types.py` for the definition at `spec_path`."""
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    return ruff_format(Generator(spec).run())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=TARGET)
    parser.add_argument("--check", action="store_true", help="fail if the output is stale")
    args = parser.parse_args(argv)
    text = generate()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current == text:
            return 0
        sys.stdout.writelines(
            difflib.unified_diff(
                current.splitlines(keepends=True),
                text.splitlines(keepends=True),
                str(args.output),
                "generated",
            )
        )
        print(f"{args.output} is stale: run python scripts/generate_types.py", file=sys.stderr)
        return 1
    args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
