"""`trio-spotify crawl merge OUT SHARD...`: join the files of a sharded crawl into one.

    trio-spotify crawl merge discography.jsonl shard-1.jsonl shard-2.jsonl shard-3.jsonl

Each `SHARD` is the output of one `crawl ... --shard K/N -o SHARD`; its sidecar
(`SHARD.crawl.json`, see `_sidecar`) says which crawl and which shard it holds. Before
anything is written the merge checks that

- every file is a shard of the same crawl (equal descriptions but for the shard), of the
  same N, each shard given once;
- all N shards are there and each completed (its crawl ended with exit code 0, and the file
  was not changed since); `--partial` merges what there is instead (a record missing from
  an unfinished shard is then missing from OUT too).

The records are copied as they are (the bytes of each line), the shards in order, and a
record whose `(kind, id)` key was copied before is dropped: a record two shards both wrote
(an album of two artists in different shards) appears once. A partial last line (a shard
killed outright) is skipped with a note; a line that is not a crawl record is an error.

OUT is written atomically: into a temporary file next to it, flushed to disk, then renamed
over OUT, so OUT is either the old file or the whole merge, never half of it. OUT then
gets a sidecar of its own describing the crawl without a shard, complete when every shard
was: it is what one unsharded crawl would have written, and `crawl ... --resume -o OUT`
treats it so. The shard files are only read.

Exit codes: 0 merged, 1 a file could not be read or written, 2 a bad argument or shards
that do not belong together (one line says which).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from typing import IO, Any

import attrs

from ._jsonl import OutputError, record_key
from ._progress import say
from ._shard import parse_shard
from ._sidecar import Sidecar, read_sidecar
from ._usage import UsageError

__all__ = ["MergeResult", "add_merge_parser", "merge_shards", "run_merge"]


def add_merge_parser(kinds: Any) -> None:
    """Add `merge` to `crawl`'s kinds (`kinds`: its sub-parsers)."""
    merge: argparse.ArgumentParser = kinds.add_parser(
        "merge",
        help="join the files of a sharded crawl (--shard K/N) into one, without duplicates",
        description="Join the output files of the N shards of one crawl ('crawl ... --shard "
        "K/N -o FILE') into OUT: their sidecars must agree (same crawl, each shard once, all "
        "complete unless --partial), a record two shards wrote appears once, and OUT is "
        "replaced atomically. Reports the records of each shard and the duplicates dropped.",
        epilog="example: trio-spotify crawl merge all.jsonl part-1.jsonl part-2.jsonl",
    )
    merge.add_argument("merge_output", metavar="OUT", help="the file to write")
    merge.add_argument("shards", nargs="+", metavar="SHARD", help="the shards' output files")
    merge.add_argument(
        "--overwrite",
        action="store_true",
        default=False,
        help="replace OUT if it already holds lines (otherwise that is refused)",
    )
    merge.add_argument(
        "--partial",
        action="store_true",
        default=False,
        help="merge even when shards are missing or did not complete",
    )
    merge.set_defaults(handler=run_merge)


@attrs.frozen
class _Input:
    path: str
    index: int
    count: int
    crawl: dict[str, Any]
    complete: bool


@attrs.frozen
class MergeResult:
    """What `merge_shards` wrote."""

    #: Records written to OUT.
    written: int
    #: Records dropped because an earlier shard (or line) had their key.
    duplicates: int
    #: `(path, shard, records read)` of each input, in the order merged.
    shards: tuple[tuple[str, str, int], ...]
    #: Partial last lines skipped (shards killed outright).
    partial_lines: int
    #: Whether OUT holds the whole crawl (every shard there and complete).
    complete: bool


def _inputs(paths: list[str], out: str, *, partial: bool) -> list[_Input]:
    """The shards to merge, in shard order; `UsageError` when they do not belong together."""
    seen: dict[str, str] = {}
    inputs: list[_Input] = []
    for path in paths:
        if not os.path.isfile(path):
            raise UsageError(f"{path}: no such file")
        real = os.path.realpath(path)
        if real == os.path.realpath(out):
            raise UsageError(f"{path} is OUT itself: write the merge to another file")
        if real in seen:
            raise UsageError(f"{path} is given twice")
        seen[real] = path
        try:
            data = read_sidecar(path)
        except OutputError as exc:
            raise UsageError(str(exc)) from None
        if data is None:
            raise UsageError(
                f"{path} has no {path}.crawl.json: it is not the output of a 'crawl --shard' "
                "(or its sidecar was removed)"
            )
        crawl = dict(data["crawl"])
        shard_text = crawl.pop("shard", None)
        if not isinstance(shard_text, str):
            raise UsageError(f"{path} is not a shard: its crawl ran without --shard")
        try:
            shard = parse_shard(shard_text)
        except ValueError as exc:
            raise UsageError(f"{path}.crawl.json: {exc}") from None
        complete = data.get("complete") is True and data.get("size") == os.path.getsize(path)
        inputs.append(_Input(path, shard.index, shard.count, crawl, complete))
    first = inputs[0]
    for other in inputs[1:]:
        if other.crawl != first.crawl:
            raise UsageError(
                f"{other.path} and {first.path} are shards of different crawls: "
                f"{_shown(other.crawl)!r} and {_shown(first.crawl)!r}"
            )
        if other.count != first.count:
            raise UsageError(
                f"{other.path} is shard {other.index}/{other.count} and {first.path} "
                f"{first.index}/{first.count}: shards of one crawl share N"
            )
    by_index: dict[int, _Input] = {}
    for item in inputs:
        if item.index in by_index:
            raise UsageError(
                f"{item.path} and {by_index[item.index].path} are both shard "
                f"{item.index}/{item.count}"
            )
        by_index[item.index] = item
    if not partial:
        missing = [str(i) for i in range(1, first.count + 1) if i not in by_index]
        if missing:
            raise UsageError(
                f"shard {', '.join(f'{i}/{first.count}' for i in missing)} missing: give all "
                f"{first.count} shard files (or --partial to merge what there is)"
            )
        for item in inputs:
            if not item.complete:
                raise UsageError(
                    f"{item.path} (shard {item.index}/{item.count}) did not complete: finish "
                    "it with --resume first (or --partial to merge what there is)"
                )
    return sorted(inputs, key=lambda item: item.index)


