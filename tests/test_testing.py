"""Tests of autograd_mini.testing: gradcheck, gradgradcheck, strategies, the profile."""

from __future__ import annotations

import math
import re
import subprocess
import sys
import textwrap
from typing import Any

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from autograd_mini import Primitive, Value, engine, primitive, reference
from autograd_mini.engine import PRIMITIVES
from autograd_mini.testing import (
    ALL_OPS,
    NARY_ARGUMENTS,
    NONSMOOTH_OPS,
    PROFILE,
    SMOOTH_OPS,
    Expression,
    Ref,
    expressions,
    gradcheck,
    gradgradcheck,
    register_profile,
    values,
)

# A sine whose derivative rule is 10% too large: the engine trusts it, so only
# a comparison with finite differences can notice.
bad_sin = primitive(
    math.sin,
    lambda x: 1.1 * (x.cos() if isinstance(x, Value) else math.cos(x)),
    name="bad_sin",
)

# Right first derivative, wrong second: the rule's float is cos(x), but its
# Value form is sin(x) + constant, whose derivative is cos(x), not -sin(x).
half_bad_sin = primitive(
    math.sin,
    lambda x: (x.sin() + (math.cos(x.data) - math.sin(x.data))) if isinstance(x, Value)
    else math.cos(x),
    name="half_bad_sin",
)


# --------------------------------------------------------------------------- gradcheck


@pytest.mark.parametrize(
    ("f", "args"),
    [
        (lambda x: x * x, (3.0,)),
        (lambda x, y: (x * y).sin() + x.log(), (0.5, 2.0)),
        (lambda x, y, z: (x / y + z.exp()).tanh() ** 2, (0.3, -1.7, 0.2)),
        (lambda x: x.sigmoid() * x.sqrt(), (2.5,)),
        (lambda x, y: x**y, (1.5, 2.5)),
        (lambda x: Value(3.0), (1.0,)),  # independent of x: gradient 0 on both sides
        (lambda x: x, (-2.0,)),  # the identity returns its own leaf
        (lambda x, y: (x - y).relu() + abs(x), (1.0, 0.25)),  # away from the kinks
    ],
)
def test_gradcheck_passes_on_correct_functions(f: Any, args: tuple[float, ...]) -> None:
    assert gradcheck(f, *args) is True


def test_gradcheck_accepts_ints_and_numpy_scalars() -> None:
    np = pytest.importorskip("numpy")
    assert gradcheck(lambda x, y: x * y + x, 2, np.float64(0.5)) is True


def test_gradcheck_fails_on_a_wrong_partial_with_a_table() -> None:
    with pytest.raises(AssertionError) as info:
        gradcheck(lambda x, y: bad_sin(x) * y, 0.5, 2.0)
    message = str(info.value)
    analytic = 1.1 * math.cos(0.5) * 2.0
    numeric = math.cos(0.5) * 2.0
    lines = message.splitlines()
    assert lines[0].startswith("gradcheck: 1 of 2 first derivatives")
    for word in ("index", "analytic", "numeric", "difference", "tolerance", "fd error"):
        assert word in lines[1]
    row0 = next(line for line in lines[2:] if line.split()[:2] == ["x", "0"])
    row1 = next(line for line in lines[2:] if line.split()[0] == "1")
    assert row0.endswith("MISMATCH")
    assert row1.endswith("ok")
    numbers0 = [float(t) for t in row0.split()[2:7]]
    assert numbers0[0] == pytest.approx(analytic, rel=1e-12)
    assert numbers0[1] == pytest.approx(numeric, rel=1e-8)
    assert numbers0[2] == pytest.approx(abs(analytic - numeric), rel=1e-6)
    # tolerance = atol + rtol*|numeric| + fd error, with atol 0 by default
    assert 0.0 < numbers0[4] < 1e-8
    assert numbers0[3] == pytest.approx(1e-5 * abs(numeric) + numbers0[4], rel=1e-12)
    numbers1 = [float(t) for t in row1.split()[1:5]]
    assert numbers1[0] == pytest.approx(math.sin(0.5) * 1.1 / 1.1, rel=1e-12)
    assert "rtol=1e-05" in lines[0] and "atol=0.0" in lines[0] and "eps=1e-06" in lines[0]


