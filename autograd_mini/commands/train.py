"""``autograd-mini train``: micrograd's demo, a 2-16-16-1 MLP learning the two moons.

The loop is micrograd's demo notebook, built from this package's pieces:
`autograd_mini.datasets.make_moons` (labels -1/+1), ``MLP(2, [16, 16, 1])``,
the hinge loss plus an L2 penalty of 1e-4, and plain SGD whose rate falls
linearly from 1.0 to 0.1 (``lr = 1.0 - 0.9*k/100`` for 100 steps). Every step
uses all the points (full-batch). A tqdm progress bar (extra ``progress``)
shows the loss and the accuracy; ``--plot FILE.png`` draws the decision
boundary and the loss curve (extra ``plot``).

`train_moons` and `plot_training` are the same steps as functions, for the
examples and the documentation figure.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograd_mini.datasets import make_moons
from autograd_mini.engine import Value
from autograd_mini.grad_mode import no_grad
from autograd_mini.losses import hinge, l2_penalty
from autograd_mini.nn import MLP
from autograd_mini.optim import SGD, linear_decay

__all__ = [
    "add_parser",
    "run",
    "train_moons",
    "plot_training",
    "accuracy",
    "TrainResult",
    "DEFAULTS",
]

DEFAULTS: dict[str, Any] = {"n": 100, "noise": 0.1, "steps": 100, "seed": 0, "alpha": 1e-4}
"""micrograd's demo settings (its notebook uses 100 points, noise 0.1, 100 steps, alpha 1e-4)."""

PLOT_EXTRA = "pip install 'autograd-mini[plot]'"
PROGRESS_EXTRA = "pip install 'autograd-mini[progress]'"


@dataclass
class TrainResult:
    """What `train_moons` returns.

    Attributes:
        model: the trained network.
        points: the training points, ``[x1, x2]`` pairs.
        y: their labels, -1 or +1.
        losses: the total loss (hinge + L2) at each step, before its update.
        accuracies: the training accuracy at each step, before its update.
        final_accuracy: the accuracy of the trained model (after the last update).
    """

    model: MLP
    points: list[list[float]]
    y: list[int]
    losses: list[float] = field(default_factory=list)
    accuracies: list[float] = field(default_factory=list)
    final_accuracy: float = 0.0


def accuracy(model: MLP, points: Sequence[Sequence[float]], y: Sequence[int]) -> float:
    """The fraction of points whose score has the sign of their -1/+1 label (no graph recorded)."""
    with no_grad():
        scores = [_score(model, x) for x in points]
    return sum((yi > 0) == (s > 0) for yi, s in zip(y, scores)) / len(y)


def _score(model: MLP, x: Sequence[float]) -> float:
    out = model(x)
    if not isinstance(out, Value):  # pragma: no cover - MLP(2, [..., 1]) returns a Value
        raise TypeError("the moons model must have one output")
    return out.data


def train_moons(
    n: int = DEFAULTS["n"],
    noise: float = DEFAULTS["noise"],
    steps: int = DEFAULTS["steps"],
    seed: int = DEFAULTS["seed"],
    alpha: float = DEFAULTS["alpha"],
    callback: Callable[[int, float, float], None] | None = None,
) -> TrainResult:
    """Train ``MLP(2, [16, 16, 1])`` on ``make_moons(n, noise, seed)`` as micrograd's demo does.

    Each step: scores for all points, loss = hinge(scores, y) + alpha * sum(p^2),
    ``zero_grad``, ``backward``, and an SGD update at rate
    ``linear_decay(1.0, 0.1, steps)`` (micrograd's ``1.0 - 0.9*k/100`` for 100 steps).
    The weights are drawn from ``random.Random(seed)``; the global `random`
    module is not touched.

    Args:
        n: number of points.
        noise: the moons' noise.
        steps: number of SGD steps (>= 1).
        seed: seeds the data and the initial weights.
        alpha: the L2 coefficient.
        callback: called as ``callback(k, loss, accuracy)`` after step ``k``.

    Returns:
        The model, the data, the loss and accuracy history and the final accuracy.
    """
    points, y = make_moons(n, noise, seed)
    model = MLP(2, [16, 16, 1], rng=random.Random(seed))
    params = model.parameters()
    opt = SGD(params, lr=linear_decay(1.0, 0.1, steps))
    result = TrainResult(model, points, y)
    for k in range(steps):
        inputs = [[Value(a), Value(b)] for a, b in points]
        scores: list[Value] = [model(x) for x in inputs]
        total = hinge(scores, y) + l2_penalty(params, alpha)
        acc = sum((yi > 0) == (s.data > 0) for yi, s in zip(y, scores)) / len(y)
        opt.zero_grad()
        total.backward()
        opt.step()
        result.losses.append(total.data)
        result.accuracies.append(acc)
        if callback is not None:
            callback(k, total.data, acc)
    result.final_accuracy = accuracy(model, points, y)
    return result


