"""The `trio-spotify` command (also `python -m trio_spotify`).

Each sub-command lives in its own module of this package and exposes
`register(subparsers)`, which adds its parser and sets `handler` (a function taking the
parsed arguments and returning an exit code) as a default. This module only dispatches.

A bad argument gives one line on standard error and exit code 2, from the parser it
concerns: `trio-spotify crawl: error: unrecognized arguments: --bogus (see ...)`. An
unknown option is left over by `parse_known_args` and reported by its sub-command's
`_error` (a default each sub-command parser gets here), not by the top-level parser.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import importlib.util
import sys
from collections.abc import Sequence
from typing import NoReturn

__all__ = ["main"]

#: Sub-command modules, in the order `--help` lists them.
_COMMANDS = ("crawl", "login", "emulator")


def one_line_error(parser: argparse.ArgumentParser, message: str) -> NoReturn:
    """argparse's `error` without the usage block: one line on stderr, exit code 2."""
    parser.exit(2, f"{parser.prog}: error: {message} (see '{parser.prog} --help')\n")


def _one_line_errors(parser: argparse.ArgumentParser) -> None:
    parser.error = functools.partial(one_line_error, parser)  # type: ignore[method-assign]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trio-spotify",
        description="Crawl the Spotify Web API, sign in, or serve the offline Spotify emulator.",
    )
    _one_line_errors(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in _COMMANDS:
        module_name = f"{__name__}.{name}"
        if importlib.util.find_spec(module_name) is None:
            continue  # sub-command not built yet
        importlib.import_module(module_name).register(subparsers)
        command: argparse.ArgumentParser = subparsers.choices[name]
        _one_line_errors(command)
        command.set_defaults(_error=command.error)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (2 for bad arguments, as argparse does).

    Bad arguments exit through `SystemExit(2)` after one line on standard error.
    """
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        args._error(f"unrecognized arguments: {' '.join(unknown)}")
    code: int = args.handler(args)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
