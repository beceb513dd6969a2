"""`autograd_mini.jit`: traced once, replayed bit for bit like the engine.

Every comparison is exact: values and gradients are compared with ``==`` (NaN
where eager has NaN), never with a tolerance, since the generated code runs
the engine's own float functions in the engine's order.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from autograd_mini import TraceWarning, Value, jit


def same(a: float, b: float) -> bool:
    """Bit-for-bit agreement as the tests mean it: ``==``, or NaN in both."""
    return a == b or (a != a and b != b)


def all_same(xs: Sequence[float], ys: Sequence[float]) -> bool:
    return len(xs) == len(ys) and all(map(same, xs, ys))


# --------------------------------------------------------------------------- arguments


def test_the_same_value_passed_twice_gets_each_share_and_later_calls_are_not_aliased() -> None:
    f = jit(lambda x, y: x * y + x)
    a = Value(3.0)
    out = f(a, a)  # traced with x is y
    out.backward()
    assert (out.data, a.grad) == (12.0, 7.0)  # d(a*a + a)/da = 2a + 1
    c, d = Value(5.0), Value(4.0)
    out = f(c, d)  # the same structure: replayed, x and y now distinct
    out.backward()
    assert (out.data, c.grad, d.grad) == (25.0, 5.0, 5.0)


def test_a_value_argument_read_in_python_warns_like_a_number_argument() -> None:
    def f(x: Value) -> Value:
        return x * 2 if x.data > 0 else -x

    with pytest.warns(TraceWarning, match=r"\.data"):
        jit(f)(Value(1.0))


def test_a_jitted_function_called_inside_another_is_traced_through() -> None:
    inner = jit(lambda x, k: (x * x).relu() * k)
    outer = jit(lambda x: inner(x, 3.0) + x)
    for v in (2.0, 3.0, -1.0):  # the first call traces; the others replay
        a, b = Value(v), Value(v)
        out = outer(a)
        out.backward()
        want = (b * b).relu() * 3.0 + b
        want.backward()
        assert (out.data, a.grad) == (want.data, b.grad)


def test_higher_order_gradients_through_a_jit_output_raise() -> None:
    from autograd_mini import grad, hessian

    cube = jit(lambda x: x * x * x)
    assert grad(cube)(2.0) == 12.0  # first order is fine
    with pytest.raises(TypeError, match="compiled with jit.*cannot be differentiated again"):
        grad(grad(cube))(2.0)
    with pytest.raises(TypeError, match="compiled with jit"):
        hessian(lambda x, y: jit(lambda a, b: a * a * b)(x, y))(1.0, 2.0)


@pytest.mark.parametrize(
    ("fn", "point"),
    [
        (lambda x, y: (x - y).exp(), (800.0, 0.0)),  # gradients +inf and -inf
        (lambda x, y: x * 1e308 + y * 1e308, (1.0, 1.0)),  # finite, their sum overflows
    ],
    ids=["opposite-infinities", "large-finite"],
)
def test_gradients_whose_sum_is_not_finite_are_still_the_engines(
    fn: Callable[..., Value], point: tuple[float, float]
) -> None:
    a, b = (Value(v) for v in point)
    want = fn(a, b)
    want.backward()
    c, d = (Value(v) for v in point)
    out = jit(fn)(c, d)
    out.backward()
    assert all_same([out.data, c.grad, d.grad], [want.data, a.grad, b.grad])
