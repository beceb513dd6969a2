"""nn as micrograd code uses it: subclassed and patched neurons, numpy inputs, ``nonlin``.

A `Layer` calls each neuron as the neuron would be called on its own, so a
`Neuron` subclass with its own ``__call__``, or a ``Neuron.__call__`` patched
on the class, is honoured; only layers of built-in neurons take the fused fast
path, which must give exactly what calling the neurons one by one gives.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_mini import Value
from autograd_mini.nn import ACTIVATIONS, MLP, Layer, Neuron

np = pytest.importorskip("numpy")


def grads(values: Iterable[Value]) -> list[float]:
    return [v.grad for v in values]


class DoubledNeuron(Neuron):
    """A neuron whose output is twice the built-in one's (its own ``__call__``)."""

    def __call__(self, x: Iterable[Value | float]) -> Value:
        return super().__call__(x) * 2.0


def copy_into(source: Neuron, target: Neuron) -> Neuron:
    for w, v in zip(target.w, source.w):
        w.data = v.data
    target.b.data = source.b.data
    target.activation = source.activation
    return target


# --------------------------------------------------------------------------- subclasses


def test_a_neuron_subclass_with_its_own_call_is_honoured_in_a_layer() -> None:
    layer = Layer(3, 3, rng=random.Random(1))
    layer.neurons[1].b.data = 2.0  # active, so that the factor shows
    plain = [copy_into(n, Neuron(3)) for n in layer.neurons]
    layer.neurons[1] = copy_into(layer.neurons[1], DoubledNeuron(3))
    xs = [Value(0.5), Value(-0.25), Value(1.0)]
    out = layer(xs)
    expected = [n([x.data for x in xs]).data for n in plain]
    assert [o.data for o in out] == [expected[0], 2.0 * expected[1], expected[2]]
    assert expected[1] > 0.0

    out[1].backward()
    single = plain[1](xs_copy := [Value(x.data) for x in xs])
    single.backward()
    assert grads(layer.neurons[1].parameters()) == [2.0 * g for g in grads(plain[1].parameters())]
    assert grads(xs) == [2.0 * g for g in grads(xs_copy)]
    assert grads(layer.neurons[0].parameters()) == [0.0] * 4  # out[0] was not differentiated


def test_a_neuron_subclass_is_honoured_inside_an_mlp() -> None:
    model = MLP(2, [3, 1], rng=random.Random(5))
    reference = MLP(2, [3, 1], rng=random.Random(5))
    last = model.layers[-1]
    last.neurons[0] = copy_into(last.neurons[0], DoubledNeuron(3))
    x = [0.3, -0.7]
    assert model(x).data == 2.0 * reference(x).data
    model(x).backward()
    reference(x).backward()
    assert grads(model.parameters()) == [2.0 * g for g in grads(reference.parameters())]


def test_a_patched_neuron_call_on_the_class_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    model = MLP(2, [4, 4, 1], rng=random.Random(3))
    x = [Value(0.5), Value(-1.0)]
    before = model(x).data
    original = Neuron.__call__
    calls: list[Neuron] = []

    def patched(self: Neuron, inputs: Iterable[Value | float]) -> Value:
        calls.append(self)
        return original(self, inputs) + 1.0

    monkeypatch.setattr(Neuron, "__call__", patched)
    out = model(x)
    assert len(calls) == 4 + 4 + 1  # every neuron, hidden layers' fused ones included
    assert out.data != before
    # by hand: each neuron's built-in output plus one
    h = [Value(v.data) for v in x]
    for layer in model.layers:
        h = [original(n, h) + 1.0 for n in layer.neurons]
    assert out.data == h[0].data
    out.backward()
    assert any(g != 0.0 for g in grads(x))
    monkeypatch.undo()
    assert Neuron.__call__ is original
    assert model(x).data == before  # restored: the fast path again, the same numbers


# --------------------------------------------------------------------------- fused fast path


