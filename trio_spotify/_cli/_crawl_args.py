"""`trio-spotify crawl`'s arguments: the parser, and the checks argparse cannot make.

The parser takes its facts from the operations table (the search types, the album groups,
the batch sizes and search cap its help states), so the help never disagrees with what
the crawl does. `check` normalises the targets (IDs, `spotify:` URIs and
`open.spotify.com` URLs become bare IDs) and raises `UsageError` for the first bad
argument; the running code (`crawl.py`) prints it as one line and exits with code 2.
"""

from __future__ import annotations

import argparse
import math
import os
from typing import Any, NoReturn

from .. import DEFAULT_ACCOUNTS_URL, DEFAULT_API_URL, parse_id
from .._operations import INCLUDE_GROUPS, OPERATIONS, SEARCH_TYPES
from ._crawler import LIBRARY_KINDS, batch_size, page_size, search_cap
from ._hydrate import HYDRATE_KINDS, check_column
from ._merge import add_merge_parser
from ._shard import UNSHARDABLE, Shard, parse_shard
from ._usage import UsageError, one_line_error

__all__ = ["add_crawl_parser", "check"]


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


def _shard(text: str) -> Shard:
    try:
        return parse_shard(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _groups(text: str) -> list[str]:
    groups = [g.strip() for g in text.split(",") if g.strip()]
    unknown = sorted(set(groups) - set(INCLUDE_GROUPS))
    if not groups or unknown:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected a comma-separated list of {', '.join(INCLUDE_GROUPS)}"
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

    many = parser.add_argument_group("many processes (see docs/many-processes.md)")
    many.add_argument(
        "--shard",
        type=_shard,
        metavar="K/N",
        default=default(None),
        help="crawl only shard K of N (numbered from 1: 1/4 ... 4/4): the targets (or the "
        "IDs of --from) are split by a stable hash of their ID; run the N shards with their "
        "own -o FILE each and join them with 'crawl merge'",
    )
    many.add_argument(
        "--redis",
        metavar="URL",
        default=default(None),
        help="share the token and the rate budget with the other processes through the Redis "
        "server at URL (e.g. redis://127.0.0.1:6379/0; needs the redis extra)",
    )
    many.add_argument(
        "--redis-namespace",
        metavar="NAME",
        default=default("trio_spotify"),
        help="the prefix of the Redis keys: processes that share use the same (default: "
        "trio_spotify)",
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
    source.add_argument(
        "--emulator-artists",
        type=_positive_int,
        metavar="N",
        default=default(None),
        help="artists in the emulator's generated catalog (CatalogSize.artists; the other "
        "sizes scale as the defaults do; default: 40)",
    )
    source.add_argument(
        "--api-url",
        metavar="URL",
        default=default(DEFAULT_API_URL),
        help=f"the Web API to crawl (default: {DEFAULT_API_URL}); with --accounts-url, point it at "
        "a served emulator ('trio-spotify emulator') to crawl it over the network",
    )
    source.add_argument(
        "--accounts-url",
        metavar="URL",
        default=default(DEFAULT_ACCOUNTS_URL),
        help=f"the accounts service that issues tokens (default: {DEFAULT_ACCOUNTS_URL})",
    )


def add_crawl_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `crawl` parser (and one sub-parser per kind) to `subparsers`; returns it."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "crawl",
        help="crawl artists, playlists, a library, searches or lists of IDs into JSON Lines",
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
        description="Each artist, all its albums (full objects, "
        f"{batch_size('get-multiple-albums')} per request) and all their tracks (full "
        f"objects, {batch_size('get-several-tracks')} per request).",
    )
    artist.add_argument("targets", nargs="+", metavar="ARTIST")
    artist.add_argument(
        "--include-groups",
        type=_groups,
        metavar="GROUPS",
        default=None,
        help=f"album groups to follow, comma-separated: {','.join(INCLUDE_GROUPS)} (default: all)",
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

    cap = search_cap()
    search = kinds.add_parser(
        "search",
        help=f"search results (at most {cap:,} per query and type)",
        description=f"Search results, ranked; Spotify serves offsets up to "
        f"{OPERATIONS['search'].max_offset} with pages of {page_size('search')}, so at most "
        f"{cap:,} results per query and type.",
    )
    search.add_argument("targets", nargs="+", metavar="QUERY")
    search.add_argument(
        "--type",
        dest="types",
        action="append",
        choices=SEARCH_TYPES,
        metavar="TYPE",
        help=f"what to search for, repeatable: {', '.join(SEARCH_TYPES)} (default: track)",
    )
    search.add_argument(
        "--max",
        type=_positive_int,
        default=cap,
        metavar="N",
        help="results per query and type at most (default and cap: %(default)s)",
    )

    hydrate = []
    for plural, kind in HYDRATE_KINDS.items():
        per_request = (
            f"{kind.batch} per request ({kind.several})"
            if kind.several
            else f"one per request ({kind.single})"
        )
        sub = kinds.add_parser(
            plural,
            help=f"full {kind.record} objects for a list of IDs (--from FILE)",
            description=f"Hydrate a list of {kind.record} IDs, spotify: URIs or "
            f"open.spotify.com URLs into full objects, {per_request}: one line per "
            f'distinct ID, "data": null with "error": "not found" for an unknown one. '
            "The input is streamed (memory grows with the distinct IDs only).",
        )
        sub.add_argument(
            "--from",
            dest="source",
            metavar="FILE",
            required=True,
            help="the IDs, one per line ('-': standard input), or a CSV file with --column",
        )
        sub.add_argument(
            "--column",
            metavar="NAME",
            default=None,
            help="read the IDs from this column of a CSV file whose first row names them",
        )
        hydrate.append(sub)

    for sub in (artist, playlist, library, search, kinds.choices["followed"], *hydrate):
        _add_common(sub, suppress=True)
    add_merge_parser(kinds)
    return parser


def check(args: argparse.Namespace) -> None:
    """Normalise targets to bare IDs; raise `UsageError` for the first bad argument."""
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
    if args.kind in HYDRATE_KINDS:
        source = args.source
        if source != "-" and not os.path.isfile(source):
            raise UsageError(f"--from {source}: no such file")
        if source != "-" and args.column is not None:
            try:
                check_column(source, args.column)
            except LookupError as exc:
                raise UsageError(f"--from {source}: {exc.args[0]}") from None
        if source == "-" and args.resume:
            raise UsageError("--resume needs --from FILE: standard input cannot be read again")
    if args.output != "-" and os.path.isdir(args.output):
        raise UsageError(f"-o {args.output} is a directory: give a file name inside it")
    if args.resume and args.output == "-":
        raise UsageError("--resume needs the output file to continue: add -o FILE")
    if args.resume and args.overwrite:
        raise UsageError("--resume and --overwrite contradict each other")
    for name in ("api_url", "accounts_url"):
        if not getattr(args, name).startswith(("http://", "https://")):
            raise UsageError(f"--{name.replace('_', '-')} must be an http(s) URL")
    if args.market is not None and not (len(args.market) == 2 and args.market.isalpha()):
        raise UsageError(f"--market must be a two-letter country code, not {args.market!r}")
    if args.shard is not None and args.kind in UNSHARDABLE:
        raise UsageError(
            f"--shard splits targets by ID, and 'crawl {args.kind}' is one paged list of the "
            "user's: run it in one process, without --shard"
        )
    if args.redis is not None:
        if args.emulator:
            raise UsageError(
                "--redis shares one service's token and rate budget between processes: point "
                "them at a served emulator ('trio-spotify emulator', --api-url/--accounts-url) "
                "instead of --emulator"
            )
        if not args.redis.startswith(("redis://", "rediss://", "unix://")):
            raise UsageError("--redis must be a redis://, rediss:// or unix:// URL")
