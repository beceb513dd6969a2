"""Drawing computation graphs: structure against the engine's graph, escaping, rendering."""

from __future__ import annotations

import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import autograd_mini
from autograd_mini import Value, dot, primitive, vsum
from autograd_mini.viz import (
    COLORS,
    GraphvizNotFoundError,
    check_can_save,
    dot_available,
    draw_graph,
    save_graph,
    text_drawing,
)

SVG = "{http://www.w3.org/2000/svg}"

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None and not os.environ.get("CI"),
    reason="Graphviz's dot is not installed (CI installs it and runs these tests)",
)

# DOT statements produced by draw_graph: value nodes v<i>, op nodes op<i>.
VALUE_NODE = re.compile(r"^\tv(\d+) \[label=<(.*)> shape=plaintext\]$", re.M)
OP_NODE = re.compile(r"^\top(\d+) \[label=<(.*?)> ", re.M)
EDGE = re.compile(r"^\t(v\d+|op\d+) -> (v\d+|op\d+)(?: \[label=<(.*)>\])?$", re.M)


def reachable(root: Value) -> list[Value]:
    """Every Value in root's graph, found independently of viz (breadth-first)."""
    seen = {root}
    queue = [root]
    for node in queue:
        for p in node.parents:
            if p not in seen:
                seen.add(p)
                queue.append(p)
    return queue


