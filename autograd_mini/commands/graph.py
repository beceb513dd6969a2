"""``autograd-mini graph``: evaluate an expression, print its gradients, draw its graph.

For example:

```bash
autograd-mini graph "tanh(w*x + b)" --at w=-2 x=1.5 b=0.5 -o neuron.svg
```

The expression is read by `autograd_mini.expr.parse_expression` (an
allow-list checked on the `ast`; never ``eval``). Each variable becomes a
`Value` labelled with its name; the command runs ``backward()``, prints the
value and d(expression)/d(variable) for each variable, and writes the drawing
with `autograd_mini.viz.save_graph`. The format comes from the extension of
``-o`` (svg, png, pdf, dot); without ``-o`` it writes ``graph.svg`` in the
current directory. DOT output needs only the graphviz Python package (the `viz` extra),
not Graphviz's `dot` program; SVG, PNG and PDF need both.

Exit status: 0 on success; 2 for a bad expression, a bad ``--at`` value or a
bad option (nothing is written); 1 when the drawing cannot be written (for
example Graphviz's ``dot`` is missing: the values and gradients are printed
first).
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autograd_mini.engine import Value
from autograd_mini.expr import ExpressionError, parse_expression
from autograd_mini.viz import GRAPH_FORMATS, RANKDIRS, GraphvizNotFoundError, save_graph

__all__ = ["add_parser", "run", "DEFAULT_OUTPUT", "parse_assignment"]

DEFAULT_OUTPUT = "graph.svg"
"""Where the drawing goes when ``-o`` is not given."""

_PROG = "autograd-mini graph"


def parse_assignment(text: str) -> tuple[str, float]:
    """Parse one ``--at`` item, ``NAME=VALUE``, into a name and a finite float.

    Args:
        text: the item as typed, e.g. ``"w=-2"`` or ``"x=1.5e-3"``.

    Returns:
        ``(name, value)``.

    Raises:
        ValueError: the item is not ``NAME=VALUE``, the name is not an
            identifier, or the value is not a finite real number.
    """
    name, sep, value_text = text.partition("=")
    name = name.strip()
    if not sep:
        raise ValueError(f"expected NAME=VALUE (e.g. x=1.5), got {text!r}")
    if not name.isidentifier():
        raise ValueError(f"{name!r} in {text!r} is not a valid variable name")
    try:
        value = float(value_text)
    except ValueError:
        raise ValueError(
            f"the value of {name!r} must be a number, got {value_text.strip()!r}"
        ) from None
    if not math.isfinite(value):
        raise ValueError(f"the value of {name!r} must be a finite number, got {value_text!r}")
    return name, value


def _assignment(text: str) -> tuple[str, float]:
    try:
        return parse_assignment(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _precision(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= value <= 17:
        raise argparse.ArgumentTypeError(f"expected 0 to 17 decimals, got {value}")
    return value


def _max_nodes(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value}")
    return value


class _GraphParser(argparse.ArgumentParser):
    """The ``graph`` parser: an expression may start with a minus (``"-x*y"``).

    argparse takes any argument starting with ``-`` for an option. Before
    parsing, the first argument that starts with ``-``, is not one of this
    parser's options nor a prefix of one (``-o``, ``-h``, ``--max``) and
    reads as an expression (`parse_expression` accepts it) is marked as the
    positional EXPR. ``-ofile.svg`` stays ``-o file.svg``, since it is no
    expression; an expression that is also an option (``-o``, ``-h``) is
    the option: write ``"- o"`` or ``"(-o)"``.
    """

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if args is None:
            args = sys.argv[1:]
        return super().parse_known_args(_protect_expression(list(args), self), namespace)


def _protect_expression(args: list[str], parser: argparse.ArgumentParser) -> list[str]:
    """``args`` with a leading-minus expression made unmistakably positional."""
    options = set(parser._option_string_actions)
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if not arg.startswith("-") or any(o.startswith(arg.split("=")[0]) for o in options):
            continue  # not a minus, or an option (argparse accepts --long prefixes)
        try:
            parse_expression(arg)
        except (ExpressionError, TypeError):
            continue
        # argparse treats an argument whose first character is not "-" as a
        # positional: a leading space does that, and the parser strips it.
        return [*args[:i], " " + arg, *args[i + 1 :]]
    return args


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the ``graph`` sub-command on ``subparsers``.

    Args:
        subparsers: the object returned by ``ArgumentParser.add_subparsers()``.

    Returns:
        The sub-command's parser.
    """
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "graph",
        help="evaluate an expression, print its gradients and draw its computation graph",
        description="Evaluate EXPR (Python syntax: numbers, variables, + - * / **, unary -, "
        "and the functions relu tanh sigmoid exp log sqrt sin cos abs) at the values given "
        "with --at, print its value and its gradient with respect to each variable, and "
        "draw its computation graph with Graphviz. The expression is checked against an "
        "allow-list, never evaluated as Python code.",
        epilog='example: autograd-mini graph "tanh(w*x + b)" --at w=-2 x=1.5 b=0.5 '
        "-o neuron.svg   (put EXPR before --at; quote it for the shell; an EXPR may "
        'start with a minus: "-x*y")',
    )
    parser.__class__ = _GraphParser  # subparsers.add_parser takes no per-parser class
    parser.add_argument("expression", metavar="EXPR", help='the expression, e.g. "x**2 * sin(y)"')
    parser.add_argument(
        "--at",
        dest="at",
        metavar="NAME=VALUE",
        nargs="+",
        action="extend",
        type=_assignment,
        default=[],
        help="the value of each variable, e.g. --at x=1.5 w=-2",
    )
    parser.add_argument(
        "-o",
        "--output",
        default=DEFAULT_OUTPUT,
        metavar="FILE",
        help=f"where to write the drawing; the extension picks the format "
        f"({', '.join(GRAPH_FORMATS)}; .dot needs only the graphviz Python package, the "
        f"others also Graphviz's dot program). Default: {DEFAULT_OUTPUT}",
    )
    parser.add_argument(
        "--rankdir",
        choices=RANKDIRS,
        default="LR",
        help="layout direction (default LR: inputs left, result right)",
    )
    parser.add_argument(
        "--precision",
        type=_precision,
        default=4,
        metavar="N",
        help="decimals shown in the drawing (default 4)",
    )
    parser.add_argument(
        "--no-grad", action="store_true", help="do not show gradients in the drawing"
    )
    parser.add_argument(
        "--no-local-grads",
        action="store_true",
        help="do not label edges with local derivatives",
    )
    parser.add_argument(
        "--max-nodes",
        type=_max_nodes,
        default=500,
        metavar="N",
        help="refuse to draw graphs with more values than this (default 500)",
    )
    parser.set_defaults(run=run)
    return parser


