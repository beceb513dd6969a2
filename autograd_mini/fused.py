"""Fused operations: a whole weighted sum, a layer of neurons, or a long sum as one node.

Each is an ordinary row of the table (`DOT`, `DOT_RELU`, `SUM`) applied to
many arguments at once: the same values and gradients as the per-operation
graph (added in the same order), with one node instead of ``2n``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import repeat
from operator import mul
from typing import cast

from autograd_mini import scalar_math as fm
from autograd_mini.checks import choice
from autograd_mini.engine import DOT, DOT_RELU, SUM, Operand, Value, apply, record
from autograd_mini.grad_mode import is_grad_enabled

__all__ = ["dot", "linear", "vsum"]


def dot(weights: Sequence[Operand], inputs: Sequence[Operand], bias: Operand = 0.0) -> Value:
    """``bias + w1 x1 + ... + wn xn`` recorded as one ``dot`` node.

    The same value and gradients as
    ``sum((w * x for w, x in zip(weights, inputs)), bias)``, added in the same
    order, with one node instead of ``2n``. The local derivatives are the
    inputs (for the weights), the weights (for the inputs) and 1 (for the bias).

    Raises:
        ValueError: ``weights`` and ``inputs`` differ in length.
        TypeError: an element is neither a Value nor a real number.
    """
    if len(inputs) != len(weights):
        raise ValueError(f"dot: {len(weights)} weights but {len(inputs)} inputs")
    return _as_value(apply(DOT, (*weights, *inputs, bias)))


def linear(
    weight_rows: Sequence[Sequence[Operand]],
    inputs: Sequence[Operand],
    biases: Sequence[Operand],
    activation: str = "linear",
) -> list[Value]:
    """A layer of fused neurons: ``[dot(w, inputs, b) for w, b in zip(weight_rows, biases)]``.

    With ``activation="relu"`` each neuron is one ``dot+relu`` node,
    ``relu(b + Σ w x)``, instead of a ``dot`` node and a ``relu`` node: the
    same values and gradients, half the nodes.

    Raises:
        TypeError: the activation is not a str.
        ValueError: the numbers of rows and biases differ, a row's length
            differs from the number of inputs, or the activation is neither
            ``"linear"`` nor ``"relu"``.
    """
    choice(activation, "activation", "linear", ("linear", "relu"))
    if len(weight_rows) != len(biases):
        raise ValueError(f"linear: {len(weight_rows)} weight rows but {len(biases)} biases")
    for row in weight_rows:
        if len(row) != len(inputs):
            raise ValueError(f"linear: a row of {len(row)} weights but {len(inputs)} inputs")
    prim = DOT_RELU if activation == "relu" else DOT
    xs = tuple(inputs)
    if not (is_grad_enabled() and _all_values(xs) and _all_values(biases)
            and all(map(_all_values, weight_rows))):
        return [_as_value(apply(prim, (*w, *xs, b))) for w, b in zip(weight_rows, biases)]
    # What `apply` does for each row, with the inputs' values read once for
    # the whole layer: the same forward (added in the same order), the same
    # local derivatives, the same nodes.
    values = cast("tuple[Value, ...]", xs)
    rows = cast("Sequence[Sequence[Value]]", weight_rows)
    xd = [x.data for x in values]
    relu = activation == "relu"
    out = []
    for w, b in zip(rows, cast("Sequence[Value]", biases)):
        wd = [wi.data for wi in w]
        z = fm.add_in_order(map(mul, wd, xd), b.data)
        if relu and not z > 0.0:  # an inactive unit: every local derivative is 0
            out.append(record(fm.relu(z), prim, (*w, *values, b), (0.0,) * (2 * len(xs) + 1)))
        else:
            out.append(record(z, prim, (*w, *values, b), (*xd, *wd, 1.0)))
    return out


def _all_values(xs: Iterable[object]) -> bool:
    return all(map(isinstance, xs, repeat(Value)))


def vsum(terms: Iterable[Operand], start: Operand = 0.0) -> Value:
    """``start + t1 + t2 + ...`` recorded as one ``sum`` node with local derivatives 1.

    The same value and gradients as Python's ``sum(terms, start)`` on Values,
    added in the same order, with one node instead of one per term.
    """
    return _as_value(apply(SUM, (start, *terms)))


def _as_value(result: Value | float) -> Value:
    """`apply` gives a float when no argument was a Value: wrap it."""
    return result if isinstance(result, Value) else Value(result)