def svg_texts(svg: bytes | str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def render_svg(graph: object) -> bytes:
    data: bytes = graph.pipe(format="svg")  # type: ignore[attr-defined]
    return data


def sample() -> Value:
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = Value(10.0)  # an unlabelled leaf: a constant
    e = a * b
    e.label = "e"
    d = e + c
    f = Value(-2.0, label="f")
    L = (d * f).tanh()
    L.label = "L"
    L.backward()
    return L


# --------------------------------------------------------------------------- structure


def test_nodes_and_edges_match_the_engine_graph() -> None:
    L = sample()
    source = draw_graph(L).source
    values = reachable(L)
    interior = [v for v in values if not v.is_leaf]
    assert len(VALUE_NODE.findall(source)) == len(values)
    assert len(OP_NODE.findall(source)) == len(interior)
    edges = EDGE.findall(source)
    # one edge per parent use into the op node, one from the op node to its result
    assert len(edges) == sum(len(v.parents) for v in values) + len(interior)


def test_every_value_shows_label_data_and_grad() -> None:
    L = sample()
    labels = VALUE_NODE.findall(draw_graph(L).source)
    for v in reachable(L):
        expected = [f"data {v.data:.4f}", f"grad {v.grad:.4f}"]
        if v.label:
            expected.insert(0, f"<B>{v.label}</B>")
        assert any(all(part in label for part in expected) for _, label in labels), v


def test_op_names_come_from_the_nodes() -> None:
    softsign = primitive(lambda x: x / (1 + abs(x)), lambda x: 1 / (1 + abs(x)) ** 2,
                         name="softsign")
    x = Value(0.5, label="x")
    y = softsign(vsum([x.exp(), x.sigmoid(), x / 3.0, -x]) ** 2)
    ops = {name for _, name in OP_NODE.findall(draw_graph(y).source)}
    expected = {v.op for v in reachable(y) if not v.is_leaf}
    assert ops == expected
    assert {"softsign", "sum", "exp", "sigmoid", "neg", "**"} <= ops


def test_a_times_a_has_two_edges_with_local_grads() -> None:
    a = Value(3.0, label="a")
    y = a * a
    y.backward()
    edges = EDGE.findall(draw_graph(y).source)
    into_op = [e for e in edges if e[1].startswith("op")]
    assert len(into_op) == 2
    assert into_op[0][0] == into_op[1][0]  # both from a
    assert [e[2] for e in into_op] == [f"{g:.4f}" for g in y.local_grads]
    assert a.grad == 6.0


def test_edges_follow_parent_order_with_local_grads() -> None:
    w = [Value(0.5, label="w0"), Value(-1.5, label="w1")]
    x = [Value(2.0, label="x0"), Value(4.0, label="x1")]
    b = Value(0.25, label="b")
    n = dot(w, x, b)
    source = draw_graph(n, float_format=".3f").source
    ids = {label: i for i, label in VALUE_NODE.findall(source)}
    node_id = {v: next(i for i, lab in VALUE_NODE.findall(source) if f"<B>{v.label}</B>" in lab)
               for v in n.parents}
    into = [(src, lab) for src, dst, lab in EDGE.findall(source) if dst.startswith("op")]
    assert [src for src, _ in into] == [f"v{node_id[p]}" for p in n.parents]
    assert [lab for _, lab in into] == [f"{g:.3f}" for g in n.local_grads]
    assert ids  # the labels were found


def test_options_hide_grads_and_local_grads_and_set_direction() -> None:
    L = sample()
    source = draw_graph(L, show_grad=False, show_local_grads=False, rankdir="TB").source
    assert "grad " not in source
    assert all(lab == "" for _, _, lab in EDGE.findall(source))
    assert "rankdir=TB" in source
    assert "data 2.00" in draw_graph(L, float_format=".2f").source


def test_leaves_inputs_and_root_are_distinct() -> None:
    L = sample()
    labels = dict(VALUE_NODE.findall(draw_graph(L).source))
    by_kind: dict[str, set[str]] = {}
    for label in labels.values():
        colour = re.search(r'BGCOLOR="([^"]+)"', label)
        assert colour is not None
        by_kind.setdefault(colour.group(1), set()).add(label)
    root_label = next(lab for lab in labels.values() if "<B>L</B>" in lab)
    assert f'BGCOLOR="{COLORS["root"]}"' in root_label and 'BORDER="3"' in root_label
    assert f'BGCOLOR="{COLORS["input"]}"' in next(
        lab for lab in labels.values() if "<B>a</B>" in lab)
    constant = next(lab for lab in labels.values() if "data 10.0000" in lab)
    assert f'BGCOLOR="{COLORS["constant"]}"' in constant
    intermediate = next(lab for lab in labels.values() if "<B>e</B>" in lab)
    assert f'BGCOLOR="{COLORS["intermediate"]}"' in intermediate
    assert len(by_kind) == 4


def test_a_leaf_root_is_drawn_alone() -> None:
    x = Value(1.0, label="x")
    source = draw_graph(x).source
    assert len(VALUE_NODE.findall(source)) == 1
    assert not OP_NODE.findall(source) and not EDGE.findall(source)


def test_source_is_deterministic() -> None:
    first = draw_graph(sample()).source
    second = draw_graph(sample()).source
    assert first == second
    L = sample()
    assert draw_graph(L).source == draw_graph(L).source


def test_deep_graph_needs_no_recursion() -> None:
    x = Value(0.5, label="x")
    y = x
    for _ in range(5000):
        y = y + 1.0
    source = draw_graph(y, max_nodes=10_000, show_local_grads=False).source
    assert len(VALUE_NODE.findall(source)) == 5001


def test_huge_graphs_are_refused_with_count_and_hint() -> None:
    x = Value(1.0)
    y = x
    for _ in range(600):
        y = y * 1.0001
    with pytest.raises(ValueError, match=r"601 Values.*max_nodes=500.*max_nodes=601"):
        draw_graph(y)
    assert "v600" in draw_graph(y, max_nodes=601).source


def test_drawing_leaves_the_graph_unchanged() -> None:
    L = sample()
    before = [(v.data, v.grad, v.label, v.parents, v.local_grads) for v in reachable(L)]
    draw_graph(L)
    with pytest.raises(ValueError):
        draw_graph(L, max_nodes=2)
    assert [(v.data, v.grad, v.label, v.parents, v.local_grads) for v in reachable(L)] == before


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"rankdir": "XY"}, ValueError, "rankdir"),
        ({"max_nodes": 0}, ValueError, "max_nodes"),
        ({"max_nodes": 2.5}, TypeError, "max_nodes"),
        ({"max_nodes": True}, TypeError, "max_nodes"),
        ({"float_format": "q"}, ValueError, "float_format"),
        ({"float_format": 4}, TypeError, "float_format"),
    ],
)
def test_bad_options(kwargs: dict[str, object], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        draw_graph(Value(1.0), **kwargs)  # type: ignore[arg-type]


def test_root_must_be_a_value() -> None:
    with pytest.raises(TypeError, match="draw_graph: root must be a Value"):
        draw_graph(3.0)  # type: ignore[arg-type]


def test_exported_lazily_from_the_package() -> None:
    assert autograd_mini.draw_graph is draw_graph


def test_missing_graphviz_package_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def fake_import(name: str, *args: object, **kwargs: object) -> object:
        if name == "graphviz":
            raise ImportError("No module named 'graphviz'")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ImportError, match=r"pip install 'autograd-mini\[viz\]'"):
        draw_graph(Value(1.0))


# --------------------------------------------------------------------------- escaping

