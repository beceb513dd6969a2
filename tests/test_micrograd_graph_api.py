"""micrograd's graph API on autograd_mini: client code that reads ``_prev``, ``_op``, ``_backward``.

Everything here is written the way micrograd's notebooks and lecture write it,
against the private attributes micrograd exposes, with only the import line
pointing at autograd_mini:

* a ``trace``/``draw_dot`` pair in the style of micrograd's ``trace_graph.ipynb``;
* the lecture's manual backpropagation through the tanh neuron, node by node;
* new operations written micrograd's way (``Value(t, (self,), 'tanh')`` and a
  closure assigned to ``out._backward``), mixed with the engine's own;
* a node with ``_children`` and no ``_backward``, which passes nothing back;
* micrograd's own demo code next to micrograd 0.1.0 itself.
"""

from __future__ import annotations

import math
import os
import random
import re
import shutil
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_mini import Value

# --------------------------------------------------------------------------- trace_graph


def trace(root: Any) -> tuple[set[Any], set[tuple[Any, Any]]]:
    """Every value ``root`` was built from (``root`` too), and each (child, result) edge.

    A recursive walk over ``_prev``, as micrograd's notebooks write it.
    """
    nodes: set[Any] = set()
    edges: set[tuple[Any, Any]] = set()

    def visit(v: Any) -> None:
        if v in nodes:
            return
        nodes.add(v)
        for child in v._prev:
            edges.add((child, v))
            visit(child)

    visit(root)
    return nodes, edges


def draw_dot(root: Any, format: str = "svg", rankdir: str = "LR") -> Any:
    """A graphviz Digraph: a record per value (data, grad), an op node per ``_op``."""
    from graphviz import Digraph

    nodes, edges = trace(root)
    graph = Digraph(format=format, graph_attr={"rankdir": rankdir})
    for v in nodes:
        name = str(id(v))
        graph.node(name=name, label=f"{{ data {v.data:.4f} | grad {v.grad:.4f} }}",
                   shape="record")  # fmt: skip
        if v._op:  # a value made by an operation: draw the operation, pointing at it
            graph.node(name=name + v._op, label=v._op)
            graph.edge(name + v._op, name)
    for child, result in edges:
        graph.edge(str(id(child)), str(id(result)) + result._op)
    return graph


NAME = r'"[^"]*"|\S+'  # a DOT id, quoted or bare
NODE_LINE = re.compile(rf'^\t(?P<name>{NAME}) \[label=(?:"(?P<quoted>[^"]*)"|(?P<bare>[^ \]]+))')
EDGE_LINE = re.compile(rf"^\t(?P<tail>{NAME}) -> (?P<head>{NAME})$")


def read_dot(source: str) -> tuple[Counter[str], Counter[tuple[str, str]]]:
    """The node labels of a DOT source, and its edges as (tail label, head label), counted."""
    labels: dict[str, str] = {}
    edges: list[tuple[str, str]] = []
    for line in source.splitlines():
        if m := NODE_LINE.match(line):
            labels[m["name"]] = m["quoted"] if m["quoted"] is not None else m["bare"]
        elif m := EDGE_LINE.match(line):
            edges.append((m["tail"], m["head"]))
    return Counter(labels.values()), Counter((labels[t], labels[h]) for t, h in edges)


