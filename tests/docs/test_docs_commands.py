"""Every ``trio-spotify …`` command shown in README.md and docs/*.md is one the CLI accepts.

``test_docs_examples`` runs the ``crawl --emulator`` lines; this checks that every other
documented command line (``login``, ``emulator``, crawls of the real Spotify) parses with
this installation's argument parser, so an option renamed in the code cannot linger in the
documentation. Lines continued with a backslash are joined first; skipped blocks are left out.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator

import pytest
from helpers.docs import PAGES, ROOT, SHELL, blocks, shell_commands

from trio_spotify._cli import build_parser


def documented_commands() -> Iterator[tuple[str, str]]:
    for page in PAGES:
        for block in blocks(page):
            if block.language not in SHELL or block.skip:
                continue
            for line, command in shell_commands(block):
                if command.startswith("trio-spotify "):
                    yield f"{page.relative_to(ROOT)}:{line}", command


COMMANDS = list(documented_commands())


def test_the_documentation_shows_commands() -> None:
    assert len(COMMANDS) >= 5
    assert {line.split()[1] for _, line in COMMANDS} >= {"crawl", "login"}


@pytest.mark.parametrize(("where", "line"), COMMANDS, ids=[w for w, _ in COMMANDS])
def test_every_documented_command_parses(
    where: str, line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = shlex.split(line, comments=True)[1:]
    try:
        args, unknown = build_parser().parse_known_args(argv)
    except SystemExit:
        pytest.fail(f"{where}: {line!r} is refused: {capsys.readouterr().err.strip()}")
    assert not unknown, f"{where}: {line!r}: unrecognized arguments {unknown}"
    assert callable(args.handler)
