"""How the command line refuses a bad argument: one line on standard error, exit code 2.

argparse's own `error` prints the whole usage block first; a command line that is used in
scripts and logs is better served by one line that names the problem and where to read
more. `UsageError` is the same refusal found later than the parser (a target that is no
Spotify ID, missing credentials, an output file that would be overwritten).
"""

from __future__ import annotations

import argparse
import functools
from typing import NoReturn

__all__ = ["UsageError", "one_line_error", "one_line_errors"]


class UsageError(Exception):
    """A bad argument or missing configuration: one line on stderr and exit code 2."""


def one_line_error(parser: argparse.ArgumentParser, message: str) -> NoReturn:
    """argparse's `error` without the usage block: one line on stderr, exit code 2.

    Raises `SystemExit(2)`.
    """
    parser.exit(2, f"{parser.prog}: error: {message} (see '{parser.prog} --help')\n")


def one_line_errors(parser: argparse.ArgumentParser) -> None:
    """Make `parser.error` print one line (see `one_line_error`)."""
    parser.error = functools.partial(one_line_error, parser)  # type: ignore[method-assign]
