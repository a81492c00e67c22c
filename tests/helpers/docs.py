"""The documentation pages and their fenced code blocks, for the docs tests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import attrs

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>```+|~~~+)\s*(?P<info>[^`\s]*)(?P<rest>.*)$")
_SKIP = re.compile(r"<!--\s*docs-test:\s*skip\b(?P<reason>.*?)-->")


@attrs.frozen
class Block:
    page: Path
    line: int  # 1-based line of the first line of code
    language: str
    code: str
    skip: str | None

    @property
    def name(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks(page: Path) -> Iterator[Block]:
    """The fenced code blocks of a Markdown page (indented fences too, e.g. in admonitions)."""
    lines = page.read_text(encoding="utf-8").splitlines()
    index = 0
    previous = ""
    while index < len(lines):
        match = _FENCE.match(lines[index])
        if match is None:
            if lines[index].strip():
                previous = lines[index]
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
        )


def python_blocks(page: Path) -> list[Block]:
    return [b for b in blocks(page) if b.language in ("python", "py", "python3")]
