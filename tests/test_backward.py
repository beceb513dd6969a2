"""backward(): seeding, interior gradients, accumulation, deep and wide graphs."""

from __future__ import annotations

import math
import sys

import pytest

from autograd_mini import Value, dot, topological_order, vsum


def test_backward_seeds_the_root_with_one() -> None:
    a = Value(3.0)
    y = a * 2.0
    y.backward()
    assert y.grad == 1.0
    assert a.grad == 2.0


def test_interior_nodes_get_their_gradients() -> None:
    # L = (x*y + x)**2 at x = 2, y = 3: u = 6, v = 8, L = 64.
    # dL/dv = 2v = 16; dL/du = 16; dL/dx = 16 * (y + 1) = 64; dL/dy = 16 * x = 32.
    x, y = Value(2.0), Value(3.0)
    u = x * y
    v = u + x
    L = v**2
    assert L.data == 64.0
    L.backward()
    assert L.grad == 1.0
    assert v.grad == 16.0
    assert u.grad == 16.0
    assert x.grad == 64.0
    assert y.grad == 32.0


def test_interior_gradients_of_a_sigmoid_neuron() -> None:
    # s = sigmoid(w*x + b) at w = 0.5, x = 2, b = -1: z = 0, s = 1/2, ds/dz = 1/4.
    w, x, b = Value(0.5), Value(2.0), Value(-1.0)
    wx = w * x
    z = wx + b
    s = z.sigmoid()
    loss = (s - 1.0) ** 2  # dloss/ds = 2 (s - 1) = -1
    loss.backward()
    assert s.grad == -1.0
    assert z.grad == -0.25
    assert wx.grad == -0.25
    assert b.grad == -0.25
    assert w.grad == -0.25 * 2.0
    assert x.grad == -0.25 * 0.5


def test_diamond_graph_sums_both_paths() -> None:
    # f = a*b + sin(a) with a shared; df/da = b + cos(a)
    a, b = Value(0.7), Value(-1.3)
    p = a * b
    q = a.sin()
    f = p + q
    f.backward()
    assert p.grad == 1.0 and q.grad == 1.0
    assert a.grad == pytest.approx(-1.3 + math.cos(0.7), rel=1e-15)
    assert b.grad == 0.7


