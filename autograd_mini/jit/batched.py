"""The numpy backend of `jit`: the traced scalar graph, batched onto arrays.

A trace of scalar code (one example at a time, one neuron at a time) holds
the same operation many times over: the same neuron for every example, the
same loss term for every label. This backend finds those repetitions itself,
as DyNet's on-the-fly operation batching does (Neubig, Goldberg and Dyer,
NeurIPS 2017), and runs each as one numpy operation:

1. **Chains of additions collapse** into one sum node (Python's ``sum()`` of
   Values is a chain of ``+``): its terms are added left to right with
   ``np.cumsum``, the engine's order, so the value is the engine's.
2. **Levels.** Every operation gets a level, one more than the deepest
   operation it reads. Operations of one level with the same primitive (and
   number of arguments) form a **group**: all their inputs are ready, so they
   run together, as one vectorised operation on index arrays gathered from
   one flat buffer of values (computed once per trace).
3. **Matrix products.** A group of ``dot`` (or ``dot+relu``) neurons whose
   weight rows and input rows form a full grid (every neuron of a layer applied
   to every example) becomes ``X @ W.T + b``.
4. Backward runs the groups in reverse, each adding its local derivatives
   times the incoming gradients into a flat gradient buffer (scattering with
   the same index arrays).

The plan is emitted as Python source calling numpy (``JitFunction.source``
shows it, the groups and their sizes first). When the graph is too narrow
for numpy to pay (a long chain: one operation per level), the backend runs
the Python backend's generated code instead, so no graph is slower than with
the default backend.

Semantics are the engine's, with one difference: matrix products and the
gradients of shared inputs are summed in numpy's order, not the engine's, so
values and gradients agree with eager to about 1e-12 relative (not bit for
bit). Everything else is the engine's rule:

* The arithmetic (``+ - * /``, ``sqrt``, ``sin``, ``cos``) is IEEE's, as in
  Python; ``exp``, ``log``, ``tanh``, ``sigmoid``, ``softplus`` and ``**``,
  whose numpy versions differ from the C library's in the last bit, run the
  engine's own float functions element by element (``1 - tanh(x)**2`` cancels:
  one bit of ``tanh`` would be 1e-8 of the gradient).

* NaN and infinities propagate as in `autograd_mini.scalar_math` (``relu`` of
  nan is nan, ``1 ** nan`` is nan, overflow gives ``inf``).
* **Domain errors.** Each group checks its inputs' domain with a vectorised
  mask; an offending element makes the replay run the Python backend's
  forward, which raises exactly the error eager raises (the first offending
  operation in the trace's order, named with its value).
* **The zero-derivative-edge rule** (an edge whose local derivative is 0 carries
  nothing, even an infinite or nan gradient): ``relu`` and ``dot+relu`` use
  masks (``np.where``); for every other edge, a non-finite gradient of an
  input sends the backward to the Python backend's careful backward, as the
  Python backend does itself, so such gradients are the engine's exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from autograd_mini import engine as E  # noqa: N812 - the table's entries read E.ADD, E.MUL
from autograd_mini import scalar_math as fm
from autograd_mini.engine import Primitive, Value
from autograd_mini.jit import codegen
from autograd_mini.jit.function import Compiled
from autograd_mini.jit.tracing import Graph, Op

try:
    import numpy as np
    import numpy.typing as npt
except ImportError as error:  # pragma: no cover - the message is tested by simulation
    raise ImportError(
        "jit(backend='numpy') needs numpy, which autograd_mini's core does not install: "
        "pip install 'autograd-mini[fast]'"
    ) from error

__all__ = ["BatchedCompiled", "Group", "plan"]

Index = npt.NDArray[np.intp]
Floats = npt.NDArray[np.float64]

FORCE_BATCHING = False
"""Batch every graph, however narrow (tests set it to exercise every group kind)."""

PYTHON_NS_PER_OP = 250.0
"""Rough cost of one operation, forward and backward, in the Python backend."""
NUMPY_NS_PER_GROUP = 9000.0
"""Rough fixed cost of one group, forward and backward, in this backend."""
NUMPY_NS_PER_ELEMENT = 12.0
"""Rough cost per element of a group, forward and backward."""

MATMUL_MIN = 4
"""The smallest group of ``dot`` neurons lowered to a matrix product."""

# The elementwise primitives this backend computes with numpy (others, such as
# user primitives, run element by element with their own float functions).
_MAP = {E.ADD, E.SUB, E.MUL, E.SCALE, E.NEG, E.DIV, E.QUOTIENT, E.POW, E.ABS, E.RELU,
        E.TANH, E.SIGMOID, E.SOFTPLUS, E.EXP, E.LOG, E.SQRT, E.SIN, E.COS}


# --------------------------------------------------------------------------- the plan


@dataclass
class Group:
    """Operations that run as one numpy call.

    Attributes:
        kind: ``"map"`` (an elementwise primitive), ``"dot"`` (neurons, each
            summed in the engine's order), ``"matmul"`` (neurons on a grid,
            as a matrix product), ``"sum"`` (sums and collapsed chains of
            ``+``, added left to right) or ``"scalar"`` (a primitive this
            backend does not know: element by element).
        prim: the primitive.
        level: one more than the deepest group it reads.
        start: the first slot of its results in the value buffer.
        size: how many results (operations, or chains for ``"sum"``).
        args: index arrays into the value buffer, by kind: one per argument
            (``map``, ``scalar``); weights ``[m, n]``, inputs ``[m, n]``,
            biases ``[m]`` (``dot``); inputs ``[P, n]``, weights ``[R, n]``,
            biases ``[R]`` (``matmul``, results in row-major ``[P, R]``
            order); terms ``[m, L]`` (``sum``).
        needs: for each array of ``args``, whether any of its slots needs a gradient.
        ops: how many traced operations the group stands for.
    """

    kind: str
    prim: Primitive
    level: int
    start: int
    size: int
    args: list[Index]
    needs: list[bool]
    ops: int = 0
    shape: tuple[int, int] = (0, 0)


@dataclass
class Plan:
    """A batched plan: the buffer's layout and the groups in forward order."""

    n_inputs: int
    constants: list[float]
    groups: list[Group]
    size: int
    outputs: list[int]
    n_ops: int
    notes: list[str] = field(default_factory=list)

    def estimated_ns(self) -> tuple[float, float]:
        """Rough costs of a step ``(batched, python backend)``, forward and backward."""
        batched = sum(NUMPY_NS_PER_GROUP + NUMPY_NS_PER_ELEMENT * g.ops for g in self.groups)
        return batched, PYTHON_NS_PER_OP * self.n_ops


