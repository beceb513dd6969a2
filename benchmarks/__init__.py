"""Benchmarks for autograd_mini: the measuring instrument behind docs/performance.md.

Run everything with ``python -m benchmarks.run`` (see ``benchmarks/README.md``).
Profiles of the hot workloads come from ``python -m benchmarks.profile``.
"""