HOSTILE = [
    'q"uote',
    "{brace}|bar",
    "<b>bold</b>",
    "a & b &amp; &#92;",
    "back\\slash \\N \\G \\L \\l",
    "]; x [label=injected",
    '"> <TABLE> <TR>',
    "tab\there\x00nul\x1b",
    "ŷ ∂J/∂w",
]


@pytest.mark.parametrize("label", HOSTILE)
def test_hostile_labels_are_escaped_in_the_source(label: str) -> None:
    x = Value(1.0, label=label)
    y = x.tanh()
    y.label = label
    source = draw_graph(y).source
    # Nothing but the three attribute lines, two value nodes, one op node and two edges.
    lines = source.splitlines()
    assert lines[0] == "digraph {" and lines[-1] == "}"
    kinds = []
    for line in lines[1:-1]:
        if re.fullmatch(r"\t(graph|node|edge) \[[^\[\]<>]*\]", line):
            kinds.append("attr")
        elif VALUE_NODE.fullmatch(line):
            kinds.append("value")
        elif OP_NODE.match(line):
            kinds.append("op")
        elif EDGE.fullmatch(line):
            kinds.append("edge")
        else:
            raise AssertionError(f"unexpected DOT statement: {line!r}")
    assert sorted(kinds) == sorted(["attr"] * 3 + ["value"] * 2 + ["op", "edge", "edge"])
    for _, node_label in VALUE_NODE.findall(source):
        inner = re.sub(r"</?(TABLE|TR|TD|B|BR)\b[^>]*>", "", node_label)
        assert "<" not in inner and ">" not in inner and '"' not in inner


@needs_dot
@pytest.mark.needs_dot
@pytest.mark.parametrize("label", [*HOSTILE, "two\nlines\r\nthree"])
def test_hostile_labels_render_as_text(label: str) -> None:
    x = Value(1.0, label=label)
    y = x * 2.0
    svg = render_svg(draw_graph(y))
    texts = svg_texts(svg)
    shown = "\n".join(texts)
    expected_lines = label.replace("\r\n", "\n").split("\n")
    for line in expected_lines:
        printable = "".join(c if c.isprintable() else c.encode("unicode_escape").decode()
                            for c in line)
        assert printable.strip() in shown, (printable, texts)
    # dot's own escapes (\N = node name, \G = graph name) were not expanded
    assert "v0" not in shown


@needs_dot
@pytest.mark.needs_dot
def test_op_names_are_escaped_too() -> None:
    weird = primitive(lambda x: x, lambda x: 1.0, name='<op "\\N" & >')
    svg = render_svg(draw_graph(weird(Value(1.0, label="x"))))
    assert '<op "\\N" & >' in svg_texts(svg)


# --------------------------------------------------------------------------- rendering


@needs_dot
@pytest.mark.needs_dot
def test_fused_neuron_renders_to_svg(tmp_path: Path) -> None:
    w = [Value(-3.0, label="w1"), Value(1.0, label="w2")]
    x = [Value(2.0, label="x1"), Value(0.0, label="x2")]
    b = Value(6.8813735870195432, label="b")
    o = dot(w, x, b).tanh()
    o.label = "o"
    o.backward()
    path = save_graph(o, tmp_path / "neuron.svg")
    assert path == tmp_path / "neuron.svg"
    texts = svg_texts(path.read_bytes())
    for name in ("w1", "w2", "x1", "x2", "b", "o", "dot", "tanh"):
        assert name in texts
    assert f"grad {w[0].grad:.4f}" in texts
    assert f"data {o.data:.4f}" in texts
    tree = ET.fromstring(path.read_bytes())
    # graphviz writes one <g class="node"> per node and one <g class="edge"> per edge
    groups = [g.get("class") for g in tree.iter(f"{SVG}g")]
    assert groups.count("node") == 7 + 2  # five leaves, the dot and tanh results; two ops
    assert groups.count("edge") == 5 + 1 + 1 + 1  # five into dot, dot->, into tanh, tanh->


