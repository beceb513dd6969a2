"""The table of primitives, as users see it, and `primitive` for new operations.

The table itself lives in :mod:`autograd_mini.engine`, next to the `Value`
that applies it; this module is its public face. Each entry is a `Primitive`:
a name, a forward function on floats, and one derivative rule per argument,
written with operations that work on floats *and* on Values, so the same line
of math gives the recorded derivative and, re-run on Values, higher orders.

`primitive` builds user-defined operations through the same mechanism.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

from autograd_mini.checks import describe, short_repr
from autograd_mini.engine import (
    ABS,
    ADD,
    COS,
    DIV,
    DOT,
    DOT_RELU,
    EXP,
    LOG,
    MUL,
    NEG,
    POW,
    PRIMITIVES,
    RELU,
    SCALE,
    SIGMOID,
    SIN,
    SOFTPLUS,
    SQRT,
    SUB,
    SUM,
    TANH,
    Primitive,
    Value,
)

__all__ = [
    "Primitive",
    "primitive",
    "PRIMITIVES",
    "FUNCTIONS",
    "ADD",
    "SUB",
    "MUL",
    "SCALE",
    "NEG",
    "DIV",
    "POW",
    "ABS",
    "RELU",
    "TANH",
    "SIGMOID",
    "SOFTPLUS",
    "EXP",
    "LOG",
    "SQRT",
    "SIN",
    "COS",
    "DOT",
    "DOT_RELU",
    "SUM",
    "relu",
    "tanh",
    "sigmoid",
    "softplus",
    "exp",
    "log",
    "sqrt",
    "sin",
    "cos",
]

# Functions of one argument, callable on Values and on numbers alike.
relu = RELU
tanh = TANH
sigmoid = SIGMOID
softplus = SOFTPLUS
exp = EXP
log = LOG
sqrt = SQRT
sin = SIN
cos = COS

FUNCTIONS: dict[str, Primitive] = {
    "relu": RELU,
    "tanh": TANH,
    "sigmoid": SIGMOID,
    "softplus": SOFTPLUS,
    "exp": EXP,
    "log": LOG,
    "sqrt": SQRT,
    "sin": SIN,
    "cos": COS,
    "abs": ABS,
}
"""The engine's named one-argument functions (the allow-list of expression parsers)."""


# --------------------------------------------------------------------------- user primitives


def primitive(
    f: Callable[..., float],
    *partials: Callable[..., Any],
    name: str | None = None,
    domain: Sequence[str] | None = None,
    smooth: bool = True,
) -> Primitive:
    """Define a new scalar operation from its forward function and its partials.

    For example:

    ```python
    softsign = primitive(lambda x: x / (1 + abs(x)),
                         lambda x: 1 / (1 + abs(x)) ** 2,
                         name="softsign")
    y = softsign(Value(0.5))      # one node, op == "softsign"
    softsign(0.5)                 # plain numbers give a plain float
    ```

    Args:
        f: the forward function on floats, ``f(x1, ..., xn) -> float``.
        *partials: one function per argument, ``partial_i(x1, ..., xn)``,
            giving d f / d x_i. Written with operations that Values support
            (``+ - * / **``, ``abs``, and the engine's functions from
            `autograd_mini.ops`), they also serve higher-order `grad`.
        name: the op name recorded on nodes and shown in drawings; defaults
            to ``f.__name__``.
        domain: where random tests may draw each argument (see `Primitive`);
            default ``"real"`` for every argument.
        smooth: whether ``f`` is differentiable everywhere in its domain.

    Returns:
        A callable `Primitive` that accepts Values and numbers.

    Raises:
        TypeError: ``f`` or a partial is not callable, no partial is given, or
            the number of partials does not match ``f``'s number of parameters.
    """
    if not callable(f):
        raise TypeError(f"primitive: f must be callable, got {describe(f)}")
    if not partials:
        raise TypeError("primitive: give one partial-derivative function per argument of f")
    for i, p in enumerate(partials):
        if not callable(p):
            raise TypeError(
                f"primitive: partial {i} must be callable, got {describe(p)}"
            )
    nparams = _positional_count(f)
    if nparams is not None and nparams != len(partials):
        raise TypeError(
            f"primitive: f takes {nparams} argument(s) but {len(partials)} partial(s) were given"
        )
    if name is None:
        name = getattr(f, "__name__", "") or "primitive"
        if name == "<lambda>":
            name = "primitive"
    if not isinstance(name, str) or not name:
        raise TypeError(f"primitive: name must be a non-empty str, got {short_repr(name)}")

    def forward(*xs: float) -> float:
        return float(f(*xs))

    # User partials take the arguments only; engine rules also receive `out`.
    # On floats a rule's result is recorded, so it is made a float.
    def rule(p: Callable[..., Any]) -> Callable[..., Any]:
        def derivative(*args: Any) -> Any:
            d = p(*args[:-1])
            return d if isinstance(d, Value) else float(d)

        return derivative

    return Primitive(name, forward, *(rule(p) for p in partials), doc=f.__doc__ or "",
                     domain=domain, smooth=smooth)


def _positional_count(f: Callable[..., Any]) -> int | None:
    try:
        params = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):
        return None
    kinds = [p.kind for p in params]
    if inspect.Parameter.VAR_POSITIONAL in kinds:
        return None
    return sum(
        k in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        for k in kinds
    )