def test_gradcheck_tolerances_decide() -> None:
    f = lambda x: bad_sin(x)
    with pytest.raises(AssertionError):
        gradcheck(f, 0.5)
    # A 10% error passes once the relative tolerance allows 20%.
    assert gradcheck(f, 0.5, rtol=0.2)


def test_gradcheck_reports_nan_as_a_mismatch() -> None:
    nan_grad = primitive(lambda x: x, lambda x: math.nan, name="nan_grad")
    with pytest.raises(AssertionError, match="nan"):
        gradcheck(lambda x: nan_grad(x), 1.0)


@pytest.mark.parametrize("bad", [Value(1.0), "1.0", None, True, [1.0], 1j])
def test_gradcheck_rejects_non_numbers(bad: object) -> None:
    with pytest.raises(TypeError, match=r"gradcheck: argument 1"):
        gradcheck(lambda x, y: x * y, 1.0, bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
def test_gradcheck_rejects_non_finite_arguments(bad: float) -> None:
    with pytest.raises(ValueError, match=r"gradcheck: argument 0 must be a finite number, got "):
        gradcheck(lambda x: x * x, bad)


def test_gradcheck_rejects_a_non_value_return() -> None:
    with pytest.raises(TypeError, match=r"gradcheck: .*must return a Value.*float 1\.0"):
        gradcheck(lambda x: 1.0, 2.0)


def test_gradcheck_needs_an_argument() -> None:
    with pytest.raises(TypeError, match="at least one argument"):
        gradcheck(lambda: Value(1.0))


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"eps": 0.0}, ValueError),
        ({"eps": -1e-6}, ValueError),
        ({"rtol": math.nan}, ValueError),
        ({"atol": -1.0}, ValueError),
        ({"atol": "small"}, TypeError),
    ],
)
def test_gradcheck_rejects_bad_tolerances(kwargs: dict[str, Any], error: type) -> None:
    with pytest.raises(error, match=r"gradcheck: (eps|rtol|atol)"):
        gradcheck(lambda x: x * x, 1.0, **kwargs)


def test_gradcheck_does_not_touch_the_callers_values() -> None:
    w = Value(2.0)
    assert gradcheck(lambda x: x * w, 3.0)
    assert w.grad == 0.0


# --------------------------------------------------------------------------- gradgradcheck


@pytest.mark.parametrize(
    ("f", "args"),
    [
        (lambda x: x**3, (2.0,)),
        (lambda x, y: (x * y).sin() + x.log() * y.exp(), (0.5, 0.7)),
        (lambda x, y: x.tanh() / (1.0 + y * y) + y.sigmoid(), (0.3, -0.8)),
        (lambda x, y: (x * x + 1.0) ** y, (0.4, 1.5)),
        (lambda x: x * 2.0 + 1.0, (3.0,)),  # linear: a constant first derivative
    ],
)
def test_gradgradcheck_passes_on_correct_functions(f: Any, args: tuple[float, ...]) -> None:
    assert gradgradcheck(f, *args) is True


def test_gradgradcheck_fails_on_a_wrong_second_order_rule() -> None:
    # The first derivative is right, so gradcheck passes...
    assert gradcheck(lambda x: half_bad_sin(x), 0.5)
    # ...but the engine's second derivative is cos(x) instead of -sin(x).
    with pytest.raises(AssertionError) as info:
        gradgradcheck(lambda x, y: half_bad_sin(x) * y, 0.5, 2.0)
    lines = str(info.value).splitlines()
    assert lines[0].startswith("gradgradcheck: 1 of 4 second derivatives")
    bad = [line for line in lines[2:] if line.endswith("MISMATCH")]
    assert len(bad) == 1 and "(0, 0)" in bad[0]
    analytic, numeric = (float(t) for t in bad[0].split()[3:5])
    assert analytic == pytest.approx(2.0 * math.cos(0.5), rel=1e-12)
    assert numeric == pytest.approx(-2.0 * math.sin(0.5), rel=1e-6)


