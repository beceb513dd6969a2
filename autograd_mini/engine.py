"""The scalar engine: `Value`, graph recording and the backward pass.

Every operation on a `Value` records, at forward time, the nodes it was
computed from (``parents``) and the local derivative of its result with
respect to each of them (``locals``). Backward is then one loop over a
topological order:

```python
for node in order:               # the root first, every node before its parents
    for parent, local in zip(node.parents, node.local_grads):
        parent.grad += local * node.grad
```

There are no per-node closures: a node is plain data, so the graph creates no
reference cycles and is freed by reference counting as soon as the last
reference to its root goes away; the cyclic garbage collector finds nothing
to clean up after a training step.

Which operations exist, and their derivative rules, is the table in
:mod:`autograd_mini.ops`; this module holds the machinery that applies them.
"""

from __future__ import annotations

import gc
import numbers
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from functools import partial, reduce
from itertools import compress
from operator import add, mul
from typing import Any, Union

__all__ = [
    "Value",
    "Primitive",
    "apply",
    "is_grad_enabled",
    "set_grad_enabled",
    "no_grad",
    "enable_grad",
    "topological_order",
    "dot",
    "linear",
    "vsum",
]

Scalar = Union[float, int]  # noqa: UP007 - a runtime alias, kept explicit for readers
"""A plain real number accepted wherever a `Value` is (ints, floats, numpy scalars)."""
Operand = Union["Value", float, int]
"""Either a `Value` or a plain real number."""
Derivative = Callable[..., Any]
"""A local-derivative rule: called as ``rule(*args, out)`` on floats or on Values."""


# --------------------------------------------------------------------------- grad mode

_GRAD_ENABLED: ContextVar[bool] = ContextVar("autograd_mini_grad_enabled", default=True)
_SAVED_MODES: ContextVar[tuple[bool, ...]] = ContextVar("autograd_mini_saved_modes", default=())


def is_grad_enabled() -> bool:
    """Return whether operations currently record the graph (see `no_grad`)."""
    return _GRAD_ENABLED.get()


