"""Issue 15, item 10: limits count nesting, not length; an EXPR may start with a minus.

A flat run of ``+ -`` (or ``* /``) is one level however long, so sums of
101, 1,000 and 10,000 terms parse, evaluate, differentiate and draw, while
deep nesting of signs, calls, powers and parentheses is still refused.
"""

from __future__ import annotations

import ast
import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_mini import Value
from autograd_mini.cli import main
from autograd_mini.expr import MAX_DEPTH, MAX_LENGTH, ExpressionError, parse_expression


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["graph", *argv])
    out, err = capsys.readouterr()
    return code, out, err


# --------------------------------------------------------------------------- flat chains


@pytest.mark.parametrize("n", [101, 102, 1000, 3000, 10_000])
def test_a_flat_sum_of_many_terms_is_one_level(n: int) -> None:
    expression = parse_expression(" + ".join(["x"] * n))
    x = Value(1.5)
    result = expression.evaluate({"x": x})
    assert isinstance(result, Value)
    result.backward()
    assert result.data == 1.5 * n
    assert x.grad == float(n)


@pytest.mark.parametrize(
    "text",
    [
        "-".join(f"x{i}" for i in range(10_000)),  # subtractions, 10,000 variables
        " + ".join(f"w{i}*x{i}" for i in range(5_000)),  # a flat sum of products
        "*".join(["x"] * 5_000),  # a flat product
        "/".join(["x"] * 3_000),
        "tanh(" + " + ".join(["x"] * 10_000) + ")",  # a flat sum inside a call
        "(" + " - ".join(["y"] * 10_000) + ") * 2",
        " + ".join(["sin(x)**2"] * 5_000),
        "-x" + " + -x" * 9_999,  # signs on every term are not nesting either
    ],
    ids=["minus-chain", "sum-of-products", "product", "quotients", "in-a-call",
         "in-parentheses", "powers-in-a-sum", "negated-terms"],
)
def test_long_flat_chains_parse_and_evaluate(text: str) -> None:
    expression = parse_expression(text)
    values = {name: 0.5 + random.Random(name).random() for name in expression.variables}
    leaves = {name: Value(v) for name, v in values.items()}
    result = expression.evaluate(leaves)
    plain = expression.evaluate(values)
    assert isinstance(result, Value)
    assert result.data == plain  # the same left-to-right order as Python's parser
    result.backward()


def test_the_same_value_as_pythons_own_left_to_right_order() -> None:
    rng = random.Random(0)
    terms = [rng.uniform(-1, 1) for _ in range(2_000)]
    text = " + ".join(repr(t) for t in terms) + " + x"
    expected = 0.0
    for t in terms:
        expected = t if expected == 0.0 and t is terms[0] else expected + t
    result = parse_expression(text).evaluate({"x": 0.0})
    assert result == expected + 0.0


@pytest.mark.parametrize(
    "text",
    [
        "-" * (MAX_DEPTH + 1) + "x",
        "tanh(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1),
        "(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1),
        "(" * 5_000 + "x" + ")" * 5_000,
        "-" * 5_000 + "x",
        " + ".join(["x"] * 100) + " + " + "sin(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1),
        "x + (" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1),
    ],
    ids=["signs", "calls", "parentheses", "5000-parentheses", "5000-signs", "deep-in-a-sum",
         "right-nested-sum"],
)
def test_deep_nesting_is_still_refused(text: str) -> None:
    with pytest.raises(ExpressionError, match="nested too deeply"):
        parse_expression(text)


def test_nesting_up_to_the_limit_is_accepted() -> None:
    assert parse_expression("-" * (MAX_DEPTH - 1) + "x").variables == ("x",)
    assert parse_expression("sin(" * 40 + "x" + ")" * 40).variables == ("x",)


def test_the_length_limit_allows_a_10000_term_sum_and_still_applies() -> None:
    assert len(" + ".join(f"x{i}" for i in range(10_000))) < MAX_LENGTH
    with pytest.raises(ExpressionError, match="too long"):
        parse_expression("x+" * MAX_LENGTH + "x")


@pytest.mark.parametrize(
    ("suffix", "message"),
    [
        (" + x.real", "not allowed here: '.'"),
        (" + foo(x)", "unknown function 'foo'"),
        (" + x[0]", "not allowed here: '\\['"),
        (" +", "invalid syntax"),
        (" + 'a'", "not allowed here"),
    ],
)
def test_errors_in_long_expressions_point_at_the_fault_briefly(suffix: str,
                                                               message: str) -> None:
    text = " + ".join(["x"] * 10_000) + suffix
    with pytest.raises(ExpressionError, match=message) as info:
        parse_expression(text)
    assert len(str(info.value)) < 600
    if info.value.col_offset is not None:
        assert info.value.col_offset >= len(text) - len(suffix) - 1


