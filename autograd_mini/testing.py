"""Tools for testing gradients: `gradcheck`, `gradgradcheck` and hypothesis strategies.

`gradcheck` compares the engine's gradient of a function with a central finite
difference, argument by argument; `gradgradcheck` does the same one order up,
for the matrix of second derivatives. Both raise `AssertionError` with a table
of analytic and numeric values when they disagree, so they drop straight into
a test:

```python
from autograd_mini.testing import gradcheck

def test_my_loss():
    assert gradcheck(lambda w, b: ((w * 2.0 + b).tanh() - 1.0) ** 2, 0.3, -0.1)
```

The strategies (`values`, `expressions`) and `register_profile` build on the
optional `hypothesis` package (``pip install 'autograd-mini[testing]'``). It is
imported only when one of them is called: importing this module, or
`autograd_mini`, never imports hypothesis.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from autograd_mini import checks as _checks
from autograd_mini.checks import short_repr
from autograd_mini.engine import ADD, MUL, PRIMITIVES, TANH, Primitive, Value
from autograd_mini.engine import apply as _apply
from autograd_mini.functional import _call, gradients
from autograd_mini.ops import FUNCTIONS

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

__all__ = [
    "gradcheck",
    "gradgradcheck",
    "SIDES",
    "values",
    "expressions",
    "Expression",
    "Step",
    "Ref",
    "DOMAINS",
    "NARY_ARGUMENTS",
    "register_profile",
    "PROFILE",
    "SMOOTH_OPS",
    "NONSMOOTH_OPS",
    "ALL_OPS",
]

_INSTALL_HINT = "pip install 'autograd-mini[testing]'"


# --------------------------------------------------------------------------- gradcheck

SIDES = ("central", "forward", "backward")
"""The finite differences `gradcheck` and `gradgradcheck` can use."""

_ROUNDING = 24 * 2.0**-53
"""Rounding allowance of the Richardson estimate, per unit of max|f| / eps: the
function values are taken as good to 8 units in the last place, and the
estimate (4 D(eps/2) - D(eps)) / 3 triples that."""


def _check_args(args: Sequence[object], who: str) -> list[float]:
    """The arguments as floats; TypeError for non-numbers, ValueError for non-finite ones."""
    if not args:
        raise TypeError(f"{who}: give at least one argument to differentiate with respect to")
    xs = []
    for i, a in enumerate(args):
        if isinstance(a, Value):
            raise TypeError(
                f"{who}: argument {i} is a Value ({short_repr(a)}); pass plain numbers, "
                f"{who} builds the Values itself (use v.data for a Value's number)"
            )
        xs.append(_checks.real(a, f"argument {i}", who))
    return xs


def _check_tolerances(eps: float, rtol: float, atol: float, side: str, who: str) -> None:
    """The finite-difference settings of `gradcheck` and `gradgradcheck`, via `checks`."""
    _checks.real(eps, "eps", who, low=0.0, low_inclusive=False)
    _checks.real(rtol, "rtol", who, low=0.0)
    _checks.real(atol, "atol", who, low=0.0)
    _checks.choice(side, "side", who, SIDES)


def _value_at(f: Callable[..., Any], xs: Sequence[float], who: str) -> float:
    """f at the point ``xs`` as a float, without recording a graph."""
    return _call(f, [Value(x) for x in xs], who, record=False).data


def _first_derivatives(f: Callable[..., Any], xs: Sequence[float], who: str) -> list[float]:
    """The engine's gradient of f at ``xs`` (floats), via `gradients`."""
    leaves = [Value(x) for x in xs]
    return [float(g) for g in gradients(_call(f, leaves, who), leaves)]


def _probe(
    g: Callable[[list[float]], Sequence[float]], xs: Sequence[float], j: int, offset: float,
    eps: float, side: str, who: str,
) -> tuple[float, list[float]]:
    """``(x_j + offset as represented, g there)``; a domain error becomes a ValueError
    saying that the finite-difference probe left the function's domain."""
    point = list(xs)
    point[j] += offset
    try:
        return point[j], list(g(point))
    except (ArithmeticError, ValueError) as exc:
        where = "x" if len(xs) == 1 else f"x[{j}]"
        fix = (
            "side='forward'" if offset < 0 else "side='backward'" if offset > 0 else ""
        )
        advice = [
            f"a smaller eps (now {eps!r}; the edge is within eps of the point, and "
            "an eps about 1/100 of the distance to it keeps the estimate accurate)"
        ]
        if side == "central" and fix:
            advice.append(f"a one-sided difference ({who}(..., {fix}))")
        elif fix:
            advice.append(f"the other side ({who}(..., {fix}))")
        raise ValueError(
            f"{who}: the finite-difference probe {where} = {point[j]!r} ({where} "
            f"{'+' if offset >= 0 else '-'} {abs(offset)!r}, around the point {xs[j]!r}) "
            f"left the domain of the function: {exc}. The point itself is fine; use "
            + " or ".join(advice) + "."
        ) from exc


