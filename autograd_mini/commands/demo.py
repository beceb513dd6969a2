"""``autograd-mini demo``: the two-node network, engine gradients against hand formulas.

Takes a few gradient-descent steps on one training example with
`autograd_mini.two_node.TwoNodeNetwork`. At every step it prints the
gradients that ``J.backward()`` computed next to the ones from the
hand-derived backprop formulas, with their difference, then the cost after
each step. ``--graph FILE`` also writes the computation graph of the first
step's cost (values, gradients and the z1/a1/z2/ŷ names) with
`autograd_mini.viz.save_graph`. ``--show-jit`` prints the Python that
`autograd_mini.jit` generates for the cost (`TwoNodeNetwork.jit_cost`) instead.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

from autograd_mini.two_node import COSTS, TwoNodeNetwork

__all__ = ["add_parser", "run", "DEFAULTS", "GRAPH_FORMATS"]

DEFAULTS: dict[str, Any] = {
    "x": 1.5,
    "y": 1.0,
    "w1": 0.8,
    "b1": -0.2,
    "w2": -1.2,
    "b2": 0.3,
    "cost": "squared",
    "lr": 2.0,
    "steps": 3,
}
"""The lesson's default example: ŷ starts near 0.36 for a target of 1."""

GRAPH_FORMATS: tuple[str, ...] = (".svg", ".png", ".pdf", ".dot")
"""File extensions accepted by ``--graph``."""

MAX_STEPS = 1000
"""The largest ``--steps`` accepted (each step prints a table)."""

AGREEMENT_RTOL = 1e-9
"""Engine and hand formula agree when |difference| <= rtol·max(|hand|, 1e-6)."""

_COST_FORMULAS = {
    "squared": "J = ½(ŷ − y)²",
    "cross_entropy": "J = −[y log ŷ + (1 − y) log(1 − ŷ)]",
}
_DELTA2_FORMULAS = {
    "squared": "delta2 = (ŷ − y)·ŷ(1 − ŷ)",
    "cross_entropy": "delta2 = ŷ − y",
}


# --------------------------------------------------------------------------- arguments


def _finite_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a real number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def _positive_float(text: str) -> float:
    value = _finite_float(text)
    if value <= 0.0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _step_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 1 <= value <= MAX_STEPS:
        raise argparse.ArgumentTypeError(f"expected 1 to {MAX_STEPS} steps, got {text!r}")
    return value


