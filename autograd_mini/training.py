"""micrograd's demo as functions: train an MLP on the two moons, measure it, plot it.

The loop is micrograd's demo notebook, built from this package's pieces:
`autograd_mini.datasets.make_moons` (labels -1/+1), ``MLP(2, [16, 16, 1])``,
the hinge loss plus an L2 penalty of 1e-4, and plain SGD whose rate falls
linearly from 1.0 to 0.1 (``lr = 1.0 - 0.9*k/100`` for 100 steps). Every step
uses all the points (full-batch).

```python
from autograd_mini.training import train_moons

result = train_moons(n=40, steps=20, seed=0)
print(len(result.losses), result.final_accuracy > 0.5)   # 20 True
```

`train_moons` returns a `TrainResult` (the model, the data and the loss and
accuracy history); `plot_training` draws its decision boundary and loss curve
(needs matplotlib: ``pip install 'autograd-mini[plot]'``). The command
``autograd-mini train`` is these functions plus a progress bar.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograd_mini.checks import describe, integer, real
from autograd_mini.datasets import make_moons
from autograd_mini.engine import Value
from autograd_mini.grad_mode import no_grad
from autograd_mini.losses import hinge, l2_penalty
from autograd_mini.nn import MLP
from autograd_mini.optim import SGD, linear_decay

__all__ = [
    "train_moons",
    "plot_training",
    "accuracy",
    "plot_available",
    "TrainResult",
    "DEFAULTS",
    "PLOT_FORMATS",
    "PLOT_EXTRA",
]

DEFAULTS: dict[str, Any] = {"n": 100, "noise": 0.1, "steps": 100, "seed": 0, "alpha": 1e-4}
"""micrograd's demo settings (its notebook uses 100 points, noise 0.1, 100 steps, alpha 1e-4)."""

PLOT_FORMATS: tuple[str, ...] = (".png", ".svg", ".pdf")
"""File extensions `plot_training` writes."""

PLOT_EXTRA = "pip install 'autograd-mini[plot]'"
"""The command that installs what `plot_training` needs (matplotlib)."""


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
    """The fraction of points whose score has the sign of their -1/+1 label.

    No graph is recorded (the scores are computed under `autograd_mini.no_grad`).

    Raises:
        ValueError: ``points`` and ``y`` differ in length, or are empty.
    """
    if len(points) != len(y) or not y:
        raise ValueError(
            f"accuracy: needs as many labels as points (at least one), got {len(points)} "
            f"points and {len(y)} labels"
        )
    with no_grad():
        scores = [_score(model, x) for x in points]
    return sum((yi > 0) == (s > 0) for yi, s in zip(y, scores)) / len(y)


def _score(model: MLP, x: Sequence[float]) -> float:
    out = model(x)
    if not isinstance(out, Value):
        raise TypeError(f"accuracy: the model must have one output, got {describe(out)}")
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
        n: number of points (>= 2).
        noise: the moons' noise (finite, >= 0).
        steps: number of SGD steps (>= 1).
        seed: seeds the data and the initial weights.
        alpha: the L2 coefficient (finite, >= 0).
        callback: called as ``callback(k, loss, accuracy)`` after step ``k``.

    Returns:
        The model, the data, the loss and accuracy history and the final accuracy.

    Raises:
        TypeError: an argument has the wrong type (the message names it).
        ValueError: an argument is out of range (the message names it and its value).
    """
    n = integer(n, "n", "train_moons", minimum=2)
    noise = real(noise, "noise", "train_moons", low=0.0)
    steps = integer(steps, "steps", "train_moons", minimum=1)
    seed = integer(seed, "seed", "train_moons")
    alpha = real(alpha, "alpha", "train_moons", low=0.0)
    if callback is not None and not callable(callback):
        raise TypeError(f"train_moons: callback must be callable, got {describe(callback)}")
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


def plot_available() -> bool:
    """Whether `plot_training` can run: matplotlib (the ``plot`` extra) is importable."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def plot_training(result: TrainResult, path: str | Path, resolution: int = 60) -> None:
    """Save a figure: the decision boundary with the points, and the loss curve.

    Needs matplotlib (``pip install 'autograd-mini[plot]'``); it is imported
    here, with the non-interactive Agg backend.

    Args:
        result: what `train_moons` returned.
        path: the image file; the format follows its extension (one of
            `PLOT_FORMATS`: .png, .svg, .pdf).
        resolution: grid points per axis for the boundary (>= 2).

    Raises:
        ImportError: matplotlib is not installed (the message names the extra).
        TypeError: ``result`` is not a `TrainResult`, or ``path`` not a str or Path.
        ValueError: the extension is not one of `PLOT_FORMATS`, or ``resolution`` < 2.
        OSError: the file cannot be written (for example, its directory does not exist).
    """
    if not isinstance(result, TrainResult):
        raise TypeError(f"plot_training: result must be a TrainResult, got {describe(result)}")
    if not isinstance(path, (str, Path)):
        raise TypeError(f"plot_training: path must be a str or Path, got {describe(path)}")
    if Path(path).suffix.lower() not in PLOT_FORMATS:
        raise ValueError(
            f"plot_training: unsupported file type {Path(path).suffix!r} in {str(path)!r}; "
            f"use one of {', '.join(PLOT_FORMATS)}"
        )
    resolution = integer(resolution, "resolution", "plot_training", minimum=2)
    try:
        import matplotlib
    except ImportError:
        raise ImportError(f"plot_training: plotting needs matplotlib: {PLOT_EXTRA}") from None
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
    try:
        fig.savefig(path, dpi=110)
    finally:
        plt.close(fig)
