"""The two-node network: engine gradients against the hand-derived backprop deltas.

The hand formulas are themselves checked against central finite differences
of a cost written out here with `decimal`, so that the engine and the formulas
cannot agree by sharing a mistake.
"""

from __future__ import annotations

import itertools
import math
from decimal import Decimal, localcontext

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from autograd_mini import Value, topological_order
from autograd_mini.two_node import (
    COSTS,
    HAND_KEYS,
    TwoNodeNetwork,
    backprop_by_hand,
    sigmoid,
    softplus,
)

# --------------------------------------------------------------------------- strategies

coord = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False, allow_infinity=False)
soft_target = st.floats(min_value=0.0, max_value=1.0, exclude_min=True, exclude_max=True)
hard_target = st.sampled_from([0.0, 1.0])
target = st.one_of(soft_target, hard_target)
cost_name = st.sampled_from(COSTS)
params = st.tuples(coord, coord, coord, coord)


def close(engine: float, hand: float) -> bool:
    """1e-9 relative agreement, with an absolute floor for values that cancel to ~0."""
    return math.isclose(engine, hand, rel_tol=1e-9, abs_tol=1e-12)


# --------------------------------------------------------------------------- independent reference


def ref_sigmoid(z: float) -> float:
    # The textbook formula; fine for the moderate arguments used here.
    return 1.0 / (1.0 + math.exp(-z))


def exact_cost(x: float, y: float, p: list[Decimal], cost: str) -> Decimal:
    """J computed with 50 significant digits (`decimal`), for finite differences.

    In floats, the difference of two costs 2h apart loses about eps * J / h to
    rounding, and near a saturated ŷ the naive log(1 − ŷ) adds a factor
    1 / (1 − ŷ): already at ŷ ≈ 0.993 that is ~1e-8, the size of the
    tolerance. With 50 digits only the O(h²) truncation error is left.
    """
    with localcontext() as ctx:
        ctx.prec = 50
        w1, b1, w2, b2 = p

        def sig(z: Decimal) -> Decimal:
            return 1 / (1 + (-z).exp())

        dx, dy = Decimal(x), Decimal(y)
        y_hat = sig(w2 * sig(w1 * dx + b1) + b2)
        if cost == "squared":
            return (y_hat - dy) ** 2 / 2
        return -(dy * y_hat.ln() + (1 - dy) * (1 - y_hat).ln())


def ref_cost(x: float, y: float, w1: float, b1: float, w2: float, b2: float, cost: str) -> float:
    """J at the given parameters: `exact_cost`, rounded to a float."""
    return float(exact_cost(x, y, [Decimal(v) for v in (w1, b1, w2, b2)], cost))


def finite_difference(
    x: float, y: float, p: list[float], i: int, cost: str, h: float = 1e-6
) -> float:
    """Central difference of `exact_cost` in parameter ``i``."""
    step = Decimal(h)
    up = [Decimal(v) for v in p]
    down = list(up)
    up[i] += step
    down[i] -= step
    with localcontext() as ctx:
        ctx.prec = 50
        return float((exact_cost(x, y, up, cost) - exact_cost(x, y, down, cost)) / (2 * step))


# --------------------------------------------------------------------------- properties


@given(params, coord, target, cost_name)
def test_engine_gradients_equal_hand_formulas(
    p: tuple[float, float, float, float], x: float, y: float, cost: str
) -> None:
    net = TwoNodeNetwork(*p, cost=cost)
    fwd = net.trace(x, y)
    fwd.J.backward()
    hand = net.hand_gradients(x, y)
    assert set(hand) == set(HAND_KEYS)
    pairs = {
        "z1": fwd.z1.data,
        "a1": fwd.a1.data,
        "z2": fwd.z2.data,
        "y_hat": fwd.y_hat.data,
        "delta2": fwd.z2.grad,  # the graph's interior gradients are the deltas
        "delta1": fwd.z1.grad,
        "dJ_dw2": net.w2.grad,
        "dJ_db2": net.b2.grad,
        "dJ_dw1": net.w1.grad,
        "dJ_db1": net.b1.grad,
    }
    for key, engine in pairs.items():
        assert close(engine, hand[key]), (key, engine, hand[key])


