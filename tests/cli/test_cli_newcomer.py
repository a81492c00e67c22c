"""The command line as a new user meets it: each rough edge found by trying it, pinned.

A full disk stops the crawl in one line with every line whole; `login` works with only
the app's ID and secret (the same redirect default as `crawl`); `--api-url` and
`--accounts-url` are documented; `--resume` refuses another crawl's file and sends
nothing for a completed one; `-o somedir` says it is a directory; a refused crawl leaves
no empty file; the rich spinner moves; `--version`; "1 request", not "1 requests"; a
transient accounts-service failure is retried by the crawler, not fatal.
"""

from __future__ import annotations

import errno
import io
import json
import os
import re
import sys
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
import trio
import trio.lowlevel
from helpers.cli import artist_id, crawl, emulator, parse_jsonl

from trio_spotify import AuthenticationError, InvalidGrantError
from trio_spotify._cli import build_parser, main
from trio_spotify._cli import login as login_cli
from trio_spotify._cli._crawler import Crawler, Job
from trio_spotify._cli._defaults import DEFAULT_REDIRECT_URI
from trio_spotify._cli._jsonl import JsonlWriter, OutputError
from trio_spotify._cli._progress import PlainReporter, RichReporter, Snapshot, format_figures
from trio_spotify.testing import open_emulator_client

# -- a full disk ------------------------------------------------------------------------------


class _SmallDisk(io.RawIOBase):
    """A seekable file that holds `capacity` bytes: a write past it stores what fits (as
    a real file system does) and the next one fails with ENOSPC."""

    def __init__(self, capacity: int) -> None:
        self.data = bytearray()
        self.capacity = capacity
        self.position = 0

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = 0) -> int:
        self.position = offset
        return offset

    def truncate(self, size: int | None = None) -> int:
        size = self.position if size is None else size
        del self.data[size:]
        return size

    def write(self, data: Any) -> int:
        room = self.capacity - len(self.data)
        if room <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        taken = bytes(data[:room])
        self.data += taken
        self.position = len(self.data)
        return len(taken)


def test_a_line_cut_by_a_full_disk_is_removed_again() -> None:
    record = {"kind": "track", "id": "a", "context": None, "data": {"name": "x" * 40}}
    size = len(json.dumps(record, separators=(",", ":"))) + 1
    disk = _SmallDisk(capacity=2 * size + size // 2)
    writer = JsonlWriter(disk, name="small.jsonl")  # type: ignore[arg-type]
    assert writer.write(record)
    assert writer.write({**record, "id": "b"})
    with pytest.raises(
        OutputError, match=re.escape("cannot write small.jsonl: No space left on device")
    ):
        writer.write({**record, "id": "c"})  # half of this line fits
    assert bytes(disk.data).endswith(b"\n")
    assert len(parse_jsonl(bytes(disk.data))) == 2
    assert writer.written == 2
    assert "track:c" not in writer


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
async def test_dev_full_stops_in_one_line_without_a_traceback() -> None:
    emu = emulator()
    result = await crawl("--emulator", "-o", "/dev/full", "artist", artist_id(emu, 0), emu=emu)
    assert result.code == 1
    lines = result.err.splitlines()
    assert lines[0] == "error: cannot write /dev/full: No space left on device; stopping"
    assert [line.split(":")[0] for line in lines] == ["error", "stopped", "note"]
    assert "--resume" in lines[-1]
    assert "Traceback" not in result.err


def test_dev_full_in_a_real_process() -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("needs /dev/full")
    import subprocess

    catalog = emulator().catalog
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "trio_spotify",
            "crawl",
            "--emulator",
            "-o",
            "/dev/full",
            "--progress",
            "plain",
            "artist",
            catalog.id_of(1, 0),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "Exception" not in proc.stderr
    assert "No space left on device; stopping" in proc.stderr


# -- sign-in defaults -------------------------------------------------------------------------


async def test_login_with_only_the_apps_id_and_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SPOTIFY_CLIENT_ID", "a" * 32)
    monkeypatch.setenv("SPOTIFY_CLIENT_SECRET", "b" * 32)
    monkeypatch.delenv("SPOTIFY_REDIRECT_URI", raising=False)
    args = build_parser().parse_args(
        ["login", "--no-browser", "--token-file", str(tmp_path / "t.json"), "--timeout", "5"]
    )
    said: list[str] = []

    async def paste() -> str:
        await trio.lowlevel.checkpoint()
        return "http://127.0.0.1:8888/callback?error=access_denied&state=x"

    code = await login_cli.run(args, read_line=paste, echo=said.append, open_browser=None)
    assert code == 1  # the pasted refusal, not "SPOTIFY_REDIRECT_URI is not set" (exit 2)
    text = "\n".join(said)
    assert "SPOTIFY_REDIRECT_URI" not in text
    url = next(word for word in text.split() if word.startswith("https://accounts"))
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query["redirect_uri"] == [DEFAULT_REDIRECT_URI]


def test_login_and_crawl_document_the_same_redirect_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["login", "--help"])
    assert DEFAULT_REDIRECT_URI in capsys.readouterr().out.replace("\n", "")


