"""The benchmark workloads, each as small functions the runner times.

Every workload is written once as user code and run against each
implementation: our engine, micrograd 0.1.0 (when installed), PyTorch with
0-d float64 tensors (when installed), and, where there is one, the same
computation written by hand with plain floats (the floor).

* ``mlp``: micrograd's demo training step (`demo_step`).
* ``chain``: a deep chain ``y = (y * 0.999 + 0.001).relu()`` (`time_chain`).
* ``memory``: bytes per recorded operation (`chain_bytes_per_op`) and the
  peak memory of one ``mlp`` step (`peak_bytes`).
* ``two_node``: the two-node network against its hand formulas (`two_node_funcs`).
* ``jit``: the same demo step compiled with `autograd_mini.jit` (`jit_mlp_step`),
  its first call (`jit_first_call`), the two-node network compiled
  (`two_node_jit_funcs`), and compile/replay/memory for chains of 10^3 to 10^6
  nodes (`jit_chain_scaling`).
"""

from __future__ import annotations

import gc
import importlib.util
import itertools
import math
import random
import time
import tracemalloc
from collections.abc import Callable, Sequence
from typing import Any

from autograd_mini import Value, jit
from benchmarks.floor import FloorMLP

SIZES = [2, 16, 16, 1]
"""micrograd's demo network: 2 inputs, two hidden ReLU layers of 16, one linear output."""
ALPHA = 1e-4
"""The demo's L2 penalty coefficient."""
LEARNING_RATE = 0.0
"""The SGD step used while timing.

The update runs (``p.data -= lr * p.grad`` for every parameter), but with a
rate of 0 the weights stay at `initial_parameters`, so every repeat of every
implementation does exactly the same work. With a real rate, each
implementation would move along the training curve at its own speed, and how
much of the backward pass is zero (satisfied hinges, inactive ReLUs), which
both the engine and the floor skip, would differ between them.
"""


def has_module(name: str) -> bool:
    """Whether ``name`` can be imported, without importing it."""
    return importlib.util.find_spec(name) is not None


# --------------------------------------------------------------------------- data


def moons(n: int = 100, noise: float = 0.1, seed: int = 1) -> tuple[list[list[float]], list[float]]:
    """Two interleaving half circles, labels -1.0 and +1.0 (as in micrograd's demo).

    Uses `autograd_mini.datasets.make_moons` when that module exists, else an
    equivalent pure-Python generator, so the benchmarks run on any checkout.

    Returns:
        ``(xs, ys)``: ``n`` points ``[x0, x1]`` and their labels.
    """
    if has_module("autograd_mini.datasets"):
        from autograd_mini.datasets import make_moons

        xs_raw, ys_raw = make_moons(n, noise=noise, seed=seed)
        xs = [[float(a), float(b)] for a, b in xs_raw]
        labels = [float(y) for y in ys_raw]
        if min(labels) == 0.0:  # 0/1 labels -> -1/+1
            labels = [2.0 * y - 1.0 for y in labels]
        return xs, labels
    rng = random.Random(seed)
    n_outer = n // 2
    n_inner = n - n_outer
    xs, ys = [], []
    for i in range(n_outer):
        t = math.pi * i / max(n_outer - 1, 1)
        xs.append([math.cos(t) + rng.gauss(0, noise), math.sin(t) + rng.gauss(0, noise)])
        ys.append(-1.0)
    for i in range(n_inner):
        t = math.pi * i / max(n_inner - 1, 1)
        xs.append([1 - math.cos(t) + rng.gauss(0, noise), 0.5 - math.sin(t) + rng.gauss(0, noise)])
        ys.append(1.0)
    return xs, ys


def initial_parameters(seed: int = 1337) -> list[float]:
    """The starting weights shared by every implementation (uniform in [-1, 1], biases 0)."""
    rng = random.Random(seed)
    params: list[float] = []
    for nin, nout in itertools.pairwise(SIZES):
        for _ in range(nout):
            params.extend(rng.uniform(-1.0, 1.0) for _ in range(nin))
            params.append(0.0)
    return params


# --------------------------------------------------------------------------- mlp


