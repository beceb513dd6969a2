"""micrograd's demo on autograd_mini: a 2-16-16-1 MLP learns the two moons.

The loop is micrograd's demo notebook written with this package's pieces:
the hinge loss plus a 1e-4 L2 penalty, and SGD whose rate falls linearly from
1.0 to 0.1. Run it with ``python examples/moons.py``; ``autograd-mini train``
does the same with a progress bar and an optional figure.

Set ``AUTOGRAD_MINI_EXAMPLE_FAST=1`` for a quick smoke run (fewer points and steps).
"""

from __future__ import annotations

import os
import random

from autograd_mini import Value
from autograd_mini.datasets import make_moons
from autograd_mini.losses import hinge, l2_penalty
from autograd_mini.nn import MLP
from autograd_mini.optim import SGD, linear_decay

FAST = os.environ.get("AUTOGRAD_MINI_EXAMPLE_FAST") == "1"
N, STEPS = (40, 20) if FAST else (100, 100)

X, y = make_moons(n=N, noise=0.1, seed=0)  # labels -1 (upper moon) and +1 (lower moon)
model = MLP(2, [16, 16, 1], rng=random.Random(0))  # 337 parameters
print(model.num_parameters(), "parameters")
opt = SGD(model.parameters(), lr=linear_decay(1.0, 0.1, STEPS))  # lr = 1.0 - 0.9*k/100

for k in range(STEPS):
    inputs = [[Value(a), Value(b)] for a, b in X]
    scores = [model(x) for x in inputs]
    loss = hinge(scores, y) + l2_penalty(model.parameters(), 1e-4)
    acc = sum((yi > 0) == (s.data > 0) for yi, s in zip(y, scores)) / len(y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if k % 10 == 0 or k == STEPS - 1:
        print(f"step {k:3d}  loss {loss.data:.4f}  accuracy {acc:.0%}")

final = sum((yi > 0) == (model([a, b]).data > 0) for (a, b), yi in zip(X, y)) / len(y)
print(f"final training accuracy: {final:.1%}")
