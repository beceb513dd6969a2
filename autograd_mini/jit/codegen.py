"""Python code generation: one line per operation forward, one chain-rule step per line back.

The generated forward runs the traced operations on floats, in the order they
were recorded, with exactly the engine's float functions (so values are
bit-identical and domain errors are the engine's own). The generated backward
visits the operations in the order `Value.backward` does and adds
``local * g`` into each parent's accumulator, skipping operations whose
gradient is zero, as the engine does. Local derivatives are written with the
same formulas as the table's rules (or by calling the rule itself).

Two flavours of backward are generated from the same steps: the fast one
adds every edge, and the careful one skips an edge whose local derivative is
zero (the engine's rule when a gradient is infinite or nan). The fast one is
exact whenever every input's gradient comes out finite; otherwise the caller
runs the careful one (see `autograd_mini.jit.function`).

Repeated blocks of operations (the same computation for every example of a
dataset, a long chain) are emitted once, as a loop over instances; see
`autograd_mini.jit.rolling`.
"""

from __future__ import annotations

import math
import re
from array import array
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any

from autograd_mini import engine as E  # noqa: N812 - the table's entries read E.ADD, E.MUL
from autograd_mini import scalar_math as fm
from autograd_mini.engine import Value
from autograd_mini.jit.rolling import Operand, Run, find_runs
from autograd_mini.jit.tracing import Graph, Op

__all__ = ["generate", "Names"]


# The runtime namespace of generated code: the engine's own float functions.
RUNTIME: dict[str, Any] = {
    "_div": fm.div,
    "_pow": fm.pow,
    "_exp": fm.exp,
    "_log": fm.log,
    "_sqrt": fm.sqrt,
    "_sin": fm.sin,
    "_cos": fm.cos,
    "_tanh": fm.tanh,
    "_sigmoid": fm.sigmoid,
    "_softplus": fm.softplus,
    "_sign": fm.sign,
    "_d_pow_base": E._d_pow_base,
    "_d_pow_exponent": E._d_pow_exponent,
    "_d_sqrt": E._d_sqrt,
    "_inf": math.inf,
    "_nan": math.nan,
}


def literal(x: float) -> str:
    """A float as Python source (``_inf``/``_nan`` for the non-finite ones)."""
    if x != x:
        return "_nan"
    if x in (math.inf, -math.inf):
        return "_inf" if x > 0 else "(-_inf)"
    return repr(float(x))


# --------------------------------------------------------------------------- forward


def forward_expr(op: Op, a: Sequence[str], extra: Callable[[Any], str]) -> tuple[str, str]:
    """``(prelude, expression)`` computing ``op``'s value from operand sources ``a``.

    ``prelude`` is a statement run first ('' if none; it assigns ``{out}``),
    used by dot+relu. ``extra(obj)`` names a runtime object (a user primitive).
    """
    p = op.prim
    if p is E.ADD:
        return "", f"{a[0]} + {a[1]}"
    if p is E.SUB:
        return "", f"{a[0]} - {a[1]}"
    if p is E.MUL or p is E.SCALE:
        return "", f"{a[0]} * {a[1]}"
    if p is E.NEG:
        return "", f"-{a[0]}"
    if p is E.DIV:
        return "", f"{a[0]} / {a[1]} if {a[1]} else _div({a[0]}, {a[1]})"
    if p is E.RELU:
        return "", f"0.0 if {a[0]} <= 0.0 else {a[0]}"
    if p is E.ABS:
        return "", f"abs({a[0]})"
    if p is E.DOT or p is E.DOT_RELU:
        n = len(a) // 2
        terms = " + ".join([a[-1], *(f"{a[i]} * {a[n + i]}" for i in range(n))])
        if p is E.DOT:
            return "", terms
        return f"{{out}} = {terms}", "0.0 if {out} <= 0.0 else {out}"
    if p is E.SUM:
        return "", " + ".join(["0.0", *a])
    simple = {E.POW: "_pow", E.EXP: "_exp", E.LOG: "_log", E.SQRT: "_sqrt", E.SIN: "_sin",
              E.COS: "_cos", E.TANH: "_tanh", E.SIGMOID: "_sigmoid", E.SOFTPLUS: "_softplus"}
    fn = simple.get(p) or extra(p.forward)
    return "", f"{fn}({', '.join(a)})"