def _difference(
    g: Callable[[list[float]], Sequence[float]], xs: Sequence[float], j: int, eps: float,
    side: str, who: str,
) -> tuple[list[float], list[float]]:
    """Richardson-extrapolated finite difference of ``g`` along ``x_j``, and its error bound.

    ``D(h)`` is the central difference ``(g(x + h) - g(x - h)) / (2h)`` (or the
    one-sided ``(g(x + h) - g(x)) / h``, ``(g(x) - g(x - h)) / h``) with the
    distance between the points as represented in floating point as divisor.
    The estimate combines ``D(eps)`` and ``D(eps/2)`` so that the leading
    truncation term cancels: ``(4 D(eps/2) - D(eps)) / 3`` for central
    differences (error O(eps^4)), ``2 D(eps/2) - D(eps)`` for one-sided ones
    (error O(eps^2)). The error bound is ``|D(eps) - D(eps/2)|`` (larger than
    the remaining truncation error whenever the extrapolation works) plus a
    rounding allowance ``24 u max|g| / eps`` (u = 2**-53).
    """
    steps: list[list[float]] = []
    largest: list[float] = []
    for h in (eps, eps / 2):
        if side == "central":
            (hi, up), (lo, down) = (
                _probe(g, xs, j, h, eps, side, who), _probe(g, xs, j, -h, eps, side, who)
            )
        elif side == "forward":
            (hi, up), (lo, down) = (
                _probe(g, xs, j, h, eps, side, who), _probe(g, xs, j, 0.0, eps, side, who)
            )
        else:
            (hi, up), (lo, down) = (
                _probe(g, xs, j, 0.0, eps, side, who), _probe(g, xs, j, -h, eps, side, who)
            )
        width = hi - lo
        steps.append([(a - b) / width for a, b in zip(up, down)])
        largest = [max(m, abs(a), abs(b)) for m, a, b in
                   zip(largest or [0.0] * len(up), up, down)]
    coarse, fine = steps
    factor = 3.0 if side == "central" else 1.0
    numeric = [b + (b - a) / factor for a, b in zip(coarse, fine)]
    error = [abs(a - b) + _ROUNDING * m / eps for a, b, m in zip(coarse, fine, largest)]
    return numeric, error


class _Entry(NamedTuple):
    where: str
    analytic: float
    numeric: float
    error: float

    def tolerance(self, rtol: float, atol: float) -> float:
        return atol + rtol * abs(self.numeric) + self.error

    def ok(self, rtol: float, atol: float) -> bool:
        # Written so that a NaN on either side counts as a mismatch.
        return abs(self.analytic - self.numeric) <= self.tolerance(rtol, atol)


def _report(
    who: str, f: Callable[..., Any], xs: Sequence[float], entries: Sequence[_Entry],
    eps: float, rtol: float, atol: float, what: str, side: str,
) -> bool:
    """Return True if every entry is within tolerance, else raise AssertionError with a table."""
    if all(e.ok(rtol, atol) for e in entries):
        return True
    name = str(getattr(f, "__name__", type(f).__name__))[: _checks.MAX_REPR]
    point = ", ".join(repr(x) for x in xs[:20]) + (", ..." if len(xs) > 20 else "")
    bad = sum(not e.ok(rtol, atol) for e in entries)
    lines = [
        f"{who}: {bad} of {len(entries)} {what} of {name} at ({point}) differ from "
        f"{side} finite differences (eps={eps!r}, Richardson-extrapolated; tolerance = "
        f"atol + rtol*|numeric| + fd error with rtol={rtol!r}, atol={atol!r})",
        f"  {'':2}{'index':<8}{'analytic':>24}{'numeric':>24}{'difference':>24}"
        f"{'tolerance':>24}{'fd error':>24}",
    ]
    for e in entries:
        diff = abs(e.analytic - e.numeric)
        mark = "ok" if e.ok(rtol, atol) else "MISMATCH"
        lines.append(
            f"  {'x ' if mark != 'ok' else '  '}{e.where:<8}{e.analytic!r:>24}{e.numeric!r:>24}"
            f"{diff!r:>24}{e.tolerance(rtol, atol)!r:>24}{e.error!r:>24}  {mark}"
        )
    if any(not e.ok(rtol, atol) and e.error > 1e-3 * abs(e.numeric) for e in entries):
        lines.append(
            f"  note: the fd error of a mismatch is large: the function changes sharply "
            f"within eps={eps!r} (a kink, or the edge of its domain nearby), so the "
            "finite difference itself is unreliable there; try a smaller eps"
        )
    raise AssertionError("\n".join(lines))


