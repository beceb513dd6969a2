"""Generate the training figure of docs/training.md from the real code.

Usage::

    python docs/figures/make_training.py [OUTDIR] [--steps N]

OUTDIR defaults to ``docs/img``. Writes ``moons.png``: the decision boundary
of ``MLP(2, [16, 16, 1])`` trained on 100 moons points exactly as
``autograd-mini train`` does (`autograd_mini.training.train_moons`,
default seed), next to its loss and accuracy curves. ``--steps`` shortens the
run (for tests). Needs the ``plot`` extra (matplotlib).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from autograd_mini.training import DEFAULTS, plot_training, train_moons

DEFAULT_OUTDIR = Path(__file__).resolve().parent.parent / "img"


def main(argv: list[str] | None = None) -> int:
    """Train, draw, and write OUTDIR/moons.png; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", nargs="?", type=Path, default=DEFAULT_OUTDIR)
    parser.add_argument("--steps", type=int, default=DEFAULTS["steps"])
    args = parser.parse_args(argv)
    args.outdir.mkdir(parents=True, exist_ok=True)
    result = train_moons(steps=args.steps)
    target = args.outdir / "moons.png"
    plot_training(result, target)
    print(f"wrote {target} (training accuracy {result.final_accuracy:.1%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
