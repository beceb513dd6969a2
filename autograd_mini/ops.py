"""The table of primitives: every operation's forward rule and local derivatives.

Each entry is a `Primitive`: a name, a forward function on floats, and one
derivative rule per argument. Rules are called as ``rule(*args, out)`` where
``out`` is the operation's result, and are written with operations that work
on floats *and* on Values. At forward time they run on floats and give the
numbers that backward multiplies by; for higher-order derivatives the engine
re-runs them on the parent Values, so the derivative of a derivative comes
from the same line of math.

`primitive` builds user-defined operations through the same mechanism.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Sequence
from typing import Any

from autograd_mini.engine import Primitive, Value, sum_in_order

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
    "exp",
    "log",
    "sqrt",
    "sin",
    "cos",
]


# --------------------------------------------------------------------------- helpers
# Small functions that act on floats and on Values alike, so one derivative
# rule serves both the forward pass and higher-order differentiation.


def _data(x: Any) -> float:
    return x.data if isinstance(x, Value) else float(x)


def _cos(x: Any) -> Any:
    return x.cos() if isinstance(x, Value) else math.cos(x)


def _sin_any(x: Any) -> Any:
    return x.sin() if isinstance(x, Value) else math.sin(x)


def _log(x: Any) -> Any:
    return x.log() if isinstance(x, Value) else math.log(x)


# --------------------------------------------------------------------------- forwards
# Forward functions check their domain and raise typed errors that name the
# operation and the offending value, before any node is created.


def _div(x: float, y: float) -> float:
    if y == 0.0:
        raise ZeroDivisionError(f"/: division of {x!r} by zero")
    return x / y


def _pow(x: float, y: float) -> float:
    if x == 0.0 and y < 0.0:
        raise ZeroDivisionError(f"**: 0.0 cannot be raised to the negative power {y!r}")
    if x < 0.0 and not y.is_integer():
        raise ValueError(
            f"**: negative base {x!r} to the non-integer power {y!r} is not a real number"
        )
    try:
        return float(x**y)
    except OverflowError:
        raise OverflowError(f"**: {x!r} ** {y!r} overflows a float") from None


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(
            f"exp: exp({x!r}) overflows a float (the largest finite result is at x = 709.78)"
        ) from None


def _log_forward(x: float) -> float:
    if x <= 0.0:
        raise ValueError(f"log: logarithm of {x!r} is undefined (needs x > 0)")
    return math.log(x)


def _sqrt(x: float) -> float:
    if x < 0.0:
        raise ValueError(f"sqrt: square root of {x!r} is undefined (needs x >= 0)")
    return math.sqrt(x)


def _sin(x: float) -> float:
    if math.isinf(x):
        raise ValueError(f"sin: sine of {x!r} is undefined (needs a finite x)")
    return math.sin(x)


def _cos_forward(x: float) -> float:
    if math.isinf(x):
        raise ValueError(f"cos: cosine of {x!r} is undefined (needs a finite x)")
    return math.cos(x)


def _sigmoid(x: float) -> float:
    # Two branches so that exp never overflows: for x >= 0 it sees -x <= 0.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


# --------------------------------------------------------------------------- derivatives


def _d_pow_base(x: Any, y: Any, out: Any) -> Any:
    """d/dx x**y = y * x**(y-1); infinite at x = 0 for 0 < y < 1."""
    if isinstance(x, float):
        yf = _data(y)
        if x == 0.0 and yf < 1.0:
            return 0.0 if yf == 0.0 else math.inf
        try:
            return y * x ** (y - 1)
        except OverflowError:  # a finite result whose derivative is not: +-inf
            negative = (yf < 0.0) != (x < 0.0 and (yf - 1.0) % 2.0 == 1.0)
            return -math.inf if negative else math.inf
    return y * x ** (y - 1)


def _d_pow_exponent(x: Any, y: Any, out: Any) -> Any:
    """d/dy x**y = log(x) * x**y; 0 at x = 0, undefined (nan) for x < 0."""
    if isinstance(x, float) and x <= 0.0:
        return 0.0 if x == 0.0 else math.nan
    return _log(x) * out


def _d_sqrt(x: Any, out: Any) -> Any:
    """d/dx sqrt(x) = 1 / (2 sqrt(x)); infinite at 0."""
    if isinstance(out, float) and out == 0.0:
        return math.inf
    return 0.5 / out


def _d_dot(args: Sequence[Any], out: Any) -> list[Any]:
    # args = (w1..wn, x1..xn, b): d/dwi = xi, d/dxi = wi, d/db = 1.
    n = (len(args) - 1) // 2
    return [*args[n : 2 * n], *args[:n], 1.0]


def _dot_forward(*args: float) -> float:
    if len(args) % 2 != 1:
        raise TypeError(f"dot: expects n weights, n inputs and a bias, got {len(args)} arguments")
    n = (len(args) - 1) // 2
    return sum_in_order(map(float.__mul__, args[:n], args[n : 2 * n]), args[-1])


def _dot_relu_forward(*args: float) -> float:
    z = _dot_forward(*args)
    return z if z > 0.0 else 0.0


def _d_dot_relu(args: Sequence[Any], out: Any) -> list[Any]:
    # relu(z) passes dot's derivatives through where z > 0 and blocks them elsewhere.
    if _data(out) > 0.0:
        return _d_dot(args, out)
    return [0.0] * len(args)


def _sum_forward(*args: float) -> float:
    total = 0.0
    for a in args:
        total += a
    return total


# --------------------------------------------------------------------------- the table

ADD = Primitive("+", float.__add__, lambda x, y, out: 1.0, lambda x, y, out: 1.0, linear=True,
                doc="x + y; d/dx = 1, d/dy = 1.")
SUB = Primitive("-", float.__sub__, lambda x, y, out: 1.0, lambda x, y, out: -1.0, linear=True,
                doc="x - y; d/dx = 1, d/dy = -1.")
MUL = Primitive("*", float.__mul__, lambda x, y, out: y, lambda x, y, out: x,
                doc="x * y; d/dx = y, d/dy = x.")
SCALE = Primitive("*", float.__mul__, lambda x, c, out: c, lambda x, c, out: x, linear=True,
                  doc="x * c for a constant c (recorded with x as the only parent); d/dx = c.",
                  constant_args=(1,))
NEG = Primitive("neg", float.__neg__, lambda x, out: -1.0, linear=True, doc="-x; d/dx = -1.")
DIV = Primitive("/", _div, lambda x, y, out: 1.0 / y, lambda x, y, out: -out / y,
                doc="x / y; d/dx = 1/y, d/dy = -x/y**2. ZeroDivisionError for y = 0.")
POW = Primitive("**", _pow, _d_pow_base, _d_pow_exponent,
                doc="x ** y; d/dx = y x**(y-1), d/dy = log(x) x**y.")
ABS = Primitive("abs", abs, lambda x, out: (_data(x) > 0.0) - (_data(x) < 0.0), linear=True,
                doc="|x|; d/dx = sign(x) (0 at 0).")
RELU = Primitive("relu", lambda x: x if x > 0.0 else 0.0,
                 lambda x, out: 1.0 if _data(x) > 0.0 else 0.0, linear=True,
                 doc="max(0, x); d/dx = 1 for x > 0, else 0.")
TANH = Primitive("tanh", math.tanh, lambda x, out: 1.0 - out * out,
                 doc="tanh(x); d/dx = 1 - tanh(x)**2.")
SIGMOID = Primitive("sigmoid", _sigmoid, lambda x, out: out * (1.0 - out),
                    doc="1 / (1 + exp(-x)); d/dx = s (1 - s).")
EXP = Primitive("exp", _exp, lambda x, out: out, doc="e**x; d/dx = e**x.")
LOG = Primitive("log", _log_forward, lambda x, out: 1.0 / x, doc="ln(x); d/dx = 1/x.")
SQRT = Primitive("sqrt", _sqrt, _d_sqrt, doc="sqrt(x); d/dx = 1 / (2 sqrt(x)).")
SIN = Primitive("sin", _sin, lambda x, out: _cos(x), doc="sin(x); d/dx = cos(x).")
COS = Primitive("cos", _cos_forward, lambda x, out: -_sin_any(x), doc="cos(x); d/dx = -sin(x).")
DOT = Primitive("dot", _dot_forward, derivatives=_d_dot,
                doc="b + sum(w_i x_i) over (w1..wn, x1..xn, b); "
                "d/dw_i = x_i, d/dx_i = w_i, d/db = 1.")
DOT_RELU = Primitive("dot+relu", _dot_relu_forward, derivatives=_d_dot_relu,
                     doc="relu(b + sum(w_i x_i)): a fused ReLU neuron; dot's derivatives "
                     "where the sum is positive, 0 elsewhere.")
SUM = Primitive("sum", _sum_forward, derivatives=lambda args, out: [1.0] * len(args), linear=True,
                doc="x1 + x2 + ... + xn; every local derivative is 1.")

PRIMITIVES: dict[str, Primitive] = {
    "add": ADD,
    "sub": SUB,
    "mul": MUL,
    "scale": SCALE,
    "neg": NEG,
    "div": DIV,
    "pow": POW,
    "abs": ABS,
    "relu": RELU,
    "tanh": TANH,
    "sigmoid": SIGMOID,
    "exp": EXP,
    "log": LOG,
    "sqrt": SQRT,
    "sin": SIN,
    "cos": COS,
    "dot": DOT,
    "dot_relu": DOT_RELU,
    "sum": SUM,
}
"""Every built-in primitive by name: the single table that Value's operators,
drawings, tests and higher-order derivatives all read."""

# Functions of one argument, callable on Values and on numbers alike.
relu = RELU
tanh = TANH
sigmoid = SIGMOID
exp = EXP
log = LOG
sqrt = SQRT
sin = SIN
cos = COS

FUNCTIONS: dict[str, Primitive] = {
    "relu": RELU,
    "tanh": TANH,
    "sigmoid": SIGMOID,
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
    f: Callable[..., float], *partials: Callable[..., Any], name: str | None = None
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

    Returns:
        A callable `Primitive` that accepts Values and numbers.

    Raises:
        TypeError: ``f`` or a partial is not callable, no partial is given, or
            the number of partials does not match ``f``'s number of parameters.
    """
    if not callable(f):
        raise TypeError(f"primitive: f must be callable, got {type(f).__name__} {f!r}")
    if not partials:
        raise TypeError("primitive: give one partial-derivative function per argument of f")
    for i, p in enumerate(partials):
        if not callable(p):
            raise TypeError(
                f"primitive: partial {i} must be callable, got {type(p).__name__} {p!r}"
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
        raise TypeError(f"primitive: name must be a non-empty str, got {name!r}")

    # User partials take the arguments only; engine rules also receive `out`.
    def _drop_out(p: Callable[..., Any]) -> Callable[..., Any]:
        return lambda *args: p(*args[:-1])

    return Primitive(name, f, *(_drop_out(p) for p in partials), doc=f.__doc__)


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
