"""autograd_mini.optim against updates worked out by hand."""

from __future__ import annotations

import math

import pytest

from autograd_mini import Value
from autograd_mini.optim import SGD, Adam, exponential_decay, linear_decay


def param(data: float, grad: float) -> Value:
    p = Value(data)
    p.grad = grad
    return p


def test_plain_sgd_is_micrograds_update() -> None:
    p, q = param(1.0, 0.5), param(-2.0, -4.0)
    opt = SGD([p, q], lr=0.1)
    opt.step()
    assert p.data == 1.0 - 0.1 * 0.5
    assert q.data == -2.0 - 0.1 * -4.0
    assert opt.steps == 1
    assert p.is_leaf and q.is_leaf  # the update recorded no graph


def test_sgd_momentum_and_weight_decay_by_hand() -> None:
    p = param(1.0, 0.5)
    opt = SGD([p], lr=0.1, momentum=0.9, weight_decay=0.1)
    opt.step()
    # g = 0.5 + 0.1 * 1.0 = 0.6; v = 0.6; p = 1 - 0.1 * 0.6
    assert p.data == pytest.approx(0.94, abs=1e-15)
    p.grad = 0.5
    opt.step()
    # g = 0.5 + 0.1 * 0.94 = 0.594; v = 0.9 * 0.6 + 0.594 = 1.134; p = 0.94 - 0.1134
    assert p.data == pytest.approx(0.8266, abs=1e-15)


def test_adam_by_hand() -> None:
    p = param(1.0, 0.5)
    opt = Adam([p], lr=0.1)
    opt.step()
    # m = 0.05, v = 0.00025; m_hat = 0.5, v_hat = 0.25; step = 0.1 * 0.5 / (0.5 + 1e-8)
    after_one = 1.0 - 0.1 * 0.5 / (0.5 + 1e-8)
    assert p.data == pytest.approx(after_one, abs=1e-15)
    p.grad = -0.5
    opt.step()
    # m = 0.045 - 0.05 = -0.005, m_hat = -0.005 / 0.19
    # v = 0.999 * 0.00025 + 0.001 * 0.25 = 0.00049975, v_hat = 0.00049975 / 0.001999 = 0.25
    assert p.data == pytest.approx(after_one + 0.1 * (0.005 / 0.19) / (0.5 + 1e-8), abs=1e-14)
    assert opt.steps == 2


def test_adam_first_step_moves_each_parameter_by_about_lr() -> None:
    ps = [param(0.0, g) for g in (1e-3, 3.0, -200.0)]
    Adam(ps, lr=0.01).step()
    # m_hat / sqrt(v_hat) = sign(g) on the first step
    assert [p.data for p in ps] == pytest.approx([-0.01, -0.01, 0.01], rel=1e-3)


def test_adam_weight_decay_adds_to_the_gradient() -> None:
    a, b = param(2.0, 0.0), param(2.0, 0.2)
    Adam([a], lr=0.1, weight_decay=0.1).step()
    Adam([b], lr=0.1).step()
    assert a.data == b.data  # both saw the gradient 0.2


def test_zero_grad_clears_every_parameter() -> None:
    ps = [param(1.0, 2.0), param(3.0, -4.0)]
    for opt in (SGD(ps, lr=0.1), Adam(ps)):
        ps[0].grad, ps[1].grad = 5.0, 6.0
        opt.zero_grad()
        assert [p.grad for p in ps] == [0.0, 0.0]


def test_schedule_callable_gets_the_step_number() -> None:
    seen: list[int] = []

    def lr(k: int) -> float:
        seen.append(k)
        return 1.0 / (k + 1)

    p = param(0.0, 1.0)
    opt = SGD([p], lr=lr)
    for _ in range(3):
        opt.step()
    assert seen == [0, 1, 2]
    assert p.data == pytest.approx(-(1.0 + 0.5 + 1 / 3), abs=1e-15)


def test_linear_decay_is_micrograds_rate() -> None:
    lr = linear_decay(1.0, 0.1, 100)
    assert [lr(k) for k in range(100)] == [1.0 - 0.9 * k / 100 for k in range(100)]
    assert lr(100) == lr(500) == 0.1


def test_exponential_decay() -> None:
    lr = exponential_decay(0.5, 0.5)
    assert [lr(k) for k in range(4)] == [0.5, 0.25, 0.125, 0.0625]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda ps: SGD(ps, lr=-0.1), "SGD: lr must be a finite number >= 0"),
        (lambda ps: SGD(ps, lr=math.nan), "SGD: lr must be"),
        (lambda ps: SGD(ps, lr=0.1, momentum=1.0), "SGD: momentum must be .* < 1.0, got 1.0"),
        (lambda ps: SGD(ps, lr=0.1, weight_decay=-1), "SGD: weight_decay must be"),
        (lambda ps: Adam(ps, betas=(0.9, 1.0)), r"Adam: betas\[1\] must be"),
        (lambda ps: Adam(ps, betas=(0.9,)), "Adam: betas must be a pair"),
        (lambda ps: Adam(ps, eps=0.0), "Adam: eps must be a finite number > 0"),
        (lambda ps: SGD([], lr=0.1), "SGD: params is empty"),
        (lambda ps: SGD([ps[0], ps[0]], lr=0.1), r"params\[1\] is listed twice"),
        (lambda ps: linear_decay(1.0, 0.1, 0), "linear_decay: steps must be >= 1, got 0"),
        (lambda ps: exponential_decay(1.0, 1.5),
         "exponential_decay: rate must be a finite number > 0.0 and <= 1.0, got 1.5"),
    ],
)
def test_bad_hyperparameters_are_value_errors(make: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make([param(1.0, 1.0)])  # type: ignore[operator]


def test_wrong_types_are_type_errors() -> None:
    with pytest.raises(TypeError, match=r"params\[0\] is float"):
        SGD([1.0], lr=0.1)  # type: ignore[list-item]
    with pytest.raises(TypeError, match="got one Value"):
        SGD(Value(1.0), lr=0.1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="lr must be a real number"):
        SGD([Value(1.0)], lr="0.1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"linear_decay: steps must be an int, got float 10\.0"):
        linear_decay(1.0, 0.1, 10.0)  # type: ignore[arg-type]


def test_bad_schedule_value_fails_before_any_update() -> None:
    ps = [param(1.0, 1.0), param(2.0, 1.0)]
    opt = SGD(ps, lr=lambda k: -1.0)
    with pytest.raises(ValueError, match=r"SGD: lr\(0\) must be a finite number >= 0"):
        opt.step()
    assert [p.data for p in ps] == [1.0, 2.0]
    assert opt.steps == 0
