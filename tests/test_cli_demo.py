"""``autograd-mini demo``: the agreement table, the cost going down, arguments and --graph.

The printed numbers are checked against finite differences of the cost written
out here with `math`, not against the code that printed them.
"""

from __future__ import annotations

import itertools
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograd_mini.cli import main
from autograd_mini.commands.demo import DEFAULTS

ROOT = Path(__file__).resolve().parent.parent

ROW = re.compile(
    r"^\s+(delta2 = dJ/dz2|delta1 = dJ/dz1|dJ/d[wb][12])\s+(\S+)\s+(\S+)\s+(\S+)\s*$"
)
COST_LINE = re.compile(r"^\s+(start|step \d+)\s+J = (\S+)")


def run_cli(argv: list[str]) -> int:
    """`main(argv)`, with argparse's SystemExit turned into the exit code."""
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def cost(p: list[float], x: float, y: float, kind: str) -> float:
    w1, b1, w2, b2 = p
    y_hat = sigmoid(w2 * sigmoid(w1 * x + b1) + b2)
    if kind == "squared":
        return 0.5 * (y_hat - y) ** 2
    return -(y * math.log(y_hat) + (1 - y) * math.log(1 - y_hat))


def numeric_gradients(p: list[float], x: float, y: float, kind: str) -> dict[str, float]:
    """dJ/dparameter by central differences, and the deltas dJ/dz by the same means."""
    h = 1e-6
    out = {}
    for i, name in enumerate(["dJ/dw1", "dJ/db1", "dJ/dw2", "dJ/db2"]):
        up, down = list(p), list(p)
        up[i] += h
        down[i] -= h
        out[name] = (cost(up, x, y, kind) - cost(down, x, y, kind)) / (2 * h)
    # dJ/dz = dJ/db at each node, since z = w·input + b.
    out["delta1 = dJ/dz1"] = out["dJ/db1"]
    out["delta2 = dJ/dz2"] = out["dJ/db2"]
    return out


def tables(text: str) -> list[dict[str, tuple[float, float, float]]]:
    """Each step's rows: quantity -> (engine, hand, |difference|)."""
    steps: list[dict[str, tuple[float, float, float]]] = []
    for line in text.splitlines():
        if line.startswith("step "):
            steps.append({})
        m = ROW.match(line)
        if m:
            steps[-1][m.group(1)] = (float(m.group(2)), float(m.group(3)), float(m.group(4)))
    return steps


def costs(text: str) -> list[float]:
    return [float(m.group(2)) for m in map(COST_LINE.match, text.splitlines()) if m]


# --------------------------------------------------------------------------- output


@pytest.mark.parametrize(
    ("extra", "kind", "y"),
    [
        ([], "squared", DEFAULTS["y"]),
        (["--cost", "cross_entropy", "--y", "0"], "cross_entropy", 0.0),
    ],
)
def test_demo_prints_agreeing_gradients_and_falling_cost(
    capsys: pytest.CaptureFixture[str], extra: list[str], kind: str, y: float
) -> None:
    assert run_cli(["demo", *extra]) == 0
    out = capsys.readouterr().out
    steps = tables(out)
    assert len(steps) == DEFAULTS["steps"]
    quantities = {"delta2 = dJ/dz2", "delta1 = dJ/dz1", "dJ/dw1", "dJ/db1", "dJ/dw2", "dJ/db2"}
    for rows in steps:
        assert set(rows) == quantities
        for engine, hand, diff in rows.values():
            assert math.isclose(engine, hand, rel_tol=1e-12, abs_tol=1e-15)
            assert diff <= 1e-12
    # Step 1 runs at the initial parameters: compare with finite differences.
    p = [DEFAULTS[k] for k in ("w1", "b1", "w2", "b2")]
    numeric = numeric_gradients(p, DEFAULTS["x"], y, kind)
    for name, (engine, _, _) in steps[0].items():
        assert engine == pytest.approx(numeric[name], rel=1e-6, abs=1e-9), name
    # The cost after each step: one more entry than steps, each lower than the last.
    js = costs(out)
    assert len(js) == DEFAULTS["steps"] + 1
    assert js[0] == pytest.approx(cost(p, DEFAULTS["x"], y, kind), abs=1e-6)
    assert all(b < a for a, b in itertools.pairwise(js))
    assert "agree" in out


