"""Tracing: run the user's function once on Values and keep the graph it records.

The function runs on the ordinary engine. While it runs, the engine makes its
nodes of a class private to this trace (so they can be told apart from every
Value that existed before), keeps the numbers each operation was given, and
reports every leaf the function makes. Afterwards `trace` walks the graph
from the outputs back to its inputs and returns a `Graph`: the inputs (the
arguments, then the Values the function reached from outside), the constants
it made, and the operations in the order backward visits them.

Python-level decisions on values (``if v.data > 0``, ``float(v)``,
``v.item()``) are frozen at trace time, as in ``jax.jit`` and
``torch.jit.trace``: such reads in user code emit a `TraceWarning`.
"""

from __future__ import annotations

import numbers
import sys
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import chain, repeat
from types import FrameType
from typing import Any

from autograd_mini.checks import describe
from autograd_mini.engine import _TRACE, Bound, Primitive, Value
from autograd_mini.grad_mode import enable_grad

__all__ = ["TraceWarning", "Graph", "Op", "trace", "flatten", "unflatten"]


class TraceWarning(UserWarning):
    """A traced function read a value in Python: the decision it made is frozen.

    ``jit`` runs the function once and replays the operations it recorded.
    A Python ``if`` on ``v.data``, a ``float(v)`` or ``v.item()`` inside the
    function is evaluated at trace time only; later calls replay the branch
    taken then. Branches inside operations (``relu``, ``abs``, the stable
    sigmoid) are not affected: they are evaluated at every call.
    """


_DATA: Any = Value.__dict__["data"]  # the slot that holds a Value's number


def _library_frame(frame: FrameType) -> bool:
    name = frame.f_globals.get("__name__", "")
    return bool(name == "autograd_mini" or name.startswith("autograd_mini."))


def _note_read(what: str) -> None:
    """Warn (once per place) when user code reads a traced value during a trace."""
    trace = _TRACE.get()
    if trace is None:
        return
    frame = sys._getframe(2)  # the reader: _note_read <- data/float/item <- reader
    if not _library_frame(frame):
        trace.warn_read(frame, what)


class Traced(Value):
    """A node recorded during a trace: reading its number from user code warns."""

    __slots__ = ()

    @property
    def data(self) -> float:
        _note_read(".data")
        return _DATA.__get__(self)  # type: ignore[no-any-return]

    @data.setter
    def data(self, value: float) -> None:
        _DATA.__set__(self, value)

    def __float__(self) -> float:
        _note_read("float()")
        return _DATA.__get__(self)  # type: ignore[no-any-return]

    def item(self) -> float:
        """The number (PyTorch's spelling); reading it while tracing warns."""
        _note_read(".item()")
        return _DATA.__get__(self)  # type: ignore[no-any-return]


@dataclass(slots=True)
class Op:
    """One recorded operation: ``out = prim(*args)``.

    ``args`` holds, in argument order, Values (parents) and plain numbers
    (constants the operation was given, e.g. the 3 of ``x ** 3``).
    """

    out: Value
    prim: Primitive
    args: tuple[Any, ...]
    stop: bool = False  # computed under no_grad: replayed, but passes no gradient


@dataclass
class Graph:
    """What a trace recorded, ready for code generation.

    Attributes:
        inputs: the Values read at every call: one per number or Value
            argument (flattened), then the Values reached from outside.
        n_args: how many of ``inputs`` are arguments.
        constants: leaves the function made from numbers, with their values.
        ops: the operations in backward's order reversed (each after the
            operations it reads): the forward order.
        outputs: the output nodes (internal nodes, inputs or constants).
        aliases: ``Value(x)`` of an input ``x``, made while tracing, to ``x``.
    """

    inputs: list[Value]
    n_args: int
    constants: dict[Value, float]
    ops: list[Op]
    outputs: list[Value]
    aliases: dict[Value, Value] = field(default_factory=dict)