def lecture_neuron(make: Callable[..., Any] = Value) -> dict[str, Any]:
    """The lecture's neuron, o = tanh(x1 w1 + x2 w2 + b), every node by name."""
    x1, x2 = make(2.0, label="x1"), make(0.0, label="x2")
    w1, w2 = make(-3.0, label="w1"), make(1.0, label="w2")
    b = make(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x2w2 = x2 * w2
    x1w1x2w2 = x1w1 + x2w2
    n = x1w1x2w2 + b
    o = n.tanh()
    return dict(x1=x1, x2=x2, w1=w1, w2=w2, b=b, x1w1=x1w1, x2w2=x2w2,
                x1w1x2w2=x1w1x2w2, n=n, o=o)  # fmt: skip


def test_trace_finds_every_value_and_every_edge_through_prev() -> None:
    g = lecture_neuron()
    nodes, edges = trace(g["o"])
    assert nodes == set(g.values())
    assert edges == {
        (g["x1"], g["x1w1"]), (g["w1"], g["x1w1"]),
        (g["x2"], g["x2w2"]), (g["w2"], g["x2w2"]),
        (g["x1w1"], g["x1w1x2w2"]), (g["x2w2"], g["x1w1x2w2"]),
        (g["x1w1x2w2"], g["n"]), (g["b"], g["n"]),
        (g["n"], g["o"]),
    }  # fmt: skip
    assert {v._op for v in nodes} == {"", "*", "+", "tanh"}
    assert {v._op for v in nodes if not v._prev} == {""}  # leaves have op ''


def test_prev_is_a_set_so_a_value_used_twice_is_one_child() -> None:
    a = Value(3.0)
    b = a * a
    assert b._prev == {a}
    assert isinstance(b._prev, set)
    assert trace(b) == ({a, b}, {(a, b)})
    # a constant is not a node: x + 1 has one child (micrograd wraps 1 in a Value)
    assert (a + 1)._prev == {a}


def test_draw_dot_has_a_record_per_value_and_an_op_node_per_operation() -> None:
    pytest.importorskip("graphviz")
    g = lecture_neuron()
    g["o"].backward()
    labels, edges = read_dot(draw_dot(g["o"]).source)
    records = {label for label in labels if label.startswith("{")}
    assert sum(labels[r] for r in records) == 10
    assert labels["{ data 0.7071 | grad 1.0000 }"] == 1  # o
    assert labels["{ data 2.0000 | grad -1.5000 }"] == 1  # x1
    assert labels["{ data -3.0000 | grad 1.0000 }"] == 1  # w1
    assert labels["{ data 0.8814 | grad 0.5000 }"] == 1  # n
    assert +labels - Counter({r: labels[r] for r in records}) == Counter(
        {"*": 2, "+": 2, "tanh": 1}
    )
    # 9 child -> op edges and 5 op -> result edges
    assert sum(edges.values()) == 14
    assert edges[("{ data 0.8814 | grad 0.5000 }", "tanh")] == 1
    assert edges[("tanh", "{ data 0.7071 | grad 1.0000 }")] == 1
    assert edges[("{ data 2.0000 | grad -1.5000 }", "*")] == 1


def needs_dot() -> None:
    if shutil.which("dot") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have Graphviz's dot")
        pytest.skip("Graphviz's dot is not installed (CI installs it and runs this test)")


@pytest.mark.needs_dot
def test_draw_dot_renders_with_graphviz() -> None:
    pytest.importorskip("graphviz")
    needs_dot()
    g = lecture_neuron()
    g["o"].backward()
    svg = draw_dot(g["o"]).pipe(format="svg").decode("utf-8")
    assert svg.count('class="node"') == 10 + 5
    assert svg.count('class="edge"') == 14
    for text in ("data 0.7071", "grad 1.0000", "grad &#45;1.5000", "tanh"):
        assert text in svg


def micrograd_expression(make: Callable[[float], Any]) -> Any:
    """Operations micrograd 0.1.0 records the same way: + and * between Values, relu."""
    a, b, c = make(2.0), make(-3.0), make(10.0)
    e = a * b
    d = e + c
    f = make(-0.5)
    return (d * f + a * a).relu()  # relu(-2 + 4): active


def test_draw_dot_draws_the_same_picture_as_for_micrograd() -> None:
    pytest.importorskip("graphviz")
    mg = pytest.importorskip("micrograd.engine")
    ours, theirs = micrograd_expression(Value), micrograd_expression(mg.Value)
    ours.backward()
    theirs.backward()
    our_labels, our_edges = read_dot(draw_dot(ours).source)
    their_labels, their_edges = read_dot(draw_dot(theirs).source)
    their_labels["relu"] = their_labels.pop("ReLU")  # micrograd's op name for relu
    rename = {"ReLU": "relu"}
    their_edges = Counter(
        {(rename.get(t, t), rename.get(h, h)): k for (t, h), k in their_edges.items()}
    )
    assert our_labels == their_labels
    assert our_edges == their_edges
    assert sum(our_labels.values()) == 10 + 6  # 10 values, 6 operations
    assert our_labels["{ data 2.0000 | grad 1.0000 }"] == 2  # the root and the sum under it
    assert our_labels["{ data 2.0000 | grad 5.5000 }"] == 1  # a: b f + 2 a


# --------------------------------------------------------------------------- manual backprop


def test_the_lectures_manual_backprop_node_by_node() -> None:
    g = lecture_neuron()
    o, n = g["o"], g["n"]
    assert o.data == pytest.approx(0.7071, abs=5e-5)
    o.grad = 1.0
    o._backward()
    assert n.grad == pytest.approx(0.5)  # 1 - tanh(n)**2
    n._backward()
    assert g["x1w1x2w2"].grad == pytest.approx(0.5)
    assert g["b"].grad == pytest.approx(0.5)
    g["x1w1x2w2"]._backward()
    assert g["x1w1"].grad == pytest.approx(0.5)
    assert g["x2w2"].grad == pytest.approx(0.5)
    g["x2w2"]._backward()
    g["x1w1"]._backward()
    for leaf in ("x1", "x2", "w1", "w2", "b"):
        g[leaf]._backward()  # a leaf's step does nothing
    assert g["x1"].grad == pytest.approx(-1.5)
    assert g["w1"].grad == pytest.approx(1.0)
    assert g["x2"].grad == pytest.approx(0.5)
    assert g["w2"].grad == 0.0
    assert g["b"].grad == pytest.approx(0.5)

    fresh = lecture_neuron()
    fresh["o"].backward()
    assert {k: v.grad for k, v in g.items()} == {k: v.grad for k, v in fresh.items()}


def test_the_lectures_topological_sort_then_backward_steps() -> None:
    # micrograd's own backward, written as client code over _prev and _backward
    g = lecture_neuron()
    topo: list[Value] = []
    visited: set[Value] = set()

    def build_topo(v: Value) -> None:
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build_topo(child)
            topo.append(v)

    build_topo(g["o"])
    assert topo[-1] is g["o"] and len(topo) == 10
    g["o"].grad = 1.0
    for node in reversed(topo):
        node._backward()

    fresh = lecture_neuron()
    fresh["o"].backward()
    assert {k: v.grad for k, v in g.items()} == {k: v.grad for k, v in fresh.items()}


def test_backward_step_of_an_engine_node_uses_its_current_grad() -> None:
    x = Value(3.0)
    y = x * x  # one node, x twice: 2x = 6 per unit of y.grad
    y.grad = 2.0
    y._backward()
    assert x.grad == 12.0
    y._backward()  # a step adds again, as micrograd's do
    assert x.grad == 24.0


# --------------------------------------------------------------------------- micrograd-style ops


def tanh2(self: Value) -> Value:
    """tanh written as in micrograd's lecture: one node, a closure for its backward step."""
    x = self.data
    t = (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1)
    out = Value(t, (self,), "tanh")

    def _backward() -> None:
        self.grad += (1 - t**2) * out.grad

    out._backward = _backward  # type: ignore[method-assign]
    return out


def exp2(self: Value) -> Value:
    """exp written micrograd's way."""
    out = Value(math.exp(self.data), (self,), "exp")

    def _backward() -> None:
        self.grad += out.data * out.grad

    out._backward = _backward  # type: ignore[method-assign]
    return out


def mul2(a: Value, b: Value) -> Value:
    """a * b written micrograd's way, as a function of two Values."""
    out = Value(a.data * b.data, (a, b), "*")

    def _backward() -> None:
        a.grad += b.data * out.grad
        b.grad += a.data * out.grad

    out._backward = _backward  # type: ignore[method-assign]
    return out


@pytest.fixture
def patched_value(monkeypatch: pytest.MonkeyPatch) -> type[Value]:
    """Value with ``tanh2`` and ``exp2`` methods, added as micrograd's lecture adds them."""
    monkeypatch.setattr(Value, "tanh2", tanh2, raising=False)
    monkeypatch.setattr(Value, "exp2", exp2, raising=False)
    return Value


def mixed(a: Any, b: Any, c: Any, *, own: bool) -> Any:
    """An expression mixing engine ops with micrograd-style ones (or their engine twins)."""
    h = a * b + c.sin()  # engine ops
    t = h.tanh2() if own else h.tanh()
    e = (a * 0.5).exp2() if own else (a * 0.5).exp()
    m = mul2(t, e) if own else t * e
    return m + t * b - (m / (1 + c * c)) + a.relu()


def numeric_gradient(f: Callable[[list[float]], float], xs: list[float], i: int) -> float:
    h = 1e-6
    up, down = list(xs), list(xs)
    up[i] += h
    down[i] -= h
    return (f(up) - f(down)) / (2 * h)


def test_a_micrograd_style_op_is_recorded_as_micrograd_records_it(
    patched_value: type[Value],
) -> None:
    x = Value(0.5)
    t = x.tanh2()  # type: ignore[attr-defined]
    assert t._op == "tanh" and t.op == "tanh"
    assert t._prev == {x} and t.parents == (x,)
    assert t.data == pytest.approx(math.tanh(0.5), rel=1e-15)
    t.backward()
    assert x.grad == pytest.approx(1 - math.tanh(0.5) ** 2, rel=1e-12)


@given(st.lists(st.floats(min_value=-2.0, max_value=2.0), min_size=3, max_size=3))
def test_micrograd_style_ops_mixed_with_engine_ops_match_the_engines_own(
    xs: list[float],
) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Value, "tanh2", tanh2, raising=False)
        mp.setattr(Value, "exp2", exp2, raising=False)
        ours = [Value(x) for x in xs]
        root = mixed(*ours, own=True)
        root.backward()
        engine = [Value(x) for x in xs]
        twin = mixed(*engine, own=False)
        twin.backward()
        assert root.data == pytest.approx(twin.data, rel=1e-12, abs=1e-12)
        for v, w in zip(ours, engine):
            assert v.grad == pytest.approx(w.grad, rel=1e-9, abs=1e-12)

        def f(point: list[float]) -> float:
            return float(mixed(*map(Value, point), own=True).data)

        for i, v in enumerate(ours):
            if abs(xs[0]) < 1e-4 and i == 0:
                continue  # relu's kink
            assert v.grad == pytest.approx(numeric_gradient(f, xs, i), rel=1e-5, abs=1e-6)


