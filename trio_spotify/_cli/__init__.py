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
import sys
from collections.abc import Sequence

from .. import __version__
from . import crawl, emulator, login
from ._usage import one_line_errors

__all__ = ["build_parser", "main"]

#: Sub-command modules, in the order `--help` lists them.
_COMMANDS = (crawl, login, emulator)


def build_parser() -> argparse.ArgumentParser:
    """The parser of the whole command line, every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="trio-spotify",
        description="Crawl the Spotify Web API, sign in, or serve the offline Spotify emulator.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}", help="show the version"
    )
    one_line_errors(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in _COMMANDS:
        module.register(subparsers)
        name = module.__name__.rpartition(".")[2]
        command: argparse.ArgumentParser = subparsers.choices[name]
        one_line_errors(command)
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