# --------------------------------------------------------------------------- backward


def local_exprs(op: Op, a: Sequence[str], out: str, extra: Callable[[Any], str]
                ) -> tuple[str, list[str | None]]:
    """``(guard, locals)``: each Value argument's local derivative as source.

    ``a`` holds sources for every argument (Values and numbers alike); the
    result has one entry per argument, ``None`` for number arguments. ``guard``
    is a condition under which any edge carries gradient ('' for always):
    dot+relu and relu pass nothing where they are off. For a primitive outside
    the table the locals read ``_d[i]``, the result of one call of its rule
    (see `rule_call`).
    """
    p = op.prim
    values = [isinstance(x, E.Value) for x in op.args]
    if p is E.ADD or p is E.SUM:
        return "", ["1.0" if v else None for v in values]
    if p is E.SUB:
        return "", ["1.0" if values[0] else None, "-1.0" if values[1] else None]
    if p is E.MUL or p is E.SCALE:
        return "", [a[1] if values[0] else None, a[0] if values[1] else None]
    if p is E.NEG:
        return "", ["-1.0"]
    if p is E.DIV:
        return "", [f"1.0 / {a[1]}" if values[0] else None,
                    f"-{out} / {a[1]}" if values[1] else None]
    if p is E.RELU:
        return f"not {a[0]} <= 0.0", ["1.0"]
    if p is E.TANH:
        return "", [f"1.0 - {out} * {out}"]
    if p is E.SIGMOID:
        return "", [f"{out} * (1.0 - {out})"]
    if p is E.EXP:
        return "", [out]
    if p is E.LOG:
        return "", [f"1.0 / {a[0]}"]
    if p is E.SQRT:
        return "", [f"_d_sqrt({a[0]}, {out})"]
    if p is E.SIN:
        return "", [f"_cos({a[0]})"]
    if p is E.COS:
        return "", [f"-_sin({a[0]})"]
    if p is E.SOFTPLUS:
        return "", [f"_sigmoid({a[0]})"]
    if p is E.ABS:
        return "", [f"_sign({a[0]})"]
    if p is E.POW:
        return "", [f"_d_pow_base({a[0]}, {a[1]}, {out})" if values[0] else None,
                    f"_d_pow_exponent({a[0]}, {a[1]}, {out})" if values[1] else None]
    if p is E.DOT or p is E.DOT_RELU:
        n = len(a) // 2
        locs: list[str | None] = [*(a[n + i] for i in range(n)), *(a[i] for i in range(n)), "1.0"]
        locs = [loc if v else None for loc, v in zip(locs, values)]
        return (f"{out} > 0.0" if p is E.DOT_RELU else ""), locs
    # Any other primitive (user primitives): one call of its rule, see rule_call.
    return "", [f"_d[{i}]" if v else None for i, v in enumerate(values)]


def rule_call(op: Op, a: Sequence[str], out: str, extra: Callable[[Any], str]) -> str:
    """For a primitive outside the table: the statement computing all its locals."""
    return f"_d = {extra(op.prim.derivatives)}(({', '.join(a)},), {out})"


def backward_lines(op: Op, a: Sequence[str], out: str, g: str, targets: Sequence[str | None],
                   extra: Callable[[Any], str], careful: bool) -> list[str]:
    """The chain-rule step of ``op``: ``target += local * g`` for each Value argument.

    Returns lines meant to run inside ``if g:``. ``targets`` holds, per
    argument, the accumulator to add into (``None``: no gradient needed).
    """
    guard, locs = local_exprs(op, a, out, extra)
    lines: list[str] = []
    pad = ""
    if guard:
        lines.append(f"if {guard}:")
        pad = "    "
    if op.prim not in _KNOWN:  # a user rule: called once for all of its derivatives
        lines.append(f"{pad}{rule_call(op, a, out, extra)}")
    for loc, target in zip(locs, targets):
        if loc is None or target is None:
            continue
        if loc == "1.0":
            term = g
        elif loc == "-1.0":
            lines.append(f"{pad}{target} -= {g}")
            continue
        else:
            term = f"{_paren(loc)} * {g}"
        if careful and loc not in ("1.0", "-1.0"):
            lines.append(f"{pad}_l = {loc}")
            lines.append(f"{pad}if _l:")
            lines.append(f"{pad}    {target} += _l * {g}")
        else:
            lines.append(f"{pad}{target} += {term}")
    if not lines or (guard and len(lines) == 1):
        lines.append(f"{pad}pass")
    return lines


