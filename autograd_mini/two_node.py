"""The two-node network of the backprop lesson, and its hand-derived gradients.

One input ``x``, one hidden node and one output node, each with a weight and
a bias, and a cost ``J`` comparing the output with the target ``y``:

```text
z1 = w1·x + b1      a1 = σ(z1)      z2 = w2·a1 + b2      ŷ = a2 = σ(z2)      J(y, ŷ)
```

`TwoNodeNetwork` builds this with the engine, so ``J.backward()`` fills the
parameters' gradients. `backprop_by_hand` computes the same gradients with
plain floats from the chain-rule formulas, never touching the engine:

```text
delta2 = dJ/dz2                         (depends on the cost, see below)
dJ/dw2 = delta2·a1       dJ/db2 = delta2
delta1 = dJ/dz1 = delta2·w2·σ'(z1)      with σ'(z) = σ(z)(1 − σ(z))
dJ/dw1 = delta1·x        dJ/db1 = delta1
```

For the squared cost ``J = ½(ŷ − y)²``, ``delta2 = (ŷ − y)·ŷ(1 − ŷ)``; for the
cross-entropy ``J = −[y log ŷ + (1 − y) log(1 − ŷ)]``, the factor ``ŷ(1 − ŷ)``
cancels and ``delta2 = ŷ − y``. delta1 is proportional to delta2: the error
signal flows from the output back toward the input, hence "back-propagation".

The engine's gradients and the hand formulas agree to rounding; the
``autograd-mini demo`` command prints them side by side.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from autograd_mini import ops
from autograd_mini.checks import choice, real
from autograd_mini.engine import Value

if TYPE_CHECKING:
    from autograd_mini.jit import JitFunction

__all__ = [
    "COSTS",
    "CostName",
    "HAND_KEYS",
    "ForwardPass",
    "TwoNodeNetwork",
    "backprop_by_hand",
    "sigmoid",
    "softplus",
]

CostName = Literal["squared", "cross_entropy"]
"""The names of the supported cost functions."""

COSTS: tuple[str, ...] = ("squared", "cross_entropy")
"""Valid values of the ``cost`` argument, in the order the documentation lists them."""

HAND_KEYS: tuple[str, ...] = (
    "z1", "a1", "z2", "y_hat", "delta2", "delta1", "dJ_dw2", "dJ_db2", "dJ_dw1", "dJ_db1",
)
"""The keys of the dictionary returned by `backprop_by_hand`, in computation order."""


# --------------------------------------------------------------------------- plain floats


def sigmoid(z: float) -> float:
    """The logistic function σ(z) = 1 / (1 + e^(−z)) on a plain float.

    Evaluated with two branches so that ``exp`` only ever sees a non-positive
    argument and never overflows: for z < 0 it uses σ(z) = e^z / (1 + e^z).

    Args:
        z: any finite real number.

    Returns:
        σ(z), in [0, 1].
    """
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


_SOFTPLUS = ops.SOFTPLUS


def softplus(z: Value | float) -> Value | float:
    """softplus(z) = log(1 + e^z), recorded as one engine node when ``z`` is a `Value`.

    Its derivative is the sigmoid: d/dz softplus(z) = σ(z). It is computed as
    max(z, 0) + log(1 + e^(−|z|)), which never overflows and never takes the
    logarithm of 0, so the cross-entropy cost built from it stays finite even
    when ŷ = σ(z) rounds to exactly 0 or 1.

    Args:
        z: a `Value` (gives a `Value`, op ``"softplus"``) or a real number
            (gives a float).

    Returns:
        log(1 + e^z).
    """
    result: Value | float = _SOFTPLUS(z)
    return result


def _check_target(y: object, cost: str, where: str) -> float:
    """The target ``y`` as a float (`checks.real`), in [0, 1] for the cross-entropy cost."""
    target = real(y, "y", where)
    if cost == "cross_entropy" and not 0.0 <= target <= 1.0:
        raise ValueError(
            f"{where}: the cross-entropy cost needs a target y in [0, 1] "
            f"(a probability), got y = {target!r}"
        )
    return target


def _check_no_overflow(quantity: float, name: str, where: str) -> None:
    """An OverflowError if a computed ``quantity`` (not an argument) overflowed a float."""
    if not math.isfinite(quantity):
        raise OverflowError(
            f"{where}: {name} = {quantity!r} is not a finite float; "
            "the inputs or parameters are too large in magnitude"
        )


def backprop_by_hand(
    x: float,
    y: float,
    w1: float,
    b1: float,
    w2: float,
    b2: float,
    cost: str = "squared",
) -> dict[str, float]:
    """The forward pass and the backprop deltas of the two-node network, by hand.

    Uses plain floats and the chain-rule formulas only (no `Value`):

    ```text
    z1 = w1·x + b1,  a1 = σ(z1),  z2 = w2·a1 + b2,  ŷ = σ(z2)
    delta2 = (ŷ − y)·ŷ(1 − ŷ)     for cost="squared"        (J = ½(ŷ − y)²)
    delta2 = ŷ − y                for cost="cross_entropy"  (J = −[y log ŷ + (1−y) log(1−ŷ)])
    dJ/dw2 = delta2·a1,  dJ/db2 = delta2
    delta1 = delta2·w2·a1(1 − a1)
    dJ/dw1 = delta1·x,   dJ/db1 = delta1
    ```

    Args:
        x: the input.
        y: the target; in [0, 1] for the cross-entropy cost.
        w1: the hidden node's weight.
        b1: the hidden node's bias.
        w2: the output node's weight.
        b2: the output node's bias.
        cost: ``"squared"`` or ``"cross_entropy"``.

    Returns:
        A dict with keys ``z1, a1, z2, y_hat, delta2, delta1, dJ_dw2, dJ_db2,
        dJ_dw1, dJ_db1`` (see `HAND_KEYS`).

    Raises:
        TypeError: an argument is not a real number, or ``cost`` is not a str.
        ValueError: an argument is not finite, ``cost`` is unknown, or y is
            outside [0, 1] for the cross-entropy cost.
        OverflowError: an intermediate result overflows a float.
    """
    where = "backprop_by_hand"
    x, y, w1, b1, w2, b2 = (
        real(v, n, where)
        for v, n in zip((x, y, w1, b1, w2, b2), ("x", "y", "w1", "b1", "w2", "b2"))
    )
    cost = choice(cost, "cost", where, COSTS)
    _check_target(y, cost, where)

    # Forward pass.
    z1 = w1 * x + b1
    _check_no_overflow(z1, "z1", where)
    a1 = sigmoid(z1)
    z2 = w2 * a1 + b2
    _check_no_overflow(z2, "z2", where)
    y_hat = sigmoid(z2)

    # Backward pass: the output node's delta first, then the hidden node's.
    if cost == "squared":
        # dJ/dŷ = ŷ − y and dŷ/dz2 = σ'(z2) = ŷ(1 − ŷ).
        delta2 = (y_hat - y) * y_hat * (1.0 - y_hat)
    else:
        # dJ/dŷ = (ŷ − y) / (ŷ(1 − ŷ)) cancels against dŷ/dz2 = ŷ(1 − ŷ).
        delta2 = y_hat - y
    delta1 = delta2 * w2 * a1 * (1.0 - a1)
    return {
        "z1": z1,
        "a1": a1,
        "z2": z2,
        "y_hat": y_hat,
        "delta2": delta2,
        "delta1": delta1,
        "dJ_dw2": delta2 * a1,
        "dJ_db2": delta2,
        "dJ_dw1": delta1 * x,
        "dJ_db1": delta1,
    }


# --------------------------------------------------------------------------- the engine


@dataclass(frozen=True)
class ForwardPass:
    """Every labelled node of one forward pass through `TwoNodeNetwork`.

    After ``J.backward()``, ``z2.grad`` is delta2 = dJ/dz2 and ``z1.grad`` is
    delta1 = dJ/dz1: the interior gradients that back-propagation computes.

    Attributes:
        x: the input, a leaf labelled ``"x"``.
        y: the target, a leaf labelled ``"y"``.
        z1: w1·x + b1, the hidden node's weighted input.
        a1: σ(z1), the hidden node's activation.
        z2: w2·a1 + b2, the output node's weighted input.
        y_hat: σ(z2), the prediction ŷ (labelled ``"ŷ"``).
        J: the cost. For the squared cost it is computed from ŷ; for the
            cross-entropy it is computed straight from z2 as
            softplus(z2) − y·z2, which equals −[y log ŷ + (1 − y) log(1 − ŷ)]
            but never takes log(0), so ``y_hat`` is then not a parent of J.
    """

    x: Value
    y: Value
    z1: Value
    a1: Value
    z2: Value
    y_hat: Value
    J: Value


class TwoNodeNetwork:
    """The lesson's network: x → (w1, b1, σ) → (w2, b2, σ) → ŷ, with a cost J(y, ŷ).

    Args:
        w1: initial weight of the hidden node.
        b1: initial bias of the hidden node.
        w2: initial weight of the output node.
        b2: initial bias of the output node.
        cost: ``"squared"`` (J = ½(ŷ − y)²) or ``"cross_entropy"``
            (J = −[y log ŷ + (1 − y) log(1 − ŷ)]).

    Attributes:
        w1: the hidden node's weight, a `Value` labelled ``"w1"``.
        b1: the hidden node's bias, a `Value` labelled ``"b1"``.
        w2: the output node's weight, a `Value` labelled ``"w2"``.
        b2: the output node's bias, a `Value` labelled ``"b2"``.
        cost_name: the cost function's name.

    Raises:
        TypeError: a parameter is not a real number (a `Value` included: pass
            its ``.data``), or ``cost`` is not a str.
        ValueError: a parameter is not finite, or ``cost`` is not one of `COSTS`.

    Example:
        ```python
        net = TwoNodeNetwork(0.5, 0.0, -1.0, 0.2, cost="squared")
        J = net.cost(1.0, 1.0)
        J.backward()                      # fills net.w1.grad, ..., net.b2.grad
        net.hand_gradients(1.0, 1.0)["dJ_dw1"]   # the same number as net.w1.grad
        ```
    """

    def __init__(
        self, w1: float, b1: float, w2: float, b2: float, cost: CostName | str = "squared"
    ) -> None:
        where = "TwoNodeNetwork"
        values = [
            real(v, n, where) for v, n in zip((w1, b1, w2, b2), ("w1", "b1", "w2", "b2"))
        ]
        self.cost_name: str = choice(cost, "cost", where, COSTS)
        self.w1 = Value(values[0], label="w1")
        self.b1 = Value(values[1], label="b1")
        self.w2 = Value(values[2], label="w2")
        self.b2 = Value(values[3], label="b2")

    def __repr__(self) -> str:
        return (
            f"TwoNodeNetwork(w1={self.w1.data!r}, b1={self.b1.data!r}, "
            f"w2={self.w2.data!r}, b2={self.b2.data!r}, cost={self.cost_name!r})"
        )

    def parameters(self) -> list[Value]:
        """The four parameters, in the order ``[w1, b1, w2, b2]``."""
        return [self.w1, self.b1, self.w2, self.b2]

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0.0 (gradients accumulate otherwise)."""
        for p in self.parameters():
            p.grad = 0.0

    def _layers(self, xv: Value, where: str) -> tuple[Value, Value, Value, Value]:
        """z1, a1, z2, ŷ for the input leaf ``xv``, labelled with the lesson's names."""
        # z = w·x + b: the weighted input of a neuron, one operation at a time.
        z1 = self.w1 * xv + self.b1
        z1.label = "z1"
        _check_no_overflow(z1.data, "z1", where)
        a1 = z1.sigmoid()
        a1.label = "a1"
        z2 = self.w2 * a1 + self.b2
        z2.label = "z2"
        _check_no_overflow(z2.data, "z2", where)
        y_hat = z2.sigmoid()
        y_hat.label = "ŷ"
        return z1, a1, z2, y_hat

    def trace(self, x: float, y: float) -> ForwardPass:
        """Run the forward pass and return every labelled node, the cost included.

        The nodes are labelled ``"x"``, ``"y"``, ``"z1"``, ``"a1"``, ``"z2"``,
        ``"ŷ"`` and ``"J"``, so drawings of ``J`` show the lesson's names.

        Args:
            x: the input, a real number.
            y: the target, a real number; in [0, 1] for the cross-entropy.

        Returns:
            The `ForwardPass`; call ``.J.backward()`` to back-propagate.

        Raises:
            TypeError: ``x`` or ``y`` is not a real number.
            ValueError: ``x`` or ``y`` is not finite, or y is outside [0, 1]
                for the cross-entropy cost.
            OverflowError: z1 or z2 overflows a float.
        """
        where = f"TwoNodeNetwork.trace (cost={self.cost_name!r})"
        xf = real(x, "x", where)
        yf = _check_target(y, self.cost_name, where)
        return self._forward_pass(Value(xf, label="x"), Value(yf, label="y"), where)

    def _forward_pass(self, xv: Value, yv: Value, where: str) -> ForwardPass:
        """Every labelled node of the forward pass on the input and target Values."""
        z1, a1, z2, y_hat, cost = self._nodes(xv, yv, where)
        return ForwardPass(x=xv, y=yv, z1=z1, a1=a1, z2=z2, y_hat=y_hat, J=cost)

    def _nodes(self, xv: Value, yv: Value, where: str
               ) -> tuple[Value, Value, Value, Value, Value]:
        """z1, a1, z2, ŷ and J on the input and target Values, labelled."""
        z1, a1, z2, y_hat = self._layers(xv, where)
        if self.cost_name == "squared":
            cost = 0.5 * (y_hat - yv) ** 2
        else:
            # −[y log σ(z) + (1 − y) log(1 − σ(z))] = softplus(z) − y·z, exactly.
            cost = _SOFTPLUS(z2) - yv * z2
        cost.label = "J"
        return z1, a1, z2, y_hat, cost

    def forward(self, x: float) -> Value:
        """The prediction ŷ = σ(w2·σ(w1·x + b1) + b2), as a `Value`.

        Raises:
            TypeError: ``x`` is not a real number.
            ValueError: ``x`` is not finite.
            OverflowError: z1 or z2 overflows a float.
        """
        where = "TwoNodeNetwork.forward"
        return self._layers(Value(real(x, "x", where), label="x"), where)[3]

    def cost(self, x: float, y: float) -> Value:
        """The cost J(y, ŷ) for one example, as a `Value` whose graph reaches the parameters.

        ``J.backward()`` then adds dJ/dw1, dJ/db1, dJ/dw2, dJ/db2 to the
        parameters' ``.grad``. See `trace` for the interior nodes.

        Raises:
            TypeError: ``x`` or ``y`` is not a real number.
            ValueError: ``x`` or ``y`` is not finite, or y is outside [0, 1]
                for the cross-entropy cost.
            OverflowError: z1 or z2 overflows a float.
        """
        where = "TwoNodeNetwork.cost"
        xf = real(x, "x", where)
        yf = _check_target(y, self.cost_name, where)
        return self._nodes(Value(xf, label="x"), Value(yf, label="y"), where)[4]

    def jit_cost(self) -> JitFunction:
        """The cost compiled with `autograd_mini.jit`: ``f(x, y)`` gives J as `cost` does.

        ``J = f(x, y)`` has the same value as ``net.cost(x, y)`` and
        ``J.backward()`` adds the same gradients, bit for bit, into the
        parameters' ``.grad`` (read at every call, so `step` may change them).
        ``f.source`` is the generated Python after the first call: the forward
        pass with the lesson's names (``z1``, ``a1``, ``z2``, ``y_hat``, ``J``)
        and the backward pass, where ``g_z2`` is delta2 and ``g_z1`` is delta1.

        x and y are checked when the function is traced (its first call), not
        at every call: use `cost` for checked input.

        Example:
            ```python
            net = TwoNodeNetwork(0.8, -0.2, -1.2, 0.3)
            f = net.jit_cost()
            f(1.5, 1.0).backward()           # fills net.w1.grad, ..., net.b2.grad
            print(f.source)                  # def forward(inputs): ... def backward(...
            ```
        """
        from autograd_mini.jit import jit  # jit imports the engine; keep two_node light

        where = f"TwoNodeNetwork.jit_cost (cost={self.cost_name!r})"

        def J(x: Value, y: Value) -> Value:  # noqa: N802 - the lesson's name for the cost
            x.label, y.label = "x", "y"  # names in the generated code
            _check_target(y.data, self.cost_name, where)
            return self._forward_pass(x, y, where).J

        return jit(J)

    def hand_gradients(self, x: float, y: float) -> dict[str, float]:
        """The forward values and gradients from the hand-derived formulas.

        Computed with plain floats by `backprop_by_hand` at the current
        parameter values; the engine is not used.

        Returns:
            A dict with keys ``z1, a1, z2, y_hat, delta2, delta1, dJ_dw2,
            dJ_db2, dJ_dw1, dJ_db1``.

        Raises:
            TypeError, ValueError, OverflowError: as `backprop_by_hand`.
        """
        return backprop_by_hand(
            x, y, self.w1.data, self.b1.data, self.w2.data, self.b2.data, self.cost_name
        )

    def step(self, lr: float) -> None:
        """One gradient-descent update: p ← p − lr·p.grad for each parameter.

        Nothing is changed when the call fails.

        Args:
            lr: the learning rate, a positive finite real number.

        Raises:
            TypeError: ``lr`` is not a real number.
            ValueError: ``lr`` is not positive and finite.
            OverflowError: an updated parameter would not be a finite float.
        """
        where = "TwoNodeNetwork.step"
        rate = real(lr, "lr", where, low=0.0, low_inclusive=False)
        params = self.parameters()
        updated = [p.data - rate * p.grad for p in params]
        for p, new in zip(params, updated):
            if not math.isfinite(new):
                raise OverflowError(
                    f"{where}: updating {p.label} = {p.data!r} with grad {p.grad!r} "
                    f"and lr = {rate!r} gives {new!r}, not a finite float"
                )
        for p, new in zip(params, updated):
            p.data = new
