"""Argument checks shared by the whole package: one place, one naming convention.

Every check is called as ``check(value, name, where)``: ``name`` is what the
value is (``"lr"``, ``"nin"``), ``where`` is the operation or class the user
called (``"SGD"``, ``"Neuron"``). Errors read ``"{where}: {name} must be ...,
got {describe(value)}"``: a TypeError for a wrong type, a ValueError for a
value out of range. A ValueError states the whole requirement at once
(``"SGD: momentum must be a finite number >= 0.0 and < 1.0, got 1.0"``).
Quoted values are capped in length (`describe`), so a 10 MB string never
becomes a 10 MB message.

Modules keep no private copies of these checks; a module may have a small
domain-specific check (a cross-entropy target in [0, 1], a format spec) that
calls these for the type part.

This module imports nothing from the package.
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Collection
from typing import TypeVar, cast

__all__ = [
    "describe", "short_repr", "real", "integer", "optional_integer", "choice", "MAX_REPR",
]

MAX_REPR = 80
"""The most characters of a value's ``repr`` that an error message quotes."""

T = TypeVar("T")


def short_repr(value: object, limit: int = MAX_REPR) -> str:
    """``repr(value)``, cut to ``limit`` characters with an ellipsis and the full length."""
    try:
        text = repr(value)
    except Exception:  # a broken __repr__ must not hide the real error
        text = f"<{type(value).__name__} object>"
    if len(text) <= limit:
        return text
    return f"{text[: max(limit - 1, 1)]}… ({len(text)} characters)"


def describe(value: object, limit: int = MAX_REPR) -> str:
    """The value's type and its (capped) ``repr``, for error messages: ``"str 'abc'"``."""
    return f"{type(value).__name__} {short_repr(value, limit)}"


def _requirement(kind: str, *bounds: tuple[str, float | None]) -> str:
    """``"a finite number >= 0.0 and < 1.0"``: the kind and the bounds that are set."""
    parts = [f"{op} {bound!r}" for op, bound in bounds if bound is not None]
    return " ".join([kind, " and ".join(parts)]) if parts else kind


def real(
    value: object,
    name: str,
    where: str,
    *,
    finite: bool = True,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> float:
    """``value`` as a float: a real number (int, float, numpy real scalar), not a bool.

    With ``finite`` (the default) NaN and the infinities are refused; ``low``
    and ``high`` bound the value, inclusively unless ``low_inclusive`` /
    ``high_inclusive`` is false. The ValueError names every requirement:
    ``"Adam: eps must be a finite number > 0.0, got 0.0"``.

    Raises:
        TypeError: ``value`` is not a real number, or is a bool.
        ValueError: it is too large for a float, not finite (when ``finite``),
            or outside the bounds.
    """
    if type(value) is float and low is None and high is None and math.isfinite(value):
        return value  # the usual case, decided at once
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}: {name} must be a real number, got {describe(value)}")
    try:
        x = float(value)
    except (OverflowError, ValueError):
        raise ValueError(f"{where}: {name} is too large for a float: {short_repr(value)}") from None
    ok = (
        (not finite or math.isfinite(x))
        and (low is None or (x >= low if low_inclusive else x > low))
        and (high is None or (x <= high if high_inclusive else x < high))
    )
    if not ok:
        wanted = _requirement(
            "a finite number" if finite else "a number",
            (">=" if low_inclusive else ">", low),
            ("<=" if high_inclusive else "<", high),
        )
        raise ValueError(f"{where}: {name} must be {wanted}, got {x!r}")
    return x


def integer(value: object, name: str, where: str, minimum: int | None = None) -> int:
    """``value`` as an int: Python or numpy integers, not a bool, at least ``minimum``.

    Raises:
        TypeError: ``value`` is not an integer, or is a bool.
        ValueError: it is below ``minimum``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{where}: {name} must be an int, got {describe(value)}")
    n = operator.index(value)
    if minimum is not None and n < minimum:
        raise ValueError(f"{where}: {name} must be >= {minimum}, got {n!r}")
    return n


def optional_integer(
    value: object, name: str, where: str, minimum: int | None = None
) -> int | None:
    """``None``, or ``value`` as an int as `integer` checks it (a seed, a limit).

    Raises:
        TypeError: ``value`` is neither None nor an integer (a bool is neither).
        ValueError: it is below ``minimum``.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{where}: {name} must be an int or None, got {describe(value)}")
    return integer(value, name, where, minimum)


def choice(value: object, name: str, where: str, options: Collection[T]) -> T:
    """``value`` if it is one of ``options`` (typed as the options are).

    Raises:
        TypeError: ``value`` is not of the options' type.
        ValueError: it is not one of them.
    """
    listed = ", ".join(map(repr, options))
    kinds = {type(o) for o in options}
    if kinds and type(value) not in kinds:
        raise TypeError(f"{where}: {name} must be one of {listed}; got {describe(value)}")
    if value not in options:
        raise ValueError(f"{where}: unknown {name} {short_repr(value)}; expected one of {listed}")
    return cast(T, value)