_KNOWN = {E.ADD, E.SUB, E.MUL, E.SCALE, E.NEG, E.DIV, E.RELU, E.TANH, E.SIGMOID, E.EXP, E.LOG,
          E.SQRT, E.SIN, E.COS, E.SOFTPLUS, E.ABS, E.POW, E.DOT, E.DOT_RELU, E.SUM}


_ATOM = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\[[A-Za-z0-9_+*\- ]*\])?|[0-9.]+(e-?[0-9]+)?")


def _paren(expr: str) -> str:
    """``expr`` ready to be the left operand of ``* g``: parenthesized only when needed.

    Names, subscripts, numbers, calls and products or quotients of them
    (``y_hat * (1.0 - y_hat)``, ``-out / b``) stay bare: ``*`` and ``/`` group
    from the left, so ``a * b * g`` computes ``(a * b) * g``, the same floats.
    A sum, a difference or a conditional at the top level is parenthesized.
    """
    if _ATOM.fullmatch(expr):
        return expr
    depth = 0
    for k, ch in enumerate(expr):
        depth += (ch in "([") - (ch in ")]")
        if depth == 0 and ch == " " and not expr[k + 1:].startswith(("* ", "/ ")) and \
                not expr[:k].endswith((" *", " /")):
            return f"({expr})"
    return expr


# --------------------------------------------------------------------------- names


class Names:
    """Python names for the values of a graph: labels where they make good names."""

    def __init__(self) -> None:
        self.taken: set[str] = set(RUNTIME) | {"inputs", "saved", "seeds", "_d", "_l", "i",
                                               "gin", "_values"}
        self.names: dict[int, str] = {}

    def name(self, v: E.Value, fallback: str) -> str:
        key = id(v)
        if key in self.names:
            return self.names[key]
        label = _identifier(v.label)
        base = label or fallback
        name = base
        k = 1
        while name in self.taken:
            k += 1
            name = f"{base}_{k}"
        self.taken.add(name)
        self.names[key] = name
        return name


def _identifier(label: str) -> str:
    import keyword

    text = label.replace("ŷ", "y_hat").replace("'", "_prime").replace(" ", "_")
    if text.isidentifier() and not keyword.iskeyword(text) and text.isascii():
        return text
    return ""


# --------------------------------------------------------------------------- writing


def generate(graph: Graph, *, careful: bool = False, roll: bool = True,
             grad_inputs: Collection[int] | None = None) -> tuple[str, dict[str, Any]]:
    """Python source for ``graph``'s forward and backward, and its namespace.

    With ``roll``, repeated blocks become loops (see `autograd_mini.jit.rolling`).
    ``grad_inputs`` are the inputs whose gradients are wanted (default: all);
    operations that depend on none of them get no backward step.
    """
    return _Writer(graph, careful, roll, grad_inputs).write()


