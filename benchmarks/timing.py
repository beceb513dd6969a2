"""Timing helpers: alternate implementations inside each repeat, report medians.

A shared, noisy machine makes single timings meaningless. Every comparison in
this package therefore runs all implementations inside each repeat (rotating
which one goes first) and reports the median over repeats. The garbage
collector is left on, as users run their code; ``gc.collect()`` runs before
each timed window so that one implementation's garbage is not collected on
another's clock, and ``gc.freeze()`` then moves everything alive at that
moment (the interpreter, the imported reference libraries, the models) to the
collector's permanent generation until the window ends. Without it, every full
collection inside a timed step would also re-scan PyTorch's and micrograd's
import heap (about 170,000 objects), which a program that imports only
autograd_mini does not have; with it, collections scan what the timed code
itself allocates, for every implementation alike.
"""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Samples:
    """Seconds per call of one implementation, one sample per repeat."""

    name: str
    seconds: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        """Median seconds per call over the repeats."""
        return statistics.median(self.seconds)

    @property
    def spread(self) -> float:
        """(max - min) / median: a rough noise indicator for the report."""
        return (max(self.seconds) - min(self.seconds)) / self.median


def calls_for(func: Callable[[], object], budget: float) -> int:
    """How many calls of ``func`` fill about ``budget`` seconds (at least 1).

    Runs ``func`` once to estimate its cost; that call doubles as a warm-up.
    """
    start = time.perf_counter()
    func()
    one = time.perf_counter() - start
    return max(1, math.ceil(budget / max(one, 1e-9)))


def time_calls(func: Callable[[], object], calls: int, collect: bool = True) -> float:
    """Seconds per call of ``func`` over ``calls`` back-to-back calls.

    With ``collect`` (the default) a full ``gc.collect()`` runs first, off the
    clock. What is alive when the window starts is frozen (``gc.freeze()``) for
    its duration, as the module docstring explains.
    """
    if collect:
        gc.collect()
    gc.freeze()
    try:
        start = time.perf_counter()
        for _ in range(calls):
            func()
        return (time.perf_counter() - start) / calls
    finally:
        gc.unfreeze()


def compare(
    funcs: Mapping[str, Callable[[], object]],
    repeats: int,
    budget: float = 0.2,
) -> dict[str, Samples]:
    """Time each function in ``funcs``, alternating them inside every repeat.

    Args:
        funcs: implementation name -> a zero-argument callable doing one unit
            of work (one training step, one evaluation, ...).
        repeats: how many rounds; each round times every implementation once.
        budget: seconds each implementation runs per round (calls are
            calibrated once, up front, to roughly fill it).

    Returns:
        name -> per-round seconds per call; use ``.median``.
    """
    names = list(funcs)
    calls = {name: calls_for(funcs[name], budget) for name in names}
    samples = {name: Samples(name) for name in names}
    for r in range(repeats):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:  # rotate who goes first
            samples[name].seconds.append(time_calls(funcs[name], calls[name]))
    return samples


@dataclass
class GCTimer:
    """Wall time spent inside CPython's cycle collector, from ``gc.callbacks``."""

    seconds: float = 0.0
    collections: list[int] = field(default_factory=lambda: [0, 0, 0])
    _start: float = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._start
            self.collections[info["generation"]] += 1


@contextmanager
def gc_timer() -> Iterator[GCTimer]:
    """Measure the time the cycle collector takes inside the ``with`` block."""
    timer = GCTimer()
    gc.callbacks.append(timer)
    try:
        yield timer
    finally:
        gc.callbacks.remove(timer)


@contextmanager
def gc_disabled() -> Iterator[None]:
    """Turn the cycle collector off inside the block (a diagnostic, not how users run)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
