"""The ``autograd-mini`` command line (also ``python -m autograd_mini``).

Each sub-command lives in its own module under `autograd_mini.commands`,
which provides ``add_parser(subparsers)`` and ``run(args) -> int``. They are
imported when the parser is built, so ``autograd-mini --help`` lists them all.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

__all__ = ["main", "build_parser"]

COMMANDS = ("demo", "graph", "train")
"""Sub-command names; each is the module ``autograd_mini.commands.<name>``."""


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every available sub-command."""
    parser = argparse.ArgumentParser(
        prog="autograd-mini",
        description="A scalar reverse-mode automatic differentiation engine: "
        "demos, graph drawing and training from the command line.",
    )
    from autograd_mini import __version__

    parser.add_argument("--version", action="version", version=f"autograd-mini {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"autograd_mini.commands.{name}")
        except ModuleNotFoundError as exc:  # a command whose module is not there yet
            if exc.name != f"autograd_mini.commands.{name}":
                raise
            continue
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 2 bad arguments)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    code: int = args.run(args)
    return code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
