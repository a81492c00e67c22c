"""Every code example in README.md and docs/*.md runs as printed, or says it is a fragment.

The convention (also in docs/index.md, "Examples in these pages run"):

- A fenced ``python`` block is either a **complete program** or a **fragment**. A complete
  program runs offline as printed: it is written to a file and run with ``python file.py``
  in a fresh process (working and home directories temporary, no ``SPOTIFY_*`` variable,
  connections beyond loopback refused), nothing injected, and must exit 0. Programs reach
  Spotify through the emulator (``trio_spotify.testing``).
- A fragment's **first line** is a comment starting ``# Fragment:`` that says what it
  assumes (``# Fragment: inside an async function, with `spotify` open``). It is compiled
  (top-level ``await`` allowed, as inside an ``async def``) and run on its own, with only the
  names its first line names in backticks, from these: ``spotify`` (a client of a fresh
  emulator, signed in as its user with every scope; the fragment then runs in ``trio.run``,
  bounded by 60 s), ``emulator``, ``artist_id``, ``album_id``, ``track_id``, ``track_ids``
  (five), ``playlist_id`` (480 items), ``show_id``, ``episode_id``, ``audiobook_id``,
  ``user_id``. A fragment that uses a name its first line does not name fails.
- Code for the real Spotify is a fragment: it runs with the emulator standing in (the
  ``SPOTIFY_*`` variables are the emulator app's, ``open_spotify(...)`` without a
  ``transport`` and ``trio_spotify.login(flow)`` reach it, the latter with a fake browser that
  consents at once; no real browser opens).
- ``<!-- docs-test: skip REASON -->`` on the line before a fragment's fence leaves it
  compiled but not run (what truly needs a web server, a person or a real account). A
  complete program cannot be skipped: it runs, or it is a fragment.
- In shell blocks, every ``trio-spotify crawl --emulator ...`` command is run with this
  installation's command and must exit 0 (and leave a valid JSON Lines file when it names
  one with ``-o``); the tutorial's demos are run by ``test_tutorial_demos``, which checks
  what the page says they show.

Warnings are errors here, as in the whole suite: an example that calls a deprecated
operation must say so (``warnings.catch_warnings``), as a user would have to.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import json
import linecache
import re
import shlex
import subprocess
import sys
import webbrowser
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
import trio
from helpers.docs import (
    PAGES,
    ROOT,
    SHELL,
    Block,
    blocks,
    offline_environment,
    python_blocks,
    section_commands,
    shell_commands,
    trio_spotify_command,
)
from helpers.emulator import Browser

import trio_spotify
from trio_spotify.testing import SpotifyEmulator

_CRAWL = re.compile(r"^trio-spotify\s+crawl\s+.*--emulator\b")
_TUTORIAL = ROOT / "docs" / "tutorial.md"
#: The tutorial's demos, run (and checked for what they show) by test_tutorial_demos.
DEMOS = {
    *section_commands(_TUTORIAL, "Interrupt it, resume it"),
    *section_commands(_TUTORIAL, "Rate limits, rehearsed"),
}

ALL_PYTHON = [block for page in PAGES for block in python_blocks(page)]
PROGRAMS = [block for block in ALL_PYTHON if block.fragment is None]
FRAGMENTS = [block for block in ALL_PYTHON if block.fragment is not None]


def predefined(emulator: SpotifyEmulator) -> dict[str, Any]:
    """The names a fragment may name, but `spotify` (opened per run)."""
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


# -- complete programs ---------------------------------------------------------------------


def run_program(code: str, directory: Path) -> subprocess.CompletedProcess[str]:
    """`python example.py` in `directory`, as a reader would run the block, offline."""
    script = directory / "example.py"
    script.write_text(code, encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        env=offline_environment(directory),
        cwd=directory,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("block", PROGRAMS, ids=lambda b: b.name)
def test_complete_programs_run_as_printed(block: Block, tmp_path: Path) -> None:
    assert block.skip is None, (
        f"{block.name}: a complete program cannot be skipped; if it cannot run offline as "
        "printed, make its first line a '# Fragment: ...' comment saying what it assumes"
    )
    result = run_program(block.code, tmp_path)
    assert result.returncode == 0, (
        f"{block.name} does not run as printed (python file.py, offline); complete it, or "
        f"make its first line a '# Fragment: ...' comment:\n{result.stderr}"
    )


def test_a_program_missing_an_import_fails(tmp_path: Path) -> None:
    """The check above can fail: the tutorial's second program without `import trio`."""
    block = next(b for b in PROGRAMS if b.page == _TUTORIAL and "iter_items" in b.code)
    assert "import trio\n" in block.code
    result = run_program(block.code.replace("import trio\n", "", 1), tmp_path)
    assert result.returncode != 0
    assert "NameError: name 'trio' is not defined" in result.stderr


