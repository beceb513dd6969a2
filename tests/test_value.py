"""Value construction, public attributes, repr, identity semantics."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from autograd_mini import Value

# --------------------------------------------------------------------------- construction


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (3, 3.0),
        (-7, -7.0),
        (0, 0.0),
        (2.5, 2.5),
        (True, 1.0),
        (Fraction(1, 4), 0.25),
        (np.float32(1.5), 1.5),
        (np.float64(-2.25), -2.25),
        (np.int64(42), 42.0),
        (np.int32(-3), -3.0),
    ],
    ids=lambda x: type(x).__name__,
)
def test_real_numbers_are_stored_as_float(given: object, expected: float) -> None:
    v = Value(given)  # type: ignore[arg-type]
    assert type(v.data) is float
    assert v.data == expected


def test_float_subclass_is_stored_as_plain_float() -> None:
    class MyFloat(float):
        pass

    v = Value(MyFloat(1.25))
    assert type(v.data) is float
    assert v.data == 1.25


def test_infinities_and_nan_are_floats_too() -> None:
    assert Value(math.inf).data == math.inf
    assert math.isnan(Value(math.nan).data)


@pytest.mark.parametrize(
    ("given", "type_name"),
    [
        ("1.0", "str"),
        (None, "NoneType"),
        (1 + 2j, "complex"),
        ([1.0], "list"),
        ({"a": 1}, "dict"),
        (object(), "object"),
        ((1.0,), "tuple"),
    ],
    ids=lambda x: type(x).__name__,
)
def test_non_real_data_is_a_type_error_saying_what_was_given(given: object, type_name: str) -> None:
    with pytest.raises(TypeError) as info:
        Value(given)  # type: ignore[arg-type]
    message = str(info.value)
    assert type_name in message  # what was given
    assert "real number" in message  # what is accepted
    assert "int" in message and "float" in message


def test_a_value_is_not_accepted_as_data() -> None:
    inner = Value(2.0)
    with pytest.raises(TypeError) as info:
        Value(inner)  # type: ignore[arg-type]
    message = str(info.value)
    assert "Value" in message
    assert "real number" in message
    assert inner.data == 2.0 and inner.grad == 0.0


@pytest.mark.parametrize("label", [None, 3, b"x", ["a"]], ids=repr)
def test_label_must_be_a_str(label: object) -> None:
    with pytest.raises(TypeError, match="label"):
        Value(1.0, label=label)  # type: ignore[arg-type]


def test_label_is_kept() -> None:
    assert Value(1.0, label="w1").label == "w1"
    assert Value(1.0, (), "", "b").label == "b"  # micrograd's positional order
    with pytest.raises(TypeError, match="label="):
        Value(1.0, "b")  # type: ignore[arg-type]  # the second argument is _children
    assert Value(1.0).label == ""


# --------------------------------------------------------------------------- attributes


def test_leaf_attributes() -> None:
    v = Value(2.0)
    assert v.data == 2.0
    assert type(v.grad) is float and v.grad == 0.0
    assert v.op == ""
    assert v.parents == ()
    assert isinstance(v.parents, tuple)
    assert v.local_grads == ()
    assert v.is_leaf


def test_parents_are_ordered() -> None:
    a, b = Value(2.0), Value(3.0)
    for node, expected in [
        (a + b, (a, b)),
        (b + a, (b, a)),
        (a - b, (a, b)),
        (b - a, (b, a)),
        (a * b, (a, b)),
        (b / a, (b, a)),
        (a**b, (a, b)),
        (b**a, (b, a)),
    ]:
        assert len(node.parents) == len(expected)
        assert all(p is e for p, e in zip(node.parents, expected))
        assert not node.is_leaf


@pytest.mark.parametrize(
    "make",
    [lambda a: a * a, lambda a: a + a, lambda a: a - a, lambda a: a / a, lambda a: a**a],
    ids=["mul", "add", "sub", "div", "pow"],
)
def test_duplicates_are_kept_in_parents(make: object) -> None:
    a = Value(1.5)
    node = make(a)  # type: ignore[operator]
    assert len(node.parents) == 2
    assert node.parents[0] is a and node.parents[1] is a
    assert len(node.local_grads) == 2


@pytest.mark.parametrize(
    "make",
    [
        lambda a: a * 3,
        lambda a: 3 * a,
        lambda a: a + 3,
        lambda a: 3 + a,
        lambda a: a - 3,
        lambda a: 3 - a,
        lambda a: a / 3,
        lambda a: 3 / a,
        lambda a: a**3,
        lambda a: 3**a,
        lambda a: -a,
        lambda a: abs(a),
        lambda a: a.relu(),
        lambda a: a.tanh(),
        lambda a: a.sigmoid(),
        lambda a: a.exp(),
        lambda a: a.log(),
        lambda a: a.sqrt(),
        lambda a: a.sin(),
        lambda a: a.cos(),
    ],
    ids=[
        "a*3", "3*a", "a+3", "3+a", "a-3", "3-a", "a/3", "3/a", "a**3", "3**a",
        "neg", "abs", "relu", "tanh", "sigmoid", "exp", "log", "sqrt", "sin", "cos",
    ],
)
def test_numbers_are_constants_not_parents(make: object) -> None:
    a = Value(1.5)
    node = make(a)  # type: ignore[operator]
    assert type(node.parents) is tuple and type(node.local_grads) is tuple
    assert len(node.parents) == 1
    assert node.parents[0] is a
    assert len(node.local_grads) == 1
    assert all(type(g) is float for g in node.local_grads)
    assert node.op != ""


def test_local_grads_are_aligned_with_parents() -> None:
    a, b = Value(2.0), Value(5.0)
    assert (a * b).local_grads == (5.0, 2.0)
    assert (b * a).local_grads == (2.0, 5.0)
    assert (a - b).local_grads == (1.0, -1.0)
    assert (b - a).local_grads == (1.0, -1.0)
    assert (3 - a).local_grads == (-1.0,)
    assert (a / b).local_grads == pytest.approx((1 / 5, -2 / 25))
    assert (b / a).local_grads == pytest.approx((1 / 2, -5 / 4))
    # d(a**b)/da = b a**(b-1), d(a**b)/db = ln(a) a**b
    assert (a**b).local_grads == pytest.approx((5 * 2.0**4, math.log(2.0) * 2.0**5))


@pytest.mark.parametrize("name", ["parents", "local_grads", "op", "is_leaf"])
def test_structural_attributes_are_read_only(name: str) -> None:
    a = Value(2.0)
    node = a * a
    before = getattr(node, name)
    with pytest.raises(AttributeError):
        setattr(node, name, ())
    assert getattr(node, name) == before


def test_parents_cannot_be_mutated_in_place() -> None:
    a, b = Value(2.0), Value(3.0)
    node = a + b
    with pytest.raises(TypeError):
        node.parents[0] = b  # type: ignore[index]
    assert node.parents[0] is a


def test_op_names_interior_nodes() -> None:
    a, b = Value(2.0), Value(3.0)
    ops = {(a + b).op, (a * b).op, (a - b).op, (a / b).op, (a**b).op, (-a).op}
    assert "" not in ops
    assert len(ops) == 6  # each operation is told apart
    assert a.tanh().op == "tanh"
    assert a.relu().op == "relu"


def test_float_and_item() -> None:
    v = Value(2.5) * 2
    assert float(v) == 5.0
    assert type(float(v)) is float
    assert v.item() == 5.0
    assert math.isclose(math.sqrt(Value(16.0)), 4.0)  # math functions accept a Value via __float__


def test_detach_makes_a_new_leaf() -> None:
    a = Value(2.0, label="a")
    b = a * 3
    d = b.detach()
    assert d is not b
    assert d.is_leaf and d.parents == () and d.op == ""
    assert d.data == 6.0


# --------------------------------------------------------------------------- repr, hash, equality


def test_repr_matches_micrograd_format() -> None:
    v = Value(2.0)
    assert repr(v) == "Value(data=2.0, grad=0.0)"
    y = v * 3
    y.backward()
    assert repr(v) == "Value(data=2.0, grad=3.0)"
    assert repr(Value(-0.5)) == "Value(data=-0.5, grad=0.0)"


def test_values_compare_by_identity() -> None:
    a, b = Value(1.0), Value(1.0)
    assert a == a
    assert a != b
    assert (a == b) is False
    assert len({a, b}) == 2
    assert a in {a} and b not in {a}
    d = {a: "a", b: "b"}
    assert d[a] == "a" and d[b] == "b"


def test_hash_is_stable_when_data_changes() -> None:
    a = Value(1.0)
    s = {a}
    h = hash(a)
    a.data = 5.0
    a.grad = 2.0
    assert hash(a) == h
    assert a in s
