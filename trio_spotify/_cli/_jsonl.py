"""The crawler's output: JSON Lines written whole, one record per line, resumable.

Every record is an object with at least `kind` and `id`; `(kind, id)` is its key. The
writer remembers the keys it has written (and, when resuming, the keys already in the
file) and drops a record whose key it has seen, so a resumed or overlapping crawl never
duplicates a line.

Nothing written is ever half a line:

- a record is serialised completely before anything is written, then written with a single
  `write` of the whole line (newline included) and flushed, so a reader — or a crash —
  sees either the line or nothing of it;
- `JsonlWriter.write` is protected from `KeyboardInterrupt` (trio delivers a Ctrl-C
  that arrives inside it at the next checkpoint instead);
- `read_keys` reads a file left by an interrupted run, and cuts off a trailing partial
  line (a run killed outright, by `SIGKILL` or a power cut, can leave one) so that
  appending continues on a line boundary.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import IO, Any

import attrs
import trio

__all__ = ["JsonlWriter", "OutputError", "ResumeState", "read_keys", "record_key"]


class OutputError(Exception):
    """The output file cannot be used (unreadable, not JSON Lines, exists without --resume)."""


def record_key(record: Any) -> str:
    """`"<kind>:<id>"` of a crawl record; raises `ValueError` for any other value."""
    if not isinstance(record, dict):
        raise ValueError("a record must be a JSON object")
    kind, ident = record.get("kind"), record.get("id")
    if not isinstance(kind, str) or not isinstance(ident, str) or not kind or not ident:
        raise ValueError("a record must have string 'kind' and 'id' fields")
    return f"{kind}:{ident}"


@attrs.frozen
class ResumeState:
    """What `read_keys` found in an existing output file."""

    #: The keys of the complete records in the file.
    keys: frozenset[str]
    #: Complete records found.
    lines: int
    #: Bytes of a trailing partial line that were cut off (0 if the file ended cleanly).
    truncated: int


def read_keys(path: str | os.PathLike[str]) -> ResumeState:
    """Read the keys of the records in `path` and cut off a trailing partial line.

    A missing or empty file gives an empty state. A complete line that is not a crawl
    record raises `OutputError` naming its number: the file is not this crawler's
    output, and it is left untouched rather than appended to. Only the final line may be
    partial (no newline at the end); it is removed from the file. The file is read a line
    at a time: memory grows with the keys, not with the records.
    """
    keys: set[str] = set()
    lines = 0
    end = 0
    size = 0
    try:
        with open(path, "rb") as file:
            for number, line in enumerate(file, start=1):
                size += len(line)
                if not line.endswith(b"\n"):
                    break  # the partial last line
                end = size
                if not line.strip():
                    continue
                try:
                    keys.add(record_key(json.loads(line)))
                except (ValueError, RecursionError):
                    raise OutputError(
                        f"line {number} of {os.fspath(path)!r} is not a crawl record; "
                        "refusing to resume into a file this crawler did not write"
                    ) from None
                lines += 1
    except FileNotFoundError:
        return ResumeState(frozenset(), 0, 0)
    except OSError as exc:
        raise OutputError(f"cannot read {os.fspath(path)!r} to resume: {exc.strerror}") from None
    truncated = size - end
    if truncated:
        try:
            with open(path, "r+b") as file:
                file.truncate(end)
        except OSError as exc:
            raise OutputError(
                f"cannot cut the partial last line of {os.fspath(path)!r}: {exc.strerror}"
            ) from None
    return ResumeState(frozenset(keys), lines, truncated)


class JsonlWriter:
    """Writes crawl records to a binary stream, one whole flushed line each, without repeats.

    `seen` are keys to treat as already written (those of the file being resumed). The
    stream is not closed by the writer.
    """

    def __init__(self, stream: IO[bytes], *, seen: Iterable[str] = (), name: str = "") -> None:
        self._stream = stream
        self._name = name or getattr(stream, "name", "the output")
        self._seen: set[str] = set(seen)
        #: Records written by this writer.
        self.written = 0
        #: Records dropped because their key was already written (or in the resumed file).
        self.skipped = 0

    def __contains__(self, key: object) -> bool:
        return key in self._seen

    @trio.lowlevel.enable_ki_protection
    def write(self, record: dict[str, Any]) -> bool:
        """Write `record` as one line unless its key was written before; `True` if written.

        Not a checkpoint (a plain, short, blocking write). Raises `ValueError` for a
        record without `kind`/`id` or that cannot be encoded as JSON, `BrokenPipeError`
        when the reader of a pipe went away, and `OutputError` when the stream fails
        otherwise (a full disk): then the part of the line that reached a seekable file is
        cut off again, so the file still ends on a whole line.
        """
        key = record_key(record)
        if key in self._seen:
            self.skipped += 1
            return False
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        data = line.encode("utf-8") + b"\n"
        start = self._position()
        try:
            view = memoryview(data)
            while view:  # an unbuffered file may take part of a line per write
                sent = self._stream.write(view)
                view = view[len(view) if sent is None else sent :]
            self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            self._cut(start)
            raise OutputError(f"cannot write {self._name}: {exc.strerror or exc}") from None
        self._seen.add(key)
        self.written += 1
        return True

    def _position(self) -> int | None:
        try:
            return self._stream.tell() if self._stream.seekable() else None
        except (OSError, ValueError):
            return None

    def _cut(self, start: int | None) -> None:
        """Remove what reached the file of a line that failed half-way."""
        if start is None:
            return
        try:
            self._stream.truncate(start)
            self._stream.seek(start)
        except (OSError, ValueError):
            pass
