"""`trio-spotify emulator`: serve the offline Spotify emulator until interrupted.

Prints the base URL (the accounts service; the Web API is under `/v1`), the app's client
id and secret, and an access token of the emulator's user with every scope, so that the
crawler, `login` or `curl` can be pointed at it. Needs the `testing` extra.
"""

from __future__ import annotations

import argparse
import math
import signal
import sys
from typing import Any

import trio

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "emulator",
        help="serve the offline Spotify emulator on a local port",
        description="Serve the offline Spotify emulator (accounts service and Web API) on "
        "loopback until interrupted (Ctrl-C).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default %(default)s)")
    parser.add_argument(
        "--port",
        type=int,
        default=8000,
        help="port to bind; 0 picks a free one (default %(default)s)",
    )
    parser.add_argument("--seed", default="0", help="catalog seed (default %(default)s)")
    parser.add_argument(
        "--mode",
        choices=("extended", "development"),
        default="extended",
        help="app mode: development refuses the 48 deprecated operations",
    )
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=None,
        metavar="N",
        help="answer 429 beyond N requests per --window seconds (default: off)",
    )
    parser.add_argument(
        "--window",
        type=float,
        default=30.0,
        help="rate-limit window in seconds (default %(default)s)",
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=0.0,
        help="seconds added to every Web API answer (default 0)",
    )
    parser.add_argument(
        "--token-lifetime",
        type=float,
        default=3600.0,
        help="access-token lifetime in seconds (default %(default)s)",
    )
    parser.add_argument(
        "--artists",
        type=int,
        default=None,
        metavar="N",
        help="artists in the generated catalog (CatalogSize.artists; the other sizes scale "
        "as the defaults do; default: 40)",
    )
    parser.set_defaults(handler=run)


async def _serve(args: argparse.Namespace) -> None:
    from trio_spotify.testing import (
        CatalogSize,
        RateLimit,
        SpotifyEmulator,
        open_emulator_server,
    )

    rate_limit = RateLimit(args.rate_limit, args.window) if args.rate_limit else None
    options: dict[str, Any] = {}
    if args.artists is not None:
        options["catalog_size"] = CatalogSize(artists=args.artists)
    emulator = SpotifyEmulator(
        seed=args.seed,
        mode=args.mode,
        rate_limit=rate_limit,
        access_token_lifetime=args.token_lifetime,
        **options,
    )
    emulator.faults.latency = args.latency
    async with open_emulator_server(emulator, host=args.host, port=args.port) as base_url:
        token = emulator.issue_access_token()
        print(f"Spotify emulator serving on {base_url} (Ctrl-C to stop)")
        print(f"  accounts_url:  {base_url}")
        print(f"  api_url:       {base_url}/v1")
        print(f"  client_id:     {emulator.client_id}")
        print(f"  client_secret: {emulator.client_secret}")
        print(f"  user:          {emulator.user_id}")
        print(f"  user token:    {token}")
        print(f"  mode:          {emulator.mode}")
        sys.stdout.flush()
        # Wait for Ctrl-C / SIGTERM as a message rather than as a KeyboardInterrupt raised
        # wherever the server happens to be running (hypercorn swallows those).
        with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
            async for _ in signals:
                break
    print("emulator stopped", file=sys.stderr)


def _invalid_option(args: argparse.Namespace) -> str | None:
    """What is wrong with the options, in one line, or `None` when they are usable."""
    if args.port < 0 or args.port > 65535:
        return f"invalid port {args.port}"
    if args.rate_limit is not None and args.rate_limit < 1:
        return f"--rate-limit must be at least 1, not {args.rate_limit}"
    if args.artists is not None and args.artists < 1:
        return f"--artists must be at least 1, not {args.artists}"
    positive = (("--window", args.window), ("--token-lifetime", args.token_lifetime))
    for name, value in positive:
        if not math.isfinite(value) or value <= 0:
            return f"{name} must be a positive number of seconds, not {value:g}"
    if not math.isfinite(args.latency) or args.latency < 0:
        return f"--latency must be a non-negative number of seconds, not {args.latency:g}"
    return None


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C or SIGTERM; returns 0 then, 1 when the emulator cannot start.

    Returns 2, after one line on standard error, when an option is out of range.
    """
    problem = _invalid_option(args)
    if problem is not None:
        print(f"trio-spotify emulator: {problem}", file=sys.stderr)
        return 2
    try:
        trio.run(_serve, args)
    except KeyboardInterrupt:  # Ctrl-C before the server was up
        print("emulator stopped", file=sys.stderr)
        return 0
    except ModuleNotFoundError as exc:
        print(f"trio-spotify emulator: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(
            f"trio-spotify emulator: cannot serve on {args.host}:{args.port}: {exc}",
            file=sys.stderr,
        )
        return 1
    return 0
