"""`jit(f, backend="numpy")`: the traced graph batched onto numpy arrays.

Values and gradients must agree with the eager engine within 1e-12 relative
(matrix products and gradient accumulation add in numpy's order), with the
same inf/nan positions, the same domain errors (type and message) and the
same zero-derivative-edge rule.
"""

from __future__ import annotations

import contextlib
import math
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest

pytest.importorskip("numpy")

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograd_mini import Value, jit, no_grad
from autograd_mini.jit import batched
from autograd_mini.nn import MLP
from autograd_mini.testing import ALL_OPS, Expression, expressions

RTOL = 1e-12


def close(a: float, b: float) -> bool:
    """Within 1e-12 relative, or both nan, or the same infinity."""
    if a != a or b != b:
        return a != a and b != b
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= RTOL * max(abs(a), abs(b))


def all_close(xs: Sequence[float], ys: Sequence[float]) -> bool:
    return len(xs) == len(ys) and all(map(close, xs, ys))


@contextlib.contextmanager
def forced() -> Iterator[None]:
    """Batch every graph, however narrow (the cost model would pick the Python backend)."""
    old = batched.FORCE_BATCHING
    batched.FORCE_BATCHING = True
    try:
        yield
    finally:
        batched.FORCE_BATCHING = old


# --------------------------------------------------------------------------- the demo


def moons(n: int) -> tuple[list[list[float]], list[float]]:
    from autograd_mini.datasets import make_moons

    xs, ys = make_moons(n, noise=0.1, seed=3)
    labels = [float(y) for y in ys]
    if min(labels) == 0.0:
        labels = [2.0 * y - 1.0 for y in labels]
    return [[float(a), float(b)] for a, b in xs], labels


def demo_loss(model: MLP) -> Callable[[Any, Any], Value]:
    """micrograd's demo loss: hinge averaged over the points, plus an L2 penalty."""

    def loss(xs: Any, ys: Any) -> Value:
        scores = [model(x) for x in xs]
        losses = [(1 + -y * s).relu() for y, s in zip(ys, scores)]
        data: Value = sum(losses) * (1.0 / len(losses))  # type: ignore[assignment]
        reg: Value = 1e-4 * sum(p * p for p in model.parameters())  # type: ignore[assignment]
        return data + reg

    return loss


def twin_models() -> tuple[MLP, MLP]:
    import random

    a = MLP(2, [16, 16, 1], rng=random.Random(7))
    b = MLP(2, [16, 16, 1], rng=random.Random(7))
    return a, b


def test_the_demo_is_batched_into_matrix_products_and_its_plan_is_shown() -> None:
    model = twin_models()[0]
    f = jit(demo_loss(model), backend="numpy")
    xs, ys = moons(50)
    f(xs, ys)
    source = f.source
    assert source.startswith("# numpy backend:")
    assert "dot+relu x800 (16 neurons x 50 rows, 2 inputs each) -> matmul [50, 2] @ [2, 16]" \
        in source
    assert "sum x1 of 338 terms" in source  # the L2 penalty's chain of +
    assert "np.cumsum" in source and "def backward(saved, seeds):" in source


def test_the_demo_gradients_match_eager_within_1e_12() -> None:
    eager_model, jit_model = twin_models()
    xs, ys = moons(100)
    want = demo_loss(eager_model)(xs, ys)
    want.backward()
    got = jit(demo_loss(jit_model), backend="numpy")(xs, ys)
    got.backward()
    assert close(got.data, want.data)
    wants = [p.grad for p in eager_model.parameters()]
    gots = [p.grad for p in jit_model.parameters()]
    assert any(wants) and all_close(gots, wants), max(
        abs(a - b) / max(abs(a), abs(b)) for a, b in zip(gots, wants) if a or b)


def test_the_demo_trained_for_20_steps_matches_eager_within_1e_12() -> None:
    eager_model, jit_model = twin_models()
    xs, ys = moons(100)
    eager_loss = demo_loss(eager_model)
    f = jit(demo_loss(jit_model), backend="numpy")
    losses: dict[int, list[float]] = {0: [], 1: []}
    for k in range(20):
        lr = 1.0 - 0.9 * k / 100
        for which, (model, fn) in enumerate(((eager_model, eager_loss), (jit_model, f))):
            loss = fn(xs, ys)
            model.zero_grad()
            loss.backward()
            for p in model.parameters():
                p.data -= lr * p.grad
            losses[which].append(loss.data)
    assert losses[0][-1] < 0.5 * losses[0][0]  # it trains
    assert all_close(losses[1], losses[0])
    wants = [p.data for p in eager_model.parameters()]
    gots = [p.data for p in jit_model.parameters()]
    assert all_close(gots, wants)
    assert len(f._cache) == 1  # traced once, replayed 19 times