def test_api_and_accounts_urls_are_documented(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["crawl", "--help"])
    text = capsys.readouterr().out
    assert "--api-url URL" in text
    assert "--accounts-url URL" in text
    assert "trio-spotify emulator" in " ".join(text.split())


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from trio_spotify import __version__

    with pytest.raises(SystemExit) as exit:
        main(["--version"])
    assert exit.value.code == 0
    assert capsys.readouterr().out.strip() == f"trio-spotify {__version__}"


# -- output files -----------------------------------------------------------------------------


async def test_a_directory_as_output_says_so(tmp_path: Path) -> None:
    result = await crawl("--emulator", "-o", str(tmp_path), "followed", emu=emulator())
    assert result.code == 2
    assert result.err.strip() == (
        f"trio-spotify crawl: error: -o {tmp_path} is a directory: give a file name inside it"
    )


async def test_missing_credentials_create_no_output_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SPOTIFY_CLIENT_ID", raising=False)
    monkeypatch.delenv("SPOTIFY_CLIENT_SECRET", raising=False)
    out = tmp_path / "out.jsonl"
    result = await crawl("-o", str(out), "artist", "4aawyAB9vmqN3uQ7FjRGTy")
    assert result.code == 2
    assert not out.exists()
    sidecar = tmp_path / "out.jsonl.crawl.json"
    assert not sidecar.exists()


async def test_resume_refuses_another_crawls_file(tmp_path: Path) -> None:
    emu = emulator()
    out = tmp_path / "out.jsonl"
    first = await crawl("--emulator", "-o", str(out), "artist", artist_id(emu, 0), emu=emu)
    assert first.code == 0
    before = out.read_bytes()
    other = await crawl(
        "--emulator", "-o", str(out), "--resume", "artist", artist_id(emu, 1), emu=emu
    )
    assert other.code == 2
    assert f"is a crawl of 'artist {artist_id(emu, 0)}'" in other.err
    assert out.read_bytes() == before


async def test_resume_of_a_complete_file_sends_nothing(tmp_path: Path) -> None:
    emu = emulator()
    out = tmp_path / "out.jsonl"
    first = await crawl("--emulator", "-o", str(out), "artist", artist_id(emu, 2), emu=emu)
    assert first.code == 0
    before, sent = out.read_bytes(), emu.counters.total_requests
    again = await crawl(
        "--emulator", "-o", str(out), "--resume", "artist", artist_id(emu, 2), emu=emu
    )
    assert again.code == 0
    assert emu.counters.total_requests == sent  # not one request
    assert "nothing to do" in again.err
    assert out.read_bytes() == before


# -- what the progress shows ------------------------------------------------------------------


def test_one_request_is_not_one_requests() -> None:
    line = format_figures(Snapshot(1, 0, 1, 1, 0, 1, 1.0))
    assert line.startswith("1 item, 1 request, 0 rate-limited, 1 retry, 1 error, ")
    assert "2 items, 2 requests" in format_figures(Snapshot(2, 0, 0, 2, 0, 0, 1.0))


def test_the_rich_spinner_moves() -> None:
    pytest.importorskip("rich")
    reporter = RichReporter(io.StringIO(), title="crawl")
    snapshot = Snapshot(1, 0, 0, 1, 0, 0, 1.0)
    frames = set()
    for step in range(4):
        spinner = reporter._render(snapshot)  # what the live line redraws, every 0.25 s
        frames.add(str(spinner.render(step * 0.25)))
    assert len(frames) > 1, "every redraw shows the spinner's first frame"


# -- a transient accounts-service failure -----------------------------------------------------


async def test_a_transient_accounts_failure_is_retried_not_fatal(autojump_clock: Any) -> None:
    emu = emulator()
    failures = [AuthenticationError("refused", "server_error", None, 503)] * 3
    runs = 0

    async def item() -> None:
        nonlocal runs
        runs += 1
        await trio.lowlevel.checkpoint()
        if failures:
            raise failures.pop()

    async with open_emulator_client(emu) as spotify:
        crawler = Crawler(
            spotify, JsonlWriter(io.BytesIO()), PlainReporter(io.StringIO()), retry_backoff=1.0
        )
        start = trio.current_time()
        await crawler.crawl([Job("an item", item)])
        assert crawler.fatal is None
        assert crawler.errors == 0
        assert runs == 4
        assert crawler.retried == 3
        assert trio.current_time() - start == pytest.approx(1 + 2 + 4)  # backing off

        refused = Crawler(spotify, JsonlWriter(io.BytesIO()), PlainReporter(io.StringIO()))

        async def revoked() -> None:
            await trio.lowlevel.checkpoint()
            raise InvalidGrantError("refused", "invalid_grant", None, 400)

        await refused.crawl([Job("an item", revoked)])
        assert isinstance(refused.fatal, InvalidGrantError)  # no retry changes that
        assert refused.retried == 0
