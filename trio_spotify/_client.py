"""The public entry point: `open_spotify` and the `Spotify` client it yields."""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import httpx
import trio

from ._auth import AccountsService, Token, TokenRenewer
from ._config import (
    DEFAULT_ACCOUNTS_URL,
    DEFAULT_API_URL,
    DEFAULT_TIMEOUT,
    HTTPConfig,
    RetryPolicy,
    default_ssl_context,
)
from ._coordination import Coordinator, LocalCoordinator, TokenSource
from ._endpoints import (
    Albums,
    Artists,
    Audiobooks,
    Categories,
    Chapters,
    Episodes,
    Genres,
    Library,
    Markets,
    Player,
    Playlists,
    Search,
    Shows,
    Tracks,
    Users,
)
from ._handler import Handler, SpotifyStatistics
from ._items import PagedItems

__all__ = ["Spotify", "open_spotify"]

_CONSTRUCT = object()


class Spotify(PagedItems):
    """A Spotify Web API client. Obtain one from `open_spotify`; it cannot be built directly.

    The operations of the Web API are grouped after Spotify's categories: `albums`,
    `artists`, `audiobooks`, `categories`, `chapters`, `episodes`, `genres`,
    `library`, `markets`, `player`, `playlists`, `shows`, `tracks`, `users`,
    and `search` (itself callable: `await spotify.search("q", types=["track"])`).
    `iter_items` / `all_items` follow paging objects. `docs/endpoints.md` maps every
    operation to its method.

    Every method that talks to Spotify is a checkpoint and takes no `timeout`: deadlines
    belong to the caller (`with trio.fail_after(10): ...`).
    """

    albums: Albums
    artists: Artists
    audiobooks: Audiobooks
    categories: Categories
    chapters: Chapters
    episodes: Episodes
    genres: Genres
    library: Library
    markets: Markets
    player: Player
    playlists: Playlists
    search: Search
    shows: Shows
    tracks: Tracks
    users: Users

    def __init__(self, handler: Handler, tokens: TokenSource, *, _private: object = None) -> None:
        if _private is not _CONSTRUCT:
            raise TypeError(
                "Spotify cannot be constructed directly: "
                "use 'async with open_spotify(auth) as spotify'"
            )
        super().__init__(handler)  # iter_items / all_items page through the handler
        self._handler = handler
        self._tokens = tokens
        # The groups hold the handler (the sender), never this facade: data flows one way.
        self.albums = Albums(handler)
        self.artists = Artists(handler)
        self.audiobooks = Audiobooks(handler)
        self.categories = Categories(handler)
        self.chapters = Chapters(handler)
        self.episodes = Episodes(handler)
        self.genres = Genres(handler)
        self.library = Library(handler)
        self.markets = Markets(handler)
        self.player = Player(handler)
        self.playlists = Playlists(handler)
        self.search = Search(handler)
        self.shows = Shows(handler)
        self.tracks = Tracks(handler)
        self.users = Users(handler)

    def __repr__(self) -> str:
        return f"<trio_spotify.Spotify api_url={self._handler.api_url!r}>"

    @property
    def api_url(self) -> str:
        """The Web API base URL this client sends to."""
        return self._handler.api_url

    @property
    def token(self) -> Token | None:
        """The token the client holds now (`None` before the first request obtains one)."""
        return self._tokens.token

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send a request to the Web API and return the decoded JSON (`None` for no body).

        `path` is relative to `api_url` (`"/tracks/11dFghVXANMlKmJXsNCbNl"`), or an
        absolute URL under it (a paging `next` link). `params` values may be lists
        (comma-joined), booleans (`true`/`false`) or `None` (dropped). `json` sends a
        JSON body; `content` raw bytes (set `Content-Type` in `headers`).

        A checkpoint. Renews the token, waits out rate limits and retries transient failures
        as described in the handler's docs; raises `SpotifyAPIError`
        subclasses for error answers, `NetworkError` for transport
        failures, `ResponseDecodeError` for a body that is not JSON,
        `ClientClosedError` after the `async with` block ended and
        `ValueError` for a path outside `api_url`.
        """
        return await self._handler.request(
            method, path, params=params, json=json, content=content, headers=headers
        )

    def statistics(self) -> SpotifyStatistics:
        """A frozen snapshot of the client's activity (in flight, waiting, renewals, 429s, ...)."""
        return self._handler.statistics()


