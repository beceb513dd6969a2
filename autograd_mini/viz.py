"""Drawing computation graphs with Graphviz.

`draw_graph` turns the graph behind a `Value` into a `graphviz.Digraph`;
`save_graph` writes it to a file (SVG, PNG, PDF, or DOT source).

The drawing, micrograd-style, has two kinds of nodes:

* one **value node** per `Value` (a small table: its label when it has one,
  its ``data`` and its ``grad``), and
* one small **op node** per operation (its ``op`` name: ``+``, ``*``,
  ``tanh``, ``dot``, ``sum``, or a user primitive's name), drawn between the
  operation's inputs and its result.

Every use of a parent is one edge into the op node, in argument order, so
``a * a`` shows two edges; each such edge is labelled with the local
derivative that backward multiplies by (``local_grads``). Leaves with a label
(inputs and parameters), unlabelled leaves (constants), intermediate results
and the root have different colours; the root also has a thick border.

The `graphviz` Python package is optional (``pip install 'autograd-mini[viz]'``)
and is imported only when a graph is drawn. Rendering to SVG, PNG or PDF also
needs Graphviz's ``dot`` executable; DOT source does not.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autograd_mini.checks import describe
from autograd_mini.engine import Value

if TYPE_CHECKING:  # pragma: no cover
    import graphviz

__all__ = [
    "draw_graph",
    "save_graph",
    "GraphvizNotFoundError",
    "GRAPH_FORMATS",
    "RANKDIRS",
    "COLORS",
]

GRAPH_FORMATS = ("svg", "png", "pdf", "dot")
"""File formats `save_graph` can write, chosen by the file's extension."""

RANKDIRS = ("LR", "RL", "TB", "BT")
"""Layout directions: left to right, right to left, top to bottom, bottom to top."""

COLORS = {
    "input": "#dbeafe",
    "constant": "#f3f4f6",
    "intermediate": "#ffffff",
    "root": "#fef3c7",
    "op": "#e5e7eb",
}
"""Fill colour of each kind of node (see the legend in the docs).

``input``: a leaf with a label (an input or a parameter); ``constant``: a leaf
without a label; ``intermediate``: a computed value; ``root``: the value the
graph was drawn from (also drawn with a thick border); ``op``: an operation.
"""

_ROOT_BORDER = "#b45309"
_INSTALL_VIZ = "pip install 'autograd-mini[viz]'"


class GraphvizNotFoundError(RuntimeError):
    """Graphviz's ``dot`` executable is needed to render a graph and is not installed."""


# --------------------------------------------------------------------------- helpers


def _import_graphviz() -> Any:
    try:
        import graphviz
    except ImportError as exc:
        raise ImportError(
            "drawing graphs needs the optional 'graphviz' Python package: "
            f"{_INSTALL_VIZ}"
        ) from exc
    return graphviz


