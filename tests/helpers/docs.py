"""The documentation pages and their fenced code blocks, for the docs tests.

A ```` ```python ```` block is either a complete program (it runs offline as printed, with
`python file.py`) or a fragment: its first line is a comment starting `# Fragment:` that
says what it assumes, naming in backticks the names it uses without defining them
(`` # Fragment: inside an async function, with `spotify` open ``).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import attrs

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>```+|~~~+)\s*(?P<info>[^`\s]*)(?P<rest>.*)$")
_SKIP = re.compile(r"<!--\s*docs-test:\s*skip\b(?P<reason>.*?)-->")
_HEADING = re.compile(r"^#{1,6}\s+(?P<title>.+?)\s*#*\s*$")
_NAMED = re.compile(r"`(?P<name>[A-Za-z_][A-Za-z0-9_]*)`")
#: How the first line of a fragment starts.
FRAGMENT = "# Fragment:"
#: The languages of shell blocks.
SHELL = ("sh", "shell", "bash", "console")


@attrs.frozen
class Block:
    page: Path
    line: int  # 1-based line of the first line of code
    language: str
    code: str
    skip: str | None
    heading: str = ""  # the title of the last heading above the block ("" before any)

    @property
    def name(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    @property
    def fragment(self) -> str | None:
        """What a fragment says it assumes (its first line after `# Fragment:`), or `None`
        for a block that claims to be a complete program."""
        first = self.code.split("\n", 1)[0]
        return first.removeprefix(FRAGMENT).strip() if first.startswith(FRAGMENT) else None

    @property
    def named(self) -> frozenset[str]:
        """The names a fragment's first line names in backticks (none for a program)."""
        return frozenset(m["name"] for m in _NAMED.finditer(self.fragment or ""))


def blocks(page: Path) -> Iterator[Block]:
    """The fenced code blocks of a Markdown page (indented fences too, e.g. in admonitions)."""
    lines = page.read_text(encoding="utf-8").splitlines()
    index = 0
    previous = heading = ""
    while index < len(lines):
        match = _FENCE.match(lines[index])
        if match is None:
            if lines[index].strip():
                previous = lines[index]
            if title := _HEADING.match(lines[index]):
                heading = title["title"]
            index += 1
            continue
        indent, fence = match["indent"], match["fence"]
        language = match["info"].lstrip("{.").rstrip("}").lower()
        skip = _SKIP.search(previous)
        start = index + 1
        index = start
        body: list[str] = []
        while index < len(lines) and not lines[index].strip().startswith(fence):
            line = lines[index]
            body.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
            index += 1
        index += 1
        previous = ""
        yield Block(
            page,
            start + 1,
            language,
            "\n".join(body) + "\n",
            skip["reason"].strip() or "no reason given" if skip else None,
            heading,
        )


def python_blocks(page: Path) -> list[Block]:
    return [b for b in blocks(page) if b.language in ("python", "py", "python3")]


def shell_commands(block: Block) -> Iterator[tuple[int, str]]:
    """The command lines of a shell block, `(line, command)`: a leading `$ ` dropped, lines
    continued with a backslash joined, blank lines and comments left out."""
    pending, first = "", 0
    for offset, raw in enumerate(block.code.splitlines()):
        line = raw.strip().removeprefix("$").strip()
        if not pending:
            first = offset
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        if line and not line.startswith("#"):
            yield block.line + first, line


def section_commands(page: Path, heading: str) -> list[str]:
    """The `trio-spotify` command lines of the shell blocks under `heading` on `page`."""
    return [
        line
        for block in blocks(page)
        if block.language in SHELL and block.heading == heading
        for _, line in shell_commands(block)
        if line.startswith("trio-spotify ")
    ]


def trio_spotify_command() -> list[str]:
    """How to run this installation's `trio-spotify` command."""
    script = shutil.which("trio-spotify", path=os.path.dirname(sys.executable))
    return [script] if script else [sys.executable, "-m", "trio_spotify"]


#: Where the `sitecustomize` that keeps docs examples offline lives.
_OFFLINE = Path(__file__).resolve().parent / "offline"


def offline_environment(home: Path) -> dict[str, str]:
    """The environment a reader's fresh shell would give an example, offline: no Spotify
    credentials or proxies inherited from this one, `home` as the home directory, and
    connections beyond loopback refused (`helpers/offline/sitecustomize.py`)."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("SPOTIFY_") and "proxy" not in name.lower()
    }
    path = environment.get("PYTHONPATH")
    environment["PYTHONPATH"] = os.pathsep.join([str(_OFFLINE), *([path] if path else [])])
    environment["HOME"] = str(home)
    environment["XDG_CONFIG_HOME"] = str(home / ".config")
    return environment
