"""Benchmark: hydrating 100,000 distinct track IDs from a file, `kill -9`, `--resume`.

`trio-spotify crawl --emulator --emulator-artists 450 tracks --from ids.txt` runs as a
child process (the in-process emulator, real clock); the script measures each child's
peak resident memory (`ru_maxrss` from `os.wait4`) and checks its output:

- **full**: `--ids` (100,000) distinct IDs: the requests sent (the table's batch of 50:
  `ids / 50` = 2,000), each ID's record exactly once, the peak memory;
- **quarter**: a quarter as many distinct IDs: with **full**, the memory per distinct ID
  (the slope) — far less than a record's size, since records are written, not kept;
- **repeated**: the full IDs listed twice (the second time as `spotify:` URIs): twice
  the input, the same distinct IDs and records: the same peak as **full** (memory grows
  with distinct IDs, not with the size of the input);
- **killed + resumed**: the full run killed with `SIGKILL` when a third of the lines is
  written, then `--resume`: no duplicate and no missing line, the same records as **full**.

Prints the figures side by side and the ratios. Run: `python benchmarks/bench_hydrate.py`
(about a minute; `--ids 20000` for a quick run).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from trio_spotify.testing import CatalogSize, SpotifyEmulator


def command(artists: int, source: Path, out: Path, *options: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "trio_spotify",
        "crawl",
        "--emulator",
        "--emulator-artists",
        str(artists),
        "--progress",
        "none",
        "-o",
        str(out),
        *options,
        "tracks",
        "--from",
        str(source),
    ]


#: A tiny launcher measuring its child: Linux keeps a process's peak memory across `exec`,
#: so a child forked by this (big) script would inherit the script's own peak.
_LAUNCHER = (
    "import os, subprocess, sys\n"
    "p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
    "print(p.pid, flush=True)\n"
    "_, status, usage = os.wait4(p.pid, 0)\n"
    "print(os.waitstatus_to_exitcode(status), usage.ru_maxrss, flush=True)\n"
)


def run(argv: list[str], *, kill_at: int | None = None, out: Path | None = None) -> dict[str, Any]:
    """Run a child; its exit status, peak memory (MB), seconds and requests sent."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", _LAUNCHER, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    pid = int(proc.stdout.readline())
    if kill_at is not None:
        assert out is not None
        while proc.poll() is None:
            if out.exists() and count_lines(out) >= kill_at:
                os.kill(pid, signal.SIGKILL)
                break
            time.sleep(0.05)
    stdout, err = proc.communicate()
    code, maxrss = (int(word) for word in stdout.split())
    seconds = time.perf_counter() - start
    found = re.search(r"([\d,]+) requests?,", err.splitlines()[-1]) if err.strip() else None
    rss = maxrss / 1024 if sys.platform != "darwin" else maxrss / 1024 / 1024
    return {
        "code": code,
        "rss": rss,
        "seconds": seconds,
        "requests": int(found.group(1).replace(",", "")) if found else -1,
        "err": err,
    }


def count_lines(path: Path) -> int:
    with open(path, "rb") as file:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: file.read(1 << 20), b""))


def read_ids(path: Path) -> dict[str, int]:
    """Each ID's line (as a hash: this script stays small), checking that none is partial
    and none repeated."""
    lines: dict[str, int] = {}
    with open(path, "rb") as file:
        for raw in file:
            assert raw.endswith(b"\n"), "a partial line"
            ident = json.loads(raw)["id"]
            assert ident not in lines, f"{ident} twice"
            lines[ident] = hash(raw)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ids", type=int, default=100_000, help="distinct track IDs")
    parser.add_argument("--artists", type=int, default=450, help="the emulator's artists")
    opts = parser.parse_args()

    catalog = SpotifyEmulator(catalog_size=CatalogSize(artists=opts.artists)).catalog
    ids = []
    for index in catalog.all_tracks():
        ids.append(catalog.id_of(3, index))
        if len(ids) == opts.ids:
            break
    if len(ids) < opts.ids:
        sys.exit(f"the catalog of {opts.artists} artists has only {len(ids)} tracks")

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        full_in, quarter_in, twice_in = work / "full.txt", work / "quarter.txt", work / "twice.txt"
        full_in.write_text("\n".join(ids) + "\n")
        quarter_in.write_text("\n".join(ids[: opts.ids // 4]) + "\n")
        twice_in.write_text(
            "\n".join(ids) + "\n" + "\n".join(f"spotify:track:{i}" for i in ids) + "\n"
        )
        results = {}
        for name, source in (("full", full_in), ("quarter", quarter_in), ("repeated", twice_in)):
            out = work / f"{name}.jsonl"
            results[name] = run(command(opts.artists, source, out))
            assert results[name]["code"] == 0, results[name]["err"]
            got = read_ids(out)
            expected = ids if name != "quarter" else ids[: opts.ids // 4]
            assert set(got) == set(expected), f"{name}: missing or extra IDs"
        full_records = read_ids(work / "full.jsonl")
        written = (work / "full.jsonl").stat().st_size

        killed_out = work / "killed.jsonl"
        killed = run(
            command(opts.artists, full_in, killed_out), kill_at=opts.ids // 3, out=killed_out
        )
        kept = count_lines(killed_out)
        resumed = run(command(opts.artists, full_in, killed_out, "--resume"))
        assert resumed["code"] == 0, resumed["err"]
        assert read_ids(killed_out) == full_records, "the resumed file differs from a full run"

    batch = 50
    print(f"hydrating {opts.ids:,} distinct track IDs ({opts.artists} emulator artists)")
    print(f"{'run':<22}{'lines in':>12}{'requests':>10}{'peak MB':>10}{'seconds':>10}")
    rows = [
        ("full", opts.ids, results["full"]),
        ("quarter", opts.ids // 4, results["quarter"]),
        ("repeated", 2 * opts.ids, results["repeated"]),
        (f"killed ({kept:,} kept)", opts.ids, killed),
        ("resumed", opts.ids, resumed),
    ]
    for name, lines, r in rows:
        print(f"{name:<22}{lines:>12,}{r['requests']:>10,}{r['rss']:>10.1f}{r['seconds']:>10.1f}")
    full, quarter, repeated = results["full"], results["quarter"], results["repeated"]
    slope = (full["rss"] - quarter["rss"]) * 1024 * 1024 / (opts.ids - opts.ids // 4)
    size = written / len(full_records)
    print(f"requests of the full run: {full['requests']:,} (IDs / {batch} = {opts.ids // batch:,})")
    print("each ID's record exactly once: yes (full, repeated, killed + resumed)")
    print(f"peak memory, full run: {full['rss']:.1f} MB (target < 150 MB)")
    print(
        f"memory per distinct ID: {slope:,.0f} bytes; a record is {size:,.0f} bytes "
        f"({slope / size:.2f}x; {written / 1e6:.0f} MB of records written)"
    )
    print(f"repeated / full peak (twice the input, same IDs): {repeated['rss'] / full['rss']:.2f}x")


if __name__ == "__main__":
    main()
