"""Higher-order derivatives: nested `grad` against closed forms, and `hessian`."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from autograd_mini import Value, grad, hessian
from autograd_mini.testing import gradgradcheck


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def tanh_derivatives(x: float) -> list[float]:
    t = math.tanh(x)
    s = 1.0 - t * t  # sech^2
    return [s, -2.0 * t * s, -2.0 * s * (1.0 - 3.0 * t * t)]


def sigmoid_derivatives(x: float) -> list[float]:
    s = sigmoid(x)
    d1 = s * (1.0 - s)
    return [d1, d1 * (1.0 - 2.0 * s), d1 * (1.0 - 6.0 * s + 6.0 * s * s)]


def power_derivatives(p: float) -> Callable[[float], list[float]]:
    return lambda x: [
        p * x ** (p - 1),
        p * (p - 1) * x ** (p - 2),
        p * (p - 1) * (p - 2) * x ** (p - 3),
    ]


# name -> (function of a Value, closed forms of derivatives 1..3, points away
# from the derivatives' zeros so a relative comparison is meaningful)
CASES: dict[str, tuple[Callable[[Any], Any], Callable[[float], list[float]], list[float]]] = {
    "sin": (lambda x: x.sin(), lambda x: [math.cos(x), -math.sin(x), -math.cos(x)],
            [-1.3, 0.4, 2.2]),
    "cos": (lambda x: x.cos(), lambda x: [-math.sin(x), -math.cos(x), math.sin(x)],
            [-1.3, 0.4, 2.2]),
    "exp": (lambda x: x.exp(), lambda x: [math.exp(x)] * 3, [-2.0, 0.1, 3.5]),
    "tanh": (lambda x: x.tanh(), tanh_derivatives, [-1.7, -0.3, 0.25, 1.2]),
    "sigmoid": (lambda x: x.sigmoid(), sigmoid_derivatives, [-2.5, -0.7, 0.9, 3.0]),
    "log": (lambda x: x.log(), lambda x: [1.0 / x, -1.0 / x**2, 2.0 / x**3],
            [0.05, 0.7, 4.0]),
    "sqrt": (lambda x: x.sqrt(),
             lambda x: [0.5 * x**-0.5, -0.25 * x**-1.5, 0.375 * x**-2.5], [0.3, 2.0]),
    "pow 3": (lambda x: x**3, power_derivatives(3.0), [-1.5, 0.5, 2.0]),
    "pow 2.5": (lambda x: x**2.5, power_derivatives(2.5), [0.3, 1.7]),
    "pow -1.5": (lambda x: x**-1.5, power_derivatives(-1.5), [0.4, 3.0]),
    "rpow 2": (lambda x: 2.0**x, lambda x: [math.log(2.0) ** k * 2.0**x for k in (1, 2, 3)],
               [-1.0, 0.5, 3.0]),
    "div": (lambda x: 1.0 / x, lambda x: [-1.0 / x**2, 2.0 / x**3, -6.0 / x**4], [-2.0, 0.5]),
}


def nested(f: Callable[[Any], Any], order: int) -> Callable[..., Any]:
    for _ in range(order):
        f = grad(f)
    return f


@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize("name", list(CASES))
def test_nested_grad_matches_closed_form(name: str, order: int) -> None:
    f, closed, points = CASES[name]
    d = nested(f, order)
    for x in points:
        got = d(x)
        assert type(got) is float
        assert got == pytest.approx(closed(x)[order - 1], rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("name", ["sin", "exp", "tanh", "sigmoid", "log", "pow 3"])
def test_nested_grad_on_values_returns_differentiable_values(name: str) -> None:
    f, closed, points = CASES[name]
    x = Value(points[0])
    d2 = grad(grad(f))(x)
    assert isinstance(d2, Value)
    assert d2.data == pytest.approx(closed(points[0])[1], rel=1e-12)
    d2.backward()  # the second derivative's own graph reaches x
    assert x.grad == pytest.approx(closed(points[0])[2], rel=1e-12)


def test_fourth_and_fifth_derivatives_of_sin() -> None:
    d = nested(lambda x: x.sin(), 5)
    assert d(0.7) == pytest.approx(math.cos(0.7), rel=1e-12)
    assert nested(lambda x: x.sin(), 4)(0.7) == pytest.approx(math.sin(0.7), rel=1e-12)


def test_high_order_of_a_polynomial_ends_in_zero() -> None:
    p = lambda x: 2.0 * x**3 - x * x + 5.0
    assert nested(p, 3)(1.7) == pytest.approx(12.0, rel=1e-12)
    assert nested(p, 4)(1.7) == 0.0
    assert nested(p, 5)(1.7) == 0.0


def test_mixed_partials_through_argnums() -> None:
    f = lambda x, y: x * x * y.sin()
    dxy = grad(grad(f, argnums=0), argnums=1)
    dyx = grad(grad(f, argnums=1), argnums=0)
    x, y = 1.3, 0.4
    assert dxy(x, y) == pytest.approx(2.0 * x * math.cos(y), rel=1e-12)
    assert dyx(x, y) == pytest.approx(2.0 * x * math.cos(y), rel=1e-12)


def test_mixed_partial_of_a_power_at_exponent_zero() -> None:
    # d/dx x**y = y x**(y-1) is 0 at y = 0, but its derivative in y is 1/x:
    # the rule must stay a function of y there (found by random programs).
    dxy = grad(grad(lambda x, y: x**y, argnums=0), argnums=1)
    assert dxy(2.0, 0.0) == 0.5
    assert dxy(2.0, 0.0) == pytest.approx(dxy(2.0, 1e-12), rel=1e-9)
    third = grad(grad(grad(lambda x: (1 + x * x) ** x.tanh())))
    assert third(0.0) == 6.0  # (1 + x²)**tanh(x) = 1 + x³ + O(x⁵)


def test_hessian_of_a_two_variable_function_matches_closed_form() -> None:
    # f = x^2 y + exp(x y) + log(y)
    f = lambda x, y: x * x * y + (x * y).exp() + y.log()
    x, y = 0.6, 1.4
    e = math.exp(x * y)
    expected = [
        [2.0 * y + y * y * e, 2.0 * x + e + x * y * e],
        [2.0 * x + e + x * y * e, x * x * e - 1.0 / y**2],
    ]
    h = hessian(f)(x, y)
    assert len(h) == 2 and all(len(row) == 2 for row in h)
    for row, exp_row in zip(h, expected):
        for got, want in zip(row, exp_row):
            assert type(got) is float
            assert got == pytest.approx(want, rel=1e-12)
    assert gradgradcheck(f, x, y)


def test_hessian_of_a_linear_function_is_zero() -> None:
    assert hessian(lambda x, y: 3.0 * x - y + 1.0)(2.0, 5.0) == [[0.0, 0.0], [0.0, 0.0]]


def test_hessian_with_a_constant_first_derivative_row() -> None:
    # df/dy = 1 does not depend on anything: its row is zero.
    h = hessian(lambda x, y: x * x + y)(3.0, 4.0)
    assert h == [[2.0, 0.0], [0.0, 0.0]]


def test_hessian_on_values_is_differentiable() -> None:
    x, y = Value(0.5), Value(2.0)
    h = hessian(lambda a, b: a**3 * b)(x, y)
    assert all(isinstance(v, Value) for row in h for v in row)
    assert h[0][0].data == pytest.approx(6.0 * 0.5 * 2.0)
    h[0][0].backward()  # d/dx (6 x y) = 6 y, d/dy = 6 x
    assert x.grad == pytest.approx(12.0)
    assert y.grad == pytest.approx(3.0)


def test_hessian_errors() -> None:
    with pytest.raises(ValueError, match=r"hessian: .*at least one argument"):
        hessian(lambda: Value(1.0))()
    with pytest.raises(TypeError, match="hessian"):
        hessian(lambda x: 2.0)(1.0)
    with pytest.raises(TypeError, match="hessian"):
        hessian(42)  # type: ignore[arg-type]


def test_higher_order_with_constants_on_either_side() -> None:
    # Numbers mixed into an operation are recorded as constants of the node;
    # higher-order rules must re-run with them in place.
    f = lambda x: 3.0 / (1.0 + x * x) + 2.0 ** (x * 0.5) - (x - 4.0) ** 2
    def closed2(x: float) -> float:
        u = 1.0 + x * x
        return 3.0 * (6.0 * x * x - 2.0) / u**3 + 0.25 * math.log(2.0) ** 2 * 2.0 ** (x / 2) - 2.0
    assert grad(grad(f))(0.8) == pytest.approx(closed2(0.8), rel=1e-12)
