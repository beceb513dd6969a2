"""Small two-dimensional toy data sets in pure Python, deterministic by seed.

* `make_moons`: two interleaving half circles, the data set of micrograd's
  demo (binary; labels -1/+1 by default, for the hinge loss).
* `make_spirals`: ``classes`` interleaved spiral arms (multi-class; labels
  0 .. classes-1, for `autograd_mini.losses.softmax_cross_entropy`).

Each returns ``(X, y)``: ``X`` a list of ``[x1, x2]`` float pairs and ``y``
a list of int labels. The same arguments and ``seed`` give the same lists on
every platform (only `random.Random` and `math` are used).
"""

from __future__ import annotations

import math
import random

from autograd_mini.checks import integer, optional_integer, real

__all__ = ["make_moons", "make_spirals"]

Dataset = tuple[list[list[float]], list[int]]


def _rng(seed: object, owner: str) -> random.Random:
    """A private generator seeded with ``seed`` (an int, or None for fresh randomness)."""
    return random.Random(optional_integer(seed, "seed", owner))


def make_moons(
    n: int = 100, noise: float = 0.1, seed: int | None = 0, *, signed: bool = True
) -> Dataset:
    """Two interleaving half circles ("moons") in the plane.

    The upper moon is the half circle (cos t, sin t) and the lower one
    (1 - cos t, 0.5 - sin t), for t evenly spaced over [0, pi]; the first
    ``n // 2`` points go on the upper moon, the rest on the lower. Each
    coordinate then gets Gaussian noise of standard deviation ``noise``, and
    the points are shuffled.

    Label convention: the upper moon is class -1 and the lower moon class +1
    (micrograd's demo turns scikit-learn's 0/1 labels into -1/+1 with
    ``y*2 - 1`` for its hinge loss). With ``signed=False`` the labels are 0
    (upper) and 1 (lower), as scikit-learn's.

    Args:
        n: number of points (>= 2).
        noise: standard deviation of the Gaussian noise (>= 0).
        seed: seed of the private `random.Random`; ``None`` for fresh
            randomness. The global `random` module is never touched.
        signed: labels -1/+1 (default) or 0/1.

    Returns:
        ``(X, y)``: ``n`` points ``[x1, x2]`` and their labels.

    Raises:
        TypeError: an argument has the wrong type.
        ValueError: ``n`` < 2 or ``noise`` negative or not finite.
    """
    n = integer(n, "n", "make_moons", minimum=2)
    sigma = real(noise, "noise", "make_moons", low=0.0)
    rng = _rng(seed, "make_moons")
    n_upper = n // 2
    n_lower = n - n_upper
    points: list[tuple[list[float], int]] = []
    for k in range(n_upper):
        t = math.pi * k / (n_upper - 1) if n_upper > 1 else 0.0
        points.append(([math.cos(t), math.sin(t)], 0))
    for k in range(n_lower):
        t = math.pi * k / (n_lower - 1) if n_lower > 1 else 0.0
        points.append(([1.0 - math.cos(t), 0.5 - math.sin(t)], 1))
    rng.shuffle(points)
    xs = [[x1 + rng.gauss(0.0, sigma), x2 + rng.gauss(0.0, sigma)] for (x1, x2), _ in points]
    labels = [2 * c - 1 if signed else c for _, c in points]
    return xs, labels


def make_spirals(
    n_per_class: int = 100, classes: int = 3, noise: float = 0.2, seed: int | None = 0
) -> Dataset:
    """``classes`` spiral arms winding out of the origin, one class per arm.

    Point j of arm c (j = 0 .. n_per_class-1) lies at radius r = j / (n - 1)
    and angle 4 r + 2 pi c / classes (plus Gaussian noise of standard
    deviation ``noise`` on the angle), i.e. at (r sin a, r cos a). The arms
    wind around each other, so no linear classifier separates them: a small
    `autograd_mini.nn.MLP` with a softmax output does.

    Args:
        n_per_class: points per class (>= 2).
        classes: number of classes (>= 2).
        noise: standard deviation of the angular noise, in radians (>= 0).
        seed: seed of the private `random.Random`; ``None`` for fresh randomness.

    Returns:
        ``(X, y)``: ``n_per_class * classes`` points, shuffled, with labels
        ``0 .. classes - 1``.

    Raises:
        TypeError: an argument has the wrong type.
        ValueError: a count is below 2 or ``noise`` is negative or not finite.
    """
    n_per_class = integer(n_per_class, "n_per_class", "make_spirals", minimum=2)
    classes = integer(classes, "classes", "make_spirals", minimum=2)
    sigma = real(noise, "noise", "make_spirals", low=0.0)
    rng = _rng(seed, "make_spirals")
    points: list[tuple[list[float], int]] = []
    for c in range(classes):
        for j in range(n_per_class):
            r = j / (n_per_class - 1)
            a = 4.0 * r + 2.0 * math.pi * c / classes + rng.gauss(0.0, sigma)
            points.append(([r * math.sin(a), r * math.cos(a)], c))
    rng.shuffle(points)
    return [p for p, _ in points], [c for _, c in points]
