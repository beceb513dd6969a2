"""Generate the computation-graph pictures of docs/graphs.md from the real code.

Usage::

    python docs/figures/make_graphs.py [OUTDIR]

OUTDIR defaults to ``docs/img``. Writes:

* ``expression.svg``: ``x*x * sin(y)`` at x = 2, y = 0.5, parsed by the same
  parser as ``autograd-mini graph`` (two edges from ``x`` into the first ``*``);
* ``neuron.svg``: a tanh neuron built one operation at a time (micrograd's);
* ``neuron_dot.svg``: the same neuron with the fused ``autograd_mini.dot`` node;
* ``two_node.svg``: the cost of the two-node network of the backprop lesson,
  whose z1 and z2 gradients are the deltas delta1 and delta2, drawn top to
  bottom with stacked boxes so that it is read at the page's width, not shrunk
  (`DRAW_OPTIONS`).

Needs the ``viz`` extra and Graphviz's ``dot`` executable.
"""

from __future__ import annotations

import sys
from pathlib import Path

from autograd_mini import Value, dot
from autograd_mini.expr import parse_expression
from autograd_mini.viz import save_graph

DEFAULT_OUTDIR = Path(__file__).resolve().parent.parent / "img"


def expression() -> Value:
    """``x*x * sin(y)`` at x = 2, y = 0.5, after backward."""
    inputs = {"x": Value(2.0, label="x"), "y": Value(0.5, label="y")}
    result = parse_expression("x*x * sin(y)").evaluate(inputs)
    if not isinstance(result, Value):  # pragma: no cover - the inputs are Values
        raise TypeError("expected a Value")
    result.backward()
    return result


def _neuron_inputs() -> tuple[list[Value], list[Value], Value]:
    w = [Value(-3.0, label="w1"), Value(1.0, label="w2")]
    x = [Value(2.0, label="x1"), Value(0.0, label="x2")]
    b = Value(6.8813735870195432, label="b")
    return w, x, b


def neuron() -> Value:
    """o = tanh(x1·w1 + x2·w2 + b), one node per operation, after backward."""
    (w1, w2), (x1, x2), b = _neuron_inputs()
    x1w1 = x1 * w1
    x1w1.label = "x1·w1"
    x2w2 = x2 * w2
    x2w2.label = "x2·w2"
    n = x1w1 + x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o


def neuron_dot() -> Value:
    """The same neuron with the weighted sum as one fused ``dot`` node."""
    w, x, b = _neuron_inputs()
    n = dot(w, x, b)
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o


def two_node() -> Value:
    """The cost J of the two-node network (squared cost), after backward."""
    from autograd_mini.two_node import TwoNodeNetwork

    net = TwoNodeNetwork(0.8, -0.2, -1.2, 0.3, cost="squared")
    cost = net.cost(1.5, 1.0)
    cost.backward()
    return cost


DRAW_OPTIONS: dict[str, dict[str, object]] = {
    "two_node.svg": {"rankdir": "TB", "stacked": True},
}
"""draw_graph options per figure (the others use the defaults)."""

FIGURES = {
    "expression.svg": expression,
    "neuron.svg": neuron,
    "neuron_dot.svg": neuron_dot,
    "two_node.svg": two_node,
}
"""File name -> function building the graph to draw."""


def main(argv: list[str]) -> int:
    """Write every figure into ``argv[0]`` (default docs/img); returns the exit code."""
    if len(argv) > 1:
        print("usage: make_graphs.py [OUTDIR]", file=sys.stderr)
        return 2
    outdir = Path(argv[0]) if argv else DEFAULT_OUTDIR
    outdir.mkdir(parents=True, exist_ok=True)
    for name, build in FIGURES.items():
        path = save_graph(build(), outdir / name, **DRAW_OPTIONS.get(name, {}))
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
