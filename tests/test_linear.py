"""fused.linear and nn.Layer: a layer of fused neurons is the table's `dot` rows.

The public edges, the values and the gradients are those of `apply` of the
same primitive, also when weights are interior nodes, rows and inputs are
shared between calls, a weight list is changed in place, or the gradient is
infinite.
"""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_mini import Value, linear
from autograd_mini.engine import apply
from autograd_mini.functional import gradients
from autograd_mini.nn import Layer, Parameter
from autograd_mini.ops import DOT, DOT_RELU
from autograd_mini.optim import SGD

# Rows may be tuples or lists; both must give the same nodes.
LAYOUTS = pytest.mark.parametrize("row", [tuple, list], ids=["segments", "flat"])


@LAYOUTS
def test_public_edges_are_weights_inputs_bias_in_argument_order(row: type) -> None:
    w = row([Value(0.5), Value(-2.0)])
    x = [Value(3.0), Value(4.0)]
    b = Value(0.25)
    (out,) = linear([w], x, [b])
    assert out.op == "dot"
    assert out.data == 0.25 + 0.5 * 3.0 - 2.0 * 4.0
    assert out.parents == (*w, *x, b)
    assert out.local_grads == (3.0, 4.0, 0.5, -2.0, 1.0)
    assert not out.is_leaf
    flat = apply(DOT, (*w, *x, b))
    assert flat.parents == out.parents
    assert flat.local_grads == out.local_grads


@LAYOUTS
def test_inactive_relu_unit_reports_zero_local_derivatives(row: type) -> None:
    w = row([Value(1.0), Value(1.0)])
    x = [Value(-3.0), Value(1.0)]
    b = Value(0.5)
    (out,) = linear([w], x, [b], activation="relu")
    assert out.op == "dot+relu"
    assert out.data == 0.0
    assert out.parents == (*w, *x, b)
    assert out.local_grads == (0.0,) * 5
    out.backward()
    assert [v.grad for v in (*w, *x, b)] == [0.0] * 5


@LAYOUTS
def test_all_zero_weights_still_pass_gradient_to_weights_and_bias(row: type) -> None:
    # The weights' data are the inputs' local derivatives, not the weights': a
    # row of zeros must not make the node look inactive.
    w = row([Value(0.0), Value(0.0), Value(0.0)])
    x = [Value(1.5), Value(-2.0), Value(0.0)]
    b = Value(1.0)
    (out,) = linear([w], x, [b], activation="relu")
    out.backward()
    assert [wi.grad for wi in w] == [1.5, -2.0, 0.0]
    assert b.grad == 1.0
    assert [xi.grad for xi in x] == [0.0, 0.0, 0.0]


def test_no_rows_gives_no_nodes() -> None:
    assert linear([], [Value(1.0)], []) == []


def test_no_inputs_gives_bias_nodes() -> None:
    biases = [Value(-1.0), Value(2.0)]
    outs = linear([[], []], [], biases, activation="relu")
    assert [o.data for o in outs] == [0.0, 2.0]
    (outs[0] + outs[1]).backward()
    assert [b.grad for b in biases] == [0.0, 1.0]


@LAYOUTS
def test_a_zero_edge_carries_nothing_times_an_infinite_gradient(row: type) -> None:
    w = row([Value(2.0), Value(3.0)])
    x = [Value(0.0), Value(1.0)]
    b = Value(0.0)
    (out,) = linear([w], x, [b])
    (out * math.inf).backward()
    assert w[0].grad == 0.0  # d/dw0 = x0 = 0: not nan
    assert w[1].grad == math.inf
    assert x[0].grad == math.inf and x[1].grad == math.inf
    assert b.grad == math.inf


def _flat_linear(
    rows: list[list[Value]], x: list[Value], biases: list[Value], act: str
) -> list[Value]:
    prim = DOT_RELU if act == "relu" else DOT
    return [apply(prim, (*w, *x, b)) for w, b in zip(rows, biases)]


@given(
    seed=st.integers(0, 2**32 - 1),
    nin=st.integers(1, 4),
    nout=st.integers(1, 4),
    calls=st.integers(1, 4),
    act=st.sampled_from(["relu", "linear"]),
    tied=st.booleans(),
)
def test_shared_segments_give_the_general_layouts_gradients(
    seed: int, nin: int, nout: int, calls: int, act: str, tied: bool
) -> None:
    """Rows reused across calls, inputs shared by a layer call, a second layer
    reading the first one's outputs, and (``tied``) weights that are interior
    nodes computed from other leaves: every gradient matches the flat layout."""
    results = []
    for build in (linear, _flat_linear):
        rng2 = random.Random(seed)  # the same numbers for both layouts
        base = [Value(rng2.uniform(-1, 1)) for _ in range(nin)]
        if tied:  # each weight an interior node: base_i * c
            rows = [tuple(base[i] * rng2.uniform(-2, 2) for i in range(nin)) for _ in range(nout)]
        else:
            rows = [tuple(Value(rng2.uniform(-1, 1)) for _ in range(nin)) for _ in range(nout)]
        biases = [Value(rng2.uniform(-0.5, 0.5)) for _ in range(nout)]
        top = [Value(rng2.uniform(-1, 1)) for _ in range(nout)]
        leaves = [Value(rng2.uniform(-2, 2)) for _ in range(calls * nin)]
        total = Value(0.0)
        for c in range(calls):
            x = leaves[c * nin : (c + 1) * nin]
            hidden = build(rows, x, biases, act)  # type: ignore[arg-type]
            (y,) = build([top], hidden, [Value(0.1)], "linear")  # type: ignore[arg-type]
            total = total + y * y
        params = [*base, *(w for row in rows for w in row), *biases, *top, *leaves]
        total.backward()
        first = [p.grad for p in params]
        total.backward()  # a second pass adds exactly the same again
        assert [p.grad for p in params] == [2 * g for g in first]
        assert gradients(total, params) == pytest.approx(first, rel=1e-12, abs=1e-300)
        results.append((total.data, first))
    (v1, g1), (v2, g2) = results
    assert v1 == v2
    assert g1 == pytest.approx(g2, rel=1e-12, abs=1e-300)


