"""The client a crawl runs on: the in-process emulator, the app's credentials or a
signed-in user's stored token.

With `--emulator` the client is `trio_spotify.testing.open_emulator_client` (no account,
no network). Otherwise the credentials come from the environment through the library's
own readers, `ClientCredentials.from_env` (`SPOTIFY_CLIENT_ID`, `SPOTIFY_CLIENT_SECRET`)
and `AuthorizationCode.from_env` / `PKCE.from_env` for the user's token that
`trio-spotify login` saved. What is missing is a `UsageError`: one line, exit code 2.

With `--redis URL` the client shares its token and rate budget with the crawl's other
processes through `trio_spotify.redis.open_redis_coordinator(URL)` (the `redis` extra);
an unreachable server raises `RedisUnavailableError` (its message names the URL, without
a password).
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import httpx

from .. import (
    PKCE,
    AuthorizationCode,
    ClientCredentials,
    FileTokenStore,
    Spotify,
    TokenRenewer,
    TokenStoreError,
    open_spotify,
)
from .._operations import OPERATIONS
from ._crawler import KIND_OPERATIONS, LIBRARY_KINDS
from ._defaults import DEFAULT_REDIRECT_URI
from ._usage import UsageError

__all__ = ["needed_scopes", "open_crawl_client"]

#: Kinds that read a user's data: they need a signed-in user's token.
_USER_KINDS = frozenset({"library", "followed"})

#: The redirect URI of a restored sign-in when `SPOTIFY_REDIRECT_URI` is not set (the
#: same default as `trio-spotify login`'s): only a new sign-in is redirected, so restoring
#: the token `trio-spotify login` saved needs none.
_RESTORE_REDIRECT_URI = DEFAULT_REDIRECT_URI

_T = TypeVar("_T")


def needed_scopes(args: argparse.Namespace) -> frozenset[str]:
    """The scopes a user's token must hold for the crawl `args` ask for: those of the rows
    of the operations the kind calls (for `library`, those of its types)."""
    if args.kind == "library":
        operations = [LIBRARY_KINDS[target].operation_id for target in args.targets]
    else:
        operations = list(KIND_OPERATIONS.get(args.kind, ()))
    return frozenset().union(*(OPERATIONS[op].all_scopes for op in operations))


@contextlib.asynccontextmanager
async def open_crawl_client(
    args: argparse.Namespace,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    emulator: Any = None,
) -> AsyncIterator[Spotify]:
    """A client for the emulator (`--emulator`) or for Spotify, as `args` say.

    With `--emulator`, `emulator` is the `SpotifyEmulator` to crawl (a fresh one made
    from the `--emulator-*` options when `None`); otherwise `transport` (when given)
    carries the requests, for a served emulator or a test. A checkpoint; raises
    `UsageError` for missing credentials or a missing `testing` extra.
    """
    if args.emulator:
        client = _emulator_client(args, emulator)
    else:
        options: dict[str, Any] = {
            "max_concurrency": args.concurrency,
            "api_url": args.api_url,
            "accounts_url": args.accounts_url,
        }
        if transport is not None:
            options["transport"] = transport
        auth = await _auth(args)
        if args.redis is not None:
            async with (
                _open_coordinator(args) as coordinator,
                open_spotify(auth, coordinator=coordinator, **options) as spotify,
            ):
                yield spotify
            return
        client = open_spotify(auth, **options)
    async with client as spotify:
        yield spotify


def _open_coordinator(args: argparse.Namespace) -> contextlib.AbstractAsyncContextManager[Any]:
    """`trio_spotify.redis.open_redis_coordinator(args.redis)`; a `UsageError` when the
    `redis` extra is not installed."""
    try:
        from ..redis import open_redis_coordinator
    except ImportError as exc:
        raise UsageError(
            f"--redis needs the redis extra ({exc.name} is missing): "
            "pip install 'trio_spotify[redis]'"
        ) from None
    return open_redis_coordinator(args.redis, namespace=args.redis_namespace)


def _emulator_client(args: argparse.Namespace, emulator: Any) -> Any:
    try:
        from ..testing import CatalogSize, RateLimit, SpotifyEmulator, open_emulator_client
    except ImportError as exc:
        raise UsageError(
            f"--emulator needs the testing extra ({exc.name} is missing): "
            "pip install 'trio_spotify[testing]'"
        ) from None
    if emulator is None:
        options: dict[str, Any] = {}
        if args.emulator_artists is not None:
            options["catalog_size"] = CatalogSize(artists=args.emulator_artists)
        emulator = SpotifyEmulator(seed=args.emulator_seed, mode=args.emulator_mode, **options)
        emulator.faults.latency = args.emulator_latency
        if args.emulator_rate_limit is not None:
            requests, window = args.emulator_rate_limit
            emulator.rate_limit = RateLimit(requests, window)
    return open_emulator_client(emulator, max_concurrency=args.concurrency)


def _from_env(read: Callable[[], _T]) -> _T | None:
    """What `read` (a `from_env`) returns, or `None` when a variable it needs is unset."""
    try:
        return read()
    except LookupError:
        return None


async def _auth(args: argparse.Namespace) -> TokenRenewer:
    """Client credentials or a restored user sign-in, as `--auth` says."""
    app = _from_env(ClientCredentials.from_env)  # None without SPOTIFY_CLIENT_SECRET
    if app is None and _from_env(_pkce_without_redirect) is None:
        raise UsageError(
            "no credentials: set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET (or sign in with "
            "'trio-spotify login'), or add --emulator to crawl the offline emulator"
        )
    mode = args.auth
    if mode == "auto":
        if args.kind in _USER_KINDS or app is None:
            mode = "user"
        elif args.kind == "playlist":
            # A signed-in user's token if there is one; public playlists can be read with
            # the app's credentials otherwise.
            restored = await _restore_user(args, app, required=False)
            return restored if restored is not None else app
        else:
            mode = "app"
    if mode == "app":
        if args.kind in _USER_KINDS:
            raise UsageError(f"'crawl {args.kind}' needs a signed-in user, not --auth app")
        if app is None:
            raise UsageError("--auth app needs SPOTIFY_CLIENT_SECRET")
        return app
    restored = await _restore_user(args, app, required=True)
    assert restored is not None
    return restored


def _pkce_without_redirect() -> PKCE:
    """A PKCE flow of the app's `SPOTIFY_CLIENT_ID`: `LookupError` when it is unset."""
    return PKCE.from_env(redirect_uri=_RESTORE_REDIRECT_URI)


def _user_flow(
    flow_type: type[AuthorizationCode] | type[PKCE], **options: Any
) -> AuthorizationCode | PKCE:
    """`flow_type.from_env(**options)`, with `_RESTORE_REDIRECT_URI` when
    `SPOTIFY_REDIRECT_URI` is unset (the app's own variables are known to be set)."""
    try:
        return flow_type.from_env(**options)
    except LookupError:
        return flow_type.from_env(redirect_uri=_RESTORE_REDIRECT_URI, **options)


async def _restore_user(
    args: argparse.Namespace, app: ClientCredentials | None, *, required: bool
) -> TokenRenewer | None:
    """The user's saved sign-in (the authorization-code flow when the app has a secret,
    PKCE otherwise), or `None` when there is none and it is not `required`."""
    store = FileTokenStore(args.token_file) if args.token_file else FileTokenStore.default()
    scopes = needed_scopes(args)
    flow_type = AuthorizationCode if app is not None else PKCE
    try:
        flow = _user_flow(
            flow_type, scope=scopes, accounts_url=args.accounts_url, store=store, user=args.user
        )
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
