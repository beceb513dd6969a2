"""The numpy backend of `jit` (issue 14) against the floor and hand-batched PyTorch.

Run alone (from the repository root)::

    python -m benchmarks.batched                  # 5 repeats
    python -m benchmarks.batched --quick          # tiny sizes, a smoke run

`run_batched` returns a `benchmarks.run.Result`, so `benchmarks.run` can list it
with the other workloads. What it measures, all ratios from one run:

* micrograd's demo step (`workloads.demo_step`'s loss, SGD update) on 100 and
  1,000 two-moons points: the scalar code compiled with ``jit(backend="numpy")``
  against the hand-written float floor (`benchmarks.floor`) and against
  PyTorch float64 with hand-batched tensors (the same MLP as ``nn.Linear``
  layers on a ``[n, 2]`` batch, the same loss, backward and SGD update);
* a chain of 10^5 operations: the numpy backend against the Python backend;
* the first call (trace, plan, code generation, forward and backward) against
  eager steps.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from autograd_mini import Value, jit
from benchmarks import workloads
from benchmarks.floor import FloorMLP
from benchmarks.run import Config, Result, Target, format_table
from benchmarks.timing import compare


def jit_demo_step(params: Sequence[float], xs: list[list[float]], ys: list[float],
                  backend: str) -> tuple[Callable[[], object], Callable[[], object]]:
    """micrograd's demo step with its loss compiled by ``jit``.

    The loss is the user's scalar code, one example at a time (as in
    `workloads.demo_step`); the model's parameters are captured. Returns the
    step and a function making a fresh model and step (for first-call timing).
    """
    def make() -> Callable[[], object]:
        model = workloads.ours_mlp(params)
        parameters = model.parameters()

        def loss(points: Any, labels: Any) -> Value:
            scores = [model(x) for x in points]
            losses = [(1 + -y * s).relu() for y, s in zip(labels, scores)]
            data = sum(losses) * (1.0 / len(losses))
            reg = workloads.ALPHA * sum(p * p for p in parameters)
            return data + reg  # type: ignore[no-any-return]

        f = jit(loss, backend=backend)

        def step() -> object:
            total = f(xs, ys)
            model.zero_grad()
            total.backward()
            for p in parameters:
                p.data -= workloads.LEARNING_RATE * p.grad
            return total

        return step

    return make(), make


class TorchBatched:
    """The demo's MLP as PyTorch ``nn.Linear`` layers (float64) on a ``[n, 2]`` batch."""

    def __init__(self, params: Sequence[float], xs: list[list[float]], ys: list[float]) -> None:
        import torch

        # One thread: PyTorch's fastest setting for these sizes on the machines we
        # measured (its default thread pool was 10x slower on a 2-CPU machine).
        torch.set_num_threads(1)
        self.torch = torch
        layers: list[Any] = []
        k = 0
        for nin, nout in itertools.pairwise(workloads.SIZES):
            lin = torch.nn.Linear(nin, nout, dtype=torch.float64)
            rows, biases = [], []
            for _ in range(nout):
                rows.append(list(params[k:k + nin]))
                biases.append(params[k + nin])
                k += nin + 1
            with torch.no_grad():
                lin.weight.copy_(torch.tensor(rows, dtype=torch.float64))
                lin.bias.copy_(torch.tensor(biases, dtype=torch.float64))
            layers += [lin, torch.nn.ReLU()]
        self.model = torch.nn.Sequential(*layers[:-1])  # a linear output
        self.params = list(self.model.parameters())
        self.x = torch.tensor(xs, dtype=torch.float64)
        self.y = torch.tensor(ys, dtype=torch.float64)

    def step(self) -> object:
        """Loss (hinge averaged + ALPHA * sum of squares), zero_grad, backward, SGD."""
        torch = self.torch
        scores = self.model(self.x).squeeze(1)
        data = (1 - self.y * scores).relu().mean()
        reg = workloads.ALPHA * sum((p * p).sum() for p in self.params)
        total = data + reg
        for p in self.params:
            p.grad = None
        total.backward()
        with torch.no_grad():
            for p in self.params:
                p -= workloads.LEARNING_RATE * p.grad
        return total


def mlp_funcs(points: int) -> dict[str, Callable[[], object]]:
    """One training-step function per implementation, on ``points`` two-moons points."""
    xs, ys = workloads.moons(points)
    params = workloads.initial_parameters()
    floor = FloorMLP(workloads.SIZES, params)
    model = workloads.ours_mlp(params)
    funcs: dict[str, Callable[[], object]] = {
        "jit numpy": jit_demo_step(params, xs, ys, "numpy")[0],
        "jit python": jit_demo_step(params, xs, ys, "python")[0],
        "eager": lambda: workloads.demo_step(model, xs, ys, Value),
        "floor": lambda: floor.step(xs, ys, workloads.LEARNING_RATE, workloads.ALPHA),
    }
    if workloads.has_module("torch"):
        funcs["torch batched"] = TorchBatched(params, xs, ys).step
    for func in funcs.values():
        func()  # the first call traces; timing starts at the replays
    return funcs


