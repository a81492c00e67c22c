"""`kill -9` of a real `trio-spotify crawl tracks --from FILE` process, then `--resume`:
no duplicate and no missing line, and the same records as an uninterrupted run.

The command runs in a subprocess on the real clock (nothing else can be killed outright),
each step bounded by a timeout. `benchmarks/bench_hydrate.py` does the same at 100,000 IDs
and measures the memory.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from trio_spotify.testing import SpotifyEmulator

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL of a child process")

COUNT = 5000


def command(source: Path, out: Path, *options: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "trio_spotify",
        "crawl",
        "--emulator",
        "--progress",
        "none",
        "-o",
        str(out),
        *options,
        "tracks",
        "--from",
        str(source),
    ]


def records(path: Path) -> dict[str, list[dict[str, object]]]:
    data = path.read_bytes()
    assert data.endswith(b"\n"), "a partial line was left"
    found: dict[str, list[dict[str, object]]] = {}
    for line in data.splitlines():
        record = json.loads(line)
        found.setdefault(record["id"], []).append(record)
    return found


def test_kill_9_then_resume_gives_each_id_once(tmp_path: Path) -> None:
    catalog = SpotifyEmulator().catalog
    ids = [catalog.id_of(3, t) for t in list(catalog.all_tracks())[:COUNT]]
    assert len(set(ids)) == COUNT
    source = tmp_path / "ids.txt"
    # Every ID twice (the second time as a URI), shuffled deterministically.
    lines = ids + [f"spotify:track:{i}" for i in reversed(ids)]
    source.write_text("\n".join(lines) + "\n")

    out = tmp_path / "tracks.jsonl"
    proc = subprocess.Popen(
        command(source, out, "--emulator-latency", "0.05", "-c", "2"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if out.exists() and out.read_bytes().count(b"\n") >= 600:
            break
        if proc.poll() is not None:
            pytest.fail(f"the crawl ended before it was killed: {proc.communicate()}")
        time.sleep(0.01)
    else:
        proc.kill()
        pytest.fail("the crawl wrote too little in time")
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    written = out.read_bytes().count(b"\n")
    assert 600 <= written < COUNT

    resumed = subprocess.run(
        command(source, out, "--resume"), capture_output=True, text=True, timeout=120
    )
    assert resumed.returncode == 0, resumed.stderr
    final = records(out)
    assert Counter(len(v) for v in final.values()) == Counter({1: COUNT})  # once each
    assert set(final) == set(ids)  # none missing

    # The same records as a run that was never interrupted.
    whole = tmp_path / "whole.jsonl"
    clean = subprocess.run(
        command(source, whole), capture_output=True, text=True, timeout=120, check=False
    )
    assert clean.returncode == 0, clean.stderr
    assert final == records(whole)
