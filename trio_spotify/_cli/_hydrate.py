"""`trio-spotify crawl tracks --from FILE`: hydrate a list of IDs into full objects.

The input is read as a stream (one ID, `spotify:` URI or `open.spotify.com` URL per line,
or one column of a CSV file with `--column`), never whole: a reader task parses a block
of lines at a time, drops the IDs seen before, and hands batches of the operations
table's `batch` size (`OPERATIONS["get-several-tracks"].batch`, ...) to as many workers as
the client lets requests be in flight. What is held at any time is the batches in flight
and the set of keys written (the writer's, which is how duplicates and resumed IDs are
recognised): memory grows with the number of distinct IDs, not with the size of the input
or of the records.

Every distinct ID gets exactly one line: `{"kind": "track", "id", "context": null,
"data": {...}}`, or `"data": null` with `"error": "not found"` for an ID Spotify does not
know (counted, and the first few reported). A line of the input that is not an ID of the
kind is reported with its line number and counted as an error. With `keep` (`--shard`)
only the IDs it accepts are fetched: the others are another shard's. Playlists have no batch
endpoint: they are fetched one per request.
"""

from __future__ import annotations

import csv
import itertools
import sys
from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING, Any, TypeVar

import attrs
import trio

from .. import ForbiddenError, MissingScopeError, NotFoundError, parse_id
from .._operations import OPERATIONS

if TYPE_CHECKING:
    from ._crawler import Crawler

__all__ = [
    "HYDRATE_KINDS",
    "HydrateKind",
    "Hydration",
    "check_column",
    "count_rows",
    "open_text",
    "read_rows",
]

_T = TypeVar("_T")

#: How many input lines the reader parses per step (in a worker thread).
_BLOCK = 2000
#: Not-found IDs reported one by one; past this, only counted.
_REPORTED = 20


@attrs.frozen
class HydrateKind:
    """`crawl <plural> --from FILE`: the record kind and the operations it uses."""

    #: The record kind written and the Spotify ID kind parsed (`track`, ...).
    record: str
    #: The batch operation (`None`: one request per ID).
    several: str | None
    #: The single-object operation (the fallback when the batch one is refused).
    single: str

    @property
    def batch(self) -> int:
        """IDs per request: the batch operation's `batch` in the table (1 without one)."""
        if self.several is None:
            return 1
        return OPERATIONS[self.several].batch or 1


HYDRATE_KINDS: dict[str, HydrateKind] = {
    "tracks": HydrateKind("track", "get-several-tracks", "get-track"),
    "albums": HydrateKind("album", "get-multiple-albums", "get-an-album"),
    "artists": HydrateKind("artist", "get-multiple-artists", "get-an-artist"),
    "shows": HydrateKind("show", "get-multiple-shows", "get-a-show"),
    "episodes": HydrateKind("episode", "get-multiple-episodes", "get-an-episode"),
    "audiobooks": HydrateKind("audiobook", "get-multiple-audiobooks", "get-an-audiobook"),
    "playlists": HydrateKind("playlist", None, "get-playlist"),
}


def read_rows(stream: IO[str], column: str | None) -> Iterator[tuple[int, str]]:
    """`(line number, text)` of each non-empty value of `stream`, lazily.

    With `column`, the stream is a CSV file whose first row names the columns; a missing
    column raises `LookupError`.
    """
    if column is None:
        for number, line in enumerate(stream, start=1):
            text = line.strip()
            if text:
                yield number, text
        return
    reader = csv.reader(stream)
    header = next(reader, None)
    if header is None:
        return
    names = [name.strip() for name in header]
    if column not in names:
        raise LookupError(f"no column {column!r} in the CSV header ({', '.join(names)})")
    index = names.index(column)
    for row in reader:
        if index < len(row) and row[index].strip():
            yield reader.line_num, row[index].strip()


def check_column(path: str, column: str) -> None:
    """Raise `LookupError` when the CSV file `path` has no `column` in its header (a file
    that cannot be read is left to the crawl to report)."""
    try:
        with open(path, encoding="utf-8", newline="") as stream:
            next(read_rows(stream, column), None)
    except (OSError, UnicodeDecodeError, csv.Error):
        return


def count_rows(path: str, column: str | None) -> int | None:
    """The number of values in the file `path` (the progress total), read once as a
    stream; `None` when it cannot be read."""
    try:
        with open(path, encoding="utf-8", newline="") as stream:
            return sum(1 for _ in read_rows(stream, column))
    except (OSError, UnicodeDecodeError, LookupError, csv.Error):
        return None


