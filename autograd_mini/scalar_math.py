"""Float arithmetic for the primitives: forward functions with typed domain errors.

Every function here takes and returns plain floats. They follow one rule,
stated once for the whole package (docs: "Numbers: NaN, infinities, overflow"):

* **NaN in, NaN out.** A NaN argument gives a NaN result in every operation
  (``relu(nan)`` is nan, not 0).
* **Overflow gives an infinity**, as IEEE 754, NumPy and PyTorch do:
  ``exp(1000)``, ``1e308 * 10`` and ``1e-320 ** -1`` are ``inf``.
* **Outside the domain raises** a typed error naming the operation and the
  value: `ZeroDivisionError` for ``x / 0`` and ``0 ** negative``,
  `ValueError` for ``log(x <= 0)``, ``sqrt(x < 0)``, a negative base to a
  non-integer power, and ``sin``/``cos`` of an infinity.

This module imports nothing from the package.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import reduce
from operator import add

__all__ = [
    "INF",
    "add_in_order",
    "div",
    "quotient",
    "pow",
    "exp",
    "log",
    "sqrt",
    "sin",
    "cos",
    "tanh",
    "sigmoid",
    "softplus",
    "relu",
    "sign",
]

INF = math.inf


def add_in_order(terms: Iterable[float], start: float = 0.0) -> float:
    """``start + t1 + t2 + ...``, added left to right.

    Python 3.12's built-in ``sum`` of floats is compensated (more exact, and so
    different from adding one term after the other); the engine's fused
    operations must give exactly what the same additions give one by one.
    """
    return reduce(add, terms, start)  # (((start + t1) + t2) + ...), one term at a time


def div(x: float, y: float) -> float:
    """``x / y``; ZeroDivisionError for ``y == 0`` (``nan / 0`` is nan)."""
    if y == 0.0 and x == x:
        raise ZeroDivisionError(f"/: division of {x!r} by zero")
    return x / y if y != 0.0 else x


def quotient(x: float, y: float) -> float:
    """``x / y`` for derivative formulas: ``+-inf`` at ``y == 0`` (nan for ``0 / 0``).

    A derivative is infinite where a function is defined but its slope is
    vertical (``sqrt`` at 0): the rules must give inf there, as IEEE 754
    division does, rather than raise `div`'s error.
    """
    if y != 0.0:
        return x / y
    if x == 0.0 or x != x:
        return math.nan
    return math.copysign(INF, x) * math.copysign(1.0, y)


def pow(x: float, y: float) -> float:
    """``x ** y`` as a real number; overflow gives ``+-inf``; nan if either is nan."""
    if x != x or y != y:  # Python's 1.0 ** nan and nan ** 0 are 1.0
        return math.nan
    if x == 0.0 and y < 0.0:
        raise ZeroDivisionError(f"**: 0.0 cannot be raised to the negative power {y!r}")
    if x < 0.0 and not (y.is_integer() or math.isinf(y)):
        raise ValueError(
            f"**: negative base {x!r} to the non-integer power {y!r} is not a real number"
        )
    try:
        return float(x**y)
    except OverflowError:  # |x ** y| is beyond the largest float
        negative = x < 0.0 and y % 2.0 == 1.0
        return -INF if negative else INF


def exp(x: float) -> float:
    """``e ** x``; ``inf`` past x = 709.78."""
    try:
        return math.exp(x)
    except OverflowError:
        return INF


def log(x: float) -> float:
    """Natural logarithm; ValueError for ``x <= 0``."""
    if x <= 0.0:
        raise ValueError(f"log: logarithm of {x!r} is undefined (needs x > 0)")
    return math.log(x)


def sqrt(x: float) -> float:
    """Square root; ValueError for ``x < 0``."""
    if x < 0.0:
        raise ValueError(f"sqrt: square root of {x!r} is undefined (needs x >= 0)")
    return math.sqrt(x)


def sin(x: float) -> float:
    """Sine; ValueError for an infinite ``x``."""
    if math.isinf(x):
        raise ValueError(f"sin: sine of {x!r} is undefined (needs a finite x)")
    return math.sin(x)


def cos(x: float) -> float:
    """Cosine; ValueError for an infinite ``x``."""
    if math.isinf(x):
        raise ValueError(f"cos: cosine of {x!r} is undefined (needs a finite x)")
    return math.cos(x)


def tanh(x: float) -> float:
    """Hyperbolic tangent (exact to +-1 for large ``|x|``)."""
    return math.tanh(x)


def sigmoid(x: float) -> float:
    """``1 / (1 + e**-x)``, computed so that ``exp`` never overflows."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = exp(x)  # x < 0 or nan: exp(x) <= 1
    return e / (1.0 + e)


def softplus(x: float) -> float:
    """``log(1 + e**x)``, stable for any ``x`` (``max(x, 0) + log1p(e**-|x|)``)."""
    if x != x:
        return x
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def relu(x: float) -> float:
    """``max(0, x)``; NaN stays NaN."""
    return 0.0 if x <= 0.0 else x


def sign(x: float) -> float:
    """-1, 0 or 1 as ``x`` is negative, zero or positive; NaN for NaN."""
    if x > 0.0:
        return 1.0
    if x < 0.0:
        return -1.0
    return 0.0 if x == 0.0 else x