def gradcheck(
    f: Callable[..., Any],
    *args: float,
    eps: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 0.0,
    side: str = "central",
) -> bool:
    r"""Check the engine's gradient of ``f`` against finite differences.

    For each argument $x_i$ the analytic derivative (the engine's
    backward pass) is compared with a Richardson-extrapolated finite
    difference. With $D(h) = \frac{f(x + h e_i) - f(x - h e_i)}{2h}$,

    $$ \text{numeric} = \frac{4 D(\varepsilon/2) - D(\varepsilon)}{3}, \qquad
       \text{fd error} = |D(\varepsilon) - D(\varepsilon/2)|
       + 24\,u\,\frac{\max |f|}{\varepsilon} $$

    ($u = 2^{-53}$; the max is over the probes), and the derivative is
    accepted when

    $$ |\text{analytic} - \text{numeric}| \le
       \text{atol} + \text{rtol}\,|\text{numeric}| + \text{fd error}. $$

    The extrapolation cancels the $\varepsilon^2 f'''/6$ truncation term,
    and the fd error, measured from the function itself, covers what is left
    (rounding, a function that curves sharply within ``eps``). So the check
    is relative, whatever the derivative's magnitude: with the defaults a
    derivative off by $10^{-4}$ of its value is caught for $|f'| = 10^{-8}$
    as for $|f'| = 10^{8}$, as long as the fd error is small against it
    (it grows like $|f| / \varepsilon$ when $|f'| \ll |f|$). ``atol`` adds a
    fixed allowance (default 0). See docs/gradient-testing.md.

    ``side="forward"`` or ``"backward"`` uses one-sided differences
    ($f(x)$, $f(x \pm \varepsilon/2)$, $f(x \pm \varepsilon)$, extrapolated as
    $2 D(\varepsilon/2) - D(\varepsilon)$): for points within ``eps`` of the
    edge of the function's domain (``log`` near 0). A probe outside the
    domain raises a ValueError that says so and suggests a smaller ``eps``
    or a one-sided difference. Near a kink (``relu``, ``abs`` at 0) a finite
    difference is meaningless: check points at least ``eps`` away from it.

    Args:
        f: a function of Values returning a Value, one Value per argument.
        *args: the point, as real numbers (not Values).
        eps: the finite-difference step, > 0.
        rtol: relative tolerance, against the numeric value.
        atol: absolute tolerance, added to the rest.
        side: ``"central"`` (default), ``"forward"`` or ``"backward"``.

    Returns:
        True when every derivative matches, so ``assert gradcheck(...)`` reads well.

    Raises:
        AssertionError: a derivative differs; the message is a table giving,
            for every argument, its index, the analytic and numeric values,
            their difference, the tolerance and the fd error, marking the
            mismatches.
        TypeError: an argument is not a real number (a Value, a string, a
            bool), or ``f`` returns something other than a Value.
        ValueError: an argument is not finite, a tolerance is negative, or a
            finite-difference probe left the function's domain (the message
            says which probe and what to do).
    """
    who = "gradcheck"
    _check_tolerances(eps, rtol, atol, side, who)
    xs = _check_args(args, who)
    analytic = _first_derivatives(f, xs, who)

    def values_at(point: list[float]) -> list[float]:
        return [_value_at(f, point, who)]

    entries = []
    for i in range(len(xs)):
        numeric, error = _difference(values_at, xs, i, eps, side, who)
        entries.append(_Entry(str(i), analytic[i], numeric[0], error[0]))
    return _report(who, f, xs, entries, eps, rtol, atol, "first derivatives", side)


def gradgradcheck(
    f: Callable[..., Any],
    *args: float,
    eps: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 0.0,
    side: str = "central",
) -> bool:
    r"""Check the engine's second derivatives of ``f`` against finite differences.

    The analytic Hessian entry $H_{ij} = \partial^2 f / \partial x_i \partial x_j$
    is the engine's gradient of its own (differentiable) first derivative
    $g_i = \partial f / \partial x_i$, computed with
    ``gradients(..., create_graph=True)``. It is compared with a finite
    difference of the engine's first derivative along $x_j$, extrapolated
    and toleranced exactly as in `gradcheck` (with $g_i$ in place of $f$):

    $$ H_{ij} \approx \frac{g_i(x + \varepsilon e_j) - g_i(x - \varepsilon e_j)}{2\varepsilon}, $$

    for every pair ``(i, j)``. This checks the higher-order machinery
    (re-running each primitive's derivative rule on Values) against the
    first-order one; check the first order itself with `gradcheck`.

    Args:
        f: a function of Values returning a Value.
        *args: the point, as real numbers.
        eps: the finite-difference step, > 0.
        rtol: relative tolerance, against the numeric value.
        atol: absolute tolerance, added to the rest.
        side: ``"central"`` (default), ``"forward"`` or ``"backward"``.

    Returns:
        True when every second derivative matches.

    Raises:
        AssertionError: an entry differs; the message lists every ``(i, j)``
            with analytic and numeric values, difference, tolerance and fd error.
        TypeError: an argument is not a real number, or ``f`` does not
            return a Value.
        ValueError: an argument is not finite, a tolerance is negative, or a
            probe left the function's domain.
    """
    who = "gradgradcheck"
    _check_tolerances(eps, rtol, atol, side, who)
    xs = _check_args(args, who)
    n = len(xs)
    leaves = [Value(x) for x in xs]
    first = gradients(_call(f, leaves, who), leaves, create_graph=True)
    hess: list[list[float]] = []
    for g in first:
        if isinstance(g, Value):
            hess.append([float(h) for h in gradients(g, leaves)])
        else:  # a first derivative that does not depend on the inputs
            hess.append([0.0] * n)

    def grads_at(point: list[float]) -> list[float]:
        return _first_derivatives(f, point, who)

    entries: list[_Entry] = []
    for j in range(n):
        column, error = _difference(grads_at, xs, j, eps, side, who)
        entries.extend(
            _Entry(f"({i}, {j})", hess[i][j], column[i], error[i]) for i in range(n)
        )
    entries.sort(key=lambda e: e.where)
    return _report(who, f, xs, entries, eps, rtol, atol, "second derivatives", side)


