"""`trio-spotify crawl merge OUT SHARD...`: joining a sharded crawl's files.

The merge keeps each record once, checks that the files are the shards of one crawl
(all of them, each complete, unless `--partial`), never leaves OUT half-written, reports
its counts, and gives OUT the sidecar of the unsharded crawl.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import artist_id, crawl, emulator, keys, parse_jsonl

from trio_spotify._cli import main
from trio_spotify._cli._merge import merge_shards
from trio_spotify._cli._usage import UsageError


def run_merge(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["crawl", "merge", *argv])
    return code, capsys.readouterr().err


def record(kind: str, ident: str, data: Any = None) -> bytes:
    line = {"kind": kind, "id": ident, "context": None, "data": data}
    return json.dumps(line, separators=(",", ":")).encode() + b"\n"


def shard_file(
    path: Path,
    shard: str,
    lines: list[bytes],
    *,
    crawl_of: dict[str, Any] | None = None,
    complete: bool = True,
) -> str:
    """A shard's output and its sidecar, as `crawl --shard` writes them."""
    path.write_bytes(b"".join(lines))
    description = dict(crawl_of or {"kind": "artist", "targets": ["a", "b"]}, shard=shard)
    sidecar = {"version": 1, "crawl": description, "complete": complete}
    if complete:
        sidecar["size"] = path.stat().st_size
    Path(f"{path}.crawl.json").write_text(json.dumps(sidecar))
    return str(path)


async def test_real_shards_merge_into_what_one_crawl_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emu = emulator()
    artists = [artist_id(emu, i) for i in range(6)]
    base = ["--emulator", "--progress", "none"]
    paths = []
    for index in (1, 2, 3):
        path = str(tmp_path / f"part-{index}.jsonl")
        result = await crawl(
            *base, "--shard", f"{index}/3", "-o", path, "artist", *artists, emu=emu
        )
        assert result.code == 0, result.err
        paths.append(path)
    whole = await crawl(*base, "artist", *artists, emu=emu)
    out = tmp_path / "all.jsonl"
    code, err = run_merge(capsys, str(out), *reversed(paths))  # any order
    assert code == 0, err
    merged = parse_jsonl(out.read_bytes())
    assert sorted(keys(merged)) == sorted(keys(whole.records))
    assert len(set(keys(merged))) == len(merged)
    assert f"merged 3 shards into {out}: {len(merged):,} records" in err
    for index, path in enumerate(paths, start=1):
        assert f"{path} (shard {index}/3): " in err
    # OUT is the unsharded crawl, complete: resuming it has nothing to do.
    again = await crawl(*base, "-o", str(out), "--resume", "artist", *artists, emu=emu)
    assert again.code == 0
    assert "already holds the whole crawl" in again.err


def test_a_record_two_shards_wrote_is_kept_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = shard_file(tmp_path / "1", "1/2", [record("artist", "a"), record("album", "x", 1)])
    two = shard_file(tmp_path / "2", "2/2", [record("artist", "b"), record("album", "x", 2)])
    out = tmp_path / "out.jsonl"
    code, err = run_merge(capsys, str(out), two, one)
    assert code == 0, err
    # Shard order, first writer wins; the bytes are copied as they are.
    assert out.read_bytes() == (
        record("artist", "a") + record("album", "x", 1) + record("artist", "b")
    )
    assert "3 records, 1 duplicates dropped" in err


@pytest.mark.parametrize(
    ("second", "message"),
    [
        ({"shard": "2/2", "crawl_of": {"kind": "artist", "targets": ["c"]}}, "different crawls"),
        ({"shard": "2/3"}, "shards of one crawl share N"),
        ({"shard": "1/2"}, "are both shard 1/2"),
        ({"shard": "2/2", "complete": False}, "did not complete: finish it with --resume"),
    ],
)
def test_shards_that_do_not_belong_together_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], second: dict[str, Any], message: str
) -> None:
    one = shard_file(tmp_path / "1", "1/2", [record("artist", "a")])
    two = shard_file(tmp_path / "2", lines=[record("artist", "b")], **second)
    out = tmp_path / "out.jsonl"
    code, err = run_merge(capsys, str(out), one, two)
    assert code == 2
    assert message in err
    assert err.count("\n") == 1
    assert not out.exists()


