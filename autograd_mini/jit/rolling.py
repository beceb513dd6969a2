"""Finding repeated blocks in a trace, so they can be emitted once as a loop.

The operations of a trace, in forward order, often repeat: the same network
for each example of a dataset, the same step of a chain, the same term of a
sum. `find_runs` splits the sequence into straight operations and *runs*: a
block of ``period`` operations repeated ``count`` times, where instance ``i``
does what instance 0 does, reading

* ``local``: an operation earlier in the same instance;
* ``carry``: an operation of the previous instance (instance 0 reads an
  initial value instead), as a running sum or a chain does;
* ``shared``: the same Value in every instance (a weight, a constant);
* ``varying``: a different input (or a different node of an earlier run) in
  each instance, such as the example's own data;
* numbers, the same in every instance or not.

Backward visits the operations in exactly the reverse order, so a run is
also one loop backward, over the instances in reverse. A block is only
rolled when this keeps the order in which every gradient is accumulated
(a carried value is read by one edge; its initial value is not used by the
run otherwise), so rolled code gives the same floats as straight code.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Any

from autograd_mini.engine import Value
from autograd_mini.jit.tracing import Graph, Op

__all__ = ["Run", "Operand", "find_runs", "MIN_OPS"]

MIN_OPS = 12
"""The fewest operations a run must cover to be worth a loop."""


@dataclass(frozen=True)
class Operand:
    """How argument ``j`` of position ``p`` of a run is read in instance ``i``.

    ``kind`` is ``"local"`` / ``"carry"`` (``pos``: the position read; for a
    carry, ``init`` is what instance 0 reads), ``"shared"`` (``init``: the Value
    or number), ``"varying"`` (``items``: the Value or number of each instance).
    """

    kind: str
    pos: int = -1
    init: Any = None
    items: tuple[Any, ...] = ()


@dataclass
class Run:
    """``count`` instances of the ``period`` operations starting at ``start``."""

    start: int
    period: int
    count: int
    operands: list[list[Operand]]


def find_runs(graph: Graph, min_ops: int = MIN_OPS,
              position: dict[Value, int] | None = None) -> list[int | Run]:
    """The forward order as straight operations (their index) and `Run` blocks.

    ``position`` maps each operation's output to its index (computed when
    not given). Flat arrays keep a million-operation trace small.
    """
    ops = graph.ops
    constants = graph.constants
    n = len(ops)
    if position is None:
        position = {op.out: k for k, op in enumerate(ops)}
    kinds: dict[object, int] = {}  # each distinct signature gets a small number
    signature = array("l", (kinds.setdefault(_signature(op, constants), len(kinds))
                            for op in ops))
    next_same = array("l", bytes(8 * n))
    last: dict[int, int] = {}
    for k in range(n - 1, -1, -1):
        next_same[k] = last.get(signature[k], -1)
        last[signature[k]] = k
    in_run = array("l", [-1]) * n  # op index -> the segment of the run holding it, or -1
    segments: list[int | Run] = []
    s = 0
    while s < n:
        run = None
        if next_same[s] > s:
            period = next_same[s] - s
            count = 1
            while (s + (count + 1) * period <= n and
                   signature[s + count * period: s + (count + 1) * period]
                   == signature[s: s + period]):
                count += 1
            if count >= 2 and count * period >= min_ops:
                run = _classify(ops, constants, position, in_run, s, period, count)
        if run is None:
            segments.append(s)
            s += 1
            continue
        for k in range(s, s + run.count * run.period):
            in_run[k] = len(segments)
        segments.append(run)
        s += run.count * run.period
    return segments


def _signature(op: Op, constants: dict[Value, float]) -> object:
    kinds = tuple("V" if isinstance(a, Value) and a not in constants else "c" for a in op.args)
    return (id(op.prim), kinds, op.stop)


def _classify(ops: list[Op], constants: dict[Value, float], position: dict[Value, int],
              in_run: array[int], s: int, period: int, count: int) -> Run | None:
    """The operands of a candidate run, or None when it cannot be rolled exactly."""
    end = s + period * count
    operands: list[list[Operand]] = []
    carried: dict[int, int] = {}  # carried position -> number of edges reading it
    shared_values: set[Value] = set()
    inits: list[Value] = []
    for p in range(period):
        row: list[Operand] = []
        for j in range(len(ops[s + p].args)):
            items = [_arg(ops[s + i * period + p].args[j], constants) for i in range(count)]
            first = items[0]
            if not isinstance(first, Value):  # a number
                if all(x == first or (x != x and first != first) for x in items):
                    row.append(Operand("shared", init=first))
                else:
                    row.append(Operand("varying", items=tuple(items)))
                continue
            if all(x is first for x in items):
                if position.get(first, -1) >= s:  # a node of this run in every instance?
                    return None
                row.append(Operand("shared", init=first))
                shared_values.add(first)
                continue
            local = _relative(items, position, s, period, 0)
            if local is not None and local < p:
                row.append(Operand("local", pos=local))
                continue
            carry = _relative(items[1:], position, s + period, period, -period)
            if carry is not None and position.get(first, -1) < s:
                row.append(Operand("carry", pos=carry, init=first))
                carried[carry] = carried.get(carry, 0) + 1
                inits.append(first)
                continue
            if not all(isinstance(x, Value) for x in items):
                return None
            for x in items:  # each instance reads its own input or earlier-run node
                k = position.get(x)
                if k is not None and (k >= s or in_run[k] < 0):
                    return None
            row.append(Operand("varying", items=tuple(items)))
        operands.append(row)
    if any(c > 1 for c in carried.values()):
        return None
    if any(v in shared_values for v in inits) or len(set(map(id, inits))) != len(inits):
        return None
    if end > len(ops):
        return None
    return Run(s, period, count, operands)


def _arg(a: Any, constants: dict[Value, float]) -> Any:
    if isinstance(a, Value) and a in constants:
        return constants[a]
    return a


def _relative(items: list[Any], position: dict[Value, int], base: int, period: int,
              shift: int) -> int | None:
    """The position ``q`` such that ``items[i]`` is op ``base + i*period + q + shift``."""
    if not items:
        return None
    k0 = position.get(items[0])
    if k0 is None:
        return None
    q = k0 - base - shift
    if not 0 <= q < period:
        return None
    for i, x in enumerate(items):
        if position.get(x) != base + i * period + q + shift:
            return None
    return q
