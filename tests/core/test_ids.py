"""IDs, URIs and open.spotify.com URLs: parsing, kind checks and building."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import trio_spotify
from trio_spotify import SpotifyID, _ids, parse_id, parse_uri, to_uri, to_url

T = "4uLU6hMCjMI75M1A2tKUQC"


@pytest.mark.parametrize(
    "value",
    [
        T,
        f"spotify:track:{T}",
        f"https://open.spotify.com/track/{T}",
        f"https://open.spotify.com/track/{T}?si=0123abcd&context=x",
        f"https://open.spotify.com/intl-de/track/{T}",
        f"https://open.spotify.com/intl-pt_BR/track/{T}?si=z",
        f"http://open.spotify.com/embed/track/{T}",
    ],
)
def test_every_form_of_a_track_gives_the_bare_id(value: str) -> None:
    assert parse_id(value, "track") == T
    assert SpotifyID.parse(value, "track") == SpotifyID("track", T)


def test_uri_and_url_are_built_from_kind_and_id() -> None:
    assert to_uri("album", T) == f"spotify:album:{T}"
    assert to_url("album", T) == f"https://open.spotify.com/album/{T}"
    assert to_uri("album", f"https://open.spotify.com/album/{T}") == f"spotify:album:{T}"
    sid = SpotifyID.parse(f"spotify:episode:{T}")
    assert (sid.kind, sid.id, sid.uri, str(sid)) == ("episode", T, f"spotify:episode:{T}", sid.uri)
    assert sid.url == f"https://open.spotify.com/episode/{T}"


def test_a_uri_of_the_wrong_kind_is_refused_with_both_kinds_named() -> None:
    with pytest.raises(ValueError, match=r"names an album, but a track is expected") as info:
        parse_id(f"spotify:album:{T}", "track")
    assert T in str(info.value)
    with pytest.raises(ValueError, match="names a playlist"):
        parse_id(f"https://open.spotify.com/playlist/{T}", "track")


@pytest.mark.parametrize(
    "value",
    [
        "",
        "short",
        T + "x",
        T[:-1] + "!",
        "spotify:track:",
        "spotify:banana:" + T,
        "https://example.com/track/" + T,
        "https://open.spotify.com/track/",
        "https://open.spotify.com/unknown/" + T,
    ],
)
def test_malformed_values_raise_value_error_naming_them(value: str) -> None:
    with pytest.raises(ValueError, match="not") as info:
        parse_id(value, "track")
    assert repr(value)[:20] in str(info.value)


def test_user_ids_are_free_form_but_cannot_smuggle_path_characters() -> None:
    assert parse_id("smedjan", "user") == "smedjan"
    assert parse_id("spotify:user:smedjan", "user") == "smedjan"
    assert parse_id("https://open.spotify.com/user/smedjan?si=1", "user") == "smedjan"
    for bad in ("", "a/b", "a?b", "a,b"):
        with pytest.raises(ValueError, match="not a valid Spotify user ID"):
            parse_id(bad, "user")


def test_legacy_user_playlist_uris_and_urls_name_the_playlist() -> None:
    assert parse_id(f"spotify:user:someone:playlist:{T}", "playlist") == T
    assert parse_id(f"https://open.spotify.com/user/someone/playlist/{T}", "playlist") == T


def test_parse_uri_needs_a_kind_for_bare_ids_unless_a_default_is_given() -> None:
    with pytest.raises(ValueError, match="bare ID"):
        parse_uri(T, ["track", "album"])
    assert parse_uri(T, ["track", "episode"], default="track") == f"spotify:track:{T}"
    assert parse_uri(f"https://open.spotify.com/show/{T}", ["show"]) == f"spotify:show:{T}"
    with pytest.raises(ValueError, match="names an artist"):
        parse_uri(f"spotify:artist:{T}", ["track", "episode"], default="track")


def test_spotify_id_validates_on_construction_and_is_a_frozen_value() -> None:
    with pytest.raises(ValueError, match="'nope' is not a valid Spotify track ID"):
        SpotifyID("track", "nope")
    with pytest.raises(ValueError, match="unknown Spotify kind"):
        SpotifyID("banana", T)  # type: ignore[arg-type]
    sid = SpotifyID("track", T)
    assert {sid, SpotifyID("track", T)} == {sid}
    with pytest.raises(AttributeError):
        sid.id = "x"  # type: ignore[misc]


def test_a_bare_id_without_a_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="bare ID"):
        SpotifyID.parse(T)


def test_non_strings_raise_type_error() -> None:
    with pytest.raises(TypeError):
        parse_id(123, "track")  # type: ignore[arg-type]


def test_helpers_are_exported_from_the_package() -> None:
    assert trio_spotify.parse_id is parse_id
    assert {"SpotifyID", "parse_id", "parse_uri", "to_uri", "to_url"} <= set(trio_spotify.__all__)


@pytest.mark.parametrize(
    "call",
    [
        lambda: parse_id(f"spotify:track:{T}", "track"),
        lambda: parse_id(f"https://open.spotify.com/intl-de/track/{T}", ["track", "episode"]),
        lambda: parse_id(T, "track"),
        lambda: parse_uri(f"spotify:user:smedjan:playlist:{T}", "playlist"),
        lambda: parse_uri(T, ["track", "episode"], default="track"),
        lambda: SpotifyID.parse(f"https://open.spotify.com/embed/track/{T}"),
        lambda: to_uri("track", T),
    ],
)
def test_each_value_is_split_and_checked_once(
    call: Callable[[], object], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    split, check = _ids._split, _ids._check_bare

    def counting_split(value: str) -> tuple[str, str] | None:
        calls.append("split")
        return split(value)

    def counting_check(candidate: str, kind: str, original: object) -> None:
        calls.append("check")
        check(candidate, kind, original)

    monkeypatch.setattr(_ids, "_split", counting_split)
    monkeypatch.setattr(_ids, "_check_bare", counting_check)
    call()
    assert calls == ["split", "check"]


def test_parsed_ids_equal_constructed_ones_and_parse_forms_agree() -> None:
    legacy = SpotifyID.parse(f"spotify:user:smedjan:playlist:{T}")
    assert legacy == SpotifyID("playlist", T)
    assert hash(legacy) == hash(SpotifyID("playlist", T))
    assert repr(legacy) == f"SpotifyID(kind='playlist', id='{T}')"
    assert parse_uri(T, "track", default="track") == f"spotify:track:{T}"
    with pytest.raises(ValueError, match="unknown Spotify kind"):
        parse_uri(T, "track", default="banana")  # type: ignore[arg-type]