# --------------------------------------------------------------------------- expressions
# Every operation comes from the engine's table (`PRIMITIVES`), or is a user
# `Primitive` passed in `ops`: its `domain` says how to feed each argument,
# its `smooth` flag whether it is drawn by default, its `arity` how many
# arguments it takes. Adding a row to the table adds it here.

SMOOTH_OPS: tuple[str, ...] = tuple(name for name, p in PRIMITIVES.items() if p.smooth)
"""The operations `expressions` uses by default: the table's smooth primitives."""
NONSMOOTH_OPS: tuple[str, ...] = tuple(name for name, p in PRIMITIVES.items() if not p.smooth)
"""The table's primitives with kinks (``relu``, ``abs``, ``dot_relu``): finite
differences disagree with any derivative there."""
ALL_OPS: tuple[str, ...] = SMOOTH_OPS + NONSMOOTH_OPS
"""Every operation of the table, by its name in `PRIMITIVES`."""

DOMAINS: tuple[str, ...] = ("real", "positive", "nonzero", "bounded", "constant")
"""The argument domains a `Primitive` may declare, and so `expressions` understands:
``real`` gets a subexpression ``a`` as it is, ``positive`` and ``nonzero`` get
``1 + a*a``, ``bounded`` gets ``tanh(a)``, ``constant`` a small number."""

_CONSTANTS: dict[str, tuple[float, ...]] = {
    "real": (-2.0, -0.5, 0.5, 1.5, 3.0),
    "constant": (-2.0, -0.5, 0.5, 1.5, 3.0),
    "positive": (0.5, 2.0, 3.0),
    "nonzero": (-2.0, -0.5, 0.5, 1.5, 3.0),
    "bounded": (-1.5, -1.0, -0.5, 0.5, 1.5),
}
"""The numbers drawn for a constant argument, by the argument's domain."""

NARY_ARGUMENTS: tuple[int, ...] = (3, 5, 7)
"""How many arguments an n-ary operation (``arity is None``) gets: always odd,
as `dot` needs (n weights, n inputs and a bias)."""

_INFIX = ("+", "-", "*", "/", "**")


class Ref(NamedTuple):
    """An operand of a `Step`: the program's result number ``slot``.

    Results are numbered in order: the variables first (in `Expression.variables`
    order), then one per step.
    """

    slot: int


class Step(NamedTuple):
    """One step of an `Expression`'s program: ``apply(prim, *args)``.

    Each argument is a `Ref` to an earlier result or a plain float constant.
    """

    prim: Primitive
    args: tuple[Ref | float, ...]


Apply = Callable[..., Any]
"""An engine, as `Expression.run` calls it: ``apply(prim, *args) -> result``."""


class _Node:
    """One drawn operation: its name, primitive and operands, or a variable.

    An operand is ``(domain, node)``, a subexpression fed through the domain's
    guard, or a float constant.
    """

    __slots__ = ("op", "prim", "args", "name", "depth")

    op: str
    prim: Primitive | None
    args: tuple[tuple[str, _Node] | float, ...]
    name: str
    depth: int

    def __init__(
        self,
        op: str,
        prim: Primitive | None = None,
        args: tuple[tuple[str, _Node] | float, ...] = (),
        name: str = "",
    ) -> None:
        self.op = op
        self.prim = prim
        self.args = args
        self.name = name
        self.depth = 1 + max((a[1].depth for a in self.operands()), default=-1)

    def operands(self) -> list[tuple[str, _Node]]:
        """The subexpression operands, with their domains (constants left out)."""
        return [a for a in self.args if not isinstance(a, float)]


def _float_apply(prim: Primitive, *args: float) -> float:
    """The engine-free "engine": the primitive's forward on plain floats."""
    return prim.forward(*args)


def _eager_apply(prim: Primitive, *args: Any) -> Any:
    """The eager engine: `autograd_mini.engine.apply`, which records a node."""
    return _apply(prim, args)


def _bare(text: str) -> str:
    """Drop the outer parentheses `_operand` added, inside a function call."""
    if text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        return text[1:-1]
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if depth < 0:
            return False
    return depth == 0