class _Trace:
    """The state the engine consults while a function is being traced."""

    def __init__(self) -> None:
        self.node_class: type[Value] = type("Traced", (Traced,), {"__slots__": ()})
        self.made: dict[Value, None] = {}
        self.aliases: dict[Value, Value] = {}
        self.stopped: set[Value] = set()
        self.warned: set[tuple[str, int]] = set()

    def new_leaf(self, leaf: Value, data: object) -> object:
        """Called by ``Value()``: note a leaf made inside the function."""
        if isinstance(data, Value):  # Value(x) of a traced argument: that argument
            self.aliases[leaf] = data
            return _DATA.__get__(data)
        self.made[leaf] = None
        return data

    def stop(self, node: Value) -> Value:
        """Called by `apply` under `no_grad`: ``node`` is replayed but passes no gradient."""
        self.stopped.add(node)
        return node

    def warn_read(self, frame: FrameType, what: str) -> None:
        where = (frame.f_code.co_filename, frame.f_lineno)
        if where in self.warned:
            return
        self.warned.add(where)
        warnings.warn_explicit(
            f"jit: {what} of a traced value is read in Python at trace time; a decision "
            "made on it is frozen into the compiled function (later calls replay this "
            "trace). Use Value operations (relu, abs, ...) for branches that must follow "
            "the inputs, or retrace with f.retrace().",
            TraceWarning,
            where[0],
            where[1],
        )


# --------------------------------------------------------------------------- structures


def flatten(tree: object, who: str) -> tuple[list[Any], object]:
    """The leaves of nested lists/tuples of numbers and Values, and their structure key.

    The key records every container's type and length and tells numbers
    (``"n"``) from Values (``"V"``): two calls with the same key replay the
    same trace.

    Raises:
        TypeError: a leaf is neither a number nor a Value.
    """
    leaves: list[Any] = []
    keep = leaves.extend

    def visit(x: object) -> object:
        if isinstance(x, (list, tuple)):
            kind = type(x)
            rows = set(map(type, x))  # the types of the items
            if rows <= _PLAIN:  # the common case: a row of numbers
                keep(x)
                return (kind, len(x))
            # A dataset (rows of numbers) in one step; the first row is checked first,
            # so that a tuple of such datasets is not flattened for nothing.
            if len(rows) == 1 and rows <= _ROWS and set(map(type, x[0])) <= _PLAIN:
                flat = list(chain.from_iterable(x))
                if set(map(type, flat)) <= _PLAIN:
                    keep(flat)
                    lengths = set(map(len, x))
                    if len(lengths) == 1:  # equal rows: a short key, quick to hash
                        return (kind, ("rows", rows.pop(), lengths.pop(), len(x)))
                    return (kind, tuple(zip(repeat(rows.pop()), map(len, x))))
            return (kind, tuple([visit(item) for item in x]))
        if isinstance(x, Value):
            leaves.append(x)
            return "V"
        if _is_number(x):
            leaves.append(x)
            return "n"
        raise TypeError(
            f"{who}: arguments must be numbers, Values, or lists/tuples of them; got "
            f"{describe(x)}"
        )

    return leaves, visit(tree)


_PLAIN = frozenset((float, int))
_ROWS = frozenset((list, tuple))


def unflatten(structure: object, leaves: Sequence[Any]) -> Any:
    """Rebuild nested lists/tuples from ``structure`` (see `flatten`) with ``leaves``."""
    it = iter(leaves)

    def build(s: object) -> Any:
        if isinstance(s, tuple):
            kind, items = s
            if isinstance(items, int):  # a row of numbers
                built = [next(it) for _ in range(items)]
            elif items and items[0] == "rows":  # equal rows of numbers
                _, row_kind, length, count = items
                built = [row_kind([next(it) for _ in range(length)]) for _ in range(count)]
            else:
                built = [build(item) for item in items]
            return built if kind is list else kind(built)
        return next(it)

    return build(structure)


def _is_number(x: object) -> bool:
    if isinstance(x, numbers.Real):
        return True
    dtype = getattr(x, "dtype", None)
    return getattr(dtype, "kind", "") in ("b", "i", "u", "f") and getattr(x, "ndim", 1) == 0


# --------------------------------------------------------------------------- trace