@contextlib.asynccontextmanager
async def open_spotify(
    auth: Token | TokenRenewer,
    *,
    api_url: str = DEFAULT_API_URL,
    accounts_url: str = DEFAULT_ACCOUNTS_URL,
    max_concurrency: int = 32,
    http_clients: int | None = None,
    retry: RetryPolicy | None = None,
    token_skew: float = 60.0,
    on_token: Callable[[Token], object] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    transport_timeout: httpx.Timeout | float | None = None,
    ssl_context: ssl.SSLContext | None = None,
    proxy: str | httpx.Proxy | None = None,
    http2: bool = False,
    coordinator: Coordinator | None = None,
) -> AsyncIterator[Spotify]:
    """Open a Spotify client for the duration of an `async with` block.

    - `auth`: a fixed `Token`, or a strategy that can obtain tokens
      (`ClientCredentials`, a user sign-in strategy, or any object
      with an `async renew(accounts, stale)` method).
    - `max_concurrency`: requests in flight at most (one `trio.CapacityLimiter`).
    - `http_clients`: how many `httpx.AsyncClient` share the requests (default
      `min(max_concurrency, 64)`), created lazily as concurrency grows.
    - `retry`: a `RetryPolicy` (back-off, `max_retry_after`, ...).
    - `token_skew`: renew this many seconds before expiry (at most a quarter of a token's
      lifetime).
    - `on_token`: called with every new token (to persist rotated refresh tokens).
    - `transport`: an httpx transport every internal client uses instead of the network
      (`httpx.MockTransport`, `httpx.ASGITransport` with the emulator).
    - `transport_timeout`, `ssl_context`, `proxy`, `http2`: transport configuration,
      set once. The transport timeout (default 30 s, 10 s to connect) is a safety net against
      dead connections, not a deadline: deadlines belong to the caller (`trio.fail_after`).
      One `ssl.SSLContext` is shared by all clients.
    - `coordinator`: where the token and the rate-limit gate are coordinated. The default,
      a `LocalCoordinator`, coordinates the tasks of this client; the one
      `trio_spotify.redis.open_redis_coordinator` yields shares them between processes.

    Leaving the block closes every client; using the client afterwards raises
    `ClientClosedError`. An exception raised in the block comes out as
    itself: the client opens no nursery of its own. Raises `ValueError` for invalid
    settings and `TypeError` for an `auth` of the wrong kind.
    """
    if max_concurrency < 1:
        raise ValueError(f"max_concurrency must be at least 1, not {max_concurrency}")
    if http_clients is None:
        http_clients = min(max_concurrency, 64)
    if not 1 <= http_clients <= max_concurrency:
        raise ValueError(
            f"http_clients must be between 1 and max_concurrency ({max_concurrency}), "
            f"not {http_clients}"
        )
    for name, url in (("api_url", api_url), ("accounts_url", accounts_url)):
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"{name} must be an http(s) URL, not {url!r}")
    if transport_timeout is None:
        timeout = DEFAULT_TIMEOUT
    elif isinstance(transport_timeout, httpx.Timeout):
        timeout = transport_timeout
    else:
        timeout = httpx.Timeout(transport_timeout)
    if transport is None and ssl_context is None:
        ssl_context = default_ssl_context()  # one for every client
    http = HTTPConfig(transport, timeout, ssl_context, proxy, http2)

    if retry is None:
        retry = RetryPolicy()
    # Token requests get their own small client, outside the API limiter; a transient
    # failure of the accounts service is retried with the same policy as the Web API's.
    accounts_client = http.client(2)
    accounts = AccountsService(accounts_client, accounts_url, retry=retry)
    try:
        if coordinator is None:
            coordinator = LocalCoordinator()
        tokens = coordinator.token_source(auth, accounts, skew=token_skew, on_token=on_token)
        handler = Handler(
            api_url=api_url,
            tokens=tokens,
            max_concurrency=max_concurrency,
            http_clients=http_clients,
            retry=retry,
            http=http,
            coordinator=coordinator,
        )
        try:
            await trio.lowlevel.checkpoint()
            yield Spotify(handler, tokens, _private=_CONSTRUCT)
        finally:
            await handler.aclose()
    finally:
        with trio.move_on_after(5) as scope:
            scope.shield = True
            await accounts_client.aclose()
