"""`trio-spotify emulator`: options out of range are refused in one line (exit 2), a busy
port or an unknown host is reported in one line (exit 1), and `--artists N` sizes the
catalog."""

from __future__ import annotations

import contextlib
import gc
import socket
import warnings
from collections.abc import AsyncIterator
from typing import Any

import pytest

import trio_spotify.testing
from trio_spotify._cli import main
from trio_spotify.testing import SpotifyEmulator


@contextlib.asynccontextmanager
async def _refusing_server(emulator: SpotifyEmulator, **kwargs: Any) -> AsyncIterator[str]:
    raise OSError("the options were accepted")
    yield ""  # pragma: no cover


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["--token-lifetime", "0"], "--token-lifetime"),
        (["--token-lifetime", "-5"], "--token-lifetime"),
        (["--token-lifetime", "nan"], "--token-lifetime"),
        (["--window", "-1"], "--window"),
        (["--window", "0"], "--window"),
        (["--window", "inf"], "--window"),
        (["--latency", "-1"], "--latency"),
        (["--latency", "nan"], "--latency"),
        (["--rate-limit", "-3"], "--rate-limit"),
        (["--artists", "0"], "--artists"),
        (["--port", "70000"], "port"),
    ],
)
def test_an_out_of_range_option_is_one_line_and_exit_2(
    argv: list[str], named: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Should an option be accepted, fail instead of serving until interrupted.
    monkeypatch.setattr(trio_spotify.testing, "open_emulator_server", _refusing_server)
    assert main(["emulator", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("trio-spotify emulator: ")
    assert named in lines[0]


def _main_leaking_hypercorns_socket(argv: list[str]) -> int:
    """`main(argv)`; hypercorn leaks its unbound socket when `bind` fails (not ours)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        code = main(argv)
        gc.collect()
    return code


def test_a_busy_port_is_one_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert _main_leaking_hypercorns_socket(["emulator", "--port", str(port)]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"trio-spotify emulator: cannot serve on 127.0.0.1:{port}: ")


def test_an_unknown_host_is_one_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["emulator", "--host", "no-such-host.invalid", "--port", "0"]
    assert _main_leaking_hypercorns_socket(argv) == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("trio-spotify emulator: cannot serve on no-such-host.invalid:0: ")


def test_artists_sets_the_catalog_size(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[SpotifyEmulator] = []

    @contextlib.asynccontextmanager
    async def fake_server(emulator: SpotifyEmulator, **kwargs: Any) -> AsyncIterator[str]:
        seen.append(emulator)
        raise OSError("stopped by the test")
        yield ""  # pragma: no cover

    monkeypatch.setattr(trio_spotify.testing, "open_emulator_server", fake_server)
    assert main(["emulator", "--artists", "7", "--port", "0"]) == 1
    assert "stopped by the test" in capsys.readouterr().err
    [emulator] = seen
    assert len(emulator.catalog.artist_albums(6)) > 0
    assert emulator.catalog.size.artists == 7
