"""`trio_spotify.types` is generated, complete and usable: it is what
`scripts/generate_types.py` writes today, it has every name issue 12 lists, its generic
paging types subscript, and it validates (with pydantic) the way the runtime test relies on.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import sys
import typing
from pathlib import Path
from typing import Any

import pydantic
import pytest
import typing_extensions

from trio_spotify import types

ROOT = Path(__file__).resolve().parents[2]

#: Every type issue 12 names, plus the wrappers endpoint methods return.
NAMES = [
    "Album",
    "SimplifiedAlbum",
    "Artist",
    "SimplifiedArtist",
    "Track",
    "SimplifiedTrack",
    "Playlist",
    "SimplifiedPlaylist",
    "PlaylistTrack",
    "Episode",
    "SimplifiedEpisode",
    "Show",
    "SimplifiedShow",
    "Audiobook",
    "SimplifiedAudiobook",
    "Chapter",
    "SimplifiedChapter",
    "User",
    "PrivateUser",
    "Device",
    "CurrentlyPlaying",
    "PlaybackState",
    "Queue",
    "PlayHistory",
    "Category",
    "Image",
    "Copyright",
    "ExternalUrls",
    "ExternalIds",
    "Restrictions",
    "ResumePoint",
    "AudioFeatures",
    "AudioAnalysis",
    "Recommendations",
    "SavedTrack",
    "SavedAlbum",
    "SavedShow",
    "SavedEpisode",
    "SavedAudiobook",
    "Followers",
    "Paging",
    "CursorPaging",
    "SnapshotId",
    "SearchResults",
    "FollowedArtists",
    "FeaturedPlaylists",
    "NewReleases",
    "Categories",
    "Devices",
    "GenreSeeds",
    "Markets",
    "SeveralTracks",
    "SeveralArtists",
    "SeveralAlbums",
]


@functools.cache
def generator() -> Any:
    spec = importlib.util.spec_from_file_location(
        "generate_types", ROOT / "scripts" / "generate_types.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_types"] = module
    sys.path.insert(0, str(ROOT / "scripts"))  # for its sibling `types_render`
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return module


def test_the_committed_module_is_what_the_generator_writes() -> None:
    committed = (ROOT / "trio_spotify" / "types.py").read_text(encoding="utf-8")
    assert generator().generate() == committed, "run: python scripts/generate_types.py"


def test_every_listed_name_exists_and_is_exported() -> None:
    missing = [name for name in NAMES if not hasattr(types, name)]
    assert missing == []
    assert set(NAMES) <= set(types.__all__)


def test_all_lists_exactly_the_typeddicts_of_the_module() -> None:
    defined = {
        name
        for name, value in vars(types).items()
        if typing_extensions.is_typeddict(value) and value.__module__ == types.__name__
    }
    assert sorted(types.__all__) == types.__all__
    assert set(types.__all__) == defined


def test_every_typeddict_resolves_its_annotations() -> None:
    for name in types.__all__:
        hints = typing.get_type_hints(getattr(types, name))
        assert hints, name


def test_paging_types_are_generic() -> None:
    page = types.Paging[types.Track]
    assert typing.get_origin(page) is types.Paging
    assert typing.get_args(page) == (types.Track,)
    cursor_items = typing.get_type_hints(types.CursorPaging)["items"]
    assert typing.get_origin(cursor_items) is list
    followed = typing.get_type_hints(types.FollowedArtists)["artists"]
    assert typing.get_origin(followed) is types.CursorPaging


def test_optionality_follows_what_spotify_sends() -> None:
    track = types.Track
    assert "is_playable" in track.__optional_keys__  # only with a market
    assert "preview_url" in track.__optional_keys__  # deprecated
    assert "name" in track.__required_keys__
    hints = typing.get_type_hints(track)
    assert type(None) in typing.get_args(hints["preview_url"])
    assert type(None) in typing.get_args(typing.get_type_hints(types.Playlist)["public"])
    assert "primary_color" in types.Playlist.__optional_keys__  # undocumented, declared
    assert typing.get_args(typing.get_type_hints(types.Album)["album_type"]) == (
        "album",
        "single",
        "compilation",
    )
    assert typing.get_args(typing.get_type_hints(types.PlaybackState)["repeat_state"]) == (
        "off",
        "track",
        "context",
    )


def test_deprecated_keys_say_so_in_the_module() -> None:
    text = (ROOT / "trio_spotify" / "types.py").read_text(encoding="utf-8")
    block = text[text.index("class Album(TypedDict)") :]
    block = block[: block.index("\nclass ")]
    label = block[block.index("    label:") :]
    assert label.startswith("    label: NotRequired[str]")
    assert "Deprecated: not sent to development-mode apps" in label[:400]


IMAGE = {"url": "https://i.scdn.co/image/x", "height": 640, "width": None}


def test_validation_allows_extra_keys_and_rejects_missing_or_mistyped_ones() -> None:
    adapter = pydantic.TypeAdapter(types.Image)
    adapter.validate_python({**IMAGE, "new_key": 1}, strict=True)
    for broken in ({"url": IMAGE["url"], "height": 1}, {**IMAGE, "height": "640"}):
        with pytest.raises(pydantic.ValidationError):
            adapter.validate_python(broken, strict=True)


def test_a_redundant_or_unknown_override_stops_the_generator() -> None:
    gen = generator()
    spec: dict[str, Any] = gen.yaml.safe_load(gen.SPEC.read_text(encoding="utf-8"))
    for row, message in [
        ((("Track", "preview_url"), ["nullable"]), "already nullable"),
        ((("Track", "name"), ["required"]), "already required"),
        ((("Track", "no_such_key"), ["optional"]), "no such key"),
    ]:
        overrides = copy.deepcopy(gen.OVERRIDES)
        overrides[row[0]] = row[1]
        original, gen.OVERRIDES = gen.OVERRIDES, overrides
        try:
            with pytest.raises(ValueError, match=message):
                gen.Generator(spec).run()
        finally:
            gen.OVERRIDES = original
