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

Exit codes: 0 when everything was crawled; 1 when some items failed (each was reported) or
the crawl stopped on an error; 2 for a bad argument or missing credentials; 130 after Ctrl-C
(every line in the output is whole: rerun with `--resume` to continue).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import math
import os
import signal
import sys
import threading
import warnings
from collections.abc import AsyncIterator
from typing import IO, Any, NoReturn

import httpx
import trio

from .. import (
    DEFAULT_ACCOUNTS_URL,
    DEFAULT_API_URL,
    PKCE,
    AuthorizationCode,
    ClientCredentials,
    FileTokenStore,
    Spotify,
    TokenRenewer,
    TokenStoreError,
    open_spotify,
    parse_id,
)
from . import one_line_error
from ._crawler import LIBRARY_KINDS, Crawler, Job
from ._jsonl import JsonlWriter, OutputError, read_keys
from ._progress import PlainReporter, Reporter, RichReporter, Snapshot

__all__ = ["register", "run"]

#: The in-process emulator's made-up base URL (requests never leave the process).
EMULATOR_URL = "http://emulator.test"

_SEARCH_TYPES = ("album", "artist", "playlist", "track", "show", "episode", "audiobook")
_INCLUDE_GROUPS = ("album", "single", "appears_on", "compilation")

#: The scopes a stored user token must hold for each kind (and library type).
_SCOPES: dict[str, tuple[str, ...]] = {
    "playlist": ("playlist-read-private",),
    "followed": ("user-follow-read",),
    "library:tracks": ("user-library-read",),
    "library:albums": ("user-library-read",),
    "library:shows": ("user-library-read",),
    "library:episodes": ("user-library-read", "user-read-playback-position"),
    "library:audiobooks": ("user-library-read",),
    "library:playlists": ("playlist-read-private",),
}
_USER_KINDS = frozenset({"library", "followed"})


class UsageError(Exception):
    """A bad argument or missing configuration: one line on stderr and exit code 2."""


# -- arguments ------------------------------------------------------------------------------


class _KindParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        one_line_error(self, message)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number of seconds, not {text!r}")
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, not {text}")
    return value


def _rate(text: str) -> tuple[int, float]:
    requests, _, window = text.partition("/")
    try:
        count, seconds = _positive_int(requests), (float(window) if window else 30.0)
    except (ValueError, argparse.ArgumentTypeError):
        count, seconds = 0, 0.0
    if count < 1 or not seconds > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not REQUESTS[/SECONDS], e.g. 100/1")
    return count, seconds


def _groups(text: str) -> list[str]:
    groups = [g.strip() for g in text.split(",") if g.strip()]
    unknown = sorted(set(groups) - set(_INCLUDE_GROUPS))
    if not groups or unknown:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected a comma-separated list of {', '.join(_INCLUDE_GROUPS)}"
        )
    return groups


