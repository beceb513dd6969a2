"""Smoke tests for benchmarks/: every workload runs at tiny sizes and gives sane numbers.

No test here asserts a time. They check that the instrument still works (so it
cannot rot between releases) and that the hand-written floor computes the same
gradients as the engine, which is what makes it a fair yardstick.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from autograd_mini import Value
from benchmarks import run, workloads
from benchmarks.floor import FloorMLP
from benchmarks.timing import compare, gc_timer


def _finite_positive(x: float) -> bool:
    return math.isfinite(x) and x > 0.0


def test_floor_gradients_equal_the_engines() -> None:
    xs, ys = workloads.moons(12)
    params = workloads.initial_parameters(seed=7)
    model = workloads.ours_mlp(params)
    expected = workloads.engine_gradients(model, xs, ys)
    loss, got = FloorMLP(workloads.SIZES, params).gradients(xs, ys, workloads.ALPHA)
    assert len(got) == len(expected) == 337
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert any(g != 0.0 for g in got)
    total = workloads.demo_step(workloads.ours_mlp(params), xs, ys, Value, learning_rate=0.0)
    assert loss == pytest.approx(total.data, rel=1e-12)


def test_floor_step_matches_the_engines_update() -> None:
    xs, ys = workloads.moons(6)
    params = workloads.initial_parameters(seed=3)
    model = workloads.ours_mlp(params)
    floor = FloorMLP(workloads.SIZES, params)
    for _ in range(2):
        workloads.demo_step(model, xs, ys, Value, learning_rate=0.1)
        floor.step(xs, ys, 0.1, workloads.ALPHA)
    assert floor.parameters() == pytest.approx([p.data for p in model.parameters()], rel=1e-9)
    assert floor.parameters() != pytest.approx(params)


def test_floor_rejects_a_wrong_parameter_count() -> None:
    with pytest.raises(ValueError, match="needs 337 parameters"):
        FloorMLP(workloads.SIZES, [0.0] * 10)


def test_every_mlp_implementation_takes_a_step() -> None:
    funcs = workloads.mlp_funcs(points=4)
    assert {"ours", "ours-unfused", "floor"} <= set(funcs)
    for name, func in funcs.items():
        out = func()
        loss = out if isinstance(out, float) else (out.item() if name == "torch" else out.data)
        assert math.isfinite(loss) and loss >= 0.0, name


def test_micrograd_reference_computes_the_same_gradients() -> None:
    pytest.importorskip("micrograd")
    from micrograd.engine import Value as MicrogradValue

    xs, ys = workloads.moons(5)
    params = workloads.initial_parameters()
    micro = workloads.micrograd_mlp(params)
    workloads.demo_step(micro, xs, ys, MicrogradValue, learning_rate=0.0)
    ours = workloads.engine_gradients(workloads.ours_mlp(params), xs, ys)
    assert [float(p.grad) for p in micro.parameters()] == pytest.approx(ours, rel=1e-9, abs=1e-12)


def test_torch_reference_computes_the_same_gradients() -> None:
    pytest.importorskip("torch")
    xs, ys = workloads.moons(5)
    params = workloads.initial_parameters()
    tmodel = workloads.TorchMLP(params)
    workloads.demo_step(tmodel, xs, ys, workloads.torch_wrap, learning_rate=0.0)
    ours = workloads.engine_gradients(workloads.ours_mlp(params), xs, ys)
    got = [0.0 if p.grad is None else float(p.grad) for p in tmodel.parameters()]
    assert got == pytest.approx(ours, rel=1e-9, abs=1e-12)


def test_chain_timings_are_finite_and_positive() -> None:
    build, backward = workloads.time_chain(50, min_ops=300)
    assert _finite_positive(build) and _finite_positive(backward)


def test_chain_bytes_per_op_is_plausible() -> None:
    per_op = workloads.chain_bytes_per_op(500)
    # A node holds at least a float and a reference to its parent; far less than a megabyte.
    assert 24 <= per_op < 10_000


def test_peak_bytes_sees_an_allocation() -> None:
    assert workloads.peak_bytes(lambda: [0.0] * 100_000) >= 800_000


def test_two_node_implementations_agree() -> None:
    funcs = workloads.two_node_funcs()
    assert funcs["ours"]() == pytest.approx(funcs["hand"](), rel=1e-12)


def test_compare_alternates_and_reports_every_implementation() -> None:
    calls: list[str] = []
    samples = compare({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, 3, 0.0)
    assert set(samples) == {"a", "b"}
    assert all(len(s.seconds) == 3 and s.median >= 0.0 for s in samples.values())
    assert "a" in calls and "b" in calls


def test_gc_timer_counts_a_collection() -> None:
    import gc

    with gc_timer() as timer:
        gc.collect()
    assert sum(timer.collections) >= 1 and timer.seconds >= 0.0


def test_runner_quick_writes_json_and_markdown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / "performance.md"
    doc.write_text(f"# Performance\n\nbefore\n\n{run.BEGIN}\nold table\n{run.END}\n\nafter\n")
    out_json = tmp_path / "out.json"
    code = run.main([
        "--quick", "--repeats", "1", "--only", "chain,memory,two_node",
        "--json", str(out_json), "--markdown", str(doc),
    ])
    assert code == 0
    printed = capsys.readouterr().out
    assert "Targets" in printed and ("PASS" in printed or "MISS" in printed)
    payload = json.loads(out_json.read_text())
    assert [r["name"] for r in payload["results"]] == ["chain", "memory", "two_node"]
    for result in payload["results"]:
        for target in result["targets"]:
            assert _finite_positive(target["value"])
    text = doc.read_text()
    assert "old table" not in text and "before" in text and "after" in text
    assert text.count(run.BEGIN) == 1 and "| workload |" in text


def test_runner_quick_mlp(capsys: pytest.CaptureFixture[str]) -> None:
    assert run.main(["--quick", "--repeats", "1", "--only", "mlp"]) == 0
    assert "eager steps/s vs micrograd" in capsys.readouterr().out


def test_runner_rejects_an_unknown_workload() -> None:
    with pytest.raises(SystemExit):
        run.main(["--only", "nope"])
