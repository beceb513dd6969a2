"""``autograd-mini train``: micrograd's demo, a 2-16-16-1 MLP learning the two moons.

Argument parsing and printing only: the training itself is
`autograd_mini.training.train_moons`, the figure `autograd_mini.training.plot_training`.
A tqdm progress bar (extra ``progress``) shows the loss and the accuracy;
``--plot FILE.png`` draws the decision boundary and the loss curve (extra
``plot``); ``--save FILE.json`` writes the trained weights.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from autograd_mini.training import (
    DEFAULTS,
    PLOT_EXTRA,
    PLOT_FORMATS,
    plot_available,
    plot_training,
    train_moons,
)

__all__ = ["add_parser", "run", "PROGRESS_EXTRA"]

PROGRESS_EXTRA = "pip install 'autograd-mini[progress]'"
"""The command that installs the progress bar (tqdm)."""


# --------------------------------------------------------------------------- command line


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def _point_count(text: str) -> int:
    value = _positive_int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"needs at least 2 points, got {value}")
    return value


def _noise(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (math.isfinite(value) and value >= 0.0):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text}")
    return value


def _seed(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``train`` sub-command to ``subparsers``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "train",
        help="train micrograd's demo MLP on the two moons",
        description="Train MLP(2, [16, 16, 1]) on the two-moons data set as micrograd's demo "
        "does: hinge loss + 1e-4 L2, full-batch SGD with the rate falling linearly from 1.0 "
        "to 0.1. Shows a progress bar with the loss and accuracy (needs tqdm: "
        f"{PROGRESS_EXTRA}) and prints the final training accuracy.",
        epilog="example: autograd-mini train --plot moons.png",
    )
    parser.add_argument("--steps", type=_positive_int, default=DEFAULTS["steps"],
                        help="number of SGD steps (default: %(default)s)")
    parser.add_argument("--n", type=_point_count, default=DEFAULTS["n"],
                        help="number of training points (default: %(default)s)")
    parser.add_argument("--noise", type=_noise, default=DEFAULTS["noise"],
                        help="standard deviation of the moons' noise (default: %(default)s)")
    parser.add_argument("--seed", type=_seed, default=DEFAULTS["seed"],
                        help="seed for the data and the initial weights (default: %(default)s)")
    parser.add_argument("--plot", metavar="FILE.png", type=Path,
                        help="save the decision boundary and loss curve (needs matplotlib: "
                        f"{PLOT_EXTRA})")
    parser.add_argument("--save", metavar="FILE.json", type=Path,
                        help="save the trained weights as JSON (load with MLP.load)")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress output, only the final accuracy")
    parser.set_defaults(run=run)
    return parser


def _output_problem(option: str, path: Path) -> str | None:
    """Why ``path`` cannot be written by ``option``, or None: checked before training."""
    if path.is_dir():
        return f"{option} {str(path)!r} is a directory; give a file name"
    if not path.parent.is_dir():
        return (f"{option} {str(path)!r}: directory {str(path.parent)!r} does not exist "
                f"(create it first: mkdir -p {path.parent})")
    return None


def run(args: argparse.Namespace) -> int:
    """Run ``autograd-mini train``; returns the exit code.

    Everything the options need is checked before training starts: exit 2,
    with nothing printed on standard output, for a ``--plot`` format or a
    missing matplotlib, or a ``--plot``/``--save`` file whose directory does
    not exist. Exit 1 when writing a file fails after training; 0 otherwise.
    """
    def fail(message: str) -> int:
        print(f"autograd-mini train: {message}", file=sys.stderr)
        return 2

    if args.plot is not None:
        if args.plot.suffix.lower() not in PLOT_FORMATS:
            return fail(f"--plot: unsupported file type {args.plot.suffix!r}; "
                        f"use {', '.join(PLOT_FORMATS)}")
        if not plot_available():
            return fail(f"--plot needs matplotlib: {PLOT_EXTRA}")
    for option, path in (("--plot", args.plot), ("--save", args.save)):
        problem = None if path is None else _output_problem(option, path)
        if problem:
            return fail(problem)

    steps: int = args.steps
    callback: Callable[[int, float, float], None] | None = None
    bar: Any = None
    if not args.quiet:
        try:
            from tqdm import tqdm
        except ImportError:
            print(f"(no progress bar: {PROGRESS_EXTRA})", file=sys.stderr)
            every = max(1, steps // 10)

            def callback(k: int, loss: float, acc: float) -> None:
                if (k + 1) % every == 0 or k + 1 == steps:
                    print(f"step {k + 1:4d}/{steps}  loss {loss:.4f}  accuracy {acc:.0%}")
        else:
            bar = tqdm(total=steps, desc="training", unit="step")

            def callback(k: int, loss: float, acc: float) -> None:
                bar.set_postfix(loss=f"{loss:.4f}", acc=f"{acc:.0%}", refresh=False)
                bar.update(1)

    try:
        result = train_moons(args.n, args.noise, steps, args.seed, callback=callback)
    finally:
        if bar is not None:
            bar.close()
    print(f"final loss {result.losses[-1]:.4f}  training accuracy "
          f"{result.final_accuracy:.1%} ({args.n} points, {steps} steps, seed {args.seed})")
    if args.save is not None:
        try:
            result.model.save(args.save)
        except (OSError, ValueError) as exc:
            print(f"autograd-mini train: --save: {exc}", file=sys.stderr)
            return 1
        print(f"weights saved to {args.save}")
    if args.plot is not None:
        try:
            plot_training(result, args.plot)
        except OSError as exc:
            print(f"autograd-mini train: --plot: {exc}", file=sys.stderr)
            return 1
        print(f"figure saved to {args.plot}")
    return 0
