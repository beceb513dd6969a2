"""Issue 15, item 12: error messages quote values briefly (checks.describe/short_repr)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from autograd_mini import Value, datasets, grad, gradients, jit, linear, losses, optim, primitive
from autograd_mini.two_node import TwoNodeNetwork
from autograd_mini.viz import save_graph

HUGE = "x" * 10_000_000
BIG_INT = 10**5000  # its repr alone raises ValueError past Python's digit limit


@pytest.mark.parametrize(
    "call",
    [
        lambda: optim.SGD([Value(1.0)], lr=HUGE),
        lambda: optim.SGD([Value(1.0)], lr=0.1, momentum=BIG_INT),
        lambda: optim.Adam([Value(1.0)], betas=[HUGE]),
        lambda: optim.SGD([HUGE], lr=0.1),
        lambda: optim.linear_decay(1.0, 0.1, HUGE),
        lambda: datasets.make_moons(HUGE),
        lambda: datasets.make_moons(10, noise=HUGE),
        lambda: datasets.make_spirals(10, seed=HUGE),
        lambda: losses.mse([Value(1.0)], HUGE),
        lambda: losses.mse([HUGE], [1.0]),
        lambda: TwoNodeNetwork(HUGE, 0.0, 0.0, 0.0),
        lambda: save_graph(Value(1.0), [HUGE]),
        lambda: Value(HUGE),
        lambda: Value(BIG_INT),
        lambda: Value(1.0, label=[HUGE]),
        lambda: Value(1.0) + HUGE,
        lambda: Value(1.0, HUGE),
        lambda: primitive(lambda x: x, lambda x: 1.0, name=[HUGE]),
        lambda: primitive(HUGE, lambda x: 1.0),
        lambda: grad(lambda x: x, argnums=[HUGE])(1.0),
        lambda: gradients(Value(1.0), [HUGE]),
        lambda: linear([[Value(1.0)]], [Value(1.0)], [Value(0.0)], activation=HUGE),
        lambda: jit(lambda x: x)([HUGE]),
    ],
)
def test_messages_quote_huge_values_briefly(call: Callable[[], Any]) -> None:
    with pytest.raises((TypeError, ValueError, OverflowError)) as info:
        call()
    assert len(str(info.value)) < 1000
