"""Sub-commands of the ``autograd-mini`` command line, one module each.

A module provides ``add_parser(subparsers)``, which adds its parser and sets
``run`` as its default (``parser.set_defaults(run=run)``), and
``run(args) -> int`` returning the exit code.
"""
