"""The eager engine against the one-page reference engine, bit for bit.

`autograd_mini.reference` is the whole idea of reverse mode in under 100 lines,
built on the same table of primitives. Random programs drawn by
`autograd_mini.testing.expressions` (every operation of the table, smooth or
not) run through both engines on the same inputs: the results and every
input's gradient must be the same floats, NaN in the same places.

The two differ in one deliberate place: the engine's `backward` lets an edge
whose local derivative is exactly 0 (or a node whose gradient is 0) carry
nothing, even against an inf, where the reference computes ``0 * inf = nan``.
Inputs in [-10, 10] keep every value of the drawn programs finite (measured:
no infinity in 3,000 draws), so there the engines must agree exactly; the
divergence is pinned by `test_the_one_known_difference_zero_edges_against_inf`.
"""

from __future__ import annotations

import ast
import math
import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograd_mini import engine, reference
from autograd_mini.engine import PRIMITIVES
from autograd_mini.testing import ALL_OPS, Expression, expressions, values

REFERENCE = Path(reference.__file__)
XYZ = ("x", "y", "z")


def same(a: float, b: float) -> bool:
    """Identical floats: equal (and of equal sign for zeros), or both NaN."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def on_eager(expr: Expression, xs: list[float]) -> tuple[float, list[float]]:
    inputs = [engine.Value(x) for x in xs]
    out = expr.run(lambda prim, *args: engine.apply(prim, args), inputs)
    out.backward()
    return out.data, [v.grad for v in inputs]


def on_reference(expr: Expression, xs: list[float]) -> tuple[float, list[float]]:
    inputs = [reference.Value(x) for x in xs]
    out = expr.run(reference.apply, inputs)
    out.backward()
    return out.data, [v.grad for v in inputs]


@settings(
    max_examples=1000,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    expressions(XYZ, ops=ALL_OPS, max_depth=5, max_size=12),
    st.lists(values(-10.0, 10.0), min_size=3, max_size=3),
)
def test_eager_engine_equals_the_reference_bit_for_bit(expr: Expression, xs: list[float]) -> None:
    value, grads = on_eager(expr, xs)
    ref_value, ref_grads = on_reference(expr, xs)
    assert same(value, ref_value), (expr, xs, value, ref_value)
    for name, g, r in zip(XYZ, grads, ref_grads):
        assert same(g, r), (expr, xs, name, g, r)


def test_the_one_known_difference_zero_edges_against_inf() -> None:
    # tanh(x**4) for x = 1e200: x*x*x*x overflows to inf, tanh's local
    # derivative there is exactly 0, and the edges below it are inf.
    def program(apply: Any, x: Any) -> Any:
        square = apply(PRIMITIVES["mul"], x, x)
        return apply(PRIMITIVES["tanh"], apply(PRIMITIVES["mul"], square, square))

    eager = engine.Value(1e200)
    out = program(lambda prim, *args: engine.apply(prim, args), eager)
    out.backward()
    ref = reference.Value(1e200)
    ref_out = program(reference.apply, ref)
    ref_out.backward()
    assert out.data == ref_out.data == 1.0
    assert eager.grad == 0.0  # the zero edge carries nothing
    assert math.isnan(ref.grad)  # 0 * inf


def test_the_comparison_sees_a_one_ulp_difference() -> None:
    # `same` is exact: the smallest change of a gradient is a mismatch.
    assert not same(0.1, math.nextafter(0.1, 1.0))
    assert not same(0.0, -0.0)
    assert same(math.nan, math.nan) and not same(math.nan, 1.0)


def test_the_reference_fits_on_a_page() -> None:
    lines = REFERENCE.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 100


def test_the_reference_imports_only_the_table_from_the_package() -> None:
    tree = ast.parse(REFERENCE.read_text(encoding="utf-8"))
    table = {id(p) for p in PRIMITIVES.values()}
    imported: list[tuple[str, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported += [(alias.name, "") for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            imported += [(node.module or "", alias.name) for alias in node.names]
    package = [(m, n) for m, n in imported if m.split(".")[0] == "autograd_mini"]
    assert package, "the reference builds on the engine's table"
    for module, name in package:
        assert module == "autograd_mini.engine", module
        obj: Any = getattr(engine, name)
        assert name in ("PRIMITIVES", "Primitive") or id(obj) in table, name
    others = {m.split(".")[0] for m, _ in imported} - {"autograd_mini", "__future__"}
    assert not others, others