@given(params, coord, target, cost_name)
# Found by hypothesis: ŷ ≈ 0.993, where a float reference cost's rounding noise
# (~1e-8 in the difference quotient) exceeded the tolerance.
@example(p=(2.0, 2.0, 2.0, 3.0), x=3.0, y=0.25, cost="cross_entropy")
def test_hand_formulas_match_finite_differences(
    p: tuple[float, float, float, float], x: float, y: float, cost: str
) -> None:
    hand = backprop_by_hand(x, y, *p, cost=cost)
    # The reference cost is evaluated with 50 digits, so the central difference is
    # accurate to its O(h²) truncation error even where ŷ is close to 0 or 1.
    for i, key in enumerate(["dJ_dw1", "dJ_db1", "dJ_dw2", "dJ_db2"]):
        numeric = finite_difference(x, y, list(p), i, cost)
        assert math.isclose(hand[key], numeric, rel_tol=1e-5, abs_tol=1e-8), (key, numeric)


@given(params, coord, target, cost_name)
def test_cost_value_matches_its_definition(
    p: tuple[float, float, float, float], x: float, y: float, cost: str
) -> None:
    J = TwoNodeNetwork(*p, cost=cost).cost(x, y)
    assert math.isclose(J.data, ref_cost(x, y, *p, cost), rel_tol=1e-9, abs_tol=1e-12)


@settings(max_examples=50)
@given(params, coord, target, cost_name)
def test_gradient_descent_lowers_the_cost(
    p: tuple[float, float, float, float], x: float, y: float, cost: str
) -> None:
    net = TwoNodeNetwork(*p, cost=cost)
    history = []
    for _ in range(3):
        net.zero_grad()
        J = net.cost(x, y)
        J.backward()
        history.append((J.data, sum(q.grad**2 for q in net.parameters())))
        net.step(0.05)
    history.append((net.cost(x, y).data, 0.0))
    for (before, grad_sq), (after, _) in itertools.pairwise(history):
        # A small step along −grad lowers J by about lr·|grad|²; where the gradient
        # vanishes (say y = ŷ) J cannot move, up to rounding.
        if grad_sq > 1e-8:
            assert after < before
        else:
            assert after <= before + 1e-12


def test_default_lesson_cost_goes_down_every_step() -> None:
    net = TwoNodeNetwork(0.8, -0.2, -1.2, 0.3)
    costs = []
    for _ in range(5):
        net.zero_grad()
        J = net.cost(1.5, 1.0)
        J.backward()
        costs.append(J.data)
        net.step(2.0)
    assert all(b < a for a, b in itertools.pairwise(costs))


# --------------------------------------------------------------------------- worked numbers


def test_hand_gradients_at_a_point_worked_by_hand() -> None:
    # w1 = b1 = w2 = b2 = 0: z1 = 0, a1 = 1/2, z2 = 0, ŷ = 1/2 exactly.
    # squared, y = 1: delta2 = (1/2 − 1)·(1/2)(1/2) = −1/8; dJ/dw2 = −1/16; delta1 = 0.
    hand = backprop_by_hand(2.0, 1.0, 0.0, 0.0, 0.0, 0.0, "squared")
    assert hand["a1"] == 0.5 and hand["y_hat"] == 0.5
    assert hand["delta2"] == -0.125 and hand["dJ_dw2"] == -0.0625 and hand["dJ_db2"] == -0.125
    assert hand["delta1"] == 0.0 and hand["dJ_dw1"] == 0.0
    # cross-entropy, y = 0: delta2 = ŷ − y = 1/2; w2 = 1 gives delta1 = 1/2·1·1/4 = 1/8.
    hand = backprop_by_hand(2.0, 0.0, 0.0, 0.0, 1.0, 0.0, "cross_entropy")
    assert hand["delta2"] == pytest.approx(ref_sigmoid(0.5))
    assert hand["delta1"] == pytest.approx(ref_sigmoid(0.5) * 0.25)
    assert hand["dJ_dw1"] == pytest.approx(2.0 * ref_sigmoid(0.5) * 0.25)


def test_delta1_is_proportional_to_delta2() -> None:
    # delta1 / delta2 = w2·σ'(z1) does not depend on the target or on the cost.
    x, w1, b1, w2, b2 = 0.7, 1.1, -0.3, 2.0, 0.4
    a1 = ref_sigmoid(w1 * x + b1)
    for cost, y in [("squared", 0.0), ("squared", 1.0), ("cross_entropy", 0.25)]:
        hand = backprop_by_hand(x, y, w1, b1, w2, b2, cost)
        assert hand["delta1"] / hand["delta2"] == pytest.approx(w2 * a1 * (1 - a1), rel=1e-12)