def test_gradgradcheck_errors() -> None:
    with pytest.raises(TypeError, match="gradgradcheck: argument 0"):
        gradgradcheck(lambda x: x, "2")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"gradgradcheck: .*must return a Value"):
        gradgradcheck(lambda x: 2.0, 1.0)


# --------------------------------------------------------------------------- values


@given(values(-2.5, 4.0))
def test_values_are_finite_and_bounded(x: float) -> None:
    assert isinstance(x, float)
    assert math.isfinite(x)
    assert -2.5 <= x <= 4.0


@given(values())
def test_values_default_bounds(x: float) -> None:
    assert -10.0 <= x <= 10.0


def test_values_reach_both_bounds() -> None:
    assert find(values(-1.0, 1.0), lambda x: x == -1.0) == -1.0
    assert find(values(-1.0, 1.0), lambda x: x == 1.0) == 1.0


@pytest.mark.parametrize(
    ("lo", "hi", "error"),
    [
        (1.0, -1.0, ValueError),
        (math.nan, 1.0, ValueError),
        (0.0, math.inf, ValueError),
        ("0", 1.0, TypeError),
    ],
)
def test_values_rejects_bad_bounds(lo: Any, hi: Any, error: type) -> None:
    with pytest.raises(error, match="values: m"):
        values(lo, hi)


# --------------------------------------------------------------------------- expressions


@settings(max_examples=50)
@given(expressions(("a", "b", "c"), max_depth=3), st.data())
def test_expressions_respect_their_parameters(expr: Expression, data: st.DataObject) -> None:
    assert expr.variables == ("a", "b", "c")
    assert 0 <= expr.depth <= 3
    assert expr.size <= 10
    assert expr.ops <= set(SMOOTH_OPS)
    xs = {v: data.draw(values(-100.0, 100.0)) for v in expr.variables}
    out = expr.evaluate(**xs)
    assert isinstance(out, Value)
    # Every smooth operation is in its domain for any real inputs: no error,
    # and a finite result unless the values grew past float range.
    assert not math.isnan(out.data)


# Every operation of the table with an argument that is not "real": log,
# sqrt, div, pow, exp, scale (and whatever the table gains).
GUARDED_OPS = [name for name, p in PRIMITIVES.items() if set(p.domain) != {"real"}]


def test_the_guarded_ops_include_the_partial_functions() -> None:
    assert {"log", "sqrt", "div", "pow", "exp"} <= set(GUARDED_OPS)


@settings(max_examples=50)
@given(expressions(("x",), ops=GUARDED_OPS), values(-1e3, 1e3))
def test_domain_guarded_ops_never_raise(expr: Expression, x: float) -> None:
    out = expr(x)
    assert not math.isnan(out.data)


@pytest.mark.parametrize("op", ALL_OPS)
@settings(max_examples=10)
@given(data=st.data())
def test_expressions_draw_each_operation(op: str, data: st.DataObject) -> None:
    expr = data.draw(expressions(ops=[op], max_depth=2))
    assert expr.ops == {op}
    assert 1 <= expr.size <= 10
    out = expr(data.draw(values()), data.draw(values()))
    assert not math.isnan(out.data)


def test_expressions_share_subexpressions() -> None:
    expr = find(expressions(("x",), max_size=4), lambda e: "t1 =" in e.formula)
    # The shared node appears once in the Value graph, with two or more children.
    x = Value(0.3)
    out = expr.evaluate(x=x)
    from autograd_mini import topological_order

    nodes = topological_order(out)
    uses: dict[int, int] = {}
    for n in nodes:
        for p in n.parents:
            uses[id(p)] = uses.get(id(p), 0) + 1
    assert any(uses.get(id(n), 0) > 1 for n in nodes)


def test_expressions_with_depth_zero_are_variables() -> None:
    expr = find(expressions(("u", "v"), max_depth=0), lambda e: True)
    assert expr.size == 0 and expr.depth == 0
    u = Value(1.5)
    assert expr.evaluate(u=u, v=2.0) is u


def test_expressions_shrink_to_readable_formulas() -> None:
    expr = find(expressions(), lambda e: "sin" in e.ops)
    assert repr(expr) == "Expression(x, y: sin(x))"


