"""autograd_mini.datasets: shapes, label conventions, geometry and determinism."""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest

from autograd_mini.datasets import make_moons, make_spirals


def test_moons_shape_and_signed_labels() -> None:
    X, y = make_moons(101, 0.1, seed=0)
    assert len(X) == len(y) == 101
    assert all(len(p) == 2 and all(isinstance(c, float) for c in p) for p in X)
    assert Counter(y) == {-1: 50, 1: 51}  # n // 2 on the upper moon
    _, y01 = make_moons(101, 0.1, seed=0, signed=False)
    assert y01 == [(c + 1) // 2 for c in y]


def test_noiseless_moons_lie_on_their_half_circles() -> None:
    X, y = make_moons(40, 0.0, seed=1)
    for (a, b), label in zip(X, y):
        if label == -1:  # upper moon: (cos t, sin t)
            assert math.hypot(a, b) == pytest.approx(1.0, abs=1e-12)
            assert b >= -1e-12
        else:  # lower moon: (1 - cos t, 0.5 - sin t)
            assert math.hypot(a - 1.0, b - 0.5) == pytest.approx(1.0, abs=1e-12)
            assert b <= 0.5 + 1e-12
    # the end points of both moons are present
    assert any(p == pytest.approx([1.0, 0.0]) for p in X)
    assert any(p == pytest.approx([2.0, 0.5]) for p in X)


def test_noise_has_the_requested_spread() -> None:
    clean, _ = make_moons(2000, 0.0, seed=5)
    noisy, _ = make_moons(2000, 0.2, seed=5)
    # same seed -> same shuffle, so the points pair up; only the noise differs
    deltas = [n[i] - c[i] for n, c in zip(noisy, clean) for i in (0, 1)]
    mean = sum(deltas) / len(deltas)
    std = math.sqrt(sum((d - mean) ** 2 for d in deltas) / len(deltas))
    assert abs(mean) < 0.02
    assert std == pytest.approx(0.2, rel=0.05)


def test_deterministic_by_seed_and_global_random_untouched() -> None:
    random.seed(3)
    expected = random.random()
    random.seed(3)
    a = make_moons(50, 0.1, seed=7)
    b = make_moons(50, 0.1, seed=7)
    s1 = make_spirals(20, 3, 0.2, seed=7)
    s2 = make_spirals(20, 3, 0.2, seed=7)
    assert random.random() == expected
    assert a == b and s1 == s2
    assert make_moons(50, 0.1, seed=8) != a
    assert make_spirals(20, 3, 0.2, seed=8) != s1


def test_spirals_shape_labels_and_geometry() -> None:
    X, y = make_spirals(30, 4, 0.0, seed=0)
    assert len(X) == len(y) == 120
    assert Counter(y) == {0: 30, 1: 30, 2: 30, 3: 30}
    assert all(math.hypot(a, b) <= 1.0 + 1e-12 for a, b in X)
    # without noise, the point at radius r of arm c sits at angle 4 r + 2 pi c / k
    for (a, b), c in zip(X, y):
        r = math.hypot(a, b)
        if r > 1e-9:
            angle = math.atan2(a, b)  # x = r sin(angle), y = r cos(angle)
            expected = 4.0 * r + 2.0 * math.pi * c / 4
            diff = (angle - expected + math.pi) % (2 * math.pi) - math.pi
            assert diff == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: make_moons(1), ValueError, "make_moons: n must be >= 2, got 1"),
        (lambda: make_moons(10, -0.1), ValueError, "noise must be a finite number >= 0"),
        (lambda: make_moons(10, math.inf), ValueError, "noise must be a finite number"),
        (lambda: make_moons(10.0), TypeError, "n must be an int, got float"),
        (lambda: make_moons(10, 0.1, seed="a"), TypeError, "seed must be an int or None"),
        (lambda: make_spirals(10, 1), ValueError, "classes must be >= 2"),
        (lambda: make_spirals(1, 3), ValueError, "n_per_class must be >= 2"),
    ],
)
def test_bad_arguments(call: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        call()  # type: ignore[operator]
