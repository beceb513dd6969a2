"""`autograd_mini.jit`: traced once, replayed bit for bit like the engine.

Every comparison is exact: values and gradients are compared with ``==`` (NaN
where eager has NaN), never with a tolerance, since the generated code runs
the engine's own float functions in the engine's order.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from autograd_mini import TraceWarning, Value, jit


def same(a: float, b: float) -> bool:
    """Bit-for-bit agreement as the tests mean it: ``==``, or NaN in both."""
    return a == b or (a != a and b != b)


def all_same(xs: Sequence[float], ys: Sequence[float]) -> bool:
    return len(xs) == len(ys) and all(map(same, xs, ys))


# --------------------------------------------------------------------------- arguments


def test_the_same_value_passed_twice_gets_each_share_and_later_calls_are_not_aliased() -> None:
    f = jit(lambda x, y: x * y + x)
    a = Value(3.0)
    out = f(a, a)  # traced with x is y
    out.backward()
    assert (out.data, a.grad) == (12.0, 7.0)  # d(a*a + a)/da = 2a + 1
    c, d = Value(5.0), Value(4.0)
    out = f(c, d)  # the same structure: replayed, x and y now distinct
    out.backward()
    assert (out.data, c.grad, d.grad) == (25.0, 5.0, 5.0)


def test_a_value_argument_read_in_python_warns_like_a_number_argument() -> None:
    def f(x: Value) -> Value:
        return x * 2 if x.data > 0 else -x

    with pytest.warns(TraceWarning, match=r"\.data"):
        jit(f)(Value(1.0))


def test_a_jitted_function_called_inside_another_is_traced_through() -> None:
    inner = jit(lambda x, k: (x * x).relu() * k)
    outer = jit(lambda x: inner(x, 3.0) + x)
    for v in (2.0, 3.0, -1.0):  # the first call traces; the others replay
        a, b = Value(v), Value(v)
        out = outer(a)
        out.backward()
        want = (b * b).relu() * 3.0 + b
        want.backward()
        assert (out.data, a.grad) == (want.data, b.grad)


def test_higher_order_gradients_through_a_jit_output_raise() -> None:
    from autograd_mini import grad, hessian

    cube = jit(lambda x: x * x * x)
    assert grad(cube)(2.0) == 12.0  # first order is fine
    with pytest.raises(TypeError, match=r"compiled with jit.*cannot be differentiated again"):
        grad(grad(cube))(2.0)
    with pytest.raises(TypeError, match="compiled with jit"):
        hessian(lambda x, y: jit(lambda a, b: a * a * b)(x, y))(1.0, 2.0)


@pytest.mark.parametrize(
    ("fn", "point"),
    [
        (lambda x, y: (x - y).exp(), (800.0, 0.0)),  # gradients +inf and -inf
        (lambda x, y: x * 1e308 + y * 1e308, (1.0, 1.0)),  # finite, their sum overflows
    ],
    ids=["opposite-infinities", "large-finite"],
)
def test_gradients_whose_sum_is_not_finite_are_still_the_engines(
    fn: Callable[..., Value], point: tuple[float, float]
) -> None:
    a, b = (Value(v) for v in point)
    want = fn(a, b)
    want.backward()
    c, d = (Value(v) for v in point)
    out = jit(fn)(c, d)
    out.backward()
    assert all_same([out.data, c.grad, d.grad], [want.data, a.grad, b.grad])


# --------------------------------------------------------------------------- random programs

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from autograd_mini.testing import ALL_OPS, Expression, expressions  # noqa: E402

POINTS = st.one_of(
    st.floats(-3.0, 3.0),
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.5]),  # kinks of relu and abs, exact zeros
)
RANDOM_PROGRAMS = 1000


def eager_run(expr: Expression, point: Sequence[float], z: Value) -> list[float]:
    """Value and d/dx, d/dy, d/dz of ``expr(x, y, z)`` on the engine, op by op."""
    x, y = Value(point[0]), Value(point[1])
    z.data, z.grad = point[2], 0.0
    out = expr(x, y, z)
    out.backward()
    return [out.data, x.grad, y.grad, z.grad]


@settings(
    max_examples=RANDOM_PROGRAMS,
    derandomize=True,  # a fixed sequence of programs, in CI and locally
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    expressions(("x", "y", "z"), ops=ALL_OPS, max_depth=5, max_size=12),
    st.lists(st.tuples(POINTS, POINTS, POINTS), min_size=4, max_size=4),
    st.booleans(),
)
def test_random_programs_replay_bit_for_bit_like_eager(
    expr: Expression, points: list[tuple[float, float, float]], x_is_number: bool
) -> None:
    # x and y are arguments (x passed as a number or a Value), z is captured
    # from outside, as a model's parameter would be: read at every call, with
    # its gradient filled by backward. The program is traced on the first point
    # and replayed on the three others.
    z = Value(0.0)
    traces = []

    def program(x: Value, y: Value) -> Value:
        traces.append(1)
        return expr(x, y, z)

    f = jit(program)
    for point in points:
        want = eager_run(expr, point, z)
        z.data, z.grad = point[2], 0.0
        x, y = Value(point[0]), Value(point[1])
        out = f(point[0] if x_is_number else x, y)
        out.backward()
        got = [out.data, x.grad, y.grad, z.grad]
        if x_is_number:
            want[1] = 0.0  # a number argument has no gradient to fill
        assert all_same(got, want), (str(expr), point, got, want, f.source)
    assert len(traces) == 1


# --------------------------------------------------------------------------- repeated structure


def eager_and_jit(fn: Callable[..., Any], make_args: Callable[[], list[Any]],
                  leaves: Callable[[list[Any]], list[Value]], calls: int = 3) -> Any:
    """Run ``fn`` eagerly and jitted on fresh arguments ``calls`` times; compare exactly.

    ``make_args(k)`` builds the k-th call's arguments; ``leaves(args)`` lists
    the Values whose gradients are compared. Returns the jitted function.
    """
    f = jit(fn)
    for k in range(calls):
        eager_args, jit_args = make_args(k), make_args(k)
        want = fn(*eager_args)
        want.backward()
        got = f(*jit_args)
        got.backward()
        assert same(got.data, want.data), k
        assert all_same([v.grad for v in leaves(jit_args)], [v.grad for v in leaves(eager_args)]), k
    return f


def test_a_per_example_loop_with_shared_weights_is_rolled_and_exact() -> None:
    import random

    rng = random.Random(1)
    data = [[rng.uniform(-2, 2), rng.uniform(-2, 2)] for _ in range(40)]
    weights = [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(4)]

    def loss(w: list[list[Value]], xs: list[list[Value]]) -> Value:
        total = Value(0.0)
        for x in xs:  # the same small network for every example
            hidden = [(wi[0] * x[0] + wi[1] * x[1] + wi[2]).tanh() for wi in w[:3]]
            score = w[3][0] * hidden[0] + w[3][1] * hidden[1] + w[3][2] * hidden[2]
            total = total + (1.0 - score).relu()
        return total * (1.0 / len(xs))

    def make(k: int) -> list[Any]:
        shift = 0.1 * k
        return [[[Value(v + shift) for v in row] for row in weights],
                [[Value(a - shift), Value(b)] for a, b in data]]

    def leaves(args: list[Any]) -> list[Value]:
        return [v for rows in args for row in rows for v in row]

    f = eager_and_jit(loss, make, leaves)
    assert "for i in range(" in f.source
    ops_per_example = 3 * 5 + 5 + 3  # far fewer lines than the 40 examples' operations
    assert len(f.source.splitlines()) < 40 * ops_per_example


def test_a_long_chain_is_one_loop_and_exact() -> None:
    def chain(x: Value) -> Value:
        y = x
        for _ in range(500):
            y = (y * 0.999 + 0.001).relu()
        return y

    f = eager_and_jit(chain, lambda k: [Value([0.5, -0.25, 3.0][k])], lambda a: a)
    assert "for i in range(" in f.source
    assert len(f.source.splitlines()) < 60  # 1,500 operations


def test_a_running_sum_with_varying_constants_is_rolled_and_exact() -> None:
    def running(xs: list[Value]) -> Value:
        s = Value(0.0)
        for k, x in enumerate(xs):
            s = s + (k % 3) * x.sin() + x * (k + 0.5)  # different constants each step
        return s

    f = eager_and_jit(running, lambda k: [[Value(k + i / 7) for i in range(60)]], lambda a: a[0])
    assert "for i in range(" in f.source


def test_micrograds_demo_source_stays_small() -> None:
    import random

    from autograd_mini.datasets import make_moons
    from autograd_mini.jit import codegen
    from autograd_mini.losses import hinge, l2_penalty
    from autograd_mini.nn import MLP

    X, y = make_moons(n=100, noise=0.1, seed=0)
    model = MLP(2, [16, 16, 1], rng=random.Random(0))

    @jit
    def loss_fn(xs: list[list[Value]]) -> Value:
        return hinge([model(x) for x in xs], y) + l2_penalty(model.parameters(), 1e-4)

    loss_fn(X)
    lines = len(loss_fn.source.splitlines())
    unrolled = len(codegen.generate(loss_fn._last.graph, roll=False)[0].splitlines())  # type: ignore[union-attr]
    assert "for i in range(" in loss_fn.source
    assert lines < 4000  # 3,942 operations; about 80,000 lines unrolled
    assert 10 * lines < unrolled


# --------------------------------------------------------------------------- captured parameters


def test_captured_closure_and_attribute_parameters_are_read_at_every_call() -> None:
    w = Value(2.0)

    class Model:
        def __init__(self) -> None:
            self.b = Value(0.5)

    m = Model()
    f = jit(lambda x: (w * x + m.b).tanh())
    ew, eb = Value(2.0), Value(0.5)
    for step in range(4):
        x = 0.3 * step - 0.4
        out = f(x)
        out.backward()  # gradients accumulate across calls, as eager's do
        want = (ew * x + eb).tanh()
        want.backward()
        assert out.data == want.data
        assert (w.grad, m.b.grad) == (ew.grad, eb.grad)
        for p, q in ((w, ew), (m.b, eb)):  # one SGD step changes .data between calls
            p.data -= 0.1 * p.grad
            q.data -= 0.1 * q.grad
        assert (w.data, m.b.data) == (ew.data, eb.data)


def test_nested_arguments_and_retracing_by_structure() -> None:
    traces: list[object] = []

    @jit
    def f(pair: tuple[Value, Value], rest: list[Value]) -> Value:
        traces.append(1)
        total = pair[0] * pair[1]
        for r in rest:
            total = total + r * r
        return total

    assert f((1.0, 2.0), [3.0]).data == 11.0
    assert f((2.0, 2.0), [1.0]).data == 5.0  # same structure: replayed
    assert len(traces) == 1
    assert f((1.0, 2.0), [3.0, 4.0]).data == 27.0  # a longer list: a new trace
    assert len(traces) == 2
    a = Value(1.0)
    assert f((a, 2.0), [3.0]).data == 11.0  # a Value where a number was: a new trace
    assert len(traces) == 3
    assert f([1.0, 2.0], [3.0]).data == 11.0  # a list where a tuple was: a new trace
    assert len(traces) == 4
    assert f((5.0, 1.0), [3.0, 1.0]).data == 15.0  # an earlier structure: replayed
    assert len(traces) == 4


def test_retrace_after_the_model_changes() -> None:
    params = [Value(1.0), Value(2.0)]
    f = jit(lambda x: sum((p * x for p in params), Value(0.0)))
    assert f(1.0).data == 3.0
    params.append(Value(4.0))  # the trace holds the Values it captured
    assert f(1.0).data == 3.0
    f.retrace()
    out = f(1.0)
    assert out.data == 7.0
    out.backward()
    assert [p.grad for p in params] == [1.0, 1.0, 1.0]


# --------------------------------------------------------------------------- TraceWarning


def test_reads_in_user_code_warn_with_the_users_file_and_line() -> None:
    import sys

    lines: dict[str, int] = {}

    def f(x: Value) -> Value:
        y = x * 2
        big, lines["data"] = y.data > 1, sys._getframe().f_lineno
        half, lines["float"] = float(y) / 2, sys._getframe().f_lineno
        top, lines["item"] = y.item(), sys._getframe().f_lineno
        return y * (3.0 if big else half + top)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        jit(f)(1.0)
    found = {(w.filename, w.lineno) for w in caught if issubclass(w.category, TraceWarning)}
    assert found == {(__file__, lines[k]) for k in ("data", "float", "item")}
    messages = " ".join(str(w.message) for w in caught)
    assert ".data" in messages and "float()" in messages and ".item()" in messages


def test_a_read_warns_once_per_place() -> None:
    def f(xs: list[Value]) -> Value:
        total = Value(0.0)
        for x in xs:
            total = total + (x if x.data > 0 else -x)  # read once per element
        return total

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        jit(f)([1.0, -2.0, 3.0])
    assert len([w for w in caught if issubclass(w.category, TraceWarning)]) == 1


def test_library_reads_do_not_warn() -> None:
    import random

    from autograd_mini import dot
    from autograd_mini.losses import (
        binary_cross_entropy,
        hinge,
        l2_penalty,
        mse,
        softmax_cross_entropy,
    )
    from autograd_mini.nn import MLP

    model = MLP(2, [4, 3], rng=random.Random(0))

    def f(x: list[Value]) -> Value:
        out = model(x)
        probs = [o.sigmoid() for o in out]
        return (hinge(out, [1.0, -1.0, 1.0]) + l2_penalty(model.parameters(), 1e-4)
                + mse(out, [0.0, 1.0, 0.5]) + softmax_cross_entropy(out, 1)
                + binary_cross_entropy(probs[0], 1.0) + dot(x, out[:2], 0.5))

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        g = jit(f)
        for point in ([0.5, -1.0], [2.0, 0.25]):
            g(point).backward()


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("fn", "good", "bad", "error"),
    [
        (lambda x, y: x / y, (1.0, 2.0), (1.0, 0.0), ZeroDivisionError),
        (lambda x: (x * 2).log(), (1.0,), (-1.0,), ValueError),
        (lambda x: (x - 1).sqrt(), (2.0,), (0.5,), ValueError),
    ],
    ids=["division-by-zero", "log-of-negative", "sqrt-of-negative"],
)
def test_domain_errors_at_replay_are_the_engines(
    fn: Callable[..., Value], good: tuple[float, ...], bad: tuple[float, ...], error: type
) -> None:
    f = jit(fn)
    f(*good)  # traced on good values
    with pytest.raises(error) as eager:
        fn(*(Value(v) for v in bad))
    with pytest.raises(error) as replay:
        f(*bad)
    assert str(replay.value) == str(eager.value)
    assert "<autograd_mini.jit" not in str(replay.value)


def test_bad_uses_raise_clear_type_errors() -> None:
    with pytest.raises(TypeError, match=r"must return a Value.*returned float 3.0"):
        jit(lambda x: 3.0)(1.0)
    with pytest.raises(TypeError, match=r"must return a Value.*returned list"):
        jit(lambda x: [])(1.0)
    with pytest.raises(TypeError, match=r"arguments must be numbers, Values.*str 'abc'"):
        jit(lambda x: x)("abc")
    with pytest.raises(TypeError, match=r"dict \{'a': 1\}"):
        jit(lambda x: x)({"a": 1})
    with pytest.raises(TypeError, match=r"positional arguments only.*'x'"):
        jit(lambda x: x)(x=1.0)
    with pytest.raises(TypeError, match="expected a function"):
        jit(3)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="not been called yet"):
        _ = jit(lambda x: x).source
    for kind in (list, tuple):
        outs = jit(lambda x, kind=kind: kind([x * 2, x * 3]))(1.0)
        assert type(outs) is not kind and isinstance(outs, kind)
        with pytest.raises(TypeError, match="returned 2 Values; call backward"):
            outs.backward()


def test_micrograd_style_closure_nodes_are_refused() -> None:
    def double(x: Value) -> Value:
        out = Value(2 * x.data, (x,), "double")

        def _backward() -> None:
            x.grad += 2 * out.grad

        out._backward = _backward  # type: ignore[method-assign]
        return out

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TraceWarning)
        with pytest.raises(TypeError, match=r"micrograd's way.*'double'.*primitive"):
            jit(double)(1.0)


# --------------------------------------------------------------------------- inf and nan


INF, NAN = math.inf, math.nan


@pytest.mark.parametrize(
    ("fn", "points"),
    [
        (lambda x: x.sqrt(), [(4.0,), (0.0,)]),  # an infinite derivative at 0
        (lambda x, y: (x * 0.0) * y.exp(), [(1.0, 1.0), (1.0, 1000.0)]),  # 0 * inf upstream
        (lambda x: x.relu() * 2, [(1.0,), (NAN,), (-1.0,)]),  # relu of nan
        (lambda x, y: x.relu().sqrt() * y, [(2.0, 1.0), (-1.0, 1.0)]),  # inf meets relu's 0
        (lambda x, y: abs(x) * y, [(1.0, 2.0), (0.0, INF), (0.0, NAN)]),
        (lambda x, y: x ** y, [(2.0, 3.0), (0.0, 0.5), (0.0, 2.0), (-8.0, 3.0)]),
        (lambda x, y: x * y + x, [(1.0, 2.0), (INF, 0.0), (NAN, 1.0)]),
    ],
    ids=["sqrt-at-0", "zero-times-inf", "relu-of-nan", "sqrt-of-relu-0", "abs-at-0", "pow",
         "inf-input"],
)
def test_non_finite_gradients_are_exactly_eagers(
    fn: Callable[..., Value], points: list[tuple[float, ...]]
) -> None:
    f = jit(fn)
    for point in points:
        eager, jitted = [Value(v) for v in point], [Value(v) for v in point]
        want = fn(*eager)
        want.backward()
        got = f(*jitted)
        got.backward()
        got_all = [got.data, *(v.grad for v in jitted)]
        assert all_same(got_all, [want.data, *(v.grad for v in eager)]), point


# --------------------------------------------------------------------------- no_grad, eager use


def test_under_no_grad_only_the_forward_runs() -> None:
    from autograd_mini import no_grad

    w = Value(3.0)
    f = jit(lambda x: (x * w).tanh())
    with no_grad():
        first = f(0.5)  # traced under no_grad: the trace still records
        again = f(Value(0.25))
    for r in (first, again):
        assert type(r) is Value and r.is_leaf and r.op == ""
    assert (first.data, again.data) == ((Value(0.5) * w).tanh().data, (Value(0.25) * w).tanh().data)
    out = f(0.5)  # with grad enabled again: a differentiable output
    out.backward()
    ew = Value(3.0)
    (Value(0.5) * ew).tanh().backward()
    assert w.grad == ew.grad


def test_jit_outputs_feed_eager_operations() -> None:
    def g(x: Value, w: Value) -> Value:
        return (x * w).sigmoid() + x * x

    f = jit(g)
    for v in (0.5, -1.5):
        x1, w1, y1 = Value(v), Value(2.0), Value(0.7)
        x2, w2, y2 = Value(v), Value(2.0), Value(0.7)
        want = g(x1, w1) * 2 + y1
        want.backward()
        out = f(x2, w2) * 2 + y2
        out.backward()
        got = [out.data, x2.grad, w2.grad, y2.grad]
        assert all_same(got, [want.data, x1.grad, w1.grad, y1.grad])


# --------------------------------------------------------------------------- micrograd's demo


def test_micrograds_demo_loop_trains_bit_for_bit_like_eager() -> None:
    import random

    from autograd_mini.datasets import make_moons
    from autograd_mini.losses import hinge, l2_penalty
    from autograd_mini.nn import MLP
    from autograd_mini.optim import SGD

    X, y = make_moons(n=100, noise=0.1, seed=0)
    steps = 20

    def make() -> tuple[MLP, SGD]:
        model = MLP(2, [16, 16, 1], rng=random.Random(0))
        return model, SGD(model.parameters(), lr=1.0)

    eager_model, eager_opt = make()
    jit_model, jit_opt = make()

    @jit
    def loss_fn(xs: list[list[Value]]) -> Value:
        scores = [jit_model(x) for x in xs]
        return hinge(scores, y) + l2_penalty(jit_model.parameters(), 1e-4)

    for k in range(steps):
        lr = 1.0 - 0.9 * k / 100
        inputs = [[Value(a), Value(b)] for a, b in X]
        scores = [eager_model(x) for x in inputs]
        loss = hinge(scores, y) + l2_penalty(eager_model.parameters(), 1e-4)
        eager_opt.zero_grad()
        loss.backward()
        eager_opt.lr = lr
        eager_opt.step()
        jit_loss = loss_fn(X)
        jit_opt.zero_grad()
        jit_loss.backward()
        jit_opt.lr = lr
        jit_opt.step()
        assert jit_loss.data == loss.data, k
        assert [p.data for p in jit_model.parameters()] == [
            p.data for p in eager_model.parameters()], k
    assert loss.data < 0.5  # it trained


# --------------------------------------------------------------------------- the two-node network


def test_the_two_node_networks_compiled_cost_reads_as_the_lesson() -> None:
    from autograd_mini.two_node import TwoNodeNetwork

    for cost in ("squared", "cross_entropy"):
        net = TwoNodeNetwork(0.8, -0.2, -1.2, 0.3, cost=cost)
        f = net.jit_cost()
        for x, y in ((1.5, 1.0), (-0.5, 0.0), (2.0, 1.0)):
            net.zero_grad()
            J = f(x, y)
            J.backward()
            hand = net.hand_gradients(x, y)
            engine = TwoNodeNetwork(net.w1.data, net.b1.data, net.w2.data, net.b2.data, cost=cost)
            want = engine.cost(x, y)
            want.backward()
            assert J.data == want.data
            assert [p.grad for p in net.parameters()] == [p.grad for p in engine.parameters()]
            for key, p in zip(("dJ_dw1", "dJ_db1", "dJ_dw2", "dJ_db2"), net.parameters()):
                assert p.grad == pytest.approx(hand[key], rel=1e-12, abs=1e-15)
        assert "(x, y, w2, w1, b1, b2) = inputs" in f.source
        for line in ("z1 = v0 + b1", "a1 = _sigmoid(z1)", "z2 = v3 + b2", "g_w2 += a1 * g_v3",
                     "g_w1 += x * g_v0", "g_z1 += a1 * (1.0 - a1) * g_a1"):
            assert f"    {line}\n" in f.source, (cost, line)
        if cost == "squared":
            assert "    y_hat = _sigmoid(z2)\n" in f.source
            assert "    g_z2 += y_hat * (1.0 - y_hat) * g_y_hat\n" in f.source  # delta2


# --------------------------------------------------------------------------- no_grad inside


@pytest.mark.parametrize("backend", ["python", "numpy"])
def test_no_grad_inside_the_function_is_replayed_and_passes_no_gradient(backend: str) -> None:
    """A value computed under no_grad inside the function follows the inputs at every
    call (it is not frozen at trace time) and, as in eager code, no gradient flows
    through it."""
    from autograd_mini import no_grad

    w = Value(2.0)

    def f(x: Value) -> Value:
        with no_grad():
            scale = (x * x + 1.0).sqrt()
        return (w * x) / scale

    g = jit(f, backend=backend)
    for xv in (3.0, -1.5, 0.25, 7.0):
        x1 = Value(xv)
        w.grad = 0.0
        out = g(x1)
        out.backward()
        compiled = (out.data, w.grad, x1.grad)
        x2 = Value(xv)
        w.grad = 0.0
        eager = f(x2)
        eager.backward()
        assert compiled == (eager.data, w.grad, x2.grad)