@settings(max_examples=30)
@given(expressions(ops=ALL_OPS), values(), values())
def test_repr_formula_evaluates_to_the_same_number(expr: Expression, x: float, y: float) -> None:
    # The formula is real Python over the engine's functions: running it as
    # code gives the same value as evaluating the expression.
    # Operations are called by their names in the table (dot+relu as dot_relu).
    env: dict[str, Any] = {**PRIMITIVES, "x": Value(x), "y": Value(y)}
    *bindings, result = expr.formula.split("; ")
    for binding in bindings:
        name, code = binding.split(" = ", 1)
        env[name] = eval(code, env)
    value = eval(result, env)
    expected = expr.value(x=x, y=y)
    got = value.data if isinstance(value, Value) else value
    assert got == pytest.approx(expected, rel=1e-12, nan_ok=True)


def test_expression_evaluate_and_call_errors() -> None:
    expr = find(expressions(), lambda e: True)
    with pytest.raises(TypeError, match="missing y"):
        expr.evaluate(x=1.0)
    with pytest.raises(TypeError, match="unknown z"):
        expr.evaluate(x=1.0, y=2.0, z=3.0)
    with pytest.raises(TypeError, match="takes 2 argument"):
        expr(1.0)
    with pytest.raises(TypeError, match="Value"):
        expr.evaluate(x="1", y=2.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"Expression\.value: x must be a real number"):
        expr.value(x=Value(1.0), y=2.0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"variables": "xy"}, TypeError, "sequence of names"),
        ({"variables": ()}, ValueError, "at least one variable"),
        ({"variables": ("x", "x")}, ValueError, "distinct"),
        ({"variables": ("x", 1)}, TypeError, "must be str"),
        ({"variables": ("x", "not valid")}, ValueError, "not usable"),
        ({"variables": ("sin",)}, ValueError, "not usable"),
        ({"ops": ["add", "frobnicate"]}, ValueError, "unknown operation.*frobnicate"),
        ({"ops": []}, ValueError, "at least one"),
        ({"ops": "add"}, TypeError, "collection"),
        ({"max_depth": -1}, ValueError, "max_depth"),
        ({"max_depth": 2.0}, TypeError, "max_depth"),
        ({"max_size": 0}, ValueError, "max_size"),
    ],
)
def test_expressions_rejects_bad_arguments(
    kwargs: dict[str, Any], error: type, pattern: str
) -> None:
    with pytest.raises(error, match=f"expressions: .*{pattern}"):
        expressions(**kwargs)


def test_op_lists_partition() -> None:
    assert set(SMOOTH_OPS) | set(NONSMOOTH_OPS) == set(ALL_OPS)
    assert not set(SMOOTH_OPS) & set(NONSMOOTH_OPS)
    assert set(NONSMOOTH_OPS) == {"relu", "abs", "dot_relu"}
    # The lists are the table's rows: adding a primitive adds it here.
    assert set(ALL_OPS) == set(PRIMITIVES)
    assert set(SMOOTH_OPS) == {name for name, p in PRIMITIVES.items() if p.smooth}


# --------------------------------------------------------------------------- from the table


def domains_of(prim: Primitive, nargs: int) -> tuple[str, ...]:
    return prim.domain if prim.arity is not None else prim.domain * nargs


def in_domain(domain: str, x: Any) -> bool:
    """Whether an argument fits its declared domain (constants must be plain numbers)."""
    if domain == "constant":
        return isinstance(x, float)
    v = x.data if isinstance(x, Value) else x
    if math.isnan(v):  # an overflow upstream (inf - inf), not a domain the strategy chose
        return True
    if domain == "positive":
        return v > 0.0
    if domain == "nonzero":
        return v != 0.0
    if domain == "bounded":
        return abs(v) <= 3.0
    return True