_DESCRIPTION = """\
Train the two-node network of the backprop lesson on one example and check the
engine's gradients against the hand-derived formulas, step by step:

  z1 = w1·x + b1   a1 = σ(z1)   z2 = w2·a1 + b2   ŷ = σ(z2)   J = cost(y, ŷ)

  delta2 = dJ/dz2      dJ/dw2 = delta2·a1   dJ/db2 = delta2
  delta1 = delta2·w2·σ'(z1)   dJ/dw1 = delta1·x   dJ/db1 = delta1

The engine's delta2 and delta1 are z2.grad and z1.grad after J.backward().
Each step prints engine | hand formula | |difference|, then one
gradient-descent update p ← p − lr·dJ/dp; the cost after each step follows.
"""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``demo`` sub-command to the ``autograd-mini`` parser.

    Args:
        subparsers: the object returned by ``ArgumentParser.add_subparsers``.

    Returns:
        The new sub-parser (its default ``run`` is `run`).
    """
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "demo",
        help="the two-node backprop lesson: engine gradients vs hand formulas",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    d = DEFAULTS
    example = parser.add_argument_group("the training example")
    example.add_argument("--x", type=_finite_float, default=d["x"], metavar="X",
                         help="the input x (default: %(default)s)")
    example.add_argument("--y", type=_finite_float, default=d["y"], metavar="Y",
                         help="the target y, in [0, 1] for --cost cross_entropy "
                         "(default: %(default)s)")
    params = parser.add_argument_group("initial parameters")
    params.add_argument("--w1", type=_finite_float, default=d["w1"], metavar="W1",
                        help="weight of the hidden node (default: %(default)s)")
    params.add_argument("--b1", type=_finite_float, default=d["b1"], metavar="B1",
                        help="bias of the hidden node (default: %(default)s)")
    params.add_argument("--w2", type=_finite_float, default=d["w2"], metavar="W2",
                        help="weight of the output node (default: %(default)s)")
    params.add_argument("--b2", type=_finite_float, default=d["b2"], metavar="B2",
                        help="bias of the output node (default: %(default)s)")
    training = parser.add_argument_group("training")
    training.add_argument("--cost", choices=COSTS, default=d["cost"],
                          help="squared: J = ½(ŷ − y)²; cross_entropy: "
                          "J = −[y log ŷ + (1 − y) log(1 − ŷ)] (default: %(default)s)")
    training.add_argument("--lr", type=_positive_float, default=d["lr"], metavar="LR",
                          help="learning rate of gradient descent, > 0 (default: %(default)s)")
    training.add_argument("--steps", type=_step_count, default=d["steps"], metavar="N",
                          help=f"gradient-descent steps, 1 to {MAX_STEPS} (default: %(default)s)")
    parser.add_argument("--graph", metavar="FILE", default=None,
                        help="also write the first step's computation graph of J to FILE; "
                        "the format comes from the extension: "
                        f"{', '.join(GRAPH_FORMATS)}. Every format needs the graphviz "
                        "Python package (the viz extra); .svg, .png and .pdf also need "
                        "Graphviz's dot program. Checked before the demo starts.")
    parser.add_argument("--show-jit", action="store_true",
                        help="print the Python that autograd_mini.jit generates for the cost "
                        "(forward pass, then backward pass, with the lesson's names) "
                        "instead of training")
    parser.set_defaults(run=run)
    return parser


# --------------------------------------------------------------------------- output


def _error(message: str) -> None:
    print(f"autograd-mini demo: error: {message}", file=sys.stderr)


def _fmt_difference(diff: float) -> str:
    return "0" if diff == 0.0 else f"{diff:.1e}"


def _table(rows: list[tuple[str, float, float]]) -> tuple[list[str], float]:
    """Format rows of (quantity, engine, hand); return the lines and the worst scaled error."""
    headers = ("quantity", "engine (backward)", "hand formula", "|difference|")
    cells = [
        (name, f"{engine:+.15f}", f"{hand:+.15f}", _fmt_difference(abs(engine - hand)))
        for name, engine, hand in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    lines = ["  " + "  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines.append("  " + "  ".join("─" * w for w in widths))
    for c in cells:
        lines.append("  " + "  ".join(c[i].ljust(widths[i]) for i in range(4)).rstrip())
    worst = max(abs(e - h) / max(abs(h), 1e-6) for _, e, h in rows)
    return lines, worst


# --------------------------------------------------------------------------- run


def run(args: argparse.Namespace) -> int:
    """Run the demo with parsed arguments; returns the exit code.

    Returns:
        0 when every engine gradient matches its hand formula; 1 when one does
        not, or when writing the ``--graph`` file fails; 2 for bad arguments,
        checked before any output (for example y outside [0, 1] with the
        cross-entropy cost, an unsupported ``--graph`` extension or directory,
        or a ``--graph`` format that needs Graphviz's ``dot`` or the ``viz``
        extra when they are missing: the message gives the one-line fix).
    """
    graph_path: Path | None = None
    if args.graph is not None:
        graph_path = Path(args.graph)
        if graph_path.suffix.lower() not in GRAPH_FORMATS:
            _error(
                f"--graph {args.graph!r}: unsupported extension {graph_path.suffix!r}; "
                f"use one of {', '.join(GRAPH_FORMATS)}"
            )
            return 2
        if not graph_path.parent.is_dir():
            _error(f"--graph {args.graph!r}: directory {str(graph_path.parent)!r} does not exist")
            return 2
        problem = _graph_problem(graph_path)
        if problem:
            _error(problem)
            return 2

    try:
        net = TwoNodeNetwork(args.w1, args.b1, args.w2, args.b2, cost=args.cost)
        net.trace(args.x, args.y)  # validates x and y before anything is printed
    except (TypeError, ValueError, OverflowError) as exc:
        _error(str(exc))
        return 2

    if args.show_jit:
        print(_jit_code(net, args.x, args.y), end="")
        return 0

    print("The two-node network of the backprop lesson")
    print("  z1 = w1·x + b1   a1 = σ(z1)   z2 = w2·a1 + b2   ŷ = σ(z2)")
    print(f"  cost: {args.cost}, {_COST_FORMULAS[args.cost]}, so {_DELTA2_FORMULAS[args.cost]}")
    print(f"  example: x = {args.x:g}, y = {args.y:g};  learning rate {args.lr:g}, "
          f"{args.steps} step{'s' if args.steps != 1 else ''}")
    print("  engine: J.backward(), with delta2 = z2.grad and delta1 = z1.grad")

    costs: list[float] = []
    worst = 0.0
    for step in range(1, args.steps + 1):
        net.zero_grad()
        fwd = net.trace(args.x, args.y)
        fwd.J.backward()
        hand = net.hand_gradients(args.x, args.y)
        costs.append(fwd.J.data)
        print()
        print(f"step {step}: w1 = {net.w1.data:+.6f}  b1 = {net.b1.data:+.6f}  "
              f"w2 = {net.w2.data:+.6f}  b2 = {net.b2.data:+.6f}")
        print(f"  forward: z1 = {fwd.z1.data:+.6f}  a1 = {fwd.a1.data:.6f}  "
              f"z2 = {fwd.z2.data:+.6f}  ŷ = {fwd.y_hat.data:.6f}  J = {fwd.J.data:.6f}")
        rows = [  # in the order back-propagation computes them: output first
            ("delta2 = dJ/dz2", fwd.z2.grad, hand["delta2"]),
            ("dJ/dw2", net.w2.grad, hand["dJ_dw2"]),
            ("dJ/db2", net.b2.grad, hand["dJ_db2"]),
            ("delta1 = dJ/dz1", fwd.z1.grad, hand["delta1"]),
            ("dJ/dw1", net.w1.grad, hand["dJ_dw1"]),
            ("dJ/db1", net.b1.grad, hand["dJ_db1"]),
        ]
        lines, step_worst = _table(rows)
        worst = max(worst, step_worst)
        print("\n".join(lines))

        if step == 1 and graph_path is not None:
            code = _write_graph(fwd.J, graph_path)
            if code:
                return code
            print(f"  computation graph of J written to {graph_path}")

        try:
            net.step(args.lr)
        except OverflowError as exc:
            _error(f"{exc} (try a smaller --lr)")
            return 2

    final = net.cost(args.x, args.y).data
    costs.append(final)
    print()
    print("cost J after each gradient-descent step")
    for i, c in enumerate(costs):
        change = "" if i == 0 else f"   ({c - costs[i - 1]:+.6f})"
        label = "start" if i == 0 else f"step {i}"
        print(f"  {label:>7}  J = {c:.6f}{change}")
    trend = "down" if final < costs[0] else "not down (try a smaller --lr)"
    print(f"  J went {trend}: {costs[0]:.6f} → {final:.6f}")

    print()
    if worst <= AGREEMENT_RTOL:
        print(f"engine and hand formulas agree at every step "
              f"(largest relative difference {_fmt_difference(worst)})")
        return 0
    print(f"MISMATCH: engine and hand formulas differ (largest relative difference "
          f"{worst:.1e} > {AGREEMENT_RTOL:g})")
    return 1


def _jit_code(net: TwoNodeNetwork, x: float, y: float) -> str:
    """The generated code of the network's cost, compiled by `TwoNodeNetwork.jit_cost`."""
    f = net.jit_cost()
    f(x, y)  # the first call traces and compiles
    return (f"# The cost J of the two-node network ({net.cost_name}), compiled by "
            "autograd_mini.jit.\n# backward: g_z2 is delta2 = dJ/dz2, g_z1 is delta1 = dJ/dz1; "
            "g_p is dJ/dp.\n\n" + f.source)


