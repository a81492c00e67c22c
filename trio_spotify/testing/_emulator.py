"""The `SpotifyEmulator`: configuration, state, counters, faults and the ASGI app."""

from __future__ import annotations

import collections
import functools
import hashlib
import json
import math
import random
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, Literal

import anyio
import attrs
import httpx
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send

from ._accounts import ALL_SCOPES, AccessGrant, AccountsService
from ._api import OPERATIONS, Operation
from ._call import ApiError, Call
from ._catalog import BASE, PLAYLIST, USER_PLAYLIST, Catalog, CatalogSize
from ._state import Device, Player, Playlist, PlaylistEntry, UserState

__all__ = ["EmulatorCounters", "Faults", "RateLimit", "SpotifyEmulator"]

Mode = Literal["extended", "development"]

#: Set in the ASGI scope by `serve_emulator`: the request came over a real socket.
SOCKET_SCOPE_KEY = "trio_spotify.socket"
_JSON = "application/json; charset=utf-8"


@attrs.frozen
class RateLimit:
    """Allow `requests` Web API requests per client id in any rolling `window` seconds."""

    requests: int = attrs.field(validator=attrs.validators.ge(1))
    window: float = attrs.field(default=30.0, validator=attrs.validators.gt(0))


@attrs.define
class EmulatorCounters:
    """What the emulator has seen. Read them in tests; they only ever grow."""

    #: Web API requests per operationId (refused ones included).
    requests: collections.Counter[str] = attrs.field(factory=collections.Counter)
    #: Access tokens issued, in all and per grant type.
    tokens_issued: int = 0
    tokens_by_grant: collections.Counter[str] = attrs.field(factory=collections.Counter)
    #: Token endpoint refusals per RFC 6749 error code.
    token_errors: collections.Counter[str] = attrs.field(factory=collections.Counter)
    #: Requests to `/authorize`.
    authorizations: int = 0
    #: 429 answers sent (rate limit and quota).
    rate_limited: int = 0
    #: 401 answers sent by the Web API (missing, unknown or expired tokens).
    unauthorized: int = 0
    #: Faults injected, per kind (`"error"`, `"malformed"`, `"drop"`).
    faults: collections.Counter[str] = attrs.field(factory=collections.Counter)

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())


@attrs.define
class _Scheduled:
    kind: str
    status: int
    remaining: int
    operation: str | None


class Faults:
    """Failures injected into Web API answers, for testing retries and for benchmarks.

    - `latency`: seconds every Web API answer is delayed (`anyio.sleep`, so under
      Trio a `MockClock` skips it);
    - `fail_next`, `malformed_next`, `drop_next`: schedule faults for the
      next `count` matching requests (optionally of one `operation` id);
    - `error_rate`: the probability that any request gets a random status of
      `error_statuses` (seeded, so runs repeat).

    Faults hit Web API requests; the token endpoint only gets those scheduled with
    `operation="request-token"` (an error answers `{"error": "server_error"}`).

    Dropping a connection closes it mid-answer when the emulator is served on a socket;
    in-process it raises `httpx.RemoteProtocolError` out of the transport, which is what
    the client sees on a socket.
    """

    def __init__(self, seed: int | str = 0) -> None:
        self.latency = 0.0
        self.error_rate = 0.0
        self.error_statuses: tuple[int, ...] = (500, 502, 503)
        self._random = random.Random(f"faults/{seed}")
        self._scheduled: list[_Scheduled] = []

    def fail_next(self, status: int = 503, count: int = 1, *, operation: str | None = None) -> None:
        """Answer the next `count` requests (of `operation`) with `status` (5xx, or any)."""
        if not 400 <= status <= 599:
            raise ValueError(f"status must be an HTTP error status, not {status}")
        self._schedule("error", status, count, operation)

    def malformed_next(self, count: int = 1, *, operation: str | None = None) -> None:
        """Answer the next `count` requests with a 200 whose body is not valid JSON."""
        self._schedule("malformed", 200, count, operation)

    def drop_next(self, count: int = 1, *, operation: str | None = None) -> None:
        """Drop the connection of the next `count` requests half-way through the answer."""
        self._schedule("drop", 0, count, operation)

    def clear(self) -> None:
        """Remove every scheduled fault and switch off latency and random errors."""
        self._scheduled.clear()
        self.latency = 0.0
        self.error_rate = 0.0

    @property
    def pending(self) -> int:
        """Scheduled faults not yet delivered."""
        return sum(s.remaining for s in self._scheduled)

    def _schedule(self, kind: str, status: int, count: int, operation: str | None) -> None:
        if count < 1:
            raise ValueError(f"count must be at least 1, not {count}")
        self._scheduled.append(_Scheduled(kind, status, count, operation))

    def take(self, operation: str, *, targeted_only: bool = False) -> tuple[str, int] | None:
        """The fault for one request of `operation` (consumed), or `None`.

        The token endpoint (`operation="request-token"`) passes `targeted_only`: it only
        gets faults scheduled for it by name, never the untargeted ones or random errors.
        """
        for item in self._scheduled:
            if item.operation == operation or (item.operation is None and not targeted_only):
                item.remaining -= 1
                if item.remaining == 0:
                    self._scheduled.remove(item)
                return item.kind, item.status
        if not targeted_only and self.error_rate > 0 and self._random.random() < self.error_rate:
            return "error", self._random.choice(self.error_statuses)
        return None