def _is_atomic(text: str) -> bool:
    """A name, a non-negative number or a call ``f(...)``: needs no parentheses as an operand."""
    if text.isidentifier():
        return True
    try:
        return float(text) >= 0.0
    except ValueError:
        pass
    head, paren, rest = text.partition("(")
    if not (paren and head.isidentifier() and text.endswith(")")):
        return False
    depth = 1  # the call's own parenthesis must close at the very end
    for ch in rest[:-1]:
        depth += (ch == "(") - (ch == ")")
        if depth == 0:
            return False
    return depth == 1


def _operand(text: str) -> str:
    """``text`` as an operand of an infix operator: parenthesized unless atomic."""
    return text if _is_atomic(text) else f"({text})"


def _guarded(domain: str, text: str) -> str:
    """The formula of a subexpression fed to an argument of ``domain``."""
    if domain in ("positive", "nonzero"):
        a = _operand(text)
        return f"1 + {a}*{a}"
    if domain == "bounded":
        return f"tanh({_bare(text)})"
    return text


def _function_name(op: str, prim: Primitive) -> str:
    """The name a formula calls ``prim`` by: its own name when that is an identifier."""
    return prim.name if prim.name.isidentifier() and not keyword.iskeyword(prim.name) else op


def _render(op: str, prim: Primitive, args: Sequence[str]) -> str:
    """The formula of one operation, given its arguments' (guarded) texts."""
    if prim.name in _INFIX and len(args) == 2:
        space = "" if prim.name == "**" else " "
        return f"{_operand(args[0])}{space}{prim.name}{space}{_operand(args[1])}"
    if prim.name == "neg" and len(args) == 1:
        return f"-{_operand(args[0])}"
    return f"{_function_name(op, prim)}({', '.join(_bare(a) for a in args)})"


