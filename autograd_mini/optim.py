"""Optimizers that update parameters in place from their gradients: `SGD`, `Adam`.

An optimizer holds a list of parameters (Values). ``step()`` reads each
``p.grad`` and changes ``p.data``; it works on plain floats and records no
graph. ``zero_grad()`` clears the gradients before the next ``backward()``:

```python
opt = SGD(model.parameters(), lr=linear_decay(1.0, 0.1, 100))
for k in range(100):
    loss = ...
    opt.zero_grad()
    loss.backward()
    opt.step()
```

The learning rate is a float or a schedule: any callable ``lr(k) -> float``
where ``k`` is the number of steps already taken (0 on the first step).
`linear_decay` and `exponential_decay` build common schedules.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from autograd_mini.checks import describe, integer, real, short_repr
from autograd_mini.engine import Value

__all__ = ["Optimizer", "SGD", "Adam", "Schedule", "linear_decay", "exponential_decay"]

Schedule = Callable[[int], float]
"""A learning-rate schedule: ``lr(k)`` for the step ``k = 0, 1, 2, ...``."""


def linear_decay(initial: float, final: float, steps: int) -> Schedule:
    """A rate falling in a straight line from ``initial`` to ``final`` over ``steps`` steps.

    lr(k) = initial - (initial - final) * k / steps for k < steps, then ``final``.
    micrograd's demo rate ``1.0 - 0.9*k/100`` is ``linear_decay(1.0, 0.1, 100)``
    (the same floats, step for step).

    Raises:
        TypeError: a rate is not a real number, or ``steps`` is not an int.
        ValueError: a rate is negative or not finite, or ``steps`` < 1.
    """
    a = real(initial, "initial", "linear_decay", low=0.0)
    b = real(final, "final", "linear_decay", low=0.0)
    steps = integer(steps, "steps", "linear_decay", minimum=1)
    drop = a - b

    def lr(k: int) -> float:
        return a - drop * k / steps if k < steps else b

    return lr


def exponential_decay(initial: float, rate: float) -> Schedule:
    """A rate multiplied by ``rate`` after every step: lr(k) = initial * rate**k.

    Raises:
        TypeError: ``initial`` or ``rate`` is not a real number.
        ValueError: ``initial`` is negative or not finite, or ``rate`` is not in (0, 1].
    """
    a = real(initial, "initial", "exponential_decay", low=0.0)
    r = real(rate, "rate", "exponential_decay", low=0.0, low_inclusive=False, high=1.0)

    def lr(k: int) -> float:
        return a * r**k

    return lr


class Optimizer:
    """Base class: holds the parameters, the learning rate and the step count.

    Args:
        params: the Values to optimise (e.g. ``model.parameters()``); at least
            one, each listed once.
        lr: a learning rate >= 0, or a schedule ``lr(k) -> float``.

    Attributes:
        params: the parameters, as a list.
        steps: how many times `step` has run.
    """

    def __init__(self, params: Iterable[Value], lr: float | Schedule) -> None:
        name = type(self).__name__
        if isinstance(params, Value):
            raise TypeError(f"{name}: params must be an iterable of Values, got one Value")
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{name}: params is empty; pass e.g. model.parameters()")
        seen: set[int] = set()
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(
                    f"{name}: params[{i}] is {describe(p)}, not a Value"
                )
            if id(p) in seen:
                raise ValueError(f"{name}: params[{i}] is listed twice; it would be updated twice")
            seen.add(id(p))
        if not callable(lr):
            real(lr, "lr", name, low=0.0)
        self.lr = lr
        self.steps = 0

    def current_lr(self) -> float:
        """The learning rate the next `step` will use.

        Raises:
            ValueError: a schedule returned a negative or non-finite rate.
        """
        lr = self.lr
        if callable(lr):
            return real(lr(self.steps), f"lr({self.steps})", type(self).__name__, low=0.0)
        return float(lr)

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0.0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter once from its current gradient."""
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum and weight decay.

    For each parameter p with gradient g, at rate lr:

        g <- g + weight_decay * p
        v <- momentum * v + g        (v starts at 0; with momentum 0, v = g)
        p <- p - lr * v

    With the defaults this is micrograd's update ``p.data -= lr * p.grad``.

    Args:
        params: the Values to optimise.
        lr: learning rate >= 0, or a schedule ``lr(k)``.
        momentum: in [0, 1).
        weight_decay: L2 coefficient >= 0 added to the gradient.

    Raises:
        ValueError: a hyperparameter is out of range (the message names it).
    """

    def __init__(self, params: Iterable[Value], lr: float | Schedule,
                 momentum: float = 0.0, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = real(momentum, "momentum", "SGD", low=0.0, high=1.0, high_inclusive=False)
        self.weight_decay = real(weight_decay, "weight_decay", "SGD", low=0.0)
        self._velocity = [0.0] * len(self.params)

    def step(self) -> None:
        """One update of every parameter (see the class documentation)."""
        lr = self.current_lr()
        mu, wd = self.momentum, self.weight_decay
        velocity = self._velocity
        for i, p in enumerate(self.params):
            g = p.grad
            if wd:
                g = g + wd * p.data
            if mu:
                g = velocity[i] = mu * velocity[i] + g
            p.data -= lr * g
        self.steps += 1


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): per-parameter steps scaled by running gradient moments.

    At step t = 1, 2, ... for each parameter p with gradient g:

        m <- b1 m + (1 - b1) g             v <- b2 v + (1 - b2) g^2
        m_hat = m / (1 - b1^t)             v_hat = v / (1 - b2^t)
        p <- p - lr * m_hat / (sqrt(v_hat) + eps)

    with m and v starting at 0. ``weight_decay`` adds ``weight_decay * p`` to g
    first (L2 regularisation).

    Args:
        params: the Values to optimise.
        lr: learning rate >= 0, or a schedule ``lr(k)``.
        betas: (b1, b2), each in [0, 1).
        eps: > 0, keeps the division finite.
        weight_decay: L2 coefficient >= 0.

    Raises:
        ValueError: a hyperparameter is out of range (the message names it).
    """

    def __init__(self, params: Iterable[Value], lr: float | Schedule = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"Adam: betas must be a pair (b1, b2), got {short_repr(betas)}")
        self.betas = (
            real(betas[0], "betas[0]", "Adam", low=0.0, high=1.0, high_inclusive=False),
            real(betas[1], "betas[1]", "Adam", low=0.0, high=1.0, high_inclusive=False),
        )
        self.eps = real(eps, "eps", "Adam", low=0.0, low_inclusive=False)
        self.weight_decay = real(weight_decay, "weight_decay", "Adam", low=0.0)
        self._m = [0.0] * len(self.params)
        self._v = [0.0] * len(self.params)

    def step(self) -> None:
        """One update of every parameter (see the class documentation)."""
        lr = self.current_lr()
        b1, b2 = self.betas
        eps, wd = self.eps, self.weight_decay
        t = self.steps + 1
        c1 = 1.0 - b1**t
        c2 = 1.0 - b2**t
        m, v = self._m, self._v
        for i, p in enumerate(self.params):
            g = p.grad
            if wd:
                g = g + wd * p.data
            m[i] = b1 * m[i] + (1.0 - b1) * g
            v[i] = b2 * v[i] + (1.0 - b2) * g * g
            p.data -= lr * (m[i] / c1) / (math.sqrt(v[i] / c2) + eps)
        self.steps = t