def test_cross_entropy_is_stable_when_the_output_saturates() -> None:
    # z2 = 40·σ(5) + 800 ≈ 840: ŷ rounds to exactly 1.0, so log(1 − ŷ) would be log(0).
    net = TwoNodeNetwork(1.0, 1.0, 40.0, 800.0, cost="cross_entropy")
    fwd = net.trace(5.0, 0.0)
    assert fwd.y_hat.data == 1.0
    # J = softplus(z2) − 0·z2 = z2 + log(1 + e^−z2) = z2 to double precision.
    assert fwd.J.data == pytest.approx(fwd.z2.data, rel=1e-15)
    fwd.J.backward()
    assert fwd.z2.grad == pytest.approx(1.0)  # ŷ − y
    assert all(math.isfinite(q.grad) for q in net.parameters())
    # Right answer, saturated: J is e^−z2 ≈ 0, not NaN.
    assert 0.0 <= net.cost(5.0, 1.0).data < 1e-300


def test_cross_entropy_gradient_at_z2_equal_zero() -> None:
    # softplus'(0) = σ(0) = 1/2, so delta2 = 1/2 − y (a |z|-based softplus would give 0 − y).
    net = TwoNodeNetwork(0.0, 0.0, 0.0, 0.0, cost="cross_entropy")
    fwd = net.trace(1.0, 0.25)
    fwd.J.backward()
    assert fwd.z2.data == 0.0
    assert fwd.z2.grad == 0.25
    assert fwd.J.data == pytest.approx(math.log(2.0), rel=1e-15)


# --------------------------------------------------------------------------- API details


def test_parameters_are_labelled_values() -> None:
    net = TwoNodeNetwork(1, 2, 3, 4)
    assert [p.label for p in net.parameters()] == ["w1", "b1", "w2", "b2"]
    assert [p.data for p in net.parameters()] == [1.0, 2.0, 3.0, 4.0]
    assert net.parameters() == [net.w1, net.b1, net.w2, net.b2]
    assert all(isinstance(p, Value) and p.is_leaf for p in net.parameters())
    assert "cost='squared'" in repr(net)


@pytest.mark.parametrize("cost", COSTS)
def test_graph_carries_the_lesson_names(cost: str) -> None:
    net = TwoNodeNetwork(0.5, 0.1, -0.4, 0.2, cost=cost)
    fwd = net.trace(1.0, 1.0)
    assert [fwd.z1.label, fwd.a1.label, fwd.z2.label, fwd.y_hat.label, fwd.J.label] == [
        "z1", "a1", "z2", "ŷ", "J"
    ]
    nodes = set(topological_order(fwd.J))
    nodes |= {p for n in list(nodes) for p in n.parents}
    labels = {n.label for n in nodes}
    assert {"J", "z2", "a1", "z1", "w1", "b1", "w2", "b2", "x", "y"} <= labels
    if cost == "squared":
        assert "ŷ" in labels
    assert fwd.a1.parents == (fwd.z1,) and fwd.y_hat.parents == (fwd.z2,)


def test_forward_returns_the_prediction() -> None:
    net = TwoNodeNetwork(0.5, 0.1, -0.4, 0.2)
    y_hat = net.forward(2.0)
    assert y_hat.label == "ŷ"
    assert y_hat.data == pytest.approx(ref_sigmoid(-0.4 * ref_sigmoid(0.5 * 2 + 0.1) + 0.2))
    assert y_hat.data == net.trace(2.0, 0.0).y_hat.data


def test_zero_grad_and_accumulation() -> None:
    net = TwoNodeNetwork(0.5, 0.1, -0.4, 0.2)
    net.cost(1.0, 1.0).backward()
    first = [p.grad for p in net.parameters()]
    net.cost(1.0, 1.0).backward()
    assert [p.grad for p in net.parameters()] == pytest.approx([2 * g for g in first])
    net.zero_grad()
    assert [p.grad for p in net.parameters()] == [0.0] * 4


def test_step_moves_against_the_gradient() -> None:
    net = TwoNodeNetwork(0.5, 0.1, -0.4, 0.2)
    net.cost(1.0, 1.0).backward()
    before = [(p.data, p.grad) for p in net.parameters()]
    net.step(0.5)
    assert [p.data for p in net.parameters()] == [d - 0.5 * g for d, g in before]


