"""`trio-spotify crawl` against the emulator, in-process: every kind, the JSON Lines it
writes, resuming, errors, exit codes and the progress lines written when stderr is no terminal.

The expected records are computed from the emulator's catalog and state, not hard-coded,
so each test fails if the crawl misses, duplicates or invents a record.
"""

from __future__ import annotations

import errno
import io
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio
from helpers.cli import (
    SMALL,
    artist_id,
    crawl,
    discography,
    emulator,
    keys,
    parse_jsonl,
    playlist_uris,
)

from trio_spotify import Token
from trio_spotify._cli import build_parser
from trio_spotify._cli import crawl as crawl_cli
from trio_spotify._operations import OPERATIONS
from trio_spotify.testing import CatalogSize, RateLimit

# -- each kind ------------------------------------------------------------------------------


async def test_artist_discography_is_complete_and_batched() -> None:
    emu = emulator()
    result = await crawl("--emulator", "artist", artist_id(emu, 2), emu=emu)
    assert result.code == 0, result.err
    records = result.records
    albums, tracks = discography(emu, 2)
    by_kind: dict[str, set[str]] = {}
    for record in records:
        by_kind.setdefault(record["kind"], set()).add(record["id"])
    assert by_kind == {"artist": {artist_id(emu, 2)}, "album": albums, "track": tracks}
    assert len(records) == 1 + len(albums) + len(tracks)  # no duplicates
    for record in records:
        assert record["data"]["id"] == record["id"]
        if record["kind"] == "track":
            assert record["context"] == f"spotify:album:{record['data']['album']['id']}"
            assert "popularity" in record["data"] or "album" in record["data"]  # a full track
        if record["kind"] == "album":
            assert record["context"] == f"spotify:artist:{artist_id(emu, 2)}"
    # Batch requests as large as the table's rows allow (20 albums and 50 tracks per
    # request), not one request per object; album pages as long as the row allows (10).
    album_batch = OPERATIONS["get-multiple-albums"].batch
    track_batch = OPERATIONS["get-several-tracks"].batch
    album_limits = OPERATIONS["get-an-artists-albums"].limit_range
    assert (album_batch, track_batch, album_limits) == (20, 50, (1, 10))
    assert album_batch is not None
    assert track_batch is not None
    assert album_limits is not None
    requests = emu.counters.requests
    assert requests["get-multiple-albums"] == -(-len(albums) // album_batch)
    assert requests["get-several-tracks"] == -(-len(tracks) // track_batch)
    assert requests["get-an-album"] == requests["get-track"] == 0
    assert requests["get-an-artists-albums"] == -(-len(albums) // album_limits[1])


async def test_artists_given_as_uri_and_url_are_deduplicated() -> None:
    emu = emulator()
    ident = artist_id(emu, 1)
    result = await crawl(
        "--emulator",
        "artist",
        ident,
        f"spotify:artist:{ident}",
        f"https://open.spotify.com/intl-de/artist/{ident}?si=abc",
        artist_id(emu, 3),
        emu=emu,
    )
    assert result.code == 0, result.err
    counted = Counter(keys(result.records))
    assert max(counted.values()) == 1
    assert emu.counters.requests["get-an-artist"] == 2
    assert {i for k, i in counted if k == "artist"} == {ident, artist_id(emu, 3)}


async def test_playlist_every_item_in_order() -> None:
    emu = emulator()
    playlist = emu.catalog.id_of(8, 1)  # a catalog playlist (480 items with the defaults)
    expected = playlist_uris(emu, playlist)
    assert len(expected) > 100  # several pages
    result = await crawl("--emulator", "playlist", f"spotify:playlist:{playlist}", emu=emu)
    assert result.code == 0, result.err
    records = result.records
    assert records[0]["kind"] == "playlist"
    assert "items" not in records[0]["data"]
    items = [r for r in records if r["kind"] == "playlist_item"]
    assert [r["id"] for r in items] == [f"{playlist}/{n}" for n in range(len(expected))]
    uris = [(r["data"].get("item") or r["data"].get("track"))["uri"] for r in items]
    assert uris == expected


async def test_playlist_pages_are_fetched_concurrently(autojump_clock: Any) -> None:
    emu = emulator(clock=trio.current_time)
    emu.faults.latency = 1.0  # every answer takes 1 s (virtual)
    playlist = emu.catalog.id_of(8, 1)
    entries = len(playlist_uris(emu, playlist))
    pages = -(-entries // 50)
    assert pages >= 8
    start = trio.current_time()
    result = await crawl("--emulator", "-q", "playlist", playlist, emu=emu)
    elapsed = trio.current_time() - start
    assert result.code == 0, result.err
    assert len(result.records) == 1 + entries
    # The playlist, its first page, then the other pages at once: ~3 s. One page after
    # the other would take 1 + pages seconds.
    assert elapsed < 5, elapsed
    assert pages + 1 > 5


async def test_library_and_followed_use_the_user_state() -> None:
    emu = emulator()
    state = emu.user(emu.user_id)
    result = await crawl(
        "--emulator",
        "library",
        "tracks",
        "albums",
        "shows",
        "episodes",
        "audiobooks",
        "playlists",
        emu=emu,
    )
    assert result.code == 0, result.err
    got: dict[str, set[str]] = {}
    for record in result.records:
        got.setdefault(record["kind"], set()).add(record["id"])
    for kind in ("track", "album", "show", "episode", "audiobook"):
        saved = {uri.rsplit(":", 1)[1] for uri in state.saved_of(kind)}
        assert saved, kind  # the test means something only if the user saved some
        assert got[f"saved_{kind}"] == saved
    assert state.followed_playlists
    assert got["saved_playlist"] == set(state.followed_playlists)
    assert set(got) == {
        f"saved_{k}" for k in ("track", "album", "show", "episode", "audiobook", "playlist")
    }

    followed = await crawl("--emulator", "followed", emu=emu)
    assert followed.code == 0, followed.err
    assert {r["id"] for r in followed.records} == set(state.followed_artists)
    assert {r["kind"] for r in followed.records} == {"followed_artist"}


async def test_search_respects_the_offset_cap() -> None:
    emu = emulator(catalog_size=CatalogSize())  # the default catalog has many matches
    result = await crawl("--emulator", "search", "a", "--type", "track", emu=emu)
    assert result.code == 0, result.err
    records = result.records
    positions = [r["position"] for r in records]
    assert positions == list(range(len(positions)))
    assert len(records) == 1010  # offsets 0..1000 with pages of 10: Spotify's cap
    assert {r["type"] for r in records} == {"track"}
    assert all(r["data"]["type"] == "track" for r in records)
    assert "search: status 400" not in result.err

    limited = await crawl("--emulator", "search", "a", "--max", "17", emu=emu)
    assert limited.code == 0, limited.err
    assert [r["position"] for r in limited.records] == list(range(17))
    assert [r["data"] for r in limited.records] == [r["data"] for r in records[:17]]


async def test_development_mode_falls_back_to_single_requests() -> None:
    emu = emulator(mode="development")
    result = await crawl("--emulator", "artist", artist_id(emu, 0), emu=emu)
    assert result.code == 0, result.err
    albums, tracks = discography(emu, 0)
    assert {r["id"] for r in result.records if r["kind"] == "track"} == tracks
    assert {r["id"] for r in result.records if r["kind"] == "album"} == albums
    assert "one by one" in result.err
    notes = [line for line in result.err.splitlines() if line.startswith("note: ")]
    assert len([n for n in notes if "several albums" in n]) == 1  # noted once per kind
    assert len([n for n in notes if "several tracks" in n]) == 1
    assert emu.counters.requests["get-an-album"] == len(albums)
    assert emu.counters.requests["get-track"] == len(tracks)


class _Messages:
    """A reporter that keeps what it is told."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.notes: list[str] = []

    def error(self, message: str) -> None:
        self.errors.append(message)

    def note(self, message: str) -> None:
        self.notes.append(message)

    async def run(self, snapshot: Any) -> None:
        await trio.sleep_forever()

    def finish(self, snapshot: Any, outcome: str) -> None:
        pass


async def test_batch_fetch_reports_nulls_and_falls_back_once_refused() -> None:
    from trio_spotify import Forbidden, MissingScope
    from trio_spotify._cli._crawler import Crawler
    from trio_spotify._cli._jsonl import JsonlWriter

    messages = _Messages()
    crawler = Crawler(None, JsonlWriter(io.BytesIO()), messages)  # type: ignore[arg-type]
    calls: list[list[str]] = []

    async def several(ids: list[str], *, market: str | None) -> list[Any]:
        calls.append(ids)
        await trio.lowlevel.checkpoint()
        return [None if i == "b" else {"id": i} for i in ids]

    found = await crawler._fetch_batch("track", ["a", "b", "c"], several)
    assert found == [(0, {"id": "a"}), (2, {"id": "c"})]
    assert messages.errors == ["track b: LookupError: not found"]
    assert crawler.errors == 1

    async def refused(ids: list[str], *, market: str | None) -> list[Any]:
        calls.append(ids)
        raise Forbidden("Forbidden", 403, None, "GET", "https://api.test/v1/albums")

    calls.clear()
    assert await crawler._fetch_batch("album", ["x"], refused) is None
    assert await crawler._fetch_batch("album", ["y"], several) is None  # not asked again
    assert calls == [["x"]]
    assert len(messages.notes) == 1
    assert "several albums" in messages.notes[0]
    assert await crawler._fetch_batch("track", ["z"], several) == [(0, {"id": "z"})]

    async def scopeless(ids: list[str], *, market: str | None) -> list[Any]:
        raise MissingScope("Forbidden", 403, None, "GET", "https://api.test/v1/tracks")

    with pytest.raises(MissingScope):  # a missing scope stops the crawl, not the batching
        await crawler._fetch_batch("track", ["z"], scopeless)
    assert "tracks" not in crawler._unbatched


# -- concurrency and rate limits ------------------------------------------------------------


async def test_rate_limited_crawl_completes_and_reports_429s(autojump_clock: Any) -> None:
    emu = emulator(clock=trio.current_time, rate_limit=RateLimit(20, window=1.0))
    emu.faults.latency = 0.05
    result = await crawl(
        "--emulator",
        "--progress",
        "plain",
        "--progress-interval",
        "1",
        "-c",
        "8",
        "artist",
        artist_id(emu, 0),
        artist_id(emu, 1),
        artist_id(emu, 2),
        emu=emu,
    )
    assert result.code == 0, result.err
    expected = sum(1 + sum(len(s) for s in discography(emu, i)) for i in range(3))
    assert len(result.records) == expected
    assert emu.counters.rate_limited > 0
    summary = result.err.strip().splitlines()[-1]
    assert summary.startswith("done: ")
    assert f"{emu.counters.rate_limited} rate-limited" in summary
    assert f"{emu.counters.total_requests:,} requests" in summary


async def test_concurrency_flag_bounds_requests_in_flight(autojump_clock: Any) -> None:
    emu = emulator()
    emu.faults.latency = 1.0
    in_flight = peak = 0
    app = emu.app

    async def counting_app(scope: Any, receive: Any, send: Any) -> None:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            await app(scope, receive, send)
        finally:
            in_flight -= 1

    emu.app = counting_app  # type: ignore[assignment]
    artists = [artist_id(emu, i) for i in range(6)]
    result = await crawl("--emulator", "-c", "3", "artist", *artists, emu=emu)
    assert result.code == 0, result.err
    assert peak == 3


# -- progress -------------------------------------------------------------------------------


async def test_plain_progress_lines_when_not_a_terminal(autojump_clock: Any) -> None:
    emu = emulator()
    emu.faults.latency = 1.0
    result = await crawl(
        "--emulator", "--progress-interval", "2", "-c", "2", "artist", artist_id(emu, 0), emu=emu
    )
    assert result.code == 0
    lines = result.err.splitlines()
    progress = [line for line in lines if line.startswith("progress: ")]
    assert len(progress) >= 3
    assert all("\x1b" not in line for line in lines)  # no escape codes in a log
    for line in progress:
        assert re.search(r" items?, ", line)
        assert re.search(r" requests?, ", line)
        assert " rate-limited, " in line
        assert re.search(r" (retry|retries), ", line)
        assert re.search(r" errors?, ", line)
        assert " items/s, " in line
    assert lines[-1].startswith("done: ")


async def test_quiet_prints_nothing_on_success() -> None:
    emu = emulator()
    result = await crawl("--emulator", "-q", "followed", emu=emu)
    assert result.code == 0
    assert result.err == ""


# -- errors and exit codes ------------------------------------------------------------------


async def test_failed_item_is_reported_and_the_crawl_goes_on() -> None:
    emu = emulator()
    missing = emu.catalog.id_of(1, SMALL.artists + 5)  # well-formed, not in the catalog
    result = await crawl("--emulator", "artist", missing, artist_id(emu, 0), emu=emu)
    assert result.code == 1
    errors = [line for line in result.err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1
    assert missing in errors[0]
    assert "NotFound" in errors[0]
    assert result.err.splitlines()[-1].startswith("done with errors: ")
    albums, tracks = discography(emu, 0)
    assert len(result.records) == 1 + len(albums) + len(tracks)


class _DeadStream(io.StringIO):
    """A message stream every write to fails: its reader has gone (`2>&1 | head`) or the
    disk is full (`2>/dev/full`)."""

    def __init__(self, error: OSError, *, tty: bool = False) -> None:
        super().__init__()
        self._error = error
        self._tty = tty

    def write(self, s: str) -> int:
        raise self._error

    def isatty(self) -> bool:
        return self._tty


@pytest.mark.parametrize("tty", [False, True], ids=["plain", "rich"])
@pytest.mark.parametrize(
    "error",
    [BrokenPipeError(errno.EPIPE, "Broken pipe"), OSError(errno.ENOSPC, "No space left")],
    ids=["closed-pipe", "full-disk"],
)
async def test_a_failing_message_stream_does_not_stop_the_crawl(error: OSError, tty: bool) -> None:
    emu = emulator()
    missing = emu.catalog.id_of(1, SMALL.artists + 5)  # an error to report on the dead stream
    args = build_parser().parse_args(
        [
            "crawl",
            "--emulator",
            "--progress-interval",
            "0.001",
            "artist",
            missing,
            artist_id(emu, 0),
        ]
    )
    out = io.BytesIO()
    code = await crawl_cli.run(args, stdout=out, stderr=_DeadStream(error, tty=tty), emulator=emu)
    assert code == 1  # the missing artist still counts as a failed item
    albums, tracks = discography(emu, 0)
    assert len(parse_jsonl(out.getvalue())) == 1 + len(albums) + len(tracks)


async def test_a_usage_error_on_a_failing_message_stream_still_exits_2() -> None:
    args = build_parser().parse_args(["crawl", "--emulator", "artist", "not-an-id"])
    dead = _DeadStream(BrokenPipeError(errno.EPIPE, "Broken pipe"))
    assert await crawl_cli.run(args, stdout=io.BytesIO(), stderr=dead) == 2


async def test_an_album_whose_tracks_fail_does_not_take_its_batch_down() -> None:
    # The emulator's albums are too short to page their tracks, so a scripted client: in a
    # batch of four albums, paging a1's tracks fails.
    from trio_spotify import ServerError
    from trio_spotify._cli._crawler import Crawler, Job
    from trio_spotify._cli._jsonl import JsonlWriter
    from trio_spotify._cli._progress import PlainReporter

    class Albums:
        async def get_several(self, ids: list[str], market: Any = None) -> list[Any]:
            await trio.lowlevel.checkpoint()
            pages: dict[str, dict[str, Any]] = {
                i: {"items": [{"id": "t" + i}], "next": None} for i in ids
            }
            pages["a1"] = {"items": [], "next": "x", "offset": 0, "limit": 50, "total": 60}
            return [{"id": i, "tracks": pages[i]} for i in ids]

    class Tracks:
        async def get_several(self, ids: list[str], market: Any = None) -> list[Any]:
            await trio.lowlevel.checkpoint()
            return [{"id": i} for i in ids]

    class Scripted:
        albums = Albums()
        tracks = Tracks()

        def statistics(self) -> Any:
            return type("Stats", (), {"max_concurrency": 4})()

        async def all_items(self, page: Any, key: Any = None) -> list[Any]:
            await trio.lowlevel.checkpoint()
            raise ServerError("boom", 503, None, "GET", "http://x/albums/a1/tracks")

    out, err = io.BytesIO(), io.StringIO()
    crawler = Crawler(
        Scripted(),  # type: ignore[arg-type]
        JsonlWriter(out),
        PlainReporter(err, progress=False),
    )
    await crawler.crawl([Job("albums", lambda: crawler._albums(["a0", "a1", "a2", "a3"], "c"))])
    assert crawler.errors == 1
    assert "album a1" in err.getvalue()
    assert sorted(keys(parse_jsonl(out.getvalue()))) == [
        ("album", "a0"),
        ("album", "a1"),
        ("album", "a2"),
        ("album", "a3"),
        ("track", "ta0"),
        ("track", "ta2"),
        ("track", "ta3"),
    ]


async def test_fail_fast_stops_at_the_first_error(autojump_clock: Any) -> None:
    emu = emulator()
    emu.faults.latency = 0.5
    emu.faults.fail_next(404, count=1, operation="get-multiple-albums")
    result = await crawl(
        "--emulator", "--fail-fast", "artist", *[artist_id(emu, i) for i in range(4)], emu=emu
    )
    assert result.code == 1
    assert result.err.splitlines()[-1].startswith("stopped: ")
    full = sum(1 + sum(len(s) for s in discography(emu, i)) for i in range(4))
    assert len(result.records) < full


async def test_server_errors_are_retried_not_reported() -> None:
    emu = emulator()
    emu.faults.fail_next(503, count=2, operation="get-several-tracks")
    result = await crawl("--emulator", "artist", artist_id(emu, 0), emu=emu)
    assert result.code == 0, result.err
    assert "error" not in result.err.replace("0 errors", "")
    assert " 2 retries" in result.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["artist", "not-an-id"], "'not-an-id' is not a valid Spotify artist ID"),
        (["artist", "spotify:album:4aawyAB9vmqN3uQ7FjRGTy"], "names an album"),
        (["artist", "https://example.com/artist/4aawyAB9vmqN3uQ7FjRGTy"], "open.spotify.com"),
        (["playlist", "spotify:playlist:short"], "not a valid Spotify playlist ID"),
        (["podcasts", "x"], "invalid choice: 'podcasts'"),
        (["library", "tracks", "songs"], "unknown library type 'songs'"),
        (["search", " "], "must not be empty"),
        (["search", "q", "--type", "song"], "invalid choice: 'song'"),
        (["--resume", "followed"], "--resume needs the output file"),
        (["artist"], "the following arguments are required"),
        (["--concurrency", "0", "followed"], "must be at least 1"),
        (["--market", "Germany", "followed"], "two-letter country code"),
        (["--emulator-rate-limit", "100/0", "followed"], "is not REQUESTS[/SECONDS]"),
        (["--emulator-rate-limit", "many", "followed"], "is not REQUESTS[/SECONDS]"),
        (["--api-url", "api.spotify.com", "followed"], "--api-url must be an http(s) URL"),
        (["--bogus", "artist", "x"], "unrecognized arguments: --bogus"),
        (["--progress-interval", "nan", "followed"], "must be a finite number of seconds"),
        (["--emulator-latency", "inf", "followed"], "must be a finite number of seconds"),
        (["--progress-interval", "-1", "followed"], "must not be negative, not -1"),
        (["artist", "x", "--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_code_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from trio_spotify._cli import main

    try:
        code = main(["crawl", "--emulator", *argv])
    except SystemExit as exc:  # argparse's own errors
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("trio-spotify crawl")
    assert message in lines[0]


@pytest.mark.parametrize(
    ("argv", "prog", "message"),
    [
        ([], "trio-spotify", "the following arguments are required: COMMAND"),
        (["bogus"], "trio-spotify", "invalid choice: 'bogus'"),
        (["emulator", "--port", "abc"], "trio-spotify emulator", "invalid int value: 'abc'"),
        (["emulator", "--bogus"], "trio-spotify emulator", "unrecognized arguments: --bogus"),
        (["login", "--bogus"], "trio-spotify login", "unrecognized arguments: --bogus"),
    ],
)
def test_every_command_gives_one_line_for_bad_arguments(
    argv: list[str], prog: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from trio_spotify._cli import main

    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"{prog}: error: ")
    assert message in lines[0]


def test_help_documents_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    from trio_spotify._cli import main

    for argv in (["--help"], ["crawl", "--help"], ["crawl", "artist", "--help"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 0
    text = capsys.readouterr().out
    for word in (
        "crawl",
        "login",
        "emulator",
        "--resume",
        "--concurrency",
        "--fail-fast",
        "--include-groups",
        "Exit codes",
    ):
        assert word in text


async def test_missing_credentials_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPOTIFY_CLIENT_ID", raising=False)
    monkeypatch.delenv("SPOTIFY_CLIENT_SECRET", raising=False)
    result = await crawl("artist", "4aawyAB9vmqN3uQ7FjRGTy")
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1
    assert "SPOTIFY_CLIENT_ID" in result.err
    assert "--emulator" in result.err


# -- output files and resuming ---------------------------------------------------------------


async def test_existing_output_is_not_overwritten_by_accident(tmp_path: Path) -> None:
    emu = emulator()
    out = tmp_path / "out.jsonl"
    out.write_text('{"kind":"artist","id":"x","context":null,"data":{}}\n')
    result = await crawl("--emulator", "-o", str(out), "followed", emu=emu)
    assert result.code == 2
    assert "--resume" in result.err
    assert out.read_text().count("\n") == 1
    again = await crawl("--emulator", "-o", str(out), "--overwrite", "followed", emu=emu)
    assert again.code == 0
    assert '"id":"x"' not in out.read_text()


async def test_resume_cuts_a_partial_line_and_adds_only_what_is_missing(tmp_path: Path) -> None:
    emu = emulator()
    out = tmp_path / "disc.jsonl"
    ident = artist_id(emu, 4)
    full = await crawl("--emulator", "-o", str(out), "artist", ident, emu=emulator())
    assert full.code == 0
    complete = out.read_bytes()
    lines = complete.splitlines(keepends=True)
    # A run killed outright: the first third of the lines, then half a line.
    kept = len(lines) // 3
    out.write_bytes(b"".join(lines[:kept]) + lines[kept][: len(lines[kept]) // 2])

    result = await crawl("--emulator", "-o", str(out), "--resume", "artist", ident, emu=emu)
    assert result.code == 0, result.err
    assert "cut a partial last line" in result.err
    records = parse_jsonl(out.read_bytes())
    assert sorted(keys(records)) == sorted(keys(parse_jsonl(complete)))
    assert records[:kept] == parse_jsonl(b"".join(lines[:kept]))  # kept lines untouched
    # Tracks already written are not requested again.
    written_tracks = sum(1 for r in parse_jsonl(b"".join(lines[:kept])) if r["kind"] == "track")
    _, tracks = discography(emu, 4)
    assert emu.counters.requests["get-several-tracks"] == -(-(len(tracks) - written_tracks) // 50)


async def test_resume_of_a_playlist_starts_at_the_first_missing_position(tmp_path: Path) -> None:
    emu = emulator()
    playlist = emu.catalog.id_of(8, 1)
    out = tmp_path / "playlist.jsonl"
    first = await crawl("--emulator", "-o", str(out), "playlist", playlist, emu=emulator())
    assert first.code == 0
    lines = out.read_bytes().splitlines(keepends=True)
    out.write_bytes(b"".join(lines[:201]))  # details + items 0..199
    result = await crawl("--emulator", "-o", str(out), "--resume", "playlist", playlist, emu=emu)
    assert result.code == 0, result.err
    records = parse_jsonl(out.read_bytes())
    assert len(records) == len(lines)
    assert len(set(keys(records))) == len(records)
    total = len(playlist_uris(emu, playlist))
    assert emu.counters.requests["get-playlists-items"] == -(-(total - 200) // 50)


async def test_resume_counts_one_record_in_the_singular(tmp_path: Path) -> None:
    emu = emulator()
    playlist = emu.catalog.id_of(8, 1)
    out = tmp_path / "playlist.jsonl"
    first = await crawl("--emulator", "-o", str(out), "playlist", playlist, emu=emulator())
    assert first.code == 0
    out.write_bytes(out.read_bytes().splitlines(keepends=True)[0])  # the details only
    result = await crawl("--emulator", "-o", str(out), "--resume", "playlist", playlist, emu=emu)
    assert result.code == 0, result.err
    assert f"resuming: 1 record already in {out}" in result.err


async def test_resume_refuses_a_file_it_did_not_write(tmp_path: Path) -> None:
    out = tmp_path / "notes.txt"
    out.write_text("my precious notes\nmore\n")
    result = await crawl("--emulator", "-o", str(out), "--resume", "followed", emu=emulator())
    assert result.code == 2
    assert "line 1" in result.err
    assert "not a crawl record" in result.err
    assert out.read_text() == "my precious notes\nmore\n"


# -- real credentials (against an emulator through a transport) ------------------------------


async def test_app_credentials_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    emu = emulator()
    monkeypatch.setenv("SPOTIFY_CLIENT_ID", emu.client_id)
    monkeypatch.setenv("SPOTIFY_CLIENT_SECRET", emu.client_secret)
    result = await crawl(
        "--api-url",
        "http://emulator.test/v1",
        "--accounts-url",
        "http://emulator.test",
        "artist",
        artist_id(emu, 0),
        transport=httpx.ASGITransport(app=emu.app),
    )
    assert result.code == 0, result.err
    assert emu.counters.tokens_by_grant["client_credentials"] == 1
    albums, tracks = discography(emu, 0)
    assert len(result.records) == 1 + len(albums) + len(tracks)


async def test_library_with_a_stored_user_token(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from trio_spotify import FileTokenStore

    emu = emulator()
    monkeypatch.setenv("SPOTIFY_CLIENT_ID", emu.client_id)
    monkeypatch.setenv("SPOTIFY_CLIENT_SECRET", emu.client_secret)
    common = [
        "--api-url",
        "http://emulator.test/v1",
        "--accounts-url",
        "http://emulator.test",
        "--token-file",
        str(tmp_path / "tokens.json"),
    ]
    transport = httpx.ASGITransport(app=emu.app)

    nobody = await crawl(*common, "library", "tracks", transport=transport)
    assert nobody.code == 2
    assert "trio-spotify login --scope user-library-read" in nobody.err

    token = Token(
        emu.issue_access_token(["user-library-read"]),
        expires_at=time.time() + 3600,
        scope=frozenset({"user-library-read"}),
    )
    await FileTokenStore(tmp_path / "tokens.json").save(f"{emu.client_id}/default", token)
    result = await crawl(*common, "library", "tracks", transport=transport)
    assert result.code == 0, result.err
    saved = {uri.rsplit(":", 1)[1] for uri in emu.user(emu.user_id).saved_of("track")}
    assert {r["id"] for r in result.records} == saved
    assert emu.counters.tokens_by_grant == {"direct": 1}  # the stored token, not a new one


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


async def test_live_progress_on_a_terminal(autojump_clock: Any) -> None:
    emu = emulator()
    emu.faults.latency = 1.0
    missing = emu.catalog.id_of(1, SMALL.artists + 1)
    args = build_parser().parse_args(
        ["crawl", "--emulator", "-c", "2", "artist", artist_id(emu, 0), missing]
    )
    out, err = io.BytesIO(), _Terminal()
    code = await crawl_cli.run(args, stdout=out, stderr=err, emulator=emu)
    assert code == 1
    text = err.getvalue()
    assert "\x1b[" in text  # drawn with rich, redrawn in place
    assert "progress: " not in text  # not the plain lines
    assert text.count("items/s") > 5  # redrawn while it ran
    assert "rate-limited" in text
    assert "retries" in text
    assert "error" in text
    assert missing in text  # the failed item, printed above the live line
    assert "done with errors" in text
    assert len(parse_jsonl(out.getvalue())) > 0


def test_options_go_before_or_after_the_kind() -> None:
    parser = build_parser()
    before = parser.parse_args(["crawl", "-c", "5", "--emulator", "artist", "x"])
    after = parser.parse_args(["crawl", "artist", "x", "--emulator", "-c", "3", "-o", "f"])
    neither = parser.parse_args(["crawl", "artist", "x"])
    assert (before.concurrency, before.emulator, before.output) == (5, True, "-")
    assert (after.concurrency, after.emulator, after.output) == (3, True, "f")
    assert (neither.concurrency, neither.emulator, neither.output) == (16, False, "-")


async def test_user_kinds_refuse_app_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPOTIFY_CLIENT_ID", "0123456789abcdef")
    monkeypatch.setenv("SPOTIFY_CLIENT_SECRET", "not-a-real-secret")
    result = await crawl("--auth", "app", "followed")
    assert result.code == 2
    assert "needs a signed-in user" in result.err
    assert "not-a-real-secret" not in result.err


async def test_authentication_failure_stops_the_crawl_with_one_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    emu = emulator()
    monkeypatch.setenv("SPOTIFY_CLIENT_ID", emu.client_id)
    monkeypatch.setenv("SPOTIFY_CLIENT_SECRET", "wrong-secret-wrong-secret")
    result = await crawl(
        "--api-url",
        "http://emulator.test/v1",
        "--accounts-url",
        "http://emulator.test",
        "artist",
        *[artist_id(emu, i) for i in range(4)],
        transport=httpx.ASGITransport(app=emu.app),
    )
    assert result.code == 1
    errors = [line for line in result.err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.err
    assert "AuthenticationError" in errors[0] or "invalid_client" in errors[0]
    assert "wrong-secret" not in result.err
    assert result.err.splitlines()[-1].startswith("stopped: ")
    assert result.records == []


def test_each_line_reaches_the_file_as_it_is_written(tmp_path: Path) -> None:
    from trio_spotify._cli._jsonl import JsonlWriter

    path = tmp_path / "out.jsonl"
    with open(path, "wb") as stream:  # buffered: only a flush makes a line visible
        writer = JsonlWriter(stream)
        for n in range(3):
            assert writer.write({"kind": "track", "id": str(n), "context": None, "data": {}})
            assert path.read_bytes().count(b"\n") == n + 1  # whole, and on disk already
    assert [r["id"] for r in parse_jsonl(path.read_bytes())] == ["0", "1", "2"]


def test_read_keys_edge_cases(tmp_path: Path) -> None:
    from trio_spotify._cli._jsonl import JsonlWriter, read_keys

    assert read_keys(tmp_path / "missing.jsonl").lines == 0
    only_partial = tmp_path / "partial.jsonl"
    only_partial.write_bytes(b'{"kind":"track","id":"a","da')
    state = read_keys(only_partial)
    assert (state.lines, state.truncated, state.keys) == (0, 28, frozenset())
    assert only_partial.read_bytes() == b""

    stream = io.BytesIO()
    writer = JsonlWriter(stream, seen={"track:a"})
    assert not writer.write({"kind": "track", "id": "a", "context": None, "data": {}})
    assert writer.write({"kind": "track", "id": "b", "context": None, "data": {"n": "é"}})
    assert not writer.write({"kind": "track", "id": "b", "context": None, "data": {}})
    assert (writer.written, writer.skipped) == (1, 2)
    line = '{"kind":"track","id":"b","context":null,"data":{"n":"é"}}\n'
    assert stream.getvalue() == line.encode()
    with pytest.raises(ValueError, match="kind"):
        writer.write({"id": "c"})
    with pytest.raises(ValueError, match="JSON"):
        writer.write({"kind": "track", "id": "d", "data": float("nan")})
    assert stream.getvalue().count(b"\n") == 1  # nothing of a refused record was written

    blank = tmp_path / "blank.jsonl"
    blank.write_bytes(b'\n{"kind":"album","id":"x","context":null,"data":{}}\n\n')
    assert read_keys(blank).keys == frozenset({"album:x"})


def test_ctrl_c_outside_the_crawl_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Ctrl-C while the client opens or closes surfaces as KeyboardInterrupt, maybe grouped."""
    args = build_parser().parse_args(["crawl", "--emulator", "followed"])
    raised: list[BaseException] = [
        KeyboardInterrupt(),
        BaseExceptionGroup("closing", [KeyboardInterrupt()]),
    ]

    def fake_run(*_: Any) -> int:
        raise raised.pop(0)

    monkeypatch.setattr(crawl_cli.trio, "run", fake_run)
    assert crawl_cli._handle(args) == 130
    assert crawl_cli._handle(args) == 130
    raised.append(BaseExceptionGroup("other", [KeyboardInterrupt(), ValueError("bug")]))
    with pytest.raises(BaseExceptionGroup):
        crawl_cli._handle(args)
