"""``autograd-mini graph``: values and gradients printed, drawings written, bad input exit 2."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograd_mini import Value, ops
from autograd_mini.cli import main
from autograd_mini.commands.graph import DEFAULT_OUTPUT, parse_assignment

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None and not os.environ.get("CI"),
    reason="Graphviz's dot is not installed (CI installs it and runs these tests)",
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["graph", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def printed_numbers(out: str) -> dict[str, float]:
    """The value and d/dname lines of the output, as floats."""
    numbers = {}
    for line in out.splitlines():
        if " = " in line:
            key, _, number = line.rpartition(" = ")
            numbers[key.strip()] = float(number)
    return numbers


def test_prints_value_and_gradients_and_writes_dot(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "neuron.dot"
    code, out, err = run(
        capsys, "tanh(w*x + b)", "--at", "x=1.5", "w=-2", "--at", "b=0.5", "-o", str(target)
    )
    assert code == 0, err
    w, x, b = Value(-2.0), Value(1.5), Value(0.5)
    y = (w * x + b).tanh()
    y.backward()
    numbers = printed_numbers(out)
    assert numbers == {"tanh(w*x + b)": y.data, "d/dw": w.grad, "d/dx": x.grad, "d/db": b.grad}
    assert f"wrote {target}" in out
    source = target.read_text(encoding="utf-8")
    for name in ("w", "x", "b"):
        assert f"<B>{name}</B>" in source
    assert "<tanh>" in source


@needs_dot
@pytest.mark.needs_dot
def test_writes_svg_by_default(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "x**2 * sin(y)", "--at", "x=2", "y=0.5")
    assert code == 0, err
    svg = ET.parse(tmp_path / DEFAULT_OUTPUT).getroot()
    texts = ["".join(t.itertext()) for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert {"x", "y", "**", "sin", "*"} <= set(texts)
    assert printed_numbers(out)["d/dx"] == 2 * 2.0 * math.sin(0.5)


@pytest.mark.parametrize("name", sorted(ops.FUNCTIONS))
def test_accepts_every_engine_function(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    code, out, err = run(capsys, f"{name}(x) * 2", "--at", "x=0.3", "-o", str(tmp_path / "g.dot"))
    assert code == 0, err
    x = Value(0.3)
    y = ops.FUNCTIONS[name](x) * 2
    y.backward()
    assert printed_numbers(out) == {f"{name}(x) * 2": y.data, "d/dx": x.grad}


# (arguments, a fragment the error message must contain)
REJECTED: list[tuple[list[str], str]] = [
    (["x.real + 1", "--at", "x=1"], "^^^^^^"),
    (["foo(x)", "--at", "x=1"], "unknown function 'foo'"),
    (["__import__('os').system('true')", "--at", "x=1"], "attribute access"),
    (["tanh(x=1)"], "keyword"),
    (["lambda: 1"], "lambda"),
    (["[x for x in y]", "--at", "x=1", "y=2"], "comprehension"),
    (["x[0]", "--at", "x=1"], "subscript"),
    (["x**1000", "--at", "x=1"], "exponent"),
    (["x**y**z", "--at", "x=1", "y=1", "z=1"], "power tower"),
    ([""], "empty"),
    (["x +", "--at", "x=1"], "invalid syntax"),
    (["x * y", "--at", "x=1"], "no value for 'y'"),
    (["x", "--at", "x=1", "z=2"], "does not use"),
    (["x", "--at", "x=1", "x=2"], "twice"),
    (["2 * 3"], "no variables"),
    (["log(x)", "--at", "x=-1"], "log"),
    (["x / y", "--at", "x=1", "y=0"], "division"),
    (["x", "--at", "x=1", "-o", "graph.jpg"], ".svg, .png, .pdf, .dot"),
]


@pytest.mark.parametrize(("argv", "fragment"), REJECTED)
def test_rejects_bad_input_with_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    argv: list[str], fragment: str
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert err.startswith("autograd-mini graph: error: ")
    assert fragment in err
    assert out == ""
    assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.parametrize(
    ("item", "fragment"),
    [("x", "NAME=VALUE"), ("x=abc", "must be a number"), ("x=", "must be a number"),
     ("1x=2", "not a valid variable name"), ("x=nan", "finite"), ("x=inf", "finite"),
     ("=3", "not a valid variable name")],
)
def test_bad_at_items_exit_2(
    capsys: pytest.CaptureFixture[str], item: str, fragment: str
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["graph", "x", "--at", item])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "argument --at" in err and fragment in err


def test_parse_assignment() -> None:
    assert parse_assignment("w=-2") == ("w", -2.0)
    assert parse_assignment(" x = 1.5e-3") == ("x", 0.0015)
    with pytest.raises(ValueError, match="NAME=VALUE"):
        parse_assignment("w")


def test_the_expression_is_never_evaluated_as_python(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    marker = tmp_path / "pwned"
    code, _, err = run(capsys, f"open({str(marker)!r}, 'w')")
    assert code == 2 and "unknown function 'open'" in err
    assert not marker.exists()


def test_missing_dot_is_a_clear_error_after_the_numbers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    code, out, err = run(capsys, "x * x", "--at", "x=3", "-o", str(tmp_path / "g.svg"))
    assert code == 1
    assert printed_numbers(out) == {"x * x": 9.0, "d/dx": 6.0}
    assert "apt-get install graphviz" in err and "brew install graphviz" in err
    assert f"-o {tmp_path / 'g.dot'}" in err
    assert not (tmp_path / "g.svg").exists()
    # and .dot output still works without dot
    code, out, err = run(capsys, "x * x", "--at", "x=3", "-o", str(tmp_path / "g.dot"))
    assert code == 0, err
    assert (tmp_path / "g.dot").read_text(encoding="utf-8").startswith("digraph {")


def test_drawing_options(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "g.dot"
    code, _, err = run(
        capsys, "x * x", "--at", "x=3", "-o", str(target), "--rankdir", "TB",
        "--precision", "2", "--no-grad", "--no-local-grads",
    )
    assert code == 0, err
    source = target.read_text(encoding="utf-8")
    assert "rankdir=TB" in source and "data 3.00" in source
    assert "grad " not in source and "->" in source and "label=<6" not in source


def test_too_many_nodes_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "x*x*x*x", "--at", "x=1", "--max-nodes", "3",
                         "-o", str(tmp_path / "g.dot"))
    assert code == 2
    assert "4 Values" in err and "--max-nodes" in err
    assert "d/dx" in out  # the numbers were still printed


def test_unwritable_output_exit_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "x", "--at", "x=1", "-o", str(tmp_path / "no" / "such" / "g.dot"))
    assert code == 1 and "cannot write" in err


def test_runs_as_a_module(tmp_path: Path) -> None:
    target = tmp_path / "g.dot"
    done = subprocess.run(
        [sys.executable, "-m", "autograd_mini", "graph", "sigmoid(w*x)", "--at", "w=0.5",
         "x=2", "-o", str(target)],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "d/dw" in done.stdout and target.exists()