# --------------------------------------------------------------------------- API


def test_unknown_backend_is_a_value_error_listing_the_backends() -> None:
    with pytest.raises(ValueError, match=r"unknown backend 'torch'; choose from 'python', 'numpy'"):
        jit(lambda x: x, backend="torch")
    with pytest.raises(ValueError, match="unknown backend"):
        jit(backend="cuda")


def test_without_numpy_the_backend_says_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "numpy", None)  # import numpy raises ImportError
    monkeypatch.delitem(sys.modules, "autograd_mini.jit.batched")
    with pytest.raises(ImportError, match=r"pip install 'autograd-mini\[fast\]'"):
        jit(lambda x: x * 2, backend="numpy")
    assert jit(lambda x: x * 2)(3.0).data == 6.0  # the default backend needs nothing


def test_decorator_form_captured_values_no_grad_and_retrace() -> None:
    w = Value(2.0)

    @jit(backend="numpy")
    def f(xs: list[Value]) -> list[Value]:
        return [(x * w).tanh() for x in xs]

    with forced():
        xs = [Value(0.1 * k) for k in range(6)]
        outs = f(xs)
        assert isinstance(outs, list) and len(outs) == 6
        sum(outs).backward()
        ws = Value(2.0)
        es = [Value(0.1 * k) for k in range(6)]
        sum((x * ws).tanh() for x in es).backward()
        assert all_close([o.data for o in outs], [math.tanh(0.2 * k) for k in range(6)])
        assert all_close([w.grad, *[x.grad for x in xs]], [ws.grad, *[x.grad for x in es]])
        with no_grad():
            plain = f([0.5] * 6)
        assert plain[0].is_leaf and close(plain[0].data, math.tanh(1.0))
        w.data = 3.0  # a captured Value is read at every call
        assert close(f([0.5] * 6)[0].data, math.tanh(1.5))
        f.retrace()
        assert close(f([0.5] * 6)[0].data, math.tanh(1.5))


def test_a_long_chain_runs_the_python_backends_code() -> None:
    def chain(x: Value) -> Value:
        for _ in range(300):
            x = (x * 0.999 + 0.001).relu()
        return x

    f = jit(chain, backend="numpy")
    a, b = Value(1.0), Value(1.0)
    out = f(a)
    out.backward()
    want = chain(b)
    want.backward()
    assert (out.data, a.grad) == (want.data, b.grad)  # the Python backend: bit for bit
    assert "too narrow for numpy to pay" in f.source


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("fn", "args", "error", "message"),
    [
        (lambda xs: [x.log() for x in xs], [1.0, -2.0, 3.0, 0.0], ValueError,
         "log: logarithm of -2.0 is undefined"),
        (lambda xs: [1.0 / x for x in xs], [1.0, 2.0, 0.0, 4.0], ZeroDivisionError,
         "/: division of 1.0 by zero"),
        (lambda xs: [x.sqrt() for x in xs], [1.0, 2.0, 3.0, -4.0], ValueError,
         "sqrt: square root of -4.0"),
        (lambda xs: [x ** 0.5 for x in xs], [1.0, -8.0, 3.0, 4.0], ValueError,
         r"\*\*: negative base -8.0 to the non-integer power 0.5"),
        (lambda xs: [x ** -1.0 for x in xs], [1.0, 2.0, 0.0, 4.0], ZeroDivisionError,
         r"\*\*: 0.0 cannot be raised to the negative power -1.0"),
        (lambda xs: [(x * 1e300).sin() for x in xs], [1.0, 2.0, 1e10, 4.0], ValueError,
         "sin: sine of inf"),
        # the first offending operation in the trace's order, as eager: the log
        # (level 2) is traced before the sqrt (level 1)
        (lambda xs: [(xs[0] * 1.0).log() + xs[1].sqrt(), *xs], [-1.0, -1.0, 1.0, 1.0],
         ValueError, "log: logarithm of -1.0"),
    ],
    ids=["log", "div", "sqrt", "pow-negative-base", "pow-zero", "sin-inf", "trace-order"],
)
def test_a_domain_error_at_replay_is_the_engines_own(
    fn: Callable[[list[Value]], list[Value]], args: list[float], error: type[Exception],
    message: str,
) -> None:
    with forced():
        f = jit(fn, backend="numpy")
        f([1.0, 2.0, 3.0, 4.0])  # traced on valid inputs
        with pytest.raises(error, match=message) as got:
            f(args)
    with pytest.raises(error) as want:
        fn([Value(a) for a in args])
    assert str(got.value) == str(want.value)


