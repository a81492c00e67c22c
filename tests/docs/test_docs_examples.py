"""Every code example in README.md and docs/*.md runs, against the emulator.

The convention (also in docs/index.md, "Examples in these pages run"):

- Every fenced ``python`` block of a page runs, in order, in one namespace per page (a
  later block may use what an earlier one defined), against one fresh
  :class:`~trio_spotify.testing.SpotifyEmulator` per page (seed 0, default catalog).
- The environment is the emulator's: ``SPOTIFY_CLIENT_ID`` / ``SPOTIFY_CLIENT_SECRET`` are its
  app's credentials, ``SPOTIFY_REDIRECT_URI`` is ``http://127.0.0.1:8888/callback``, and
  ``trio_spotify.open_spotify(...)`` called without a ``transport`` reaches the emulator. So
  an example written for the real Spotify (``ClientCredentials.from_env()``) runs unchanged.
  ``trio_spotify.login(flow)`` signs the emulator's user in through its real loopback
  listener, with a fake browser that consents at once (no real browser opens).
  ``HOME``, ``XDG_CONFIG_HOME`` and the working directory are a temporary directory.
- A block may use top-level ``await`` / ``async with`` / ``async for``: it then runs in its
  own ``trio.run`` (bounded by 60 s) where ``spotify`` is a client of the page's emulator,
  signed in as its user with every scope.
- Predefined names, IDs from the emulator's catalog: ``emulator``, ``artist_id``,
  ``album_id``, ``track_id``, ``track_ids`` (five), ``playlist_id`` (480 items), ``show_id``,
  ``episode_id``, ``audiobook_id``, ``user_id``. Examples that name objects use these or
  the same literal IDs (the emulator does not know real Spotify IDs).
- ``<!-- docs-test: skip REASON -->`` on the line before a fence skips that block — only for
  what truly needs a browser, a person or a real account. A fence in another language
  (``text``, ``console``, ``sh``) is not run as Python.
- In ``sh`` / ``console`` blocks, every line that starts with ``trio-spotify crawl --emulator``
  (or ``$ trio-spotify crawl --emulator``) is run with this installation's command and must
  exit 0 (and leave a valid JSON Lines file when it names one with ``-o``).

Warnings are errors here, as in the whole suite: an example that calls a deprecated
operation must say so (``warnings.catch_warnings``), as a user would have to.
"""

from __future__ import annotations

import ast
import inspect
import json
import linecache
import os
import re
import shlex
import shutil
import subprocess
import sys
import webbrowser
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio
from helpers.docs import PAGES, ROOT, Block, blocks, python_blocks
from helpers.emulator import Browser

import trio_spotify
from trio_spotify.testing import SpotifyEmulator

_CRAWL = re.compile(r"^(?:\$\s+)?trio-spotify\s+crawl\s+.*--emulator\b")


def predefined(emulator: SpotifyEmulator) -> dict[str, Any]:
    catalog = emulator.catalog
    return {
        "emulator": emulator,
        "artist_id": catalog.id_of(1, 0),
        "album_id": catalog.id_of(2, 0),
        "track_id": catalog.id_of(3, 0),
        "track_ids": [catalog.id_of(3, t) for t in range(5)],
        "playlist_id": catalog.id_of(8, 1),
        "show_id": catalog.id_of(4, 0),
        "episode_id": catalog.id_of(5, 0),
        "audiobook_id": catalog.id_of(6, 0),
        "user_id": catalog.user_id(0),
    }


