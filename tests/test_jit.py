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


# --------------------------------------------------------------------------- random programs

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from autograd_mini.testing import ALL_OPS, Expression, expressions  # noqa: E402

POINTS = st.one_of(
    st.floats(-3.0, 3.0),
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.5]),  # kinks of relu and abs, exact zeros
)
RANDOM_PROGRAMS = 1000


def eager_run(expr: Expression, point: Sequence[float], z: Value) -> list[float]:
    """Value and d/dx, d/dy, d/dz of ``expr(x, y, z)`` on the engine, op by op."""
    x, y = Value(point[0]), Value(point[1])
    z.data, z.grad = point[2], 0.0
    out = expr(x, y, z)
    out.backward()
    return [out.data, x.grad, y.grad, z.grad]


@settings(
    max_examples=RANDOM_PROGRAMS,
    derandomize=True,  # a fixed sequence of programs, in CI and locally
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    expressions(("x", "y", "z"), ops=ALL_OPS, max_depth=5, max_size=12),
    st.lists(st.tuples(POINTS, POINTS, POINTS), min_size=4, max_size=4),
    st.booleans(),
)
def test_random_programs_replay_bit_for_bit_like_eager(
    expr: Expression, points: list[tuple[float, float, float]], x_is_number: bool
) -> None:
    # x and y are arguments (x passed as a number or a Value), z is captured
    # from outside, as a model's parameter would be: read at every call, with
    # its gradient filled by backward. The program is traced on the first point
    # and replayed on the three others.
    z = Value(0.0)
    traces = []

    def program(x: Value, y: Value) -> Value:
        traces.append(1)
        return expr(x, y, z)

    f = jit(program)
    for point in points:
        want = eager_run(expr, point, z)
        z.data, z.grad = point[2], 0.0
        x, y = Value(point[0]), Value(point[1])
        out = f(point[0] if x_is_number else x, y)
        out.backward()
        got = [out.data, x.grad, y.grad, z.grad]
        if x_is_number:
            want[1] = 0.0  # a number argument has no gradient to fill
        assert all_same(got, want), (str(expr), point, got, want, f.source)
    assert len(traces) == 1