class Expression:
    """A random formula over named variables, as drawn by `expressions`.

    The formula is a DAG: a subexpression may be used several times, and is
    then evaluated once and shared in the Value graph. Its ``repr`` names
    shared subexpressions ``t1``, ``t2``, ... so hypothesis' failure reports
    read like math:

    ```text
    Expression(x, y: t1 = sin(x) * y; t1 * tanh(t1))
    ```

    Underneath is a straight-line `program`: one `Step` ``(primitive,
    arguments)`` per primitive application, domain guards (``1 + a*a``,
    ``tanh(a)``) included. `run` executes it with any engine's ``apply``, so
    the same drawn program runs on the eager engine (`evaluate`), on plain
    floats (`value`), on `autograd_mini.reference` or on a tracer:

    ```python
    from autograd_mini import reference
    out = expr.run(reference.apply, [reference.Value(0.5), reference.Value(2.0)])
    ```

    Attributes:
        variables: the variable names, in the order `__call__` takes them.
        depth: the number of operations on the longest path from a variable.
        size: the number of operations.
        ops: the names of the operations used (see `ALL_OPS`).
        program: the steps, in order (see `run`).
    """

    __slots__ = ("variables", "_nodes", "_root", "_program", "_result")

    def __init__(self, variables: Sequence[str], nodes: Sequence[_Node], root: _Node) -> None:
        self.variables: tuple[str, ...] = tuple(variables)
        # The nodes reachable from the root, each after its operands.
        reachable: set[int] = {id(root)}
        for node in reversed(nodes):
            if id(node) in reachable:
                reachable.update(id(a) for _, a in node.operands())
        self._nodes = [n for n in nodes if id(n) in reachable]
        self._root = root
        self._program, self._result = self._compile()

    def _compile(self) -> tuple[tuple[Step, ...], int]:
        """The program of the nodes, and the number of the root's result."""
        steps: list[Step] = []
        number = {
            id(n): self.variables.index(n.name) for n in self._nodes if n.prim is None
        }

        def emit(prim: Primitive, *args: Ref | float) -> Ref:
            steps.append(Step(prim, args))
            return Ref(len(self.variables) + len(steps) - 1)

        for node in self._nodes:
            if node.prim is None:
                continue
            args: list[Ref | float] = []
            for arg in node.args:
                if isinstance(arg, float):
                    args.append(arg)
                    continue
                domain, source = arg
                ref = Ref(number[id(source)])
                if domain in ("positive", "nonzero"):
                    ref = emit(ADD, 1.0, emit(MUL, ref, ref))
                elif domain == "bounded":
                    ref = emit(TANH, ref)
                args.append(ref)
            number[id(node)] = emit(node.prim, *args).slot
        return tuple(steps), number[id(self._root)]

    @property
    def program(self) -> tuple[Step, ...]:
        """The steps that compute the formula, each after those it uses (see `run`)."""
        return self._program

    @property
    def depth(self) -> int:
        """Operations on the longest path from a variable to the result."""
        return self._root.depth

    @property
    def size(self) -> int:
        """The number of operations (shared ones counted once)."""
        return sum(1 for n in self._nodes if n.prim is not None)

    @property
    def ops(self) -> frozenset[str]:
        """The names of the operations the formula uses."""
        return frozenset(n.op for n in self._nodes if n.prim is not None)

    def run(self, apply: Apply, inputs: Sequence[Any]) -> Any:
        """Execute the program with an engine's ``apply``: the engine-neutral evaluation.

        Each step calls ``apply(step.prim, *args)``, with every `Ref` replaced
        by that earlier result (an input, or an earlier step's value) and
        constants passed as floats. Whatever ``apply`` returns is what later
        steps receive, so any engine works:

        - the eager engine: ``lambda p, *a: autograd_mini.engine.apply(p, a)``
          (what `evaluate` does);
        - the reference engine: ``autograd_mini.reference.apply`` on
          ``reference.Value`` inputs;
        - plain floats: ``lambda p, *a: p.forward(*a)`` (what `value` does).

        Args:
            apply: called as ``apply(prim, *args)`` once per step.
            inputs: one value per variable, in `variables` order.

        Returns:
            The last result: the formula's value as ``apply`` represents it
            (an input itself when the formula is a bare variable).

        Raises:
            TypeError: ``apply`` is not callable, or the number of inputs is wrong.
        """
        if not callable(apply):
            raise TypeError(
                f"Expression.run: apply must be callable, got {_checks.describe(apply)}"
            )
        if isinstance(inputs, (str, bytes)) or not isinstance(inputs, Sequence):
            raise TypeError(
                "Expression.run: inputs must be a sequence with one value per variable "
                f"({', '.join(self.variables)}), got {_checks.describe(inputs)}"
            )
        if len(inputs) != len(self.variables):
            raise TypeError(
                f"Expression.run: takes {len(self.variables)} input(s) "
                f"({', '.join(self.variables)}), got {len(inputs)}"
            )
        results = list(inputs)
        for prim, args in self._program:
            results.append(
                apply(prim, *[results[a.slot] if isinstance(a, Ref) else a for a in args])
            )
        return results[self._result]

    def _bind(self, given: dict[str, Any], who: str) -> list[Any]:
        missing = [v for v in self.variables if v not in given]
        extra = [k for k in given if k not in self.variables]
        if missing or extra:
            raise TypeError(
                f"Expression.{who}: expected values for {', '.join(self.variables)}; "
                + (f"missing {', '.join(missing)}" if missing else "")
                + ("; " if missing and extra else "")
                + (f"unknown {', '.join(extra)}" if extra else "")
            )
        return [given[v] for v in self.variables]

    def evaluate(self, **values: Value | float) -> Value:
        """Build the expression's graph on the given variables, with the eager engine.

        Args:
            **values: one Value or real number per variable; numbers become
                fresh leaf Values.

        Returns:
            The result as a Value (a variable's own Value when the formula is
            just that variable).

        Raises:
            TypeError: a variable is missing or unknown, or a value is neither
                a Value nor a real number.
        """
        given = self._bind(values, "evaluate")
        inputs = [
            v if isinstance(v, Value) else Value(v, label=k) for k, v in zip(self.variables, given)
        ]
        out = self.run(_eager_apply, inputs)
        return out if isinstance(out, Value) else Value(out)

    def __call__(self, *args: Value | float) -> Value:
        """Evaluate with the variables given by position, in `variables` order.

        This makes an expression a function of Values, ready for `gradcheck`,
        `autograd_mini.grad` and `autograd_mini.hessian`.
        """
        if len(args) != len(self.variables):
            raise TypeError(
                f"Expression: takes {len(self.variables)} argument(s) "
                f"({', '.join(self.variables)}), got {len(args)}"
            )
        return self.evaluate(**dict(zip(self.variables, args)))

    def value(self, **values: float) -> float:
        """The expression's value computed on plain floats, with no graph at all.

        The same program as `evaluate`, run through the primitives' float
        forwards: a reference for finite differences that is independent of
        `Value`.

        Raises:
            TypeError: a value is not a real number.
        """
        inputs = []
        for k, v in zip(self.variables, self._bind(values, "value")):
            inputs.append(_checks.real(v, k, "Expression.value", finite=False))
        return float(self.run(_float_apply, inputs))

    @property
    def formula(self) -> str:
        """The formula as text, shared subexpressions written once as ``tK = ...``."""
        uses: dict[int, int] = {}  # a guard 1 + a*a uses a twice
        for node in self._nodes:
            for domain, a in node.operands():
                uses[id(a)] = uses.get(id(a), 0) + (2 if domain in ("positive", "nonzero") else 1)
        text: dict[int, str] = {}
        bindings: list[str] = []
        for node in self._nodes:
            if node.prim is None:
                text[id(node)] = node.name
                continue
            args = [
                repr(a) if isinstance(a, float) else _guarded(a[0], text[id(a[1])])
                for a in node.args
            ]
            body = _render(node.op, node.prim, args)
            if uses.get(id(node), 0) > 1 and node is not self._root:
                name = f"t{len(bindings) + 1}"
                bindings.append(f"{name} = {body}")
                text[id(node)] = name
            else:
                text[id(node)] = body
        return "; ".join([*bindings, text[id(self._root)]])

    def __str__(self) -> str:
        return self.formula

    def __repr__(self) -> str:
        return f"Expression({', '.join(self.variables)}: {self.formula})"