@given(
    nin=st.integers(min_value=0, max_value=5),
    nout=st.integers(min_value=1, max_value=4),
    activation=st.sampled_from(ACTIVATIONS),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    as_values=st.booleans(),
    data=st.data(),
)
def test_the_fused_layer_gives_exactly_what_its_neurons_give_one_by_one(
    nin: int, nout: int, activation: str, seed: int, as_values: bool, data: st.DataObject
) -> None:
    layer = Layer(nin, nout, activation=activation, rng=random.Random(seed))
    for n in layer.neurons:  # biases off zero, so that both signs of the sum occur
        n.b.data = data.draw(st.floats(min_value=-1.0, max_value=1.0))
    raw = data.draw(st.lists(st.floats(min_value=-3.0, max_value=3.0), min_size=nin,
                             max_size=nin))  # fmt: skip
    weights = data.draw(st.lists(st.floats(min_value=-2.0, max_value=2.0), min_size=nout,
                                 max_size=nout))  # fmt: skip

    def run(call_one_by_one: bool) -> tuple[list[float], list[float], list[float]]:
        xs: list[Any] = [Value(r) for r in raw] if as_values else list(raw)
        out = [n(xs) for n in layer.neurons] if call_one_by_one else layer(xs)
        out = out if isinstance(out, list) else [out]
        layer.zero_grad()
        loss = sum((w * o for w, o in zip(weights, out)), Value(0.0))
        loss.backward()
        input_grads = [x.grad for x in xs] if as_values else []
        return [o.data for o in out], grads(layer.parameters()), input_grads

    assert run(call_one_by_one=False) == run(call_one_by_one=True)


def test_the_fused_relu_layer_records_one_node_per_neuron() -> None:
    layer = Layer(3, 2, rng=random.Random(0))
    out = layer([Value(1.0), Value(2.0), Value(3.0)])
    assert [o.op for o in out] == ["dot+relu", "dot+relu"]
    assert [len(o.parents) for o in out] == [7, 7]


# --------------------------------------------------------------------------- numpy


def test_an_mlp_takes_a_numpy_array_and_a_list_of_numpy_floats() -> None:
    model = MLP(2, [3, 1], rng=random.Random(2))
    row = np.array([0.5, -1.0])
    out = model(row)
    assert isinstance(out, Value)
    expected = model([0.5, -1.0]).data
    assert out.data == expected
    assert model(list(row)).data == expected
    assert model(row.astype(np.float32)).data == expected  # 0.5 and -1.0 are exact
    batch = np.array([[0.5, -1.0], [1.0, 2.0]])
    assert [model(r).data for r in batch] == [expected, model([1.0, 2.0]).data]


def test_numpy_sizes_are_accepted() -> None:
    model = MLP(np.int64(2), [np.int64(3), 1])
    assert [len(layer.neurons) for layer in model.layers] == [3, 1]
    assert model.num_parameters() == (2 + 1) * 3 + (3 + 1) * 1
    assert len(Neuron(np.int32(4)).w) == 4
    assert len(Layer(np.int64(2), np.int32(5)).neurons) == 5


SCALARS = [np.float32(2.0), np.float64(2.0), np.int32(2), np.int64(2), np.bool_(True)]


