"""Scopes: the enum matches Spotify's documented list; free strings are validated."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import trio_spotify
from trio_spotify import Scope, scope_set
from trio_spotify._auth import missing_scopes

PROTOCOL = Path("/work/shared/spotify/protocol.md")


def test_enum_lists_every_scope_of_the_protocol_table() -> None:
    if not PROTOCOL.exists():
        pytest.skip("the shared Spotify notes are not available")
    section = PROTOCOL.read_text().split("## 8. Scopes", 1)[1].split("## 9.", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    documented = {name for row in rows for name in re.findall(r"`([a-z][a-z-]+)`", row)}
    assert documented == {str(s.value) for s in Scope}


def test_members_are_strings() -> None:
    assert Scope.USER_TOP_READ == "user-top-read"
    assert f"{Scope.PLAYLIST_MODIFY_PRIVATE}" == "playlist-modify-private"
    assert trio_spotify.Scope is Scope


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, set()),
        ("", set()),
        ("user-top-read  user-library-read", {"user-top-read", "user-library-read"}),
        (Scope.STREAMING, {"streaming"}),
        ([Scope.USER_TOP_READ, "user-brand-new-scope"], {"user-top-read", "user-brand-new-scope"}),
        (("a", "a"), {"a"}),
    ],
)
def test_scope_set_accepts_enums_strings_and_new_names(given: object, expected: set[str]) -> None:
    assert scope_set(given) == frozenset(expected)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [[""], ["two words"], ['quote"d'], ["back\\slash"], ["tab\t"]])
def test_malformed_scope_names_are_refused_naming_them(bad: list[str]) -> None:
    with pytest.raises(ValueError, match="invalid scope"):
        scope_set(bad)


def test_non_strings_are_refused() -> None:
    with pytest.raises(TypeError, match="scope must be a string"):
        scope_set([1])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="scopes must be"):
        scope_set(3)  # type: ignore[arg-type]


def test_missing_scopes() -> None:
    granted = frozenset({"user-top-read"})
    assert missing_scopes(granted, [Scope.USER_TOP_READ, "user-library-read"]) == {
        "user-library-read"
    }
    assert missing_scopes(granted, "user-top-read") == frozenset()


def test_flows_validate_their_scopes() -> None:
    with pytest.raises(ValueError, match="invalid scope"):
        trio_spotify.PKCE("id", "http://127.0.0.1:8080/cb", scope=["user-top-read", "bad scope"])
    flow = trio_spotify.PKCE("id", "http://127.0.0.1:8080/cb", scope=Scope.USER_TOP_READ)
    assert flow.scope == {"user-top-read"}