def test_a_weight_list_changed_in_place_is_seen_by_the_next_call() -> None:
    layer = Layer(2, 2, rng=random.Random(0))
    x = [Value(1.0), Value(2.0)]
    layer(x)  # caches the layer's rows
    old = layer.neurons[0].w[1]
    new = Value(5.0)
    layer.neurons[0].w[1] = new  # no attribute is rebound: only the list changes
    out = layer(x)
    assert isinstance(out, list)
    w0 = layer.neurons[0].w[0].data
    assert out[0].data == max(0.0, 0.0 + w0 * 1.0 + 5.0 * 2.0)
    assert new in out[0].parents and old not in out[0].parents
    out[0].backward()
    assert new.grad == 2.0 and old.grad == 0.0


def test_a_weight_list_changed_after_forward_leaves_the_graph_alone() -> None:
    layer = Layer(2, 1, nonlin=False, rng=random.Random(0))
    x = [Value(1.0), Value(2.0)]
    out = layer(x)
    assert isinstance(out, Value)
    old = layer.neurons[0].w[1]
    layer.neurons[0].w[1] = Value(5.0)  # the graph already recorded `old`
    out.backward()
    assert old.grad == 2.0
    assert layer.neurons[0].w[1].grad == 0.0


# --------------------------------------------------------------------------- Parameter


def _expected(layer: Layer, x: list[float]) -> list[float]:
    """The layer's ReLU outputs computed from its current weights with floats."""
    out = []
    for n in layer.neurons:
        z = n.b.data
        for w, v in zip(n.w, x):
            z += w.data * v
        out.append(max(z, 0.0))
    return out


def test_neurons_hold_parameters_which_are_values() -> None:
    layer = Layer(3, 2, rng=random.Random(1))
    for p in layer.parameters():
        assert isinstance(p, Parameter) and isinstance(p, Value)
    p = Parameter(2.0, label="p")
    assert (p * 3 + p).data == 8.0 and p.label == "p"
    p.data -= 0.5
    assert p.data == 1.5
    y = p * p
    y.backward()
    assert p.grad == 3.0 and type(y) is Value


@pytest.mark.parametrize("how", ["assign", "augmented", "sgd", "load_state_dict"])
def test_a_parameter_write_is_seen_by_the_next_call(how: str) -> None:
    layer = Layer(2, 3, rng=random.Random(2))
    xs = [0.5, -1.5]
    first = layer([Value(v) for v in xs])
    assert isinstance(first, list)
    assert [o.data for o in first] == _expected(layer, xs)
    w = layer.neurons[1].w[0]
    if how == "assign":
        w.data = 3.0
    elif how == "augmented":
        w.data += 1.25
    elif how == "sgd":
        first[1].backward()
        SGD(layer.parameters(), lr=0.5).step()
    else:
        state = layer.state_dict()
        state["neurons.1.w"] = [3.0, -2.0]  # type: ignore[index]
        state["neurons.2.b"] = 0.75
        layer.load_state_dict(state)
    again = layer([Value(v) for v in xs])
    assert isinstance(again, list)
    assert [o.data for o in again] == _expected(layer, xs)
    assert [o.data for o in again] != [o.data for o in first]


def test_a_plain_value_among_the_weights_is_read_at_every_call() -> None:
    layer = Layer(2, 2, rng=random.Random(3))
    plain = Value(0.5)
    layer.neurons[0].w[1] = plain
    xs = [1.0, 2.0]
    layer([Value(v) for v in xs])
    plain.data = 4.0  # not a Parameter: no counter, so nothing may be cached
    out = layer([Value(v) for v in xs])
    assert isinstance(out, list)
    assert [o.data for o in out] == _expected(layer, xs)


def test_the_neuron_list_changed_in_place_is_seen() -> None:
    layer = Layer(2, 2, rng=random.Random(4))
    xs = [1.0, -0.5]
    before = layer([Value(v) for v in xs])
    assert isinstance(before, list)
    layer.neurons[0], layer.neurons[1] = layer.neurons[1], layer.neurons[0]
    after = layer([Value(v) for v in xs])
    assert isinstance(after, list)
    assert [o.data for o in after] == _expected(layer, xs) == [before[1].data, before[0].data]


def test_a_recorded_graph_keeps_the_values_it_was_computed_with() -> None:
    layer = Layer(2, 1, nonlin=False, rng=random.Random(5))
    x = [Value(1.0), Value(2.0)]
    out = layer(x)
    assert isinstance(out, Value)
    old = [w.data for w in layer.neurons[0].w]
    for w in layer.neurons[0].w:
        w.data = 100.0  # after the forward pass, before backward
    out.backward()
    assert [v.grad for v in x] == old  # d(out)/dx_i = w_i as it was at forward time
    assert layer(x).data == layer.neurons[0].b.data + 100.0 * 1.0 + 100.0 * 2.0


def test_activation_is_checked_by_checks_choice() -> None:
    w, x, b = [Value(1.0)], [Value(2.0)], Value(0.0)
    with pytest.raises(ValueError, match=r"^linear: unknown activation 'tanh'; expected one of"):
        linear([w], x, [b], activation="tanh")
    with pytest.raises(TypeError, match=r"^linear: activation must be one of 'linear', 'relu'"):
        linear([w], x, [b], activation=None)  # type: ignore[arg-type]