def demo_step(
    model: Any,
    xs: Sequence[Sequence[float]],
    ys: Sequence[float],
    wrap: Callable[[float], Any],
    learning_rate: float = LEARNING_RATE,
) -> Any:
    """One step of micrograd's demo, written once for every engine.

    The same lines run on our `Value`, micrograd's and PyTorch tensors: wrap the
    inputs, score every point, hinge loss ``(1 + -y*score).relu()`` averaged,
    plus ``ALPHA * sum(p*p)``, ``zero_grad``, ``backward``, SGD update.

    Args:
        model: an ``MLP`` with ``parameters()``, ``zero_grad()`` and ``__call__``.
        xs: input points; ys: their labels (-1 or +1).
        wrap: makes an input scalar for the engine (``Value`` or a tensor).
        learning_rate: the SGD step.

    Returns:
        The total loss node, before the update.
    """
    inputs = [[wrap(v) for v in row] for row in xs]
    scores = [model(x) for x in inputs]
    losses = [(1 + -y * score).relu() for y, score in zip(ys, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum(p * p for p in model.parameters())
    total = data_loss + reg_loss
    model.zero_grad()
    total.backward()
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    return total


def load_parameters(model: Any, params: Sequence[float]) -> Any:
    """Overwrite ``model``'s parameters, in ``parameters()`` order; returns the model."""
    found = model.parameters()
    if len(found) != len(params):
        raise ValueError(f"{type(model).__name__}: {len(found)} parameters, expected {len(params)}")
    for p, value in zip(found, params):
        p.data = float(value)
    return model


def ours_mlp(params: Sequence[float], fused: bool = True) -> Any:
    """Our ``autograd_mini.nn.MLP(2, [16, 16, 1])`` loaded with ``params``.

    ``fused=False`` records one node per ``*`` and ``+`` (micrograd's graph)
    instead of one ``dot`` node per neuron.
    """
    from autograd_mini.nn import MLP

    return load_parameters(MLP(SIZES[0], SIZES[1:], fused=fused), params)


def micrograd_mlp(params: Sequence[float]) -> Any:
    """micrograd's ``MLP(2, [16, 16, 1])`` loaded with ``params``."""
    from micrograd.nn import MLP

    return load_parameters(MLP(SIZES[0], SIZES[1:]), params)


class TorchMLP:
    """micrograd's MLP rebuilt from 0-d float64 PyTorch tensors (a per-scalar reference).

    Each weight is its own tensor, so the graph is as fine-grained as the
    scalar engines' graphs: this measures PyTorch's per-operation overhead,
    not its vectorized speed.
    """

    def __init__(self, params: Sequence[float]) -> None:
        import torch

        self._torch = torch
        self.layers: list[list[tuple[list[Any], Any]]] = []
        k = 0
        for nin, nout in itertools.pairwise(SIZES):
            layer = []
            for _ in range(nout):
                w = [self._leaf(p) for p in params[k : k + nin]]
                layer.append((w, self._leaf(params[k + nin])))
                k += nin + 1
            self.layers.append(layer)

    def _leaf(self, value: float) -> Any:
        return self._torch.tensor(float(value), dtype=self._torch.float64, requires_grad=True)

    def __call__(self, x: Sequence[Any]) -> Any:
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            out = [sum((wi * xi for wi, xi in zip(w, x)), b) for w, b in layer]
            x = out if i == last else [o.relu() for o in out]
        return x[0]

    def parameters(self) -> list[Any]:
        """Weights then bias, neuron by neuron, layer by layer (micrograd's order)."""
        return [p for layer in self.layers for w, b in layer for p in (*w, b)]

    def zero_grad(self) -> None:
        """Drop the accumulated gradients (PyTorch's ``set_to_none``)."""
        for p in self.parameters():
            p.grad = None


def torch_wrap(value: float) -> Any:
    """An input scalar as a 0-d float64 tensor."""
    import torch

    return torch.tensor(value, dtype=torch.float64)


def mlp_funcs(
    include: Sequence[str] | None = None, points: int = 100
) -> dict[str, Callable[[], object]]:
    """One zero-argument training-step function per available implementation.

    Every model starts from the same `initial_parameters` and trains its own
    copy. Implementations: ``ours`` (fused ``dot`` neurons, the default),
    ``ours-unfused`` (one node per ``*`` and ``+``, micrograd's graph shape),
    ``jit`` (the loss compiled by `autograd_mini.jit`, already traced),
    ``floor``, ``micrograd``, ``torch`` (the last two only when installed).
    ``points`` is the number of two-moons points per step (100 in the demo).
    """
    xs, ys = moons(points)
    params = initial_parameters()
    names = ["ours", "ours-unfused", "jit", "floor"]
    names += [name for name in ("micrograd", "torch") if has_module(name)]
    funcs: dict[str, Callable[[], object]] = {}
    for name in names:
        if include is None or name in include:
            funcs[name] = _mlp_step(name, params, xs, ys)
    return funcs


def _mlp_step(
    name: str, params: Sequence[float], xs: list[list[float]], ys: list[float]
) -> Callable[[], object]:
    """The training-step function of implementation ``name`` (see `mlp_funcs`)."""
    if name == "floor":
        floor = FloorMLP(SIZES, params)
        return lambda: floor.step(xs, ys, LEARNING_RATE, ALPHA)
    if name == "jit":
        step = jit_mlp_step(len(xs))
        step()  # the trace: timed on its own by `jit_first_call`
        return step
    if name == "micrograd":
        from micrograd.engine import Value as MicrogradValue

        micro = micrograd_mlp(params)
        return lambda: demo_step(micro, xs, ys, MicrogradValue)
    if name == "torch":
        tmodel = TorchMLP(params)
        return lambda: demo_step(tmodel, xs, ys, torch_wrap)
    model = ours_mlp(params, fused=(name == "ours"))
    return lambda: demo_step(model, xs, ys, Value)


def engine_gradients(model: Any, xs: Sequence[Sequence[float]], ys: Sequence[float]) -> list[float]:
    """The demo loss's gradient for every parameter of ``model`` (no update)."""
    demo_step(model, xs, ys, Value, learning_rate=0.0)
    return [p.grad for p in model.parameters()]


# --------------------------------------------------------------------------- chain

CHAIN_OPS_PER_STEP = 3
"""``y * 0.999``, ``+ 0.001`` and ``relu``: three recorded operations per step."""


def build_chain(n: int, leaf: Callable[[float], Any] = Value) -> tuple[Any, Any]:
    """Build ``y = (y * 0.999 + 0.001).relu()`` ``n`` times; returns ``(x, y)``."""
    x = leaf(1.0)
    y = x
    for _ in range(n):
        y = (y * 0.999 + 0.001).relu()
    return x, y


def time_chain(n: int, min_ops: int = 300_000) -> tuple[float, float]:
    """Seconds spent building and back-propagating chains of ``n`` steps.

    Short chains are built ``k`` times (each one freed before the next) so
    that a measurement covers at least ``min_ops`` operations; freeing is
    not timed. The garbage collector runs as it is configured by the caller.

    Returns:
        ``(build_ns_per_op, backward_ns_per_op)``.
    """
    k = max(1, min_ops // (CHAIN_OPS_PER_STEP * n))
    build = backward = 0.0
    for _ in range(k):
        t0 = time.perf_counter()
        x, y = build_chain(n)
        t1 = time.perf_counter()
        y.backward()
        t2 = time.perf_counter()
        build += t1 - t0
        backward += t2 - t1
        if not x.grad > 0.0:
            raise RuntimeError(f"chain of {n}: gradient {x.grad!r} at the leaf, expected > 0")
        del x, y
    ops = k * CHAIN_OPS_PER_STEP * n
    return build / ops * 1e9, backward / ops * 1e9


# --------------------------------------------------------------------------- memory


def chain_bytes_per_op(n: int, leaf: Callable[[float], Any] = Value) -> float:
    """Bytes per recorded operation held by a chain of ``n`` ``y = y * 1.0001``.

    tracemalloc's current traced memory after building the chain minus before
    (the leaf already exists), divided by ``n``: what one recorded node costs
    while the graph is alive.
    """
    gc.collect()
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        x = leaf(1.0)
        y = x
        before = tracemalloc.get_traced_memory()[0]
        for _ in itertools.repeat(None, n):  # no loop counter left holding an int
            y = y * 1.0001
        after = tracemalloc.get_traced_memory()[0]
    finally:
        if not was_tracing:
            tracemalloc.stop()
    del x, y
    return (after - before) / n


def peak_bytes(func: Callable[[], object]) -> int:
    """Peak memory (tracemalloc) allocated while ``func()`` runs, above the start."""
    func()  # warm-up: caches and lazily created objects are not part of a step
    gc.collect()
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        func()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return peak - before


# --------------------------------------------------------------------------- two_node

TWO_NODE_PARAMS = (0.5, -0.3, 1.2, 0.1)
"""w1, b1, w2, b2 for the two-node benchmark."""
TWO_NODE_EXAMPLE = (1.5, 0.8)
"""x, y for the two-node benchmark."""


def two_node_funcs() -> dict[str, Callable[[], object]]:
    """One evaluation of the two-node network: the engine vs its hand formulas.

    ``ours`` runs ``zero_grad``, the cost's forward pass and ``backward``;
    ``hand`` runs `TwoNodeNetwork.hand_gradients` (the same quantities from
    the chain-rule formulas with floats).
    """
    from autograd_mini.two_node import TwoNodeNetwork

    net = TwoNodeNetwork(*TWO_NODE_PARAMS, cost="squared")
    x, y = TWO_NODE_EXAMPLE

    def ours() -> float:
        net.zero_grad()
        cost = net.cost(x, y)
        cost.backward()
        return net.w1.grad

    def hand() -> float:
        return net.hand_gradients(x, y)["dJ_dw1"]

    w1, b1, w2, b2 = (Value(p) for p in TWO_NODE_PARAMS)

    def op_by_op() -> float:
        """The same network as a user writes it with Values, one operation at a time."""
        for p in (w1, b1, w2, b2):
            p.grad = 0.0
        xv, yv = Value(x), Value(y)
        y_hat = (w2 * (w1 * xv + b1).sigmoid() + b2).sigmoid()
        cost = 0.5 * (y_hat - yv) ** 2
        cost.backward()
        return w1.grad

    return {"ours": ours, "op-by-op": op_by_op, "hand": hand}


# --------------------------------------------------------------------------- jit


def demo_loss(model: Any, wrap: Callable[[float], Any] = Value) -> Callable[..., Any]:
    """micrograd's demo loss as a function of the data, as a user writes it for `jit`."""

    def loss(xs: Sequence[Sequence[float]], ys: Sequence[float]) -> Any:
        inputs = [[wrap(v) for v in row] for row in xs]
        scores = [model(x) for x in inputs]
        losses = [(1 + -y * score).relu() for y, score in zip(ys, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * sum(p * p for p in model.parameters())
        return data_loss + reg_loss

    return loss


def jit_mlp_step(points: int = 100, learning_rate: float = LEARNING_RATE
                 ) -> Callable[[], object]:
    """micrograd's demo step with the loss compiled by `jit`: the whole step as a user
    writes it (call, ``zero_grad``, ``backward``, SGD update). Traces on the first call."""
    xs, ys = moons(points)
    model = ours_mlp(initial_parameters())
    loss = jit(demo_loss(model))

    def step() -> object:
        total = loss(xs, ys)
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        return total

    return step


def training_run(name: str, steps: int = 100, points: int = 100) -> float:
    """Seconds for ``steps`` real training steps of the demo (micrograd's seed and rate
    schedule, ``lr = 1 - 0.9 k / 100``), for ``"eager"``, ``"jit"`` or ``"floor"``.

    Unlike the fixed-weights steps timed elsewhere, the model learns: most hinges are
    soon satisfied, and each implementation skips their backward work."""
    xs, ys = moons(points)
    params = initial_parameters()
    rates = [1.0 - 0.9 * k / 100 for k in range(steps)]
    if name == "floor":
        floor = FloorMLP(SIZES, params)
        start = time.perf_counter()
        for lr in rates:
            floor.step(xs, ys, lr, ALPHA)
        return time.perf_counter() - start
    model = ours_mlp(params)
    loss = jit(demo_loss(model)) if name == "jit" else demo_loss(model)
    if name == "jit":
        loss(xs, ys)  # the trace is not part of the training run's timing
    start = time.perf_counter()
    for lr in rates:
        total = loss(xs, ys)
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= lr * p.grad
    return time.perf_counter() - start


def jit_first_call(points: int = 100) -> float:
    """Seconds of the first call of a freshly compiled demo step: trace, code
    generation, compilation, the replay and its backward."""
    step = jit_mlp_step(points)
    gc.collect()
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def two_node_bare(x: float, y: float, w1: float, b1: float, w2: float, b2: float
                  ) -> tuple[float, float, float, float, float]:
    """The two-node network's cost and gradients by hand: plain floats, no checks."""
    z1 = w1 * x + b1
    a1 = 1.0 / (1.0 + math.exp(-z1))
    z2 = w2 * a1 + b2
    y_hat = 1.0 / (1.0 + math.exp(-z2))
    delta2 = (y_hat - y) * y_hat * (1.0 - y_hat)
    delta1 = delta2 * w2 * a1 * (1.0 - a1)
    return 0.5 * (y_hat - y) ** 2, delta2 * a1, delta2, delta1 * x, delta1


def two_node_jit_funcs() -> dict[str, Callable[[], object]]:
    """The two-node network, squared cost, compiled with `jit` vs the bare hand formulas.

    ``jit`` runs ``zero_grad``, the compiled cost and ``backward`` (the user's
    loop); ``bare`` is `two_node_bare`, the floats alone.
    """
    w1, b1, w2, b2 = (Value(p) for p in TWO_NODE_PARAMS)
    params = (w1, b1, w2, b2)
    x, y = TWO_NODE_EXAMPLE

    @jit
    def cost(xv: Any, yv: Any) -> Any:
        y_hat = (w2 * (w1 * xv + b1).sigmoid() + b2).sigmoid()
        return 0.5 * (y_hat - yv) ** 2

    def compiled() -> float:
        for p in params:
            p.grad = 0.0
        cost(x, y).backward()
        return w1.grad

    def bare() -> float:
        return two_node_bare(x, y, *TWO_NODE_PARAMS)[3]

    return {"jit": compiled, "bare": bare}


def jit_chain_scaling(n: int) -> dict[str, float]:
    """Compile and replay ``y = (y * 0.999 + 0.001).relu()``, ``n`` steps, with `jit`.

    Runs in a fresh Python process, so that the peak memory is this graph's
    alone. Returns seconds to compile (the first call: a trace of ``3n``
    operations, code generation, compilation, one replay and its backward),
    nanoseconds per operation of later replays (call and backward), the peak
    resident memory of the process above what it used before the call, in
    bytes, and the generated source's line count.
    """
    import json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _CHAIN_SCRIPT, str(n)], check=True,
                         capture_output=True, text=True).stdout
    return {k: float(v) for k, v in json.loads(out).items()}


_CHAIN_SCRIPT = """
import gc, json, resource, sys, time
from autograd_mini import Value, jit
n = int(sys.argv[1])

def memory(field):
    # VmRSS / VmHWM of this process (Linux); ru_maxrss would count the parent's
    # high-water mark, which a process started by fork and exec inherits.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

def chain(x):
    y = x
    for _ in range(n):
        y = (y * 0.999 + 0.001).relu()
    return y

f = jit(chain)
x = Value(1.0)
gc.collect()
before = memory("VmRSS")
start = time.perf_counter()
f(x).backward()
compile_s = time.perf_counter() - start
peak = memory("VmHWM")
assert x.grad > 0.0, x.grad
repeats = max(1, 300_000 // (3 * n))
gc.collect()
start = time.perf_counter()
for _ in range(repeats):
    f(x).backward()
replay = (time.perf_counter() - start) / repeats
print(json.dumps({"compile_s": compile_s, "replay_ns_per_op": replay / (3 * n) * 1e9,
                  "peak_bytes": (peak - before) * 1024,
                  "source_lines": f.source.count("\\n")}))
"""
