"""autograd_mini.losses against values and gradients worked out by hand."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_mini import Value, grad
from autograd_mini.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    hinge,
    l2_penalty,
    mean,
    mse,
    softmax,
    softmax_cross_entropy,
    softplus,
)


def values(*xs: float) -> list[Value]:
    return [Value(x) for x in xs]


def sig(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def test_mean() -> None:
    xs = values(1.0, 2.0, 6.0)
    m = mean(xs)
    m.backward()
    assert m.data == 3.0
    assert [x.grad for x in xs] == [1 / 3] * 3


def test_mse_by_hand() -> None:
    p = values(1.0, -2.0)
    L = mse(p, [0.5, 1.0])
    # errors 0.5 and -3: (0.25 + 9) / 2
    assert L.data == 4.625
    L.backward()
    # dL/dp_i = 2 (p_i - t_i) / n
    assert [x.grad for x in p] == [0.5, -3.0]
    single = Value(3.0)
    assert mse(single, 1.0).data == 4.0


def test_binary_cross_entropy_by_hand() -> None:
    p = values(0.8, 0.25)
    L = binary_cross_entropy(p, [1, 0])
    assert L.data == pytest.approx(-(math.log(0.8) + math.log(0.75)) / 2, rel=1e-15)
    L.backward()
    # dL/dp = -t/(n p) + (1-t)/(n (1-p))
    assert p[0].grad == pytest.approx(-1 / (2 * 0.8), rel=1e-15)
    assert p[1].grad == pytest.approx(1 / (2 * 0.75), rel=1e-15)


def test_binary_cross_entropy_soft_target_and_saturated_probability() -> None:
    p = Value(0.5)
    L = binary_cross_entropy([p], [0.3])
    assert L.data == pytest.approx(math.log(2), rel=1e-15)
    L.backward()
    assert p.grad == pytest.approx((0.5 - 0.3) / (0.5 * 0.5), rel=1e-15)
    # p == 1 with t == 1: the (1 - t) log(1 - p) term has weight 0 and is left out
    assert binary_cross_entropy([Value(1.0)], [1]).data == 0.0
    with pytest.raises(ValueError, match=r"probability 0 is 1\.0 with target 0\.0.*with_logits"):
        binary_cross_entropy([Value(1.0)], [0])


def test_binary_cross_entropy_with_logits_by_hand() -> None:
    z = values(0.0, 2.0, -3.0)
    L = binary_cross_entropy_with_logits(z, [1, 0, 1])
    # per example: -t log s(z) - (1 - t) log(1 - s(z))
    expected = (math.log(2) + math.log(1 + math.exp(2)) + math.log(1 + math.exp(3))) / 3
    assert L.data == pytest.approx(expected, rel=1e-14)
    L.backward()
    # dL/dz = (s(z) - t) / n, exactly 0.5 - 1 at z = 0 (no kink)
    assert z[0].grad == pytest.approx((0.5 - 1) / 3, rel=1e-15)
    assert z[1].grad == pytest.approx(sig(2.0) / 3, rel=1e-14)
    assert z[2].grad == pytest.approx((sig(-3.0) - 1) / 3, rel=1e-14)


def test_binary_cross_entropy_with_logits_is_stable_for_huge_scores() -> None:
    z = values(1000.0, -1000.0)
    L = binary_cross_entropy_with_logits(z, [0, 1])
    assert L.data == 1000.0  # -log(1 - s(1000)) = 1000 (+ e^-1000)
    L.backward()
    assert [x.grad for x in z] == [0.5, -0.5]  # (1 - 0)/2, (0 - 1)/2


@given(st.floats(-15, 15), st.sampled_from([0.0, 1.0, 0.25]))
def test_logits_form_agrees_with_probability_form(z: float, t: float) -> None:
    a, b = Value(z), Value(z)
    from_logits = binary_cross_entropy_with_logits([a], [t])
    from_probs = binary_cross_entropy([b.sigmoid()], [t])
    assert from_logits.data == pytest.approx(from_probs.data, rel=1e-9, abs=1e-12)
    from_logits.backward()
    from_probs.backward()
    assert a.grad == pytest.approx(b.grad, rel=1e-7, abs=1e-12)


def test_softplus_derivatives() -> None:
    assert softplus(0.0) == math.log(2)
    assert softplus(800.0) == 800.0  # log(1 + e^800) without overflow
    d1 = grad(softplus)
    d2 = grad(grad(softplus))
    assert d1(0.7) == pytest.approx(sig(0.7), rel=1e-15)
    assert d2(0.7) == pytest.approx(sig(0.7) * (1 - sig(0.7)), rel=1e-14)


def test_hinge_by_hand_and_bit_for_bit_with_micrograds_expression() -> None:
    s = values(0.5, -2.0, 3.0, 2.0)
    y = [1, 1, -1, 1]
    L = hinge(s, y)
    # margins max(0, 1 - y s): 0.5, 3, 4, 0 -> mean 7.5 / 4
    assert L.data == 1.875
    L.backward()
    # dL/ds = -y / n where the margin is positive, else 0
    assert [x.grad for x in s] == [-0.25, -0.25, 0.25, 0.0]
    s2 = values(0.5, -2.0, 3.0, 2.0)
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, s2)]
    assert (sum(losses) * (1.0 / len(losses))).data == L.data


def test_softmax_cross_entropy_by_hand() -> None:
    z = values(1.0, 2.0, 3.0)
    L = softmax_cross_entropy(z, 0)
    total = math.exp(1) + math.exp(2) + math.exp(3)
    assert L.data == pytest.approx(math.log(total) - 1.0, rel=1e-15)
    L.backward()
    probs = [math.exp(k) / total for k in (1, 2, 3)]
    expected = [probs[0] - 1, probs[1], probs[2]]  # softmax - one-hot
    assert [x.grad for x in z] == pytest.approx(expected, rel=1e-14)


def test_softmax_cross_entropy_is_stable_for_huge_logits() -> None:
    z = values(1000.0, 0.0)
    L = softmax_cross_entropy(z, 1)
    assert L.data == 1000.0
    L.backward()
    assert [x.grad for x in z] == [1.0, -1.0]


def test_softmax() -> None:
    p = softmax([0.0, math.log(3.0)])
    assert p == pytest.approx([0.25, 0.75], rel=1e-15)
    pv = softmax(values(1000.0, 1000.0))
    assert [v.data for v in pv] == [0.5, 0.5]  # type: ignore[union-attr]


def test_l2_penalty_by_hand() -> None:
    ps = values(3.0, -1.0)
    R = l2_penalty(ps, 0.5)
    assert R.data == 5.0  # 0.5 * (9 + 1)
    R.backward()
    assert [p.grad for p in ps] == [3.0, -1.0]  # 2 * alpha * p


def test_wrong_lengths_and_labels_are_value_errors() -> None:
    two = values(0.1, 0.2)
    with pytest.raises(ValueError, match="mse: 2 outputs but 3 targets"):
        mse(two, [1, 2, 3])
    with pytest.raises(ValueError, match="no examples"):
        mse([], [])
    with pytest.raises(ValueError, match=r"hinge: label 1 is 0\.0, expected -1 or \+1"):
        hinge(two, [1, 0])
    with pytest.raises(ValueError, match=r"target 0 is 1\.5"):
        binary_cross_entropy(two, [1.5, 0])
    with pytest.raises(ValueError, match=r"target 1 is -1\.0"):
        binary_cross_entropy_with_logits(two, [1, -1])
    with pytest.raises(ValueError, match="label 2 is out of range for 2 classes"):
        softmax_cross_entropy(two, 2)
    with pytest.raises(ValueError, match="label -1 is out of range"):
        softmax_cross_entropy(two, -1)
    with pytest.raises(TypeError, match="label must be an int"):
        softmax_cross_entropy(two, 1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no logits"):
        softmax_cross_entropy([], 0)
    with pytest.raises(TypeError, match="element 1 is str"):
        mse([Value(1.0), "2"], [1, 2])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="alpha must be a finite number >= 0"):
        l2_penalty(two, -1.0)


def test_argument_types_are_checked_by_checks() -> None:
    with pytest.raises(TypeError, match=r"^l2_penalty: alpha must be a real number, got str"):
        l2_penalty([Value(1.0)], "0.1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^l2_penalty: alpha must be a finite number >= 0\.0"):
        l2_penalty([Value(1.0)], math.nan)
    with pytest.raises(TypeError, match=r"^softmax_cross_entropy: label must be an int, got bool"):
        softmax_cross_entropy([Value(1.0), Value(2.0)], True)
