"""`trio-spotify crawl`: crawl Spotify into a JSON Lines file, resumably.

    trio-spotify crawl --emulator artist 51SG1w5kGAlDpHxZXETc2o -o discography.jsonl
    trio-spotify crawl playlist https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M
    trio-spotify crawl library tracks albums --resume -o library.jsonl
    trio-spotify crawl search "daft punk" --type track --type album --max 300

Targets are IDs, `spotify:` URIs or `open.spotify.com` URLs. With `--emulator` the crawl
runs against `trio_spotify.testing.SpotifyEmulator` in this process (no account, no
network); otherwise the app's credentials come from `SPOTIFY_CLIENT_ID` and
`SPOTIFY_CLIENT_SECRET`, and a user's token (for `library`, `followed` and playlists)
from the token file `trio-spotify login` writes.

This module runs the crawl; its arguments are parsed and checked by `_crawl_args`, its
client is opened by `_crawl_client`, and `_crawler` decides what is requested.

`crawl ... --shard K/N` crawls one shard of the targets (`_shard`), `--redis URL` shares
the token and the rate budget with the other shards' processes (`_crawl_client`), and
`crawl merge OUT SHARD...` joins the shards' files (`_merge`); see
`docs/many-processes.md`.

`crawl tracks|albums|... --from FILE` hydrates a list of IDs (see `_hydrate`). Next to an
output file, `FILE.crawl.json` records what the file is a crawl of (`_sidecar`): `--resume`
refuses another crawl's file, and does nothing for a crawl that already completed.

Exit codes: 0 when everything was crawled; 1 when some items failed (each was reported) or
the crawl stopped on an error (a full disk among them: one line says so, every line
written is whole); 2 for a bad argument or missing credentials; 130 after Ctrl-C
(every line in the output is whole: rerun with `--resume` to continue).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import signal
import sys
import threading
import warnings
from collections.abc import AsyncIterator, Iterator
from typing import IO, Any

import httpx
import trio

from .. import RedisUnavailableError
from ._crawl_args import add_crawl_parser, check
from ._crawl_client import open_crawl_client
from ._crawler import Crawler, Job
from ._hydrate import HYDRATE_KINDS, Hydration, count_rows, open_text
from ._jsonl import JsonlWriter, OutputError, read_keys
from ._progress import PlainReporter, Reporter, RichReporter, Snapshot, plural, say
from ._shard import Shard
from ._sidecar import Sidecar, describe
from ._usage import UsageError

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add `crawl` to the command line's sub-commands."""
    add_crawl_parser(subparsers).set_defaults(handler=_handle)


def _jobs(args: argparse.Namespace, crawler: Crawler, hydration: Hydration | None) -> list[Job]:
    """The jobs of the parsed arguments (targets were checked by `check`)."""
    kind: str = args.kind
    shard: Shard | None = args.shard
    mine = [t for t in args.targets if shard is None or shard.owns(t)]
    if hydration is not None:
        return [Job(f"{kind} from {args.source}", hydration.run)]
    if kind == "artist":
        return [Job(f"artist {t}", functools.partial(crawler.artist, t)) for t in mine]
    if kind == "playlist":
        return [Job(f"playlist {t}", functools.partial(crawler.playlist, t)) for t in mine]
    if kind == "library":
        return [Job(f"library {t}", functools.partial(crawler.library, t)) for t in args.targets]
    if kind == "followed":
        return [Job("followed artists", crawler.followed)]
    return [
        Job(f"search {t} {q!r}", functools.partial(crawler.search, q, t, args.max))
        for q in args.targets
        for t in args.types
        if shard is None or shard.owns(f"{t}:{q}")
    ]