@needs_dot
@pytest.mark.needs_dot
def test_per_op_neuron_renders_to_svg(tmp_path: Path) -> None:
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    b = Value(6.8813735870195432, label="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.backward()
    path = save_graph(o, tmp_path / "neuron.svg")
    texts = svg_texts(path.read_bytes())
    assert texts.count("*") == 2 and texts.count("+") == 2 and "tanh" in texts
    assert f"grad {x1.grad:.4f}" in texts


@needs_dot
@pytest.mark.needs_dot
@pytest.mark.parametrize(("suffix", "magic"), [(".png", b"\x89PNG"), (".pdf", b"%PDF"),
                                              (".SVG", b"<?xml")])
def test_other_formats(tmp_path: Path, suffix: str, magic: bytes) -> None:
    path = save_graph(Value(1.0, label="x").exp(), tmp_path / f"g{suffix}")
    assert path.read_bytes().startswith(magic)


def test_dot_output_needs_no_executable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    L = sample()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    path = save_graph(L, str(tmp_path / "g.dot"), rankdir="TB")
    assert isinstance(path, Path)
    assert path.read_text(encoding="utf-8") == draw_graph(L, rankdir="TB").source


def test_missing_dot_gives_install_instructions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    target = tmp_path / "g.svg"
    with pytest.raises(GraphvizNotFoundError) as info:
        save_graph(Value(1.0, label="x").exp(), target)
    message = str(info.value)
    assert "apt-get install graphviz" in message
    assert "brew install graphviz" in message
    assert "conda" in message
    assert ".dot" in message
    assert isinstance(info.value, RuntimeError)
    assert not target.exists()


def test_unknown_extension_lists_the_valid_ones(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.svg, \.png, \.pdf, \.dot"):
        save_graph(Value(1.0), tmp_path / "graph.jpg")
    with pytest.raises(ValueError, match="extension"):
        save_graph(Value(1.0), tmp_path / "graph")
    with pytest.raises(TypeError, match="path"):
        save_graph(Value(1.0), 42)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- docs figures


@needs_dot
@pytest.mark.needs_dot
def test_docs_figure_script_renders_every_picture(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = Path(__file__).resolve().parent.parent / "docs" / "figures" / "make_graphs.py"
    done = subprocess.run([sys.executable, str(script), str(tmp_path)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    expected = {"expression.svg", "neuron.svg", "neuron_dot.svg", "two_node.svg"}
    assert {p.name for p in tmp_path.iterdir()} == expected
    texts = {name: svg_texts((tmp_path / name).read_bytes()) for name in expected}
    assert {"x", "y", "sin", "*"} <= set(texts["expression.svg"])
    assert {"dot", "tanh", "w1", "x2", "b"} <= set(texts["neuron_dot.svg"])
    assert {"z1", "a1", "z2", "ŷ", "J", "w1", "b2", "sigmoid"} <= set(texts["two_node.svg"])


# --------------------------------------------------------------------------- without dot


def test_jupyter_display_without_dot_is_text_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Jupyter calls _repr_mimebundle_ to show a cell's value: without dot it must not
    # raise graphviz's ExecutableNotFound (which stops "Run All") but show text.
    L = sample()
    graph = draw_graph(L)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    for bundle in (graph._repr_mimebundle_(), graph._repr_mimebundle_(include=["image/png"]),
                   graph.copy()._repr_mimebundle_()):  # fmt: skip
        assert set(bundle) == {"text/plain"}
        text = bundle["text/plain"]
        assert "Graphviz's dot program is not installed" in text
        assert "sudo apt-get install graphviz" in text and "brew install graphviz" in text
    lines = graph._repr_mimebundle_()["text/plain"].splitlines()[1:]
    assert lines == text_drawing(L).splitlines()
    assert len(lines) == len(reachable(L))
    assert type(graph).__name__ == "Digraph" and graph.source == draw_graph(L).source


@needs_dot
@pytest.mark.needs_dot
def test_jupyter_display_with_dot_is_the_picture() -> None:
    bundle = draw_graph(sample())._repr_mimebundle_()
    assert "image/svg+xml" in bundle and "<svg" in bundle["image/svg+xml"]


def test_text_drawing_lists_values_operations_and_local_grads() -> None:
    a = Value(2.0, label="a")
    c = a * a + 1.0
    c.label = "c"
    c.backward()
    assert text_drawing(c) == (
        "v0 a: data 2.0000  grad 4.0000  (input)\n"
        "v1 = *(v0 ∂=2.0000, v0 ∂=2.0000): data 4.0000  grad 1.0000\n"
        "v2 c = +(v1 ∂=1.0000): data 5.0000  grad 1.0000"
    )
    assert text_drawing(c, float_format=".1f").startswith("v0 a: data 2.0  grad 4.0")
    with pytest.raises(ValueError, match="text_drawing: the graph has 3 Values"):
        text_drawing(c, max_nodes=2)
    with pytest.raises(TypeError, match="root must be a Value"):
        text_drawing(3.0)  # type: ignore[arg-type]


def test_check_can_save_says_what_is_missing_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    check_can_save(tmp_path / "g.dot")  # DOT source needs no dot program
    for name in ("g.svg", "g.PNG", "g.pdf"):
        with pytest.raises(GraphvizNotFoundError, match="needs only the graphviz Python package"):
            check_can_save(tmp_path / name)
    with pytest.raises(ValueError, match=r"check_can_save: .*\.svg, \.png, \.pdf, \.dot"):
        check_can_save(tmp_path / "g.jpg")
    with pytest.raises(TypeError, match="check_can_save: path must be a str or Path, got int 3"):
        check_can_save(3)  # type: ignore[arg-type]
    monkeypatch.setitem(sys.modules, "graphviz", None)
    with pytest.raises(ImportError, match=r"autograd-mini\[viz\]"):
        check_can_save(tmp_path / "g.dot")
    assert list(tmp_path.iterdir()) == []
    assert dot_available() is False


def test_no_message_says_dot_output_needs_no_graphviz() -> None:
    # .dot output needs the graphviz Python package, not the dot program: say which.
    import autograd_mini.commands.demo as demo
    import autograd_mini.viz as viz

    for text in (viz.__doc__ or "", viz.save_graph.__doc__ or "", inspect_source(demo)):
        assert "needs no Graphviz" not in text and "a .dot file needs no" not in text
    assert "needs only the `graphviz` Python package" in " ".join(
        (viz.save_graph.__doc__ or "").split()
    )


def inspect_source(module: object) -> str:
    import inspect

    return inspect.getsource(module)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- readable pictures

PAGE_WIDTH_PX = 580  # the docs' content column (Material theme, 1280 px window)
MIN_TEXT_PX = 12.0


def shown_text_px(svg_text: str) -> tuple[float, float]:
    """(width in CSS px as shown on the page, smallest text size in CSS px there)."""
    root = ET.fromstring(svg_text)
    width_pt = float(root.get("width", "0").removesuffix("pt"))
    view_width = float(root.get("viewBox", "0 0 0 0").split()[2])
    natural_px = width_pt * 4 / 3  # 1pt = 4/3 px
    shown_px = min(natural_px, PAGE_WIDTH_PX)  # max-width: 100% shrinks wider pictures
    sizes = [float(t.get("font-size", "14")) for t in root.iter(f"{SVG}text")]
    return shown_px, min(sizes) * shown_px / view_width


def test_two_node_picture_is_readable_at_the_page_width() -> None:
    # The backprop page asks the reader to trace this picture edge by edge: it must not
    # be shrunk to illegibility (it was 3,499 px wide, text about 3 px when shown).
    svg = (Path(__file__).resolve().parent.parent / "docs" / "img" / "two_node.svg").read_text(
        encoding="utf-8"
    )
    shown_px, text_px = shown_text_px(svg)
    assert shown_px <= PAGE_WIDTH_PX
    assert text_px >= MIN_TEXT_PX, f"smallest text {text_px:.1f} px at {shown_px:.0f} px wide"
    assert {"z1", "a1", "z2", "ŷ", "J", "w1", "b2"} <= set(svg_texts(svg))


def test_stacked_boxes_put_label_data_and_grad_on_rows() -> None:
    L = sample()
    source = draw_graph(L, stacked=True).source
    assert "<TR><TD><B>L</B></TD></TR><TR><TD>data " in source
    assert "</TD><TD>" not in source
    assert "<TR><TD><B>L</B></TD><TD>data " in draw_graph(L).source
    with pytest.raises(TypeError, match="draw_graph: stacked must be a bool, got str 'yes'"):
        draw_graph(L, stacked="yes")  # type: ignore[arg-type]


@needs_dot
@pytest.mark.needs_dot
def test_the_figure_script_draws_the_two_node_picture_narrow(tmp_path: Path) -> None:
    import runpy

    script = Path(__file__).resolve().parent.parent / "docs" / "figures" / "make_graphs.py"
    figures = runpy.run_path(str(script), run_name="figures")
    path = save_graph(figures["two_node"](), tmp_path / "two_node.svg",
                      **figures["DRAW_OPTIONS"]["two_node.svg"])  # fmt: skip
    shown_px, text_px = shown_text_px(path.read_text(encoding="utf-8"))
    assert shown_px <= PAGE_WIDTH_PX and text_px >= MIN_TEXT_PX


def test_option_errors_name_the_function_called() -> None:
    with pytest.raises(ValueError, match=r"^text_drawing: max_nodes must be >= 1, got 0$"):
        text_drawing(Value(1.0), max_nodes=0)
    with pytest.raises(TypeError, match=r"^text_drawing: root must be a Value"):
        text_drawing(3.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^draw_graph: unknown rankdir 'XY'; expected one of"):
        draw_graph(Value(1.0), rankdir="XY")
