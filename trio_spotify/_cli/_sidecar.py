"""What an output file is a crawl of: the sidecar `FILE.crawl.json`.

A crawl writing to `FILE` also writes `FILE.crawl.json`: the crawl's description (its
kind, targets, types, limits, input) and whether it completed. `--resume` reads it back:

- a different crawl's file is refused (resuming `artist A` into a file of `search x`
  would mix two crawls without a word);
- a completed crawl is not sent again: there is nothing missing, so no request is made
  and the exit code is 0 (completed means: the run ended with exit code 0, and the file
  still has the size it had then; a file cut or appended to since is resumed as usual);
- a file without a sidecar (written by an older version) is resumed as before;
- a shard's file (`--shard K/N`) records its shard: resuming it as another shard, or
  without `--shard`, is refused like any other crawl's.

The sidecar is written only next to regular files (not `/dev/full`, a pipe or a
terminal), in one `os.replace` so that it is never half-written. Failing to write it is
not an error of the crawl: the records are what matters.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
from typing import Any

from ._jsonl import OutputError

__all__ = ["Sidecar", "describe", "read_sidecar"]

_VERSION = 1


def describe(args: argparse.Namespace) -> dict[str, Any]:
    """What `args` crawl, as plain JSON: two crawls with equal descriptions are the same."""
    description: dict[str, Any] = {"kind": args.kind, "targets": list(args.targets)}
    for name in ("types", "max", "include_groups", "column"):
        value = getattr(args, name, None)
        if value is not None:
            description[name] = value
    if args.market:
        description["market"] = args.market.upper()
    source = getattr(args, "source", None)
    if source is not None:
        description["from"] = source if source == "-" else os.path.abspath(source)
    shard = getattr(args, "shard", None)
    if shard is not None:
        description["shard"] = str(shard)
    return description


def _shown(description: dict[str, Any]) -> str:
    words = [str(description.get("kind"))]
    words += [str(t) for t in description.get("targets", [])]
    if "from" in description:
        words.append(f"--from {description['from']}")
    if "shard" in description:
        words.append(f"--shard {description['shard']}")
    return " ".join(words)


class Sidecar:
    """The sidecar of the output `path` for the crawl `description` (`path` `-`: none)."""

    def __init__(self, path: str, description: dict[str, Any]) -> None:
        self.output = path
        self.path = f"{path}.crawl.json"
        self.description = description

    @property
    def _used(self) -> bool:
        if self.output == "-":
            return False
        try:
            return os.path.isfile(self.output) or not os.path.exists(self.output)
        except OSError:  # pragma: no cover - an unreadable parent directory
            return False

    def _read(self) -> dict[str, Any] | None:
        if not self._used:
            return None
        try:
            with open(self.path, encoding="utf-8") as file:
                data = json.load(file)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, RecursionError):
            raise OutputError(
                f"{self.path} (what {self.output} is a crawl of) is unreadable: remove it "
                "to resume anyway"
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("crawl"), dict):
            raise OutputError(f"{self.path} is not a crawl description: remove it to resume")
        return data

    def check(self) -> None:
        """Raise `OutputError` when the output is another crawl's (see the module)."""
        data = self._read()
        if data is None:
            return
        theirs = data["crawl"]
        if theirs != self.description:
            raise OutputError(
                f"{self.output} is a crawl of '{_shown(theirs)}', not "
                f"'{_shown(self.description)}': resume it with the same arguments, or "
                "choose another -o FILE"
            )

    def complete(self) -> bool:
        """Whether the output holds this crawl, completed (raises like `check`)."""
        data = self._read()
        if data is None:
            return False
        self.check()
        try:
            size = os.path.getsize(self.output)
        except OSError:
            return False
        return data.get("complete") is True and data.get("size") == size

    def _write(self, complete: bool) -> None:
        if not self._used:
            return
        content: dict[str, Any] = {
            "version": _VERSION,
            "crawl": self.description,
            "complete": complete,
        }
        if complete:
            try:
                content["size"] = os.path.getsize(self.output)
            except OSError:
                return
        temporary = f"{self.path}.tmp"
        try:
            with open(temporary, "w", encoding="utf-8") as file:
                json.dump(content, file, indent=1)
                file.write("\n")
            os.replace(temporary, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)

    def start(self) -> None:
        """Record that the output holds this crawl, not yet complete."""
        self._write(False)

    def finish(self) -> None:
        """Record that the crawl completed: a later `--resume` has nothing to do."""
        self._write(True)


def read_sidecar(path: str) -> dict[str, Any] | None:
    """What the sidecar of the output `path` records (`{"crawl": ..., "complete": ...}`),
    `None` when it has none; raises `OutputError` for an unreadable one."""
    return Sidecar(path, {})._read()