def _add_common(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Options accepted before and after the kind (`crawl --emulator artist X` or
    `crawl artist X --emulator`). After the kind they default to SUPPRESS so that they do
    not overwrite what was given before it."""

    def default(value: Any) -> Any:
        return argparse.SUPPRESS if suppress else value

    out = parser.add_argument_group("output")
    out.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        default=default("-"),
        help="write the JSON Lines here (default: standard output)",
    )
    out.add_argument(
        "--resume",
        action="store_true",
        default=default(False),
        help="continue an interrupted crawl: keep FILE's lines, write only what is missing",
    )
    out.add_argument(
        "--overwrite",
        action="store_true",
        default=default(False),
        help="replace FILE if it already holds lines (otherwise that is refused)",
    )
    out.add_argument(
        "--progress",
        choices=("auto", "rich", "plain", "none"),
        default=default("auto"),
        help="a live line on a terminal (rich), periodic lines (plain) or none "
        "(default: rich on a terminal, plain otherwise)",
    )
    out.add_argument(
        "--progress-interval",
        type=_seconds,
        metavar="SECONDS",
        default=default(10.0),
        help="seconds between plain progress lines (default: 10)",
    )
    out.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=default(False),
        help="no progress and no summary; errors are still reported",
    )

    crawl = parser.add_argument_group("crawling")
    crawl.add_argument(
        "-c",
        "--concurrency",
        type=_positive_int,
        metavar="N",
        default=default(16),
        help="requests in flight at most (the client's limiter; default: 16)",
    )
    crawl.add_argument(
        "--fail-fast",
        action="store_true",
        default=default(False),
        help="stop at the first failed item instead of reporting it and going on",
    )
    crawl.add_argument(
        "--market",
        metavar="CC",
        default=default(None),
        help="an ISO 3166-1 country code for market-dependent answers",
    )

    source = parser.add_argument_group("where to crawl")
    source.add_argument(
        "--emulator",
        action="store_true",
        default=default(False),
        help="crawl the embedded Spotify emulator in this process: no account, no network",
    )
    source.add_argument(
        "--emulator-seed",
        metavar="SEED",
        default=default("0"),
        help="the emulator catalog's seed (default: 0)",
    )
    source.add_argument(
        "--emulator-latency",
        type=_seconds,
        metavar="SECONDS",
        default=default(0.0),
        help="delay every emulator answer, as a network would",
    )
    source.add_argument(
        "--emulator-rate-limit",
        type=_rate,
        metavar="N[/SECONDS]",
        default=default(None),
        help="make the emulator answer 429 beyond N requests per SECONDS (default 30)",
    )
    source.add_argument(
        "--emulator-mode",
        choices=("extended", "development"),
        default=default("extended"),
        help="'development' refuses the deprecated operations, as Spotify does for "
        "development-mode apps",
    )
    source.add_argument(
        "--auth",
        choices=("auto", "app", "user"),
        default=default("auto"),
        help="the app's client credentials or a signed-in user's stored token (default: the "
        "user's for library, followed and playlists, the app's otherwise when "
        "SPOTIFY_CLIENT_SECRET is set)",
    )
    source.add_argument(
        "--token-file",
        metavar="PATH",
        default=default(None),
        help="the token file 'trio-spotify login' wrote (default: "
        "~/.config/trio-spotify/tokens.json)",
    )
    source.add_argument(
        "--user",
        default=default("default"),
        help="the user label given to 'trio-spotify login' (default: default)",
    )
    source.add_argument("--api-url", default=default(DEFAULT_API_URL), help=argparse.SUPPRESS)
    source.add_argument(
        "--accounts-url", default=default(DEFAULT_ACCOUNTS_URL), help=argparse.SUPPRESS
    )


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "crawl",
        help="crawl artists, playlists, a library or searches into JSON Lines",
        description=(
            "Crawl Spotify and write one JSON object per line: "
            '{"kind", "id", "context", "data"}. Targets are IDs, spotify: URIs or '
            "open.spotify.com URLs. Lines are written whole and flushed as they complete; "
            "Ctrl-C stops cleanly and --resume continues without duplicates. The options "
            "below may also follow KIND and its targets; 'crawl KIND --help' shows the "
            "kind's own. Exit codes: 0 done, 1 some items failed, 2 bad arguments, "
            "130 interrupted."
        ),
        epilog="example: trio-spotify crawl --emulator artist 51SG1w5kGAlDpHxZXETc2o",
    )
    _add_common(parser, suppress=False)
    kinds = parser.add_subparsers(
        dest="kind", metavar="KIND", required=True, parser_class=_KindParser
    )

    artist = kinds.add_parser(
        "artist",
        help="artists' whole discographies: artist, albums, tracks",
        description="Each artist, all its albums (full objects, 20 per request) and all "
        "their tracks (full objects, 50 per request).",
    )
    artist.add_argument("targets", nargs="+", metavar="ARTIST")
    artist.add_argument(
        "--include-groups",
        type=_groups,
        metavar="GROUPS",
        default=None,
        help="album groups to follow, comma-separated: album,single,appears_on,compilation "
        "(default: all)",
    )

    playlist = kinds.add_parser(
        "playlist",
        help="every item of playlists",
        description="Each playlist's details and every item, keyed by position.",
    )
    playlist.add_argument("targets", nargs="+", metavar="PLAYLIST")

    library = kinds.add_parser(
        "library",
        help="the signed-in user's saved items",
        description="The signed-in user's saved items (needs 'trio-spotify login').",
    )
    library.add_argument(
        "targets",
        nargs="*",
        metavar="TYPE",
        help=f"one or more of {', '.join(LIBRARY_KINDS)} (default: tracks)",
    )

    kinds.add_parser(
        "followed",
        help="the artists the signed-in user follows",
        description="Every artist the signed-in user follows (needs 'trio-spotify login').",
    )

    search = kinds.add_parser(
        "search",
        help="search results (at most 1,010 per query and type)",
        description="Search results, ranked; Spotify serves offsets up to 1000 with pages "
        "of 10, so at most 1,010 results per query and type.",
    )
    search.add_argument("targets", nargs="+", metavar="QUERY")
    search.add_argument(
        "--type",
        dest="types",
        action="append",
        choices=_SEARCH_TYPES,
        metavar="TYPE",
        help=f"what to search for, repeatable: {', '.join(_SEARCH_TYPES)} (default: track)",
    )
    search.add_argument(
        "--max",
        type=_positive_int,
        default=1010,
        metavar="N",
        help="results per query and type at most (default and cap: 1010)",
    )

    for sub in (artist, playlist, library, search, kinds.choices["followed"]):
        _add_common(sub, suppress=True)
    parser.set_defaults(handler=_handle)


def _jobs(args: argparse.Namespace, crawler: Crawler) -> list[Job]:
    """The jobs of the parsed arguments (targets were checked by `_check`)."""
    kind: str = args.kind
    if kind == "artist":
        return [Job(f"artist {t}", functools.partial(crawler.artist, t)) for t in args.targets]
    if kind == "playlist":
        return [Job(f"playlist {t}", functools.partial(crawler.playlist, t)) for t in args.targets]
    if kind == "library":
        return [Job(f"library {t}", functools.partial(crawler.library, t)) for t in args.targets]
    if kind == "followed":
        return [Job("followed artists", crawler.followed)]
    return [
        Job(f"search {t} {q!r}", functools.partial(crawler.search, q, t, args.max))
        for q in args.targets
        for t in args.types
    ]


def _check(args: argparse.Namespace) -> None:
    """Normalise targets to bare IDs; raise `UsageError` for the first bad one."""
    if args.kind in ("artist", "playlist"):
        ids: list[str] = []
        for target in args.targets:
            try:
                ids.append(parse_id(target, args.kind))
            except (ValueError, TypeError) as exc:
                raise UsageError(str(exc)) from None
        args.targets = list(dict.fromkeys(ids))
    elif args.kind == "library":
        unknown = [t for t in args.targets if t not in LIBRARY_KINDS]
        if unknown:
            raise UsageError(
                f"unknown library type {unknown[0]!r}; expected {', '.join(LIBRARY_KINDS)}"
            )
        args.targets = list(dict.fromkeys(args.targets or ["tracks"]))
    elif args.kind == "search":
        if any(not q.strip() for q in args.targets):
            raise UsageError("a search query must not be empty")
        args.types = list(dict.fromkeys(args.types or ["track"]))
    else:
        args.targets = []
    if args.resume and args.output == "-":
        raise UsageError("--resume needs the output file to continue: add -o FILE")
    if args.resume and args.overwrite:
        raise UsageError("--resume and --overwrite contradict each other")
    for name in ("api_url", "accounts_url"):
        if not getattr(args, name).startswith(("http://", "https://")):
            raise UsageError(f"--{name.replace('_', '-')} must be an http(s) URL")
    if args.market is not None and not (len(args.market) == 2 and args.market.isalpha()):
        raise UsageError(f"--market must be a two-letter country code, not {args.market!r}")


def _needed_scopes(args: argparse.Namespace) -> frozenset[str]:
    if args.kind == "library":
        return frozenset(s for t in args.targets for s in _SCOPES[f"library:{t}"])
    return frozenset(_SCOPES.get(args.kind, ()))


# -- running --------------------------------------------------------------------------------


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
    _say(sys.stderr, "interrupted")
    return 130


def _say(stream: IO[str], line: str) -> None:
    """Print `line`; a message stream that fails (closed pipe, full disk) is ignored."""
    with contextlib.suppress(OSError):
        print(line, file=stream, flush=True)


def _open_output(
    args: argparse.Namespace, stdout: IO[bytes] | None, reporter: Reporter
) -> tuple[IO[bytes], JsonlWriter, bool]:
    """The stream to write to, its writer, and whether the stream is ours to close."""
    if args.output == "-":
        stream = stdout if stdout is not None else sys.stdout.buffer
        return stream, JsonlWriter(stream), False
    path = args.output
    if args.resume:
        try:
            state = read_keys(path)
        except OutputError as exc:
            raise UsageError(str(exc)) from None
        if state.truncated:
            reporter.note(f"cut a partial last line ({state.truncated} bytes) off {path}")
        if state.lines:
            reporter.note(f"resuming: {state.lines:,} records already in {path}")
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
        stream = open(path, mode)  # noqa: SIM115 - closed by run()
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    return stream, JsonlWriter(stream, seen=seen), True


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


@contextlib.asynccontextmanager
async def _open_client(
    args: argparse.Namespace, transport: httpx.AsyncBaseTransport | None, emulator: Any
) -> AsyncIterator[Spotify]:
    """A client for the emulator, the app's credentials or the stored user token."""
    options: dict[str, Any] = {"max_concurrency": args.concurrency}
    auth: Any
    if args.emulator:
        if emulator is None:
            emulator = _make_emulator(args)
        auth = emulator.user_auth()
        options.update(
            transport=transport or httpx.ASGITransport(app=emulator.app),
            api_url=f"{EMULATOR_URL}/v1",
            accounts_url=EMULATOR_URL,
        )
    else:
        auth = await _real_auth(args)
        options.update(api_url=args.api_url, accounts_url=args.accounts_url)
        if transport is not None:
            options["transport"] = transport
    async with open_spotify(auth, **options) as spotify:
        yield spotify


def _make_emulator(args: argparse.Namespace) -> Any:
    try:
        from trio_spotify.testing import RateLimit, SpotifyEmulator
    except ImportError as exc:
        raise UsageError(
            f"--emulator needs the testing extra ({exc.name} is missing): "
            "pip install 'trio_spotify[testing]'"
        ) from None
    emulator = SpotifyEmulator(seed=args.emulator_seed, mode=args.emulator_mode)
    emulator.faults.latency = args.emulator_latency
    if args.emulator_rate_limit is not None:
        requests, window = args.emulator_rate_limit
        emulator.rate_limit = RateLimit(requests, window)
    return emulator


async def _real_auth(args: argparse.Namespace) -> TokenRenewer:
    """Client credentials or a restored user sign-in, as `--auth` says."""
    client_id = os.environ.get("SPOTIFY_CLIENT_ID")
    secret = os.environ.get("SPOTIFY_CLIENT_SECRET")
    if not client_id:
        raise UsageError(
            "no credentials: set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET (or sign in with "
            "'trio-spotify login'), or add --emulator to crawl the offline emulator"
        )
    mode = args.auth
    if mode == "auto":
        if args.kind in _USER_KINDS or not secret:
            mode = "user"
        elif args.kind == "playlist":
            # A signed-in user's token if there is one; public playlists can be read with
            # the app's credentials otherwise.
            restored = await _restore_user(args, client_id, secret, required=False)
            return restored if restored is not None else ClientCredentials(client_id, secret)
        else:
            mode = "app"
    if mode == "app":
        if args.kind in _USER_KINDS:
            raise UsageError(f"'crawl {args.kind}' needs a signed-in user, not --auth app")
        if not secret:
            raise UsageError("--auth app needs SPOTIFY_CLIENT_SECRET")
        return ClientCredentials(client_id, secret)
    restored = await _restore_user(args, client_id, secret, required=True)
    assert restored is not None
    return restored


async def _restore_user(
    args: argparse.Namespace, client_id: str, secret: str | None, *, required: bool
) -> TokenRenewer | None:
    store = FileTokenStore(args.token_file) if args.token_file else FileTokenStore.default()
    scopes = _needed_scopes(args)
    redirect = os.environ.get("SPOTIFY_REDIRECT_URI") or "http://127.0.0.1:8888/callback"
    options: dict[str, Any] = {
        "scope": scopes,
        "accounts_url": args.accounts_url,
        "store": store,
        "user": args.user,
    }
    flow: AuthorizationCode | PKCE
    try:
        if secret:
            flow = AuthorizationCode(client_id, secret, redirect, **options)
        else:
            flow = PKCE(client_id, redirect, **options)
        token = await flow.restore()
    except (TokenStoreError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    if token is None and required:
        wanted = f" --scope {','.join(sorted(scopes))}" if scopes else ""
        raise UsageError(
            f"no usable sign-in for {flow.key} in {store.path}: run "
            f"'trio-spotify login{wanted}' first (or add --emulator)"
        )
    return flow if token is not None else None


async def run(
    args: argparse.Namespace,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    stdout: IO[bytes] | None = None,
    stderr: IO[str] | None = None,
    emulator: Any = None,
) -> int:
    """Run `trio-spotify crawl` with parsed `args`; returns the exit code.

    A checkpoint. The keyword arguments exist for tests and embedding: an httpx transport
    (for a real service or a served emulator), the streams for records and messages, and
    with `--emulator` a `SpotifyEmulator` to crawl instead of
    a fresh one (the `--emulator-*` options are then ignored).
    Ctrl-C (`SIGINT`, when run in the main thread) stops the crawl cleanly.
    """
    err = stderr if stderr is not None else sys.stderr
    try:
        _check(args)
        reporter = _reporter(args, err)
        stream, writer, owned = _open_output(args, stdout, reporter)
    except UsageError as exc:
        _say(err, f"trio-spotify crawl: error: {exc}")
        return 2
    start = trio.current_time()
    crawler: Crawler | None = None
    interrupted = False
    try:
        async with _open_client(args, transport, emulator) as spotify:
            crawler = Crawler(
                spotify,
                writer,
                reporter,
                fail_fast=args.fail_fast,
                market=args.market.upper() if args.market else None,
                include_groups=getattr(args, "include_groups", None),
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
                    await crawler.crawl(_jobs(args, crawler))
                    nursery.cancel_scope.cancel()
            final = snapshot()
    except UsageError as exc:
        _say(err, f"trio-spotify crawl: error: {exc}")
        return 2
    finally:
        if owned:
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
    if interrupted and args.output != "-":
        reporter.note(f"every line of {args.output} is whole: add --resume to continue")
    return code


@contextlib.contextmanager
def _sigint() -> Any:
    """A trio signal receiver for SIGINT in the main thread, `None` elsewhere."""
    if threading.current_thread() is not threading.main_thread():
        yield None
        return
    with trio.open_signal_receiver(signal.SIGINT) as signals:
        yield signals
