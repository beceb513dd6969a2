"""The engine: primitives, the table, `Value`, recording, the walk, `backward`.

Read it top to bottom. A `Primitive` is an operation on floats together with
the local derivative of its result with respect to each argument. Applying a
primitive to Values records one graph node: the result's ``data``, its
``parents`` and the local derivatives ``local_grads``, computed at forward
time. `Value.backward` then walks the graph from the root, each node before
its parents, and applies the chain rule along every edge:

```python
for node in topological_order(root):            # the root first
    for parent, local in zip(node.parents, node.local_grads):
        parent.grad += local * node.grad
```

That is the whole algorithm; :mod:`autograd_mini.reference` is the same idea
in under a hundred lines. A node is plain data (no closures), so a graph has
no reference cycles and is freed as soon as its root is dropped.

micrograd's graph API works too: ``Value(data, _children, _op)``, ``v._prev``
(the set of children), ``v._op`` (a str) and ``v._backward()`` (this node's
chain-rule step). A node built micrograd's way, with a closure assigned to
``out._backward``, takes part in `backward` like any other.
"""

from __future__ import annotations

import math
import numbers
import threading
from collections.abc import Callable, Iterable, Sequence
from contextvars import ContextVar
from itertools import repeat
from typing import Any, TypeVar, Union

from autograd_mini import scalar_math as fm
from autograd_mini.checks import describe, short_repr
from autograd_mini.grad_mode import is_grad_enabled

__all__ = [
    "Primitive",
    "Bound",
    "PRIMITIVES",
    "Value",
    "apply",
    "topological_order",
    "walk",
    "backpropagate",
]

V = TypeVar("V", bound="Value")
Operand = Union["Value", float, int]
"""A `Value` or a plain real number."""
Rule = Callable[..., Any]
"""A local-derivative rule, called as ``rule(*args, out)`` on floats or on Values."""


# --------------------------------------------------------------------------- primitives


class Primitive:
    """A scalar operation: a forward function on floats, and its local derivatives.

    Calling a primitive on Values records one graph node; on plain numbers it
    just returns ``forward(*args)``.

    Args:
        name: the node's ``op``, shown in drawings.
        forward: ``forward(*xs) -> float``. Raises a typed error naming the
            operation and the value for an input outside its domain.
        partials: one rule per argument, ``rule(*args, out)``: the derivative
            of the result with respect to that argument. Written with
            operations that work on floats and on Values alike, the same rule
            gives the recorded float at forward time and, re-run on Values,
            a differentiable derivative for higher orders. A rule never raises
            where ``forward`` is defined: where the derivative does not exist
            it gives ``inf`` or ``nan``.
        derivatives: for operations of any number of arguments, one rule
            ``derivatives(args, out)`` giving all local derivatives at once,
            in place of ``partials``.
        linear: the local derivatives are constants (``+``, ``-``, scaling,
            ``relu``, ``abs``): higher orders reuse the recorded floats.
        doc: the math in one line (shown by the docs' table of operations).
        domain: for each argument, where random tests may draw it: ``"real"``,
            ``"positive"``, ``"nonzero"``, ``"bounded"`` (kept small, e.g.
            for ``exp``) or ``"constant"`` (a plain number, never a Value).
            One entry stands for every argument of an n-ary operation.
        smooth: differentiable everywhere in the domain (not ``relu``, ``abs``).
    """

    __slots__ = ("name", "forward", "partials", "linear", "_derivatives", "doc", "domain",
                 "smooth", "arity")

    def __init__(
        self,
        name: str,
        forward: Callable[..., float],
        *partials: Rule,
        derivatives: Callable[[Sequence[Any], Any], Sequence[Any]] | None = None,
        linear: bool = False,
        doc: str = "",
        domain: Sequence[str] | None = None,
        smooth: bool = True,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"Primitive: name must be a non-empty str, got {short_repr(name)}")
        who = f"Primitive {short_repr(name)}"
        if not callable(forward):
            raise TypeError(f"{who}: forward must be callable, got {describe(forward)}")
        for i, p in enumerate(partials):
            if not callable(p):
                raise TypeError(f"{who}: partial {i} must be callable, got {describe(p)}")
        if derivatives is None and not partials:
            raise TypeError(f"{who}: give one partial derivative per argument")
        self.name = name
        self.forward = forward
        self.partials = partials
        self.linear = linear
        self._derivatives = derivatives
        self.doc = doc
        self.domain = tuple(domain) if domain is not None else ("real",) * max(len(partials), 1)
        self.smooth = smooth
        self.arity: int | None = None if derivatives is not None else len(partials)
        """The number of arguments, or ``None`` for operations of any number."""


    def derivatives(self, args: Sequence[Any], out: Any) -> Sequence[Any]:
        """Every local derivative of ``out = forward(*args)``, on floats or on Values."""
        if self._derivatives is not None:
            return self._derivatives(args, out)
        return [rule(*args, out) for rule in self.partials]

    def __call__(self, *args: Any) -> Any:
        """Apply to Values and/or numbers; see `apply`."""
        return apply(self, args)

    def __repr__(self) -> str:
        return f"Primitive({self.name!r})"