@settings(max_examples=200)
@given(expressions(("x", "y"), ops=ALL_OPS), values(-100.0, 100.0), values(-100.0, 100.0))
def test_every_argument_is_in_its_declared_domain(expr: Expression, x: float, y: float) -> None:
    seen: list[str] = []

    def checking_apply(prim: Primitive, *args: Any) -> Any:
        for domain, a in zip(domains_of(prim, len(args)), args):
            assert in_domain(domain, a), (prim.name, domain, a)
        if prim.arity is None:
            assert len(args) in NARY_ARGUMENTS
        seen.append(prim.name)
        return engine.apply(prim, args)

    out = expr.run(checking_apply, [Value(x), Value(y)])
    assert len(seen) == len(expr.program)
    assert out.data == expr(x, y).data or math.isnan(out.data)


@pytest.mark.parametrize("op", ["dot", "dot_relu", "sum"])
def test_nary_operations_get_an_odd_number_of_arguments(op: str) -> None:
    counts = set()
    for n in NARY_ARGUMENTS:
        expr = find(
            expressions(ops=[op], max_depth=1, max_size=1),
            lambda e: len(e.program[-1].args) == n,  # noqa: B023
        )
        counts.add(len(expr.program[-1].args))
        assert expr.program[-1].prim is PRIMITIVES[op]
    assert counts == {3, 5, 7}


def test_user_primitives_are_drawn_with_their_domains() -> None:
    def strict_log(x: float) -> float:
        if x <= 0:
            raise ValueError(f"strict_log: x must be > 0, got {x!r}")
        return math.log(x)

    slog = primitive(strict_log, lambda x: 1 / x, domain=("positive",))
    expr = find(expressions(("x",), ops=[slog, "sin"]), lambda e: e.ops == {"strict_log", "sin"})
    assert "strict_log(1 + " in expr.formula
    assert any(step.prim is slog for step in expr.program)

    @settings(max_examples=50)
    @given(expressions(("x",), ops=[slog, PRIMITIVES["sub"]]), values(-1e3, 1e3))
    def never_out_of_domain(e: Expression, x: float) -> None:
        assert e.ops <= {"strict_log", "sub"}
        e(x).backward()

    never_out_of_domain()


def test_constant_arguments_are_numbers_never_values() -> None:
    clamp = primitive(lambda x, c: x * c, lambda x, c: c, lambda x, c: x, name="times",
                      domain=("real", "constant"))
    expr = find(expressions(("x",), ops=[clamp], max_size=3), lambda e: e.size == 3)
    for step in expr.program:
        assert isinstance(step.args[1], float)
        assert isinstance(step.args[0], Ref)


def test_run_goes_through_the_given_apply_step_by_step() -> None:
    expr = find(expressions(("x", "y"), ops=["log", "mul"]), lambda e: e.ops == {"log", "mul"})
    # log's positive domain adds the guard 1 + a*a: MUL and ADD steps.
    calls: list[str] = []

    def tracing(prim: Primitive, *args: Any) -> str:
        calls.append(prim.name)
        return f"{prim.name}({', '.join(map(str, args))})"

    assert expr.run(tracing, ["x", "y"]).startswith(("log(", "*("))
    assert calls == [step.prim.name for step in expr.program]
    assert calls.count("+") == calls.count("log")
    plain = expr.run(lambda p, *a: p.forward(*a), [0.5, -2.0])
    assert plain == expr.value(x=0.5, y=-2.0) == expr(0.5, -2.0).data
    ref = expr.run(reference.apply, [reference.Value(0.5), reference.Value(-2.0)])
    assert ref.data == plain


def test_run_rejects_bad_arguments() -> None:
    expr = find(expressions(), lambda e: True)
    with pytest.raises(TypeError, match=r"Expression\.run: apply must be callable, got int 3"):
        expr.run(3, [1.0, 2.0])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"Expression\.run: takes 2 input\(s\) \(x, y\), got 1"):
        expr.run(reference.apply, [1.0])
    with pytest.raises(TypeError, match=r"Expression\.run: inputs must be a sequence"):
        expr.run(reference.apply, 1.0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("op", "pattern"),
    [("add", r"^\w+ \+ \w+$"), ("sub", r"^\w+ - \w+$"), ("mul", r"^\w+ \* \w+$"),
     ("div", r"^\w+ / \(1 \+ \w+\*\w+\)$"), ("pow", r"^\(1 \+ \w+\*\w+\)\*\*tanh\(\w+\)$"),
     ("neg", r"^-\w+$"), ("exp", r"^exp\(tanh\(\w+\)\)$"), ("dot_relu", r"^dot_relu\(")],
)
def test_formulas_are_readable_math(op: str, pattern: str) -> None:
    expr = find(expressions(ops=[op], max_size=1), lambda e: True)
    assert re.search(pattern, expr.formula), expr.formula


