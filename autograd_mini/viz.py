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

What needs what: `draw_graph` and DOT source (``.dot`` files) need only the
optional `graphviz` Python package (``pip install 'autograd-mini[viz]'``),
imported when a graph is drawn; rendering to SVG, PNG or PDF, and pictures in
Jupyter, also need Graphviz's ``dot`` program (``sudo apt-get install
graphviz``, ``brew install graphviz``). Without ``dot``, a drawing returned in a
Jupyter cell shows as text that says how to install it. `check_can_save` tells,
before any work, whether a file can be written here.
"""

from __future__ import annotations

import html
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autograd_mini.checks import choice, describe, integer, short_repr
from autograd_mini.engine import Value

if TYPE_CHECKING:  # pragma: no cover
    import graphviz

__all__ = [
    "draw_graph",
    "save_graph",
    "check_can_save",
    "dot_available",
    "text_drawing",
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
_INSTALL_DOT = (
    "Install Graphviz (Debian/Ubuntu: sudo apt-get install graphviz; macOS: "
    "brew install graphviz; conda: conda install -c conda-forge graphviz; "
    "Windows: https://graphviz.org/download/)"
)


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
    root: object, rankdir: object, max_nodes: object, float_format: object, where: str
) -> None:
    """The drawing options: the generic parts via `checks`, then the format spec."""
    if not isinstance(root, Value):
        raise TypeError(f"{where}: root must be a Value, got {describe(root)}")
    choice(rankdir, "rankdir", where, RANKDIRS)
    integer(max_nodes, "max_nodes", where, minimum=1)
    if not isinstance(float_format, str):
        raise TypeError(
            f"{where}: float_format must be a format spec str such as '.4f', "
            f"got {describe(float_format)}"
        )
    try:
        format(1.0, float_format)
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"{where}: float_format {short_repr(float_format)} is not a valid float format spec "
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


def _value_label(
    node: Value, kind: str, show_grad: bool, float_format: str, stacked: bool = False
) -> str:
    cells = []
    if node.label:
        cells.append(f"<TD><B>{_escape(node.label)}</B></TD>")
    cells.append(f"<TD>data {_escape(format(node.data, float_format))}</TD>")
    if show_grad:
        cells.append(f"<TD>grad {_escape(format(node.grad, float_format))}</TD>")
    border = (
        f' BORDER="3" COLOR="{_ROOT_BORDER}"' if kind == "root" else ' BORDER="0"'
    )
    rows = "".join(f"<TR>{c}</TR>" for c in cells) if stacked else f"<TR>{''.join(cells)}</TR>"
    return (
        f'<<TABLE{border} CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" '
        f'BGCOLOR="{COLORS[kind]}">{rows}</TABLE>>'
    )


def _format_of(path: object, where: str) -> str:
    if not isinstance(path, (str, Path)):
        raise TypeError(
            f"{where}: path must be a str or Path, got {describe(path)}"
        )
    fmt = Path(path).suffix[1:].lower()
    if fmt not in GRAPH_FORMATS:
        raise ValueError(
            f"{where}: cannot tell the format of {str(path)!r} from its extension; "
            f"use one of {', '.join('.' + f for f in GRAPH_FORMATS)}"
        )
    return fmt


_DRAWING_CLASS: Any = None


def _drawing_class(graphviz: Any) -> Any:
    """A `graphviz.Digraph` whose Jupyter display falls back to text without ``dot``."""
    global _DRAWING_CLASS
    if _DRAWING_CLASS is not None and issubclass(_DRAWING_CLASS, graphviz.Digraph):
        return _DRAWING_CLASS

    # Named Digraph: it is one, and type(draw_graph(x)).__name__ says so.
    class Digraph(graphviz.Digraph):  # type: ignore[misc]
        """A `graphviz.Digraph` that Jupyter shows as text when ``dot`` is missing."""

        text: str = ""

        def _repr_mimebundle_(
            self,
            include: Any = None,
            exclude: Any = None,
            **kwargs: Any,
        ) -> dict[str, Any]:
            try:
                bundle: dict[str, Any] = super()._repr_mimebundle_(include, exclude, **kwargs)
            except graphviz.ExecutableNotFound:
                return {"text/plain": self.text or _text_header()}
            return bundle

    _DRAWING_CLASS = Digraph
    return Digraph


def _text_header() -> str:
    return (
        "Graphviz's dot program is not installed, so this drawing is shown as text. "
        f"To see the picture, {_INSTALL_DOT[0].lower()}{_INSTALL_DOT[1:]}, "
        "then run the cell again."
    )


# --------------------------------------------------------------------------- public API


def dot_available() -> bool:
    """Whether Graphviz's ``dot`` program is on ``PATH``.

    Rendering to SVG, PNG or PDF, and pictures in Jupyter, need it; DOT source
    (``.dot``) does not.
    """
    return shutil.which("dot") is not None


def check_can_save(path: str | Path) -> None:
    """Check, before any work, that `save_graph` can write ``path`` on this machine.

    It checks the extension, that the `graphviz` Python package is installed,
    and, for ``.svg``, ``.png`` and ``.pdf``, that Graphviz's ``dot`` program
    is on ``PATH``. It writes nothing. Command-line tools call it before they
    start, so a missing program is reported at once rather than after the work.

    Args:
        path: the file `save_graph` would write.

    Raises:
        TypeError: ``path`` is not a str or Path.
        ValueError: the extension is not one of ``GRAPH_FORMATS``.
        ImportError: the `graphviz` Python package is missing (every format
            needs it); the message names the ``viz`` extra.
        GraphvizNotFoundError: the format needs ``dot`` and it is missing; the
            message says how to install Graphviz, or to write ``.dot`` instead.
    """
    fmt = _format_of(path, "check_can_save")
    _import_graphviz()
    if fmt != "dot" and not dot_available():
        raise GraphvizNotFoundError(
            f"cannot render {str(path)!r}: Graphviz's 'dot' program was not found on PATH. "
            f"{_INSTALL_DOT}, or save as .dot, which needs only the graphviz Python package."
        )


def text_drawing(root: Value, *, float_format: str = ".4f", max_nodes: int = 500) -> str:
    """The graph behind ``root`` as plain text, one line per `Value`, inputs first.

    A value is ``v<i>`` (the ids `draw_graph` uses), its label, its data and
    grad; a computed value also shows its operation and, for each parent, the
    local derivative: ``v2 z1 = dot(v0 ∂=1.5000, v1 ∂=1.0000)``. It is what a
    drawing shows in Jupyter when Graphviz's ``dot`` is not installed, and needs
    neither ``dot`` nor the `graphviz` package.

    Args:
        root: the value whose graph is written out.
        float_format: format spec for data, grad and local derivatives.
        max_nodes: refuse graphs with more Values than this.

    Returns:
        The text, one line per value, without a trailing newline.

    Raises:
        TypeError, ValueError: as `draw_graph`.
    """
    _check_options(root, "LR", max_nodes, float_format, "text_drawing")
    nodes = _collect(root)
    if len(nodes) > max_nodes:
        raise ValueError(
            f"text_drawing: the graph has {len(nodes)} Values, more than "
            f"max_nodes={max_nodes}; raise the limit: text_drawing(root, max_nodes={len(nodes)})"
        )
    ids = {node: i for i, node in enumerate(nodes)}
    lines = []
    for i, node in enumerate(nodes):
        name = f"v{i}" + (f" {node.label}" if node.label else "")
        numbers = f"data {node.data:{float_format}}  grad {node.grad:{float_format}}"
        if node.is_leaf:
            kind = "input" if node.label else "constant"
            lines.append(f"{name}: {numbers}  ({kind})")
            continue
        locals_ = node.local_grads
        args = ", ".join(
            f"v{ids[p]} ∂={locals_[j]:{float_format}}" if j < len(locals_) else f"v{ids[p]}"
            for j, p in enumerate(node.parents)
        )
        lines.append(f"{name} = {node.op or '?'}({args}): {numbers}")
    return "\n".join(lines)



def draw_graph(
    root: Value,
    *,
    rankdir: str = "LR",
    show_grad: bool = True,
    show_local_grads: bool = True,
    max_nodes: int = 500,
    float_format: str = ".4f",
    stacked: bool = False,
) -> graphviz.Digraph:
    """Draw the computation graph that produced ``root``.

    Each `Value` is one node showing its label (when set), ``data`` and
    ``grad``; each operation is a small op node named by the result's ``op``,
    with one edge per parent use (``a * a`` has two) labelled with the local
    derivative d(result)/d(parent). Node ids follow a deterministic walk of
    the graph, so the same graph always gives the same ``.source``.

    In Jupyter the returned `graphviz.Digraph` displays inline; elsewhere
    call ``.render()``, ``.pipe()``, read ``.source``, or use `save_graph`.
    Without Graphviz's ``dot`` program, Jupyter shows the graph as text
    (`text_drawing`) with instructions to install Graphviz, instead of
    raising.

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
        stacked: put each value's label, data and grad on three rows instead
            of one, which makes boxes about a third as wide; with
            ``rankdir="TB"`` a graph fits a narrow page (the docs' two-node
            picture is drawn this way).

    Returns:
        A `graphviz.Digraph`.

    Raises:
        TypeError: ``root`` is not a Value, or an option has the wrong type.
        ValueError: an option has a bad value, or the graph has more than
            ``max_nodes`` Values (the message says how many).
        ImportError: the optional ``graphviz`` package is not installed
            (``pip install 'autograd-mini[viz]'``).
    """
    _check_options(root, rankdir, max_nodes, float_format, "draw_graph")
    if not isinstance(stacked, bool):
        raise TypeError(
            f"draw_graph: stacked must be a bool, got {describe(stacked)}"
        )
    nodes = _collect(root)
    if len(nodes) > max_nodes:
        raise ValueError(
            f"draw_graph: the graph has {len(nodes)} Values, more than max_nodes={max_nodes}; "
            "laying it out would take Graphviz a very long time. Draw a smaller graph, or "
            f"raise the limit: draw_graph(root, max_nodes={len(nodes)})"
        )
    graphviz = _import_graphviz()
    dot = _drawing_class(graphviz)(
        graph_attr={"rankdir": rankdir},
        node_attr={"fontname": "Helvetica,Arial,sans-serif", "fontsize": "12"},
        edge_attr={"fontname": "Helvetica,Arial,sans-serif", "fontsize": "10"},
    )
    ids = {node: i for i, node in enumerate(nodes)}
    for i, node in enumerate(nodes):
        kind = _kind(node, root)
        dot.node(f"v{i}", _value_label(node, kind, show_grad, float_format, stacked),
                 shape="plaintext")
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
    dot.text = _text_header() + "\n" + text_drawing(
        root, float_format=float_format, max_nodes=max_nodes
    )
    return dot


def save_graph(root: Value, path: str | Path, **draw_options: Any) -> Path:
    """Draw ``root``'s graph with `draw_graph` and write it to ``path``.

    The format comes from the extension: ``.svg``, ``.png``, ``.pdf`` (these
    need Graphviz's ``dot`` program) or ``.dot`` (the DOT source, which needs
    only the `graphviz` Python package and can be rendered later with
    ``dot -Tsvg graph.dot -o graph.svg``). Nothing is written if drawing or
    rendering fails. `check_can_save` checks the same requirements up front.

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
        GraphvizNotFoundError: the ``dot`` program is missing (the message
            says how to install Graphviz; ``.dot`` output works without it).
        ImportError: the optional ``graphviz`` package is not installed.
    """
    fmt = _format_of(path, "save_graph")
    target = Path(path)
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
            f"{_INSTALL_DOT}, or save as .dot, which needs only the graphviz Python package "
            "(render it later with: dot -Tsvg graph.dot -o graph.svg)."
        ) from exc
    target.write_bytes(data)
    return target
