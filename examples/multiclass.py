"""A softmax classifier trained with Adam: three interleaved spirals.

An ``MLP(2, [16, 16, 3])`` gives one score (logit) per class; the loss is
the mean softmax cross-entropy, ``logsumexp(z) - z[label]``, and Adam
updates the weights. A linear classifier cannot separate spirals; the two
hidden layers can. Run with ``python examples/multiclass.py``.

Set ``AUTOGRAD_MINI_EXAMPLE_FAST=1`` for a quick smoke run (fewer points and steps).
"""

from __future__ import annotations

import os
import random

from autograd_mini import Value
from autograd_mini.datasets import make_spirals
from autograd_mini.losses import mean, softmax_cross_entropy
from autograd_mini.nn import MLP
from autograd_mini.optim import Adam

FAST = os.environ.get("AUTOGRAD_MINI_EXAMPLE_FAST") == "1"
PER_CLASS, STEPS = (20, 15) if FAST else (50, 80)
CLASSES = 3

X, y = make_spirals(n_per_class=PER_CLASS, classes=CLASSES, noise=0.1, seed=0)
model = MLP(2, [16, 16, CLASSES], activation="tanh", rng=random.Random(0))
opt = Adam(model.parameters(), lr=0.05)


def predict(logits: list[Value]) -> int:
    """The class with the largest score."""
    return max(range(len(logits)), key=lambda j: logits[j].data)


for k in range(STEPS):
    all_logits = [model([Value(a), Value(b)]) for a, b in X]
    loss = mean(softmax_cross_entropy(z, label) for z, label in zip(all_logits, y))
    acc = sum(predict(z) == label for z, label in zip(all_logits, y)) / len(y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if k % 10 == 0 or k == STEPS - 1:
        print(f"step {k:3d}  loss {loss.data:.4f}  accuracy {acc:.0%}")

final = sum(predict(model([a, b])) == label for (a, b), label in zip(X, y)) / len(y)
print(f"final training accuracy: {final:.1%} ({len(y)} points, {CLASSES} classes)")