def test_a_micrograd_style_node_takes_part_in_backward_like_any_other(
    patched_value: type[Value],
) -> None:
    a, b = Value(0.3), Value(-1.2)
    root = mul2(a.tanh2(), b) + a * b  # type: ignore[attr-defined]
    root.backward()
    first = (a.grad, b.grad)
    assert first[0] == pytest.approx((1 - math.tanh(0.3) ** 2) * -1.2 + -1.2)
    assert first[1] == pytest.approx(math.tanh(0.3) + 0.3)
    root.backward()  # twice: the same gradients added again, closures included
    assert (a.grad, b.grad) == (2 * first[0], 2 * first[1])


def test_a_closure_that_raises_leaves_every_grad_as_it_was(patched_value: type[Value]) -> None:
    a = Value(0.3)
    t: Value = a.tanh2()  # type: ignore[attr-defined]
    root = t * a
    a.grad, t.grad = 5.0, 7.0

    def broken() -> None:
        raise RuntimeError("a broken closure")

    t._backward = broken  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="a broken closure"):
        root.backward()
    assert (a.grad, t.grad, root.grad) == (5.0, 7.0, 0.0)


def test_higher_orders_refuse_a_micrograd_style_node_with_a_typed_error(
    patched_value: type[Value],
) -> None:
    from autograd_mini import grad

    with pytest.raises(TypeError, match="micrograd's way"):
        grad(grad(lambda x: x.tanh2()))(0.5)