def _handle(args: argparse.Namespace) -> int:
    # During the crawl Ctrl-C is a signal run() receives; one that arrives just before or
    # after (while the client closes) surfaces as KeyboardInterrupt, possibly in a group.
    try:
        return trio.run(run, args)
    except KeyboardInterrupt:
        pass
    except BaseExceptionGroup as group:
        _, rest = group.split(KeyboardInterrupt)
        if rest is not None:
            raise
    say(sys.stderr, "interrupted")
    return 130


def _open_output(
    args: argparse.Namespace, stdout: IO[bytes] | None, reporter: Reporter, sidecar: Sidecar
) -> tuple[IO[bytes], JsonlWriter, bool]:
    """The stream to write to, its writer, and whether the stream is ours to close.

    The file is opened unbuffered: each record is one `write` of its whole line, so a
    failing disk leaves nothing half-written in a buffer (see `JsonlWriter.write`).
    """
    if args.output == "-":
        stream = stdout if stdout is not None else sys.stdout.buffer
        return stream, JsonlWriter(stream), False
    path = args.output
    if args.resume:
        try:
            sidecar.check()
            state = read_keys(path)
        except OutputError as exc:
            raise UsageError(str(exc)) from None
        if state.truncated:
            reporter.note(f"cut a partial last line ({state.truncated} bytes) off {path}")
        if state.lines:
            reporter.note(f"resuming: {plural(state.lines, 'record')} already in {path}")
        mode, seen = "ab", state.keys
    else:
        with contextlib.suppress(OSError):
            if os.path.getsize(path) > 0 and not args.overwrite:
                raise UsageError(
                    f"{path} already holds lines: add --resume to continue that crawl or "
                    "--overwrite to replace it"
                )
        mode, seen = "wb", frozenset()
    try:
        stream = open(path, mode, buffering=0)  # noqa: SIM115 - closed by run()
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    sidecar.start()
    return stream, JsonlWriter(stream, seen=seen, name=path), True


def _reporter(args: argparse.Namespace, stderr: IO[str]) -> Reporter:
    choice = "none" if args.quiet else args.progress
    if choice == "auto":
        choice = "rich" if stderr.isatty() and _have_rich() else "plain"
    if choice == "rich":
        if not _have_rich():
            raise UsageError("--progress rich needs rich: pip install 'trio_spotify[cli]'")
        return RichReporter(stderr, title=f"crawl {args.kind}")
    return PlainReporter(stderr, interval=args.progress_interval, progress=choice == "plain")


def _have_rich() -> bool:
    try:
        import rich  # noqa: F401
    except ImportError:
        return False
    return True


