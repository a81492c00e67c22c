"""`trio-spotify login`: sign a user in and save the token to a token file.

The app comes from the environment: `SPOTIFY_CLIENT_ID`, `SPOTIFY_REDIRECT_URI` (default
`http://127.0.0.1:8888/callback`, the same as `crawl`'s) and, for the authorization-code
flow, `SPOTIFY_CLIENT_SECRET` (without a secret, or with
`--pkce`, the PKCE flow is used). The token is saved under `<client id>/<user>` in the
token file (default `~/.config/trio-spotify/tokens.json`), which later programs read with
`flow.restore()`.

`--no-browser` is for remote shells: the URL is printed, opened anywhere, and the address
the browser lands on is pasted back. Ctrl-C or `--timeout` ends the wait and closes the
listener.
"""

from __future__ import annotations

import argparse
import sys
import time
import webbrowser
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import trio

from .. import (
    DEFAULT_ACCOUNTS_URL,
    PKCE,
    AuthorizationCode,
    FileTokenStore,
    Scope,
    SpotifyError,
    login,
    scope_set,
)
from ._defaults import DEFAULT_REDIRECT_URI, redirect_uri

__all__ = ["register", "run"]

_KNOWN_SCOPES = frozenset(str(scope.value) for scope in Scope)


def _scope_argument(value: str) -> frozenset[str]:
    try:
        return scope_set(value.replace(",", " "))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(subparsers: Any) -> None:
    """Add `login` to the command line's sub-commands."""
    parser = subparsers.add_parser(
        "login",
        help="sign a Spotify user in and save the token",
        description=(
            "Sign a Spotify user in with the authorization-code flow (when "
            "SPOTIFY_CLIENT_SECRET is set) or PKCE, through a listener on 127.0.0.1 and the "
            "browser, and save the token. Reads SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET and "
            "SPOTIFY_REDIRECT_URI (an http://127.0.0.1:PORT/... or http://[::1]:PORT/... URI "
            f"registered for the app, default {DEFAULT_REDIRECT_URI}; 'localhost' is "
            "refused by Spotify)."
        ),
    )
    parser.add_argument(
        "--scope",
        "-s",
        action="append",
        type=_scope_argument,
        default=[],
        metavar="SCOPE",
        help="a scope to ask for (repeat, or separate with commas/spaces), e.g. user-library-read",
    )
    parser.add_argument(
        "--no-browser",
        action="store_true",
        help="print the URL and read the redirected address from standard input (for SSH)",
    )
    parser.add_argument(
        "--pkce", action="store_true", help="use PKCE even when SPOTIFY_CLIENT_SECRET is set"
    )
    parser.add_argument(
        "--token-file",
        metavar="PATH",
        help="where to save the token (default: ~/.config/trio-spotify/tokens.json)",
    )
    parser.add_argument(
        "--user",
        default="default",
        help="a label for this user in the token file (default: %(default)s)",
    )
    parser.add_argument(
        "--redirect-uri",
        metavar="URI",
        help=f"overrides SPOTIFY_REDIRECT_URI (default when neither is set: "
        f"{DEFAULT_REDIRECT_URI}, which must be registered for the app)",
    )
    parser.add_argument(
        "--show-dialog",
        action="store_true",
        help="make Spotify ask for approval again even if the user already approved",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="give up when no redirect arrives in time (default: %(default)s)",
    )
    parser.add_argument(
        "--accounts-url",
        default=DEFAULT_ACCOUNTS_URL,
        metavar="URL",
        help="the accounts service (default: %(default)s; point it at an emulator to test)",
    )
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    try:
        return trio.run(run, args)
    except KeyboardInterrupt:
        print("sign-in cancelled", file=sys.stderr)
        return 130


def _echo(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _flow_from_env(options: dict[str, Any], *, pkce: bool) -> AuthorizationCode | PKCE:
    """The authorization-code flow when the environment holds the app's secret (and `pkce`
    is false), PKCE otherwise.

    Raises `LookupError` naming a missing variable, `ValueError` for a bad one.
    """
    if not pkce:
        try:
            return AuthorizationCode.from_env(**options)
        except LookupError:
            pass  # no secret; anything else missing, PKCE.from_env names it too
    return PKCE.from_env(**options)


async def run(
    args: argparse.Namespace,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    open_browser: Callable[[str], object] | None = webbrowser.open,
    read_line: Callable[[], Awaitable[str]] | None = None,
    echo: Callable[[str], object] = _echo,
) -> int:
    """Run `trio-spotify login` with parsed `args`; returns the exit code.

    A checkpoint. The keyword arguments exist for tests: an httpx transport for the code
    exchange, the browser opener, the line reader for `--no-browser` and where messages go.
    Missing or bad configuration is exit code 2, a failed sign-in (refused, timed out, the
    listener's port taken) exit code 1; nothing is raised for either.
    """
    scopes: frozenset[str] = frozenset().union(*args.scope)
    unknown = sorted(scopes - _KNOWN_SCOPES)
    if unknown:
        echo(f"note: {', '.join(unknown)} is not a scope Spotify documents; asking anyway")
    store = FileTokenStore(args.token_file) if args.token_file else FileTokenStore.default()
    options: dict[str, Any] = {
        "scope": scopes,
        "redirect_uri": redirect_uri(args.redirect_uri),
        "show_dialog": args.show_dialog,
        "accounts_url": args.accounts_url,
        "store": store,
        "user": args.user,
    }
    try:
        flow = _flow_from_env(options, pkce=args.pkce)
    except (LookupError, ValueError) as exc:
        echo(f"error: {exc}")
        return 2
    try:
        with trio.move_on_after(args.timeout) as deadline:
            token = await login(
                flow,
                open_browser=None if args.no_browser else open_browser,
                paste=args.no_browser,
                read_line=read_line,
                echo=echo,
                transport=transport,
            )
    except (SpotifyError, OSError) as exc:
        echo(f"error: {exc}")
        return 1
    if deadline.cancelled_caught:
        echo(f"error: no sign-in redirect arrived within {args.timeout:g} s")
        return 1
    granted = " ".join(sorted(token.scope)) or "(none)"
    left = token.expires_in(time.time())
    expiry = f"; the access token expires in {left / 60:.0f} min" if left is not None else ""
    echo(
        f"Saved the token of {flow.key} ({type(flow).__name__} flow) to {store.path}\n"
        f"Granted scopes: {granted}{expiry}"
    )
    missing = flow.scope - token.scope
    if missing:
        echo(f"warning: the user did not grant {' '.join(sorted(missing))}")
    return 0
