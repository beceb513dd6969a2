"""The floor: micrograd's demo training step written by hand with plain floats.

A scalar engine in pure Python cannot beat the interpreter doing the same
arithmetic directly, so this module is the yardstick for the ``mlp``
benchmark: the forward pass, the backward pass and the SGD update of
``MLP(2, [16, 16, 1])`` with the hinge loss and L2 penalty of micrograd's
demo, in lists of Python floats and hand-derived gradients.

It is written the way a careful person would write it by hand, not to be
slow: ``sum(map(mul, ...))`` for the weighted sums, one list comprehension
per layer, and no work where the gradient is zero (a sample whose hinge is
satisfied is not back-propagated; a neuron whose delta is zero, an inactive
ReLU, passes nothing back). The engine skips the same zero edges.

Parameters are kept in micrograd's order (layer by layer, neuron by neuron,
the weights and then the bias), so a model can be copied in and out of an
engine's ``MLP`` and the gradients compared one for one.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from operator import mul


class FloorMLP:
    """A multilayer perceptron with ReLU hidden layers and a linear output, in floats.

    Args:
        sizes: layer widths, inputs first, e.g. ``[2, 16, 16, 1]``.
        params: all parameters in micrograd's order (for every layer, for every
            neuron: its weights, then its bias).

    Raises:
        ValueError: ``params`` does not hold exactly one number per parameter.
    """

    def __init__(self, sizes: Sequence[int], params: Sequence[float]) -> None:
        expected = sum((nin + 1) * nout for nin, nout in itertools.pairwise(sizes))
        if len(params) != expected:
            raise ValueError(
                f"FloorMLP{list(sizes)}: needs {expected} parameters, got {len(params)}"
            )
        self.sizes = list(sizes)
        # weights[l][j] is the weight row of neuron j in layer l; biases[l][j] its bias.
        self.weights: list[list[list[float]]] = []
        self.biases: list[list[float]] = []
        k = 0
        for nin, nout in itertools.pairwise(sizes):
            rows, bias = [], []
            for _ in range(nout):
                rows.append([float(p) for p in params[k : k + nin]])
                bias.append(float(params[k + nin]))
                k += nin + 1
            self.weights.append(rows)
            self.biases.append(bias)

    def parameters(self) -> list[float]:
        """All parameters, flattened in micrograd's order."""
        flat: list[float] = []
        for rows, bias in zip(self.weights, self.biases):
            for row, b in zip(rows, bias):
                flat.extend(row)
                flat.append(b)
        return flat

    def loss_and_gradients(
        self, xs: Sequence[Sequence[float]], ys: Sequence[float], alpha: float = 1e-4
    ) -> tuple[float, list[list[list[float]]], list[list[float]]]:
        """The demo loss and its gradient with respect to every weight and bias.

        loss = mean_i relu(1 - y_i * score_i) + alpha * sum(p**2 for every parameter p)

        Returns:
            ``(loss, weight_grads, bias_grads)`` shaped like ``weights`` and ``biases``.
        """
        weights, biases = self.weights, self.biases
        last = len(weights) - 1
        g_weights = [[[0.0] * len(row) for row in rows] for rows in weights]
        g_biases = [[0.0] * len(bias) for bias in biases]
        inv_n = 1.0 / len(xs)
        data_loss = 0.0
        for x, y in zip(xs, ys):
            # Forward, keeping every layer's input for the backward pass.
            acts = [list(x)]
            a = acts[0]
            for layer, (rows, bias) in enumerate(zip(weights, biases)):
                z = [sum(map(mul, row, a), b) for row, b in zip(rows, bias)]
                a = z if layer == last else [v if v > 0.0 else 0.0 for v in z]
                acts.append(a)
            margin = 1.0 - y * a[0]
            if margin <= 0.0:  # hinge satisfied: no loss, no gradient
                continue
            data_loss += margin
            # Backward: delta holds dLoss/dz for the current layer's neurons.
            delta = [-y * inv_n]
            for layer in range(last, -1, -1):
                inputs = acts[layer]
                rows = weights[layer]
                g_rows = g_weights[layer]
                g_bias = g_biases[layer]
                back = [0.0] * len(inputs)
                for j, d in enumerate(delta):
                    if not d:  # an inactive ReLU passes nothing back
                        continue
                    g_bias[j] += d
                    g_rows[j] = [g + d * v for g, v in zip(g_rows[j], inputs)]
                    back = [s + d * w for s, w in zip(back, rows[j])]
                if layer:  # through the ReLU of the layer below (inputs are its outputs)
                    delta = [s if v > 0.0 else 0.0 for s, v in zip(back, inputs)]
        # L2 penalty: d(alpha * p**2)/dp = 2 * alpha * p.
        reg = 0.0
        two_alpha = 2.0 * alpha
        for rows, g_rows, bias, g_bias in zip(weights, g_weights, biases, g_biases):
            for j, row in enumerate(rows):
                reg += sum(map(mul, row, row))
                g_rows[j] = [g + two_alpha * w for g, w in zip(g_rows[j], row)]
            reg += sum(map(mul, bias, bias))
            g_bias[:] = [g + two_alpha * b for g, b in zip(g_bias, bias)]
        return data_loss * inv_n + alpha * reg, g_weights, g_biases

    def gradients(
        self, xs: Sequence[Sequence[float]], ys: Sequence[float], alpha: float = 1e-4
    ) -> tuple[float, list[float]]:
        """The loss and the flat gradient, in the order of `parameters`."""
        loss, g_weights, g_biases = self.loss_and_gradients(xs, ys, alpha)
        flat: list[float] = []
        for g_rows, g_bias in zip(g_weights, g_biases):
            for g_row, gb in zip(g_rows, g_bias):
                flat.extend(g_row)
                flat.append(gb)
        return loss, flat

    def step(
        self,
        xs: Sequence[Sequence[float]],
        ys: Sequence[float],
        learning_rate: float,
        alpha: float = 1e-4,
    ) -> float:
        """One training step: loss, gradients, SGD update. Returns the loss before it."""
        loss, g_weights, g_biases = self.loss_and_gradients(xs, ys, alpha)
        for rows, g_rows, bias, g_bias in zip(self.weights, g_weights, self.biases, g_biases):
            for j, row in enumerate(rows):
                rows[j] = [w - learning_rate * g for w, g in zip(row, g_rows[j])]
            bias[:] = [b - learning_rate * g for b, g in zip(bias, g_bias)]
        return loss