def _graph_problem(path: Path) -> str | None:
    """What stops ``--graph PATH`` on this machine, as a one-line fix; None if nothing."""
    try:
        from autograd_mini.viz import GraphvizNotFoundError, check_can_save
    except ImportError as exc:  # pragma: no cover - viz imports graphviz lazily
        return f"--graph needs the drawing support: {exc}"
    try:
        check_can_save(path)
    except ImportError:
        return (f"--graph {str(path)!r} needs the graphviz Python package: "
                "pip install 'autograd-mini[viz]'")
    except GraphvizNotFoundError:
        return (f"--graph {str(path)!r} needs Graphviz's dot program: install Graphviz "
                "(sudo apt-get install graphviz, or brew install graphviz), or write "
                f"DOT source instead: --graph {path.with_suffix('.dot')}")
    return None


def _write_graph(root: Any, path: Path) -> int:
    """Write the graph of ``root`` with `autograd_mini.viz.save_graph`; 0 or an exit code."""
    try:
        from autograd_mini.viz import GraphvizNotFoundError, save_graph
    except ImportError as exc:
        _error(f"--graph needs the drawing support: {exc}")
        return 1
    try:
        save_graph(root, path, rankdir="TB", stacked=True)  # readable at a page's width
    except GraphvizNotFoundError as exc:
        _error(f"--graph {str(path)!r}: {exc}")
        return 1
    except ImportError as exc:
        _error(f"--graph: {exc}")
        return 1
    except OSError as exc:
        _error(f"--graph {str(path)!r}: cannot write the file: {exc}")
        return 1
    return 0
