"""`trio_spotify.testing._fields`: Spotify's field filter, as a pure function.

Source: the definition's `fields` parameter of `get-playlist` and `get-playlists-items`
(tests/data/fixed-spotify-open-api.yml): comma lists, dots for single fields,
parentheses for the fields of each element, `!` for exclusions; the examples below are
the definition's own."""

from __future__ import annotations

from typing import Any

import pytest

from trio_spotify.testing._fields import FieldsError, apply_fields, parse_fields

ALBUM = {"name": "A", "href": "h-album", "external_urls": {"spotify": "u"}, "images": []}
TRACK = {"name": "T", "href": "h-track", "album": ALBUM, "id": "t"}
ENTRY = {"added_at": "2024", "added_by": {"id": "smedjan", "type": "user"}, "track": TRACK}
PAGE = {"href": "h", "items": [ENTRY, {**ENTRY, "track": None}], "limit": 2, "total": 2}


def filtered(text: str, value: Any = PAGE) -> Any:
    return apply_fields(parse_fields(text), value)


def test_a_comma_list_keeps_only_those_fields() -> None:
    # "to get just the total number of items and the request limit: fields=total,limit"
    assert filtered("total,limit") == {"limit": 2, "total": 2}


def test_parentheses_select_within_each_element_and_dots_within_one_object() -> None:
    # "fields=items(added_at,added_by.id)"
    assert filtered("items(added_at,added_by.id)") == {
        "items": [
            {"added_at": "2024", "added_by": {"id": "smedjan"}},
            {"added_at": "2024", "added_by": {"id": "smedjan"}},
        ]
    }


def test_nested_parentheses_drill_down_and_null_stays_null() -> None:
    # "fields=items(track(name,href,album(name,href)))"
    got = filtered("items(track(name,href,album(name,href)))")
    assert got["items"][0] == {
        "track": {"name": "T", "href": "h-track", "album": {"name": "A", "href": "h-album"}}
    }
    assert got["items"][1] == {"track": None}


def test_an_exclamation_mark_excludes_the_fields_of_its_list() -> None:
    # "fields=items.track.album(!external_urls,images)": the album without either.
    got = filtered("items.track.album(!external_urls,images)")
    assert got["items"][0] == {"track": {"album": {"name": "A", "href": "h-album"}}}
    # An exclusion list keeps everything it does not name; a named field with its own
    # selection is kept, filtered.
    assert filtered("!items,href") == {"limit": 2, "total": 2}
    assert filtered("!href,items(added_at)") == {
        "items": [{"added_at": "2024"}, {"added_at": "2024"}],
        "limit": 2,
        "total": 2,
    }


def test_the_playlist_examples_filter_a_full_playlist() -> None:
    playlist = {"name": "P", "description": "d", "uri": "spotify:playlist:x", "tracks": PAGE}
    # "to get just the playlist's description and URI: fields=description,uri"
    assert filtered("description,uri", playlist) == {
        "description": "d",
        "uri": "spotify:playlist:x",
    }
    # "fields=tracks.items(track(name,href,album(!name,href)))"
    got = filtered("tracks.items(track(name,href,album(!name,href)))", playlist)
    assert got["tracks"]["items"][0]["track"] == {
        "name": "T",
        "href": "h-track",
        "album": {"external_urls": {"spotify": "u"}, "images": []},
    }


def test_a_field_named_twice_is_selected_with_both_selections() -> None:
    got = filtered("items(added_at),items(track(name))")
    assert got["items"][0] == {"added_at": "2024", "track": {"name": "T"}}
    assert filtered("total,total") == {"total": 2}


def test_no_filter_and_an_empty_filter_keep_everything_and_nothing_is_changed() -> None:
    assert parse_fields(None) is None
    assert parse_fields("") is None
    assert filtered("") == PAGE
    before = repr(PAGE)
    filtered("items(track(name))")
    assert repr(PAGE) == before  # a new object; the answer it was made from is unchanged
    assert filtered("nothere") == {}


@pytest.mark.parametrize(
    "text",
    [
        "items(",  # an unclosed parenthesis
        "items)",  # a stray one
        "items()",  # an empty list
        ",total",  # an empty name
        "total,",
        "items..track",
        "items.",
        "to tal",  # not a key
        "items(track(name)",
        "!",
        "items!(x)",
    ],
)
def test_a_malformed_filter_is_refused(text: str) -> None:
    with pytest.raises(FieldsError, match="invalid fields filter"):
        parse_fields(text)
