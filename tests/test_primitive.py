"""User-defined operations with `primitive`, and the table of built-in primitives."""

from __future__ import annotations

import math

import pytest

from autograd_mini import Primitive, Value, grad, hessian, primitive, topological_order
from autograd_mini.ops import FUNCTIONS, PRIMITIVES
from autograd_mini.testing import gradcheck, gradgradcheck

softsign = primitive(
    lambda x: x / (1 + abs(x)),
    lambda x: 1 / (1 + abs(x)) ** 2,
    name="softsign",
)


def softsign_derivatives(x: float) -> list[float]:
    s = 1.0 + abs(x)
    sign = (x > 0) - (x < 0)
    return [s**-2, -2.0 * sign * s**-3, 6.0 * s**-4]


def hypot_forward(x: float, y: float) -> float:
    return math.hypot(x, y)


hypot = primitive(hypot_forward, lambda x, y: x / hypot(x, y), lambda x, y: y / hypot(x, y))


def test_primitive_returns_a_primitive() -> None:
    assert isinstance(softsign, Primitive)
    assert softsign.name == "softsign"
    assert softsign.arity == 1
    assert hypot.arity == 2


def test_applies_to_numbers() -> None:
    out = softsign(0.5)
    assert type(out) is float
    assert out == pytest.approx(0.5 / 1.5)
    assert softsign(-3) == pytest.approx(-0.75)
    assert hypot(3.0, 4.0) == 5.0


def test_applies_to_values_as_one_node() -> None:
    x = Value(0.5)
    y = softsign(x)
    assert isinstance(y, Value)
    assert y.data == pytest.approx(1.0 / 3.0)
    assert y.op == "softsign"
    assert y.parents == (x,)
    assert y.local_grads == pytest.approx((1.0 / 1.5**2,))
    assert topological_order(y) == [y]
    y.backward()
    assert x.grad == pytest.approx(1.0 / 2.25)


def test_two_arguments_and_constants() -> None:
    x, y = Value(3.0), Value(4.0)
    r = hypot(x, y)
    assert r.op == "hypot_forward" and r.parents == (x, y)
    r.backward()
    assert (x.grad, y.grad) == pytest.approx((0.6, 0.8))
    # A number in place of a Value is a constant, not a parent.
    x2 = Value(3.0)
    r2 = hypot(x2, 4.0)
    assert r2.parents == (x2,) and r2.op == "hypot_forward"
    r2.backward()
    assert x2.grad == pytest.approx(0.6)
    assert gradcheck(lambda a, b: hypot(a, b) * a, 3.0, -4.0)


def test_default_names() -> None:
    def cube(x: float) -> float:
        return x**3

    assert primitive(cube, lambda x: 3 * x**2).name == "cube"
    assert primitive(lambda x: x, lambda x: 1.0).name == "primitive"


def test_gradcheck_on_a_correct_primitive() -> None:
    for x in (-2.0, -0.3, 0.4, 5.0):
        assert gradcheck(lambda t: softsign(t), x)


@pytest.mark.parametrize("order", [1, 2, 3])
def test_higher_order_grad_through_a_primitive(order: int) -> None:
    d = lambda t: softsign(t)
    for _ in range(order):
        d = grad(d)
    for x in (-1.3, 0.6, 2.0):
        assert d(x) == pytest.approx(softsign_derivatives(x)[order - 1], rel=1e-12)


def test_hessian_through_a_two_argument_primitive() -> None:
    x, y = 3.0, 4.0
    r = 5.0
    expected = [[y * y / r**3, -x * y / r**3], [-x * y / r**3, x * x / r**3]]
    h = hessian(lambda a, b: hypot(a, b))(x, y)
    for row, want in zip(h, expected):
        assert row == pytest.approx(want, rel=1e-12)
    assert gradgradcheck(lambda a, b: hypot(a, b), x, y)


def test_partials_written_with_math_functions_lose_higher_orders() -> None:
    # math.cos accepts a Value through float(), so this rule is right at first
    # order but returns a constant for higher ones. gradgradcheck catches it.
    msin = primitive(math.sin, math.cos, name="msin")
    assert gradcheck(lambda t: msin(t), 0.5)
    assert grad(grad(lambda t: msin(t)))(0.5) == 0.0  # not -sin(0.5)
    with pytest.raises(AssertionError, match="MISMATCH"):
        gradgradcheck(lambda t: msin(t), 0.5)


@pytest.mark.parametrize("args", [(), (1.0, 2.0), (Value(1.0), 2.0, 3.0)])
def test_wrong_arity_is_a_type_error(args: tuple[object, ...]) -> None:
    with pytest.raises(TypeError, match=r"softsign: takes 1 argument\(s\), got"):
        softsign(*args)


def test_bad_arguments_are_type_errors() -> None:
    with pytest.raises(TypeError, match="softsign"):
        softsign("1.0")
    with pytest.raises(TypeError, match="softsign"):
        softsign(None)


@pytest.mark.parametrize(
    ("args", "kwargs", "pattern"),
    [
        ((3.0, lambda x: 1.0), {}, "f must be callable"),
        ((math.sin,), {}, "partial"),
        ((math.sin, "cos"), {}, "partial 0 must be callable"),
        ((lambda x: x, lambda x: 1.0, lambda x: 2.0), {}, "1 argument.*2 partial"),
        ((lambda x, y: x, lambda x, y: 1.0), {}, "2 argument.*1 partial"),
        ((lambda x: x, lambda x: 1.0), {"name": ""}, "name"),
        ((lambda x: x, lambda x: 1.0), {"name": 3}, "name"),
    ],
)
def test_primitive_definition_errors(args: tuple[object, ...], kwargs: dict[str, object],
                                     pattern: str) -> None:
    with pytest.raises(TypeError, match=f"primitive: .*{pattern}"):
        primitive(*args, **kwargs)  # type: ignore[arg-type]


def test_forward_domain_errors_propagate() -> None:
    safe_log = primitive(math.log, lambda x: 1 / x, name="safe_log")
    with pytest.raises(ValueError):
        safe_log(Value(-1.0))


# --------------------------------------------------------------------------- the table


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_functions_apply_to_values_and_numbers(name: str) -> None:
    fn = FUNCTIONS[name]
    x = 0.7
    out = fn(Value(x))
    assert isinstance(out, Value)
    assert out.op == fn.name
    assert type(fn(x)) is float
    assert fn(x) == out.data


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@pytest.mark.parametrize("x", [-1.4, 0.35, 2.6])
def test_function_derivatives_agree_with_finite_differences(name: str, x: float) -> None:
    fn = FUNCTIONS[name]
    if name in ("log", "sqrt"):
        x = abs(x)
    assert gradcheck(lambda t: fn(t), x)
    if name not in ("relu", "abs"):
        assert gradgradcheck(lambda t: fn(t), x)


def test_operators_record_the_table_names() -> None:
    x, y = Value(1.5), Value(0.5)
    table_names = {p.name for p in PRIMITIVES.values()}
    nodes = [x + y, x - y, x * y, x * 2.0, x / y, x**y, -x, abs(x), x.relu(), x.tanh(),
             x.sigmoid(), x.exp(), x.log(), x.sqrt(), x.sin(), x.cos()]
    for n in nodes:
        assert n.op in table_names


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
def test_table_entries_are_documented_primitives(name: str) -> None:
    prim = PRIMITIVES[name]
    assert isinstance(prim, Primitive)
    assert prim.doc, f"{name} has no doc line"
    assert prim.arity in (None, 1, 2)
