"""The crawl: what is requested for each kind of target, batched and concurrent.

Built only on the public client (`spotify.<group>.<method>`, `spotify.iter_items`): every
request goes through the client's limiter, rate-limit gate and retries, so the crawl's
concurrency is the client's `max_concurrency` and nothing here sleeps or counts requests.

Each record written is `{"kind", "id", "context", "data"}` (see `docs/tutorial.md`):

| kind              | id                                     | data                             |
| ----------------- | -------------------------------------- | -------------------------------- |
| `artist`          | the artist ID                          | the artist object                |
| `album`           | the album ID (context: the artist URI) | the full album object            |
| `track`           | the track ID (context: the album URI)  | the full track object            |
| `playlist`        | the playlist ID                        | the playlist without its items   |
| `playlist_item`   | `<playlist ID>/<position>`             | the playlist item (`added_at`…)  |
| `saved_<type>`    | the saved object's ID                  | the saved item (`added_at`…)     |
| `followed_artist` | the artist ID                          | the artist object                |
| `search_result`   | `<type>/<position>/<query>`            | the search result object         |

Every batch size, page size and offset cap comes from the operations table
(`trio_spotify._operations.OPERATIONS`), read when the request is made: the crawl asks
for as much per request as the row of the operation allows, and no more.

An artist's discography is crawled as a pipeline: the artist, then its albums page by page
(`spotify.iter_items` fetches the pages concurrently), full albums a batch per request
(`get-multiple-albums`) as soon as a batch is known, then full tracks a batch per request
(`get-several-tracks`), batched across albums and artists. The batch endpoints are
deprecated for development-mode apps: on their first 403 the crawl notes it and fetches
objects one by one from then on.

Errors stay with the item they belong to. A transient failure that outlasted the client's
own retries (a 5xx or a dropped connection, the accounts service failing a token renewal)
is tried again by the crawl, a few times with growing pauses (so is one refused while the
Redis of `--redis` is lost: said once; the crawl stops if it is not back in time). Any
other failure is reported, counted and the rest of the crawl goes on — unless `fail_fast`
is set, or the failure concerns every item (authentication, lost Redis, a missing scope,
the output failing), which stops the crawl. The tasks of the crawl's nurseries catch their failures
themselves, so no `ExceptionGroup` ever leaves `Crawler.crawl`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import trio

from .. import (
    AuthenticationError,
    ForbiddenError,
    MissingScopeError,
    NetworkError,
    RedisUnavailableError,
    ServerError,
    SpotifyError,
)
from ._jsonl import JsonlWriter, OutputError
from ._limits import batch_size as batch_size
from ._limits import page_size as page_size
from ._limits import search_cap as search_cap
from ._progress import Reporter

if TYPE_CHECKING:
    from .. import Spotify

__all__ = [
    "KIND_OPERATIONS",
    "LIBRARY_KINDS",
    "Crawler",
    "Job",
    "LibraryKind",
    "batch_size",
    "page_size",
    "search_cap",
]


@attrs.frozen
class LibraryKind:
    """`library <what>`: the records it writes and where they come from."""

    #: The record kind written (`saved_track`, ...).
    record: str
    #: The key of the saved object in each item (`None`: the item is the object).
    inner: str | None
    #: The operation that lists them (its row gives the page size and the scopes).
    operation_id: str


LIBRARY_KINDS: dict[str, LibraryKind] = {
    "tracks": LibraryKind("saved_track", "track", "get-users-saved-tracks"),
    "albums": LibraryKind("saved_album", "album", "get-users-saved-albums"),
    "shows": LibraryKind("saved_show", "show", "get-users-saved-shows"),
    "episodes": LibraryKind("saved_episode", "episode", "get-users-saved-episodes"),
    "audiobooks": LibraryKind("saved_audiobook", "audiobook", "get-users-saved-audiobooks"),
    "playlists": LibraryKind("saved_playlist", None, "get-a-list-of-current-users-playlists"),
}

#: The operations each kind of crawl may call (`library` calls its types' operations):
#: their rows' scopes are what a user token must hold for it.
KIND_OPERATIONS: dict[str, tuple[str, ...]] = {
    "artist": (
        "get-an-artist",
        "get-an-artists-albums",
        "get-multiple-albums",
        "get-an-album",
        "get-an-albums-tracks",
        "get-several-tracks",
        "get-track",
    ),
    "playlist": ("get-playlist", "get-playlists-items"),
    "library": tuple(kind.operation_id for kind in LIBRARY_KINDS.values()),
    "followed": ("get-followed",),
    "search": ("search",),
}


@attrs.frozen
class Job:
    """One target on the command line: a description for messages and the coroutine to run."""

    what: str
    run: Callable[[], Awaitable[None]]


def _transient(exc: SpotifyError) -> bool:
    """Whether a failure may pass: the accounts service's 5xx or 429 (not a refused grant,
    which no retry changes), a Web API 5xx or a transport failure that outlasted the
    client's retries."""
    if isinstance(exc, AuthenticationError):
        return exc.status is not None and (exc.status >= 500 or exc.status == 429)
    return isinstance(exc, ServerError | NetworkError | RedisUnavailableError)


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class Crawler:
    """Runs `Job`s against `spotify` and writes their records to `writer`."""

    def __init__(
        self,
        spotify: Spotify,
        writer: JsonlWriter,
        reporter: Reporter,
        *,
        fail_fast: bool = False,
        market: str | None = None,
        include_groups: Sequence[str] | None = None,
        pages_in_flight: int = 16,
        retry_attempts: int = 5,
        retry_backoff: float = 1.0,
    ) -> None:
        self.spotify = spotify
        self.writer = writer
        self.reporter = reporter
        self.fail_fast = fail_fast
        self.market = market
        self.include_groups = include_groups
        self.pages_in_flight = pages_in_flight
        #: Attempts of an item that failed for a moment (`_transient`: the accounts
        #: service's 5xx or 429, a Web API 5xx or transport failure past the client's own
        #: retries), and the first pause between them (doubled each time).
        self.retry_attempts = retry_attempts
        self.retry_backoff = retry_backoff
        #: Items tried again after a transient failure.
        self.retried = 0
        #: Items that failed (after the client's retries).
        self.errors = 0
        #: The failure that stopped the crawl, if one did.
        self.fatal: Exception | None = None
        self._scope = trio.CancelScope()
        #: Kinds (`"albums"`, `"tracks"`) that are fetched one by one: the app may not
        #: use their batch endpoint.
        self._unbatched: set[str] = set()
        self._albums_queued: set[str] = set()
        self._tracks_queued: set[str] = set()
        self._pending_tracks: list[tuple[str, str]] = []
        self._work: trio.Nursery | None = None
        self._batches: trio.Nursery | None = None
        self._redis_noted = False  # a lost Redis was reported

    # -- running -------------------------------------------------------------------------

    def cancel(self) -> None:
        """Stop the crawl: `crawl` returns promptly, every line written is whole."""
        self._scope.cancel()

    @property
    def cancelled(self) -> bool:
        return self._scope.cancel_called

    async def crawl(self, jobs: Sequence[Job]) -> None:
        """Run every job concurrently until all are done, or `cancel`, or a fatal error.

        A checkpoint. Raises nothing for failed items (see `errors`, `fatal`).
        """
        with self._scope:
            async with trio.open_nursery() as batches:
                self._batches = batches
                async with trio.open_nursery() as work:
                    self._work = work
                    # Thousands of targets are fine: at most as many are started at a time
                    # as requests may be in flight, so waiting work does not pile up.
                    running = trio.CapacityLimiter(self.spotify.statistics().max_concurrency)
                    for job in jobs:
                        work.start_soon(self._job, running, job)
                self._flush_tracks()
        await trio.lowlevel.checkpoint()

    async def _job(self, running: trio.CapacityLimiter, job: Job) -> None:
        async with running:
            await self._guarded(job.what, job.run)

    async def _guarded(self, what: str, fn: Callable[..., Awaitable[None]], *args: Any) -> None:
        for attempt in range(self.retry_attempts):
            try:
                await fn(*args)
            except (AuthenticationError, ServerError, NetworkError, RedisUnavailableError) as exc:
                last = attempt + 1 == self.retry_attempts
                if not _transient(exc) or last:
                    # Lost coordination (Redis) concerns every item, as authentication does.
                    every = isinstance(exc, AuthenticationError | RedisUnavailableError)
                    self._failed(what, exc, fatal=every or self.fail_fast)
                    return
                # The accounts service or the Web API failed for a moment, past the
                # client's own retries: the item is tried again after a pause, so that
                # nothing is lost (what it wrote already is not written twice).
                self.retried += 1
                if isinstance(exc, RedisUnavailableError) and not self._redis_noted:
                    self._redis_noted = True
                    wait = self.retry_backoff * (2 ** (self.retry_attempts - 1) - 1)
                    self.reporter.note(f"{_describe(exc)}: trying again for up to {wait:g} s")
                await trio.sleep(self.retry_backoff * 2**attempt)
                continue
            except OutputError as exc:
                self._output_failed(exc)
            except (MissingScopeError, OSError) as exc:
                self._failed(what, exc, fatal=True)
            except (SpotifyError, ValueError, KeyError) as exc:
                self._failed(what, exc, fatal=self.fail_fast)
            return

    def _output_failed(self, exc: OutputError) -> None:
        """The output cannot be written (a full disk): one line, and the crawl stops."""
        if self.fatal is None:
            self.reporter.error(f"{exc}; stopping")
            self.fatal = exc
        self._scope.cancel()

    def _failed(self, what: str, exc: Exception, *, fatal: bool) -> None:
        if isinstance(exc, BrokenPipeError):  # `crawl ... | head`: the reader has had enough
            if self.fatal is None:
                self.reporter.note("the output was closed (broken pipe); stopping")
                self.fatal = exc
            self._scope.cancel()
            return
        self.errors += 1
        if self.cancelled and self.fatal is not None:
            return  # already stopping: one message is enough
        self.reporter.error(f"{what}: {_describe(exc)}")
        if fatal:
            self.fatal = exc
            self._scope.cancel()

    def _emit(
        self, kind: str, ident: str, data: Any, context: str | None = None, **extra: Any
    ) -> None:
        self.writer.write({"kind": kind, "id": ident, "context": context, **extra, "data": data})

    def _spawn(self, what: str, fn: Callable[..., Awaitable[None]], *args: Any) -> None:
        assert self._work is not None
        self._work.start_soon(self._guarded, what, fn, *args)

    def _first_missing(self, kind: str, prefix: str, suffix: str = "") -> int:
        position = 0
        while f"{kind}:{prefix}{position}{suffix}" in self.writer:
            position += 1
        return position

    # -- artists: the discography pipeline -----------------------------------------------

    async def artist(self, artist_id: str) -> None:
        """The artist, every album of it (full objects) and every track (full objects)."""
        artist = await self.spotify.artists.get(artist_id)
        self._emit("artist", artist_id, artist)
        uri = f"spotify:artist:{artist_id}"
        page = await self.spotify.artists.albums(
            artist_id,
            include_groups=self.include_groups,  # type: ignore[arg-type]
            market=self.market,
            limit=page_size("get-an-artists-albums"),
        )
        batch = batch_size("get-multiple-albums")
        chunk: list[str] = []
        async with self.spotify.iter_items(page, pages_in_flight=self.pages_in_flight) as albums:
            async for album in albums:
                album_id = album.get("id") if isinstance(album, dict) else None
                if not album_id or album_id in self._albums_queued or album_id in chunk:
                    continue
                chunk.append(album_id)
                if len(chunk) == batch:
                    self._queue_albums(chunk, uri)
                    chunk = []
        if chunk:
            self._queue_albums(chunk, uri)

    def _queue_albums(self, album_ids: list[str], context: str) -> None:
        # Marked queued only when handed over: if paging fails half-way and the artist is
        # tried again, the albums of its unfinished chunk are not taken for queued.
        self._albums_queued.update(album_ids)
        self._spawn(f"albums of {context}", self._albums, album_ids, context)

    async def _fetch_batch(
        self,
        kind: str,
        ids: list[str],
        get_several: Callable[..., Awaitable[list[Any]]],
    ) -> list[tuple[int, Any]] | None:
        """`ids` in one request: `(index in ids, object)` for each one found.

        An ID Spotify answers `null` for is reported as not found. Returns `None` when
        the `kind` (`"album"`, `"track"`) is to be fetched one by one instead: its
        batch endpoint was refused before, or is now (a 403 that is not a missing scope,
        as for development-mode apps; noted once).
        """
        plural = f"{kind}s"
        if plural in self._unbatched:
            await trio.lowlevel.checkpoint()
            return None
        try:
            objects = await get_several(ids, market=self.market)
        except ForbiddenError as exc:
            if isinstance(exc, MissingScopeError):
                raise
            self._batch_off(plural)
            return None
        found: list[tuple[int, Any]] = []
        for index, (ident, obj) in enumerate(zip(ids, objects, strict=True)):
            if obj is None:
                self._failed(f"{kind} {ident}", LookupError("not found"), fatal=False)
            else:
                found.append((index, obj))
        return found

    async def _albums(self, album_ids: list[str], context: str) -> None:
        found = await self._fetch_batch("album", album_ids, self.spotify.albums.get_several)
        if found is None:
            for album_id in album_ids:
                self._spawn(f"album {album_id}", self._single_album, album_id, context)
            return
        for index, album in found:
            # Each album is its own item: one whose tracks fail to page must not take the
            # rest of its batch down with it.
            self._spawn(f"album {album_ids[index]}", self._album, album, context)

    async def _single_album(self, album_id: str, context: str) -> None:
        await self._album(await self.spotify.albums.get(album_id, market=self.market), context)

    async def _album(self, album: Mapping[str, Any], context: str) -> None:
        album_id = album["id"]
        self._emit("album", album_id, album, context)
        tracks = album.get("tracks")
        if not isinstance(tracks, dict):
            return
        if tracks.get("next"):
            items = await self.spotify.all_items(album, key="tracks")
        else:
            items = list(tracks.get("items") or [])
        self._queue_tracks(
            [t["id"] for t in items if isinstance(t, dict) and t.get("id")],
            f"spotify:album:{album_id}",
        )

    def _queue_tracks(self, track_ids: list[str], context: str) -> None:
        for track_id in track_ids:
            if track_id in self._tracks_queued or f"track:{track_id}" in self.writer:
                continue
            self._tracks_queued.add(track_id)
            self._pending_tracks.append((track_id, context))
            if len(self._pending_tracks) >= batch_size("get-several-tracks"):
                self._flush_tracks()

    def _flush_tracks(self) -> None:
        if not self._pending_tracks or self._batches is None:
            return
        batch, self._pending_tracks = self._pending_tracks, []
        self._batches.start_soon(self._guarded, f"{len(batch)} tracks", self._tracks, batch)

    async def _tracks(self, batch: list[tuple[str, str]]) -> None:
        found = await self._fetch_batch(
            "track", [track_id for track_id, _ in batch], self.spotify.tracks.get_several
        )
        if found is None:
            assert self._batches is not None
            for track_id, context in batch:
                self._batches.start_soon(
                    self._guarded, f"track {track_id}", self._single_track, track_id, context
                )
            return
        for index, track in found:
            track_id, context = batch[index]
            self._emit("track", track_id, track, context)

    async def _single_track(self, track_id: str, context: str) -> None:
        track = await self.spotify.tracks.get(track_id, market=self.market)
        self._emit("track", track_id, track, context)

    def _batch_off(self, what: str) -> None:
        if what in self._unbatched:
            return  # several batches were refused at once: one note is enough
        self._unbatched.add(what)
        self.reporter.note(
            f"this app may not read several {what} per request (a development-mode app?); "
            f"fetching {what} one by one"
        )

    # -- playlists ---------------------------------------------------------------------------

    async def playlist(self, playlist_id: str) -> None:
        """The playlist's details and every item, keyed by position."""
        playlist = await self.spotify.playlists.get(playlist_id, market=self.market)
        details = {k: v for k, v in playlist.items() if k not in ("items", "tracks")}
        self._emit("playlist", playlist_id, details)
        start = self._first_missing("playlist_item", f"{playlist_id}/")
        page = await self.spotify.playlists.items(
            playlist_id,
            market=self.market,
            limit=page_size("get-playlists-items"),
            offset=start,
        )
        context = f"spotify:playlist:{playlist_id}"
        async with self.spotify.iter_items(page, pages_in_flight=self.pages_in_flight) as items:
            position = start
            async for item in items:
                self._emit("playlist_item", f"{playlist_id}/{position}", item, context)
                position += 1

    # -- the user's library ------------------------------------------------------------------

    async def library(self, what: str) -> None:
        """Every saved item of one type (`tracks`, `albums`, ... `playlists`)."""
        kind = LIBRARY_KINDS[what]
        inner = kind.inner
        group = getattr(self.spotify, what)  # spotify.tracks, spotify.albums, ...
        page = await group.saved(limit=page_size(kind.operation_id))
        async with self.spotify.iter_items(page, pages_in_flight=self.pages_in_flight) as items:
            async for item in items:
                # Saved items wrap the object ({"added_at", "track"}); some lists do not.
                obj = item.get(inner, item) if inner and isinstance(item, dict) else item
                if isinstance(obj, dict) and obj.get("id"):
                    self._emit(kind.record, obj["id"], item, "spotify:user:me")

    async def followed(self) -> None:
        """Every artist the user follows (cursor paging: one page after the other)."""
        page = await self.spotify.artists.followed(limit=page_size("get-followed"))
        async with self.spotify.iter_items(page, key="artists") as artists:
            async for artist in artists:
                if isinstance(artist, dict) and artist.get("id"):
                    self._emit("followed_artist", artist["id"], artist, "spotify:user:me")

    # -- search ------------------------------------------------------------------------------

    async def search(self, query: str, type: str, max_items: int) -> None:
        """The first `max_items` results, at most `search_cap()`: pages of the search row's
        largest `limit`, aligned so that no offset passes its `max_offset`."""
        limit = page_size("search")
        end = min(max_items, search_cap())
        first = self._first_missing("search_result", f"{type}/", f"/{query}")
        start = first - first % limit  # pages stay aligned, so no offset passes the cap
        if start >= end:
            return
        page = await self.spotify.search(
            query,
            types=[type],  # type: ignore[list-item]
            market=self.market,
            limit=limit,
            offset=start,
        )
        async with self.spotify.iter_items(
            page, key=f"{type}s", max_items=end - start, pages_in_flight=self.pages_in_flight
        ) as results:
            position = start
            async for result in results:
                if result is not None:
                    self._emit(
                        "search_result",
                        f"{type}/{position}/{query}",
                        result,
                        None,
                        query=query,
                        type=type,
                        position=position,
                    )
                position += 1
