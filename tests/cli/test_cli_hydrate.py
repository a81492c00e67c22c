"""`trio-spotify crawl tracks|albums|... --from FILE`: hydrating lists of IDs.

In-process against the emulator: every distinct ID gets exactly one line, batched to the
table's limits; repeats, URIs and URLs are folded; unknown IDs are written and counted;
CSV columns and standard input are read; progress shows a total and an ETA; resume
continues without a duplicate.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import crawl, emulator, parse_jsonl

from trio_spotify._cli import _hydrate
from trio_spotify._cli import crawl as crawl_cli
from trio_spotify._cli._hydrate import HYDRATE_KINDS
from trio_spotify._operations import OPERATIONS
from trio_spotify.testing import SpotifyEmulator

#: The catalog's kind numbers of the hydrated kinds (see `testing/_catalog_ids.py`).
KIND_NUMBERS = {
    "artist": 1,
    "album": 2,
    "track": 3,
    "show": 4,
    "episode": 5,
    "audiobook": 6,
    "playlist": 8,
}
UNKNOWN = "0000000000000000000000"


def track_ids(emu: SpotifyEmulator, count: int) -> list[str]:
    tracks = []
    for index in emu.catalog.all_tracks():
        tracks.append(emu.catalog.id_of(3, index))
        if len(tracks) == count:
            break
    assert len(tracks) == count
    return tracks


def requests_of(err: str) -> int:
    found = re.search(r"([\d,]+) requests?,", err.splitlines()[-1])
    assert found, err
    return int(found.group(1).replace(",", ""))


async def test_every_distinct_id_once_batched_to_the_tables_limit(tmp_path: Path) -> None:
    emu = emulator()
    ids = track_ids(emu, 120)
    lines = [
        *ids,
        *ids[:10],  # repeats
        f"spotify:track:{ids[0]}",  # the same track as a URI
        f"https://open.spotify.com/track/{ids[1]}?si=x",  # and as a URL
        "",  # blank lines are skipped
        UNKNOWN,  # a well-formed ID Spotify does not know
    ]
    source = tmp_path / "ids.txt"
    source.write_text("\n".join(lines) + "\n")
    result = await crawl("--emulator", "tracks", "--from", str(source), emu=emu)
    assert result.code == 0, result.err
    records = result.records
    got = Counter(r["id"] for r in records)
    assert set(got) == {*ids, UNKNOWN}
    assert max(got.values()) == 1  # each ID's record exactly once
    assert all(r["kind"] == "track" and r["context"] is None for r in records)
    by_id = {r["id"]: r for r in records}
    assert by_id[UNKNOWN]["data"] is None
    assert by_id[UNKNOWN]["error"] == "not found"
    assert by_id[ids[5]]["data"]["id"] == ids[5]
    # 121 distinct IDs in batches of the table's 50: 3 requests, no more.
    batch = OPERATIONS["get-several-tracks"].batch
    assert batch == 50
    assert emu.counters.requests["get-several-tracks"] == 3
    assert requests_of(result.err) == 3
    assert "1 not found" in result.err
    assert f"track {UNKNOWN}: not found" in result.err


@pytest.mark.parametrize("plural", sorted(HYDRATE_KINDS))
async def test_each_kind_is_hydrated_by_its_operation(plural: str, tmp_path: Path) -> None:
    emu = emulator()
    kind = HYDRATE_KINDS[plural]
    ids = [emu.catalog.id_of(KIND_NUMBERS[kind.record], i) for i in range(3)]
    source = tmp_path / "ids.txt"
    source.write_text("\n".join(f"spotify:{kind.record}:{i}" for i in ids) + "\n")
    result = await crawl("--emulator", plural, "--from", str(source), emu=emu)
    assert result.code == 0, result.err
    assert sorted(r["id"] for r in result.records) == sorted(ids)
    assert all(r["kind"] == kind.record and r["data"]["id"] == r["id"] for r in result.records)
    operation = kind.several or kind.single
    expected = 1 if kind.several else 3
    assert emu.counters.requests[operation] == expected


async def test_a_csv_column(tmp_path: Path) -> None:
    emu = emulator()
    ids = track_ids(emu, 60)
    source = tmp_path / "plays.csv"
    rows = ["played_at,track_uri,ms"] + [f'2026-01-01,"spotify:track:{i}",1' for i in ids]
    source.write_text("\n".join(rows) + "\n")
    result = await crawl(
        "--emulator", "tracks", "--from", str(source), "--column", "track_uri", emu=emu
    )
    assert result.code == 0, result.err
    assert sorted(r["id"] for r in result.records) == sorted(ids)
    assert "60/60 IDs (100%)" in result.err

    missing = await crawl(
        "--emulator", "tracks", "--from", str(source), "--column", "nope", emu=emu
    )
    assert missing.code == 2
    assert "no column 'nope'" in missing.err
    assert len(missing.err.splitlines()) == 1


async def test_standard_input() -> None:
    emu = emulator()
    ids = track_ids(emu, 70)
    result = await crawl(
        "--emulator", "tracks", "--from", "-", emu=emu, stdin=io.StringIO("\n".join(ids))
    )
    assert result.code == 0, result.err
    assert sorted(r["id"] for r in result.records) == sorted(ids)
    assert "70 IDs read" in result.err


async def test_a_line_that_is_no_id_is_reported_with_its_number(tmp_path: Path) -> None:
    emu = emulator()
    ids = track_ids(emu, 3)
    source = tmp_path / "ids.txt"
    source.write_text(f"{ids[0]}\nnot an id\n{ids[1]}\nspotify:album:{ids[2]}\n")
    result = await crawl("--emulator", "tracks", "--from", str(source), emu=emu)
    assert result.code == 1  # done with errors
    assert "line 2:" in result.err
    assert "line 4:" in result.err
    assert sorted(r["id"] for r in result.records) == sorted(ids[:2])
    assert "2 errors" in result.err.splitlines()[-1]


async def test_development_mode_falls_back_to_one_request_per_id(tmp_path: Path) -> None:
    emu = emulator(mode="development")
    ids = [*track_ids(emu, 5), UNKNOWN]
    source = tmp_path / "ids.txt"
    source.write_text("\n".join(ids) + "\n")
    result = await crawl("--emulator", "tracks", "--from", str(source), emu=emu)
    assert result.code == 0, result.err
    assert sorted(r["id"] for r in result.records) == sorted(ids)
    assert emu.counters.requests["get-track"] == 6
    assert "one by one" in result.err
    assert [r["error"] for r in result.records if r["id"] == UNKNOWN] == ["not found"]


async def test_progress_shows_the_total_and_an_eta(autojump_clock: Any, tmp_path: Path) -> None:
    emu = emulator()
    emu.faults.latency = 1.0
    ids = track_ids(emu, 500)
    source = tmp_path / "ids.txt"
    source.write_text("\n".join(ids) + "\n")
    result = await crawl(
        "--emulator",
        "-c",
        "1",
        "--progress-interval",
        "2.5",
        "tracks",
        "--from",
        str(source),
        emu=emu,
    )
    assert result.code == 0, result.err
    progress = [line for line in result.err.splitlines() if line.startswith("progress: ")]
    assert progress, result.err
    # One request per virtual second, 50 IDs each: at 2.5 s 100 of 500 are done and the
    # 400 left take 10 s more at that rate.
    assert progress[0].startswith("progress: 100/500 IDs (20%), ETA 10 s,"), progress[0]


async def test_the_reader_stays_ahead_by_the_batches_in_flight_only(
    autojump_clock: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Memory is bounded by what is in flight: the reader never holds more than a block
    of lines beyond the batches being fetched, whatever the size of the input."""
    emu = emulator()
    emu.faults.latency = 1.0
    ids = track_ids(emu, 1000)
    source = tmp_path / "ids.txt"
    source.write_text("\n".join(ids) + "\n")
    monkeypatch.setattr(_hydrate, "_BLOCK", 10)
    peak = 0
    accept = _hydrate.Hydration._accept

    def watch(self: _hydrate.Hydration, number: int, text: str) -> str | None:
        nonlocal peak
        peak = max(peak, len(self._in_flight))
        return accept(self, number, text)

    monkeypatch.setattr(_hydrate.Hydration, "_accept", watch)
    result = await crawl("--emulator", "-c", "2", "tracks", "--from", str(source), emu=emu)
    assert result.code == 0, result.err
    assert len(result.records) == 1000
    # Two batches being fetched, one waiting to be handed over, one being filled.
    assert peak <= 4 * 50, peak


