"""The function transforms `grad` and `value_and_grad`: types, argnums, errors."""

from __future__ import annotations

import math

import pytest

from autograd_mini import Value, grad, no_grad, value_and_grad
from autograd_mini.ops import sin


def f(x: Value, y: Value) -> Value:
    # sin() from the table works on Values and on floats: arguments that are
    # not differentiated reach the function as plain numbers.
    return x * x * y + sin(y)


def test_grad_of_numbers_is_a_float() -> None:
    g = grad(f)(3.0, 2.0)
    assert type(g) is float
    assert g == pytest.approx(2.0 * 3.0 * 2.0)


def test_grad_accepts_ints() -> None:
    assert grad(lambda x: x * x)(3) == 6.0


def test_grad_argnums_selects_the_argument() -> None:
    assert grad(f, argnums=1)(3.0, 2.0) == pytest.approx(9.0 + math.cos(2.0))
    assert grad(f, argnums=-1)(3.0, 2.0) == pytest.approx(9.0 + math.cos(2.0))


def test_grad_argnums_tuple_returns_a_tuple() -> None:
    g = grad(f, argnums=(0, 1))(3.0, 2.0)
    assert isinstance(g, tuple) and len(g) == 2
    assert all(type(v) is float for v in g)
    assert g == pytest.approx((12.0, 9.0 + math.cos(2.0)))
    assert grad(f, argnums=(1, 0))(3.0, 2.0) == pytest.approx((9.0 + math.cos(2.0), 12.0))
    assert grad(f, argnums=(0,))(3.0, 2.0) == pytest.approx((12.0,))


def test_non_differentiated_numeric_arguments_become_constant_values() -> None:
    seen = []
    grad(lambda x, y: seen.append(y) or x * y)(1.0, 2.0)
    assert len(seen) == 1 and isinstance(seen[0], Value)
    assert seen[0].data == 2.0 and seen[0].is_leaf
    # So f may use Value methods on them; they are constants for the gradient.
    assert grad(lambda x, y: x * y.sin())(1.0, 2.0) == pytest.approx(math.sin(2.0))
    assert type(grad(lambda x, y: x * y.sin())(1.0, 2.0)) is float


def test_non_differentiated_arguments_may_be_anything() -> None:
    scale = lambda x, k: x * k
    assert grad(scale)(2.0, 5) == 5.0
    h = lambda x, name: x * 2.0 if name == "double" else x
    assert grad(h)(1.0, "double") == 2.0


def test_grad_of_values_returns_values() -> None:
    x = Value(3.0)
    g = grad(lambda t: t * t * t)(x)
    assert isinstance(g, Value)
    assert g.data == pytest.approx(27.0)
    # The result is differentiable: d/dx (3 x^2) = 6 x.
    g.backward()
    assert x.grad == pytest.approx(18.0)


def test_grad_with_values_and_argnums_tuple() -> None:
    x, y = Value(3.0), Value(2.0)
    gx, gy = grad(f, argnums=(0, 1))(x, y)
    assert isinstance(gx, Value) and isinstance(gy, Value)
    assert (gx.data, gy.data) == pytest.approx((12.0, 9.0 + math.cos(2.0)))


def test_grad_does_not_touch_grad_attributes() -> None:
    x = Value(3.0)
    w = Value(2.0)
    grad(lambda t: t * w)(x)
    assert x.grad == 0.0 and w.grad == 0.0


def test_grad_of_an_independent_function_is_zero() -> None:
    assert grad(lambda x: Value(3.0))(1.0) == 0.0
    assert grad(lambda x, y: x.detach() * y, argnums=0)(1.0, 2.0) == 0.0
    assert grad(lambda x, y: y * y, argnums=(0, 1))(1.0, 2.0) == (0.0, 4.0)
    # As Values too: a zero Value, so nesting keeps working.
    g = grad(lambda x: Value(3.0))(Value(1.0))
    assert isinstance(g, Value) and g.data == 0.0
    assert grad(grad(lambda x: Value(3.0)))(1.0) == 0.0


def test_grad_of_a_constant_first_derivative_nests_to_zero() -> None:
    assert grad(grad(lambda x: 3.0 * x + 1.0))(2.0) == 0.0
    assert grad(grad(lambda x: x))(2.0) == 0.0


def test_grad_of_the_identity() -> None:
    assert grad(lambda x: x)(5.0) == 1.0


@pytest.mark.parametrize("result", [1.0, 2, None, "x", [Value(1.0)]])
def test_non_value_return_is_a_type_error(result: object) -> None:
    with pytest.raises(TypeError, match=r"grad: the function must return a Value"):
        grad(lambda x: result)(1.0)
    with pytest.raises(TypeError, match=r"grad: the function must return a Value"):
        value_and_grad(lambda x: result)(1.0)


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="grad"):
        grad(lambda x: x)("1.0")
    with pytest.raises(TypeError, match="value_and_grad: f must be callable"):
        grad(3.0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("argnums", "error"),
    [(2, ValueError), (-3, ValueError), ((), ValueError), ("0", TypeError),
     (True, TypeError), ((0, 1.0), TypeError)],
)
def test_bad_argnums(argnums: object, error: type) -> None:
    with pytest.raises(error, match="argnums"):
        grad(f, argnums=argnums)(1.0, 2.0)  # type: ignore[arg-type]


def test_value_and_grad_numbers() -> None:
    value, g = value_and_grad(f)(3.0, 2.0)
    assert type(value) is float and type(g) is float
    assert value == pytest.approx(18.0 + math.sin(2.0))
    assert g == pytest.approx(12.0)
    value, gs = value_and_grad(f, argnums=(0, 1))(3.0, 2.0)
    assert gs == pytest.approx((12.0, 9.0 + math.cos(2.0)))


def test_value_and_grad_values() -> None:
    x = Value(3.0)
    value, g = value_and_grad(lambda t: t.exp())(x)
    assert isinstance(value, Value) and isinstance(g, Value)
    assert value.data == pytest.approx(math.exp(3.0))
    assert g.data == pytest.approx(math.exp(3.0))


def test_grad_records_even_inside_no_grad() -> None:
    with no_grad():
        assert grad(lambda x: x * x)(3.0) == 6.0
        assert grad(grad(lambda x: x * x * x))(2.0) == pytest.approx(12.0)


def test_grad_keeps_the_function_name() -> None:
    assert grad(f).__name__ == "f"
    assert value_and_grad(f).__name__ == "f"