# --------------------------------------------------------------------------- strategies


def _hypothesis(who: str) -> Any:
    """Import hypothesis on first use, or explain how to install it."""
    try:
        import hypothesis
        import hypothesis.strategies
    except ImportError as exc:
        raise ImportError(
            f"autograd_mini.testing.{who} needs the optional hypothesis package: "
            f"{_INSTALL_HINT}"
        ) from exc
    return hypothesis


def values(min_value: float = -10.0, max_value: float = 10.0) -> SearchStrategy[float]:
    """A hypothesis strategy for finite floats in ``[min_value, max_value]``.

    No NaN, no infinities, bounds included. Use it for the numbers you feed
    to functions of Values.

    Args:
        min_value: the smallest value drawn (finite).
        max_value: the largest value drawn (finite, >= ``min_value``).

    Raises:
        ImportError: hypothesis is not installed.
        TypeError: a bound is not a real number.
        ValueError: a bound is not finite, or ``min_value > max_value``.
    """
    lo = _checks.real(min_value, "min_value", "values")
    hi = _checks.real(max_value, "max_value", "values")
    if lo > hi:
        raise ValueError(f"values: min_value {lo!r} is greater than max_value {hi!r}")
    st = _hypothesis("values").strategies
    return st.floats(  # type: ignore[no-any-return]
        min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False
    )


def _resolve_ops(ops: Collection[str | Primitive], who: str) -> dict[str, Primitive]:
    """The operations to draw from, by name: table names and `Primitive` objects."""
    if isinstance(ops, str) or not isinstance(ops, Collection):
        raise TypeError(
            f"{who}: ops must be a collection of operation names or Primitives, "
            f"got {_checks.describe(ops)}"
        )
    table_names = {id(p): name for name, p in PRIMITIVES.items()}
    chosen: dict[str, Primitive] = {}
    unknown = []
    for op in ops:
        if isinstance(op, Primitive):
            name = table_names.get(id(op), op.name)
            prim = op
        elif isinstance(op, str):
            if op not in PRIMITIVES:
                unknown.append(op)
                continue
            name, prim = op, PRIMITIVES[op]
        else:
            raise TypeError(
                f"{who}: an operation must be a name from PRIMITIVES or a Primitive, "
                f"got {_checks.describe(op)}"
            )
        if chosen.get(name, prim) is not prim:
            raise ValueError(f"{who}: two different operations are named {name!r}")
        _check_domain(name, prim, who)
        chosen[name] = prim
    if unknown:
        raise ValueError(
            f"{who}: unknown operation(s) {unknown!r}; choose from {', '.join(ALL_OPS)} "
            "or pass Primitive objects"
        )
    if not chosen:
        raise ValueError(f"{who}: ops must name at least one operation")
    return chosen


def _check_domain(name: str, prim: Primitive, who: str) -> None:
    """A ValueError unless ``prim.domain`` is something `expressions` can feed."""
    domain = prim.domain
    for d in domain:
        if d not in DOMAINS:
            raise ValueError(
                f"{who}: operation {name!r} has an unknown domain {d!r}; "
                f"expected one of {', '.join(DOMAINS)}"
            )
    expected = 1 if prim.arity is None else prim.arity
    if len(domain) != expected:
        raise ValueError(
            f"{who}: operation {name!r} has {len(domain)} domain entries for "
            + ("an n-ary operation (give one for all arguments)" if prim.arity is None
               else f"{prim.arity} argument(s)")
        )
    if all(d == "constant" for d in domain):
        raise ValueError(f"{who}: operation {name!r} takes only constants: nothing to draw")


