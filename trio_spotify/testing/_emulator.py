"""`SpotifyEmulator`: an offline Spotify, its configuration and the state it keeps.

The emulator composes its parts, each in its own module: the catalog (`_catalog`), the
state of users and playlists (`_state`, created and seeded here), the accounts service
(`_emulated_accounts`), faults and rate limits (`_faults`), counters (`_counters`) and
the ASGI app that serves the Web API (`_app`, with the handlers of `_api`).
"""

from __future__ import annotations

import functools
import hashlib
import random
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import attrs

from ._app import build_app
from ._call import Mode
from ._catalog import Catalog
from ._catalog_ids import ALBUM, ARTIST, AUDIOBOOK, EPISODE, PLAYLIST, SHOW, TRACK, USER_PLAYLIST
from ._catalog_size import CatalogSize
from ._counters import EmulatorCounters
from ._emulated_accounts import ALL_SCOPES, EmulatedAccounts
from ._faults import Faults, RateLimit, Throttle
from ._state import Device, PlayerState, Playlist, PlaylistEntry, UserState

if TYPE_CHECKING:
    from trio_spotify import ClientCredentials

__all__ = ["EmulatorUserAuth", "SpotifyEmulator", "shared_catalog"]


@functools.lru_cache(maxsize=16)
def shared_catalog(seed: int | str, size: CatalogSize) -> Catalog:
    """One catalog per (seed, size), shared by every emulator that asks for it.

    A catalog is immutable (generated objects are cached, never changed; what writes change
    lives in each emulator's state), so emulators created test after test reuse the objects
    and the search index already built.
    """
    return Catalog(seed, size)


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

    or on a socket with `open_emulator_server`.

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
        self.accounts = EmulatedAccounts(self)
        self.throttle = Throttle()
        self._users: dict[str, UserState] = {}
        self._playlists: dict[str, Playlist] = {}
        self._created_playlists = 0
        self._last_ms = 0
        self.app = build_app(self)

    def __repr__(self) -> str:
        return (
            f"<SpotifyEmulator seed={self.catalog.seed!r} mode={self.mode!r} "
            f"client_id={self.client_id!r}>"
        )

    # -- tokens for tests ---------------------------------------------------------------------

    def client_credentials(self) -> ClientCredentials:
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
        """`ms` (wall-clock milliseconds) as Spotify writes times: `2024-05-27T20:07:54Z`."""
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
            state.player = PlayerState(devices=self._devices(user_id))
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
            Device(device_id("speaker"), "Emulator Speaker", "Speaker", None, False),
        ]

    def _seed_library(self, state: UserState) -> None:
        c = self.catalog
        rng = random.Random(f"{c.seed}/library/{state.user_id}")
        base = self.now_ms() - 86_400_000 * 30

        def stamp(n: int) -> str:
            return self.iso(base + n * 3_600_000)

        def random_track() -> str:
            return f"spotify:track:{c.id_of(TRACK, c.track_at(rng.randrange(10**6)))}"

        size = c.size
        # Distinct picks, so the counts documented in docs/testing.md hold.
        for n, album in enumerate(rng.sample(range(c.album_count), min(30, c.album_count))):
            tracks = c.album_tracks(album)
            uri = f"spotify:track:{c.id_of(TRACK, tracks[rng.randrange(len(tracks))])}"
            state.saved_of("track")[uri] = stamp(n)
        for n, album in enumerate(rng.sample(range(c.album_count), min(6, c.album_count))):
            state.saved_of("album")[f"spotify:album:{c.id_of(ALBUM, album)}"] = stamp(n)
        for n, show in enumerate(rng.sample(range(size.shows), min(3, size.shows))):
            state.saved_of("show")[f"spotify:show:{c.id_of(SHOW, show)}"] = stamp(n)
        for n, book in enumerate(rng.sample(range(size.audiobooks), min(2, size.audiobooks))):
            state.saved_of("audiobook")[f"spotify:audiobook:{c.id_of(AUDIOBOOK, book)}"] = stamp(n)
        for n in range(4):
            show, slot = n % size.shows, (n // size.shows) % size.episodes_per_show
            episode = c.show_episodes(show)[slot]
            state.saved_of("episode")[f"spotify:episode:{c.id_of(EPISODE, episode)}"] = stamp(n)
        for k in range(min(8, size.artists)):
            state.followed_artists[c.id_of(ARTIST, (k * 7) % size.artists)] = None
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
        """A new playlist of `owner`'s (who follows it), as `POST /me/playlists` makes."""
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


@attrs.define
class EmulatorUserAuth:
    """A signed-in user's refresh token for an emulator (from `SpotifyEmulator.user_auth`).

    A `TokenRenewer`: renews with the `refresh_token` grant and
    follows rotation. Secrets stay out of `repr`.
    """

    client_id: str
    client_secret: str = attrs.field(repr=False)
    refresh_token: str = attrs.field(repr=False)

    def adopt(self, token: Any) -> None:
        """Refresh with `token`'s refresh token from now on (a `TokenAdopter`: a token
        shared by another process may carry a rotated one). Not a checkpoint."""
        if token.refresh_token:
            self.refresh_token = token.refresh_token

    async def renew(self, accounts: Any, stale: Any) -> Any:
        """Ask the accounts service for a new access token. A checkpoint; raises
        `InvalidGrantError` when the refresh token was revoked or expired."""
        token = await accounts.request_token(
            {"grant_type": "refresh_token", "refresh_token": self.refresh_token},
            client_id=self.client_id,
            client_secret=self.client_secret,
            previous=stale,
        )
        if token.refresh_token:
            self.refresh_token = token.refresh_token
        return token
