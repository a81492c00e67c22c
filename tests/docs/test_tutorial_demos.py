"""The tutorial's crawler demos show what the tutorial says they show.

Each demo command is read from its section of docs/tutorial.md and run as a reader would
(this installation's `trio-spotify`, offline, in a temporary directory):

- "Rate limits, rehearsed": the crawl meets the emulator's rolling limit (429s in the
  summary), loses nothing (the records the page's summary counts, each once), and, having
  learned the rate from its first 429s, does not keep meeting them.
- "Interrupt it, resume it": the slowed crawl is still running once its first lines are
  written; Ctrl-C (SIGINT) then stops it with exit code 130, whole lines and a hint to
  resume; the `--resume` command completes the file with every record exactly once.
"""

from __future__ import annotations

import json
import re
import shlex
import signal
import subprocess
import time
from pathlib import Path

from helpers.docs import (
    ROOT,
    blocks,
    offline_environment,
    section_commands,
    trio_spotify_command,
)

TUTORIAL = ROOT / "docs" / "tutorial.md"
_FIGURE = re.compile(
    r"(?<![\d.,])(?P<count>\d[\d,]*) (?P<what>items?|requests?|rate-limited|retr|errors?)"
)


def figures(summary: str) -> dict[str, int]:
    """`{"item": 1313, "request": 55, "rate-limited": 1, "retr": 1, "error": 0}` of a
    `done:` or `interrupted:` line."""
    return {
        m["what"].rstrip("s") if m["what"] != "rate-limited" else m["what"]: int(
            m["count"].replace(",", "")
        )
        for m in _FIGURE.finditer(summary)
    }


def shown_summary(heading: str, start: str) -> str:
    """The output line starting with `start` that the page shows under `heading`."""
    return next(
        line
        for block in blocks(TUTORIAL)
        if block.language == "text" and block.heading == heading
        for line in block.code.splitlines()
        if line.startswith(start)
    )


def run(command: str, directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*trio_spotify_command(), *shlex.split(command)[1:]],
        cwd=directory,
        env=offline_environment(directory),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def records(path: Path) -> list[tuple[str, str]]:
    """The keys of a JSON Lines file, checking that it ends with a whole line."""
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n"), "the last line is cut off"
    return [(r["kind"], r["id"]) for r in map(json.loads, text.splitlines())]


def test_figures_reads_a_summary() -> None:
    line = "done: 1,313 items, 55 requests, 1 rate-limited, 1 retry, 0 errors, 25.3 items/s, 5.2 s"
    assert figures(line) == {"item": 1313, "request": 55, "rate-limited": 1, "retr": 1, "error": 0}
    assert figures("done: 330 items (1 already there), 8 requests")["item"] == 330


def test_the_rate_limit_demo_meets_429s_and_loses_nothing(tmp_path: Path) -> None:
    heading = "Rate limits, rehearsed"
    [command] = section_commands(TUTORIAL, heading)
    assert "--emulator-rate-limit" in command
    shown = figures(shown_summary(heading, "done:"))
    result = run(command, tmp_path)
    assert result.returncode == 0, result.stderr
    summary = figures(next(ln for ln in result.stderr.splitlines() if ln.startswith("done:")))
    # The 429s the page promises appear in the summary, and every one was retried.
    assert summary["rate-limited"] >= 1, result.stderr
    assert summary["retr"] >= summary["rate-limited"]
    assert summary["error"] == 0
    # Nothing lost: the records the page shows, each once, in the file.
    keys = records(tmp_path / "limited.jsonl")
    assert len(keys) == len(set(keys)) == summary["item"] == shown["item"]
    assert summary["request"] - summary["rate-limited"] == shown["request"] - shown["rate-limited"]
    # The rate was learned: the crawl does not keep meeting the limit.
    assert summary["rate-limited"] <= 3, result.stderr


def test_the_interrupt_demo_stops_on_ctrl_c_and_resumes(tmp_path: Path) -> None:
    heading = "Interrupt it, resume it"
    slow, resume = section_commands(TUTORIAL, heading)
    assert "--resume" in resume
    assert "--resume" not in slow
    argv = shlex.split(slow)
    output = tmp_path / argv[argv.index("-o") + 1]
    playlist = argv[argv.index("playlist") + 1]
    # Long enough for a person to press Ctrl-C, by construction rather than by a clock: one
    # request at a time, each answered `latency` late; the playlist and 10 pages of items.
    latency = float(argv[argv.index("--emulator-latency") + 1])
    concurrency = int(argv[argv.index("-c") + 1])
    assert latency * 11 / concurrency >= 5, "the demo ends before a person can press Ctrl-C"
    process = subprocess.Popen(
        [*trio_spotify_command(), *argv[1:]],
        cwd=tmp_path,
        env=offline_environment(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        # The first lines are written, and the crawl is still running: time to press Ctrl-C.
        while not (output.exists() and b"\n" in output.read_bytes()):
            assert process.poll() is None, "the demo ended before it could be interrupted"
            assert time.monotonic() < deadline, "the demo wrote nothing within 60 s"
            time.sleep(0.05)
        assert process.poll() is None, "the demo ended before it could be interrupted"
        process.send_signal(signal.SIGINT)
        _, errors = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, errors
    summary = [line for line in errors.splitlines() if line.startswith("interrupted:")]
    assert len(summary) == 1, errors
    assert "every line of slow.jsonl is whole: add --resume to continue" in errors
    kept = records(output)
    assert kept
    assert len(kept) == len(set(kept)) == figures(summary[0])["item"]

    result = run(resume, tmp_path)
    assert result.returncode == 0, result.stderr
    assert re.search(rf"resuming: {len(kept)} records? already in slow.jsonl", result.stderr)
    keys = records(output)
    assert keys[: len(kept)] == kept  # the interrupted run's lines are kept as they were
    # Every record of the playlist and its 480 items exactly once, as the page says.
    expected = {("playlist", playlist)} | {("playlist_item", f"{playlist}/{p}") for p in range(480)}
    assert len(keys) == len(set(keys)) == len(expected)
    assert set(keys) == expected