# The flat parser must build exactly the tree Python's parser builds, positions included.
_ATOMS = st.sampled_from(["x", "y", "2", "0.5", "1e-3", "tanh(x)", "(x + y)", "(-y)", "é"])
_OPS = st.sampled_from([" + ", " - ", "*", " / ", " ** ", "+-", "*-", " - -"])


@st.composite
def _texts(draw: st.DrawFn) -> str:
    parts = [draw(st.sampled_from(["", "-", "+", "- "])) + draw(_ATOMS)]
    for _ in range(draw(st.integers(0, 8))):
        parts.append(draw(_OPS) + draw(_ATOMS))
    text = "".join(parts)
    if draw(st.booleans()):
        text = f"sin({text})"
    return text


@settings(max_examples=300)
@given(_texts() | st.text(alphabet="xy01.+-*/() e\n", max_size=20))
def test_the_flat_parser_builds_the_tree_python_builds(text: str) -> None:
    text = text.strip()
    try:
        want = ast.dump(ast.parse(text, mode="eval").body, include_attributes=True)
    except (SyntaxError, ValueError):
        want = None
    try:
        got = ast.dump(parse_expression(text)._tree, include_attributes=True)
    except ExpressionError:
        got = None
    if got is not None:
        assert got == want


# --------------------------------------------------------------------------- the command


@pytest.mark.parametrize(
    ("expression", "value", "grads"),
    [
        ("-x*y", -2.0, {"x": -2.0, "y": -1.0}),
        ("-x", -1.0, {"x": -1.0}),
        ("-(x+y)", -3.0, {"x": -1.0, "y": -1.0}),
        ("-sin(x)*0 - y", -2.0, {"x": -0.0, "y": -1.0}),
        ("-2*x*y", -4.0, {"x": -4.0, "y": -2.0}),
        ("--x*y", 2.0, {"x": 2.0, "y": 1.0}),
        ("-o*x", -1.0, {"o": -1.0, "x": -1.0}),  # looks like -o, reads as an expression
        ("-h*x", -1.0, {"h": -1.0, "x": -1.0}),
    ],
)
def test_an_expression_may_start_with_a_minus(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, expression: str, value: float,
    grads: dict[str, float],
) -> None:
    names = sorted(grads)
    at = {"x": "x=1", "y": "y=2", "o": "o=1", "h": "h=1"}
    code, out, err = run(capsys, expression, "--at", *[at[n] for n in names],
                         "-o", str(tmp_path / "g.dot"))
    assert code == 0, err
    lines = dict(line.strip().rsplit(" = ", 1) for line in out.splitlines() if " = " in line)
    assert float(lines[expression]) == value
    for name, grad in grads.items():
        assert float(lines[f"d/d{name}"]) == grad


def test_options_before_a_minus_expression_and_attached_values_still_work(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_file = tmp_path / "g.dot"
    code, out, err = run(capsys, "-o", str(out_file), "-x*y", "--at", "x=1", "y=2")
    assert code == 0, err
    assert out_file.exists()
    attached = tmp_path / "h.dot"
    code, out, err = run(capsys, f"-o{attached}", "-x", "--at", "x=3")
    assert code == 0, err
    assert attached.exists() and "d/dx = -1.0" in out


def test_the_installed_command_accepts_a_minus_expression(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "autograd_mini", "graph", "-x*y", "--at", "x=1", "y=2",
         "-o", str(tmp_path / "g.dot")],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "-x*y = -2.0" in result.stdout


def test_a_10000_term_sum_draws_with_max_nodes(capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path) -> None:
    text = " + ".join(["x"] * 10_000)
    out_file = tmp_path / "sum.dot"
    code, out, err = run(capsys, text, "--at", "x=1", "-o", str(out_file))
    assert code == 2
    assert "10000 Values" in err and "--max-nodes 10000" in err
    assert "d/dx = 10000.0" in out
    code, out, err = run(capsys, text, "--at", "x=1", "--max-nodes", "10000",
                         "-o", str(out_file))
    assert code == 0, err
    assert "d/dx = 10000.0" in out
    source = out_file.read_text()
    assert source.count("[label=<+>") == 9_999  # one + node per addition
    assert source.count("v0 -> op") == 10_000  # x feeds every term