# --------------------------------------------------------------------------- no _backward


def test_a_node_with_children_and_no_backward_passes_nothing() -> None:
    a, b = Value(2.0), Value(3.0)
    opaque = Value(a.data * b.data, (a, b), "opaque")
    assert opaque._prev == {a, b} and opaque._op == "opaque"
    assert opaque.local_grads == (0.0, 0.0)
    root = opaque * a + b
    root.backward()
    assert opaque.grad == 2.0  # it receives its gradient...
    assert a.grad == 6.0  # ...but passes none on: only the direct a in opaque * a
    assert b.grad == 1.0
    opaque._backward()  # its own step is a no-op too
    assert (a.grad, b.grad) == (6.0, 1.0)


def test_a_labelled_micrograd_node_keeps_its_label_and_repr() -> None:
    a = Value(2.0, label="a")
    out = Value(4.0, (a,), "sq", label="out")
    assert (out.label, out._op, out.data, out.grad) == ("out", "sq", 4.0, 0.0)
    assert repr(out) == "Value(data=4.0, grad=0.0)"


def test_value_with_a_string_second_argument_points_to_label() -> None:
    with pytest.raises(TypeError, match=r"label="):
        Value(1.0, "b")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="_children must be Values"):
        Value(1.0, (1.0,))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="_op must be a str"):
        Value(1.0, (), None)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- micrograd itself