def _chains(graph: Graph) -> tuple[dict[Value, list[Any]], set[Value]]:
    """Chains of ``+`` whose intermediate sums are read by nothing else.

    Returns the terms of each chain by its last node (added left to right,
    the engine's order), and the intermediate nodes that disappear.
    """
    uses: dict[Value, int] = {}
    for op in graph.ops:
        for a in op.args:
            if isinstance(a, Value):
                uses[a] = uses.get(a, 0) + 1
    outputs = set(graph.outputs)
    terms: dict[Value, list[Any]] = {}
    gone: set[Value] = set()
    for op in graph.ops:
        if op.prim is not E.ADD:
            continue
        a, b = op.args
        for acc, other in ((a, b), (b, a)):
            if (isinstance(acc, Value) and acc in terms and uses[acc] == 1
                    and acc not in outputs):
                terms[op.out] = [*terms.pop(acc), other]  # float + is commutative
                gone.add(acc)
                break
        else:
            terms[op.out] = [a, b]
    return {v: t for v, t in terms.items() if len(t) > 2}, gone


def plan(graph: Graph, grad_inputs: Sequence[int]) -> Plan:
    """Group the trace's operations into numpy calls; see the module's docstring."""
    slot: dict[Value, int] = {v: k for k, v in enumerate(graph.inputs)}
    constants: list[float] = []
    numbers: dict[str, int] = {}
    n_in = len(graph.inputs)

    def number(x: float) -> int:
        key = float(x).hex()
        if key not in numbers:
            numbers[key] = n_in + len(constants)
            constants.append(float(x))
        return numbers[key]

    for v, x in graph.constants.items():
        slot[v] = number(x)
    chains, gone = _chains(graph)
    needs: set[Value] = {graph.inputs[k] for k in grad_inputs}
    level: dict[Value, int] = {}
    # (level, key) -> the operations, each with its argument list
    buckets: dict[tuple[int, Any], list[tuple[Op, list[Any]]]] = {}
    for op in graph.ops:
        if op.out in gone:
            continue
        args = list(chains.get(op.out, op.args))
        lv = 1 + max((level.get(a, 0) for a in args if isinstance(a, Value)), default=0)
        level[op.out] = lv
        if any(isinstance(a, Value) and a in needs for a in args):
            needs.add(op.out)
        if op.out in chains:
            key: Any = ("sum", len(args))
        elif op.prim is E.SUM:
            args = [0.0, *args]  # the engine adds 0.0 + x1 + ...: the same floats
            key = ("sum", len(args))
        elif op.prim is E.DOT or op.prim is E.DOT_RELU or op.prim in _MAP:
            key = (op.prim.name, len(args))
        else:
            key = ("scalar", id(op.prim), len(args))
        for a in args:
            if not isinstance(a, Value):
                number(a)  # every number gets its slot before the operations' slots
        buckets.setdefault((lv, key), []).append((op, args))

    groups: list[Group] = []
    cursor = n_in + len(constants)
    need_slots = {slot[v] for v in needs if v in slot}

    def index(item: Any) -> int:
        return slot[item] if isinstance(item, Value) else number(item)

    for (lv, key), members in sorted(buckets.items(), key=lambda kv: kv[0][0]):
        op0 = members[0][0]
        prim = op0.prim
        m = len(members)
        n_ops = m
        if key[0] == "sum":
            kind = "sum"
            terms = np.array([[index(a) for a in args] for _, args in members], dtype=np.intp)
            arrays = [terms]
            outs = [op.out for op, _ in members]
            n_ops = int(terms.size)
            shape = (0, 0)
        elif prim is E.DOT or prim is E.DOT_RELU:
            n = (len(members[0][1]) - 1) // 2
            rows: dict[tuple[int, ...], int] = {}
            cols: dict[tuple[int, ...], int] = {}
            cells: dict[tuple[int, int], Op] = {}
            for op, args in members:
                ids = [index(a) for a in args]
                r = rows.setdefault((*ids[:n], ids[-1]), len(rows))
                c = cols.setdefault(tuple(ids[n:2 * n]), len(cols))
                cells[c, r] = op
            n_ops = m * n
            if len(cells) == m == len(rows) * len(cols) and m >= MATMUL_MIN:
                kind = "matmul"
                weights = np.array([list(k[:n]) for k in rows], dtype=np.intp)
                biases = np.array([k[n] for k in rows], dtype=np.intp)
                rows_in = np.array(list(cols), dtype=np.intp)
                arrays = [rows_in.reshape(len(cols), n), weights.reshape(len(rows), n), biases]
                outs = [cells[c, r].out for c in range(len(cols)) for r in range(len(rows))]
                shape = (len(cols), len(rows))
            else:
                kind = "dot"
                ids2 = np.array([[index(a) for a in args] for _, args in members],
                                dtype=np.intp).reshape(m, 2 * n + 1)
                arrays = [ids2[:, :n].copy(), ids2[:, n:2 * n].copy(), ids2[:, 2 * n].copy()]
                outs = [op.out for op, _ in members]
                shape = (0, 0)
        else:
            kind = "map" if key[0] != "scalar" else "scalar"
            arity = len(members[0][1])
            arrays = [np.array([index(args[k]) for _, args in members], dtype=np.intp)
                      for k in range(arity)]
            outs = [op.out for op, _ in members]
            shape = (0, 0)
        group_needs = [not need_slots.isdisjoint(a.ravel().tolist()) for a in arrays]
        for k, v in enumerate(outs):
            slot[v] = cursor + k
            if v in needs:
                need_slots.add(cursor + k)
        groups.append(Group(kind, prim if key[0] != "sum" else E.SUM, lv, cursor, len(outs),
                            arrays, group_needs, n_ops, shape))
        cursor += len(outs)
    outputs = [slot[o] for o in graph.outputs]
    n_ops = len(graph.ops)
    return Plan(n_in, constants, groups, cursor, outputs, n_ops)