@functools.lru_cache(maxsize=16)
def shared_catalog(seed: int | str, size: CatalogSize) -> Catalog:
    """One catalog per (seed, size), shared by every emulator that asks for it.

    A catalog is immutable (generated objects are cached, never changed; what writes change
    lives in each emulator's state), so emulators created test after test reuse the objects
    and the search index already built.
    """
    return Catalog(seed, size)


def _error_response(error: ApiError) -> Response:
    return Response(
        json.dumps(error.body()), status_code=error.status, media_type=_JSON, headers=error.headers
    )


class _DroppedResponse(Response):
    """Starts a 200 answer promising more bytes than it sends, then stops: on a socket the
    server closes the connection mid-body."""

    def __init__(self) -> None:
        super().__init__(status_code=200)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", _JSON.encode()), (b"content-length", b"4096")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"partial": ', "more_body": True})
        raise ConnectionAbortedError("the emulator dropped this connection (injected fault)")


class SpotifyEmulator:
    """An offline Spotify: the accounts service and all 96 Web API operations, as an ASGI app.

    `.app` serves `/authorize` and `/api/token` at its root and the Web API under
    `/v1`: give a client `accounts_url=BASE` and `api_url=BASE + "/v1"`. In-process:

        emulator = SpotifyEmulator()
        transport = httpx.ASGITransport(app=emulator.app)
        async with open_spotify(emulator.client_credentials(), transport=transport,
                                api_url="http://emulator.test/v1",
                                accounts_url="http://emulator.test") as spotify:
            ...

    or on a socket with `serve_emulator`.

    Arguments (all keyword-only, all optional):

    - `seed`, `catalog_size`: the generated catalog (`CatalogSize`).
    - `mode`: `"extended"` (all operations) or `"development"` (the 48 operations
      Spotify's definition marks deprecated answer 403, as for development-mode apps).
    - `clock`: a function returning seconds (default `time.monotonic`); pass
      `trio.current_time` so a `MockClock` drives token expiry and rate-limit windows.
    - `access_token_lifetime` (3600 s), `refresh_token_lifetime` (`None`: never
      expire; Spotify's is six months), `rotate_refresh_tokens` (`None`: PKCE refresh
      tokens rotate, code-flow ones do not; `True`/`False` for all).
    - `rate_limit`: a `RateLimit` (off by default); `quota`: requests per client
      id after which every request answers 429 `QUOTA_EXCEEDED`.
    - `user_id`: the user who signs in through `/authorize`; `consent`: `False`
      makes `/authorize` answer `error=access_denied`.
    - `redirect_uris`: redirect URIs allowed besides `http://127.0.0.1:<any port>/...`
      and `http://[::1]:<any port>/...` (which are always allowed, as on Spotify).

    All of these are attributes that may be changed between requests, too.
    """

    def __init__(
        self,
        *,
        seed: int | str = 0,
        catalog_size: CatalogSize | None = None,
        mode: Mode = "extended",
        clock: Callable[[], float] | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        access_token_lifetime: float = 3600.0,
        refresh_token_lifetime: float | None = None,
        rotate_refresh_tokens: bool | None = None,
        rate_limit: RateLimit | None = None,
        quota: int | None = None,
        user_id: str = "emulator.user",
        consent: bool = True,
        redirect_uris: Iterable[str] = (),
    ) -> None:
        if mode not in ("extended", "development"):
            raise ValueError(f"mode must be 'extended' or 'development', not {mode!r}")
        if access_token_lifetime <= 0:
            raise ValueError("access_token_lifetime must be positive")
        digest = hashlib.sha256(f"app/{seed}".encode()).hexdigest()
        self.catalog = shared_catalog(seed, catalog_size or CatalogSize())
        self.mode: Mode = mode
        self.clock: Callable[[], float] = clock if clock is not None else time.monotonic
        self.client_id = client_id if client_id is not None else digest[:32]
        self.client_secret = client_secret if client_secret is not None else digest[32:]
        self.access_token_lifetime = access_token_lifetime
        self.refresh_token_lifetime = refresh_token_lifetime
        self.rotate_refresh_tokens = rotate_refresh_tokens
        self.rate_limit = rate_limit
        self.quota = quota
        self.user_id = user_id
        self.consent = consent
        self.redirect_uris = set(redirect_uris)
        self.counters = EmulatorCounters()
        self.faults = Faults(seed)
        self.accounts = AccountsService(self)
        self._users: dict[str, UserState] = {}
        self._playlists: dict[str, Playlist] = {}
        self._created_playlists = 0
        self._windows: dict[str, collections.deque[float]] = {}
        self._quota_used: collections.Counter[str] = collections.Counter()
        self._last_ms = 0
        self.app = self._build_app()

    def __repr__(self) -> str:
        return (
            f"<SpotifyEmulator seed={self.catalog.seed!r} mode={self.mode!r} "
            f"client_id={self.client_id!r}>"
        )

    # -- tokens for tests ---------------------------------------------------------------------

    def client_credentials(self) -> Any:
        """A `trio_spotify.ClientCredentials` for this emulator's app."""
        from trio_spotify import ClientCredentials

        return ClientCredentials(self.client_id, self.client_secret)

    def user_auth(
        self, scopes: Iterable[str] | None = None, *, user_id: str | None = None
    ) -> EmulatorUserAuth:
        """A token strategy signed in as `user_id` (default: the emulator's user).

        It holds a refresh token granted with `scopes` (default: every scope) as if the
        user had gone through `/authorize`, and renews through `/api/token` with the
        `refresh_token` grant — so renewals show up in the counters like real ones.
        """
        granted = ALL_SCOPES if scopes is None else frozenset(scopes)
        user = user_id if user_id is not None else self.user_id
        refresh = self.accounts.mint_refresh(self.client_id, user, granted, pkce=False)
        return EmulatorUserAuth(self.client_id, self.client_secret, refresh)

    def issue_access_token(
        self,
        scopes: Iterable[str] | None = None,
        *,
        user_id: str | None = None,
        lifetime: float | None = None,
    ) -> str:
        """Mint an access token directly (no HTTP): a user's, or the app's with `user_id=""`."""
        granted = ALL_SCOPES if scopes is None else frozenset(scopes)
        user = self.user_id if user_id is None else (user_id or None)
        token, _ = self.accounts.mint_access(
            self.client_id, user, granted if user else frozenset(), "direct", lifetime
        )
        return token

    def expire_access_tokens(self) -> int:
        """Expire every access token issued so far (the next requests get 401)."""
        return self.accounts.expire_access_tokens()

    def revoke_refresh_tokens(self) -> None:
        """Revoke every refresh token (renewals fail with `invalid_grant`)."""
        self.accounts.revoke_refresh_tokens()

    # -- time -----------------------------------------------------------------------------------

    def now_ms(self) -> int:
        """Wall-clock milliseconds, strictly increasing (for `added_at`, `played_at`)."""
        now = max(int(time.time() * 1000), self._last_ms + 1)
        self._last_ms = now
        return now

    @staticmethod
    def iso(ms: int) -> str:
        return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    # -- state --------------------------------------------------------------------------------

    def user(self, user_id: str) -> UserState:
        """The state of `user_id`, created on first use (the emulator's user is pre-seeded
        with a library, follows, three playlists and a listening history)."""
        state = self._users.get(user_id)
        if state is None:
            index = self.catalog.user_index(user_id)
            name = (
                self.catalog.user_display_name(index)
                if index is not None
                else user_id.replace(".", " ").title()
            )
            state = UserState(user_id, name)
            state.player = Player(devices=self._devices(user_id))
            self._users[user_id] = state
            if user_id == self.user_id:
                self._seed_library(state)
        return state

    def _devices(self, user_id: str) -> list[Device]:
        def device_id(name: str) -> str:
            return hashlib.sha1(f"{user_id}/{name}".encode()).hexdigest()

        return [
            Device(device_id("computer"), "Emulator Computer", "Computer", 70),
            Device(device_id("phone"), "Emulator Phone", "Smartphone", 50),
            Device(device_id("speaker"), "Emulator Speaker", "Speaker", 30),
        ]

    def _seed_library(self, state: UserState) -> None:
        c = self.catalog
        rng = random.Random(f"{c.seed}/library/{state.user_id}")
        base = self.now_ms() - 86_400_000 * 30

        def stamp(n: int) -> str:
            return self.iso(base + n * 3_600_000)

        def random_track() -> str:
            return f"spotify:track:{c.id_of(3, c.track_at(rng.randrange(10**6)))}"

        size = c.size
        # Distinct picks, so the counts documented in docs/testing.md hold.
        for n, album in enumerate(rng.sample(range(c.album_count), min(30, c.album_count))):
            tracks = c.album_tracks(album)
            uri = f"spotify:track:{c.id_of(3, tracks[rng.randrange(len(tracks))])}"
            state.saved_of("track")[uri] = stamp(n)
        for n, album in enumerate(rng.sample(range(c.album_count), min(6, c.album_count))):
            state.saved_of("album")[f"spotify:album:{c.id_of(2, album)}"] = stamp(n)
        for n, show in enumerate(rng.sample(range(size.shows), min(3, size.shows))):
            state.saved_of("show")[f"spotify:show:{c.id_of(4, show)}"] = stamp(n)
        for n, book in enumerate(rng.sample(range(size.audiobooks), min(2, size.audiobooks))):
            state.saved_of("audiobook")[f"spotify:audiobook:{c.id_of(6, book)}"] = stamp(n)
        for n in range(4):
            show, slot = n % size.shows, (n // size.shows) % size.episodes_per_show
            episode = c.show_episodes(show)[slot]
            state.saved_of("episode")[f"spotify:episode:{c.id_of(5, episode)}"] = stamp(n)
        for k in range(min(8, size.artists)):
            state.followed_artists[c.id_of(1, (k * 7) % size.artists)] = None
        for k in range(min(2, size.playlists)):
            state.followed_playlists[c.id_of(PLAYLIST, k)] = None
        for name, length in (("Emulator Favourites", 12), ("Long Drive", 120), ("Empty", 0)):
            playlist = self.create_playlist(
                state, name, public=True, collaborative=False, description=f"{length} tracks"
            )
            for k in range(length):
                uri = random_track()
                playlist.entries.append(PlaylistEntry(uri, stamp(k), state.user_id))
        for k in range(30):
            uri = random_track()
            state.history.append((uri, base + k * 600_000, None))

    def create_playlist(
        self,
        owner: UserState,
        name: str,
        *,
        public: bool,
        collaborative: bool,
        description: str | None,
    ) -> Playlist:
        index = self._created_playlists
        self._created_playlists += 1
        playlist = Playlist(
            id=self.catalog.id_of(USER_PLAYLIST, index),
            name=name,
            description=description,
            owner=owner.user_id,
            owner_name=owner.display_name,
            public=public,
            collaborative=collaborative,
            followers=0,
            entries=[],
        )
        self._playlists[playlist.id] = playlist
        owner.followed_playlists[playlist.id] = None
        return playlist

    def playlist(self, playlist_id: str) -> Playlist | None:
        """A playlist by ID: one created through the API, or a catalog one (copied on first use)."""
        playlist = self._playlists.get(playlist_id)
        if playlist is not None:
            return playlist
        decoded = self.catalog.ids.decode(playlist_id)
        if decoded is None or decoded[0] != PLAYLIST or decoded[1] >= self.catalog.size.playlists:
            return None
        seed = self.catalog.playlist_seed(decoded[1])
        added = self.iso(1_700_000_000_000 + decoded[1] * 86_400_000)
        playlist = Playlist(
            id=seed["id"],
            name=seed["name"],
            description=seed["description"],
            owner=seed["owner"],
            owner_name=seed["owner_name"],
            public=seed["public"],
            collaborative=seed["collaborative"],
            followers=seed["followers"],
            entries=[PlaylistEntry(uri, added, seed["owner"]) for uri in seed["items"]],
        )
        self._playlists[playlist_id] = playlist
        return playlist

    def known_user(self, user_id: str) -> bool:
        """Whether `user_id` exists: a catalog user, or one who has state here."""
        return self.catalog.user_index(user_id) is not None or user_id in self._users

    def followers_of(self, user_id: str) -> int:
        """How many users of this emulator follow `user_id`."""
        return sum(1 for state in self._users.values() if user_id in state.followed_users)

    def owned_playlists(self, user_id: str) -> list[str]:
        """IDs of the playlists `user_id` owns (catalog ones and created ones)."""
        ids: list[str] = []
        index = self.catalog.user_index(user_id)
        if index is not None:
            size = self.catalog.size
            ids.extend(
                self.catalog.id_of(PLAYLIST, p) for p in range(index, size.playlists, size.users)
            )
        ids.extend(
            pid for pid, p in self._playlists.items() if p.owner == user_id and pid not in ids
        )
        return ids

    # -- the ASGI app ------------------------------------------------------------------------

    def _build_app(self) -> Starlette:
        api_routes = [
            Route(op.path, self._endpoint(op), methods=[op.method], name=op.operation_id)
            for op in OPERATIONS
        ]

        async def not_found(request: Request, exc: Exception) -> Response:
            status = exc.status_code if isinstance(exc, HTTPException) else 500
            message = "Service not found" if status == 404 else "Method not allowed"
            return _error_response(ApiError(status, message))

        return Starlette(
            routes=[
                Route("/authorize", self.accounts.authorize, methods=["GET"]),
                Route("/api/token", self.accounts.token, methods=["POST"]),
                Mount("/v1", routes=api_routes),
            ],
            exception_handlers={404: not_found, 405: not_found},
        )

    def _authenticate(self, request: Request) -> AccessGrant:
        header = request.headers.get("authorization")
        if header is None:
            raise ApiError(401, "No token provided")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise ApiError(400, "Only valid bearer authentication supported")
        grant = self.accounts.access.get(token)
        if grant is None:
            raise ApiError(401, "Invalid access token")
        if self.clock() >= grant.expires_at:
            raise ApiError(401, "The access token expired")
        return grant

    def _check_rate(self, client_id: str) -> None:
        if self.quota is not None:
            self._quota_used[client_id] += 1
            if self._quota_used[client_id] > self.quota:
                raise ApiError(429, "Too many requests", "QUOTA_EXCEEDED", {"Retry-After": "86400"})
        limit = self.rate_limit
        if limit is None:
            return
        now = self.clock()
        window = self._windows.setdefault(client_id, collections.deque())
        while window and window[0] <= now - limit.window:
            window.popleft()
        if len(window) >= limit.requests:
            retry_after = max(1, math.ceil(window[0] + limit.window - now))
            raise ApiError(429, "API rate limit exceeded", None, {"Retry-After": str(retry_after)})
        window.append(now)

    def _endpoint(self, op: Operation) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            self.counters.requests[op.operation_id] += 1
            try:
                response = await self._serve(op, request)
            except ApiError as error:
                if error.status == 429:
                    self.counters.rate_limited += 1
                elif error.status == 401:
                    self.counters.unauthorized += 1
                return _error_response(error)
            return response

        return endpoint

    async def _serve(self, op: Operation, request: Request) -> Response:
        faults = self.faults
        if faults.latency > 0:
            await anyio.sleep(faults.latency)
        fault = faults.take(op.operation_id)
        if fault is not None:
            kind, status = fault
            self.counters.faults[kind] += 1
            if kind == "error":
                raise ApiError(
                    status,
                    "Service unavailable"
                    if status == 503
                    else "Server error"
                    if status >= 500
                    else "Injected error",
                )
            if kind == "malformed":
                return Response(b'{"error": malformed json', status_code=200, media_type=_JSON)
            if request.scope.get(SOCKET_SCOPE_KEY):
                return _DroppedResponse()
            raise httpx.RemoteProtocolError("the emulator dropped the connection (injected fault)")
        grant = self._authenticate(request)
        self._check_rate(grant.client_id)
        if op.deprecated and self.mode == "development":
            raise ApiError(403, "Forbidden")
        if op.user and grant.user_id is None:
            raise ApiError(401, "This request requires user authentication.")
        if op.scopes and not (op.scopes & grant.scopes):
            raise ApiError(403, "Insufficient client scope")
        raw = await request.body() if request.method != "GET" else b""
        status, body = op.handler(Call(self, request, grant, raw))
        if body is None:
            return Response(status_code=status)
        base = str(request.base_url).rstrip("/")
        data = json.dumps(body, separators=(",", ":")).replace(BASE, base).encode()
        if request.method != "GET" or status != 200:
            return Response(data, status_code=status, media_type=_JSON)
        # Conditional requests: an ETag on every GET, 304 when If-None-Match matches it.
        etag = '"' + hashlib.blake2b(data, digest_size=12).hexdigest() + '"'
        headers = {"ETag": etag, "Cache-Control": "private, max-age=0"}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(data, status_code=status, media_type=_JSON, headers=headers)


@attrs.define
class EmulatorUserAuth:
    """A signed-in user's refresh token for an emulator (from `SpotifyEmulator.user_auth`).

    A `TokenRenewer`: renews with the `refresh_token` grant and
    follows rotation. Secrets stay out of `repr`.
    """

    client_id: str
    client_secret: str = attrs.field(repr=False)
    refresh_token: str = attrs.field(repr=False)

    async def renew(self, accounts: Any, stale: Any) -> Any:
        """Ask the accounts service for a new access token. A checkpoint; raises
        `InvalidGrant` when the refresh token was revoked or expired."""
        token = await accounts.request_token(
            {"grant_type": "refresh_token", "refresh_token": self.refresh_token},
            client_id=self.client_id,
            client_secret=self.client_secret,
            previous=stale,
        )
        if token.refresh_token:
            self.refresh_token = token.refresh_token
        return token
