"""Token stores: memory and file (JSON, atomic, 0600, several keys, corrupt files untouched,
concurrent saves serialised)."""

from __future__ import annotations

import json
import os
import stat
import sys
import threading
import time
from pathlib import Path

import pytest
import trio

from trio_spotify import FileTokenStore, MemoryTokenStore, Token, TokenStore, TokenStoreError

SECRET_ACCESS = "ACCESS-very-secret"
SECRET_REFRESH = "REFRESH-very-secret"


def token(n: int = 0) -> Token:
    return Token(
        f"{SECRET_ACCESS}-{n}",
        refresh_token=f"{SECRET_REFRESH}-{n}",
        expires_at=1_800_000_000.0 + n,
        scope="user-top-read user-library-read",
    )


async def test_memory_store_round_trip() -> None:
    store = MemoryTokenStore()
    assert isinstance(store, TokenStore)
    assert await store.load("a/b") is None
    await store.save("a/b", token(1))
    assert await store.load("a/b") == token(1)
    await store.delete("a/b")
    assert await store.load("a/b") is None
    assert SECRET_ACCESS not in repr(store)


async def test_file_store_round_trip_with_several_keys(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "tokens.json")
    assert isinstance(store, TokenStore)
    assert await store.load("app/alice") is None  # no file yet
    await store.save("app/alice", token(1))
    await store.save("app/bob", token(2))
    await store.save("other-app/alice", token(3))
    await store.save("app/alice", token(4))  # replaces alice's, keeps the others
    again = FileTokenStore(tmp_path / "tokens.json")  # a later run
    assert await again.load("app/alice") == token(4)
    assert await again.load("app/bob") == token(2)
    assert await again.load("other-app/alice") == token(3)
    assert await again.keys() == ["app/alice", "app/bob", "other-app/alice"]
    document = json.loads((tmp_path / "tokens.json").read_text())
    assert document["format"] == "trio_spotify.tokens"
    assert document["version"] == 1
    entry = document["tokens"]["app/bob"]
    assert entry["refresh_token"] == f"{SECRET_REFRESH}-2"
    assert entry["scope"] == "user-library-read user-top-read"
    assert abs(entry["saved_at"] - time.time()) < 60
    await again.delete("app/bob")
    assert await store.keys() == ["app/alice", "other-app/alice"]
    assert SECRET_ACCESS not in repr(store)


async def test_file_and_directory_permissions(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        path = tmp_path / "new-dir" / "tokens.json"
        await FileTokenStore(path).save("k", token())
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    # A file made readable by others is rewritten with mode 0600 at the next save.
    path.chmod(0o644)
    await FileTokenStore(path).save("k", token(2))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_default_path_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert FileTokenStore.default().path == tmp_path / "trio-spotify" / "tokens.json"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert FileTokenStore.default().path == Path.home() / ".config/trio-spotify/tokens.json"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b'{"format": "trio_spotify.tokens", "version": 1, "tokens": {"k": {"access_tok',
            "not valid JSON",
        ),
        (b"\xff\xfe garbage", "not valid JSON"),
        (b'["a", "list"]', "not a trio_spotify token file"),
        (b'{"some": "other json"}', "not a trio_spotify token file"),
        (b'{"format": "trio_spotify.tokens", "version": 99, "tokens": {}}', "unsupported"),
    ],
)
async def test_a_corrupt_file_raises_and_is_left_untouched(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "tokens.json"
    path.write_bytes(content)
    store = FileTokenStore(path)
    with pytest.raises(TokenStoreError, match=message) as info:
        await store.load("k")
    assert str(path) in str(info.value)
    assert "access_tok" not in str(info.value)  # the content is never echoed
    with pytest.raises(TokenStoreError, match=message):
        await store.save("k", token())
    assert path.read_bytes() == content
    assert sorted(os.listdir(tmp_path)) in (["tokens.json"], [".tokens.json.lock", "tokens.json"])


async def test_a_malformed_entry_raises_naming_the_key(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    content = json.dumps(
        {
            "format": "trio_spotify.tokens",
            "version": 1,
            "tokens": {"bad": {"refresh_token": SECRET_REFRESH}, "good": token().to_json()},
        }
    ).encode()
    path.write_bytes(content)
    store = FileTokenStore(path)
    with pytest.raises(TokenStoreError, match="'bad'") as info:
        await store.load("bad")
    assert SECRET_REFRESH not in str(info.value)
    assert await store.load("good") == token()
    assert path.read_bytes() == content


async def test_an_unreadable_file_raises_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    path.mkdir()  # a directory where the file should be: reading fails for any user
    with pytest.raises(TokenStoreError, match="cannot read the token file"):
        await FileTokenStore(path).load("k")
    with pytest.raises(TokenStoreError, match="cannot read the token file"):
        await FileTokenStore(path).save("k", token())
    assert path.is_dir()


async def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "tokens.json"
    store = FileTokenStore(path)
    await store.save("k", token(1))
    before = path.read_bytes()

    def fail_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", fail_fsync)
    with pytest.raises(TokenStoreError, match="cannot write the token file: No space left"):
        await store.save("k", token(2))
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) in (["tokens.json"], [".tokens.json.lock", "tokens.json"])


async def test_writes_go_through_a_temporary_file_renamed_into_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "tokens.json"
    store = FileTokenStore(path)
    await store.save("k", token(1))
    renames: list[tuple[str, str, bytes]] = []
    real_replace = os.replace

    def spy_replace(src: str, dst: str | Path) -> None:
        # At the moment of the rename the target still holds the complete old file.
        renames.append((str(src), str(dst), Path(dst).read_bytes()))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy_replace)
    old = path.read_bytes()
    await store.save("k", token(2))
    ((src, dst, at_rename),) = renames
    assert Path(src).parent == tmp_path
    assert src != dst
    assert dst == str(path)
    assert at_rename == old
    assert await store.load("k") == token(2)