def test_a_program_cannot_reach_the_internet(tmp_path: Path) -> None:
    """Programs run offline: a connection beyond loopback is refused, loudly."""
    code = "import socket\nsocket.create_connection(('192.0.2.1', 443), timeout=5)\n"
    result = run_program(code, tmp_path)
    assert result.returncode != 0
    assert "offline: a docs example tried to reach '192.0.2.1'" in result.stderr
    result = run_program("import socket\nsocket.getaddrinfo('api.spotify.com', 443)\n", tmp_path)
    assert "offline: a docs example tried to reach the name 'api.spotify.com'" in result.stderr


# -- fragments -----------------------------------------------------------------------------


@pytest.fixture
def docs_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SpotifyEmulator:
    """The emulator standing in for Spotify, for fragments written for the real one."""
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


def compile_fragment(block: Block) -> Any:
    """The fragment's code object; line numbers in tracebacks point into the page."""
    filename = f"<{block.name}>"
    source = "\n" * (block.line - 1) + block.code
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    return compile(source, filename, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)


def run_fragment(block: Block, emulator: SpotifyEmulator) -> None:
    """Run `block` with only the names its `# Fragment:` line names."""
    code = compile_fragment(block)
    known = predefined(emulator)
    namespace: dict[str, Any] = {"__name__": "__docs_fragment__", "__builtins__": builtins}
    namespace.update({name: known[name] for name in block.named & known.keys()})
    try:
        if not code.co_flags & inspect.CO_COROUTINE:
            exec(code, namespace)
            return

        async def main() -> None:
            with trio.fail_after(60):
                if "spotify" not in block.named:
                    await eval(code, namespace)
                    return
                async with trio_spotify.open_spotify(
                    emulator.user_auth(), transport=httpx.ASGITransport(app=emulator.app)
                ) as spotify:
                    namespace["spotify"] = spotify
                    await eval(code, namespace)

        trio.run(main)
    except NameError as exc:
        pytest.fail(
            f"{block.name}: the fragment uses {exc.name!r}, which its first line does not "
            f"name (in backticks) nor the fragment define: {exc}"
        )


@pytest.mark.parametrize("block", FRAGMENTS, ids=lambda b: b.name)
def test_fragments_compile_and_run_with_what_they_name(
    block: Block, docs_environment: SpotifyEmulator
) -> None:
    assert len(block.fragment or "") >= 10, (
        f"{block.name}: say on the '# Fragment:' line what the fragment assumes"
    )
    compile_fragment(block)
    if block.skip is None:
        run_fragment(block, docs_environment)


def test_a_fragment_using_a_name_it_does_not_name_fails(
    docs_environment: SpotifyEmulator,
) -> None:
    """The check above can fail: a fragment that uses `spotify` without naming it."""
    block = next(b for b in FRAGMENTS if "spotify" in b.named and "await spotify" in b.code)
    code = "# Fragment: inside an async function\n" + block.code.split("\n", 1)[1]
    with pytest.raises(pytest.fail.Exception, match="uses 'spotify', which its first line"):
        run_fragment(attrs.evolve(block, code=code), docs_environment)


def test_the_pages_hold_programs_and_fragments() -> None:
    assert len(PROGRAMS) >= 8
    assert len(FRAGMENTS) >= 8
    assert {b.page.name for b in PROGRAMS} >= {"README.md", "tutorial.md", "crawling.md"}


# -- shell commands ------------------------------------------------------------------------


def crawl_commands() -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        for block in blocks(page):
            if block.language not in SHELL or block.skip:
                continue
            for line, command in shell_commands(block):
                if _CRAWL.match(command) and command not in DEMOS:
                    found.append((f"{page.relative_to(ROOT)}:{line}", command))
    return found


@pytest.mark.parametrize(("where", "command"), crawl_commands(), ids=lambda v: str(v))
def test_crawl_commands_in_the_docs_run(where: str, command: str, tmp_path: Path) -> None:
    argv = shlex.split(command)
    assert not {"|", ">", "&&", ";"} & set(argv), f"{where}: keep crawl examples plain"
    result = subprocess.run(
        [*trio_spotify_command(), *argv[1:]],
        cwd=tmp_path,
        env=offline_environment(tmp_path),
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


def test_the_tutorial_demos_are_found() -> None:
    assert len(DEMOS) == 3
    assert not DEMOS & {command for _, command in crawl_commands()}


# -- the README ----------------------------------------------------------------------------


def test_the_readme_has_the_main_command_and_the_set_up() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    set_up = readme.split("## Set up", 1)[1]
    block = next(b for b in blocks(ROOT / "README.md") if b.language == "sh")
    assert block.code.split("\n")[:2] == ['pip install -e ".[dev]"', "pytest"]
    assert block.code.strip() in set_up
    assert any(where.startswith("README.md") for where, _ in crawl_commands())


def test_the_readme_emulator_example_runs_as_printed(tmp_path: Path) -> None:
    """The README's offline example runs with `python file.py` and prints the tracks."""
    block = next(
        b
        for b in python_blocks(ROOT / "README.md")
        if "open_emulator_client(SpotifyEmulator())" in b.code
    )
    assert block.fragment is None
    result = run_program(block.code, tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) >= 2
    assert [line.split(" ", 1)[0] for line in lines] == [str(n) for n in range(1, len(lines) + 1)]