# --------------------------------------------------------------------------- runtime


def _pow_domain(x: Floats, y: Floats) -> Any:
    """Where ``x ** y`` raises in the engine: 0 to a negative power, a negative base to a
    non-integer finite power."""
    return ((x == 0.0) & (y < 0.0)) | (
        (x < 0.0) & (y == y) & ~np.isinf(y) & (np.floor(y) != y))


def _elementwise(rule: Callable[..., float], *columns: Any) -> Floats:
    """``rule`` applied element by element to the columns (floats in, floats out).

    Used for the functions whose numpy versions differ from the C library's
    in the last bit (``exp``, ``log``, ``tanh``, ``log1p``, ``pow``): with the
    engine's own float functions the values are the engine's bit for bit,
    which matters where a derivative formula cancels (``1 - tanh(x)**2``).
    """
    cols = np.broadcast_arrays(*columns)
    return np.fromiter(map(rule, *(c.ravel().tolist() for c in cols)), np.float64,
                       count=cols[0].size)


def _rule(prim: Primitive, k: int) -> Callable[..., float]:
    """The float local derivative of ``prim`` with respect to argument ``k``."""
    def local(*row: float) -> float:
        *args, out = row
        return float(prim.derivatives(args, out)[k])

    return local


def _forward(prim: Primitive) -> Callable[..., float]:
    def run(*row: float) -> float:
        return float(prim.forward(*row))

    return run