def trace(f: Callable[..., Any], args: Sequence[Any], who: str = "jit") -> tuple[Graph, Any]:
    """Run ``f(*args)`` once, recording, and return its `Graph` and its raw result.

    Every argument leaf reaches ``f`` as a fresh Value of its own (an input
    of the trace), numbers and Values alike.
    """
    leaves, structure = flatten(list(args), who)
    arg_values: list[Value] = []
    state = _Trace()
    # Every argument leaf, a Value included, gets a stand-in of its own: the
    # same Value passed twice is two inputs (each gets its share of the
    # gradient, as a later call with two different Values needs), and reading
    # a Value argument's .data warns like reading a number argument's.
    for leaf in leaves:
        v = Traced.__new__(state.node_class)
        if isinstance(leaf, Value):
            Value.__init__(v, _DATA.__get__(leaf), label=leaf.label)
        else:
            Value.__init__(v, float(leaf))
        arg_values.append(v)
    rebuilt = unflatten(structure, arg_values)
    token = _TRACE.set(state)
    try:
        with enable_grad():  # the graph is needed even when the caller is in no_grad
            result = f(*rebuilt)
    finally:
        _TRACE.reset(token)
    outputs = _outputs(result, who)
    return _graph(state, arg_values, outputs, who), result


def _outputs(result: object, who: str) -> list[Value]:
    if isinstance(result, Value):
        return [result]
    if isinstance(result, (list, tuple)) and result and all(isinstance(r, Value) for r in result):
        return list(result)
    raise TypeError(
        f"{who}: the function must return a Value or a non-empty list/tuple of Values "
        f"computed from its inputs; it returned {describe(result)}"
    )


def _graph(state: _Trace, arg_values: list[Value], outputs: list[Value], who: str) -> Graph:
    """Walk from the outputs to the inputs, as `engine.walk` does, stopping at inputs."""
    node_class = state.node_class
    args = {v: None for v in arg_values}  # arguments are inputs even when made here
    captured: dict[Value, None] = {}
    constants: dict[Value, float] = {}
    ops: list[Op] = []
    visited: set[Value] = set()

    def resolve(v: Value) -> Value:
        while v in state.aliases:
            v = state.aliases[v]
        return v

    def is_node(v: Value) -> bool:
        return type(v) is node_class and bool(v._parents) and v not in args

    def classify(v: Value) -> None:  # a leaf of the trace
        if v in args or v in captured or v in constants:
            return
        if v in state.made:
            if v._parents:
                raise TypeError(
                    f"{who}: the function builds a node micrograd's way (Value(data, "
                    f"_children, {v._op!r}) with a closure); jit cannot replay a closure. "
                    "Define the operation with autograd_mini.primitive instead."
                )
            constants[v] = _DATA.__get__(v)
        elif type(v) is node_class:  # a traced leaf: a number argument
            return
        else:
            captured[v] = None

    for out in outputs:
        root = resolve(out)
        if root in visited:
            continue
        visited.add(root)
        if not is_node(root):
            classify(root)
            continue
        stack = [(root, iter(root.parents))]
        while stack:
            node, parents = stack[-1]
            for parent in parents:
                parent = resolve(parent)
                if parent in visited:
                    continue
                visited.add(parent)
                if is_node(parent):
                    stack.append((parent, iter(parent.parents)))
                    break
                classify(parent)
            else:
                stack.pop()
                op = _op_of(node, resolve)
                op.stop = node in state.stopped
                ops.append(op)
    inputs = [*arg_values, *captured]
    return Graph(inputs, len(arg_values), constants, ops, [resolve(o) for o in outputs],
                 dict(state.aliases))


def _op_of(node: Value, resolve: Callable[[Value], Value]) -> Op:
    prim = node._prim
    if isinstance(prim, Bound):
        args = prim.args
        if not all(type(a) is float or (isinstance(a, Value) and resolve(a) is a) for a in args):
            args = tuple(resolve(a) if isinstance(a, Value) else float(a) for a in args)
        return Op(node, prim.prim, args)
    if not isinstance(prim, Primitive):  # record() always gives one: a broken invariant
        raise TypeError(f"jit: node {node!r} has no primitive to replay")
    parents = node.parents
    if any(resolve(p) is not p for p in parents):
        parents = tuple(map(resolve, parents))
    return Op(node, prim, parents)