class Bound:
    """A primitive applied with some plain-number arguments (``x ** 3``, ``2 / x``).

    A node stores its `Primitive` and its parents, the Value arguments. When
    some arguments were numbers, the node stores this instead: the primitive
    and the full argument tuple, so that higher-order derivatives can re-run
    the rules with the numbers in place. Nodes of linear primitives (``x + 1``,
    ``3 * x``) need no such record: their derivatives are constants.
    """

    __slots__ = ("prim", "args")

    def __init__(self, prim: Primitive, args: tuple[Any, ...]) -> None:
        self.prim = prim
        self.args = args


# --------------------------------------------------------------------------- the table
# Each rule reads like its math and works on floats and on Values alike (the
# helpers `_data` and `_call` pick the float or the Value version).


def _data(x: Any) -> float:
    """The float value of a number or a Value."""
    return x.data if isinstance(x, Value) else float(x)


def _call(name: str, x: Any) -> Any:
    """``x.name()`` for a Value, the float function for a number (``_call("cos", x)``)."""
    return getattr(x, name)() if isinstance(x, Value) else getattr(fm, name)(x)


def _pow(x: Any, y: Any) -> Any:
    """``x ** y`` on Values, or on floats with `scalar_math.pow`'s rules (overflow: inf)."""
    if isinstance(x, Value) or isinstance(y, Value):
        return x**y
    return fm.pow(float(x), float(y))


def _over(x: Any, y: Any) -> Any:
    """``x / y`` in a derivative rule: ``+-inf`` where ``y`` is 0 instead of an error.

    On Values it applies `QUOTIENT`, so the infinite derivative still has
    derivatives of its own (``sqrt``'s second derivative at 0 is -inf).
    """
    if isinstance(x, Value) or isinstance(y, Value):
        return apply(QUOTIENT, (x, y))
    return fm.quotient(float(x), float(y))


def _d_pow_base(x: Any, y: Any, out: Any) -> Any:
    """d/dx x**y = y x**(y-1): 0 for a constant y = 0; at x = 0 with y < 1, y / x**(1-y)."""
    xd, yd = _data(x), _data(y)
    if yd == 0.0 and not isinstance(y, Value):  # x ** 0 is the constant 1
        return 0.0
    if xd == 0.0 and yd < 1.0:  # x**(y-1) would be 0 to a negative power: inf
        return 0.0 if yd == 0.0 else _over(y, _pow(x, 1 - y))
    return y * _pow(x, y - 1)  # a Value y = 0 keeps its derivative in y


def _d_pow_exponent(x: Any, y: Any, out: Any) -> Any:
    """d/dy x**y = log(x) x**y: 0 at x = 0; undefined (nan) for x < 0, as are its
    own derivatives (``nan * out`` keeps them nan, where a constant's would be 0)."""
    xd = _data(x)
    if xd <= 0.0:
        return 0.0 if xd == 0.0 else math.nan * out
    return _call("log", x) * out


def _d_sqrt(x: Any, out: Any) -> Any:
    """d/dx sqrt(x) = 1 / (2 sqrt(x)): inf at 0."""
    return _over(0.5, out)


def _dot(*args: float) -> float:
    """``b + w1 x1 + ... + wn xn`` over ``(w1..wn, x1..xn, b)``, added in that order."""
    if len(args) % 2 != 1:
        raise TypeError(f"dot: expects n weights, n inputs and a bias, got {len(args)} arguments")
    n = len(args) // 2
    return fm.add_in_order(map(float.__mul__, args[:n], args[n : 2 * n]), args[-1])