async def test_resume_continues_without_a_duplicate(tmp_path: Path) -> None:
    emu = emulator()
    ids = track_ids(emu, 300)
    source = tmp_path / "ids.txt"
    source.write_text("\n".join(ids) + "\n")
    out = tmp_path / "tracks.jsonl"
    first = await crawl("--emulator", "tracks", "--from", str(source), "-o", str(out), emu=emu)
    assert first.code == 0
    data = out.read_bytes()
    kept = data[: data.index(b"\n", len(data) // 3) + 40]  # a third, then a partial line
    out.write_bytes(kept)
    before = emu.counters.requests["get-several-tracks"]
    resumed = await crawl(
        "--emulator", "tracks", "--from", str(source), "-o", str(out), "--resume", emu=emu
    )
    assert resumed.code == 0, resumed.err
    records = parse_jsonl(out.read_bytes())
    assert Counter(r["id"] for r in records) == Counter(ids)
    # Only the IDs that were missing are requested again.
    missing = 300 - len(kept.splitlines()) + 1
    sent = emu.counters.requests["get-several-tracks"] - before
    assert sent <= -(-missing // 50) + 1


async def test_emulator_artists_sets_the_catalog_size(tmp_path: Path) -> None:
    big = SpotifyEmulator(catalog_size=None)
    artist = big.catalog.id_of(1, 45)  # beyond the default catalog's 40 artists
    source = tmp_path / "ids.txt"
    source.write_text(artist + "\n")
    args = ["crawl", "--emulator", "--emulator-artists", "50", "artists", "--from", str(source)]
    found = await _run(args)
    assert found.code == 0, found.err
    assert parse_jsonl(found.out)[0]["data"]["id"] == artist
    unknown = await _run([a for a in args if a not in ("--emulator-artists", "50")])
    assert parse_jsonl(unknown.out)[0]["data"] is None


class _Result:
    def __init__(self, code: int, out: bytes, err: str) -> None:
        self.code, self.out, self.err = code, out, err


async def _run(argv: list[str]) -> _Result:
    from trio_spotify._cli import build_parser

    args = build_parser().parse_args(argv)
    out, err = io.BytesIO(), io.StringIO()
    code = await crawl_cli.run(args, stdout=out, stderr=err)
    return _Result(code, out.getvalue(), err.getvalue())


def test_a_missing_input_file_is_a_usage_error(tmp_path: Path) -> None:
    import trio

    async def main() -> _Result:
        return await _run(["crawl", "--emulator", "tracks", "--from", str(tmp_path / "nope")])

    result = trio.run(main)
    assert result.code == 2
    assert "no such file" in result.err