@pytest.mark.parametrize("scalar", SCALARS, ids=lambda s: type(s).__name__)
def test_numpy_scalars_on_either_side_of_an_operator(scalar: Any) -> None:
    c = float(scalar)
    results: dict[str, tuple[Callable[[Value], Value], Callable[[float], float], float]] = {
        "s + v": (lambda v: scalar + v, lambda x: c + x, 1.0),
        "v + s": (lambda v: v + scalar, lambda x: x + c, 1.0),
        "s - v": (lambda v: scalar - v, lambda x: c - x, -1.0),
        "v - s": (lambda v: v - scalar, lambda x: x - c, 1.0),
        "s * v": (lambda v: scalar * v, lambda x: c * x, c),
        "v * s": (lambda v: v * scalar, lambda x: x * c, c),
        "s / v": (lambda v: scalar / v, lambda x: c / x, -c / 1.5**2),
        "v / s": (lambda v: v / scalar, lambda x: x / c, 1 / c),
        "v ** s": (lambda v: v**scalar, lambda x: x**c, c * 1.5 ** (c - 1)),
        "s ** v": (lambda v: scalar**v, lambda x: c**x, math.log(c) * c**1.5),
    }
    for name, (op, plain, derivative) in results.items():
        v = Value(1.5)
        out = op(v)
        assert type(out) is Value, name
        assert type(out.data) is float, name
        assert out.data == pytest.approx(plain(1.5), rel=1e-15), name
        out.backward()
        assert v.grad == pytest.approx(derivative, rel=1e-15), name


@pytest.mark.parametrize("scalar", SCALARS, ids=lambda s: type(s).__name__)
def test_numpy_scalars_as_values_and_as_neuron_inputs(scalar: Any) -> None:
    v = Value(scalar)
    assert type(v.data) is float and v.data == float(scalar)
    n = Neuron(3, nonlin=False, rng=random.Random(4))
    xs = [scalar, np.float64(-0.5), 1]
    assert n(xs).data == n([float(x) for x in xs]).data
    assert Layer(3, 2, rng=random.Random(4))(xs)[0].data == Layer(
        3, 2, rng=random.Random(4)
    )([float(x) for x in xs])[0].data


# --------------------------------------------------------------------------- nonlin, activations


def test_nonlin_is_settable_as_in_micrograd() -> None:
    n = Neuron(2, rng=random.Random(0))
    assert n.nonlin is True and repr(n) == "ReLUNeuron(2)"
    n.w[0].data, n.w[1].data, n.b.data = 1.0, 1.0, -5.0
    assert n([1.0, 1.0]).data == 0.0  # relu(-3)
    n.nonlin = False
    assert n.nonlin is False and n.activation == "linear" and repr(n) == "LinearNeuron(2)"
    assert n([1.0, 1.0]).data == -3.0  # linear now
    n.nonlin = True
    assert n([1.0, 1.0]).data == 0.0


def test_nonlin_set_on_one_neuron_of_a_layer_changes_only_that_neuron() -> None:
    layer = Layer(1, 2, rng=random.Random(0))
    for n in layer.neurons:
        n.w[0].data, n.b.data = 1.0, 0.0
    assert [o.data for o in layer([-2.0])] == [0.0, 0.0]
    layer.neurons[1].nonlin = False
    assert [o.data for o in layer([-2.0])] == [0.0, -2.0]


def test_mixed_activations_in_one_layer() -> None:
    layer = Layer(2, 4, rng=random.Random(9))
    for n, act in zip(layer.neurons, ["tanh", "relu", "sigmoid", "linear"]):
        n.activation = act
    xs = [Value(0.4), Value(-0.9)]
    out = layer(xs)
    z = [n.b.data + n.w[0].data * 0.4 + n.w[1].data * -0.9 for n in layer.neurons]
    sigmoid = 1.0 / (1.0 + math.exp(-z[2]))
    assert [o.data for o in out] == pytest.approx(
        [math.tanh(z[0]), max(0.0, z[1]), sigmoid, z[3]], rel=1e-14
    )
    assert [o.op for o in out] == ["tanh", "dot+relu", "sigmoid", "dot"]
    sum(out, Value(0.0)).backward()
    local = [1 - math.tanh(z[0]) ** 2, 1.0 if z[1] > 0 else 0.0, sigmoid * (1 - sigmoid), 1.0]
    for n, d in zip(layer.neurons, local):
        assert n.b.grad == pytest.approx(d, rel=1e-14)
    expected_x0 = sum(d * n.w[0].data for n, d in zip(layer.neurons, local))
    assert xs[0].grad == pytest.approx(expected_x0, rel=1e-12)