def plot_training(result: TrainResult, path: str | Path, resolution: int = 60) -> None:
    """Save a figure: the decision boundary with the points, and the loss curve.

    Needs matplotlib (``pip install 'autograd-mini[plot]'``); it is imported
    here, with the non-interactive Agg backend.

    Args:
        result: what `train_moons` returned.
        path: the image file; the format follows its extension (.png, .svg, .pdf).
        resolution: grid points per axis for the boundary.

    Raises:
        ImportError: matplotlib is not installed (the message names the extra).
    """
    try:
        import matplotlib
    except ImportError:
        raise ImportError(f"plotting needs matplotlib: {PLOT_EXTRA}") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs = [p[0] for p in result.points]
    ys = [p[1] for p in result.points]
    pad = 0.5
    x0, x1 = min(xs) - pad, max(xs) + pad
    y0, y1 = min(ys) - pad, max(ys) + pad
    gx = [x0 + (x1 - x0) * i / (resolution - 1) for i in range(resolution)]
    gy = [y0 + (y1 - y0) * j / (resolution - 1) for j in range(resolution)]
    with no_grad():
        grid = [[_score(result.model, [a, b]) for a in gx] for b in gy]

    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(10, 4.2))
    ax0.contourf(gx, gy, grid, levels=[-1e300, 0.0, 1e300], colors=["#f4c7c3", "#c6dbef"])
    ax0.contour(gx, gy, grid, levels=[0.0], colors="k", linewidths=1)
    for label, colour, marker in ((-1, "#c0392b", "o"), (1, "#2166ac", "s")):
        pts = [p for p, c in zip(result.points, result.y) if c == label]
        ax0.scatter([p[0] for p in pts], [p[1] for p in pts], c=colour, marker=marker,
                    s=18, edgecolors="k", linewidths=0.4, label=f"y = {label:+d}")
    ax0.set_title(f"Decision boundary (training accuracy {result.final_accuracy:.0%})")
    ax0.set_xlabel("x1")
    ax0.set_ylabel("x2")
    ax0.legend(loc="upper right", fontsize=8)
    steps = range(1, len(result.losses) + 1)
    ax1.plot(steps, result.losses, color="#333333", label="loss (hinge + L2)")
    ax1.set_xlabel("step")
    ax1.set_ylabel("loss")
    ax1.set_yscale("log")
    ax1.set_title("Training loss")
    twin = ax1.twinx()
    twin.plot(steps, result.accuracies, color="#2166ac", alpha=0.6, label="accuracy")
    twin.set_ylabel("accuracy")
    twin.set_ylim(0.0, 1.05)
    ax1.legend(loc="upper right", fontsize=8)
    twin.legend(loc="center right", bbox_to_anchor=(1.0, 0.72), fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


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


def _plot_available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def run(args: argparse.Namespace) -> int:
    """Run ``autograd-mini train``; returns the exit code (0 ok, 2 bad arguments or extra)."""
    if args.plot is not None:
        if args.plot.suffix.lower() not in (".png", ".svg", ".pdf"):
            print(f"autograd-mini train: --plot: unsupported file type {args.plot.suffix!r}; "
                  "use .png, .svg or .pdf", file=sys.stderr)
            return 2
        if not _plot_available():
            print(f"autograd-mini train: --plot needs matplotlib: {PLOT_EXTRA}", file=sys.stderr)
            return 2

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
