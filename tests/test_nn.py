"""autograd_mini.nn: micrograd compatibility, fused neurons, activations, state dicts."""

from __future__ import annotations

import json
import math
import random
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from autograd_mini import Value
from autograd_mini.datasets import make_moons
from autograd_mini.nn import MLP, Layer, Module, Neuron


@pytest.fixture
def micrograd() -> object:
    """micrograd 0.1.0 itself (the bench and dev extras install it) as the reference."""
    return pytest.importorskip("micrograd.nn")


def snapshot(model: Module) -> list[float]:
    return [p.data for p in model.parameters()]


# --------------------------------------------------------------------------- micrograd


def test_parameter_count_and_repr_match_micrograd(micrograd: Any) -> None:
    random.seed(7)
    theirs = micrograd.MLP(2, [16, 16, 1])
    random.seed(7)
    ours = MLP(2, [16, 16, 1])
    assert len(ours.parameters()) == 337 == len(theirs.parameters())
    assert ours.num_parameters() == 337
    assert repr(ours) == repr(theirs)
    assert repr(ours).startswith("MLP of [Layer of [ReLUNeuron(2), ReLUNeuron(2),")
    assert repr(ours).endswith("Layer of [LinearNeuron(16)]]")
    assert repr(Neuron(3, nonlin=False)) == "LinearNeuron(3)"
    assert repr(Layer(2, 2, activation="tanh")) == "Layer of [TanhNeuron(2), TanhNeuron(2)]"


def test_same_global_seed_gives_micrograds_initial_weights(micrograd: Any) -> None:
    random.seed(1337)
    theirs = micrograd.MLP(2, [16, 16, 1])
    random.seed(1337)
    ours = MLP(2, [16, 16, 1])
    assert snapshot(ours) == [p.data for p in theirs.parameters()]
    # weights uniform in [-1, 1], biases 0, in micrograd's order: per neuron w then b
    first = ours.layers[0].neurons[0]
    assert ours.parameters()[:3] == [*first.w, first.b]
    assert all(n.b.data == 0.0 for layer in ours.layers for n in layer.neurons)
    assert all(-1.0 <= w.data <= 1.0 for layer in ours.layers for n in layer.neurons for w in n.w)


