"""`python -m trio_spotify login` as a real process, against the emulator on loopback.

- `--no-browser`: the command prints the authorize URL, the "user" opens it (the emulator
  consents) and pastes the address it was redirected to into the process's standard input;
  the token lands in the token file under $XDG_CONFIG_HOME with mode 0600.
- Ctrl-C (SIGINT) while waiting for the redirect: the process exits with status 130 and
  the listener's port is closed.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import trio

from trio_spotify.testing import SpotifyEmulator, open_emulator_server

pytestmark = [
    pytest.mark.loopback,
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and modes"),
]

TIMEOUT = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def is_listening(port: int) -> bool:
    try:
        stream = await trio.open_tcp_stream("127.0.0.1", port)
    except OSError:
        return False
    await stream.aclose()
    return True


class Output:
    """Collects a process's standard error and lets a test wait for some text in it."""

    def __init__(self) -> None:
        self.text = ""
        self._changed = trio.Event()

    async def pump(self, stream: trio.abc.ReceiveStream) -> None:
        async for chunk in stream:
            self.text += chunk.decode()
            self._changed.set()
            self._changed = trio.Event()

    async def wait_for(self, needle: str) -> None:
        while needle not in self.text:
            await self._changed.wait()


def environment(tmp_path: Path, client_id: str, redirect: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SPOTIFY_")}
    env.update(
        SPOTIFY_CLIENT_ID=client_id,
        SPOTIFY_REDIRECT_URI=redirect,
        XDG_CONFIG_HOME=str(tmp_path),
        BROWSER="true",  # webbrowser.open runs `true URL`: no real browser in tests
        PYTHONUNBUFFERED="1",
    )
    return env


async def test_no_browser_login_in_a_real_process(tmp_path: Path) -> None:
    emulator = SpotifyEmulator()
    with trio.fail_after(TIMEOUT):
        async with open_emulator_server(emulator) as base_url:
            env = environment(tmp_path, emulator.client_id, "http://127.0.0.1:8888/callback")
            process = await trio.lowlevel.open_process(
                [
                    sys.executable,
                    "-m",
                    "trio_spotify",
                    "login",
                    "--no-browser",
                    "--scope",
                    "user-read-private",
                    "--accounts-url",
                    base_url,
                ],
                stdin=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
            )
            assert process.stdin is not None
            assert process.stderr is not None
            output = Output()
            async with trio.open_nursery() as nursery:
                nursery.start_soon(output.pump, process.stderr)
                await output.wait_for("paste it here")
                url = next(w for w in output.text.split() if w.startswith(base_url + "/authorize"))
                async with httpx.AsyncClient(trust_env=False) as browser:
                    response = await browser.get(url)
                assert response.status_code == 302
                await process.stdin.send_all(response.headers["location"].encode() + b"\n")
                await process.stdin.aclose()
                code = await process.wait()
    assert code == 0, output.text
    assert "Granted scopes: user-read-private" in output.text
    path = tmp_path / "trio-spotify" / "tokens.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    tokens = json.loads(path.read_text())["tokens"]
    assert list(tokens) == [f"{emulator.client_id}/default"]
    assert tokens[f"{emulator.client_id}/default"]["scope"] == "user-read-private"
    assert emulator.counters.tokens_by_grant["authorization_code"] == 1
    # Nothing secret was printed.
    entry = tokens[f"{emulator.client_id}/default"]
    for secret in (entry["access_token"], entry["refresh_token"]):
        assert secret not in output.text


async def test_ctrl_c_while_waiting_closes_the_listener(tmp_path: Path) -> None:
    port = free_port()
    env = environment(tmp_path, "0123456789abcdef", f"http://127.0.0.1:{port}/callback")
    with trio.fail_after(TIMEOUT):
        process = await trio.lowlevel.open_process(
            [sys.executable, "-m", "trio_spotify", "login", "--scope", "user-read-private"],
            stdin=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        )
        assert process.stderr is not None
        output = Output()
        async with trio.open_nursery() as nursery:
            nursery.start_soon(output.pump, process.stderr)
            await output.wait_for("visit:")
            assert await is_listening(port)
            process.send_signal(signal.SIGINT)
            code = await process.wait()
    assert code == 130, output.text
    assert "sign-in cancelled" in output.text
    assert "Traceback" not in output.text
    assert not await is_listening(port)
    assert not (tmp_path / "trio-spotify" / "tokens.json").exists()


async def test_ctrl_c_while_waiting_for_a_paste(tmp_path: Path) -> None:
    env = environment(tmp_path, "0123456789abcdef", "http://127.0.0.1:8888/callback")
    with trio.fail_after(TIMEOUT):
        process = await trio.lowlevel.open_process(
            [sys.executable, "-m", "trio_spotify", "login", "--no-browser"],
            stdin=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        assert process.stderr is not None
        assert process.stdin is not None
        output = Output()
        async with trio.open_nursery() as nursery:
            nursery.start_soon(output.pump, process.stderr)
            await output.wait_for("paste it here")
            process.send_signal(signal.SIGINT)
            code = await process.wait()
        await process.stdin.aclose()
    assert code == 130, output.text
    assert "sign-in cancelled" in output.text
    assert "Traceback" not in output.text
