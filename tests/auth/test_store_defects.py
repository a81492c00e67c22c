"""FileTokenStore defects from issue 11: deep nesting, wrongly typed fields, stale temporaries."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from trio_spotify import FileTokenStore, Token, TokenStoreError

SECRET_REFRESH = "REFRESH-very-secret"


def _write(path: Path, entry: dict[str, Any]) -> None:
    document = {"format": "trio_spotify.tokens", "version": 1, "tokens": {"k": entry}}
    path.write_text(json.dumps(document))


def _good() -> dict[str, Any]:
    return {
        "access_token": "ACCESS",
        "refresh_token": SECRET_REFRESH,
        "expires_at": 1_800_000_000.0,
        "scope": "user-top-read",
        "token_type": "Bearer",
    }


async def test_a_deeply_nested_token_file_raises_token_store_error(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    content = b"[" * 200_000 + b"]" * 200_000
    path.write_bytes(content)
    with pytest.raises(TokenStoreError):
        await FileTokenStore(path).load("k")
    assert path.read_bytes() == content


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("expires_at", float("nan")),
        ("expires_at", float("inf")),
        ("expires_at", "soon"),
        ("expires_at", True),
        ("token_type", None),
        ("token_type", 3),
        ("refresh_token", 5),
        ("scope", ["a"]),
        ("access_token", 7),
    ],
)
async def test_a_wrongly_typed_field_is_refused_by_name(
    tmp_path: Path, field: str, value: object
) -> None:
    path = tmp_path / "tokens.json"
    _write(path, {**_good(), field: value})
    before = path.read_bytes()
    with pytest.raises(TokenStoreError) as info:
        await FileTokenStore(path).load("k")
    assert field in str(info.value)
    assert SECRET_REFRESH not in str(info.value)
    assert path.read_bytes() == before


async def test_a_well_formed_entry_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    _write(path, {**_good(), "refresh_token": None, "expires_at": 1_800_000_000})
    token = await FileTokenStore(path).load("k")
    assert token is not None
    assert token.expires_at == 1_800_000_000.0


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
async def test_save_sweeps_temporary_files_left_by_a_killed_save(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    store = FileTokenStore(path)
    await store.save("k", Token("ACCESS", refresh_token=SECRET_REFRESH))
    # What `kill -9` between mkstemp and the rename leaves behind.
    stale = tmp_path / ".tokens.json.abc123.tmp"
    stale.write_text(SECRET_REFRESH)
    unrelated = tmp_path / ".other.json.abc123.tmp"
    unrelated.write_text("keep me")
    await store.save("k2", Token("ACCESS2"))
    assert not stale.exists()
    assert unrelated.exists()
    leftovers = [name for name in os.listdir(tmp_path) if name.endswith(".tmp")]
    assert leftovers == [unrelated.name]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
async def test_the_temporary_file_is_created_0600(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    modes: list[int] = []
    real_replace = os.replace

    def spy(src: str, dst: Any) -> None:
        modes.append(stat.S_IMODE(os.stat(src).st_mode))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    old = os.umask(0)
    try:
        await FileTokenStore(tmp_path / "tokens.json").save("k", Token("ACCESS"))
    finally:
        os.umask(old)
    assert modes == [0o600]