_FORWARD: dict[Primitive, str] = {
    E.ADD: "{0} + {1}", E.SUB: "{0} - {1}", E.MUL: "{0} * {1}", E.SCALE: "{0} * {1}",
    E.NEG: "-{0}", E.DIV: "{0} / {1}", E.QUOTIENT: "{0} / {1}",
    E.POW: "_elementwise(_fm.pow, {0}, {1})", E.ABS: "_np.abs({0})",
    E.RELU: "_np.where({0} <= 0.0, 0.0, {0})", E.TANH: "_elementwise(_fm.tanh, {0})",
    E.SIGMOID: "_elementwise(_fm.sigmoid, {0})", E.SOFTPLUS: "_elementwise(_fm.softplus, {0})",
    E.EXP: "_elementwise(_fm.exp, {0})", E.LOG: "_elementwise(_fm.log, {0})",
    E.SQRT: "_np.sqrt({0})", E.SIN: "_np.sin({0})", E.COS: "_np.cos({0})",
}
"""Each elementwise primitive as numpy source over its arguments' arrays."""

_DOMAIN: dict[Primitive, Callable[..., Any]] = {
    E.DIV: lambda x, y: (y == 0.0) & (x == x), E.POW: _pow_domain,
    E.LOG: lambda x: x <= 0.0, E.SQRT: lambda x: x < 0.0, E.SIN: np.isinf, E.COS: np.isinf,
}
"""Where each primitive's forward raises in the engine, as a numpy mask."""

_LOCAL: dict[Primitive, list[str | None]] = {
    E.ADD: ["", ""], E.SUB: ["", "-"], E.MUL: ["{1}", "{0}"], E.SCALE: ["{1}", "{0}"],
    E.NEG: ["-"], E.DIV: ["(1.0 / {1})", "(-{out} / {1})"],
    E.QUOTIENT: ["(1.0 / {1})", "(-{out} / {1})"],
    E.POW: ["_elementwise(_d_pow_base, {0}, {1}, {out})",
            "_elementwise(_d_pow_exponent, {0}, {1}, {out})"],
    E.ABS: ["_np.sign({0})"], E.RELU: [None], E.TANH: ["(1.0 - {out} * {out})"],
    E.SIGMOID: ["({out} * (1.0 - {out}))"], E.SOFTPLUS: ["_elementwise(_fm.sigmoid, {0})"],
    E.EXP: ["{out}"], E.LOG: ["(1.0 / {0})"], E.SQRT: ["(0.5 / {out})"],
    E.SIN: ["_np.cos({0})"], E.COS: ["(-_np.sin({0}))"],
}
"""Each argument's local derivative as numpy source ('' for 1, '-' for -1; relu: a mask)."""


