"""Property tests of the engine on random expression DAGs.

The graphs come from the strategies the library ships for its users
(`autograd_mini.testing.expressions`), so these tests exercise them too.
Finite-difference properties use the smooth operations only (a kink of relu or
abs within a step of the point makes a finite difference meaningless) and skip
points where the graph's intermediate values are large (where a central
difference loses its digits); algebraic properties use every operation.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from autograd_mini import Value, grad, gradients, topological_order
from autograd_mini.testing import (
    ALL_OPS,
    Expression,
    expressions,
    gradcheck,
    gradgradcheck,
    values,
)

XY = ("x", "y")
point = st.tuples(values(-3.0, 3.0), values(-3.0, 3.0))


def graph_scale(root: Value) -> float:
    """The largest magnitude of any value in the graph of ``root``."""
    nodes = topological_order(root)
    leaves = {p for n in nodes for p in n.parents}
    return max((abs(n.data) for n in [root, *nodes, *leaves]), default=0.0)


def largest_term(root: Value) -> float:
    """The largest term ``local * node.grad`` that backward added into any gradient.

    Sums of such terms can cancel, so rounding errors of a gradient are
    relative to this, not to the gradient itself. Call after ``backward()``.
    """
    return max(
        (abs(local * node.grad) for node in topological_order(root)
         for local in node.local_grads),
        default=abs(root.grad),
    )


def examples(fraction: float) -> int:
    """A share of the active profile's max_examples (``thorough`` runs scale up)."""
    return max(10, int(settings.default.max_examples * fraction))


def moderate(expr: Expression, *xs: float) -> None:
    """Skip points where some intermediate value is large or the gradient steep."""
    out = expr(*xs)
    assume(math.isfinite(out.data) and graph_scale(out) < 50.0)
    leaves = [Value(x) for x in xs]
    assume(all(abs(g) < 1e3 for g in gradients(expr(*leaves), leaves)))


# --------------------------------------------------------------------------- finite differences


@settings(max_examples=examples(0.6))
@given(expressions(XY, max_depth=4), point)
def test_gradients_agree_with_finite_differences(expr: Expression, xy: tuple[float, float]) -> None:
    moderate(expr, *xy)
    assert gradcheck(expr, *xy, rtol=1e-4, atol=1e-5)


@settings(max_examples=examples(0.6))
@given(expressions(XY, max_depth=4), point)
def test_gradients_agree_with_float_finite_differences(
    expr: Expression, xy: tuple[float, float]
) -> None:
    # An independent reference: central differences of the formula on plain
    # floats (Expression.value), which never builds a Value.
    moderate(expr, *xy)
    x, y = xy
    leaves = [Value(x), Value(y)]
    gx, gy = gradients(expr(*leaves), leaves)
    h = 1e-6
    nx = (expr.value(x=x + h, y=y) - expr.value(x=x - h, y=y)) / ((x + h) - (x - h))
    ny = (expr.value(x=x, y=y + h) - expr.value(x=x, y=y - h)) / ((y + h) - (y - h))
    assert gx == pytest.approx(nx, rel=1e-4, abs=1e-5)
    assert gy == pytest.approx(ny, rel=1e-4, abs=1e-5)


@settings(max_examples=examples(0.4))
@given(expressions(XY, max_depth=3), point)
def test_second_derivatives_agree_with_finite_differences_of_first(
    expr: Expression, xy: tuple[float, float]
) -> None:
    moderate(expr, *xy)
    assert gradgradcheck(expr, *xy, rtol=1e-4, atol=1e-5)


@settings(max_examples=examples(0.3))
@given(expressions(("x",), max_depth=3), values(-2.0, 2.0))
def test_third_derivative_agrees_with_finite_differences_of_second(
    expr: Expression, x: float
) -> None:
    moderate(expr, x)
    d2 = grad(grad(expr))
    d3 = grad(d2)(x)
    h = 1e-5
    numeric = (d2(x + h) - d2(x - h)) / ((x + h) - (x - h))
    assert math.isfinite(d2(x))
    assert d3 == pytest.approx(numeric, rel=1e-3, abs=1e-4)


@settings(max_examples=examples(0.5))
@given(expressions(XY, ops=ALL_OPS), values(), values())
def test_differentiable_gradients_have_the_recorded_values(
    expr: Expression, x: float, y: float
) -> None:
    # create_graph=True re-runs every derivative rule on Values; at first
    # order it must reproduce the floats recorded at forward time.
    leaves = [Value(x), Value(y)]
    out = expr(*leaves)
    assume(math.isfinite(out.data))
    plain = gradients(out, leaves)
    graphed = [float(g) for g in gradients(out, leaves, create_graph=True)]
    assume(all(math.isfinite(g) for g in plain))
    assert graphed == pytest.approx(plain, rel=1e-12, abs=1e-300)