def _shown(crawl: dict[str, Any]) -> str:
    words = [str(crawl.get("kind")), *(str(t) for t in crawl.get("targets", []))]
    if "from" in crawl:
        words.append(f"--from {crawl['from']}")
    return " ".join(words)


def merge_shards(
    out: str, paths: list[str], *, overwrite: bool = False, partial: bool = False
) -> MergeResult:
    """Merge the shard files `paths` into `out` (see the module). Not async: plain file I/O.

    Raises `UsageError` for shards that do not belong together or an `out` that holds
    lines (without `overwrite`), and `OutputError` when a file cannot be read or written
    (then `out` is left as it was).
    """
    if os.path.isdir(out):
        raise UsageError(f"{out} is a directory: give a file name inside it")
    inputs = _inputs(paths, out, partial=partial)
    with contextlib.suppress(OSError):
        if os.path.getsize(out) > 0 and not overwrite:
            raise UsageError(f"{out} already holds lines: add --overwrite to replace it")
    directory = os.path.dirname(os.path.abspath(out))
    try:
        handle, temporary = tempfile.mkstemp(
            dir=directory, prefix=f".{os.path.basename(out)}.", suffix=".tmp"
        )
    except OSError as exc:
        raise OutputError(f"cannot write next to {out}: {exc.strerror}") from None
    keys: set[str] = set()
    shards: list[tuple[str, str, int]] = []
    duplicates = partial_lines = 0
    try:
        with os.fdopen(handle, "wb") as target:
            for item in inputs:
                read, cut = _copy(item.path, target, keys)
                shards.append((item.path, f"{item.index}/{item.count}", read))
                partial_lines += cut
            target.flush()
            os.fsync(target.fileno())
        duplicates = sum(read for _, _, read in shards) - len(keys)
        os.replace(temporary, out)
    except OSError as exc:
        raise OutputError(f"cannot write {out}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)  # still there only when the merge failed
    complete = len(inputs) == inputs[0].count and all(item.complete for item in inputs)
    sidecar = Sidecar(out, inputs[0].crawl)
    sidecar.finish() if complete else sidecar.start()
    return MergeResult(len(keys), duplicates, tuple(shards), partial_lines, complete)


def _copy(path: str, target: IO[bytes], keys: set[str]) -> tuple[int, int]:
    """Copy the records of `path` whose key is not in `keys` (adding theirs); returns the
    records read and whether a partial last line was skipped (1 or 0)."""
    read = 0
    try:
        with open(path, "rb") as source:
            for number, line in enumerate(source, start=1):
                if not line.endswith(b"\n"):
                    return read, 1
                if not line.strip():
                    continue
                try:
                    key = record_key(json.loads(line))
                except (ValueError, RecursionError):
                    raise OutputError(
                        f"line {number} of {path} is not a crawl record: not merging a file "
                        "this crawler did not write"
                    ) from None
                read += 1
                if key not in keys:
                    keys.add(key)
                    target.write(line)
    except OSError as exc:
        raise OutputError(f"cannot read {path}: {exc.strerror}") from None
    return read, 0


def run_merge(args: argparse.Namespace, *, stderr: IO[str] | None = None) -> int:
    """Run `trio-spotify crawl merge` with parsed `args`; returns the exit code."""
    err = stderr if stderr is not None else sys.stderr
    try:
        result = merge_shards(
            args.merge_output, args.shards, overwrite=args.overwrite, partial=args.partial
        )
    except UsageError as exc:
        say(err, f"trio-spotify crawl merge: error: {exc}")
        return 2
    except OutputError as exc:
        say(err, f"trio-spotify crawl merge: error: {exc}")
        return 1
    for path, shard, read in result.shards:
        say(err, f"{path} (shard {shard}): {read:,} records")
    if result.partial_lines:
        say(err, f"skipped {result.partial_lines} partial last line(s) of killed shards")
    state = "" if result.complete else " (partial: not every shard is there and complete)"
    say(
        err,
        f"merged {len(result.shards)} shards into {args.merge_output}: {result.written:,} "
        f"records, {result.duplicates:,} duplicates dropped{state}",
    )
    return 0
