"""Paths and query parameters are formatted the way Spotify expects, and cannot be subverted."""

from __future__ import annotations

import enum

import pytest

import trio_spotify
from trio_spotify._request import format_params, format_path


class Kind(enum.Enum):
    TRACK = "track"


def test_params_join_lists_spell_booleans_and_drop_none():
    assert format_params(
        {
            "ids": ["a", "b"],
            "on": True,
            "off": False,
            "market": None,
            "limit": 5,
            "types": (Kind.TRACK,),
            "kind": Kind.TRACK,
        }
    ) == {
        "ids": "a,b",
        "on": "true",
        "off": "false",
        "limit": "5",
        "types": "track",
        "kind": "track",
    }
    assert format_params(None) == {}


def test_params_refuse_what_cannot_be_sent():
    with pytest.raises(ValueError, match=r"'ids'.*commas"):
        format_params({"ids": ["a,b"]})
    with pytest.raises(TypeError, match="'x'"):
        format_params({"x": object()})


def test_path_segments_are_encoded_and_cannot_escape():
    assert format_path("/users/{user_id}/playlists", user_id="a b/c?d") == (
        "/users/a%20b%2Fc%3Fd/playlists"
    )
    for bad in (".", "..", ""):
        with pytest.raises(ValueError, match="user_id"):
            format_path("/users/{user_id}", user_id=bad)


def test_dot_user_ids_are_refused():
    for bad in (".", ".."):
        with pytest.raises(ValueError, match="not a valid Spotify user ID"):
            trio_spotify.parse_id(bad, "user")