def test_micrograd_value_and_graph_attributes_agree_on_the_readme_example() -> None:
    mg = pytest.importorskip("micrograd.engine")

    def build(make: Callable[[float], Any]) -> list[Any]:
        a, b = make(-4.0), make(2.0)
        c = a * b
        d = c + b
        e = d * d
        return [a, b, c, d, e]

    ours, theirs = build(Value), build(mg.Value)
    for o, t in zip(ours, theirs):
        assert o._op == t._op
        assert len(o._prev) == len(t._prev)
        assert repr(o) == repr(t).replace("grad=0)", "grad=0.0)")
    ours[-1].backward()
    theirs[-1].backward()
    for o, t in zip(ours, theirs):
        assert (o.data, o.grad) == (t.data, t.grad)  # micrograd's root grad is the int 1


def test_micrograd_mlp_demo_code_runs_on_both_and_agrees() -> None:
    mg_nn = pytest.importorskip("micrograd.nn")
    mg_engine = pytest.importorskip("micrograd.engine")
    from autograd_mini import nn

    def demo(nn_module: Any, value_cls: Any) -> tuple[list[float], list[float], float]:
        random.seed(12)
        model = nn_module.MLP(3, [4, 4, 1])
        xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
        ys = [1.0, -1.0, -1.0, 1.0]
        for _ in range(5):
            ypred = [model([value_cls(x) for x in row]) for row in xs]
            loss = sum(((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred)), value_cls(0.0))
            model.zero_grad()
            loss.backward()
            for p in model.parameters():
                p.data += -0.05 * p.grad
        return [p.data for p in model.parameters()], [p.grad for p in model.parameters()], \
            loss.data

    ours = demo(nn, Value)
    theirs = demo(mg_nn, mg_engine.Value)
    assert ours[2] == pytest.approx(theirs[2], rel=1e-10)
    assert ours[0] == pytest.approx(theirs[0], rel=1e-10, abs=1e-12)
    assert ours[1] == pytest.approx(theirs[1], rel=1e-9, abs=1e-12)