def expressions(
    variables: Sequence[str] = ("x", "y"),
    ops: Collection[str | Primitive] | None = None,
    max_depth: int = 4,
    max_size: int = 10,
) -> SearchStrategy[Expression]:
    """A hypothesis strategy for random `Expression` DAGs over the table of primitives.

    Each drawn expression is built step by step: every step applies one
    operation to operands picked from the variables and the subexpressions
    built so far, so subexpressions are often shared (a DAG, not only a
    tree). The operations come from `autograd_mini.engine.PRIMITIVES` (and
    any `Primitive` given in ``ops``), fed according to their metadata:

    - ``domain`` keeps every argument in the operation's domain for any real
      variable values: a ``"real"`` argument gets a subexpression ``a`` as it
      is, ``"positive"`` and ``"nonzero"`` ones get ``1 + a*a``, a
      ``"bounded"`` one gets ``tanh(a)``, a ``"constant"`` one a small number
      (never a Value). An operation of two or more arguments may also get a
      small constant in the domain for some of them (``2.0 / (1 + x*x)``,
      ``(1 + x*x)**1.5``), never for all;
    - ``arity``: an n-ary operation (``dot``, ``sum``) gets 3, 5 or 7
      arguments (`NARY_ARGUMENTS`);
    - ``smooth``: the default operations are the smooth ones (`SMOOTH_OPS`).

    Hypothesis shrinks failures towards fewer operations and towards the
    variables themselves.

    Values can still grow large through repeated ``mul`` and ``pow``: keep
    variable ranges and ``max_depth`` modest for finite-difference checks.

    Args:
        variables: the variable names (distinct Python identifiers).
        ops: the operations to draw from: names from `PRIMITIVES` and/or
            `Primitive` objects (user operations from
            `autograd_mini.primitive`, named by their ``name``); default
            `SMOOTH_OPS`. Use `ALL_OPS` to add ``relu``, ``abs`` and
            ``dot_relu`` for properties that do not rely on smoothness.
        max_depth: the largest number of operations on a path from a variable
            to the result; 0 draws a bare variable.
        max_size: the largest number of operations built (>= 1).

    Raises:
        ImportError: hypothesis is not installed.
        TypeError: an argument has the wrong type.
        ValueError: an unknown operation, a primitive whose ``domain`` cannot
            be fed, an empty or duplicated variable list, or a negative
            ``max_depth``.
    """
    who = "expressions"
    if isinstance(variables, str) or not isinstance(variables, Sequence):
        raise TypeError(
            f"{who}: variables must be a sequence of names such as ('x', 'y'), got {variables!r}"
        )
    names = tuple(variables)
    chosen = _resolve_ops(SMOOTH_OPS if ops is None else ops, who)
    called = {_function_name(op, prim) for op, prim in chosen.items()}
    for v in names:
        if not isinstance(v, str):
            raise TypeError(f"{who}: variable names must be str, got {type(v).__name__} {v!r}")
        if not v.isidentifier() or keyword.iskeyword(v) or v in FUNCTIONS or v in called:
            raise ValueError(f"{who}: {v!r} is not usable as a variable name")
    if not names:
        raise ValueError(f"{who}: give at least one variable")
    if len(set(names)) != len(names):
        raise ValueError(f"{who}: variable names must be distinct, got {names!r}")
    _checks.integer(max_depth, "max_depth", who, minimum=0)
    _checks.integer(max_size, "max_size", who, minimum=1)

    st = _hypothesis(who).strategies
    leaves = [_Node("var", name=v) for v in names]
    labels = tuple(chosen)

    @st.composite  # type: ignore[untyped-decorator]
    def build(draw: Callable[[Any], Any]) -> Expression:
        pool = list(leaves)
        if max_depth == 0:
            root = draw(st.sampled_from(leaves))
            return Expression(names, [root], root)
        for step in range(max_size):
            # "One more step?" is drawn before each step after the first (continue
            # with odds 3 to 1): hypothesis shrinks a failure by deleting steps.
            if step and not draw(st.integers(min_value=0, max_value=3)):
                break
            op = draw(st.sampled_from(labels))
            prim = chosen[op]
            domains = prim.domain
            if prim.arity is None:
                domains = domains * draw(st.sampled_from(NARY_ARGUMENTS))
            usable = [n for n in pool if n.depth < max_depth]
            fed = [i for i, d in enumerate(domains) if d != "constant"]
            anchor = draw(st.sampled_from(fed))  # this one always gets a subexpression
            args: list[tuple[str, _Node] | float] = []
            for i, d in enumerate(domains):
                if d == "constant" or (i != anchor and draw(st.booleans())):
                    args.append(draw(st.sampled_from(_CONSTANTS[d])))
                else:
                    args.append((d, draw(st.sampled_from(usable))))
            pool.append(_Node(op, prim, tuple(args)))
        return Expression(names, pool, pool[-1])

    return build()  # type: ignore[no-any-return]


PROFILE = "autograd_mini"
"""The name `register_profile` registers by default."""


def register_profile(name: str = PROFILE, *, load: bool = False, **overrides: Any) -> str:
    """Register a hypothesis settings profile suited to gradient property tests.

    The profile has no deadline (building and differentiating a graph takes
    a variable amount of time, and the first call of a test pays for imports),
    100 examples, and does not fail the ``too_slow`` health check, since
    composite strategies such as `expressions` make several draws per example.

    Use it from ``conftest.py``:

    ```python
    from hypothesis import settings
    from autograd_mini.testing import register_profile

    register_profile()                 # registers "autograd_mini"
    settings.load_profile("autograd_mini")
    ```

    Args:
        name: the profile's name.
        load: also make it the active profile.
        **overrides: any other `hypothesis.settings` arguments (for example
            ``max_examples=1000`` or ``derandomize=True``), which take precedence.

    Returns:
        The profile's name.

    Raises:
        ImportError: hypothesis is not installed.
        TypeError: ``name`` is not a non-empty str.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"register_profile: name must be a non-empty str, got {name!r}")
    hypothesis = _hypothesis("register_profile")
    options: dict[str, Any] = {
        "max_examples": 100,
        "deadline": None,
        "suppress_health_check": [hypothesis.HealthCheck.too_slow],
    }
    options.update(overrides)
    hypothesis.settings.register_profile(name, **options)
    if load:
        hypothesis.settings.load_profile(name)
    return name