class Hydration:
    """One `--from` input hydrated by a `Crawler`: the job and its figures."""

    def __init__(
        self,
        crawler: Crawler,
        kind: HydrateKind,
        open_input: Callable[[], IO[str]],
        column: str | None,
        *,
        total: int | None = None,
        close_input: bool = True,
        keep: Callable[[str], bool] | None = None,
    ) -> None:
        self.crawler = crawler
        self.kind = kind
        self._open_input = open_input
        self._column = column
        self._close_input = close_input
        self._keep = keep
        #: Values in the input (the progress total), when known.
        self.total = total
        #: Values settled: written, already written (a repeat, or resumed), or not an ID.
        self.done = 0
        #: IDs Spotify does not know (each written with `"data": null`).
        self.not_found = 0
        #: Values left to other shards (`keep` said no; counted in `done`).
        self.elsewhere = 0
        self._in_flight: set[str] = set()

    def _key(self, ident: str) -> str:
        return f"{self.kind.record}:{ident}"

    async def run(self) -> None:
        """Read, batch, fetch and write until the input is exhausted. A checkpoint.

        Raises nothing: an input that cannot be read (or decoded) is reported and stops
        the crawl once the batches already read are written; a failed batch is reported
        and the rest goes on.
        """
        workers = self.crawler.spotify.statistics().max_concurrency
        send, receive = trio.open_memory_channel[list[str]](0)
        failure: Exception | None = None
        async with trio.open_nursery() as nursery:
            for _ in range(workers):
                nursery.start_soon(self._worker, receive.clone())
            receive.close()
            async with send:
                try:
                    await self._feed(send)
                except (OSError, UnicodeDecodeError, LookupError, csv.Error) as exc:
                    # The batches already handed over are still written; then the crawl
                    # stops, since the rest of the input cannot be read.
                    failure = exc
        if failure is not None:
            self.crawler._failed("reading the input", failure, fatal=True)

    async def _feed(self, send: trio.MemorySendChannel[list[str]]) -> None:
        stream = await self._read(self._open_input)
        try:
            rows = read_rows(stream, self._column)
            batch: list[str] = []
            while True:
                block = await self._read(lambda: list(itertools.islice(rows, _BLOCK)))
                if not block:
                    break
                for number, text in block:
                    ident = self._accept(number, text)
                    if ident is None:
                        continue
                    batch.append(ident)
                    if len(batch) == self.kind.batch:
                        await send.send(batch)
                        batch = []
            if batch:
                await send.send(batch)
        finally:
            if self._close_input:
                stream.close()

    async def _read(self, read: Callable[[], _T]) -> _T:
        """`read()`: in a thread for standard input (a pipe may make it wait), here for a
        file (a block of lines from a local file takes a moment; a thread per block would
        cost more, and lets a `MockClock` jump while the thread runs). A checkpoint."""
        if self._close_input:
            await trio.lowlevel.checkpoint()
            return read()
        return await trio.to_thread.run_sync(read)

    def _accept(self, number: int, text: str) -> str | None:
        """The ID of one input value if it is to be fetched; `None` if it is a repeat or
        not an ID of the kind (then reported and counted)."""
        try:
            ident = parse_id(text, self.kind.record)  # type: ignore[arg-type]
        except (ValueError, TypeError) as exc:
            self.done += 1
            self.crawler._failed(f"line {number}", exc, fatal=False)
            return None
        if self._keep is not None and not self._keep(ident):
            self.done += 1
            self.elsewhere += 1
            return None
        if ident in self._in_flight or self._key(ident) in self.crawler.writer:
            self.done += 1
            return None
        self._in_flight.add(ident)
        return ident

    async def _worker(self, receive: trio.MemoryReceiveChannel[list[str]]) -> None:
        async with receive:
            async for batch in receive:
                try:
                    await self.crawler._guarded(
                        f"{len(batch)} {self.kind.record}s", self._fetch, batch
                    )
                finally:
                    self._in_flight.difference_update(batch)

    async def _fetch(self, ids: list[str]) -> None:
        found: list[Any] | None = None
        crawler = self.crawler
        plural = f"{self.kind.record}s"
        if self.kind.several is not None and plural not in crawler._unbatched:
            group = getattr(crawler.spotify, plural)
            options = {} if self.kind.record == "artist" else {"market": crawler.market}
            try:
                found = await group.get_several(ids, **options)
            except ForbiddenError as exc:
                if isinstance(exc, MissingScopeError):
                    raise
                crawler._batch_off(plural)
        if found is None:
            found = [await self._single(ident) for ident in ids]
        for ident, obj in zip(ids, found, strict=True):
            self._write(ident, obj)
            self.done += 1

    async def _single(self, ident: str) -> Any:
        group = getattr(self.crawler.spotify, f"{self.kind.record}s")
        options = {} if self.kind.record == "artist" else {"market": self.crawler.market}
        try:
            return await group.get(ident, **options)
        except NotFoundError:
            return None

    def _write(self, ident: str, obj: Any) -> None:
        record: dict[str, Any] = {"kind": self.kind.record, "id": ident, "context": None}
        if obj is None:
            self.not_found += 1
            if self.not_found <= _REPORTED:
                self.crawler.reporter.note(f"{self.kind.record} {ident}: not found")
            elif self.not_found == _REPORTED + 1:
                self.crawler.reporter.note("more IDs not found: counted in the summary")
            record["error"] = "not found"
        record["data"] = obj
        self.crawler.writer.write(record)


def open_text(path: str, stdin: IO[str] | None) -> Callable[[], IO[str]]:
    """A function opening the input `path` (`-`: `stdin`, or the process's own)."""
    if path == "-":
        return lambda: stdin if stdin is not None else sys.stdin
    return lambda: open(path, encoding="utf-8", newline="")
