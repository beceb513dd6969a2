"""Math-domain and type errors: their types, their messages, and no side effects.

Each failing operation must raise a typed error naming the operation and the
offending value, and leave every existing node as it was: same data, grad,
parents, op and local derivatives, and backward on the existing graph still
gives the same gradients.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

from autograd_mini import Value


@dataclass
class Graph:
    a: Value  # leaf, -2.0
    b: Value  # leaf, 3.0
    zero: Value  # interior, a + 2 = 0.0
    neg: Value  # interior, a * b = -6.0
    big: Value  # interior, b * 400 = 1200.0
    root: Value

    @property
    def nodes(self) -> list[Value]:
        return [self.a, self.b, self.zero, self.neg, self.big, self.root]


def make_graph() -> Graph:
    a, b = Value(-2.0, label="a"), Value(3.0, label="b")
    zero = a + 2.0
    neg = a * b
    big = b * 400.0
    root = (zero * neg + big.sin()) * b
    return Graph(a, b, zero, neg, big, root)


def snapshot(nodes: list[Value]) -> list[tuple[object, ...]]:
    return [(n.data, n.grad, n.parents, n.op, n.local_grads, n.label) for n in nodes]


# (id, operation on the graph, exception type, regex the message must match)
Case = tuple[str, Callable[[Graph], object], type[Exception], str]
CASES: list[Case] = [
    # log of x <= 0, sqrt of x < 0
    ("log-zero", lambda g: g.zero.log(), ValueError, r"log.*0\.0"),
    ("log-negative-interior", lambda g: g.neg.log(), ValueError, r"log.*-6\.0"),
    ("log-negative-leaf", lambda g: g.a.log(), ValueError, r"log.*-2\.0"),
    ("sqrt-negative", lambda g: g.neg.sqrt(), ValueError, r"sqrt.*-6\.0"),
    ("sqrt-negative-leaf", lambda g: g.a.sqrt(), ValueError, r"sqrt.*-2\.0"),
    # division by zero, every spelling
    ("value/0", lambda g: g.b / 0, ZeroDivisionError, r"/.*3\.0.*zero"),
    ("value/0.0", lambda g: g.neg / 0.0, ZeroDivisionError, r"/.*-6\.0.*zero"),
    ("value/np0", lambda g: g.b / np.float64(0.0), ZeroDivisionError, r"/.*zero"),
    ("value/Value(0)", lambda g: g.b / g.zero, ZeroDivisionError, r"/.*3\.0.*zero"),
    ("value/new-Value(0)", lambda g: g.neg / Value(0), ZeroDivisionError, r"/.*-6\.0.*zero"),
    ("3/Value(0)", lambda g: 3 / g.zero, ZeroDivisionError, r"/.*3\.0.*zero"),
    ("Value(0)/Value(0)", lambda g: g.zero / g.zero, ZeroDivisionError, r"/.*zero"),
    # 0 ** negative
    ("Value(0)**-1", lambda g: g.zero**-1, ZeroDivisionError, r"\*\*.*0\.0.*-1"),
    ("Value(0)**-0.5", lambda g: g.zero**-0.5, ZeroDivisionError, r"\*\*.*0\.0.*-0\.5"),
    ("0**Value(neg)", lambda g: 0 ** g.neg, ZeroDivisionError, r"\*\*.*0\.0.*-6\.0"),
    ("Value(0)**Value(neg)", lambda g: g.zero**g.a, ZeroDivisionError, r"\*\*.*-2\.0"),
    # negative base to a non-integer power
    ("neg**0.5", lambda g: g.a**0.5, ValueError, r"\*\*.*-2\.0.*0\.5"),
    ("neg**Value(0.5)", lambda g: g.neg ** Value(0.5), ValueError, r"\*\*.*-6\.0.*0\.5"),
    ("-8**Value(1/3)", lambda g: (-8) ** (g.b / 9.0), ValueError, r"\*\*.*-8\.0"),
    # overflow
    # wrong operand types
    ("value+str", lambda g: g.b + "a", TypeError, r"\+.*str"),
    ("str+value", lambda g: "a" + g.b, TypeError, r"\+.*str"),
    ("value*None", lambda g: g.neg * None, TypeError, r"\*.*None"),
    ("None-value", lambda g: None - g.b, TypeError, r"-.*None"),
    ("list**value", lambda g: [] ** g.b, TypeError, r"\*\*.*list"),
    ("value**str", lambda g: g.b ** "2", TypeError, r"\*\*.*str"),
    ("value+complex", lambda g: g.b + 1j, TypeError, r"\+.*complex"),
    ("value/dict", lambda g: g.b / {}, TypeError, r"/.*dict"),
    ("value-list", lambda g: g.b - [1.0], TypeError, r"-.*list"),
    ("complex*value", lambda g: 2j * g.b, TypeError, r"\*.*complex"),
]


@pytest.mark.parametrize(
    ("case", "operation", "error", "pattern"), CASES, ids=[c[0] for c in CASES]
)
def test_failed_operation_raises_a_named_error_and_changes_nothing(
    case: str, operation: Callable[[Graph], object], error: type[Exception], pattern: str
) -> None:
    g = make_graph()
    g.root.backward()
    grads_first = [n.grad for n in g.nodes]
    before = snapshot(g.nodes)

    with pytest.raises(error, match=pattern):
        operation(g)

    assert snapshot(g.nodes) == before
    # backward on the existing graph still gives the same gradients
    for n in g.nodes:
        n.grad = 0.0
    g.root.backward()
    assert [n.grad for n in g.nodes] == grads_first


OVERFLOWS = [
    ("exp", lambda g: g.big.exp(), math.inf),
    ("exp-leaf", lambda g: Value(710.0).exp(), math.inf),
    ("pow", lambda g: g.big**200, math.inf),
    ("negative-pow-odd", lambda g: (-g.big) ** 201, -math.inf),
    ("number**Value", lambda g: 10 ** g.big, math.inf),
    ("Value**Value", lambda g: g.b**g.big, math.inf),
    ("mul", lambda g: (g.big * 1e306) * g.big, math.inf),
    ("div", lambda g: Value(1e308) / 1e-10, math.inf),
    ("reciprocal", lambda g: Value(1e-320) ** -1, math.inf),
]


@pytest.mark.parametrize(("case", "operation", "expected"), OVERFLOWS,
                         ids=[c[0] for c in OVERFLOWS])
def test_overflow_gives_an_infinity_in_every_operation(
    case: str, operation: Callable[[Graph], Value], expected: float
) -> None:
    """One rule for all operations (docs: Numbers): an overflowing result is +-inf."""
    g = make_graph()
    before = snapshot(g.nodes)
    out = operation(g)
    assert out.data == expected
    assert not out.is_leaf
    assert snapshot(g.nodes) == before


def test_the_graph_gradients_are_the_closed_form() -> None:
    # guards the test above: root = ((a+2) * a*b + sin(400 b)) * b
    g = make_graph()
    g.root.backward()
    a, b = -2.0, 3.0
    assert g.a.grad == pytest.approx((a * b + (a + 2) * b) * b)
    assert g.b.grad == pytest.approx(
        ((a + 2) * a + 400 * math.cos(400 * b)) * b + ((a + 2) * a * b + math.sin(400 * b))
    )


def test_a_failure_in_the_middle_of_an_expression_keeps_earlier_nodes() -> None:
    x = Value(0.5)
    partial = x * 2.0 - 1.0  # 0.0
    with pytest.raises(ValueError, match="log"):
        _ = (partial + x).sin() * partial.log()
    partial.backward()
    assert x.grad == 2.0
    assert partial.data == 0.0


@pytest.mark.parametrize("name", ["sin", "cos"])
def test_sin_cos_of_infinity_name_the_operation_and_value(name: str) -> None:
    v = Value(math.inf)
    with pytest.raises(ValueError, match=rf"{name}.*inf"):
        getattr(v, name)()


def test_pow_with_finite_result_and_overflowing_derivative() -> None:
    # 1e-200 ** -1.5 = 1e300 is finite; d/dx = -1.5 * 1e-200 ** -2.5 = -1.5e500 is not.
    # Either a node with an infinite local derivative (as x / y does for
    # 1.0 / Value(1e-200)) or an OverflowError naming ** and the value is acceptable.
    x = Value(1e-200)
    try:
        y = x**-1.5
    except OverflowError as exc:
        assert "**" in str(exc) and "1e-200" in str(exc), str(exc)
    else:
        assert y.data == pytest.approx(1e300)
        y.backward()
        assert x.grad == -math.inf