class _Writer:
    """Writes the two functions; see the module documentation."""

    def __init__(self, graph: Graph, careful: bool, roll: bool,
                 grad_inputs: Collection[int] | None) -> None:
        self.graph = graph
        wanted = range(len(graph.inputs)) if grad_inputs is None else grad_inputs
        self.position = {op.out: k for k, op in enumerate(graph.ops)}
        self.needs = _Needs(graph, self.position, wanted)
        self.careful = careful
        self.names = Names()
        self.namespace = dict(RUNTIME)
        self.objects: dict[int, str] = {}
        self.constants = graph.constants
        self.input_index = {v: i for i, v in enumerate(graph.inputs)}
        segments: list[int | Run] = (find_runs(graph, position=self.position) if roll
                                     else list(range(len(graph.ops))))
        self.segments: list[int | Run] = self._keep_accumulators_local(segments)
        self.input_names = [self.names.name(v, f"x{i}") for i, v in enumerate(graph.inputs)]
        # Where each node lives: a straight node's name, or (run, instance, position).
        self.straight: dict[Value, str] = {}
        self.segment_of = array("l", bytes(8 * len(graph.ops)))  # op index -> segment
        self.runs: dict[int, Run] = {}
        for m, seg in enumerate(self.segments):
            if isinstance(seg, Run):
                self.runs[m] = seg
                for k in range(seg.start, seg.start + seg.count * seg.period):
                    self.segment_of[k] = m
            else:
                self.segment_of[seg] = m
                op = graph.ops[seg]
                self.straight[op.out] = self.names.name(op.out, f"v{seg}")
        self.run_needs = {(m, p) for m, run in self.runs.items() for p in range(run.period)
                          if any(self.needs.op(run.start + i * run.period + p)
                                 for i in range(run.count))}
        self.listed_inputs: set[int] = set()  # inputs whose gradient is kept by index
        self.external: set[tuple[int, int]] = set()  # run positions read from outside
        self._scan()
        self.temps: dict[tuple[str, int, int], str] = {}

    def _keep_accumulators_local(self, segments: list[int | Run]) -> list[int | Run]:
        """Unroll runs that would put the gradient of a hot input in a list.

        An input whose gradient a run adds by index (each instance its own
        input) gets one accumulator, a list item; if the same input is also
        read as a fixed operand elsewhere (a weight in the main loop), all of
        its additions would go through the list. Such runs stay straight.
        """
        while True:
            fixed: set[Value] = set()
            varying: dict[int, set[Value]] = {}
            for m, seg in enumerate(segments):
                if isinstance(seg, Run):
                    for row in seg.operands:
                        for o in row:
                            if o.kind in ("shared", "carry") and isinstance(o.init, Value):
                                fixed.add(o.init)
                            elif o.kind == "varying" and isinstance(o.items[0], Value):
                                varying.setdefault(m, set()).update(
                                    x for x in o.items if x in self.input_index and x in self.needs)
                else:
                    fixed.update(a for a in self.graph.ops[seg].args if isinstance(a, Value))
            bad = {m for m, inputs in varying.items() if inputs & fixed}
            if not bad:
                return segments
            unrolled: list[int | Run] = []
            for m, seg in enumerate(segments):
                if m in bad and isinstance(seg, Run):
                    unrolled.extend(range(seg.start, seg.start + seg.period * seg.count))
                else:
                    unrolled.append(seg)
            segments = unrolled

    # ------------------------------------------------------------------ naming

    def extra(self, obj: Any) -> str:
        if id(obj) not in self.objects:
            name = f"_f{len(self.objects)}"
            self.objects[id(obj)] = name
            self.namespace[name] = obj
        return self.objects[id(obj)]

    def temp(self, kind: str, m: int, p: int) -> str:
        key = (kind, m, p)
        if key not in self.temps:
            base = f"{kind}{m}_{p}"
            name = base
            k = 1
            while name in self.names.taken:
                k += 1
                name = f"{base}_{k}"
            self.names.taken.add(name)
            self.temps[key] = name
        return self.temps[key]

    def constant_tuple(self, items: Sequence[Any], prefix: str) -> str:
        name = f"{prefix}{len(self.objects)}"
        self.objects[id(name)] = name
        self.namespace[name] = tuple(items)
        return name

    def index(self, indices: Sequence[int]) -> str:
        """Source for ``indices[i]`` in a loop over ``i``: a formula, or a table."""
        a = indices[0]
        b = indices[1] - indices[0] if len(indices) > 1 else 0
        if all(x == a + b * i for i, x in enumerate(indices)):
            if b == 0:
                return str(a)
            step = "i" if b == 1 else f"{b} * i"
            return step if a == 0 else f"{a} + {step}"
        return f"{self.constant_tuple(list(indices), '_ix')}[i]"

    def _scan(self) -> None:
        """Which inputs are read by index, which run positions are read from outside."""
        for seg in self.segments:
            if isinstance(seg, Run):
                for row in seg.operands:
                    for o in row:
                        if (o.kind == "shared" and isinstance(o.init, Value)) or o.kind == "carry":
                            self._mark(o.init)
                        elif o.kind == "varying" and isinstance(o.items[0], Value):
                            for x in o.items:
                                if x in self.input_index:
                                    if x in self.needs:
                                        self.listed_inputs.add(self.input_index[x])
                                else:
                                    self._mark(x)
            else:
                for a in self.graph.ops[seg].args:
                    if isinstance(a, Value):
                        self._mark(a)
        for out in self.graph.outputs:
            self._mark(out)

    def in_run(self, v: Value) -> tuple[int, int, int] | None:
        """``(run, instance, position)`` of a node inside a run, else None."""
        k = self.position.get(v)
        if k is None:
            return None
        run = self.runs.get(self.segment_of[k])
        if run is None:
            return None
        i, p = divmod(k - run.start, run.period)
        return self.segment_of[k], i, p

    def _mark(self, v: Value) -> None:
        where = self.in_run(v)
        if where is not None:
            self.external.add((where[0], where[2]))

    # ------------------------------------------------------------------ sources

    def value(self, v: Any) -> str:
        """Source of a fixed Value (or number) outside any loop's own instance."""
        if not isinstance(v, Value):
            return literal(float(v))
        if v in self.constants:
            return literal(self.constants[v])
        if v in self.input_index:
            return self.input_names[self.input_index[v]]
        if v in self.straight:
            return self.straight[v]
        m, i, p = self.in_run(v)  # type: ignore[misc]
        return f"S{m}[{i}][{p}]"

    def grad(self, v: Any) -> str | None:
        """The accumulator of a fixed Value, or None (numbers and constants have none)."""
        if not isinstance(v, Value) or v in self.constants or v not in self.needs:
            return None
        if v in self.input_index:
            k = self.input_index[v]
            return f"gin[{k}]" if k in self.listed_inputs else f"g_{self.input_names[k]}"
        if v in self.straight:
            return f"g_{self.straight[v]}"
        m, i, p = self.in_run(v)  # type: ignore[misc]
        return f"G{m}_{p}[{i}]"

    def varying(self, items: Sequence[Any], grad: bool) -> str | None:
        """Source (or accumulator) of a per-instance operand, in a loop over ``i``."""
        first = items[0]
        if not isinstance(first, Value):
            return None if grad else f"{self.constant_tuple([float(x) for x in items], '_k')}[i]"
        if grad and not any(x in self.needs for x in items):
            return None
        if first in self.input_index:
            idx = self.index([self.input_index[x] for x in items])
            return f"gin[{idx}]" if grad else f"inputs[{idx}]"
        m, _, p = self.in_run(first)  # type: ignore[misc]
        idx = self.index([self.in_run(x)[1] for x in items])  # type: ignore[index]
        return f"G{m}_{p}[{idx}]" if grad else f"S{m}[{idx}][{p}]"

    def load(self, m: int, o: Operand, loads: dict[str, str]) -> str:
        """The source of an operand's value in run ``m``'s loop body; a per-instance
        read (``inputs[2 + 2 * i]``) becomes a local loaded once per instance."""
        src = self.operand(m, o, grad=False) or ""
        if o.kind != "varying" or "[" not in src:
            return src
        if src not in loads:
            loads[src] = self.temp("a", m, len(loads))
        return loads[src]

    def operand(self, m: int, o: Operand, grad: bool) -> str | None:
        if grad and o.kind in ("local", "carry") and (m, o.pos) not in self.run_needs:
            return None
        if o.kind == "local":
            return self.temp("g" if grad else "t", m, o.pos)
        if o.kind == "carry":
            return self.temp("c" if grad else "cv", m, o.pos)
        if o.kind == "shared":
            return self.grad(o.init) if grad else self.value(o.init)
        return self.varying(o.items, grad)

    # ------------------------------------------------------------------ writing

    def write(self) -> tuple[str, dict[str, Any]]:
        lines = ["def forward(inputs):"]
        if self.input_names:
            lines.append(f"    {_tuple(self.input_names)} = inputs")
        runs = [f"S{m}" for m in self.runs]
        for m, seg in enumerate(self.segments):
            if isinstance(seg, Run):
                lines.extend(self.forward_run(m, seg))
            else:
                lines.extend("    " + x for x in self.forward_op(seg))
        outs = [self.value(o) for o in self.graph.outputs]
        straight = list(self.straight.values())
        lines.append(f"    return {_tuple(outs)}, (inputs, {_tuple(runs)}, {_tuple(straight)})")
        lines.append("")
        lines.extend(self.backward(runs, straight))
        return "\n".join(lines) + "\n", self.namespace

    def forward_op(self, k: int) -> list[str]:
        op = self.graph.ops[k]
        out = self.straight[op.out]
        prelude, expr = forward_expr(op, [self.value(a) for a in op.args], self.extra)
        lines = [prelude.format(out=out)] if prelude else []
        lines.append(f"{out} = {expr.format(out=out)}")
        return lines

    def forward_run(self, m: int, run: Run) -> list[str]:
        ops = self.graph.ops
        lines = [f"    S{m} = []"]
        carried = sorted({o.pos for row in run.operands for o in row if o.kind == "carry"})
        for row in run.operands:
            for o in row:
                if o.kind == "carry":
                    lines.append(f"    {self.temp('cv', m, o.pos)} = {self.value(o.init)}")
        lines.append(f"    for i in range({run.count}):")
        temps = []
        loads: dict[str, str] = {}  # each per-instance read once per instance
        body = []
        for p in range(run.period):
            op = ops[run.start + p]
            out = self.temp("t", m, p)
            temps.append(out)
            srcs = [self.load(m, o, loads) for o in run.operands[p]]
            prelude, expr = forward_expr(op, srcs, self.extra)
            if prelude:
                body.append(f"        {prelude.format(out=out)}")
            body.append(f"        {out} = {expr.format(out=out)}")
        lines.extend(f"        {name} = {src}" for src, name in loads.items())
        lines.extend(body)
        lines.append(f"        S{m}.append({_tuple(temps)})")
        for q in carried:
            lines.append(f"        {self.temp('cv', m, q)} = {self.temp('t', m, q)}")
        return lines

    def backward(self, runs: list[str], straight: list[str]) -> list[str]:
        graph = self.graph
        lines = ["def backward(saved, seeds):"]
        lines.append(f"    inputs, {_tuple(runs) if runs else '_'}, _values = saved")
        if straight:
            lines.append(f"    {_tuple(straight)} = _values")
        if self.input_names:
            lines.append(f"    {_tuple(self.input_names)} = inputs")
        accumulators = [f"g_{name}" for k, name in enumerate(self.input_names)
                        if k not in self.listed_inputs and graph.inputs[k] in self.needs]
        accumulators += [f"g_{name}" for v, name in self.straight.items() if v in self.needs]
        if accumulators:
            lines.append(f"    {' = '.join(accumulators)} = 0.0")
        if self.listed_inputs:
            lines.append(f"    gin = [0.0] * {len(self.input_names)}")
        for m, p in sorted(self.external & self.run_needs):
            lines.append(f"    G{m}_{p} = [0.0] * {self.runs[m].count}")
        for k, o in enumerate(graph.outputs):
            target = self.grad(o)
            if target is not None:
                lines.append(f"    {target} += seeds[{k}]")
        for m in range(len(self.segments) - 1, -1, -1):
            seg = self.segments[m]
            if isinstance(seg, Run):
                lines.extend(self.backward_run(m, seg))
                continue
            op = graph.ops[seg]
            out = self.straight[op.out]
            g = f"g_{out}"
            targets = [self.grad(a) for a in op.args]
            if op.out not in self.needs or not any(targets):
                continue
            body = backward_lines(op, [self.value(a) for a in op.args], out, g, targets,
                                  self.extra, self.careful)
            lines.append(f"    if {g}:")
            lines.extend("        " + x for x in body)
        grads = [f"gin[{k}]" if k in self.listed_inputs
                 else f"g_{name}" if graph.inputs[k] in self.needs else "0.0"
                 for k, name in enumerate(self.input_names)]
        lines.append(f"    return {_tuple(grads)}")
        return lines

    def backward_run(self, m: int, run: Run) -> list[str]:
        ops = self.graph.ops
        carries = {o.pos: o for row in run.operands for o in row
                   if o.kind == "carry" and (m, o.pos) in self.run_needs}
        needed = [p for p in range(run.period) if (m, p) in self.run_needs]
        lines: list[str] = []
        if not needed:
            return lines
        for q in sorted(carries):
            start = f"G{m}_{q}[{run.count - 1}]" if (m, q) in self.external else "0.0"
            lines.append(f"    {self.temp('c', m, q)} = {start}")
        temps = [self.temp("t", m, p) for p in range(run.period)]
        lines.append(f"    for i in range({run.count - 1}, -1, -1):")
        loads: dict[str, str] = {}
        steps: list[str] = []
        for p in reversed(needed):
            op = ops[run.start + p]
            g = self.temp("g", m, p)
            srcs = [self.load(m, o, loads) for o in run.operands[p]]
            targets = [self.operand(m, o, grad=True) for o in run.operands[p]]
            if not any(targets):
                continue
            body = backward_lines(op, srcs, temps[p], g, targets, self.extra, self.careful)
            steps.append(f"        if {g}:")
            steps.extend("            " + x for x in body)
        text = "\n".join(steps)
        head = [f"        {_tuple(temps)} = S{m}[i]"]
        for q, o in sorted(carries.items()):
            cv = self.temp("cv", m, q)
            if re.search(rf"\b{cv}\b", text):  # the carried value is read by a rule
                head.append(f"        {cv} = S{m}[i - 1][{q}] if i else {self.value(o.init)}")
        head.extend(f"        {name} = {src}" for src, name in loads.items()
                    if re.search(rf"\b{name}\b", text))
        zeros = []
        incoming = []
        for p in needed:
            g = self.temp("g", m, p)
            if p in carries:
                lines.append(f"        {g} = {self.temp('c', m, p)}")
                after = f"G{m}_{p}[i - 1] if i else 0.0" if (m, p) in self.external else "0.0"
                lines.append(f"        {self.temp('c', m, p)} = {after}")
                incoming.append(g)
            elif (m, p) in self.external:
                lines.append(f"        {g} = G{m}_{p}[i]")
                incoming.append(g)
            else:
                zeros.append(g)
        if incoming:  # no gradient reaches this instance: every step would be skipped
            lines.append(f"        if not ({' or '.join(incoming)}):")
            lines.append("            continue")
        lines.extend(head)
        if zeros:
            lines.append(f"        {' = '.join(zeros)} = 0.0")
        lines.extend(steps)
        for q, o in sorted(carries.items()):
            target = self.grad(o.init)
            if target is not None:
                lines.append(f"    {target} += {self.temp('c', m, q)}")
        return lines


class _Needs:
    """Which Values need a gradient: the wanted inputs, and every node that
    reads one (a flag per operation, so a million-node trace stays small)."""

    def __init__(self, graph: Graph, position: dict[Value, int], wanted: Iterable[int]) -> None:
        self.inputs = {graph.inputs[k] for k in wanted}
        self.position = position
        self.flags = bytearray(len(graph.ops))
        for k, op in enumerate(graph.ops):
            if op.stop:  # computed under no_grad: no gradient passes through it
                continue
            for a in op.args:
                if isinstance(a, Value) and a in self:
                    self.flags[k] = 1
                    break

    def op(self, k: int) -> bool:
        return bool(self.flags[k])

    def __contains__(self, v: object) -> bool:
        k = self.position.get(v)  # type: ignore[call-overload]
        return bool(self.flags[k]) if k is not None else v in self.inputs


def _tuple(items: Sequence[str]) -> str:
    if not items:
        return "()"
    if len(items) == 1:
        return f"({items[0]},)"
    return f"({', '.join(items)})"