@pytest.fixture
def docs_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SpotifyEmulator:
    emulator = SpotifyEmulator()
    monkeypatch.setenv("SPOTIFY_CLIENT_ID", emulator.client_id)
    monkeypatch.setenv("SPOTIFY_CLIENT_SECRET", emulator.client_secret)
    monkeypatch.setenv("SPOTIFY_REDIRECT_URI", "http://127.0.0.1:8888/callback")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    monkeypatch.chdir(tmp_path)
    real_open_spotify = trio_spotify.open_spotify

    def open_spotify(auth: Any, **kwargs: Any) -> Any:
        if kwargs.get("transport") is None:
            kwargs["transport"] = httpx.ASGITransport(app=emulator.app)
        return real_open_spotify(auth, **kwargs)

    monkeypatch.setattr(trio_spotify, "open_spotify", open_spotify)

    # ``trio_spotify.login(flow)`` signs the emulator's user in for real: it listens on the
    # loopback redirect URI and "the browser" is the emulator-driven fake of the sign-in
    # tests (it follows /authorize in-process, then the redirect to the listener); the code
    # exchange reaches the emulator. A real browser is never opened.
    real_login = trio_spotify.login

    async def login(flow: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("open_browser", Browser(emulator))
        kwargs.setdefault("transport", httpx.ASGITransport(app=emulator.app))
        kwargs.setdefault("echo", lambda _: None)
        return await real_login(flow, **kwargs)

    def no_browser(url: str, *args: Any, **kwargs: Any) -> bool:
        raise AssertionError(f"a docs example opened a real browser on {url}")

    monkeypatch.setattr(trio_spotify, "login", login)
    monkeypatch.setattr(webbrowser, "open", no_browser)
    return emulator


def run_block(block: Block, namespace: dict[str, Any], emulator: SpotifyEmulator) -> None:
    filename = f"<{block.name}>"
    # Line numbers in tracebacks point into the page.
    source = "\n" * (block.line - 1) + block.code
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    code = compile(source, filename, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    if not code.co_flags & inspect.CO_COROUTINE:
        exec(code, namespace)
        return

    async def main() -> None:
        async with trio_spotify.open_spotify(
            emulator.user_auth(), transport=httpx.ASGITransport(app=emulator.app)
        ) as spotify:
            namespace["spotify"] = spotify
            with trio.fail_after(60):
                await eval(code, namespace)

    trio.run(main)


@pytest.mark.parametrize(
    "page", [p for p in PAGES if python_blocks(p)], ids=lambda p: str(p.relative_to(ROOT))
)
def test_python_examples_run(page: Path, docs_environment: SpotifyEmulator) -> None:
    namespace: dict[str, Any] = {"__name__": "__docs_example__", **predefined(docs_environment)}
    ran = 0
    for block in python_blocks(page):
        if block.skip is not None:
            continue
        run_block(block, namespace, docs_environment)
        ran += 1
    assert ran, f"every example of {page.name} is skipped"


def crawl_commands() -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        for block in blocks(page):
            if block.language not in ("sh", "shell", "bash", "console") or block.skip:
                continue
            for offset, line in enumerate(block.code.splitlines()):
                if _CRAWL.match(line.strip()):
                    found.append(
                        (
                            f"{block.page.relative_to(ROOT)}:{block.line + offset}",
                            line.strip().removeprefix("$").strip(),
                        )
                    )
    return found


def _program() -> list[str]:
    script = shutil.which("trio-spotify", path=os.path.dirname(sys.executable))
    return [script] if script else [sys.executable, "-m", "trio_spotify"]


@pytest.mark.parametrize(("where", "command"), crawl_commands(), ids=lambda v: str(v))
def test_crawl_commands_in_the_docs_run(where: str, command: str, tmp_path: Path) -> None:
    argv = shlex.split(command)
    assert not {"|", ">", "&&", ";"} & set(argv), f"{where}: keep crawl examples plain"
    result = subprocess.run(
        [*_program(), *argv[1:]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"{where}: {command}\n{result.stderr}"
    if "-o" in argv:
        output = tmp_path / argv[argv.index("-o") + 1]
        lines = output.read_text(encoding="utf-8").splitlines()
    else:
        lines = result.stdout.splitlines()
    assert lines, f"{where}: the crawl wrote nothing"
    for line in lines:
        assert {"kind", "id", "context", "data"} <= json.loads(line).keys()


def test_the_readme_has_the_main_command_and_the_set_up() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    set_up = readme.split("## Set up", 1)[1]
    block = next(b for b in blocks(ROOT / "README.md") if b.language == "sh")
    assert block.code.split("\n")[:2] == ['pip install -e ".[dev]"', "pytest"]
    assert block.code.strip() in set_up
    assert any(where.startswith("README.md") for where, _ in crawl_commands())


def test_the_readme_emulator_example_runs_as_printed(tmp_path: Path) -> None:
    """The README's offline example runs with `python file.py`, with nothing injected."""
    block = next(
        b
        for b in python_blocks(ROOT / "README.md")
        if "open_emulator_client(SpotifyEmulator())" in b.code
    )
    script = tmp_path / "example.py"
    script.write_text(block.code, encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SPOTIFY_")}
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) >= 2
    assert [line.split(" ", 1)[0] for line in lines] == [str(n) for n in range(1, len(lines) + 1)]