def test_sigmoid_and_softplus_helpers() -> None:
    assert sigmoid(0.0) == 0.5
    assert sigmoid(-1000.0) == 0.0 and sigmoid(1000.0) == 1.0
    assert sigmoid(1.3) == pytest.approx(ref_sigmoid(1.3))
    assert softplus(0.0) == pytest.approx(math.log(2.0))
    assert softplus(-2.0) == pytest.approx(math.log1p(math.exp(-2.0)))
    assert softplus(1000.0) == 1000.0
    z = Value(0.7)
    s = softplus(z)
    assert isinstance(s, Value) and s.op == "softplus"
    s.backward()
    assert z.grad == pytest.approx(ref_sigmoid(0.7))


# --------------------------------------------------------------------------- errors


def test_unknown_cost_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="hinge") as info:
        TwoNodeNetwork(0, 0, 0, 0, cost="hinge")
    assert "'squared'" in str(info.value) and "'cross_entropy'" in str(info.value)
    with pytest.raises(ValueError, match="cross_entropy"):
        backprop_by_hand(1, 1, 0, 0, 0, 0, cost="mse")
    with pytest.raises(TypeError, match="cost"):
        TwoNodeNetwork(0, 0, 0, 0, cost=None)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["1.0", None, [1.0], Value(1.0), True, 1j])
def test_non_numbers_raise_type_error(bad: object) -> None:
    with pytest.raises(TypeError, match="w2"):
        TwoNodeNetwork(0.0, 0.0, bad, 0.0)  # type: ignore[arg-type]
    net = TwoNodeNetwork(0.0, 0.0, 0.0, 0.0)
    with pytest.raises(TypeError, match="x"):
        net.cost(bad, 1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="y"):
        net.cost(1.0, bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="x"):
        net.forward(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="lr"):
        net.step(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="b1"):
        backprop_by_hand(1.0, 1.0, 0.0, bad, 0.0, 0.0)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_raise_value_error(bad: float) -> None:
    with pytest.raises(ValueError, match="b2"):
        TwoNodeNetwork(0.0, 0.0, 0.0, bad)
    with pytest.raises(ValueError, match="x"):
        TwoNodeNetwork(0.0, 0.0, 0.0, 0.0).cost(bad, 0.5)


@pytest.mark.parametrize("y", [-0.1, 1.5, -3.0])
def test_cross_entropy_target_outside_unit_interval(y: float) -> None:
    net = TwoNodeNetwork(0.1, 0.2, 0.3, 0.4, cost="cross_entropy")
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        net.cost(1.0, y)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        net.hand_gradients(1.0, y)
    # The squared cost takes any real target.
    squared = TwoNodeNetwork(0.1, 0.2, 0.3, 0.4, cost="squared")
    assert squared.cost(1.0, y).data == pytest.approx(
        ref_cost(1.0, y, 0.1, 0.2, 0.3, 0.4, "squared")
    )


@pytest.mark.parametrize("lr", [0.0, -0.1, math.nan])
def test_bad_learning_rate_changes_nothing(lr: float) -> None:
    net = TwoNodeNetwork(0.5, 0.1, -0.4, 0.2)
    net.cost(1.0, 1.0).backward()
    before = [(p.data, p.grad) for p in net.parameters()]
    with pytest.raises(ValueError, match="lr"):
        net.step(lr)
    assert [(p.data, p.grad) for p in net.parameters()] == before


def test_overflowing_step_changes_nothing() -> None:
    net = TwoNodeNetwork(0.5, 0.1, -0.4, 0.2)
    net.cost(1.0, 1.0).backward()
    net.b2.grad = -10.0  # as if from a steep cost: 0.2 + 1e308·10 overflows
    before = [p.data for p in net.parameters()]
    with pytest.raises(OverflowError, match="lr"):
        net.step(1e308)
    assert [p.data for p in net.parameters()] == before


def test_overflowing_forward_raises() -> None:
    net = TwoNodeNetwork(1e308, 1e308, 1.0, 0.0)
    with pytest.raises(OverflowError, match="z1"):
        net.cost(10.0, 1.0)
    with pytest.raises(OverflowError, match="z1"):
        backprop_by_hand(10.0, 1.0, 1e308, 1e308, 1.0, 0.0)