class set_grad_enabled:  # noqa: N801 - named like torch.set_grad_enabled, used as a function
    """Context manager and decorator that turns graph recording on or off.

    The setting lives in a `contextvars.ContextVar`, so it is private to the
    current thread and to the current asyncio task, and it is restored on exit
    even when the block raises. Blocks nest.

    Args:
        mode: ``True`` to record operations, ``False`` to compute plain values.
    """

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)

    # The setting to restore on exit is kept in a context variable too (a
    # stack, one per thread / asyncio task), not on this object, so a single
    # no_grad() object can be shared by threads and tasks that enter and
    # leave it in any interleaving.
    def __enter__(self) -> None:
        _SAVED_MODES.set((*_SAVED_MODES.get(), _GRAD_ENABLED.get()))
        _GRAD_ENABLED.set(self.mode)

    def __exit__(self, *exc: object) -> None:
        saved = _SAVED_MODES.get()
        _GRAD_ENABLED.set(saved[-1])
        _SAVED_MODES.set(saved[:-1])

    def __call__(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Use as a decorator: run ``func`` with the mode set."""
        import functools

        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return func(*args, **kwargs)

        return wrapper


class no_grad(set_grad_enabled):  # noqa: N801 - the name users know from PyTorch
    """Record nothing: results are constants for backward.

    Use as ``with no_grad(): ...`` or as a ``@no_grad()`` decorator, for
    evaluation and for optimizer updates. Thread- and asyncio-safe, nestable;
    `enable_grad` switches recording back on inside it.
    """

    def __init__(self) -> None:
        super().__init__(False)


class enable_grad(set_grad_enabled):  # noqa: N801
    """Record the graph again inside a `no_grad` block (context manager or decorator)."""

    def __init__(self) -> None:
        super().__init__(True)


# --------------------------------------------------------------------------- gc


class _gc_paused:  # noqa: N801 - used like a function
    """Pause the cyclic garbage collector for the duration of a backward pass.

    A backward pass allocates a few temporaries per node (the walk's stack,
    the order) and frees all of them by reference counting; it creates no
    reference cycles. Yet on a large graph those allocations trigger full
    collections that re-scan every node of the graph, which made backward's
    cost per node grow with the size of the graph. With the collector paused
    the cost stays flat. The collector is re-enabled on exit (also on error)
    if, and only if, it was enabled on entry.
    """

    __slots__ = ("_was_enabled",)

    def __enter__(self) -> None:
        self._was_enabled = gc.isenabled()
        if self._was_enabled:
            gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self._was_enabled:
            gc.enable()


# --------------------------------------------------------------------------- numbers


def _as_float(x: object, op: str) -> float:
    """Convert a plain real number to float, or raise a TypeError naming ``op``."""
    if type(x) is float:
        return x
    if isinstance(x, numbers.Real):  # int, bool, Fraction, numpy real scalars, ...
        return float(x)
    raise TypeError(
        f"{op}: expected a real number (int, float, numpy real scalar) or a Value, "
        f"got {type(x).__name__} {x!r}"
    )


# --------------------------------------------------------------------------- primitives


class Primitive:
    """A scalar operation: a forward rule on floats and one derivative rule per argument.

    Calling a primitive on Values records one graph node named `name`; calling
    it on plain numbers just returns ``forward(*args)``.

    Args:
        name: the operation's name, shown as the node's ``op`` and in drawings.
        forward: ``forward(*xs) -> float`` on floats. Raises a typed error
            (ValueError, ZeroDivisionError, OverflowError) naming the operation
            and the value when an input is outside the domain.
        partials: one rule per argument, ``partial(*args, out) -> derivative``
            where ``out`` is the result. Each rule is written with operations that
            work on floats and on Values alike, so the same rule gives the float
            derivative at forward time and a differentiable Value for higher-order
            derivatives.
        linear: the local derivatives are constants (true for +, -, scaling,
            relu, abs): higher-order derivatives reuse the recorded floats instead
            of re-running the rules.
        derivatives: for n-ary operations, one rule ``derivatives(args, out)``
            returning all local derivatives at once, in place of ``partials``.
        doc: the math of the operation in one line, for help and drawings.
        constant_args: positions that must be plain numbers (``SCALE``'s
            coefficient), for rules that are linear only because of it.
    """

    __slots__ = ("name", "forward", "partials", "linear", "_derivatives", "doc", "constant_args")

    def __init__(
        self,
        name: str,
        forward: Callable[..., float],
        *partials: Derivative,
        linear: bool = False,
        derivatives: Callable[[Sequence[Any], Any], Sequence[Any]] | None = None,
        doc: str | None = None,
        constant_args: tuple[int, ...] = (),
    ) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"Primitive: name must be a non-empty str, got {name!r}")
        if not callable(forward):
            raise TypeError(f"Primitive {name!r}: forward must be callable, got {forward!r}")
        for i, p in enumerate(partials):
            if not callable(p):
                raise TypeError(f"Primitive {name!r}: partial {i} must be callable, got {p!r}")
        if derivatives is None and not partials:
            raise TypeError(f"Primitive {name!r}: give one partial derivative per argument")
        self.name = name
        self.forward = forward
        self.partials = partials
        self.linear = linear
        self._derivatives = derivatives
        self.doc = doc
        self.constant_args = constant_args

    @property
    def arity(self) -> int | None:
        """Number of arguments, or ``None`` for n-ary operations."""
        return None if self._derivatives is not None else len(self.partials)

    def derivatives(self, args: Sequence[Any], out: Any) -> Sequence[Any]:
        """All local derivatives of ``out = forward(*args)``, floats or Values alike."""
        if self._derivatives is not None:
            return self._derivatives(args, out)
        return [p(*args, out) for p in self.partials]

    def __call__(self, *args: Any) -> Any:
        """Apply to Values and/or numbers; see `apply`."""
        return apply(self, args)

    def __repr__(self) -> str:
        return f"Primitive({self.name!r})"


class _Bound:
    """The op of a node whose primitive was called with some constant arguments.

    It keeps the full argument tuple (Values and numbers, in order), so that
    higher-order derivatives can re-run the primitive's rules with the
    constants in place. Nodes whose arguments are all Values store the
    primitive itself instead, and pay nothing for this.
    """

    __slots__ = ("prim", "args")

    def __init__(self, prim: Primitive, args: tuple[Any, ...]) -> None:
        self.prim = prim
        self.args = args

    @property
    def name(self) -> str:
        return self.prim.name

    @property
    def linear(self) -> bool:
        return self.prim.linear


# --------------------------------------------------------------------------- Value


class Value:
    """A scalar that remembers how it was computed, so gradients can flow back.

    ``Value(data, label="")`` wraps a real number. Operations on Values (and
    numbers) return new Values that record their ``parents`` and the local
    derivative with respect to each; ``backward()`` then fills ``grad`` with
    d(root)/d(node) for every node of the graph.

    Attributes:
        data: the value, a float.
        grad: the accumulated derivative of the last backward root(s) with
            respect to this node; starts at 0.0.
        label: a name for drawings and debugging.

    Values hash and compare by identity, so they can be dict keys and set members.
    """

    __slots__ = ("data", "grad", "label", "_op", "_parents", "_locals")

    data: float
    grad: float
    label: str
    _op: Primitive | _Bound | None
    # A node with exactly one parent (relu, tanh, x * 2, x + 1, ...: most nodes
    # of real graphs) stores that parent bare in `_parents` and its local
    # derivative bare in `_locals`; other nodes store two aligned tuples. The
    # bare form saves two tuples per node: about half the memory of a chain,
    # and one of the two objects per node that the garbage collector would
    # otherwise re-scan while a large graph is being built. A fused neuron
    # built by `linear` is a `_LinearNode`, which stores its edges in segments
    # shared with other nodes instead.
    _parents: tuple[Value, ...] | Value
    _locals: tuple[float, ...] | float | list[float]  # a list: see `_LinearNode`

    def __init__(self, data: Scalar, label: str = "") -> None:
        given: object = data
        if type(given) is not float:
            if isinstance(given, Value):
                raise TypeError(
                    f"Value(): expected a real number, got a Value ({given!r}); "
                    "use the Value itself, or v.detach() for a copy cut off from its graph"
                )
            if not isinstance(given, numbers.Real):
                raise TypeError(
                    "Value(): expected a real number (int, float, numpy real scalar), "
                    f"got {type(given).__name__} {given!r}"
                )
            try:
                data = float(given)
            except OverflowError:
                raise OverflowError(f"Value(): {given!r} is too large for a float") from None
        if not isinstance(label, str):
            raise TypeError(f"Value(): label must be a str, got {type(label).__name__} {label!r}")
        self.data = data
        self.grad = 0.0
        self.label = label
        self._op = None
        self._parents = ()
        self._locals = ()

    # ------------------------------------------------------------------ introspection

    @property
    def parents(self) -> tuple[Value, ...]:
        """The nodes this one was computed from, in argument order, duplicates kept."""
        parents = self._parents
        return parents if type(parents) is tuple else (parents,)  # type: ignore[return-value]

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d(self)/d(parent) for each parent, as recorded at forward time."""
        local = self._locals
        return local if type(local) is tuple else (local,)  # type: ignore[return-value]

    @property
    def op(self) -> str:
        """The name of the operation that produced this node ('' for leaves)."""
        op = self._op
        return "" if op is None else op.name

    @property
    def is_leaf(self) -> bool:
        """True for nodes with no parents: inputs, parameters, constants."""
        return not self._parents

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"

    def __float__(self) -> float:
        return self.data

    def item(self) -> float:
        """The plain float value (PyTorch spelling of ``v.data``)."""
        return self.data

    def detach(self) -> Value:
        """A new leaf with the same data and label, cut off from this graph."""
        return Value(self.data, self.label)

    # ------------------------------------------------------------------ arithmetic
    # + - * and scaling are the hot operations of every network, so they build
    # their nodes inline instead of going through `apply`; the rules they apply
    # are the `ADD`, `SUB`, `MUL`, `SCALE` and `NEG` entries of the table in
    # ops.py. A number mixed into + or - leaves one parent with local derivative
    # +1 or -1; into *, the SCALE node with the number as its local derivative.

    def __add__(self, other: Operand) -> Value:
        if isinstance(other, Value):
            return _node(self.data + other.data, _ops.ADD, (self, other), _ONES2)
        return _node(self.data + _as_float(other, "+"), _ops.ADD, self, 1.0)

    def __radd__(self, other: Operand) -> Value:
        return _node(_as_float(other, "+") + self.data, _ops.ADD, self, 1.0)

    def __sub__(self, other: Operand) -> Value:
        if isinstance(other, Value):
            return _node(self.data - other.data, _ops.SUB, (self, other), _SUB_LOCALS)
        return _node(self.data - _as_float(other, "-"), _ops.SUB, self, 1.0)

    def __rsub__(self, other: Operand) -> Value:
        return _node(_as_float(other, "-") - self.data, _ops.SUB, self, -1.0)

    def __mul__(self, other: Operand) -> Value:
        if isinstance(other, Value):
            return _node(self.data * other.data, _ops.MUL, (self, other), (other.data, self.data))
        c = _as_float(other, "*")
        return _node(self.data * c, _ops.SCALE, self, c)

    def __rmul__(self, other: Operand) -> Value:
        c = _as_float(other, "*")
        return _node(c * self.data, _ops.SCALE, self, c)

    def __truediv__(self, other: Operand) -> Value:
        if isinstance(other, Value):
            return _ops.DIV(self, other)  # type: ignore[no-any-return]
        c = _as_float(other, "/")
        if c == 0.0:
            raise ZeroDivisionError(f"/: division of {self!r} by zero")
        return _node(self.data / c, _ops.SCALE, self, 1.0 / c)

    def __rtruediv__(self, other: Operand) -> Value:
        return _ops.DIV(_as_float(other, "/"), self)  # type: ignore[no-any-return]

    def __pow__(self, other: Operand) -> Value:
        if not isinstance(other, Value):
            other = _as_float(other, "**")
        return _ops.POW(self, other)  # type: ignore[no-any-return]

    def __rpow__(self, other: Operand) -> Value:
        return _ops.POW(_as_float(other, "**"), self)  # type: ignore[no-any-return]

    def __neg__(self) -> Value:
        return _node(-self.data, _ops.NEG, self, -1.0)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return _ops.ABS(self)  # type: ignore[no-any-return]

    # ------------------------------------------------------------------ functions

    def relu(self) -> Value:
        """max(0, x); derivative 1 for x > 0, else 0 (as micrograd and PyTorch)."""
        x = self.data
        if x > 0.0:
            return _node(x, _ops.RELU, self, 1.0)
        return _node(0.0, _ops.RELU, self, 0.0)

    def tanh(self) -> Value:
        """Hyperbolic tangent; d/dx tanh(x) = 1 - tanh(x)**2. Stable for any finite x."""
        return _ops.TANH(self)  # type: ignore[no-any-return]

    def sigmoid(self) -> Value:
        """Logistic function 1/(1+e^-x); derivative s(1-s). Stable for any finite x."""
        return _ops.SIGMOID(self)  # type: ignore[no-any-return]

    def exp(self) -> Value:
        """`e**x`; derivative `e**x`. Raises OverflowError past x ~ 709.78."""
        return _ops.EXP(self)  # type: ignore[no-any-return]

    def log(self) -> Value:
        """Natural logarithm; derivative 1/x. Raises ValueError for x <= 0."""
        return _ops.LOG(self)  # type: ignore[no-any-return]

    def sqrt(self) -> Value:
        """Square root; derivative 1/(2 sqrt x). Raises ValueError for x < 0."""
        return _ops.SQRT(self)  # type: ignore[no-any-return]

    def sin(self) -> Value:
        """Sine; derivative cos x."""
        return _ops.SIN(self)  # type: ignore[no-any-return]

    def cos(self) -> Value:
        """Cosine; derivative -sin x."""
        return _ops.COS(self)  # type: ignore[no-any-return]

    # ------------------------------------------------------------------ backward

    def backward(self) -> None:
        """Add d(self)/d(node) into ``node.grad`` for every node of the graph.

        The root's own gradient is seeded with 1.0. Gradients accumulate, as in
        PyTorch: call ``zero_grad()`` (or set ``grad = 0.0``) between steps.
        Calling ``backward()`` twice adds exactly the same gradients again, to
        interior nodes as well as to leaves.

        The topological order is computed iteratively, so graphs of any depth
        work at Python's default recursion limit. Only the part of the graph
        that gradient can reach is visited: an edge whose local derivative is
        exactly zero (an inactive ReLU, a hinge loss already satisfied)
        carries nothing, so nodes reachable only through such edges keep
        their ``grad`` unchanged, which is what adding a zero gradient would
        give them. Such an edge carries nothing even when the gradient
        arriving at its node is infinite or nan: 0 times inf counts as 0 here,
        where PyTorch would produce nan.
        """
        with _gc_paused():
            order, earlier = _backward_plan(self)
            # Every node collects this pass's gradient from zero, so that what
            # interior nodes pass upstream is not inflated by earlier passes and
            # a second call adds exactly the same amounts again; gradients from
            # earlier passes are added back at the end.
            for node in earlier:
                node.grad = 0.0
            self.grad += 1.0
            for node in order:
                g = node.grad
                if not g:  # a zero gradient passes nothing on
                    continue
                parents, local = node._parents, node._locals
                if type(parents) is not tuple:  # one parent, stored bare
                    if local:
                        parents.grad += local * g  # type: ignore[union-attr,operator]
                elif type(node) is _LinearNode:  # a fused neuron: weights, inputs, bias
                    if -_INF < g < _INF:
                        for parent, d in zip(parents, node._inputs_data):
                            parent.grad += d * g
                        for parent, d in zip(node._inputs, local):  # type: ignore[arg-type]
                            parent.grad += d * g
                        node._bias.grad += g
                    else:
                        for parent, d in _edges(node):
                            if d:
                                parent.grad += d * g
                elif -_INF < g < _INF:  # the usual case: 0 * g is 0, no need to check
                    for parent, d in zip(parents, local):  # type: ignore[arg-type]
                        parent.grad += d * g
                else:  # an infinite or nan gradient: skip zero edges, as the plan does
                    for parent, d in zip(parents, local):  # type: ignore[arg-type]
                        if d:
                            parent.grad += d * g
            for node, old in earlier.items():
                node.grad += old


class _LinearNode(Value):
    """A fused neuron's node (``dot`` or ``dot+relu``, built by `linear`).

    Its edges are stored in segments rather than copied into flat tuples:
    ``_parents`` is the neuron's weights (a tuple reused from call to call),
    ``_inputs`` the layer call's inputs (one tuple shared by every neuron of
    the layer), ``_bias`` the bias; ``_locals`` holds the weights' data (d/dx_i
    = w_i), ``_inputs_data`` the inputs' data (d/dw_i = x_i, shared by the
    layer), and d/db = 1. An inactive ReLU unit has ``_locals = ()``: all of
    its local derivatives are zero. Nothing is copied per neuron, and a
    backward pass walks each shared segment once instead of once per node.
    The public `parents` and `local_grads` are those of every other node, in
    argument order: weights, inputs, bias.
    """

    __slots__ = ("_inputs", "_inputs_data", "_bias")

    _inputs: tuple[Value, ...]
    _inputs_data: list[float]
    _bias: Value

    @property
    def parents(self) -> tuple[Value, ...]:
        """The weights, the inputs and the bias, in that order."""
        return (*self._parents, *self._inputs, self._bias)  # type: ignore[misc]

    @property
    def local_grads(self) -> tuple[float, ...]:
        """The inputs' data, the weights' data and 1.0 (all zero for an inactive unit)."""
        if not self._locals:
            return (0.0,) * (2 * len(self._inputs) + 1)
        return (*self._inputs_data, *self._locals, 1.0)  # type: ignore[misc]


_Parents = Union[tuple[Value, ...], Value]  # noqa: UP007
_Locals = Union[tuple[float, ...], float]  # noqa: UP007


def _node(data: float, op: Primitive | _Bound, parents: _Parents, local: _Locals) -> Value:
    """Create an interior node, or a constant when recording is off (`no_grad`)."""
    v = _NEW(Value)
    v.data = data
    v.grad = 0.0
    v.label = ""
    if _GRAD_ENABLED.get():
        v._op = op
        v._parents = parents
        v._locals = local
    else:
        v._op = None
        v._parents = ()
        v._locals = ()
    return v


_NEW = Value.__new__

# `sum_in_order(terms, start)` adds start + t1 + t2 + ... left to right, rounding
# after every addition, exactly as a chain of `+` nodes does. Up to Python 3.11
# that is what sum() does; from 3.12 sum() of floats is compensated (more
# accurate, but then a fused neuron would not equal the per-operation graph).
sum_in_order: Callable[[Iterable[float], float], float] = (
    sum if sys.version_info < (3, 12) else partial(reduce, add)
)
_ONES2 = (1.0, 1.0)
_SUB_LOCALS = (1.0, -1.0)
_INF = float("inf")


# --------------------------------------------------------------------------- apply


def apply(prim: Primitive, args: Sequence[Any]) -> Any:
    """Apply ``prim`` to ``args`` (Values and/or real numbers).

    With no Value among the arguments the result is the plain float
    ``prim.forward(*args)``. Otherwise one node is recorded whose parents are
    the Value arguments, in order; numbers are constants, not parents.

    Raises:
        TypeError: an argument is neither a Value nor a real number, or the
            number of arguments does not match the primitive.
    """
    arity = prim.arity
    if arity is not None and len(args) != arity:
        raise TypeError(f"{prim.name}: takes {arity} argument(s), got {len(args)}")
    xs = []
    parents = []
    positions = []
    for i, a in enumerate(args):
        if isinstance(a, Value):
            xs.append(a.data)
            parents.append(a)
            positions.append(i)
        else:
            xs.append(_as_float(a, prim.name))
    for i in prim.constant_args:
        if isinstance(args[i], Value):
            raise TypeError(
                f"{prim.name}: argument {i + 1} must be a plain number (a constant), "
                f"got a Value ({args[i]!r})"
            )
    out = float(prim.forward(*xs))
    if not parents:
        return out
    if not _GRAD_ENABLED.get():
        return Value(out)
    if prim.partials:  # compute only the derivatives that some parent needs
        local = tuple(float(prim.partials[i](*xs, out)) for i in positions)
    else:
        derivs = prim.derivatives(xs, out)
        local = tuple(float(derivs[i]) for i in positions)
    op = prim if len(parents) == len(args) else _Bound(prim, tuple(args))
    if len(parents) == 1:
        return _node(out, op, parents[0], local[0])
    return _node(out, op, tuple(parents), local)


def dot(weights: Sequence[Value], inputs: Sequence[Operand], bias: Operand = 0.0) -> Value:
    """``bias + sum(w * x)`` recorded as one node (the fused neuron).

    Gives the same value and the same gradients as the per-operation graph
    ``sum((w * x for w, x in zip(weights, inputs)), bias)``, summing in the same
    order, with one node instead of ``2n``. The local derivatives are the
    inputs (for the weights), the weights (for the inputs) and 1 (for the bias).

    Raises:
        ValueError: ``weights`` and ``inputs`` differ in length.
        TypeError: an element is neither a Value nor a real number.
    """
    if len(inputs) != len(weights):
        raise ValueError(f"dot: {len(weights)} weights but {len(inputs)} inputs")
    return _linear([weights], inputs, [bias], "linear", None)[0]  # type: ignore[list-item]


def linear(
    weight_rows: Sequence[Sequence[Value]],
    inputs: Sequence[Operand],
    biases: Sequence[Value],
    activation: str = "linear",
) -> list[Value]:
    """A layer of fused neurons: ``[dot(w, inputs, b) for w, b in ...]``, faster.

    One ``dot`` node per row, exactly as `dot` records it (same values, same
    gradients), but the inputs' values are gathered once for the whole layer
    instead of once per neuron. With ``activation="relu"`` each neuron is one
    ``dot+relu`` node, ``relu(b + sum(w x))``, instead of a ``dot`` node and a
    ``relu`` node: the same values and gradients, with half the nodes.

    Each node references its row, the layer's inputs and its bias rather than
    copying them (see `_LinearNode`). Pass each row as a tuple and reuse the
    same tuple from call to call, as `autograd_mini.nn.Layer` does: backward
    then walks a row once per pass, however many calls used it.

    Raises:
        ValueError: the numbers of rows and biases differ, a row's length
            differs from the number of inputs, or the activation is neither
            ``"linear"`` nor ``"relu"``.
    """
    return _linear(weight_rows, inputs, biases, activation, None)


def _linear(
    weight_rows: Sequence[Sequence[Value]],
    inputs: Sequence[Operand],
    biases: Sequence[Value],
    activation: str,
    data: tuple[Sequence[list[float]], Sequence[float]] | None,
) -> list[Value]:
    """`linear`, optionally given the rows' and the biases' current data.

    ``data`` is ``(row_data, bias_data)``: for each row the list of its
    weights' ``.data``, and each bias's ``.data``, exactly as they are now.
    `autograd_mini.nn.Layer` passes the lists it keeps between writes to its
    parameters (see `autograd_mini.nn.Parameter`) instead of reading 16
    weights per neuron per call. A row's list becomes the local derivatives
    of its nodes, so it must never be modified afterwards.
    """
    if activation not in ("linear", "relu"):
        raise ValueError(f"linear: activation must be 'linear' or 'relu', got {activation!r}")
    if len(weight_rows) != len(biases):
        raise ValueError(f"linear: {len(weight_rows)} weight rows but {len(biases)} biases")
    prim = _ops.DOT_RELU if activation == "relu" else _ops.DOT
    n = len(inputs)
    if not all(map(n.__eq__, map(len, weight_rows))):
        bad = next(len(w) for w in weight_rows if len(w) != n)
        raise ValueError(f"linear: a row of {bad} weights but {n} inputs")
    if not weight_rows:
        return []
    if not n:  # no inputs: each neuron is its bias, recorded in the general layout
        return [apply(prim, (b,)) for b in biases]
    xs: tuple[Value, ...] = tuple(inputs)  # type: ignore[arg-type]
    relu = activation == "relu"
    record = _GRAD_ENABLED.get()
    # Segments pay off when something is shared: the inputs by several rows,
    # or a row that the caller reuses from call to call (a tuple, as Layer
    # passes). A single list row (`dot`, one Neuron) gets flat tuples, which
    # are cheaper to record and to walk when nothing is shared.
    segmented = len(weight_rows) > 1 or type(weight_rows[0]) is tuple
    out: list[Value] = []
    try:
        xd = [x.data for x in xs]
        for j, (w, b) in enumerate(zip(weight_rows, biases)):
            if data is None:
                wd = [wi.data for wi in w]
                bd = b.data
            else:
                wd = data[0][j]
                bd = data[1][j]
            z = sum_in_order(map(mul, wd, xd), bd)
            if not record:
                out.append(Value(z if z > 0.0 or not relu else 0.0))
                continue
            if not segmented:
                if relu and not z > 0.0:
                    out.append(_node(0.0, prim, (*w, *xs, b), (0.0,) * (2 * n + 1)))
                else:
                    out.append(_node(z, prim, (*w, *xs, b), (*xd, *wd, 1.0)))
                continue
            # The node, built inline (this loop is the forward pass's hot spot).
            # Its edges are segments, not copies: see `_LinearNode`.
            v = _NEW(_LinearNode)
            v.grad = 0.0
            v.label = ""
            v._op = prim
            v._parents = w if type(w) is tuple else tuple(w)
            v._inputs = xs
            v._inputs_data = xd
            v._bias = b
            if relu and not z > 0.0:  # an inactive unit passes no gradient back
                v.data = 0.0
                v._locals = ()
            else:
                v.data = z
                v._locals = wd
            out.append(v)
    except AttributeError:  # numbers among the weights, inputs or biases: the general path
        return [apply(prim, (*w, *inputs, b)) for w, b in zip(weight_rows, biases)]
    return out


def vsum(terms: Iterable[Operand], start: Operand = 0.0) -> Value:
    """``start + t1 + t2 + ...`` recorded as one node with local derivatives 1.

    The same value and gradients as Python's ``sum(terms, start)`` on Values,
    added in the same order, with one node instead of one per term.
    """
    terms = list(terms)
    if not any(isinstance(t, Value) for t in (start, *terms)):
        total = _as_float(start, "sum")
        for t in terms:
            total += _as_float(t, "sum")
        return Value(total)
    return apply(_ops.SUM, (start, *terms))  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- graph walks


def _edges(node: Value) -> Iterator[tuple[Value, float]]:
    """(parent, local derivative) pairs of an interior node."""
    parents = node._parents
    if type(parents) is not tuple:
        return iter(((parents, node._locals),))  # type: ignore[arg-type]
    if type(node) is _LinearNode:
        return zip(node.parents, node.local_grads)
    return zip(parents, node._locals)  # type: ignore[arg-type]


def topological_order(root: Value) -> list[Value]:
    """The interior nodes reachable from ``root``, each before all of its parents.

    ``root`` comes first (when it is not a leaf); leaves are left out, since a
    backward pass only needs to visit nodes that pass gradient on. The walk is
    an iterative depth-first search (two parallel stacks: the path being
    explored and, for each node on it, an iterator over the edges it has not
    followed yet), so any depth works without recursion.
    """
    if not root._parents:
        return []
    order: list[Value] = []
    visited = {root}
    path = [root]
    pending = [iter(root.parents)]
    while path:
        for parent in pending[-1]:
            if parent._parents and parent not in visited:
                visited.add(parent)
                path.append(parent)
                pending.append(iter(parent.parents))
                break
        else:  # every edge followed: the node is finished
            pending.pop()
            order.append(path.pop())
    order.reverse()
    return order


def _backward_plan(root: Value) -> tuple[list[Value], dict[Value, float]]:
    """The nodes a backward pass from ``root`` visits, and their earlier gradients.

    Returns the interior nodes in topological order (root first), like
    `topological_order`, except that edges whose recorded local derivative is
    exactly zero are not followed: nothing flows back along them. This is what
    makes a backward pass through an MLP cheap once training is under way:
    inactive ReLUs and satisfied hinge losses cut off whole sub-graphs, as a
    hand-written backward pass would skip them.

    Also returns every reached node (leaves too) whose ``grad`` is not zero,
    with that gradient, so that backward can accumulate this pass separately.
    """
    earlier: dict[Value, float] = {}
    if root.grad:
        earlier[root] = root.grad
    if not root._parents:
        return [], earlier
    # An iterative depth-first search with two parallel stacks: the path being
    # explored, and for each node on it an iterator over the edges it has not
    # followed yet (None for a one-parent node, whose single edge is followed
    # at once: chains then allocate nothing per node). A node whose local
    # derivatives are all zero still receives its gradient from its consumers
    # but passes nothing on, so it is not put in the order.
    #
    # A fused neuron (`_LinearNode`) shares its edge segments: its weights with
    # every other call of the same neuron, its inputs with every neuron of
    # the layer call. Each segment is walked once per pass (`walked` holds the
    # ids of those already walked), not once per node: by then its parents
    # are visited and finished, since the graph has no cycles. A segment is
    # walked whole; following an edge whose local derivative is zero only
    # visits a node that then receives nothing.
    order: list[Value] = []
    visited: set[Value] = set()
    walked: set[int] = set()
    path: list[Value] = []
    pending: list[Iterator[Value] | None] = []
    next_node: Value | None = root
    while next_node is not None:
        while next_node is not None:  # go down from a node not seen before
            node = next_node
            next_node = None
            visited.add(node)
            parents, local = node._parents, node._locals
            if type(parents) is not tuple:  # one parent, stored bare
                if not local:
                    continue  # passes nothing back: not visited
                path.append(node)
                pending.append(None)
                parent: Value = parents  # type: ignore[assignment]
                if parent.grad:
                    earlier[parent] = parent.grad
                if parent._parents and parent not in visited:
                    next_node = parent
            elif type(node) is _LinearNode:
                if not local:
                    continue  # an inactive ReLU unit passes nothing back: not visited
                bias, inputs = node._bias, node._inputs
                fresh = [bias]  # and the segments this pass has not walked yet
                if id(parents) not in walked:
                    walked.add(id(parents))
                    fresh += parents
                if id(inputs) not in walked:
                    walked.add(id(inputs))
                    fresh += inputs
                elif len(fresh) == 1 and not bias._parents:
                    # Both segments walked and a leaf bias (the usual case from
                    # the second call of a layer on): finished at once.
                    if bias.grad:
                        earlier[bias] = bias.grad
                    order.append(node)
                    continue
                path.append(node)
                pending.append(iter(fresh))
            else:
                if not any(local):  # type: ignore[arg-type]
                    continue  # passes nothing back (an inactive ReLU unit): not visited
                path.append(node)
                pending.append(compress(parents, local))  # type: ignore[arg-type]
        while path:  # go back up to the deepest node with an edge left to follow
            edges = pending[-1]
            if edges is not None:
                for parent in edges:  # the parents whose local derivative is not zero
                    if parent.grad:
                        earlier[parent] = parent.grad
                    if parent._parents and parent not in visited:
                        next_node = parent
                        break
                if next_node is not None:
                    break
            pending.pop()  # every edge followed: the node is finished
            order.append(path.pop())
    order.reverse()
    return order, earlier


def _local_values(node: Value) -> Sequence[Any]:
    """The local derivatives of ``node`` as expressions over its parents.

    Used for higher-order derivatives: re-running the primitive's rules on
    the parent Values (rather than reusing the recorded floats) records how
    the local derivatives themselves depend on the inputs.
    """
    op = node._op
    if op is None or op.linear:
        return node.local_grads
    if isinstance(op, _Bound):
        args = op.args
        positions = [i for i, a in enumerate(args) if isinstance(a, Value)]
        if op.prim.partials:
            return [op.prim.partials[i](*args, node) for i in positions]
        derivs = op.prim.derivatives(args, node)
        return [derivs[i] for i in positions]
    return op.derivatives(node.parents, node)


def gradients(root: Value, wrt: Sequence[Value], *, create_graph: bool = False) -> list[Any]:
    """d(root)/d(x) for each ``x`` in ``wrt``, without touching any ``.grad``.

    With ``create_graph=False`` the results are floats. With
    ``create_graph=True`` they are Values recorded as a graph of their own (the
    backward pass itself is differentiated), so they can be differentiated
    again: this is what makes `autograd_mini.grad` compose to any order.
    A node that ``root`` does not depend on gets 0.0.
    """
    if not isinstance(root, Value):
        raise TypeError(f"gradients: root must be a Value, got {type(root).__name__} {root!r}")
    for x in wrt:
        if not isinstance(x, Value):
            raise TypeError(f"gradients: wrt must hold Values, got {type(x).__name__} {x!r}")
    acc: dict[Value, Any] = {root: 1.0}
    if create_graph:
        # Every edge is followed: a local derivative that is 0 here may still
        # have a non-zero derivative of its own (d(x*y)/dx = y at y = 0).
        with set_grad_enabled(True):
            for node in topological_order(root):
                g = acc.pop(node, None)
                if g is None:
                    continue
                for parent, local in zip(node.parents, _local_values(node)):
                    term = local * g
                    prev = acc.get(parent)
                    acc[parent] = term if prev is None else prev + term
                acc[node] = g
    else:
        for node in _backward_plan(root)[0]:
            g = acc.get(node)
            if g is None:
                continue
            for parent, local in _edges(node):
                acc[parent] = acc.get(parent, 0.0) + local * g
    return [acc.get(x, 0.0) for x in wrt]


from autograd_mini import ops as _ops  # noqa: E402  (the table refers back to Value)
