"""The benchmark scripts still run: each, with its smallest settings, in a subprocess.

No figure is asserted (timings belong to the benchmarks, not the tests): only that the
script exits 0 and prints its result lines. ``bench_crawl`` also checks, and fails on, a
crawl that errs or writes other records than its sequential baseline. ``bench_core`` serves
a stand-in Web API on loopback in a child process (real sockets, real clock).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.mark.parametrize(
    ("script", "argv", "expected"),
    [
        ("bench_crawl.py", ["--artists", "1", "--latency", "0"], ["speed-up:", "sequential"]),
        (
            "bench_core.py",
            [
                "--requests",
                "20",
                "--rounds",
                "1",
                "--rate",
                "10",
                "--rate-window",
                "0.2",
                "--rate-requests",
                "20",
            ],
            ["in flight  1:", "in flight 64:", "completed in"],
        ),
        (
            "bench_ratelimit.py",
            ["--requests", "30", "--setting", "10/1", "--latency", "0", "--no-targets"],
            ["before (learn_rate=False)", "after (learning)", "after / before:"],
        ),
    ],
)
def test_benchmark_runs(script: str, argv: list[str], expected: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *argv],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "error"},
    )
    assert done.returncode == 0, done.stderr
    for text in expected:
        assert text in done.stdout, done.stdout