def chain_funcs(n: int) -> dict[str, Callable[[], object]]:
    """A replayed chain of ``n`` steps ``y = (y * 0.999 + 0.001).relu()``, per backend."""
    def chain(x: Value) -> Value:
        for _ in range(n):
            x = (x * 0.999 + 0.001).relu()
        return x

    funcs: dict[str, Callable[[], object]] = {}
    for backend in ("numpy", "python"):
        f = jit(chain, backend=backend)
        x = Value(1.0)

        def step(f: Any = f, x: Value = x) -> object:
            y = f(x)
            y.backward()
            return y

        step()
        funcs[f"jit {backend}"] = step
    return funcs


def first_call_seconds(points: int, repeats: int) -> tuple[float, float]:
    """Median seconds of a first call (trace, plan, codegen, one step) and of an eager step."""
    xs, ys = workloads.moons(points)
    params = workloads.initial_parameters()
    firsts = []
    for _ in range(repeats):
        make = jit_demo_step(params, xs, ys, "numpy")[1]
        step = make()  # a fresh model and a fresh jit function: nothing cached
        t0 = time.perf_counter()
        step()
        firsts.append(time.perf_counter() - t0)
    model = workloads.ours_mlp(params)
    eager = compare({"eager": lambda: workloads.demo_step(model, xs, ys, Value)}, repeats, 0.2)
    return statistics.median(firsts), eager["eager"].median


def run_batched(cfg: Config) -> Result:
    """The issue-14 figures: demo steps/s vs the floor and batched PyTorch, chain, first call."""
    sizes = [8, 32] if cfg.quick else [100, 1_000]
    chain_n = 1_000 if cfg.quick else 100_000
    rows: list[list[str]] = []
    raw: dict[str, Any] = {}
    targets: list[Target] = []
    for points in sizes:
        funcs = mlp_funcs(points)
        samples = compare(funcs, cfg.repeats, cfg.budget)
        rate = {name: 1.0 / s.median for name, s in samples.items()}
        raw[f"mlp_{points}_steps_per_second"] = rate
        for name, r in rate.items():
            rows.append([f"demo step, {points:,} points", name, f"{r:,.1f}",
                         f"{samples[name].median * 1e3:,.3f}",
                         f"{rate['jit numpy'] / r:.3g}x", f"{samples[name].spread:.0%}"])
        vs_floor = rate["jit numpy"] / rate["floor"]
        if points == sizes[0]:
            targets.append(Target("batched", f"demo ({points} points) jit numpy vs floor",
                                  vs_floor, ">= 9x", vs_floor >= 9))
        if "torch batched" in rate:
            vs_torch = rate["jit numpy"] / rate["torch batched"]
            goal = 0.8 if points == sizes[0] else 0.7
            targets.append(Target("batched", f"demo ({points} points) jit numpy vs batched torch",
                                  vs_torch, f">= {goal}x", vs_torch >= goal))
    chain = compare(chain_funcs(chain_n), cfg.repeats, cfg.budget)
    raw["chain_seconds"] = {k: v.seconds for k, v in chain.items()}
    for name, s in chain.items():
        rows.append([f"chain of {chain_n:,} steps (replay)", name, f"{1 / s.median:,.2f}",
                     f"{s.median * 1e3:,.3f}",
                     f"{chain['jit numpy'].median and s.median / chain['jit numpy'].median:.3g}x",
                     f"{s.spread:.0%}"])
    ratio = chain["jit numpy"].median / chain["jit python"].median
    targets.append(Target("batched", f"chain of {chain_n:,}: numpy time vs python backend",
                          ratio, "<= 1x (noise: 1.05)", ratio <= 1.05))
    first, eager = first_call_seconds(sizes[0], cfg.repeats)
    raw["first_call_seconds"], raw["eager_step_seconds"] = first, eager
    rows.append([f"first call, {sizes[0]} points", "jit numpy", "-", f"{first * 1e3:,.1f}",
                 f"{first / eager:.3g} eager steps", "-"])
    targets.append(Target("batched", "first call in eager steps", first / eager, "<= 15",
                          first / eager <= 15))
    result = Result(
        "batched",
        "batched: jit(backend='numpy') on micrograd's demo step, a chain, the first call",
        ["workload", "implementation", "steps/s", "ms/step", "jit numpy vs it", "spread"],
        rows, targets, raw=raw,
    )
    result.notes.append(
        "Replays only (each function is called once before timing). 'torch batched' is "
        "PyTorch float64 with nn.Linear layers on the whole batch; 'floor' is the demo step "
        "written by hand with Python floats. Chain rows: steps/s are replays per second and "
        "'jit numpy vs it' is the row's time over numpy's. Medians over the repeats."
    )
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Run `run_batched` alone and print its table and targets."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.batched")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    result = run_batched(Config(repeats=args.repeats, quick=args.quick))
    print(result.title)
    print(format_table(result.headers, result.rows, markdown=False))
    for note in result.notes:
        print(f"  note: {note}")
    print()
    print(format_table(["figure", "measured", "target", "status"],
                       [[t.figure, f"{t.value:,.4g}", t.goal, t.status] for t in result.targets],
                       markdown=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