def test_steps_and_parameters_are_honoured(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["demo", "--x", "-0.5", "--y", "0.2", "--w1", "1", "--b1", "0.5",
            "--w2", "2", "--b2", "-1", "--lr", "0.5", "--steps", "1"]
    assert run_cli(argv) == 0
    out = capsys.readouterr().out
    steps = tables(out)
    assert len(steps) == 1
    numeric = numeric_gradients([1.0, 0.5, 2.0, -1.0], -0.5, 0.2, "squared")
    for name, (engine, _, _) in steps[0].items():
        assert engine == pytest.approx(numeric[name], rel=1e-6, abs=1e-9), name
    assert len(costs(out)) == 2


def test_help_explains_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["demo", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # undo argparse's line wrapping
    for flag in ("--x", "--y", "--w1", "--b1", "--w2", "--b2", "--cost", "--lr", "--steps",
                 "--graph"):
        assert flag in out
    for value in ("squared", "cross_entropy", ".svg", ".dot"):
        assert value in out
    assert f"(default: {DEFAULTS['lr']})" in out
    assert f"(default: {DEFAULTS['steps']})" in out
    assert f"(default: {DEFAULTS['w2']})" in out


def test_demo_is_listed_in_the_main_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["--help"]) == 0
    assert "demo" in capsys.readouterr().out


# --------------------------------------------------------------------------- bad arguments


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--lr", "0"], "--lr"),
        (["--lr", "-1"], "--lr"),
        (["--steps", "0"], "--steps"),
        (["--steps", "2.5"], "--steps"),
        (["--x", "abc"], "--x"),
        (["--x", "nan"], "--x"),
        (["--w1", "inf"], "--w1"),
        (["--cost", "hinge"], "--cost"),
        (["--cost", "cross_entropy", "--y", "1.5"], "[0, 1]"),
        (["--graph", "out.txt"], ".txt"),
        (["--graph", "no/such/dir/out.dot"], "does not exist"),
        (["--w1", "1e308", "--b1", "1e308", "--x", "10"], "z1"),
        (["--unknown"], "unrecognized"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert run_cli(["demo", *argv]) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert "error" in captured.err
    assert "step 1" not in captured.out


# --------------------------------------------------------------------------- --graph


def test_graph_dot_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "two_node.dot"
    assert run_cli(["demo", "--steps", "2", "--graph", str(target)]) == 0
    assert str(target) in capsys.readouterr().out
    text = target.read_text(encoding="utf-8")
    assert "digraph" in text
    for name in ("w1", "b1", "w2", "b2", "z1", "a1", "z2", "J"):
        assert re.search(rf"\b{name}\b", text), name


def test_graph_svg_needs_dot(tmp_path: Path) -> None:
    if shutil.which("dot") is None and not os.environ.get("CI"):
        pytest.skip("Graphviz's dot is not installed (CI installs it)")
    target = tmp_path / "two_node.svg"
    assert run_cli(["demo", "--steps", "1", "--graph", str(target)]) == 0
    assert "<svg" in target.read_text(encoding="utf-8")


def test_graph_without_graphviz_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    viz = pytest.importorskip("autograd_mini.viz")

    def missing_dot(*args: object, **kwargs: object) -> Path:
        raise viz.GraphvizNotFoundError("Graphviz's dot executable was not found")

    monkeypatch.setattr(viz, "save_graph", missing_dot)
    # dot passes the check before the demo starts, then fails while rendering.
    monkeypatch.setattr(viz, "check_can_save", lambda path: None)
    assert run_cli(["demo", "--graph", str(tmp_path / "g.svg")]) == 1
    assert "dot executable was not found" in capsys.readouterr().err
    assert not (tmp_path / "g.svg").exists()


@pytest.mark.parametrize("suffix", [".svg", ".png", ".pdf"])
def test_graph_without_dot_fails_before_any_work_with_a_one_line_fix(
    suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    pytest.importorskip("graphviz")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no dot anywhere
    target = tmp_path / f"g{suffix}"
    assert run_cli(["demo", "--graph", str(target)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # not "step 1" and then a failure
    assert captured.err.count("\n") == 1  # one line
    assert "needs Graphviz's dot program" in captured.err
    assert "apt-get install graphviz" in captured.err and "brew install graphviz" in captured.err
    assert f"--graph {tmp_path / 'g.dot'}" in captured.err  # the way that works without dot
    assert not target.exists()
    # ... and that way does work without dot.
    assert run_cli(["demo", "--steps", "1", "--graph", str(tmp_path / "g.dot")]) == 0
    assert (tmp_path / "g.dot").read_text(encoding="utf-8").startswith("digraph")


def test_graph_without_the_graphviz_package_fails_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "graphviz", None)  # makes `import graphviz` fail
    assert run_cli(["demo", "--graph", str(tmp_path / "g.dot")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "needs the graphviz Python package: pip install 'autograd-mini[viz]'" in captured.err
    assert captured.err.count("\n") == 1


def test_graph_help_says_which_part_needs_what(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["demo", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "needs no Graphviz" not in text
    assert "Every format needs the graphviz Python package (the viz extra)" in text
    assert ".svg, .png and .pdf also need Graphviz's dot program" in text


def test_graph_relative_path_lands_where_the_user_stands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("graphviz")
    monkeypatch.chdir(tmp_path)
    assert run_cli(["demo", "--steps", "1", "--graph", "g.dot"]) == 0
    assert "written to g.dot" in capsys.readouterr().out
    assert (tmp_path / "g.dot").is_file()


# --------------------------------------------------------------------------- end to end


def test_python_m_autograd_mini_demo() -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        [sys.executable, "-m", "autograd_mini", "demo", "--steps", "2"],
        capture_output=True, text=True, encoding="utf-8", cwd=ROOT, env=env, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert len(tables(done.stdout)) == 2
    assert "agree" in done.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "autograd_mini", "demo", "--lr", "zero"],
        capture_output=True, text=True, encoding="utf-8", cwd=ROOT, env=env, timeout=60,
    )
    assert bad.returncode == 2
    assert "--lr" in bad.stderr


def test_docs_worked_example_is_the_real_output(capsys: pytest.CaptureFixture[str]) -> None:
    # docs/backprop.md pastes the output of `autograd-mini demo`; it must not go stale.
    page = (ROOT / "docs" / "backprop.md").read_text(encoding="utf-8")
    match = re.search(r"^```text\n\$ autograd-mini demo\n(.*?)^```", page, re.M | re.S)
    assert match, "docs/backprop.md has no pasted `autograd-mini demo` output"
    assert run_cli(["demo"]) == 0
    assert capsys.readouterr().out == match.group(1)


def test_a_disagreement_is_reported_and_exits_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from autograd_mini.two_node import TwoNodeNetwork

    honest = TwoNodeNetwork.hand_gradients

    def off_by_a_bit(self: TwoNodeNetwork, x: float, y: float) -> dict[str, float]:
        hand = honest(self, x, y)
        hand["dJ_dw1"] *= 1.001  # a wrong formula: the demo must notice
        return hand

    monkeypatch.setattr(TwoNodeNetwork, "hand_gradients", off_by_a_bit)
    assert run_cli(["demo", "--steps", "1"]) == 1
    assert "MISMATCH" in capsys.readouterr().out


def test_graph_is_the_docs_picture_drawn_to_be_read(tmp_path: Path) -> None:
    # docs/backprop.md shows img/two_node.svg as what `demo --graph` draws: same graph,
    # same layout (top to bottom, stacked boxes: readable at the page's width).
    import runpy

    pytest.importorskip("graphviz")
    from autograd_mini.viz import draw_graph

    target = tmp_path / "two_node.dot"
    assert run_cli(["demo", "--steps", "1", "--graph", str(target)]) == 0
    figures = runpy.run_path(str(ROOT / "docs" / "figures" / "make_graphs.py"), run_name="f")
    options = figures["DRAW_OPTIONS"]["two_node.svg"]
    assert options == {"rankdir": "TB", "stacked": True}
    assert target.read_text(encoding="utf-8") == draw_graph(figures["two_node"](), **options).source


def test_show_jit_prints_the_generated_code_of_the_cost(capsys: pytest.CaptureFixture[str]) -> None:
    from autograd_mini.two_node import TwoNodeNetwork

    for cost_name in ("squared", "cross_entropy"):
        assert run_cli(["demo", "--show-jit", "--cost", cost_name, "--x", "0.5"]) == 0
        out = capsys.readouterr().out
        d = DEFAULTS
        f = TwoNodeNetwork(d["w1"], d["b1"], d["w2"], d["b2"], cost=cost_name).jit_cost()
        f(0.5, d["y"])
        assert out.endswith(f.source)  # the library's own generated code, whole
        assert "g_z2 is delta2" in out
        assert "step 1" not in out  # printed instead of training
        for line in ("def forward(inputs):", "def backward(saved, seeds):", "z1 = v0 + b1",
                     "a1 = _sigmoid(z1)", "z2 = v3 + b2", "g_w2 += a1 * g_v3"):
            assert f"{line}\n" in out, (cost_name, line)
        assert ("y_hat = _sigmoid(z2)" in out) == (cost_name == "squared")
        assert ("_softplus(z2)" in out) == (cost_name == "cross_entropy")
    assert run_cli(["demo", "--show-jit", "--cost", "cross_entropy", "--y", "2"]) == 2
    assert "[0, 1]" in capsys.readouterr().err


def test_docs_generated_backward_is_what_jit_generates_today() -> None:
    # docs/backprop.md shows the backward that jit generates for the lesson's cost;
    # it must not go stale when the code generator changes.
    from autograd_mini.two_node import TwoNodeNetwork

    page = (ROOT / "docs" / "backprop.md").read_text(encoding="utf-8")
    match = re.search(r"^## The generated backward\n.*?^```python\n(.*?)^```", page, re.M | re.S)
    assert match, "docs/backprop.md has no generated backward"
    d = DEFAULTS
    f = TwoNodeNetwork(d["w1"], d["b1"], d["w2"], d["b2"]).jit_cost()
    f(d["x"], d["y"])
    assert match.group(1) == "def backward" + f.source.split("def backward", 1)[1]