@pytest.mark.parametrize(
    ("fn", "point"),
    [
        (lambda x, y: x.exp() * y, (1000.0, 0.0)),  # inf meets a zero local derivative
        (lambda x, y: (x - y).exp(), (800.0, 0.0)),  # gradients +inf and -inf
        (lambda x, y: (x * 1e308 * 10).relu() * y + x, (-1.0, 2.0)),  # -inf under relu
        (lambda x, y: (x * 1e308 * 10 - y * 1e308 * 10).tanh() + y.relu(), (1.0, 1.0)),  # nan
    ],
    ids=["zero-edge", "opposite-infinities", "relu-mask", "nan"],
)
def test_infinities_and_nans_are_the_engines(
    fn: Callable[[Value, Value], Value], point: tuple[float, float]
) -> None:
    with forced():
        f = jit(lambda xs, ys: [fn(x, y) for x, y in zip(xs, ys)], backend="numpy")
        xs = [Value(point[0]) for _ in range(3)]
        ys = [Value(point[1]) for _ in range(3)]
        outs = f(xs, ys)
        for out in outs:
            out.backward()
    a, b = Value(point[0]), Value(point[1])
    want = fn(a, b)
    for _ in range(3):
        want.backward()
    got = [outs[0].data, sum(x.grad for x in xs) / 3 * 3, ys[0].grad * 3]
    expected = [want.data, a.grad, b.grad]
    assert all_close(got, expected), (got, expected)


# --------------------------------------------------------------------------- random programs

POINTS = st.one_of(
    st.floats(-3.0, 3.0),
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.5]),  # kinks of relu and abs, exact zeros
)
EXAMPLES = 4


@settings(
    max_examples=300,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    expressions(("x", "y", "z"), ops=ALL_OPS, max_depth=5, max_size=12),
    st.lists(st.tuples(POINTS, POINTS), min_size=EXAMPLES, max_size=EXAMPLES),
    st.lists(POINTS, min_size=2, max_size=2),
)
def test_random_programs_batched_over_examples_match_eager(
    expr: Expression, points: list[tuple[float, float]], zs: list[float]
) -> None:
    # The program runs once per example (x, y), all in one trace, so every
    # operation forms a group of EXAMPLES; z is captured from outside. Traced
    # with z = zs[0], replayed with z = zs[1].
    z = Value(0.0)

    def program(xs: list[Value], ys: list[Value]) -> list[Value]:
        return [expr(x, y, z) for x, y in zip(xs, ys)]

    with forced():
        f = jit(program, backend="numpy")
        for zv in zs:
            z.data, z.grad = zv, 0.0
            xs = [Value(p[0]) for p in points]
            ys = [Value(p[1]) for p in points]
            ez, exs, eys = Value(zv), [Value(p[0]) for p in points], [Value(p[1]) for p in points]
            try:
                wants = [expr(x, y, ez) for x, y in zip(exs, eys)]
            except (ArithmeticError, ValueError) as error:
                with pytest.raises(type(error)) as got_error:
                    f(xs, ys)
                assert str(got_error.value) == str(error)
                continue
            outs = f(xs, ys)
            for out, want in zip(outs, wants):
                out.backward()
                want.backward()
            got = [*(o.data for o in outs), *(x.grad for x in xs), *(y.grad for y in ys), z.grad]
            expected = [*(w.data for w in wants), *(x.grad for x in exs),
                        *(y.grad for y in eys), ez.grad]
            assert all_close(got, expected), (str(expr), points, zv, got, expected, f.source)