async def run(
    args: argparse.Namespace,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    stdout: IO[bytes] | None = None,
    stderr: IO[str] | None = None,
    stdin: IO[str] | None = None,
    emulator: Any = None,
) -> int:
    """Run `trio-spotify crawl` with parsed `args`; returns the exit code.

    A checkpoint. The keyword arguments exist for tests and embedding: an httpx transport
    for a crawl without `--emulator` (a real service or a served emulator), the streams for
    records and messages (and the input of `--from -`), and with `--emulator` a
    `SpotifyEmulator` to crawl instead of a fresh one (the `--emulator-*` options are then
    ignored; the client is `trio_spotify.testing.open_emulator_client`'s, so `transport`
    is not used).
    Ctrl-C (`SIGINT`, when run in the main thread) stops the crawl cleanly.
    """
    err = stderr if stderr is not None else sys.stderr
    try:
        check(args)
        reporter = _reporter(args, err)
        sidecar = Sidecar(args.output, describe(args))
        if args.resume and sidecar.complete():
            # Nothing is missing: say so without sending a request.
            reporter.note(f"{args.output} already holds the whole crawl: nothing to do")
            return 0
    except (UsageError, OutputError) as exc:
        say(err, f"trio-spotify crawl: error: {exc}")
        return 2
    start = trio.current_time()
    crawler: Crawler | None = None
    hydration: Hydration | None = None
    interrupted = False
    owned = False
    stream: IO[bytes] | None = None
    try:
        async with open_crawl_client(args, transport=transport, emulator=emulator) as spotify:
            # Opened only once the credentials are known to be there: a refused crawl
            # leaves no empty output file behind.
            stream, writer, owned = _open_output(args, stdout, reporter, sidecar)
            crawler = Crawler(
                spotify,
                writer,
                reporter,
                fail_fast=args.fail_fast,
                market=args.market.upper() if args.market else None,
                include_groups=getattr(args, "include_groups", None),
            )
            if args.kind in HYDRATE_KINDS:
                total = None
                if args.source != "-":
                    # One pass over the file, as a stream, for the progress total.
                    total = count_rows(args.source, args.column)
                hydration = Hydration(
                    crawler,
                    HYDRATE_KINDS[args.kind],
                    open_text(args.source, stdin),
                    args.column,
                    total=total,
                    close_input=args.source != "-",
                    keep=args.shard.owns if args.shard is not None else None,
                )

            def snapshot() -> Snapshot:
                stats = spotify.statistics()
                return Snapshot(
                    items=writer.written,
                    skipped=writer.skipped,
                    errors=crawler.errors if crawler is not None else 0,
                    requests=stats.requests_sent,
                    rate_limited=stats.rate_limited,
                    retries=stats.retries,
                    elapsed=trio.current_time() - start,
                    done=hydration.done if hydration is not None else None,
                    total=hydration.total if hydration is not None else None,
                    not_found=hydration.not_found if hydration is not None else 0,
                )

            async def on_interrupt(signals: AsyncIterator[int]) -> None:
                nonlocal interrupted
                async for _ in signals:  # later Ctrl-Cs while stopping are absorbed
                    interrupted = True
                    assert crawler is not None
                    crawler.cancel()

            with warnings.catch_warnings(), _sigint() as signals:
                # The crawl uses the deprecated batch endpoints on purpose (falling back to
                # single requests when refused); their DeprecationWarnings would be noise.
                warnings.filterwarnings(
                    "ignore", message="Spotify deprecated", category=DeprecationWarning
                )
                async with trio.open_nursery() as nursery:
                    nursery.start_soon(reporter.run, snapshot)
                    if signals is not None:
                        nursery.start_soon(on_interrupt, signals)
                    await crawler.crawl(_jobs(args, crawler, hydration))
                    nursery.cancel_scope.cancel()
            final = snapshot()
    except UsageError as exc:
        say(err, f"trio-spotify crawl: error: {exc}")
        return 2
    except RedisUnavailableError as exc:
        # Redis cannot be reached at open (nothing was crawled, no file was opened), or
        # was lost while the client closed.
        say(err, f"trio-spotify crawl: error: {exc}")
        return 1
    finally:
        if owned and stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
    assert crawler is not None
    if isinstance(crawler.fatal, BrokenPipeError) and stdout is None and args.output == "-":
        # Nothing more can reach the closed pipe; keep the interpreter's final flush quiet.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if interrupted:
        outcome, code = "interrupted", 130
    elif crawler.fatal is not None:
        outcome, code = "stopped", 1
    elif crawler.errors:
        outcome, code = "done with errors", 1
    else:
        outcome, code = "done", 0
    if not args.quiet:
        reporter.finish(final, outcome)
    stopped = interrupted or (
        crawler.fatal is not None and not isinstance(crawler.fatal, BrokenPipeError)
    )
    if stopped and args.output != "-":
        reporter.note(f"every line of {args.output} is whole: add --resume to continue")
    if code == 0 and args.output != "-":
        sidecar.finish()
    return code


@contextlib.contextmanager
def _sigint() -> Iterator[AsyncIterator[int] | None]:
    """A trio signal receiver for SIGINT in the main thread, `None` elsewhere."""
    if threading.current_thread() is not threading.main_thread():
        yield None
        return
    with trio.open_signal_receiver(signal.SIGINT) as signals:
        yield signals
