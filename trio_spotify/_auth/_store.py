"""Token persistence: where a signed-in user's token lives between runs.

A `TokenStore` is anything with `async load(key)` and `async save(key, token)`.
The sign-in strategies (`_flows.py`) save through one after the sign-in and after every
renewal — including when Spotify rotates the refresh token, which would otherwise be lost
and leave the user signed out at the next run.

Two stores ship:

- `MemoryTokenStore`: a dict, for tests and short-lived programs.
- `FileTokenStore`: one JSON file holding the tokens of several users/apps, keyed by
  strings such as `"<client id>/<user>"`. Every save writes a temporary file in the same
  directory with mode 0600, flushes it to disk and renames it over the old file, so a crash
  leaves either the old or the new file, never half of one; a temporary file left by a save
  killed before its rename (it may hold a refresh token) is removed by the next save. A
  file that cannot be read or parsed (or whose entry has a wrongly typed field, named in
  the message) raises `TokenStoreError` and is left exactly as it was: it may hold the only
  copy of a refresh token, so it is never silently replaced. Saves from several tasks are
  serialised by a `trio.Lock` and the file I/O runs in a worker thread, so the event loop
  never blocks on the disk. Each read-modify-write also holds an advisory `flock` on a
  lock file beside the token file (`.tokens.json.lock`, POSIX only), so several processes
  — a long-running program refreshing its token while `trio-spotify login` signs in another
  user — never lose each other's updates.

The file looks like:

    {"format": "trio_spotify.tokens", "version": 1,
     "tokens": {"0123456789abcdef/alice": {"access_token": "...", "refresh_token": "...",
                                           "expires_at": 1767225600.0, "scope": "...",
                                           "token_type": "Bearer", "saved_at": 1767222000.0}}}
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import trio

from .._errors import TokenStoreError
from ._token import Token

__all__ = ["FileTokenStore", "MemoryTokenStore", "TokenStore"]

_FORMAT = "trio_spotify.tokens"
_VERSION = 1


def _bad_field(entry: dict[str, Any]) -> str | None:
    """The name of the first field of a stored token entry with a wrong type, or `None`."""
    if not isinstance(entry.get("access_token"), str) or not entry["access_token"]:
        return "access_token"
    for name in ("refresh_token", "scope"):
        if name in entry and entry[name] is not None and not isinstance(entry[name], str):
            return name
    if "token_type" in entry and not isinstance(entry["token_type"], str):
        return "token_type"
    expires_at = entry.get("expires_at")
    if expires_at is not None and (
        isinstance(expires_at, bool)
        or not isinstance(expires_at, (int, float))
        or not math.isfinite(expires_at)
    ):
        return "expires_at"
    return None


@runtime_checkable
class TokenStore(Protocol):
    """Where tokens are kept between runs, by key.

    `load` returns `None` for an unknown key; both methods are checkpoints and raise
    `TokenStoreError` when the storage fails.
    """

    async def load(self, key: str) -> Token | None: ...

    async def save(self, key: str, token: Token) -> None: ...


def _check_key(key: object) -> str:
    if not isinstance(key, str) or not key:
        raise ValueError("a token store key must be a non-empty string")
    return key


class MemoryTokenStore:
    """Tokens in a dict, for tests and programs that sign in each time they run."""

    def __init__(self) -> None:
        self._tokens: dict[str, Token] = {}
        #: How many saves were made (tests count rotations with it).
        self.saves: int = 0

    def __repr__(self) -> str:
        return f"<MemoryTokenStore keys={sorted(self._tokens)!r}>"

    async def load(self, key: str) -> Token | None:
        """The token saved under `key`, or `None`. A checkpoint."""
        await trio.lowlevel.checkpoint()
        return self._tokens.get(_check_key(key))

    async def save(self, key: str, token: Token) -> None:
        """Keep `token` under `key`, replacing what was there. A checkpoint."""
        if not isinstance(token, Token):
            raise TypeError(f"expected a trio_spotify.Token, not {type(token).__name__}")
        await trio.lowlevel.checkpoint()
        self._tokens[_check_key(key)] = token
        self.saves += 1

    async def delete(self, key: str) -> None:
        """Forget the token under `key` (nothing happens if there is none). A checkpoint."""
        await trio.lowlevel.checkpoint()
        self._tokens.pop(_check_key(key), None)


class FileTokenStore:
    """Tokens in one JSON file, written atomically with mode 0600.

    `path` may start with `~`. The file and its directory (mode 0700) are created by the
    first save. See the module documentation for the format and the guarantees.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path: Path = Path(path).expanduser()
        self._lock = trio.Lock()

    def __repr__(self) -> str:
        return f"<FileTokenStore path={str(self.path)!r}>"

    @classmethod
    def default(cls) -> FileTokenStore:
        """The per-user default: `$XDG_CONFIG_HOME/trio-spotify/tokens.json` (`~/.config`)."""
        base = os.environ.get("XDG_CONFIG_HOME") or os.path.join("~", ".config")
        return cls(Path(base, "trio-spotify", "tokens.json"))

    # -- public API ----------------------------------------------------------------------

    async def load(self, key: str) -> Token | None:
        """The token saved under `key`, or `None` when the file or the key does not exist.

        A checkpoint (the file is read in a worker thread). Raises `TokenStoreError`
        when the file cannot be read or is not a token file; the file is not modified.
        """
        _check_key(key)
        entries = await trio.to_thread.run_sync(self._read_entries)
        entry = entries.get(key)
        if entry is None:
            return None
        return self._entry_to_token(key, entry)

    async def keys(self) -> list[str]:
        """The keys the file holds, sorted. A checkpoint; raises `TokenStoreError`."""
        return sorted(await trio.to_thread.run_sync(self._read_entries))

    async def save(self, key: str, token: Token) -> None:
        """Save `token` under `key`, keeping the other keys, atomically.

        A checkpoint. Concurrent saves wait for each other (a `trio.Lock`), so none is lost.
        Raises `TokenStoreError` when the existing file cannot be parsed (it is left
        untouched and nothing is written) or the write fails.
        """
        _check_key(key)
        if not isinstance(token, Token):
            raise TypeError(f"expected a trio_spotify.Token, not {type(token).__name__}")
        entry = {**token.to_json(), "saved_at": time.time()}
        async with self._lock:
            await trio.to_thread.run_sync(self._update, key, entry)

    async def delete(self, key: str) -> None:
        """Remove `key` from the file (nothing happens if it is absent). A checkpoint."""
        _check_key(key)
        async with self._lock:
            await trio.to_thread.run_sync(self._update, key, None)

    # -- worker-thread helpers -----------------------------------------------------------

    @contextlib.contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        try:
            yield
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise TokenStoreError(
                f"cannot {doing} the token file: {reason}", str(self.path)
            ) from None

    def _read_entries(self) -> dict[str, Any]:
        with self._errors("read"):
            try:
                raw = self.path.read_bytes()
            except FileNotFoundError:
                return {}
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            # Never echo the content: it may be a token file with one byte missing.
            raise TokenStoreError(
                "the token file is not valid JSON; it was left untouched — move it away or "
                "delete it, then sign in again",
                str(self.path),
            ) from None
        if (
            not isinstance(data, dict)
            or data.get("format") != _FORMAT
            or not isinstance(data.get("tokens"), dict)
        ):
            raise TokenStoreError(
                f"the file is not a trio_spotify token file (expected an object with "
                f'"format": "{_FORMAT}" and "tokens"); it was left untouched',
                str(self.path),
            )
        if data.get("version") != _VERSION:
            raise TokenStoreError(
                f"unsupported token file version {data.get('version')!r} (this trio_spotify "
                f"reads version {_VERSION}); it was left untouched",
                str(self.path),
            )
        tokens: dict[str, Any] = data["tokens"]
        return tokens

    def _entry_to_token(self, key: str, entry: Any) -> Token:
        if isinstance(entry, dict):
            bad = _bad_field(entry)
            if bad is not None:
                raise TokenStoreError(
                    f"the entry {key!r} of the token file has an invalid {bad!r}; "
                    "the file was left untouched",
                    str(self.path),
                )
            try:
                return Token.from_json(entry)
            except ValueError:
                pass
        raise TokenStoreError(
            f"the entry {key!r} of the token file is not a token; the file was left untouched",
            str(self.path),
        )

    @contextlib.contextmanager
    def _process_lock(self) -> Iterator[None]:
        """An exclusive advisory lock shared with other processes (POSIX), in a worker thread."""
        if sys.platform == "win32":  # pragma: no cover
            yield
            return
        import fcntl

        directory = self.path.parent
        with self._errors("lock"):
            if not directory.exists():
                directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(directory / f".{self.path.name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            with self._errors("lock"):
                fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _update(self, key: str, entry: dict[str, Any] | None) -> None:
        with self._process_lock():
            self._update_locked(key, entry)

    def _sweep_temporaries(self) -> None:
        """Remove temporary files left by a save that was killed before its rename.

        Called with the process lock held: only the lock holder writes a temporary file,
        so every one found here is stale — and may hold a refresh token.
        """
        pattern = f".{self.path.name}.*.tmp"
        with contextlib.suppress(OSError):
            for stale in self.path.parent.glob(pattern):
                with contextlib.suppress(OSError):
                    stale.unlink()

    def _update_locked(self, key: str, entry: dict[str, Any] | None) -> None:
        self._sweep_temporaries()
        entries = dict(self._read_entries())  # raises, writing nothing, if the file is bad
        if entry is None:
            if key not in entries:
                return
            del entries[key]
        else:
            entries[key] = entry
        document = {"format": _FORMAT, "version": _VERSION, "tokens": entries}
        payload = json.dumps(document, indent=1, sort_keys=True).encode() + b"\n"
        with self._errors("write"):
            self._write_atomically(payload)

    def _write_atomically(self, payload: bytes) -> None:
        directory = self.path.parent
        if not directory.exists():
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        # mkstemp creates the file with mode 0600 (O_EXCL), in the same directory so that
        # the rename below is atomic on the same file system.
        fd, temp_name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=directory)
        renamed = False
        try:
            with os.fdopen(fd, "wb") as file:
                os.fchmod(file.fileno(), 0o600)
                file.write(payload)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temp_name, self.path)
            renamed = True
        finally:
            if not renamed:
                with contextlib.suppress(OSError):
                    os.unlink(temp_name)
        # Make the rename itself durable.
        with contextlib.suppress(OSError):
            dir_fd = os.open(directory, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