def _d_dot(args: Sequence[Any], out: Any) -> list[Any]:
    """d/dw_i = x_i, d/dx_i = w_i, d/db = 1."""
    n = len(args) // 2
    return [*args[n : 2 * n], *args[:n], 1.0]


def _d_dot_relu(args: Sequence[Any], out: Any) -> list[Any]:
    """dot's derivatives where the sum is positive, 0 elsewhere."""
    return _d_dot(args, out) if _data(out) > 0.0 else [0.0] * len(args)


ADD = Primitive("+", float.__add__, lambda x, y, out: 1.0, lambda x, y, out: 1.0,
                linear=True, doc="x + y; d/dx = 1, d/dy = 1.")
SUB = Primitive("-", float.__sub__, lambda x, y, out: 1.0, lambda x, y, out: -1.0,
                linear=True, doc="x - y; d/dx = 1, d/dy = -1.")
MUL = Primitive("*", float.__mul__, lambda x, y, out: y, lambda x, y, out: x,
                doc="x * y; d/dx = y, d/dy = x.")
SCALE = Primitive("*", float.__mul__, lambda x, c, out: c, lambda x, c, out: x,
                  linear=True, domain=("real", "constant"),
                  doc="x * c for a number c; d/dx = c.")
NEG = Primitive("neg", float.__neg__, lambda x, out: -1.0, linear=True, doc="-x; d/dx = -1.")
QUOTIENT = Primitive("quotient", fm.quotient, lambda x, y, out: _over(1.0, y),
                     lambda x, y, out: _over(-out, y),
                     domain=("real", "nonzero"),
                     doc="x / y, +-inf at y = 0 (nan for 0/0): division inside derivative "
                     "rules, which must not raise where the operation is defined.")
DIV = Primitive("/", fm.div, lambda x, y, out: _over(1.0, y), lambda x, y, out: _over(-out, y),
                domain=("real", "nonzero"), doc="x / y; d/dx = 1/y, d/dy = -x/y².")
POW = Primitive("**", fm.pow, _d_pow_base, _d_pow_exponent, domain=("positive", "bounded"),
                doc="x ** y; d/dx = y x^(y-1), d/dy = ln(x) x^y.")
ABS = Primitive("abs", abs, lambda x, out: fm.sign(_data(x)), linear=True, smooth=False,
                doc="|x|; d/dx = sign(x) (0 at 0).")
RELU = Primitive("relu", fm.relu, lambda x, out: 0.0 if _data(x) <= 0.0 else 1.0,
                 linear=True, smooth=False, doc="max(0, x); d/dx = 1 for x > 0, else 0.")
TANH = Primitive("tanh", fm.tanh, lambda x, out: 1.0 - out * out,
                 doc="tanh(x); d/dx = 1 - tanh(x)².")
SIGMOID = Primitive("sigmoid", fm.sigmoid, lambda x, out: out * (1.0 - out),
                    doc="σ(x) = 1 / (1 + e^-x); d/dx = σ(x) (1 - σ(x)).")
SOFTPLUS = Primitive("softplus", fm.softplus, lambda x, out: _call("sigmoid", x),
                     doc="log(1 + e^x), without overflow; d/dx = σ(x).")
EXP = Primitive("exp", fm.exp, lambda x, out: out, domain=("bounded",),
                doc="e^x; d/dx = e^x.")
LOG = Primitive("log", fm.log, lambda x, out: 1.0 / x, domain=("positive",),
                doc="ln(x); d/dx = 1/x.")
SQRT = Primitive("sqrt", fm.sqrt, _d_sqrt, domain=("positive",),
                 doc="√x; d/dx = 1 / (2√x).")
SIN = Primitive("sin", fm.sin, lambda x, out: _call("cos", x), doc="sin(x); d/dx = cos(x).")
COS = Primitive("cos", fm.cos, lambda x, out: -_call("sin", x), doc="cos(x); d/dx = -sin(x).")
DOT = Primitive("dot", _dot, derivatives=_d_dot,
                doc="b + Σ w_i x_i over (w1..wn, x1..xn, b): a neuron's weighted sum; "
                "d/dw_i = x_i, d/dx_i = w_i, d/db = 1.")
