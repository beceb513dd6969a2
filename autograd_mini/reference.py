"""Reverse-mode automatic differentiation in one page: read this first.

A `Value` holds a number (``data``), the derivative of the final result with
respect to it (``grad``), and the ``edges`` it was computed from: for each
parent, the local derivative d(self)/d(parent), recorded at forward time.
Every operation comes from the engine's table of primitives
(`autograd_mini.engine.PRIMITIVES`): a forward function on floats and its
local derivatives. `backward` visits the nodes from the result towards the
inputs, each node before its parents, and applies the chain rule:

    parent.grad += local * node.grad

The real engine (`autograd_mini.engine`) is this page plus checks, speed and
conveniences; the tests run random programs through both and require the same
values and gradients, bit for bit.
"""

from __future__ import annotations

from autograd_mini.engine import ADD, DIV, MUL, NEG, POW, SUB, Primitive


class Value:
    """A number that remembers how it was computed."""

    def __init__(self, data: float, edges: tuple[tuple[Value, float], ...] = ()) -> None:
        self.data = float(data)
        self.grad = 0.0
        self.edges = edges  # ((parent, d self / d parent), ...)

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"

    def __add__(self, other: Value | float) -> Value:
        return apply(ADD, self, other)

    def __radd__(self, other: float) -> Value:
        return apply(ADD, other, self)

    def __sub__(self, other: Value | float) -> Value:
        return apply(SUB, self, other)

    def __rsub__(self, other: float) -> Value:
        return apply(SUB, other, self)

    def __mul__(self, other: Value | float) -> Value:
        return apply(MUL, self, other)

    def __rmul__(self, other: float) -> Value:
        return apply(MUL, other, self)

    def __truediv__(self, other: Value | float) -> Value:
        return apply(DIV, self, other)

    def __rtruediv__(self, other: float) -> Value:
        return apply(DIV, other, self)

    def __pow__(self, other: Value | float) -> Value:
        return apply(POW, self, other)

    def __neg__(self) -> Value:
        return apply(NEG, self)

    def backward(self) -> None:
        """Fill ``grad`` of every node this one depends on with d(self)/d(node)."""
        self.grad = 1.0
        for node in topological_order(self):
            for parent, local in node.edges:
                parent.grad += local * node.grad


def apply(prim: Primitive, *args: Value | float) -> Value:
    """Run ``prim`` on floats, and record its local derivatives for the Value arguments."""
    xs = [a.data if isinstance(a, Value) else float(a) for a in args]
    out = prim.forward(*xs)
    locals_ = prim.derivatives(xs, out)
    edges = tuple((a, d) for a, d in zip(args, locals_) if isinstance(a, Value))
    return Value(out, edges)


def topological_order(root: Value) -> list[Value]:
    """Every node reachable from ``root``, each before its parents (no recursion).

    Depth first: a node is finished once all of its parents are; the finished
    list, reversed, starts at the root and ends at the inputs.
    """
    finished: list[Value] = []
    visited = {id(root)}
    stack = [(root, iter(root.edges))]
    while stack:
        node, edges = stack[-1]
        for parent, _ in edges:
            if id(parent) not in visited:
                visited.add(id(parent))
                stack.append((parent, iter(parent.edges)))
                break
        else:  # every parent is finished: so is this node
            stack.pop()
            finished.append(node)
    return finished[::-1]