@pytest.mark.parametrize("fused", [True, False])
def test_forward_and_backward_match_micrograd_on_moons(micrograd: Any, fused: bool) -> None:
    X, y = make_moons(40, 0.1, seed=3)
    random.seed(42)
    theirs = micrograd.MLP(2, [16, 16, 1])
    random.seed(42)
    ours = MLP(2, [16, 16, 1], fused=fused)
    MV = micrograd.Value

    def loss(model: object, value_cls: type) -> object:
        scores = [model([value_cls(a), value_cls(b)]) for a, b in X]  # type: ignore[operator]
        losses = [(1 + -yi * s).relu() for yi, s in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg = 1e-4 * sum(p * p for p in model.parameters())  # type: ignore[attr-defined]
        return data_loss + reg

    L_theirs = loss(theirs, MV)
    L_ours = loss(ours, Value)
    assert L_ours.data == L_theirs.data  # type: ignore[attr-defined]
    L_theirs.backward()  # type: ignore[attr-defined]
    L_ours.backward()  # type: ignore[attr-defined]
    # micrograd visits the graph in set order, so a hidden unit's gradient is
    # summed in a different order: equal up to rounding, not bit for bit.
    for p, q in zip(ours.parameters(), theirs.parameters()):
        assert p.grad == pytest.approx(q.grad, rel=1e-12, abs=1e-15)
    assert any(p.grad != 0.0 for p in ours.parameters())


def test_micrograd_demo_loop_unchanged_reaches_95_percent() -> None:
    # micrograd's demo notebook, with only the imports (and the data set) changed.
    X, y = make_moons(n=100, noise=0.1, seed=0)
    random.seed(1337)
    model = MLP(2, [16, 16, 1])

    def loss() -> tuple[Value, float]:
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        alpha = 1e-4
        reg_loss = alpha * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
        return total_loss, sum(accuracy) / len(accuracy)

    first_loss, _ = loss()
    for k in range(100):
        total_loss, acc = loss()
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
    total_loss, acc = loss()
    assert acc >= 0.95
    assert total_loss.data < 0.1 < first_loss.data


# --------------------------------------------------------------------------- behaviour


def test_neuron_computes_bias_plus_weighted_sum_then_activation() -> None:
    n = Neuron(2, activation="tanh", rng=random.Random(0))
    n.w[0].data, n.w[1].data, n.b.data = 0.5, -2.0, 0.25
    out = n([Value(1.5), Value(0.5)])
    z = 0.25 + 0.5 * 1.5 + (-2.0) * 0.5  # = 0.0
    assert out.data == math.tanh(z) == 0.0
    out.backward()
    # d tanh(z)/dz = 1 - tanh(z)^2 = 1 at z = 0; dz/dw_i = x_i, dz/db = 1
    assert [n.w[0].grad, n.w[1].grad, n.b.grad] == [1.5, 0.5, 1.0]


@pytest.mark.parametrize(
    ("activation", "z", "expected"),
    [
        ("relu", -0.5, 0.0),
        ("relu", 0.75, 0.75),
        ("linear", -0.5, -0.5),
        ("sigmoid", 0.0, 0.5),
        ("tanh", 1.0, math.tanh(1.0)),
    ],
)
def test_activations(activation: str, z: float, expected: float) -> None:
    n = Neuron(1, activation=activation)
    n.w[0].data = 1.0
    assert n([z]).data == pytest.approx(expected, abs=1e-15)


def test_per_layer_activations_and_default_last_layer_linear() -> None:
    m = MLP(3, [4, 4, 2], activation="tanh", rng=random.Random(1))
    assert [n.activation for layer in m.layers for n in layer.neurons[:1]] == [
        "tanh",
        "tanh",
        "linear",
    ]
    m2 = MLP(3, [4, 1], activation=["sigmoid", "sigmoid"], rng=random.Random(1))
    out = m2([0.1, 0.2, 0.3])
    assert isinstance(out, Value) and 0.0 < out.data < 1.0
    with pytest.raises(ValueError, match="2 activations given for 3 layers"):
        MLP(3, [4, 4, 2], activation=["tanh", "tanh"])
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        MLP(3, [4, 1], activation="gelu")


def test_layer_returns_bare_value_for_one_neuron_and_list_otherwise() -> None:
    one = Layer(2, 1, rng=random.Random(0))([1.0, 2.0])
    many = Layer(2, 3, rng=random.Random(0))([1.0, 2.0])
    assert isinstance(one, Value)
    assert isinstance(many, list) and len(many) == 3
    # a hidden layer of width 1 feeds the next layer (micrograd would fail here)
    assert isinstance(MLP(2, [1, 1], rng=random.Random(0))([1.0, 2.0]), Value)


def test_zero_grad_clears_every_parameter() -> None:
    m = MLP(2, [3, 3, 1], rng=random.Random(5))
    out = m([Value(0.3), Value(-0.7)])
    assert isinstance(out, Value)
    (out * out + 1.0).backward()
    for p in m.parameters():
        p.grad = 3.0  # make sure every single one is non-zero
    m.zero_grad()
    assert [p.grad for p in m.parameters()] == [0.0] * m.num_parameters()


def test_seeded_models_are_identical_and_leave_global_random_alone() -> None:
    random.seed(99)
    expected_next = random.random()
    random.seed(99)
    a = MLP(2, [8, 8, 1], rng=random.Random(123))
    b = MLP(2, [8, 8, 1], rng=random.Random(123))
    assert random.random() == expected_next  # the global generator was not used
    assert snapshot(a) == snapshot(b)
    assert snapshot(a) != snapshot(MLP(2, [8, 8, 1], rng=random.Random(124)))


def test_rng_draws_the_same_weights_as_micrograd_after_global_seed(micrograd: Any) -> None:
    ours = MLP(2, [8, 8, 1], rng=random.Random(123))
    random.seed(123)
    assert snapshot(ours) == [p.data for p in micrograd.MLP(2, [8, 8, 1]).parameters()]


def test_fused_records_one_dot_node_per_neuron() -> None:
    n = Neuron(3, nonlin=False, rng=random.Random(0))
    x = [Value(1.0), Value(2.0), Value(3.0)]
    fused = n(x)
    assert fused.op == "dot"
    assert fused.parents == (*n.w, *x, n.b)
    n.fused = False
    per_op = n(x)
    assert per_op.op == "+"  # ((b + w1 x1) + w2 x2) + w3 x3
    assert per_op.data == fused.data


@given(
    nin=st.integers(1, 6),
    seed=st.integers(0, 2**32 - 1),
    xs=st.lists(st.floats(-10, 10, allow_nan=False), min_size=6, max_size=6),
    activation=st.sampled_from(["relu", "tanh", "sigmoid", "linear"]),
)
# Found on Python 3.13, whose sum() of floats is compensated: the fused sum must
# still round after every addition, like the per-operation graph.
@example(nin=3, seed=209, xs=[1.25, 1.0, 1.0, 0.0, 0.0, 0.0], activation="relu")
def test_fused_and_per_operation_neurons_give_identical_values_and_gradients(
    nin: int, seed: int, xs: list[float], activation: str
) -> None:
    results = []
    for fused in (True, False):
        layer = Layer(nin, 2, activation=activation, rng=random.Random(seed), fused=fused)
        for n in layer.neurons:
            n.b.data = xs[-1] / 3.0
        x = [Value(v) for v in xs[:nin]]
        outs = layer(x)
        assert isinstance(outs, list)
        root = outs[0] * outs[1] + outs[0]
        root.backward()
        results.append(
            (root.data, [p.grad for p in layer.parameters()], [v.grad for v in x])
        )
    assert results[0] == results[1]


# --------------------------------------------------------------------------- validation


def test_bad_constructor_arguments() -> None:
    with pytest.raises(ValueError, match="nouts must name at least one layer"):
        MLP(2, [])
    with pytest.raises(ValueError, match=r"nouts\[1\] must be >= 1, got 0"):
        MLP(2, [3, 0])
    with pytest.raises(TypeError, match="nin must be an int"):
        Neuron(2.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"rng must be a random\.Random"):
        Neuron(2, rng=42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="nouts must be a sequence"):
        MLP(2, 3)  # type: ignore[arg-type]


def test_wrong_number_of_inputs_is_a_value_error() -> None:
    m = MLP(2, [3, 1], rng=random.Random(0))
    with pytest.raises(ValueError, match=r"ReLUNeuron\(2\): expected 2 inputs, got 3"):
        m([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="expected 2 inputs, got 1"):
        Neuron(2, fused=False)([1.0])


# --------------------------------------------------------------------------- state


def test_state_dict_layout_and_exact_round_trip() -> None:
    m = MLP(2, [3, 1], rng=random.Random(0))
    state = m.state_dict()
    assert list(state) == [
        "layers.0.neurons.0.w", "layers.0.neurons.0.b",
        "layers.0.neurons.1.w", "layers.0.neurons.1.b",
        "layers.0.neurons.2.w", "layers.0.neurons.2.b",
        "layers.1.neurons.0.w", "layers.1.neurons.0.b",
    ]  # fmt: skip
    assert state["layers.0.neurons.1.w"] == [p.data for p in m.layers[0].neurons[1].w]
    assert state["layers.1.neurons.0.b"] == 0.0
    text = json.dumps(state)
    other = MLP(2, [3, 1], rng=random.Random(1))
    assert snapshot(other) != snapshot(m)
    other.load_state_dict(json.loads(text))
    assert snapshot(other) == snapshot(m)  # exact: JSON round-trips floats
    assert Neuron(2, rng=random.Random(0)).state_dict().keys() == {"w", "b"}


def _malformed(state: dict[str, object]) -> list[tuple[dict[str, object], str]]:
    missing = dict(state)
    del missing["layers.1.neurons.0.b"]
    extra = {**state, "layers.2.neurons.0.w": [1.0]}
    short = {**state, "layers.0.neurons.0.w": [0.5]}
    scalar_for_list = {**state, "layers.0.neurons.1.w": 0.5}
    list_for_scalar = {**state, "layers.0.neurons.0.b": [0.5]}
    text = {**state, "layers.0.neurons.1.w": [0.1, "0.2"]}
    nan = {**state, "layers.1.neurons.0.b": float("nan")}
    boolean = {**state, "layers.0.neurons.0.b": True}
    return [
        (missing, "missing keys: layers.1.neurons.0.b"),
        (extra, "unexpected keys: 'layers.2.neurons.0.w'"),
        (short, r"layers.0.neurons.0.w: expected a list of 2 numbers, got 1"),
        (scalar_for_list, r"layers.0.neurons.1.w: expected a list of 2 numbers, got float"),
        (list_for_scalar, r"layers.0.neurons.0.b: expected a finite number"),
        (text, r"layers.0.neurons.1.w: not finite numbers at \[1\]='0.2'"),
        (nan, r"layers.1.neurons.0.b: expected a finite number, got nan"),
        (boolean, r"layers.0.neurons.0.b: expected a finite number, got True"),
    ]


def test_load_state_dict_rejects_malformed_dicts_and_leaves_model_unchanged() -> None:
    m = MLP(2, [2, 1], rng=random.Random(0))
    good = m.state_dict()
    target = MLP(2, [2, 1], rng=random.Random(1))
    before = snapshot(target)
    for bad, message in _malformed(dict(good)):
        with pytest.raises(ValueError, match=message):
            target.load_state_dict(bad)
        assert snapshot(target) == before
    with pytest.raises(TypeError, match="expected a dict"):
        target.load_state_dict([1.0, 2.0])
    assert snapshot(target) == before


def test_save_and_load_json_file(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "model.json"
    m = MLP(2, [4, 1], activation="tanh", rng=random.Random(3))
    m.save(path)
    document = json.loads(path.read_text())
    assert document["format"] == "autograd-mini/state_dict"
    assert document["state"] == m.state_dict()
    other = MLP(2, [4, 1], activation="tanh", rng=random.Random(4))
    other.load(path)
    assert snapshot(other) == snapshot(m)

    wrong_shape = MLP(2, [5, 1], rng=random.Random(4))
    before = snapshot(wrong_shape)
    with pytest.raises(ValueError, match=r"missing keys: layers\.0\.neurons\.4\.w"):
        wrong_shape.load(path)
    assert snapshot(wrong_shape) == before

    garbage = Path(str(tmp_path)) / "garbage.json"
    garbage.write_bytes(b"\x80\x04\x95 not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        other.load(garbage)
    nan_file = Path(str(tmp_path)) / "nan.json"
    nan_file.write_text('{"w": [NaN, 1.0], "b": 0.0}')
    with pytest.raises(ValueError, match="NaN"):
        Neuron(2).load(nan_file)

    m.layers[0].neurons[0].b.data = math.inf
    with pytest.raises(ValueError, match=r"not finite in layers.0.neurons.0.b"):
        m.save(Path(str(tmp_path)) / "inf.json")