def _escape(text: str) -> str:
    """Escape ``text`` for a Graphviz HTML-like label, so it shows as plain text.

    ``& < > " '`` become entities; backslashes are doubled (dot would
    otherwise expand ``\\N``, ``\\G``, ...); line breaks become ``<BR/>``; any other
    non-printable character (control characters, lone surrogates) is shown as
    its Python escape (``\\t``, ``\\x00``), never passed through.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out = []
    for line in lines:
        shown = "".join(
            c if c.isprintable() else c.encode("unicode_escape", "backslashreplace").decode("ascii")
            for c in line
        )
        # dot expands escapes such as \N (the node's name) even in HTML labels,
        # entities included; a doubled backslash shows as one backslash.
        out.append(html.escape(shown, quote=True).replace("\\", "\\\\"))
    return "<BR/>".join(out)


def _check_options(
    root: object, rankdir: object, max_nodes: object, float_format: object
) -> None:
    if not isinstance(root, Value):
        raise TypeError(f"draw_graph: root must be a Value, got {describe(root)}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"draw_graph: rankdir must be one of {', '.join(RANKDIRS)}, "
                         f"got {rankdir!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int):
        raise TypeError(
            f"draw_graph: max_nodes must be an int, got {describe(max_nodes)}"
        )
    if max_nodes < 1:
        raise ValueError(f"draw_graph: max_nodes must be at least 1, got {max_nodes}")
    if not isinstance(float_format, str):
        raise TypeError(
            "draw_graph: float_format must be a format spec str such as '.4f', "
            f"got {describe(float_format)}"
        )
    try:
        format(1.0, float_format)
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"draw_graph: float_format {float_format!r} is not a valid float format spec "
            f"(examples: '.4f', '.3g', '.2e'): {exc}"
        ) from None


def _collect(root: Value) -> list[Value]:
    """Every Value reachable from ``root``, each after all of its parents.

    An iterative depth-first walk that visits parents in argument order, so
    the same graph always gives the same list (and the same node ids).
    """
    order: list[Value] = []
    seen = {root}
    stack: list[tuple[Value, int]] = [(root, 0)]
    while stack:
        node, i = stack[-1]
        parents = node.parents
        while i < len(parents) and parents[i] in seen:
            i += 1
        if i < len(parents):
            parent = parents[i]
            seen.add(parent)
            stack[-1] = (node, i + 1)
            stack.append((parent, 0))
        else:
            stack.pop()
            order.append(node)
    return order


def _kind(node: Value, root: Value) -> str:
    if node is root:
        return "root"
    if node.is_leaf:
        return "input" if node.label else "constant"
    return "intermediate"


def _value_label(node: Value, kind: str, show_grad: bool, float_format: str) -> str:
    cells = []
    if node.label:
        cells.append(f"<TD><B>{_escape(node.label)}</B></TD>")
    cells.append(f"<TD>data {_escape(format(node.data, float_format))}</TD>")
    if show_grad:
        cells.append(f"<TD>grad {_escape(format(node.grad, float_format))}</TD>")
    border = (
        f' BORDER="3" COLOR="{_ROOT_BORDER}"' if kind == "root" else ' BORDER="0"'
    )
    return (
        f'<<TABLE{border} CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" '
        f'BGCOLOR="{COLORS[kind]}"><TR>{"".join(cells)}</TR></TABLE>>'
    )


# --------------------------------------------------------------------------- public API


def draw_graph(
    root: Value,
    *,
    rankdir: str = "LR",
    show_grad: bool = True,
    show_local_grads: bool = True,
    max_nodes: int = 500,
    float_format: str = ".4f",
) -> graphviz.Digraph:
    """Draw the computation graph that produced ``root``.

    Each `Value` is one node showing its label (when set), ``data`` and
    ``grad``; each operation is a small op node named by the result's ``op``,
    with one edge per parent use (``a * a`` has two) labelled with the local
    derivative d(result)/d(parent). Node ids follow a deterministic walk of
    the graph, so the same graph always gives the same ``.source``.

    In Jupyter the returned `graphviz.Digraph` displays inline; elsewhere
    call ``.render()``, ``.pipe()``, read ``.source``, or use `save_graph`.

    For example:

    ```python
    x = Value(2.0, label="x")
    y = (x * x).tanh()
    y.backward()
    draw_graph(y).source   # DOT text; draw_graph(y) shows inline in Jupyter
    ```

    Args:
        root: the value whose graph is drawn (usually the loss or output).
        rankdir: layout direction: ``"LR"`` (inputs left, root right),
            ``"RL"``, ``"TB"`` or ``"BT"``.
        show_grad: show each value's ``grad`` (run ``root.backward()`` first).
        show_local_grads: label each parent edge with its local derivative.
        max_nodes: refuse graphs with more Values than this (Graphviz's layout
            slows down sharply on large graphs).
        float_format: format spec for data, grad and local derivatives
            (``".4f"`` prints 4 decimals, as micrograd's ``%.4f``).

    Returns:
        A `graphviz.Digraph`.

    Raises:
        TypeError: ``root`` is not a Value, or an option has the wrong type.
        ValueError: an option has a bad value, or the graph has more than
            ``max_nodes`` Values (the message says how many).
        ImportError: the optional ``graphviz`` package is not installed
            (``pip install 'autograd-mini[viz]'``).
    """
    _check_options(root, rankdir, max_nodes, float_format)
    nodes = _collect(root)
    if len(nodes) > max_nodes:
        raise ValueError(
            f"draw_graph: the graph has {len(nodes)} Values, more than max_nodes={max_nodes}; "
            "laying it out would take Graphviz a very long time. Draw a smaller graph, or "
            f"raise the limit: draw_graph(root, max_nodes={len(nodes)})"
        )
    graphviz = _import_graphviz()
    dot = graphviz.Digraph(
        graph_attr={"rankdir": rankdir},
        node_attr={"fontname": "Helvetica,Arial,sans-serif", "fontsize": "12"},
        edge_attr={"fontname": "Helvetica,Arial,sans-serif", "fontsize": "10"},
    )
    ids = {node: i for i, node in enumerate(nodes)}
    for i, node in enumerate(nodes):
        kind = _kind(node, root)
        dot.node(f"v{i}", _value_label(node, kind, show_grad, float_format), shape="plaintext")
        if node.is_leaf:
            continue
        op_id = f"op{i}"
        dot.node(
            op_id,
            f"<{_escape(node.op or '?')}>",
            shape="ellipse",
            style="filled",
            fillcolor=COLORS["op"],
            margin="0.05,0.02",
            height="0.3",
        )
        locals_ = node.local_grads
        for j, parent in enumerate(node.parents):
            attrs = {}
            if show_local_grads and j < len(locals_):
                attrs["label"] = f"<{_escape(format(locals_[j], float_format))}>"
            dot.edge(f"v{ids[parent]}", op_id, **attrs)
        dot.edge(op_id, f"v{i}")
    return dot


def save_graph(root: Value, path: str | Path, **draw_options: Any) -> Path:
    """Draw ``root``'s graph with `draw_graph` and write it to ``path``.

    The format comes from the extension: ``.svg``, ``.png``, ``.pdf`` (these
    need Graphviz's ``dot`` executable) or ``.dot`` (the DOT source, which
    needs no executable and can be rendered later with
    ``dot -Tsvg graph.dot -o graph.svg``). Nothing is written if drawing or
    rendering fails.

    Args:
        root: the value whose graph is drawn.
        path: the file to write; its extension picks the format.
        **draw_options: passed on to `draw_graph` (``rankdir``, ``show_grad``,
            ``show_local_grads``, ``max_nodes``, ``float_format``).

    Returns:
        The path written, as a `pathlib.Path`.

    Raises:
        ValueError: the extension is not one of ``GRAPH_FORMATS``, or
            `draw_graph` refuses the graph or an option.
        TypeError: ``path`` is not a str or Path, or as `draw_graph`.
        GraphvizNotFoundError: the ``dot`` executable is missing (the message
            says how to install Graphviz; ``.dot`` output works without it).
        ImportError: the optional ``graphviz`` package is not installed.
    """
    if not isinstance(path, (str, Path)):
        raise TypeError(
            f"save_graph: path must be a str or Path, got {describe(path)}"
        )
    target = Path(path)
    fmt = target.suffix[1:].lower()
    if fmt not in GRAPH_FORMATS:
        raise ValueError(
            f"save_graph: cannot tell the format of {str(path)!r} from its extension; "
            f"use one of {', '.join('.' + f for f in GRAPH_FORMATS)}"
        )
    graph = draw_graph(root, **draw_options)
    if fmt == "dot":
        target.write_text(graph.source, encoding="utf-8")
        return target
    graphviz = _import_graphviz()
    try:
        data: bytes = graph.pipe(format=fmt)
    except graphviz.ExecutableNotFound as exc:
        raise GraphvizNotFoundError(
            f"cannot render {str(path)!r}: Graphviz's 'dot' executable was not found on PATH. "
            "Install Graphviz (Debian/Ubuntu: sudo apt-get install graphviz; macOS: "
            "brew install graphviz; conda: conda install -c conda-forge graphviz; "
            "Windows: https://graphviz.org/download/), or save as .dot, which needs no "
            "executable (render it later with: dot -Tsvg graph.dot -o graph.svg)."
        ) from exc
    target.write_bytes(data)
    return target