@pytest.mark.parametrize(
    ("prim", "error", "pattern"),
    [
        (primitive(math.sin, math.cos, name="odd", domain=("sideways",)), ValueError,
         "operation 'odd' has an unknown domain 'sideways'"),
        (primitive(math.sin, math.cos, name="two", domain=("real", "real")), ValueError,
         "'two' has 2 domain entries for 1 argument"),
        (primitive(math.sin, math.cos, name="fixed", domain=("constant",)), ValueError,
         "'fixed' takes only constants"),
        (primitive(math.sin, math.cos, name="sin"), ValueError,
         "two different operations are named 'sin'"),
        (3.5, TypeError, "a name from PRIMITIVES or a Primitive, got float 3.5"),
    ],
)
def test_expressions_rejects_bad_primitives(prim: Any, error: type, pattern: str) -> None:
    with pytest.raises(error, match=f"expressions: .*{pattern}"):
        expressions(ops=["sin", prim])


# --------------------------------------------------------------------------- the profile


def test_register_profile() -> None:
    from hypothesis import HealthCheck
    from hypothesis import settings as hsettings

    assert register_profile() == PROFILE == "autograd_mini"
    profile = hsettings.get_profile(PROFILE)
    assert profile.deadline is None
    assert profile.max_examples == 100
    assert HealthCheck.too_slow in profile.suppress_health_check
    assert register_profile("autograd_mini_test", max_examples=7) == "autograd_mini_test"
    assert hsettings.get_profile("autograd_mini_test").max_examples == 7
    with pytest.raises(TypeError, match="register_profile: name"):
        register_profile("")


# --------------------------------------------------------------------------- import hygiene


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=False
    )


def test_importing_the_library_does_not_import_hypothesis() -> None:
    result = run_python(
        """
        import sys
        import autograd_mini, autograd_mini.testing
        from autograd_mini.testing import gradcheck, gradgradcheck, Expression
        assert gradcheck(lambda x: x * x, 2.0)
        print("hypothesis" in sys.modules)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_strategies_without_hypothesis_say_how_to_install_it() -> None:
    result = run_python(
        """
        import sys
        sys.modules["hypothesis"] = None  # as if it were not installed
        from autograd_mini.testing import gradcheck, values, expressions, register_profile
        assert gradcheck(lambda x: x.sin(), 1.0)
        for make in (values, expressions, register_profile):
            try:
                make()
            except ImportError as exc:
                print(exc)
            else:
                print("no error")
        """
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 3
    for name, line in zip(("values", "expressions", "register_profile"), lines):
        assert re.search(rf"testing\.{name} needs .*pip install 'autograd-mini\[testing\]'", line)


# --------------------------------------------------------------------------- the docs page

DOCS = __import__("pathlib").Path(__file__).resolve().parent.parent / "docs" / "gradient-testing.md"
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)


def doc_blocks() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(DOCS.read_text(encoding="utf-8"))]


@pytest.mark.parametrize(
    "index", [i for i, (lang, _) in enumerate(doc_blocks()) if lang == "python"]
)
def test_docs_examples_run(index: int, capsys: pytest.CaptureFixture[str]) -> None:
    blocks = doc_blocks()
    code = blocks[index][1]
    namespace: dict[str, Any] = {"__name__": f"docs_example_{index}"}
    exec(compile(code, f"{DOCS.name}[{index}]", "exec"), namespace)
    for name, obj in list(namespace.items()):
        if name.startswith("test_") and callable(obj):
            obj()
    printed = capsys.readouterr().out
    if printed:  # the output shown right after the example is the real one
        lang, shown = blocks[index + 1]
        assert lang == "text"
        assert printed.strip() == shown.strip()