def identical(a: float, b: float) -> bool:
    """The same float: equal with the same sign (0.0 is not -0.0), or both NaN."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


@settings(max_examples=examples(1.0))
@given(expressions(XY, ops=ALL_OPS, max_size=14), values(-1e3, 1e3), values(-1e3, 1e3))
def test_grad_and_gradients_equal_backward_bit_for_bit(
    expr: Expression, x: float, y: float
) -> None:
    # One accumulation routine serves all three: the same floats, NaN included.
    leaves = [Value(x), Value(y)]
    expr(*leaves).backward()
    by_backward = [leaf.grad for leaf in leaves]
    fresh = [Value(x), Value(y)]
    by_gradients = gradients(expr(*fresh), fresh)
    by_grad = grad(expr, argnums=(0, 1))(x, y)
    by_grad_each = [grad(expr, argnums=0)(x, y), grad(expr, argnums=1)(x, y)]
    for b, g, f, e in zip(by_backward, by_gradients, by_grad, by_grad_each):
        assert identical(b, g) and identical(b, f) and identical(b, e), (b, g, f, e)
    assert [leaf.grad for leaf in fresh] == [0.0, 0.0]  # gradients touches no .grad


# --------------------------------------------------------------------------- algebra


@settings(max_examples=examples(0.5))
@given(
    expressions(XY, ops=ALL_OPS),
    expressions(XY, ops=ALL_OPS),
    values(-3.0, 3.0),
    values(-3.0, 3.0),
    values(),
    values(),
)
def test_backward_is_linear(
    f: Expression, g: Expression, a: float, b: float, x: float, y: float
) -> None:
    def grads(build: object) -> tuple[list[float], float]:
        leaves = [Value(x), Value(y)]
        out = build(*leaves)  # type: ignore[operator]
        assume(math.isfinite(out.data))
        out.backward()
        return [leaf.grad for leaf in leaves], largest_term(out)

    gf, tf = grads(f)
    gg, tg = grads(g)
    combined, _ = grads(lambda u, v: a * f(u, v) + b * g(u, v))
    assume(all(math.isfinite(t) for t in [*gf, *gg, tf, tg]))
    tolerance = 1e-12 * (abs(a) * tf + abs(b) * tg) + 1e-300
    for c, p, q in zip(combined, gf, gg):
        assert abs(c - (a * p + b * q)) <= tolerance


@settings(max_examples=examples(0.5))
@given(expressions(XY, ops=ALL_OPS, max_size=14), values(), values())
def test_backward_twice_doubles_every_gradient(expr: Expression, x: float, y: float) -> None:
    leaves = [Value(x), Value(y)]
    root = expr(*leaves)
    assume(math.isfinite(root.data))
    root.backward()
    interior = topological_order(root)
    once_interior = [n.grad for n in interior]
    once_leaves = [leaf.grad for leaf in leaves]
    term = largest_term(root)
    assume(all(math.isfinite(v) for v in [*once_leaves, term]))
    root.backward()
    # Interior nodes repeat exactly the same pass; leaves accumulate term by
    # term onto their previous sum, so they may round differently.
    assert [n.grad for n in interior] == [2.0 * g for g in once_interior]
    for leaf, g in zip(leaves, once_leaves):
        assert abs(leaf.grad - 2.0 * g) <= 1e-12 * term + 1e-300


@settings(max_examples=examples(0.4))
@given(
    st.lists(expressions(XY, ops=ALL_OPS, max_size=6), min_size=1, max_size=4),
    values(),
    values(),
)
def test_gradient_of_a_sum_of_graphs_is_the_sum_of_gradients(
    exprs: list[Expression], x: float, y: float
) -> None:
    separate = []
    for e in exprs:
        leaves = [Value(x), Value(y)]
        out = e(*leaves)
        assume(math.isfinite(out.data))
        separate.append(gradients(out, leaves))
    leaves = [Value(x), Value(y)]
    total = exprs[0](*leaves)
    for e in exprs[1:]:
        total = total + e(*leaves)
    total.backward()
    term = largest_term(total)
    assume(all(math.isfinite(g) for gs in separate for g in [*gs, term]))
    for k, leaf in enumerate(leaves):
        expected = math.fsum(gs[k] for gs in separate)
        assert abs(leaf.grad - expected) <= 1e-12 * term + 1e-300


@settings(max_examples=examples(0.5))
@given(expressions(XY, ops=ALL_OPS), values(), values())
def test_expression_value_matches_the_graph(expr: Expression, x: float, y: float) -> None:
    out = expr.evaluate(x=x, y=y)
    reference = expr.value(x=x, y=y)
    assert out.data == pytest.approx(reference, rel=1e-15, abs=0.0, nan_ok=True)