def test_a_missing_shard_is_refused_unless_partial(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = shard_file(tmp_path / "1", "1/3", [record("artist", "a")])
    three = shard_file(tmp_path / "3", "3/3", [record("artist", "c")], complete=False)
    out = tmp_path / "out.jsonl"
    code, err = run_merge(capsys, str(out), one, three)
    assert code == 2
    assert "shard 2/3 missing" in err
    code, err = run_merge(capsys, str(out), one, three, "--partial")
    assert code == 0, err
    assert "(partial" in err
    assert out.read_bytes() == record("artist", "a") + record("artist", "c")
    sidecar = json.loads(Path(f"{out}.crawl.json").read_text())
    assert sidecar["crawl"] == {"kind": "artist", "targets": ["a", "b"]}
    assert sidecar["complete"] is False


def test_files_that_are_not_shards_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = shard_file(tmp_path / "1", "1/2", [record("artist", "a")])
    bare = tmp_path / "bare.jsonl"
    bare.write_bytes(record("artist", "b"))
    code, err = run_merge(capsys, str(tmp_path / "out"), one, str(bare))
    assert code == 2
    assert "has no" in err
    assert "crawl.json" in err
    unsharded = tmp_path / "whole.jsonl"
    unsharded.write_bytes(record("artist", "b"))
    Path(f"{unsharded}.crawl.json").write_text(
        json.dumps({"version": 1, "crawl": {"kind": "artist", "targets": []}, "complete": True})
    )
    code, err = run_merge(capsys, str(tmp_path / "out"), one, str(unsharded))
    assert code == 2
    assert "ran without --shard" in err
    code, err = run_merge(capsys, one, one)
    assert code == 2
    assert "is OUT itself" in err


def test_an_existing_out_is_replaced_only_with_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = shard_file(tmp_path / "1", "1/1", [record("artist", "a")])
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"old\n")
    code, err = run_merge(capsys, str(out), one)
    assert code == 2
    assert "--overwrite" in err
    assert out.read_bytes() == b"old\n"
    code, err = run_merge(capsys, str(out), one, "--overwrite")
    assert code == 0, err
    assert out.read_bytes() == record("artist", "a")


def test_a_failing_merge_leaves_out_as_it_was_and_no_temporary_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = shard_file(tmp_path / "1", "1/2", [record("artist", "a")])
    two = shard_file(tmp_path / "2", "2/2", [record("artist", "b"), b"not json\n"])
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"old\n")
    code, err = run_merge(capsys, str(out), one, two, "--overwrite")
    assert code == 1
    assert "line 2 of" in err
    assert "not a crawl record" in err
    assert out.read_bytes() == b"old\n"
    assert sorted(os.listdir(tmp_path)) == ["1", "1.crawl.json", "2", "2.crawl.json", "out.jsonl"]


def test_a_partial_last_line_of_a_killed_shard_is_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = shard_file(tmp_path / "1", "1/2", [record("artist", "a"), b'{"kind":"al'])
    two = shard_file(tmp_path / "2", "2/2", [record("artist", "b")])
    out = tmp_path / "out.jsonl"
    code, err = run_merge(capsys, str(out), one, two)
    assert code == 0, err
    assert "skipped 1 partial last line" in err
    assert out.read_bytes() == record("artist", "a") + record("artist", "b")
    assert Path(one).read_bytes().endswith(b'{"kind":"al')  # the shards are only read


def test_merge_shards_raises_usage_error_for_a_directory_out(tmp_path: Path) -> None:
    one = shard_file(tmp_path / "1", "1/1", [record("artist", "a")])
    with pytest.raises(UsageError, match="is a directory"):
        merge_shards(str(tmp_path), [one])