class _Writer:
    """Emits a plan as the source of ``forward(inputs)`` and ``backward(saved, seeds)``."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.namespace: dict[str, Any] = {
            "_np": np, "_fm": fm, "_elementwise": _elementwise,
            "_d_pow_base": E._d_pow_base, "_d_pow_exponent": E._d_pow_exponent,
            "_add_at": np.add.at, "_empty": np.empty, "_zeros": np.zeros,
            "_errstate": np.errstate,
        }
        self.count = 0

    def constant(self, value: Any, prefix: str) -> str:
        name = f"{prefix}{self.count}"
        self.count += 1
        self.namespace[name] = value
        return name

    def gather(self, buf: str, idx: Index, scalar_ok: bool) -> str:
        """Source reading ``buf`` at ``idx``: a slice, one broadcast slot, or an index array."""
        flat = idx.ravel()
        a = int(flat[0])
        if scalar_ok and flat.size > 1 and bool((flat == a).all()):
            return f"{buf}[{a}]"
        if bool((flat == np.arange(a, a + flat.size)).all()):
            src = f"{buf}[{a}:{a + flat.size}]"
            return src if idx.ndim == 1 else f"{src}.reshape({idx.shape[0]}, {idx.shape[1]})"
        return f"{buf}[{self.constant(idx, '_i')}]"

    def scatter(self, idx: Index, contrib: str) -> str:
        """A statement adding ``contrib`` (shaped like ``idx``) into the gradients at ``idx``."""
        flat = idx.ravel()
        a = int(flat[0])
        if flat.size > 1 and bool((flat == a).all()):
            return f"G[{a}] += _np.sum({contrib})"
        if bool((flat == np.arange(a, a + flat.size)).all()):
            tail = "" if idx.ndim == 1 else ".ravel()"
            return f"G[{a}:{a + flat.size}] += ({contrib}){tail}"
        name = self.constant(idx, "_i")
        if np.unique(flat).size == flat.size:
            return f"G[{name}] += {contrib}"
        return f"_add_at(G, {name}, {contrib})"

    # ------------------------------------------------------------------ forward

    def forward(self) -> list[str]:
        p = self.plan
        lines = ["def forward(inputs):", f"    V = _empty({p.size})",
                 f"    V[:{p.n_inputs}] = inputs"]
        if p.constants:
            lines.append(f"    V[{p.n_inputs}:{p.n_inputs + len(p.constants)}] = "
                         f"{self.constant(np.array(p.constants), '_c')}")
        lines.append("    with _errstate(all='ignore'):")
        for k, g in enumerate(p.groups):
            lines.append(f"        # group {k}: {describe_group(g)}")
            lines.extend("        " + x for x in self.forward_group(k, g))
        lines.append(f"    return V[{self.constant(np.array(p.outputs, dtype=np.intp), '_o')}]"
                     ".tolist(), (inputs, V)")
        return lines

    def forward_group(self, k: int, g: Group) -> list[str]:
        out = f"V[{g.start}:{g.start + g.size}]"
        if g.kind == "sum":
            t = self.gather("V", g.args[0], False)
            return [f"{out} = _np.cumsum({t}, axis=1)[:, -1]"]
        if g.kind == "matmul":
            x, w, b = (self.gather("V", a, False) for a in g.args)
            z = f"({x} @ {w}.T + {b}).ravel()"
            if g.prim is E.DOT:
                return [f"{out} = {z}"]
            return [f"_z = {z}", f"{out} = _np.where(_z <= 0.0, 0.0, _z)"]
        if g.kind == "dot":
            w, x = (self.gather("V", a, False) for a in g.args[:2])
            n = g.args[0].shape[1]
            lines = [f"_w = {w}", f"_x = {x}", f"_z = {self.gather('V', g.args[2], False)}"]
            lines.append(f"for _k in range({n}):")
            lines.append("    _z = _z + _w[:, _k] * _x[:, _k]")
            if g.prim is E.DOT:
                lines.append(f"{out} = _z")
            else:
                lines.append(f"{out} = _np.where(_z <= 0.0, 0.0, _z)")
            return lines
        srcs = [self.gather("V", a, True) for a in g.args]
        names = [f"_a{j}" for j in range(len(srcs))]
        lines = [f"{', '.join(names)}, = {', '.join(srcs)},"]
        if g.kind == "scalar":
            fwd = self.constant(_forward(g.prim), "_f")
            lines.append("try:")
            lines.append(f"    {out} = _elementwise({fwd}, {', '.join(names)})")
            lines.append("except (ArithmeticError, ValueError):")
            lines.append("    _fail(inputs)")
            lines.append("    raise")
            return lines
        domain = _DOMAIN.get(g.prim)
        if domain is not None:
            mask = f"{self.constant(domain, '_d')}({', '.join(names)})"
            lines.append(f"if _np.any({mask}):")
            lines.append(f"    _fail(inputs, {self.constant(g.prim, '_p')}, {', '.join(names)})")
        lines.append(f"{out} = {_FORWARD[g.prim].format(*names)}")
        return lines

    # ------------------------------------------------------------------ backward

    def backward(self) -> list[str]:
        p = self.plan
        lines = ["def backward(saved, seeds):", "    inputs, V = saved",
                 f"    G = _zeros({p.size})"]
        outs = np.array(p.outputs, dtype=np.intp)
        lines.append(f"    _add_at(G, {self.constant(outs, '_o')}, seeds)")
        lines.append("    with _errstate(all='ignore'):")
        for k in range(len(p.groups) - 1, -1, -1):
            g = p.groups[k]
            if not any(g.needs):
                continue
            body = self.backward_group(g)
            if body:
                lines.append(f"        # group {k}: {describe_group(g)}")
                lines.extend("        " + x for x in body)
        lines.append("        pass")
        lines.append(f"    return G[:{p.n_inputs}]")
        return lines

    def backward_group(self, g: Group) -> list[str]:
        gsrc = f"G[{g.start}:{g.start + g.size}]"
        out = f"V[{g.start}:{g.start + g.size}]"
        lines: list[str] = []
        if g.kind == "sum":
            m, n = g.args[0].shape
            return [self.scatter(g.args[0], f"_np.broadcast_to({gsrc}[:, None], ({m}, {n}))")]
        if g.kind == "matmul":
            x, w, _ = g.args
            shape = f"({g.shape[0]}, {g.shape[1]})"
            if g.prim is E.DOT:
                lines.append(f"_g = {gsrc}.reshape{shape}")
            else:
                lines.append(f"_g = _np.where({out}.reshape{shape} > 0.0, "
                             f"{gsrc}.reshape{shape}, 0.0)")
            if g.needs[0]:
                lines.append(self.scatter(x, f"_g @ {self.gather('V', w, False)}"))
            if g.needs[1]:
                lines.append(self.scatter(w, f"_g.T @ {self.gather('V', x, False)}"))
            if g.needs[2]:
                lines.append(self.scatter(g.args[2], "_g.sum(axis=0)"))
            return lines
        if g.kind == "dot":
            w, x, b = g.args
            if g.prim is E.DOT:
                lines.append(f"_g = {gsrc}")
            else:
                lines.append(f"_g = _np.where({out} > 0.0, {gsrc}, 0.0)")
            if g.needs[0]:
                lines.append(self.scatter(w, f"{self.gather('V', x, False)} * _g[:, None]"))
            if g.needs[1]:
                lines.append(self.scatter(x, f"{self.gather('V', w, False)} * _g[:, None]"))
            if g.needs[2]:
                lines.append(self.scatter(b, "_g"))
            return lines
        srcs = [self.gather("V", a, True) for a in g.args]
        names = [f"_a{j}" for j in range(len(srcs))]
        lines.append(f"_g = {gsrc}")
        lines.append(f"_out = {out}")
        if any("{" in (loc or "{") for loc in _LOCAL.get(g.prim, [None])) or g.kind == "scalar":
            lines.append(f"{', '.join(names)}, = {', '.join(srcs)},")
        for j, idx in enumerate(g.args):
            if not g.needs[j]:
                continue
            if g.kind == "scalar":
                rule = self.constant(_rule(g.prim, j), "_r")
                term = f"_elementwise({rule}, {', '.join(names)}, _out) * _g"
            elif g.prim is E.RELU:
                term = "_np.where(_a0 <= 0.0, 0.0, _g)"
            else:
                loc = _LOCAL[g.prim][j]
                assert loc is not None
                if loc == "":
                    term = "_g"
                elif loc == "-":
                    term = "-_g"
                else:
                    term = f"{loc.format(*names, out='_out')} * _g"
            lines.append(self.scatter(idx, term))
        return lines


def describe_group(g: Group) -> str:
    """One line: what a group computes, how many operations, and the numpy call."""
    if g.kind == "matmul":
        p, r = g.shape
        n = g.args[0].shape[1]
        act = " then np.where (relu)" if g.prim is E.DOT_RELU else ""
        return (f"{g.prim.name} x{g.size} ({r} neurons x {p} rows, {n} inputs each) -> "
                f"matmul [{p}, {n}] @ [{n}, {r}] + bias{act}")
    if g.kind == "dot":
        return f"{g.prim.name} x{g.size} ({g.args[0].shape[1]} inputs each) -> " \
               "elementwise multiply-adds, the engine's order"
    if g.kind == "sum":
        m, n = g.args[0].shape
        return f"sum x{m} of {n} terms (chains of + collapsed) -> np.cumsum, the engine's order"
    if g.kind == "scalar":
        return f"{g.prim.name} x{g.size} -> element by element (its own float function)"
    call = _FORWARD[g.prim].format(*(["a", "b"][: len(g.args)]))
    return f"{g.prim.name} x{g.size} -> {call.replace('_np.', 'np.').lstrip('_')}"


# --------------------------------------------------------------------------- the class


class BatchedCompiled(Compiled):
    """One trace run by the numpy backend: the `Compiled` interface, a batched plan.

    ``forward(inputs)`` returns the outputs (floats) and what backward needs;
    ``backward(saved, seeds)`` returns every input's gradient. A graph too
    narrow for numpy (see `Plan.estimated_ns`) runs the Python backend's code.
    """

    def __init__(self, graph: Graph, value_args: Sequence[int], sequence: type | None) -> None:
        self.graph = graph
        self.sequence = sequence
        self.captured = tuple(graph.inputs[graph.n_args:])
        self.value_args = list(value_args)
        self.value_inputs = [*self.value_args, *range(graph.n_args, len(graph.inputs))]
        self._python: Compiled | None = None
        self._fast: Callable[..., Any]
        self.plan = plan(graph, self.value_inputs)
        batched_ns, python_ns = self.plan.estimated_ns()
        stops = any(op.stop for op in graph.ops)  # no_grad inside: the Python backend
        self.batched = not stops and (FORCE_BATCHING or batched_ns < python_ns)
        header = self.summary(batched_ns, python_ns)
        if not self.batched:
            python = self.python()
            self.forward: Callable[..., Any] = python.forward
            self._fast = python.backward
            self.source = header + python.source
            return
        writer = _Writer(self.plan)
        source = "\n".join([*writer.forward(), "", *writer.backward()]) + "\n"
        namespace = writer.namespace
        namespace["_fail"] = self._fail
        exec(compile(source, "<autograd_mini.jit numpy>", "exec"), namespace)
        self.forward = namespace["forward"]
        self._fast = namespace["backward"]
        self.source = header + source
        self._value_index = np.array(self.value_inputs, dtype=np.intp)

    def summary(self, batched_ns: float, python_ns: float) -> str:
        """The plan as comment lines: groups, sizes, numpy calls, and the choice made."""
        p = self.plan
        levels = len({g.level for g in p.groups})
        lines = [f"# numpy backend: {p.n_ops:,} traced operations in {len(p.groups):,} groups "
                 f"over {levels:,} levels (estimated {batched_ns / 1e3:,.1f} us per step "
                 f"batched, {python_ns / 1e3:,.1f} us with the Python backend)"]
        if not (FORCE_BATCHING or batched_ns < python_ns):
            lines.append("# too narrow for numpy to pay: this trace runs the Python backend's "
                         "code, below")
            return "\n".join(lines) + "\n"
        for k, g in enumerate(p.groups[:200]):
            lines.append(f"#   group {k} (level {g.level}): {describe_group(g)}")
        if len(p.groups) > 200:
            lines.append(f"#   ... and {len(p.groups) - 200:,} more groups")
        return "\n".join(lines) + "\n"

    def run(self, leaves: list[Any]) -> Any:
        """Replay on the flattened arguments ``leaves``; return what the function returned.

        `Compiled.run` with the inputs handed to numpy as they are (numbers of
        any real type convert in one step): only the Value arguments are read.
        """
        if not self.batched:
            return super().run(leaves)
        inputs = list(leaves)
        for i in self.value_args:
            inputs[i] = leaves[i].data
        inputs += [v.data for v in self.captured]
        return self.results(leaves, *self.forward(inputs))

    def python(self) -> Compiled:
        """The Python backend's code for the same trace (made on first need)."""
        if self._python is None:
            self._python = Compiled(self.graph, self.value_args, self.sequence)
        return self._python

    def _fail(self, inputs: list[float], prim: Primitive | None = None,
              *columns: Floats) -> None:
        """A domain error at replay: raise exactly what eager raises.

        The Python backend's forward runs the operations in the trace's order
        with the engine's float functions, so it raises the engine's error for
        the first offending operation. Should it not raise (the batched values
        differ from eager's in the last bits), the first offending element of
        this group raises through the primitive's own float function.
        """
        self.python().forward([float(x) for x in inputs])
        if prim is None:
            return
        cols = [np.broadcast_to(c, columns[-1].shape) for c in columns]
        mask = np.asarray(_DOMAIN[prim](*cols))
        k = int(np.argmax(mask))
        prim.forward(*[float(c[k]) for c in cols])
        raise ValueError(f"{prim.name}: domain error at element {k}")  # pragma: no cover

    def input_grads(self, saved: Any, seeds: Sequence[float]) -> list[float]:
        """The Value inputs' gradients, taken from the array without converting the rest."""
        if not self.batched:
            return super().input_grads(saved, seeds)
        picked: Floats = self._fast(saved, seeds)[self._value_index]
        total = float(picked.sum())
        if total - total == 0.0:
            return picked.tolist()  # type: ignore[no-any-return]
        return super().input_grads(saved, seeds)  # backward's exact path for inf/nan

    def backward(self, saved: Any, seeds: Sequence[float]) -> Sequence[float]:
        """Every input's gradient for the outputs' ``seeds``.

        Where an input's gradient comes out infinite or nan, an edge with a zero
        local derivative may have met an infinite gradient (which the engine
        skips): the Python backend's exact backward runs instead.
        """
        if not self.batched:
            return self._fast(saved, seeds)  # type: ignore[no-any-return]
        grads: Floats = self._fast(saved, seeds)
        total = float(grads[self._value_index].sum())
        if total - total == 0.0:
            return grads.tolist()  # type: ignore[no-any-return]
        python = self.python()
        _, exact = python.forward([float(x) for x in saved[0]])
        if python._careful is None:  # the engine's rule on every edge, generated once
            source, ns = codegen.generate(self.graph, careful=True, grad_inputs=self.value_inputs)
            exec(compile(source, "<autograd_mini.jit careful>", "exec"), ns)
            python._careful = ns["backward"]
        return python._careful(exact, seeds)  # type: ignore[no-any-return]


