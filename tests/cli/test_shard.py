"""`trio-spotify crawl --shard K/N`: N processes split one crawl's targets.

In-process against the emulator (no Redis here: `tests/redis/test_shard_crawl.py` runs
the shards as processes sharing a real one): the shards partition the targets exactly
(union = all, no overlap) by a hash that is the same in every process; `--shard` is
checked (1-based), recorded in the sidecar and refused on resume as another shard; a
sharded crawl resumes per shard; `--redis` fails clearly without the extra or the server.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from helpers.cli import artist_id, crawl, emulator, keys, parse_jsonl

from trio_spotify._cli._shard import Shard, parse_shard, shard_of
from trio_spotify.testing import SpotifyEmulator


def track_ids(emu: SpotifyEmulator, count: int) -> list[str]:
    ids = [emu.catalog.id_of(3, index) for index in emu.catalog.all_tracks()][:count]
    assert len(ids) == count
    return ids


def test_shards_partition_any_set_of_ids_exactly() -> None:
    ids = [f"{i:022d}" for i in range(2000)]
    for count in range(1, 8):
        owners = [[s for s in range(1, count + 1) if Shard(s, count).owns(i)] for i in ids]
        assert all(len(found) == 1 for found in owners)  # no overlap, nothing left out
        sizes = Counter(found[0] for found in owners)
        assert set(sizes) == set(range(1, count + 1))
        assert max(sizes.values()) < 1.25 * len(ids) / count  # roughly even


def test_the_shard_of_an_id_is_the_same_in_every_process_and_run() -> None:
    ids = ["4uLU6hMCjMI75M1A2tKUQC", "0TnOYISbd1XYRBk9myaseg", "track:x", "ünï"]
    here = [shard_of(i, 5) for i in ids]
    # Pinned: the documented BLAKE2b assignment, not a value that changes between versions.
    assert here == [5, 3, 2, 3]
    program = (
        "import sys; from trio_spotify._cli._shard import shard_of; "
        f"print([shard_of(i, 5) for i in {ids!r}])"
    )
    for seed in ("1", "2", "random"):  # str hashes are salted per process: not used
        done = subprocess.run(
            [sys.executable, "-c", program],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
        )
        assert json.loads(done.stdout) == here


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("5/4", "numbered from 1 to 4"),
        ("0/4", "numbered from 1 to 4"),
        ("-1/4", "numbered from 1 to 4"),
        ("1/0", "at least 1"),
        ("x/y", "is not K/N"),
        ("3", "is not K/N"),
        ("1/2/3", "is not K/N"),
    ],
)
def test_a_bad_shard_is_refused_naming_the_problem(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_shard(text)


async def test_a_bad_shard_on_the_command_line_is_one_line_and_exit_code_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from trio_spotify._cli import main

    with pytest.raises(SystemExit) as exited:
        main(["crawl", "--emulator", "--shard", "5/4", "artist", "x"])
    assert exited.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "--shard" in err[0]
    assert "numbered from 1 to 4" in err[0]


async def test_hydration_shards_write_every_id_exactly_once(tmp_path: Path) -> None:
    emu = emulator()
    ids = track_ids(emu, 150)
    source = tmp_path / "ids.txt"
    source.write_text("\n".join(ids + ids[:20]) + "\n")  # repeats too
    written: list[str] = []
    for index in (1, 2, 3):
        result = await crawl(
            "--emulator", "--progress", "none", "--shard", f"{index}/3",
            "tracks", "--from", str(source), emu=emu,
        )  # fmt: skip
        assert result.code == 0, result.err
        mine = [r["id"] for r in result.records]
        assert mine
        assert all(Shard(index, 3).owns(i) for i in mine)
        written += mine
    assert sorted(written) == sorted(ids)


async def test_artist_shards_split_the_artists(tmp_path: Path) -> None:
    emu = emulator()
    artists = [artist_id(emu, i) for i in range(6)]
    whole = await crawl("--emulator", "--progress", "none", "artist", *artists, emu=emu)
    parts: list[tuple[str, str]] = []
    for index in (1, 2):
        result = await crawl(
            "--emulator", "--progress", "none", "--shard", f"{index}/2", "artist", *artists,
            emu=emu,
        )  # fmt: skip
        assert result.code == 0, result.err
        assert {r["id"] for r in result.records if r["kind"] == "artist"} == {
            a for a in artists if Shard(index, 2).owns(a)
        }
        parts += keys(result.records)
    assert set(parts) == set(keys(whole.records))


async def test_search_shards_split_the_queries_and_types() -> None:
    emu = emulator()
    argv = ["search", "a", "b", "c", "the", "--type", "track", "--type", "album", "--max", "5"]
    whole = await crawl("--emulator", "--progress", "none", *argv, emu=emu)
    parts: list[tuple[str, str]] = []
    for index in (1, 2, 3):
        result = await crawl(
            "--emulator", "--progress", "none", "--shard", f"{index}/3", *argv, emu=emu
        )
        assert result.code == 0, result.err
        parts += keys(result.records)
    assert sorted(parts) == sorted(keys(whole.records))


@pytest.mark.parametrize("kind", [["library", "tracks"], ["followed"]])
async def test_one_paged_list_refuses_shard(kind: list[str]) -> None:
    result = await crawl("--emulator", "--shard", "1/2", *kind)
    assert result.code == 2
    assert "one paged list" in result.err
    assert "without --shard" in result.err


async def test_a_shard_resumes_its_own_file_without_duplicates(tmp_path: Path) -> None:
    emu = emulator()
    ids = track_ids(emu, 150)
    source = tmp_path / "ids.txt"
    source.write_text("\n".join(ids) + "\n")
    out = tmp_path / "shard-2.jsonl"
    argv = ["--emulator", "--progress", "none", "--shard", "2/3", "-o", str(out)]
    argv += ["tracks", "--from", str(source)]
    assert (await crawl(*argv, emu=emu)).code == 0
    complete = out.read_bytes()
    lines = complete.splitlines(keepends=True)
    out.write_bytes(b"".join(lines[: len(lines) // 2]) + lines[len(lines) // 2][:10])
    resumed = await crawl(*argv, "--resume", emu=emu)
    assert resumed.code == 0, resumed.err
    records = parse_jsonl(out.read_bytes())
    assert sorted(keys(records)) == sorted(keys(parse_jsonl(complete)))
    assert len(set(keys(records))) == len(records)


async def test_resuming_as_another_shard_or_unsharded_is_refused(tmp_path: Path) -> None:
    emu = emulator()
    artists = [artist_id(emu, i) for i in range(3)]
    out = tmp_path / "part.jsonl"
    base = ["--emulator", "--progress", "none", "-o", str(out)]
    assert (await crawl(*base, "--shard", "1/2", "artist", *artists, emu=emu)).code == 0
    before = out.read_bytes()
    for other in (["--shard", "2/2"], ["--shard", "1/3"], []):
        result = await crawl(*base, "--resume", *other, "artist", *artists, emu=emu)
        assert result.code == 2
        assert "--shard 1/2" in result.err
        assert "resume it with the same arguments" in result.err
    # ... and an unsharded crawl's file is not resumed as a shard.
    whole = tmp_path / "whole.jsonl"
    assert (await crawl(*base[:-1], str(whole), "artist", *artists, emu=emu)).code == 0
    result = await crawl(
        *base[:-1], str(whole), "--resume", "--shard", "1/2", "artist", *artists, emu=emu
    )
    assert result.code == 2
    assert "is a crawl of" in result.err
    assert out.read_bytes() == before


async def test_redis_without_the_extra_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in [m for m in sys.modules if m == "coredis" or m.startswith("coredis.")]:
        monkeypatch.delitem(sys.modules, name)
    for name in [m for m in sys.modules if m.startswith("trio_spotify.redis")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "coredis", None)  # what a missing package looks like
    monkeypatch.setenv("SPOTIFY_CLIENT_ID", "0123456789abcdef")
    monkeypatch.setenv("SPOTIFY_CLIENT_SECRET", "not-a-real-secret")
    out = tmp_path / "x.jsonl"
    result = await crawl("--redis", "redis://127.0.0.1:1/0", "-o", str(out), "artist", "x" * 22)
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "pip install 'trio_spotify[redis]'" in result.err
    assert not out.exists()


async def test_redis_unreachable_is_one_line_naming_the_url_without_its_password(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from helpers.redis_server import free_port

    monkeypatch.setenv("SPOTIFY_CLIENT_ID", "0123456789abcdef")
    monkeypatch.setenv("SPOTIFY_CLIENT_SECRET", "not-a-real-secret")
    url = f"redis://:hunter2-secret@127.0.0.1:{free_port()}/0"
    out = tmp_path / "x.jsonl"
    result = await crawl("--redis", url, "-o", str(out), "artist", "x" * 22)
    assert result.code == 1
    assert result.err.count("\n") == 1
    assert "cannot reach Redis" in result.err
    assert "127.0.0.1" in result.err
    assert "hunter2" not in result.err
    assert not out.exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--emulator", "--redis", "redis://127.0.0.1:6379/0"], "instead of --emulator"),
        (["--redis", "http://127.0.0.1:6379"], "redis://, rediss:// or unix://"),
    ],
)
async def test_redis_options_are_checked(argv: list[str], message: str) -> None:
    result = await crawl(*argv, "artist", "x" * 22)
    assert result.code == 2
    assert message in result.err
