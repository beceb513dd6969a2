"""Optional reference suite: values and gradients against PyTorch in float64.

Skipped when torch is not installed (`AUTOGRAD_MINI_TORCH=1 bash scripts/test.sh` installs
torch==2.13.0, the `torch` extra, into the main venv; CI does).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_mini import Value
from autograd_mini.ops import PRIMITIVES

torch = pytest.importorskip("torch")

moderate = st.floats(min_value=-5.0, max_value=5.0, allow_nan=False)
positive = st.floats(min_value=0.05, max_value=5.0)


def _dot(*args: Any) -> Any:
    n = (len(args) - 1) // 2
    total = args[-1]
    for w, x in zip(args[:n], args[n : 2 * n]):
        total = total + w * x
    return total


def _sum(*args: Any) -> Any:
    total = args[0]
    for a in args[1:]:
        total = total + a
    return total


# name -> (torch function of tensors, argument domain); "scale" takes (tensor, python float).
TORCH: dict[str, tuple[Callable[..., Any], st.SearchStrategy[tuple[float, ...]]]] = {
    "add": (torch.add, st.tuples(moderate, moderate)),
    "sub": (torch.sub, st.tuples(moderate, moderate)),
    "mul": (torch.mul, st.tuples(moderate, moderate)),
    "scale": (lambda x, c: x * c, st.tuples(moderate, moderate)),
    "neg": (torch.neg, st.tuples(moderate)),
    "div": (torch.div, st.tuples(moderate, moderate.filter(lambda y: abs(y) > 0.05))),
    "quotient": (torch.div, st.tuples(moderate, moderate.filter(lambda y: abs(y) > 0.05))),
    "pow": (torch.pow, st.tuples(positive, st.floats(min_value=-3.0, max_value=3.0))),
    "abs": (torch.abs, st.tuples(moderate)),
    "relu": (torch.relu, st.tuples(moderate)),
    "tanh": (torch.tanh, st.tuples(st.floats(min_value=-30.0, max_value=30.0))),
    "sigmoid": (torch.sigmoid, st.tuples(st.floats(min_value=-40.0, max_value=40.0))),
    # torch's default threshold=20 returns x itself above 20; ours is exact there
    "softplus": (lambda x: torch.nn.functional.softplus(x, threshold=1000.0),
                 st.tuples(st.floats(min_value=-40.0, max_value=40.0))),
    "exp": (torch.exp, st.tuples(st.floats(min_value=-50.0, max_value=50.0))),
    "log": (torch.log, st.tuples(st.floats(min_value=1e-6, max_value=1e6))),
    "sqrt": (torch.sqrt, st.tuples(st.floats(min_value=1e-6, max_value=1e6))),
    "sin": (torch.sin, st.tuples(moderate)),
    "cos": (torch.cos, st.tuples(moderate)),
    "dot": (
        _dot,
        st.integers(min_value=0, max_value=4).flatmap(
            lambda n: st.tuples(*([moderate] * (2 * n + 1)))
        ),
    ),
    "dot_relu": (
        lambda *args: torch.relu(_dot(*args)),
        st.integers(min_value=0, max_value=4)
        .flatmap(lambda n: st.tuples(*([moderate] * (2 * n + 1))))
        .filter(lambda a: abs(_dot(*a)) > 1e-6),  # away from the kink
    ),
    "sum": (_sum, st.lists(moderate, min_size=1, max_size=6).map(tuple)),
}


def leaf(x: float) -> Any:
    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


def val(t: Any) -> float:
    return float(t.detach())


def grad_of(t: Any) -> float:
    return 0.0 if t.grad is None else float(t.grad)


def test_every_primitive_has_a_torch_reference() -> None:
    assert set(TORCH) == set(PRIMITIVES)


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
@given(data=st.data())
def test_primitive_matches_torch(name: str, data: st.DataObject) -> None:
    fn, domain = TORCH[name]
    args = data.draw(domain)
    prim = PRIMITIVES[name]
    if name == "scale":
        ours = [Value(args[0])]
        out = prim(ours[0], args[1])
        theirs = [leaf(args[0])]
        ref = fn(theirs[0], args[1])
    else:
        ours = [Value(a) for a in args]
        out = prim(*ours)
        theirs = [leaf(a) for a in args]
        ref = fn(*theirs)
    assert out.data == pytest.approx(val(ref), rel=1e-12, abs=1e-300)
    out.backward()
    ref.backward()
    # 1 - tanh**2 and s (1 - s) lose relative accuracy (not absolute) where they
    # approach 0, in both engines: hence the absolute tolerance
    for v, t in zip(ours, theirs):
        assert v.grad == pytest.approx(grad_of(t), rel=1e-10, abs=1e-15)


@pytest.mark.parametrize("name", ["abs", "relu"])
def test_kinks_use_torch_conventions(name: str) -> None:
    fn, _ = TORCH[name]
    v, t = Value(0.0), leaf(0.0)
    PRIMITIVES[name](v).backward()
    fn(t).backward()
    assert v.grad == grad_of(t) == 0.0


@pytest.mark.parametrize("x", [-1000.0, -50.0, 50.0, 1000.0])
def test_saturating_functions_match_torch_far_out(x: float) -> None:
    for method in ("tanh", "sigmoid"):
        v, t = Value(x), leaf(x)
        out = getattr(v, method)()
        ref = getattr(t, method)()
        assert out.data == pytest.approx(val(ref), rel=1e-12, abs=1e-300)
        out.backward()
        ref.backward()
        assert v.grad == pytest.approx(grad_of(t), rel=1e-10, abs=1e-15)


@pytest.mark.parametrize(
    ("base", "exponent"), [(2.0, 3.0), (0.5, -2.0), (3.0, 0.5), (1.0, 7.0), (4.0, 0.0), (0.0, 2.0)]
)
def test_value_pow_value_and_number_pow_value(base: float, exponent: float) -> None:
    # Value ** Value
    a, b = Value(base), Value(exponent)
    ta, tb = leaf(base), leaf(exponent)
    out, ref = a**b, ta**tb
    assert out.data == pytest.approx(val(ref), rel=1e-12)
    out.backward()
    ref.backward()
    assert a.grad == pytest.approx(grad_of(ta), rel=1e-12)
    assert b.grad == pytest.approx(grad_of(tb), rel=1e-12)
    # number ** Value
    c, tc = Value(exponent), leaf(exponent)
    out2, ref2 = base**c, base**tc
    assert out2.data == pytest.approx(val(ref2), rel=1e-12)
    out2.backward()
    ref2.backward()
    assert c.grad == pytest.approx(grad_of(tc), rel=1e-12)


# ------------------------------------------------------------------ random composite expressions
# Every step is written with operations that Values and tensors share, and is
# defined for any real inputs, so one program runs on both engines.
STEPS: dict[str, Callable[[Any, Any], Any]] = {
    "add": lambda x, y: x + y,
    "sub": lambda x, y: x - y,
    "mul": lambda x, y: x * y,
    "div": lambda x, y: x / (y * y + 1.0),
    "rsub": lambda x, y: 2.5 - x,
    "rdiv": lambda x, y: 1.0 / (x * x + 0.5),
    "pow_vv": lambda x, y: (x * x + 0.5) ** y.tanh(),  # Value ** Value
    "pow_nv": lambda x, y: 2.0 ** x.tanh(),  # number ** Value
    "pow_vn": lambda x, y: x**3,
    "tanh": lambda x, y: x.tanh(),
    "sigmoid": lambda x, y: x.sigmoid(),
    "exp": lambda x, y: x.tanh().exp(),
    "log": lambda x, y: (x * x + 1.0).log(),
    "sqrt": lambda x, y: (x * x + 0.25).sqrt(),
    "sin": lambda x, y: x.sin(),
    "cos": lambda x, y: x.cos(),
    "relu": lambda x, y: x.relu(),
    "abs": lambda x, y: abs(x),
    "neg": lambda x, y: -x,
}


@st.composite
def programs(draw: st.DrawFn) -> tuple[list[float], list[tuple[str, int, int]]]:
    leaves = draw(st.lists(st.floats(min_value=-2.0, max_value=2.0), min_size=1, max_size=4))
    steps = []
    for k in range(draw(st.integers(min_value=1, max_value=12))):
        n = len(leaves) + k
        steps.append((
            draw(st.sampled_from(sorted(STEPS))),
            draw(st.integers(min_value=0, max_value=n - 1)),
            draw(st.integers(min_value=0, max_value=n - 1)),
        ))
    return leaves, steps


def run(nodes: list[Any], steps: list[tuple[str, int, int]]) -> list[Any]:
    for name, i, j in steps:
        nodes.append(STEPS[name](nodes[i], nodes[j]))
    root = nodes[-1]
    for extra in nodes[:-1]:
        root = root + extra * 0.5  # the root depends on every node
    nodes.append(root)
    return nodes


@given(programs())
def test_random_expressions_match_torch(program: tuple[list[float], list[Any]]) -> None:
    leaves, steps = program
    ours = run([Value(x) for x in leaves], steps)
    theirs = run([leaf(x) for x in leaves], steps)
    for name, i, _ in steps:  # keep clear of the kinks of relu and abs
        if name in ("relu", "abs") and abs(ours[i].data) < 1e-9:
            return
    for t in theirs[len(leaves):]:
        t.retain_grad()
    for o, t in zip(ours, theirs):
        assert o.data == pytest.approx(val(t), rel=1e-10, abs=1e-12)
    ours[-1].backward()
    theirs[-1].backward()
    for o, t in zip(ours, theirs):  # leaves and interior nodes
        expected = grad_of(t)
        assert math.isfinite(o.grad)
        assert o.grad == pytest.approx(expected, rel=1e-9, abs=1e-12)
