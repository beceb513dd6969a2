"""Operators and methods of Value: results and gradients against closed forms.

Every expected derivative here is written from calculus (closed forms) or
measured by central finite differences on plain floats, never read back from
the engine.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from autograd_mini import Value


def central_difference(f: Callable[[float], float], x: float) -> float:
    h = 1e-6 * max(1.0, abs(x))
    return (f(x + h) - f(x - h)) / (2 * h)


moderate = st.floats(min_value=-10.0, max_value=10.0, allow_nan=False)
positive = st.floats(min_value=0.1, max_value=10.0)
nonzero = moderate.filter(lambda x: abs(x) > 0.1)

# --------------------------------------------------------------------------- binary operators
# name -> (apply the operator, value, d/dx, d/dy), all closed forms on floats.
BINARY: dict[str, tuple[Callable[..., object], Callable[[float, float], float],
                        Callable[[float, float], float], Callable[[float, float], float]]] = {
    "+": (lambda x, y: x + y, lambda x, y: x + y, lambda x, y: 1.0, lambda x, y: 1.0),
    "-": (lambda x, y: x - y, lambda x, y: x - y, lambda x, y: 1.0, lambda x, y: -1.0),
    "*": (lambda x, y: x * y, lambda x, y: x * y, lambda x, y: y, lambda x, y: x),
    "/": (lambda x, y: x / y, lambda x, y: x / y, lambda x, y: 1 / y, lambda x, y: -x / y**2),
    "**": (
        lambda x, y: x**y,
        lambda x, y: math.pow(x, y),
        lambda x, y: y * math.pow(x, y - 1),
        lambda x, y: math.log(x) * math.pow(x, y),
    ),
}


def _pair(op: str) -> st.SearchStrategy[tuple[float, float]]:
    if op == "/":
        return st.tuples(moderate, nonzero)
    if op == "**":
        return st.tuples(positive, st.floats(min_value=-3.0, max_value=3.0))
    return st.tuples(moderate, moderate)


@pytest.mark.parametrize("op", list(BINARY))
@given(data=st.data())
def test_binary_operator_value_value(op: str, data: st.DataObject) -> None:
    x, y = data.draw(_pair(op))
    apply, value, dx, dy = BINARY[op]
    a, b = Value(x), Value(y)
    out = apply(a, b)
    assert isinstance(out, Value)
    assert out.data == pytest.approx(value(x, y), rel=1e-12, abs=1e-12)
    out.backward()
    assert a.grad == pytest.approx(dx(x, y), rel=1e-9, abs=1e-12)
    assert b.grad == pytest.approx(dy(x, y), rel=1e-9, abs=1e-12)


NUMBER_TYPES: list[type] = [int, float, np.float64, np.float32, np.int64]


@pytest.mark.parametrize("op", list(BINARY))
@given(data=st.data())
def test_binary_operator_with_a_number_on_either_side(op: str, data: st.DataObject) -> None:
    number_type = data.draw(st.sampled_from(NUMBER_TYPES))
    x, y = data.draw(_pair(op))
    if number_type in (int, np.int64):
        y = float(round(y)) or 1.0
        x = float(round(x)) or 1.0
        if op == "**":
            x = abs(x) or 1.0
    if number_type is np.float32:
        x, y = float(np.float32(x)), float(np.float32(y))
    apply, value, dx, dy = BINARY[op]

    a = Value(x)
    right = apply(a, number_type(y))  # Value op number
    assert isinstance(right, Value)
    assert right.data == pytest.approx(value(x, y), rel=1e-12, abs=1e-12)
    right.backward()
    assert a.grad == pytest.approx(dx(x, y), rel=1e-9, abs=1e-12)

    b = Value(y)
    left = apply(number_type(x), b)  # number op Value
    assert isinstance(left, Value)
    assert left.data == pytest.approx(value(x, y), rel=1e-12, abs=1e-12)
    left.backward()
    assert b.grad == pytest.approx(dy(x, y), rel=1e-9, abs=1e-12)


def test_pow_with_negative_base_and_integer_exponent() -> None:
    a = Value(-2.0)
    y = a**3
    assert y.data == -8.0
    y.backward()
    assert a.grad == 12.0  # 3 * (-2)**2
    b = Value(-2.0)
    z = b**-2
    assert z.data == 0.25
    z.backward()
    assert b.grad == pytest.approx(-2 * (-2.0) ** -3)


def test_pow_zero_exponent_and_zero_base() -> None:
    a = Value(0.0)
    y = a**2
    y.backward()
    assert (y.data, a.grad) == (0.0, 0.0)
    b = Value(5.0)
    z = b**0
    z.backward()
    assert (z.data, b.grad) == (1.0, 0.0)
    e = Value(3.0)
    w = 0**e  # d/de 0**e = 0 for e > 0
    w.backward()
    assert (w.data, e.grad) == (0.0, 0.0)


# --------------------------------------------------------------------------- unary ops and methods
# name -> (call, value, derivative, domain)
UNARY: dict[str, tuple[Callable[[Value], Value], Callable[[float], float],
                       Callable[[float], float], st.SearchStrategy[float]]] = {
    "neg": (lambda v: -v, lambda x: -x, lambda x: -1.0, moderate),
    "abs": (abs, abs, lambda x: math.copysign(1.0, x), nonzero),
    "relu": (lambda v: v.relu(), lambda x: max(x, 0.0), lambda x: float(x > 0), nonzero),
    "tanh": (
        lambda v: v.tanh(),
        lambda x: (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1),
        lambda x: 1 / math.cosh(x) ** 2,
        moderate,
    ),
    "sigmoid": (
        lambda v: v.sigmoid(),
        lambda x: 1 / (1 + math.exp(-x)),
        lambda x: math.exp(-x) / (1 + math.exp(-x)) ** 2,
        moderate,
    ),
    "exp": (lambda v: v.exp(), lambda x: math.e**x, lambda x: math.e**x, moderate),
    "log": (lambda v: v.log(), lambda x: math.log(x), lambda x: 1 / x, positive),
    "sqrt": (lambda v: v.sqrt(), lambda x: x**0.5, lambda x: 0.5 * x**-0.5, positive),
    "sin": (lambda v: v.sin(), math.sin, math.cos, moderate),
    "cos": (lambda v: v.cos(), math.cos, lambda x: -math.sin(x), moderate),
}


@pytest.mark.parametrize("name", list(UNARY))
@given(data=st.data())
def test_unary_against_closed_form_and_finite_differences(name: str, data: st.DataObject) -> None:
    call, value, derivative, domain = UNARY[name]
    x = data.draw(domain)
    a = Value(x)
    out = call(a)
    assert isinstance(out, Value)
    assert out.data == pytest.approx(value(x), rel=1e-12, abs=1e-12)
    out.backward()
    assert a.grad == pytest.approx(derivative(x), rel=1e-9, abs=1e-12)
    assert a.grad == pytest.approx(central_difference(value, x), rel=1e-5, abs=1e-6)


def test_relu_and_abs_at_zero_have_zero_gradient() -> None:
    for call in (lambda v: v.relu(), abs):
        a = Value(0.0)
        out = call(a)
        out.backward()
        assert out.data == 0.0
        assert a.grad == 0.0


def test_unary_plus_returns_the_value() -> None:
    a = Value(2.0)
    assert +a is a


# --------------------------------------------------------------------------- composite expressions


@given(x=st.floats(min_value=0.2, max_value=3.0), y=st.floats(min_value=-2.0, max_value=2.0))
def test_composite_expression_against_finite_differences(x: float, y: float) -> None:
    def f(u: float, w: float) -> float:
        return (
            math.sin(u * w) + u**2 / (1 + w * w) - 3 ** (w / 2) + math.sqrt(u) * math.tanh(w)
            + math.log(u + 1) * math.exp(-w) - abs(w - 7) + max(u - 1, 0.0) * 2
        )

    a, b = Value(x), Value(y)
    out = ((a * b).sin() + a**2 / (1 + b * b) - 3 ** (b / 2) + a.sqrt() * b.tanh()
           + (a + 1).log() * (-b).exp() - abs(b - 7) + (a - 1).relu() * 2)
    assume(abs(x - 1) > 1e-3)
    assert out.data == pytest.approx(f(x, y), rel=1e-12, abs=1e-12)
    out.backward()
    assert a.grad == pytest.approx(central_difference(lambda u: f(u, y), x), rel=1e-5, abs=1e-6)
    assert b.grad == pytest.approx(central_difference(lambda w: f(x, w), y), rel=1e-5, abs=1e-6)


# --------------------------------------------------------------------------- in-place forms

@pytest.mark.parametrize(
    ("op", "expected_value", "expected_grad"),
    [
        ("+=", 2.0 + 3.0, 1.0),
        ("-=", 2.0 - 3.0, 1.0),
        ("*=", 2.0 * 3.0, 3.0),
        ("/=", 2.0 / 3.0, 1 / 3.0),
        ("**=", 2.0**3.0, 3.0 * 2.0**2),
    ],
)
@pytest.mark.parametrize("other_is_value", [False, True])
def test_inplace_forms_make_new_nodes(
    op: str, expected_value: float, expected_grad: float, other_is_value: bool
) -> None:
    a = Value(2.0)
    other: Value | float = Value(3.0) if other_is_value else 3.0
    v = a
    namespace = {"v": v, "other": other}
    exec(f"v {op} other", namespace)
    new = namespace["v"]
    assert isinstance(new, Value)
    assert new is not a
    # the old object is untouched
    assert a.data == 2.0 and a.grad == 0.0 and a.parents == () and a.op == ""
    assert new.data == pytest.approx(expected_value)
    assert new.parents[0] is a
    new.backward()
    assert a.grad == pytest.approx(expected_grad)


def test_inplace_accumulation_in_a_loop() -> None:
    xs = [Value(float(i)) for i in range(1, 6)]
    total = Value(0.0)
    first = total
    for x in xs:
        total += x * x
    assert first.data == 0.0 and first.is_leaf
    assert total.data == sum(i * i for i in range(1, 6))
    total.backward()
    assert [x.grad for x in xs] == [2.0 * i for i in range(1, 6)]
    assert first.grad == 1.0


# --------------------------------------------------------------------------- numerical stability


@pytest.mark.parametrize("x", [1000.0, -1000.0, 1e300, -1e300, 710.0, -800.0])
def test_sigmoid_is_stable_for_large_inputs(x: float) -> None:
    a = Value(x)
    s = a.sigmoid()
    assert s.data == (1.0 if x > 0 else 0.0)
    s.backward()
    assert a.grad == 0.0
    assert not math.isnan(a.grad)


@pytest.mark.parametrize("x", [1000.0, -1000.0, 1e300, -1e300])
def test_tanh_is_stable_for_large_inputs(x: float) -> None:
    a = Value(x)
    t = a.tanh()
    assert t.data == math.copysign(1.0, x)
    t.backward()
    assert a.grad == 0.0
    assert not math.isnan(a.grad)


def test_sigmoid_symmetry_over_a_wide_range() -> None:
    # s(x) + s(-x) = 1 and tanh is odd, including where a naive formula would overflow
    for x in [0.0, 1e-8, 0.5, 20.0, 40.0, 700.0, 800.0]:
        assert Value(x).sigmoid().data + Value(-x).sigmoid().data == pytest.approx(1.0)
        assert Value(x).tanh().data == -Value(-x).tanh().data


def test_exp_overflow_gives_infinity() -> None:
    y = Value(1000.0).exp()
    assert y.data == math.inf
    assert Value(-1000.0).exp().data == 0.0  # underflow is fine
