"""Where the time goes: cProfile, pyinstrument and garbage-collector share.

Usage (from the repository root)::

    python -m benchmarks.profiling                 # mlp and chain
    python -m benchmarks.profiling --only chain --chain-n 1000000
    python -m benchmarks.profiling --no-pyinstrument

For each workload it prints

* the top functions by own time under cProfile, as a share of the total
  (cProfile's per-call overhead inflates small, often-called functions, so
  read the ranking, not the exact percentages);
* pyinstrument's call tree (a sampling profiler: low overhead, shows where
  wall time accumulates), when pyinstrument is installed;
* the garbage collector's share: time inside collections measured with
  ``gc.callbacks``, the number of collections per generation, and the same
  work timed with ``gc.disable()``.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Sequence

from benchmarks import workloads
from benchmarks.timing import gc_disabled, gc_timer


def mlp_work(steps: int) -> Callable[[], object]:
    """``steps`` training steps of micrograd's demo on our engine."""
    step = workloads.mlp_funcs(include=("ours",))["ours"]

    def work() -> None:
        for _ in range(steps):
            step()

    return work


def chain_work(n: int) -> Callable[[], object]:
    """Build and back-propagate one chain ``y = (y * 0.999 + 0.001).relu()`` of ``n`` steps."""

    def work() -> None:
        _, y = workloads.build_chain(n)
        y.backward()

    return work


def cprofile_top(work: Callable[[], object], limit: int) -> str:
    """The ``limit`` functions with the most own time, with their share of the total."""
    gc.collect()
    profiler = cProfile.Profile()
    profiler.enable()
    work()
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = []
    for (path, line, name), (_, ncalls, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append((tottime, ncalls, cumtime, f"{path.rsplit('/', 1)[-1]}:{line}({name})"))
    rows.sort(reverse=True)
    out = io.StringIO()
    out.write(f"{'own %':>6}  {'own s':>7}  {'cum s':>7}  {'calls':>10}  function\n")
    for tottime, ncalls, cumtime, where in rows[:limit]:
        out.write(
            f"{tottime / total:6.1%}  {tottime:7.3f}  {cumtime:7.3f}  {ncalls:10,}  {where}\n"
        )
    out.write(f"total {total:.3f} s under cProfile\n")
    return out.getvalue()


def pyinstrument_tree(work: Callable[[], object]) -> str:
    """pyinstrument's text call tree, or a note when it is not installed."""
    if not workloads.has_module("pyinstrument"):
        return "(pyinstrument is not installed: pip install -e '.[bench]')\n"
    from pyinstrument import Profiler

    gc.collect()
    profiler = Profiler(interval=0.0005)
    profiler.start()
    work()
    profiler.stop()
    return str(profiler.output_text(unicode=False, color=False, show_all=False))


def gc_share(work: Callable[[], object], repeats: int) -> str:
    """Time in the cycle collector, and the same work with the collector off."""
    on, off, inside, counts = [], [], [], []
    for _ in range(repeats):
        gc.collect()
        with gc_timer() as timer:
            start = time.perf_counter()
            work()
            on.append(time.perf_counter() - start)
        inside.append(timer.seconds)
        counts.append(timer.collections)
        gc.collect()
        with gc_disabled():
            start = time.perf_counter()
            work()
            off.append(time.perf_counter() - start)
    med_on, med_off = statistics.median(on), statistics.median(off)
    share = statistics.median(i / t for i, t in zip(inside, on))
    gens = counts[len(counts) // 2]
    return (
        f"gc on : {med_on:.3f} s (median of {repeats}); inside collections {share:.1%} "
        f"(gen0/gen1/gen2 collections per run: {gens[0]}/{gens[1]}/{gens[2]})\n"
        f"gc off: {med_off:.3f} s; gc on / gc off = {med_on / med_off:.2f}x\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profiling", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="mlp,chain", help="comma-separated: mlp, chain")
    parser.add_argument("--steps", type=int, default=10, help="mlp training steps per profile")
    parser.add_argument("--chain-n", type=int, default=100_000, help="chain length")
    parser.add_argument("--top", type=int, default=15, help="functions listed from cProfile")
    parser.add_argument("--repeats", type=int, default=3, help="repeats of the gc comparison")
    parser.add_argument("--no-pyinstrument", action="store_true", help="skip pyinstrument")
    args = parser.parse_args(argv)
    jobs = {
        "mlp": (f"mlp: {args.steps} demo steps, MLP(2, [16, 16, 1]), 100 points",
                mlp_work(args.steps)),
        "chain": (f"chain: N={args.chain_n:,} (build + backward)", chain_work(args.chain_n)),
    }
    for name in (n.strip() for n in args.only.split(",") if n.strip()):
        if name not in jobs:
            parser.error(f"unknown workload {name!r}; choose from mlp, chain")
        title, work = jobs[name]
        work()  # warm-up
        print(f"=== {title}\n")
        print(f"--- cProfile, top {args.top} by own time\n{cprofile_top(work, args.top)}")
        if not args.no_pyinstrument:
            print(f"--- pyinstrument\n{pyinstrument_tree(work)}")
        print(f"--- garbage collector\n{gc_share(work, args.repeats)}")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