DOT_RELU = Primitive("dot+relu", lambda *args: fm.relu(_dot(*args)), derivatives=_d_dot_relu,
                     smooth=False,
                     doc="relu(b + Σ w_i x_i): a ReLU neuron as one node; dot's derivatives "
                     "where the sum is positive, 0 elsewhere.")
SUM = Primitive("sum", lambda *xs: fm.add_in_order(xs), linear=True,
                derivatives=lambda args, out: [1.0] * len(args),
                doc="x1 + x2 + ... + xn, added in order; every d/dx_i = 1.")

PRIMITIVES: dict[str, Primitive] = {
    "add": ADD, "sub": SUB, "mul": MUL, "scale": SCALE, "neg": NEG, "div": DIV, "pow": POW,
    "abs": ABS, "relu": RELU, "tanh": TANH, "sigmoid": SIGMOID, "softplus": SOFTPLUS,
    "exp": EXP, "log": LOG, "sqrt": SQRT, "sin": SIN, "cos": COS,
    "dot": DOT, "dot_relu": DOT_RELU, "sum": SUM, "quotient": QUOTIENT,
}
"""Every built-in operation by name: the one table that the operators, the
drawings, the tests, `jit` and higher-order derivatives all read."""


# --------------------------------------------------------------------------- Value