def test_reused_non_leaf_nodes() -> None:
    a = Value(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert c.data == 12.0
    assert b.grad == 2.0
    assert a.grad == 4.0


def test_reused_non_leaf_in_a_product() -> None:
    # b = a*a, c = b*b = a**4: dc/db = 2b, dc/da = 4 a**3
    a = Value(1.5)
    b = a * a
    c = b * b
    c.backward()
    assert b.grad == 2 * 1.5**2
    assert a.grad == pytest.approx(4 * 1.5**3, rel=1e-15)


def test_backward_on_a_leaf() -> None:
    a = Value(5.0)
    a.backward()
    assert a.grad == 1.0
    a.backward()
    assert a.grad == 2.0


def _twice_graph() -> tuple[list[Value], Value]:
    x, y = Value(0.3), Value(-2.0)
    u = x * y
    v = u.tanh() + x
    w = v * v + u  # u is used twice: inside v and directly; x reaches w by two paths
    return [x, y, u, v, w], w


def test_backward_twice_adds_the_same_gradients_again() -> None:
    nodes, w = _twice_graph()
    x, y, u, v, _ = nodes
    w.backward()
    first = [n.grad for n in nodes]
    # the first pass is right (closed forms)
    t = math.tanh(-0.6)
    dv = 2 * (t + 0.3)
    du = dv * (1 - t * t) + 1
    assert first == pytest.approx([du * -2.0 + dv, du * 0.3, du, dv, 1.0], rel=1e-14)
    w.backward()
    # interior nodes: exactly twice (micrograd would double-count them and their parents)
    assert [u.grad, v.grad, w.grad] == [2 * first[2], 2 * first[3], 2 * first[4]]
    # leaves: the same contributions added again
    assert [x.grad, y.grad] == pytest.approx([2 * first[0], 2 * first[1]], rel=1e-15)
    w.backward()
    assert [u.grad, v.grad, w.grad] == [3 * first[2], 3 * first[3], 3 * first[4]]
    assert [x.grad, y.grad] == pytest.approx([3 * first[0], 3 * first[1]], rel=1e-15)


def test_backward_twice_doubles_leaf_gradients_exactly() -> None:
    # Value.backward's docstring promises "exactly the same gradients again ... to
    # leaves". a reaches y by two paths: the first pass gives 0.1 + 0.2, which is
    # 0.30000000000000004; exactly twice that is 0.6000000000000001, but adding the two
    # contributions one by one again gives (0.30000000000000004 + 0.1) + 0.2 = 0.6.
    a = Value(1.0)
    y = a * 0.1 + a * 0.2
    y.backward()
    first = a.grad
    assert first == 0.1 + 0.2
    y.backward()
    assert a.grad == 2 * first


def test_backward_of_two_roots_accumulates_into_shared_nodes() -> None:
    a = Value(2.0)
    m = a * a  # shared interior node
    r1 = m * 3.0
    r2 = m.log()
    r1.backward()
    r2.backward()
    assert m.grad == pytest.approx(3.0 + 1 / 4.0)
    assert a.grad == pytest.approx((3.0 + 1 / 4.0) * 4.0)
    # the roots themselves: each was seeded once
    assert r1.grad == 1.0 and r2.grad == 1.0


def test_nodes_outside_the_graph_are_untouched() -> None:
    a, b = Value(1.0), Value(2.0)
    unused = a * b
    y = a + 1.0
    y.backward()
    assert unused.grad == 0.0
    assert b.grad == 0.0
    assert a.grad == 1.0


def test_backward_leaves_data_and_structure_alone() -> None:
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    before = [(n.data, n.parents, n.local_grads, n.op) for n in (a, b, c, d)]
    d.backward()
    assert [(n.data, n.parents, n.local_grads, n.op) for n in (a, b, c, d)] == before


def test_topological_order_puts_every_node_before_its_parents() -> None:
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    e = d * c
    order = topological_order(e)
    assert order[0] is e
    position = {id(n): i for i, n in enumerate(order)}
    assert len(position) == len(order) == 3  # each interior node once, leaves left out
    for node in order:
        for p in node.parents:
            if not p.is_leaf:
                assert position[id(p)] > position[id(node)]


# --------------------------------------------------------------------------- deep and wide


@pytest.mark.slow
def test_a_chain_of_a_million_nodes_at_the_default_recursion_limit() -> None:
    limit = sys.getrecursionlimit()
    n = 1_000_000
    k = 1.0 + 1e-6
    x = Value(1.0)
    y = x
    for _ in range(n):
        y = y * k
    y.backward()
    assert sys.getrecursionlimit() == limit
    # y = x * k**n, dy/dx = k**n (about e)
    assert y.data == pytest.approx(k**n, rel=1e-9)
    assert x.grad == pytest.approx(k**n, rel=1e-9)
    del y  # freeing the chain must not overflow the C stack either


def test_a_chain_deeper_than_the_recursion_limit_through_mixed_ops() -> None:
    depth = 3 * sys.getrecursionlimit()
    x = Value(0.5)
    y = x
    for _ in range(depth):
        y = (y + 1.0) - 1.0  # two nodes per step, gradient 1
    y.backward()
    assert x.grad == 1.0
    assert y.data == pytest.approx(0.5)


def test_fan_in_of_ten_thousand_through_one_node() -> None:
    leaves = [Value(float(i)) for i in range(10_000)]
    total = vsum(leaves)
    assert len(total.parents) == 10_001 or len(total.parents) == 10_000
    total.backward()
    assert total.data == sum(range(10_000))
    assert all(leaf.grad == 1.0 for leaf in leaves)


def test_fan_in_of_ten_thousand_through_a_python_sum() -> None:
    leaves = [Value(float(i)) for i in range(10_000)]
    total = sum((leaf * leaf for leaf in leaves), Value(0.0))  # depth 20,000
    total.backward()
    assert total.data == sum(i * i for i in range(10_000))
    assert all(leaf.grad == 2.0 * i for i, leaf in enumerate(leaves))


def test_one_node_feeding_ten_thousand_consumers() -> None:
    x = Value(2.0)
    terms = [x * float(i) for i in range(10_000)]
    total = vsum(terms)
    total.backward()
    assert x.grad == float(sum(range(10_000)))
    assert all(t.grad == 1.0 for t in terms)


def test_dot_with_ten_thousand_weights() -> None:
    n = 10_000
    ws = [Value(1.0 / (i + 1)) for i in range(n)]
    xs = [Value(float(i % 7)) for i in range(n)]
    b = Value(0.5)
    y = dot(ws, xs, b)
    assert y.parents[:n] == tuple(ws)
    y.backward()
    assert y.data == pytest.approx(0.5 + math.fsum((i % 7) / (i + 1) for i in range(n)))
    assert all(w.grad == float(i % 7) for i, w in enumerate(ws))
    assert all(x.grad == 1.0 / (i + 1) for i, x in enumerate(xs))
    assert b.grad == 1.0


# ----------------------------------------------------------------- zero edges and the collector


def test_node_reached_through_a_dead_relu_and_a_live_path() -> None:
    a, b = Value(-1.0), Value(2.0)
    m = a * b  # -2: its relu is inactive
    y = m.relu() * 5.0 + m * 3.0
    y.backward()
    assert m.grad == 3.0  # only the live path counts
    assert (a.grad, b.grad) == (6.0, -3.0)
    y.backward()
    assert m.grad == 6.0
    assert (a.grad, b.grad) == (12.0, -6.0)


def test_nodes_behind_a_zero_derivative_keep_their_gradient() -> None:
    a = Value(-3.0)
    hidden = a * 2.0  # reached by y only through an inactive relu
    hidden.backward()  # give it (and a) a gradient from another root
    assert (hidden.grad, a.grad) == (1.0, 2.0)
    y = hidden.relu() + 4.0
    y.backward()
    assert (hidden.grad, a.grad) == (1.0, 2.0)  # d y / d hidden = 0 was added
    assert y.grad == 1.0


@pytest.mark.parametrize("enabled", [True, False])
def test_backward_leaves_the_garbage_collector_as_it_found_it(enabled: bool) -> None:
    import gc

    was = gc.isenabled()
    try:
        if enabled:
            gc.enable()
        else:
            gc.disable()
        x = Value(1.5)
        (x * x + x).backward()
        assert x.grad == 4.0
        assert gc.isenabled() is enabled
    finally:
        if was:
            gc.enable()
        else:
            gc.disable()


def test_a_zero_local_derivative_carries_nothing_even_times_an_infinite_gradient() -> None:
    # Documented in Value.backward: an edge whose local derivative is exactly 0
    # is not followed, so 0 * inf counts as 0 (PyTorch would give nan), both for
    # the edge's own parent and for everything behind it.
    a, b = Value(-1.0), Value(2.0)
    inactive = a.relu()  # local derivative 0
    y = (inactive * b + a) * math.inf
    y.backward()
    assert a.grad == math.inf  # through `+ a`, local 1
    assert b.grad == 0.0  # d/db = inactive.data = 0: not nan
    assert inactive.grad == math.inf  # the node itself still receives its gradient
    # A nan gradient is treated the same way.
    c = Value(-3.0)
    z = c.relu() * math.nan + c
    z.backward()
    assert c.grad == 1.0