def _count_values(root: Value) -> int:
    """How many Values the graph of ``root`` has (an iterative walk)."""
    seen = {id(root)}
    stack = [root]
    while stack:
        for parent in stack.pop().parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    return len(seen)


def _fail(message: str, code: int = 2) -> int:
    print(f"{_PROG}: error: {message}", file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    """Run ``autograd-mini graph`` with parsed arguments.

    Args:
        args: the namespace built by the parser from `add_parser`.

    Returns:
        0 on success, 2 for bad input, 1 when the drawing cannot be written.
    """
    output = Path(args.output)
    if output.suffix[1:].lower() not in GRAPH_FORMATS:
        return _fail(
            f"cannot tell the drawing's format from {args.output!r}: use a file name ending in "
            + ", ".join("." + f for f in GRAPH_FORMATS)
        )
    try:
        expression = parse_expression(args.expression)
    except ExpressionError as exc:
        return _fail(str(exc))

    given: dict[str, float] = {}
    for name, value in args.at:
        if name in given:
            return _fail(f"--at gives {name!r} twice")
        given[name] = value
    unknown = [name for name in given if name not in expression.variables]
    if unknown:
        uses = ", ".join(expression.variables) or "no variables"
        return _fail(
            f"--at gives {', '.join(map(repr, unknown))}, which the expression does not use "
            f"(it uses {uses})"
        )
    if not expression.variables:
        return _fail(
            "the expression has no variables, so there is nothing to differentiate; "
            "use names such as x and give their values with --at x=..."
        )
    missing = [name for name in expression.variables if name not in given]
    if missing:
        example = " ".join(f"{name}=1.0" for name in missing)
        return _fail(
            f"no value for {', '.join(map(repr, missing))}: add --at {example} (with your values)"
        )

    inputs = {name: Value(given[name], label=name) for name in expression.variables}
    try:
        result = expression.evaluate(inputs)
    except ExpressionError as exc:
        return _fail(str(exc))
    if not isinstance(result, Value):  # pragma: no cover - every variable is a Value
        return _fail("the expression does not depend on its variables")
    result.backward()

    print(f"{expression.text} = {result.data!r}")
    print("gradients:")
    for name, value in inputs.items():
        print(f"  d/d{name} = {value.grad!r}")

    try:
        written = save_graph(
            result,
            output,
            rankdir=args.rankdir,
            show_grad=not args.no_grad,
            show_local_grads=not args.no_local_grads,
            max_nodes=args.max_nodes,
            float_format=f".{args.precision}f",
        )
    except ValueError as exc:  # more values than --max-nodes
        needed = _count_values(result)
        return _fail(
            f"{exc}\n(on the command line: --max-nodes {needed}; the values and gradients "
            "above are complete)"
        )
    except GraphvizNotFoundError as exc:
        dot_name = output.with_suffix(".dot")
        return _fail(f"{exc}\nThe value and gradients above are complete; for a drawing "
                     f"without Graphviz use -o {dot_name}", 1)
    except ImportError as exc:
        return _fail(str(exc), 1)
    except OSError as exc:
        return _fail(f"cannot write {str(output)!r}: {exc.strerror or exc}", 1)
    print(f"wrote {written}")
    return 0
