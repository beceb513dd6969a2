"""Every entry of the table of primitives against central finite differences.

The tests are parametrized over ``autograd_mini.ops.PRIMITIVES``. Each entry
needs an input domain and an independent reference forward below: adding a
primitive to the table without them makes these tests fail, on purpose.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_mini import Value
from autograd_mini.ops import PRIMITIVES, Primitive

moderate = st.floats(min_value=-5.0, max_value=5.0, allow_nan=False)
positive = st.floats(min_value=0.1, max_value=5.0)
away_from_zero = moderate.filter(lambda x: abs(x) > 1e-2)


def _args(*parts: st.SearchStrategy[float]) -> st.SearchStrategy[tuple[float, ...]]:
    return st.tuples(*parts)


def _dot_args() -> st.SearchStrategy[tuple[float, ...]]:
    # (w1..wn, x1..xn, b)
    return st.integers(min_value=0, max_value=4).flatmap(
        lambda n: st.tuples(*([moderate] * (2 * n + 1)))
    )


def _reference_dot(*args: float) -> float:
    n = (len(args) - 1) // 2
    return args[-1] + math.fsum(w * x for w, x in zip(args[:n], args[n : 2 * n]))


# Inputs inside each primitive's domain, away from points where it is not differentiable.
DOMAINS: dict[str, st.SearchStrategy[tuple[float, ...]]] = {
    "add": _args(moderate, moderate),
    "sub": _args(moderate, moderate),
    "mul": _args(moderate, moderate),
    "scale": _args(moderate, moderate),  # (x, constant)
    "neg": _args(moderate),
    "div": _args(moderate, away_from_zero.filter(lambda y: abs(y) > 0.1)),
    "quotient": _args(moderate, away_from_zero.filter(lambda y: abs(y) > 0.1)),
    "pow": _args(positive, st.floats(min_value=-3.0, max_value=3.0)),
    "abs": _args(away_from_zero),
    "relu": _args(away_from_zero),
    "tanh": _args(moderate),
    "sigmoid": _args(moderate),
    "softplus": _args(moderate),
    "exp": _args(moderate),
    "log": _args(positive),
    "sqrt": _args(positive),
    "sin": _args(moderate),
    "cos": _args(moderate),
    "dot": _dot_args(),
    # away from the kink: the weighted sum is clearly positive or negative
    "dot_relu": _dot_args().filter(lambda a: abs(_reference_dot(*a)) > 1e-2),
    "sum": st.lists(moderate, min_size=1, max_size=6).map(tuple),
}


# Forward functions written independently of ops.py.
REFERENCE: dict[str, Callable[..., float]] = {
    "add": lambda x, y: x + y,
    "sub": lambda x, y: x - y,
    "mul": lambda x, y: x * y,
    "scale": lambda x, c: x * c,
    "neg": lambda x: -x,
    "div": lambda x, y: x / y,
    "quotient": lambda x, y: x / y,
    "pow": lambda x, y: math.exp(y * math.log(x)),
    "abs": lambda x: math.fabs(x),
    "relu": lambda x: max(x, 0.0),
    "tanh": lambda x: math.sinh(x) / math.cosh(x),
    "sigmoid": lambda x: 1.0 / (1.0 + math.exp(-x)),
    "softplus": lambda x: math.log(1.0 + math.exp(x)),
    "exp": lambda x: math.e**x,
    "log": lambda x: math.log(x),
    "sqrt": lambda x: x**0.5,
    "sin": math.sin,
    "cos": math.cos,
    "dot": _reference_dot,
    "dot_relu": lambda *a: max(_reference_dot(*a), 0.0),
    "sum": lambda *xs: math.fsum(xs),
}

NAMES = sorted(PRIMITIVES)
NARY = {"dot", "dot_relu", "sum"}


def partial_by_central_difference(f: Callable[..., float], args: Sequence[float], i: int) -> float:
    h = 1e-6 * max(1.0, abs(args[i]))
    up = list(args)
    down = list(args)
    up[i] += h
    down[i] -= h
    return (f(*up) - f(*down)) / (2 * h)


def as_float(d: object) -> float:
    """A derivative rule returns a Value (when it depends on the inputs) or a constant."""
    if isinstance(d, Value):
        return d.data
    assert isinstance(d, (int, float))
    return float(d)


def test_every_primitive_has_a_domain_and_a_reference() -> None:
    assert set(DOMAINS) == set(PRIMITIVES)
    assert set(REFERENCE) == set(PRIMITIVES)


@pytest.mark.parametrize("name", NAMES)
def test_table_entry_is_well_formed(name: str) -> None:
    prim = PRIMITIVES[name]
    assert isinstance(prim, Primitive)
    assert isinstance(prim.name, str) and prim.name
    assert callable(prim.forward)
    assert isinstance(prim.doc, str) and prim.doc
    if name in NARY:
        assert prim.arity is None
    else:
        assert prim.arity == len(prim.partials)
        assert all(callable(p) for p in prim.partials)


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_forward_matches_reference(name: str, data: st.DataObject) -> None:
    prim = PRIMITIVES[name]
    args = data.draw(DOMAINS[name])
    if prim.arity is not None:
        assert len(args) == prim.arity
    expected = REFERENCE[name](*args)
    assert prim.forward(*args) == pytest.approx(expected, rel=1e-12, abs=1e-12)
    # called on plain numbers, a primitive is just its forward function
    result = prim(*args)
    assert not isinstance(result, Value)
    assert result == pytest.approx(expected, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_recorded_local_grads_match_finite_differences(name: str, data: st.DataObject) -> None:
    prim = PRIMITIVES[name]
    args = data.draw(DOMAINS[name])
    f = REFERENCE[name]
    if name == "scale":  # x * constant: x is the only parent
        x = Value(args[0])
        node = prim(x, args[1])
        values = [x]
        positions = [0]
    else:
        values = [Value(a) for a in args]
        node = prim(*values)
        positions = list(range(len(args)))
    assert isinstance(node, Value)
    assert node.op == prim.name
    assert node.data == pytest.approx(f(*args), rel=1e-12, abs=1e-12)
    assert len(node.parents) == len(values)
    assert all(p is v for p, v in zip(node.parents, values))
    assert len(node.local_grads) == len(values)
    node.backward()
    for local, v, i in zip(node.local_grads, values, positions):
        expected = partial_by_central_difference(f, args, i)
        assert type(local) is float
        assert local == pytest.approx(expected, rel=1e-5, abs=1e-6), (
            f"d {name} / d arg{i} at {args}"
        )
        assert v.grad == pytest.approx(expected, rel=1e-5, abs=1e-6)  # backward uses it


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_derivative_rules_on_values_and_floats_match_finite_differences(
    name: str, data: st.DataObject
) -> None:
    prim = PRIMITIVES[name]
    args = data.draw(DOMAINS[name])
    f = REFERENCE[name]
    # Arguments a primitive requires to be constants (SCALE's coefficient)
    # stay numbers; the rules still give their derivative.
    kinds = [prim.domain[i % len(prim.domain)] for i in range(len(args))]
    values = [a if kind == "constant" else Value(a) for a, kind in zip(args, kinds)]
    out = prim(*values)
    assert isinstance(out, Value)
    on_values = prim.derivatives(values, out)
    on_floats = prim.derivatives(list(args), prim.forward(*args))
    assert len(on_values) == len(on_floats) == len(args)
    for i, (dv, df) in enumerate(zip(on_values, on_floats)):
        expected = partial_by_central_difference(f, args, i)
        assert as_float(dv) == pytest.approx(expected, rel=1e-5, abs=1e-6), (
            f"rule on Values: d {name} / d arg{i} at {args}"
        )
        assert not isinstance(df, Value)
        assert float(df) == pytest.approx(expected, rel=1e-5, abs=1e-6), (
            f"rule on floats: d {name} / d arg{i} at {args}"
        )


def test_value_operators_record_the_table_names() -> None:
    a, b = Value(2.0), Value(3.0)
    expected = {
        "add": a + b,
        "sub": a - b,
        "mul": a * b,
        "scale": a * 3.0,
        "neg": -a,
        "div": a / b,
        "pow": a**b,
        "abs": abs(a),
        "relu": a.relu(),
        "tanh": a.tanh(),
        "sigmoid": a.sigmoid(),
        "exp": a.exp(),
        "log": a.log(),
        "sqrt": a.sqrt(),
        "sin": a.sin(),
        "cos": a.cos(),
    }
    for name, node in expected.items():
        assert node.op == PRIMITIVES[name].name, name


def test_primitive_checks_its_number_of_arguments() -> None:
    with pytest.raises(TypeError, match="tanh"):
        PRIMITIVES["tanh"](Value(1.0), Value(2.0))
    with pytest.raises(TypeError, match=r"\+"):
        PRIMITIVES["add"](Value(1.0))
