"""Ctrl-C on a real `trio-spotify crawl` process: only whole lines are left, the exit code
is 130, and `--resume` finishes the crawl without duplicating a line.

These run the command in a subprocess on the real clock (a signal cannot be sent to the
test's own process without interrupting pytest), each step bounded by a timeout.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from trio_spotify.testing import SpotifyEmulator

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process")


def expected_keys(artists: list[int]) -> set[tuple[str, str]]:
    """What a complete crawl of these artists of the default (seed 0) catalog writes."""
    catalog = SpotifyEmulator().catalog
    keys = set()
    for artist in artists:
        keys.add(("artist", catalog.id_of(1, artist)))
        for album in catalog.artist_albums(artist):
            keys.add(("album", catalog.id_of(2, album)))
            keys.update(("track", catalog.id_of(3, t)) for t in catalog.album_tracks(album))
    return keys


def read_records(path: Path) -> list[tuple[str, str]]:
    data = path.read_bytes()
    assert data.endswith(b"\n"), "a partial line was left"
    keys = []
    for line in data.splitlines():
        record = json.loads(line)
        keys.append((record["kind"], record["id"]))
    return keys


def command(out: Path, *options: str) -> list[str]:
    catalog = SpotifyEmulator().catalog
    artists = [catalog.id_of(1, i) for i in range(3)]
    return [
        sys.executable,
        "-m",
        "trio_spotify",
        "crawl",
        "--emulator",
        "--progress",
        "plain",
        "--progress-interval",
        "0.2",
        "-o",
        str(out),
        *options,
        "artist",
        *artists,
    ]


def wait_for_lines(path: Path, count: int, proc: subprocess.Popen[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_bytes().count(b"\n") >= count:
            return
        if proc.poll() is not None:
            pytest.fail(f"the crawl ended before it was interrupted: {proc.communicate()}")
        time.sleep(0.02)
    proc.kill()
    pytest.fail("the crawl wrote too little in time")


def test_ctrl_c_leaves_whole_lines_and_resume_completes_without_duplicates(
    tmp_path: Path,
) -> None:
    out = tmp_path / "discography.jsonl"
    # Slow answers and two requests in flight: the crawl takes seconds, so SIGINT lands
    # in the middle of it, while track batches are being written.
    proc = subprocess.Popen(
        command(out, "--emulator-latency", "0.15", "-c", "2"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for_lines(out, 60, proc, timeout=60)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "interrupted: " in err
    assert "--resume" in err
    partial = read_records(out)
    expected = expected_keys([0, 1, 2])
    assert 60 <= len(partial) < len(expected)
    assert len(set(partial)) == len(partial)
    assert set(partial) <= expected

    resumed = subprocess.run(
        command(out, "--resume"), capture_output=True, text=True, timeout=120, check=False
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"resuming: {len(partial):,} records already" in resumed.stderr
    final = read_records(out)
    assert final[: len(partial)] == partial  # what was there stays, in place
    assert len(final) == len(set(final))  # nothing duplicated
    assert set(final) == expected  # nothing missing


def test_second_ctrl_c_while_stopping_does_not_break_the_output(tmp_path: Path) -> None:
    out = tmp_path / "discography.jsonl"
    proc = subprocess.Popen(
        command(out, "--emulator-latency", "0.15", "-c", "2"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for_lines(out, 30, proc, timeout=60)
    proc.send_signal(signal.SIGINT)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    records = read_records(out)
    assert len(set(records)) == len(records)


def test_closed_output_pipe_stops_quietly() -> None:
    """`trio-spotify crawl ... | head -1`: the crawl stops when nobody reads any more."""
    catalog = SpotifyEmulator().catalog
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "trio_spotify",
            "crawl",
            "--emulator",
            "--progress",
            "plain",
            "--emulator-latency",
            "0.05",
            "artist",
            catalog.id_of(1, 0),
            catalog.id_of(1, 1),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    first = proc.stdout.readline()
    assert json.loads(first)["kind"] == "artist"
    proc.stdout.close()
    with proc.stderr:
        err = proc.stderr.read().decode()
    assert proc.wait(timeout=30) == 1
    assert "the output was closed (broken pipe); stopping" in err
    assert "Traceback" not in err
    assert "Exception ignored" not in err
    assert "stopped: " in err