async def test_concurrent_saves_never_interleave(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "tokens.json"
    store = FileTokenStore(path)
    active = 0
    peak = 0
    guard = threading.Lock()
    real_update = FileTokenStore._update

    def slow_update(self: FileTokenStore, key: str, entry: object) -> None:
        nonlocal active, peak
        with guard:
            active += 1
            peak = max(peak, active)
        time.sleep(0.002)  # widen the read-modify-write window (worker thread)
        try:
            real_update(self, key, entry)  # type: ignore[arg-type]
        finally:
            with guard:
                active -= 1

    monkeypatch.setattr(FileTokenStore, "_update", slow_update)
    with trio.fail_after(30):
        async with trio.open_nursery() as nursery:
            for n in range(40):
                nursery.start_soon(store.save, f"app/user{n}", token(n))
    assert peak == 1
    assert len(await store.keys()) == 40
    for n in range(40):
        assert await store.load(f"app/user{n}") == token(n)


async def test_two_stores_on_one_file_never_lose_updates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two FileTokenStore objects have two trio.Locks: only the file lock (flock), which is
    # what separate processes share, keeps their read-modify-writes apart.
    path = tmp_path / "tokens.json"
    stores = [FileTokenStore(path), FileTokenStore(path)]
    real_update = FileTokenStore._update_locked

    def slow_update(self: FileTokenStore, key: str, entry: object) -> None:
        time.sleep(0.002)  # widen the read-modify-write window (worker thread)
        real_update(self, key, entry)  # type: ignore[arg-type]

    monkeypatch.setattr(FileTokenStore, "_update_locked", slow_update)
    with trio.fail_after(30):
        async with trio.open_nursery() as nursery:
            for n in range(40):
                nursery.start_soon(stores[n % 2].save, f"app/user{n}", token(n))
    assert len(await stores[0].keys()) == 40
    lock = tmp_path / ".tokens.json.lock"
    assert stat.S_IMODE(lock.stat().st_mode) == 0o600


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file locks")
async def test_a_save_waits_for_another_process_holding_the_file_lock(tmp_path: Path) -> None:
    import fcntl

    path = tmp_path / "tokens.json"
    store = FileTokenStore(path)
    await store.save("first", token(1))
    fd = os.open(tmp_path / ".tokens.json.lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another process is in the middle of an update
    try:
        with trio.fail_after(10):
            async with trio.open_nursery() as nursery:
                nursery.start_soon(store.save, "second", token(2))
                await trio.sleep(0.2)
                assert await FileTokenStore(path).keys() == ["first"]  # still waiting
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
    assert await store.keys() == ["first", "second"]


async def test_bad_arguments(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "t.json")
    with pytest.raises(ValueError, match="key"):
        await store.save("", token())
    with pytest.raises(TypeError, match="Token"):
        await store.save("k", {"access_token": "x"})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Token"):
        await MemoryTokenStore().save("k", "x")  # type: ignore[arg-type]


def test_file_path_expands_the_home_directory() -> None:
    assert FileTokenStore("~/x.json").path == Path.home() / "x.json"