class Value:
    """A scalar that remembers how it was computed, so gradients can flow back.

    ``Value(data)`` wraps a real number (``label=`` names it for drawings).
    Operations on Values (and numbers) return new Values recording their
    ``parents`` and the local derivative with respect to each; ``backward()``
    then fills ``grad`` with d(root)/d(node) for every node of the graph.

    ``Value(data, _children, _op)`` is micrograd's constructor: a node with
    the given children and op name and no local derivatives, for operations
    written micrograd's way (assign a closure to ``out._backward``).

    Attributes:
        data: the value, a float.
        grad: d(root)/d(self), accumulated by `backward`; starts at 0.0.
        label: a name for drawings and debugging.

    Values hash and compare by identity, so they can be dict keys and set members.
    """

    # A node with one parent (x * 2, x.tanh(), ...: most nodes of real graphs)
    # stores that parent and its local derivative bare, not in 1-tuples: a
    # chain then costs about half the memory. `parents` and `local_grads`
    # always give tuples. `__dict__` is created only when something is
    # assigned to it (micrograd's ``out._backward = ...``).
    __slots__ = ("data", "grad", "label", "_op", "_prim", "_parents", "_locals", "__dict__")
    __array_ufunc__ = None  # numpy defers to Value's operators: np.float64(2) * v is a Value

    data: float
    grad: float
    label: str
    _op: str
    _prim: Primitive | Bound | None
    _parents: tuple[Value, ...] | Value
    _locals: tuple[float, ...] | float

    def __init__(
        self,
        data: float,
        _children: Iterable[Value] = (),
        _op: str = "",
        label: str = "",
    ) -> None:
        trace = _TRACE.get()
        if trace is not None:  # autograd_mini.jit is tracing: it notes every new leaf
            data = trace.new_leaf(self, data)
        self.data = _to_float(data, "Value()")
        self.grad = 0.0
        if not isinstance(label, str):
            raise TypeError(f"Value(): label must be a str, got {describe(label)}")
        if not isinstance(_op, str):
            raise TypeError(f"Value(): _op must be a str, got {describe(_op)}")
        children = () if _children == () else _micrograd_children(_children)
        self.label = label
        self._op = _op
        self._prim = None
        self._parents = children
        self._locals = (0.0,) * len(children)  # micrograd's nodes pass nothing by default

    # ------------------------------------------------------------------ the graph

    @property
    def parents(self) -> tuple[Value, ...]:
        """The nodes this one was computed from, in argument order, duplicates kept."""
        p = self._parents
        return p if type(p) is tuple else (p,)  # type: ignore[return-value]

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d(self)/d(parent) for each parent, as recorded at forward time."""
        d = self._locals
        return d if type(d) is tuple else (d,)  # type: ignore[return-value]

    @property
    def op(self) -> str:
        """The name of the operation that produced this node ('' for leaves)."""
        return self._op

    @property
    def is_leaf(self) -> bool:
        """True for nodes with no parents: inputs, parameters, constants."""
        return not self._parents

    @property
    def _prev(self) -> set[Value]:
        """micrograd's name: the set of this node's children (its parents here)."""
        return set(self.parents)

    def _backward(self) -> None:
        """This node's step of the chain rule: ``parent.grad += local * self.grad``.

        `backward` calls it on every node, root first. An edge whose local
        derivative is exactly 0 passes nothing, even when ``self.grad`` is
        inf or nan (PyTorch would pass nan). A micrograd-style node replaces
        this method by assigning a closure to ``node._backward``.
        """
        g = self.grad
        if g:
            for parent, local in zip(self.parents, self.local_grads):
                if local:
                    parent.grad += local * g

    # ------------------------------------------------------------------ plain values

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"

    def __float__(self) -> float:
        return self.data

    def item(self) -> float:
        """The plain float value (PyTorch's spelling of ``v.data``)."""
        return self.data

    def detach(self) -> Value:
        """A new leaf with the same data and label, cut off from this graph."""
        return Value(self.data, label=self.label)

    # ------------------------------------------------------------------ operators
    # Each one applies a primitive of the table. A number mixed into + or -
    # becomes a constant (one parent); into *, the SCALE primitive.

    def __add__(self, other: Operand) -> Value:
        return _on_values(ADD, self, other)

    def __radd__(self, other: Operand) -> Value:
        return _on_values(ADD, other, self)

    def __sub__(self, other: Operand) -> Value:
        return _on_values(SUB, self, other)

    def __rsub__(self, other: Operand) -> Value:
        return _on_values(SUB, other, self)

    def __mul__(self, other: Operand) -> Value:
        prim = MUL if isinstance(other, Value) else SCALE
        return _on_values(prim, self, other)

    def __rmul__(self, other: Operand) -> Value:
        return _on_values(SCALE, self, other)

    def __truediv__(self, other: Operand) -> Value:
        return _on_values(DIV, self, other)

    def __rtruediv__(self, other: Operand) -> Value:
        return _on_values(DIV, other, self)

    def __pow__(self, other: Operand) -> Value:
        return _on_values(POW, self, other)

    def __rpow__(self, other: Operand) -> Value:
        return _on_values(POW, other, self)

    def __neg__(self) -> Value:
        return _on_values(NEG, self)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return _on_values(ABS, self)

    # ------------------------------------------------------------------ functions

    def relu(self) -> Value:
        """max(0, x); derivative 1 for x > 0, else 0 (as micrograd and PyTorch)."""
        return _on_values(RELU, self)

    def tanh(self) -> Value:
        """Hyperbolic tangent; derivative 1 - tanh(x)²."""
        return _on_values(TANH, self)

    def sigmoid(self) -> Value:
        """Logistic function 1/(1+e^-x); derivative s(1-s). Stable for any x."""
        return _on_values(SIGMOID, self)

    def softplus(self) -> Value:
        """log(1 + e^x) without overflow; derivative σ(x)."""
        return _on_values(SOFTPLUS, self)

    def exp(self) -> Value:
        """e^x; derivative e^x. Overflows to inf past x = 709.78."""
        return _on_values(EXP, self)

    def log(self) -> Value:
        """Natural logarithm; derivative 1/x. ValueError for x <= 0."""
        return _on_values(LOG, self)

    def sqrt(self) -> Value:
        """Square root; derivative 1/(2√x). ValueError for x < 0."""
        return _on_values(SQRT, self)

    def sin(self) -> Value:
        """Sine; derivative cos x."""
        return _on_values(SIN, self)

    def cos(self) -> Value:
        """Cosine; derivative -sin x."""
        return _on_values(COS, self)

    # ------------------------------------------------------------------ backward

    def backward(self) -> None:
        """Add d(self)/d(node) into ``node.grad`` for every node of the graph.

        The root is seeded with 1.0. Gradients accumulate, as in PyTorch: call
        ``zero_grad()`` (or set ``grad = 0.0``) between steps. Each call adds
        this pass's gradients to what is there, so calling it twice adds
        exactly the same amounts again, to interior nodes and leaves alike.

        The pass is all or nothing: if it fails (a micrograd-style closure
        raises, Ctrl-C), every ``grad`` is left as it was before the call.
        Concurrent calls from several threads are serialised, so passes into
        shared leaves add up exactly.

        Raises:
            TypeError: some node's ``grad`` is not a number.
        """
        with _BACKWARD_LOCK:
            for node, g in backpropagate(self).items():
                node.grad += g


# --------------------------------------------------------------------------- recording


def _micrograd_children(given: object) -> tuple[Value, ...]:
    """The ``_children`` of micrograd's constructor as a tuple of Values, or a TypeError."""
    if isinstance(given, (str, bytes)) or not isinstance(given, Iterable):
        raise TypeError(
            "Value(): _children must be an iterable of Values (micrograd's signature "
            f"is Value(data, _children, _op, label)); got {describe(given)}; "
            "name a value with Value(data, label=...)"
        )
    children = tuple(given)
    for c in children:
        if not isinstance(c, Value):
            raise TypeError(f"Value(): _children must be Values, got {describe(c)}")
    return children


def _to_float(x: object, where: str) -> float:
    """A real number (int, float, bool, numpy real scalar or bool) as a float."""
    if type(x) is float:
        return x
    if isinstance(x, Value):
        raise TypeError(
            f"{where}: expected a real number, got a Value ({x!r}); "
            "use the Value itself, or v.detach() for a copy cut off from its graph"
        )
    if isinstance(x, numbers.Real) or _is_numpy_real(x):
        try:
            return float(x)  # type: ignore[arg-type]
        except OverflowError:
            raise OverflowError(f"{where}: {short_repr(x)} is too large for a float") from None
    raise TypeError(
        f"{where}: expected a real number (int, float, numpy real scalar) or a Value, "
        f"got {type(x).__name__} {short_repr(x)}"
    )


def _is_numpy_real(x: object) -> bool:
    """A numpy scalar or 0-d array of a bool, integer or float dtype (numpy not imported)."""
    dtype = getattr(x, "dtype", None)
    return getattr(dtype, "kind", "") in ("b", "i", "u", "f") and getattr(x, "ndim", 1) == 0


def apply(prim: Primitive, args: Sequence[Any]) -> Value | float:
    """Apply ``prim`` to ``args`` (Values and numbers): the one place nodes are made.

    With no Value among the arguments, or inside `no_grad`, the result is a
    plain computation (a float, or a leaf Value). Otherwise the forward runs
    on floats first (a domain error raises before anything is recorded), then
    the local derivatives are computed for the Value arguments, and the node
    records them with its parents.
    """
    arity = prim.arity
    if arity is not None and len(args) != arity:
        raise TypeError(f"{prim.name}: takes {arity} argument(s), got {len(args)}")
    if all(map(isinstance, args, repeat(Value))):  # the usual case: only Values
        parents = tuple(args)
        floats = [a.data for a in parents]
    else:
        parents = tuple(a for a in args if isinstance(a, Value))
        floats = [a.data if isinstance(a, Value) else _to_float(a, prim.name) for a in args]
    out_data = prim.forward(*floats)
    if not parents:
        return out_data
    if not is_grad_enabled():
        trace = _TRACE.get()
        if trace is None:
            return _new_node(out_data)
        # `jit` replays it, but no gradient may pass: it keeps a node with no
        # local derivatives and notes it as a stop.
        stopped: Value = trace.stop(record(out_data, Bound(prim, tuple(args)), parents,
                                           [0.0] * len(parents)))
        return stopped
    locals_ = prim.derivatives(floats, out_data)
    if len(parents) == len(args):
        return record(out_data, prim, parents, locals_)
    # Some arguments were numbers: keep the Values' derivatives, and for
    # higher orders the numbers in their places (linear rules need no record).
    locals_ = [d for d, a in zip(locals_, args) if isinstance(a, Value)]
    # (`jit` replays the numbers too, so it asks for the record while tracing.)
    bound = prim.linear and _TRACE.get() is None
    return record(out_data, prim if bound else Bound(prim, tuple(args)), parents, locals_)


def record(
    data: float, prim: Primitive | Bound, parents: tuple[Value, ...], locals_: Sequence[float]
) -> Value:
    """A new node holding ``data``, made by ``prim`` from ``parents`` with ``locals_``."""
    trace = _TRACE.get()
    cls: type[Value] = Value if trace is None else trace.node_class
    out = _new_node(data, cls)
    out._op = prim.prim.name if isinstance(prim, Bound) else prim.name
    out._prim = prim
    if len(parents) == 1:
        out._parents = parents[0]
        out._locals = locals_[0]
    else:
        out._parents = parents
        out._locals = tuple(locals_)
    return out


def _on_values(prim: Primitive, *args: Any) -> Value:
    """`apply` where an argument is a Value (so the result is one): the operators' helper."""
    return apply(prim, args)  # type: ignore[return-value]


def _new_node(data: float, cls: type[V] = Value) -> V:  # type: ignore[assignment]
    """A leaf of class ``cls`` holding ``data`` (a float already), without the
    constructor's checks; `record` then makes it a node."""
    v = object.__new__(cls)
    v.data = data
    v.grad = 0.0
    v.label = ""
    v._op = ""
    v._prim = None
    v._parents = ()
    v._locals = ()
    return v


_TRACE: ContextVar[Any] = ContextVar("autograd_mini_trace", default=None)
"""The trace `autograd_mini.jit` is recording, or None (always, outside `jit`).

The seam between the engine and `jit`, consulted in three places: `record`
makes nodes of the trace's ``node_class``, `apply` keeps number arguments
(a `Bound`) so that they can be replayed and records what runs under
`no_grad` as a stop (``trace.stop``), and `Value` tells the trace about every
leaf made while it records (``trace.new_leaf``)."""


# --------------------------------------------------------------------------- the walk


def topological_order(root: Value) -> list[Value]:
    """The interior nodes reachable from ``root``, each before all of its parents.

    ``root`` comes first (when it is not a leaf); leaves are left out, since a
    backward pass only needs the nodes that pass gradient on. See `walk`.
    """
    if not isinstance(root, Value):
        raise TypeError(f"topological_order: expected a Value, got {type(root).__name__}")
    return [node for node in walk(root) if node._parents]


def walk(root: Value) -> list[Value]:
    """Every node reachable from ``root`` (leaves too), each before all of its parents.

    The one graph walk of the package: backward, `topological_order` and the
    drawings use it. An iterative depth-first search, so graphs of any depth
    work without recursion: a stack holds the path being explored and, for
    each node on it, an iterator over the parents it has not looked at yet. A
    node is finished when all of its parents are; the finished order, reversed,
    puts every node before its parents.
    """
    order: list[Value] = []
    visited = {root}
    stack = [(root, iter(root.parents))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if parent not in visited:
                visited.add(parent)
                if not parent._parents:  # a leaf is finished at once
                    order.append(parent)
                    continue
                stack.append((parent, iter(parent.parents)))
                break
        else:  # every parent is finished: so is this node
            stack.pop()
            order.append(node)
    order.reverse()
    return order


# --------------------------------------------------------------------------- backward

_BACKWARD_LOCK = threading.RLock()
"""Held while a pass runs: passes from several threads into shared nodes are serialised."""


def backpropagate(root: Value, seed: float = 1.0) -> dict[Value, float]:
    """One backward pass from ``root``: d(root)/d(node) for every node it reaches.

    The one accumulation routine: `Value.backward`, `autograd_mini.gradients`
    and `autograd_mini.grad` all use it, so they give the same numbers. It
    runs the nodes' own `Value._backward` steps (micrograd-style closures
    included) on their ``grad`` fields, each node starting from 0, reads the
    results, and puts every ``grad`` back as it was, also when a step raises.
    The caller decides what to do with the result.

    Raises:
        TypeError: a reached node's ``grad`` is not a number.
    """
    with _BACKWARD_LOCK:
        nodes = walk(root)  # the root first
        saved = [node.grad for node in nodes]
        if not all(type(g) is float for g in saved):
            _check_grads(nodes)
        try:
            for node in nodes:
                node.grad = 0.0
            root.grad = seed
            for node in nodes:
                if node._parents:
                    node._backward()
            return dict(zip(nodes, [node.grad for node in nodes]))
        finally:
            for node, g in zip(nodes, saved):
                node.grad = g


def _check_grads(nodes: list[Value]) -> None:
    """Raise a TypeError naming the first node whose ``grad`` is not a number."""
    for node in nodes:
        g: object = node.grad  # anything may have been assigned to it
        if not isinstance(g, numbers.Real):
            raise TypeError(
                f"backward: a node's grad must be a number, got {type(g).__name__} "
                f"{short_repr(g)} on {node!r} (label {node.label!r}, op {node.op!r})"
            )
