"""`jit`: a function of Values, traced once, replayed as generated Python.

Calling a `JitFunction` reads its inputs (the arguments, flattened, then the
Values the function reached from outside, such as a model's parameters), runs
the generated forward, and returns Values. A returned Value is one node whose
parents are the Value inputs: when `Value.backward` reaches it, it runs the
generated backward seeded with its gradient and adds the results into the
inputs' ``grad``, exactly as the engine would have, operation by operation.
"""

from __future__ import annotations

import functools
import gc
import importlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, overload

from autograd_mini.checks import describe
from autograd_mini.engine import _BACKWARD_LOCK, _TRACE, Value, _check_grads, _new_node
from autograd_mini.grad_mode import is_grad_enabled
from autograd_mini.jit import codegen
from autograd_mini.jit.tracing import Graph, flatten, trace, unflatten

__all__ = ["jit", "JitFunction", "JitOutput", "Compiled"]


class Compiled:
    """One trace of a function, its generated code, and how to call it.

    Attributes:
        graph: what the trace recorded.
        source: the generated Python (forward, then backward).
        captured: the Values the function reached from outside (read at every call).
    """

    def __init__(self, graph: Graph, value_args: Sequence[int], sequence: type | None) -> None:
        self.graph = graph
        self.sequence = sequence  # list or tuple when the function returned one
        self.captured = tuple(graph.inputs[graph.n_args:])
        # The inputs that are Values for the caller and receive gradients:
        # the Value arguments (positions among the flattened arguments), then
        # everything captured.
        self.value_args = list(value_args)
        self.value_inputs = [*self.value_args, *range(graph.n_args, len(graph.inputs))]
        self.source, namespace = codegen.generate(graph, grad_inputs=self.value_inputs)
        exec(compile(self.source, "<autograd_mini.jit>", "exec"), namespace)
        self.forward: Callable[..., Any] = namespace["forward"]
        self._backward: Callable[..., Any] = namespace["backward"]
        self._careful: Callable[..., Any] | None = None

    def backward(self, saved: Any, seeds: Sequence[float]) -> Sequence[float]:
        """Every input's gradient for the outputs' ``seeds``: exactly the engine's.

        The fast backward adds every edge. It is exact whenever all the
        gradients come out finite; otherwise an infinity or a nan met an edge
        whose local derivative is zero, which the engine skips, so the careful
        backward (generated on first need) runs instead.
        """
        grads = self._backward(saved, seeds)
        # A plain sum: math.fsum raises on inf + -inf and on overflow. A finite
        # sum that overflows only sends us to the careful backward, also exact.
        total = sum(grads, 0.0)
        if total - total == 0.0:
            return grads  # type: ignore[no-any-return]
        if self._careful is None:
            source, ns = codegen.generate(self.graph, careful=True, grad_inputs=self.value_inputs)
            exec(compile(source, "<autograd_mini.jit careful>", "exec"), ns)
            self._careful = ns["backward"]
        return self._careful(saved, seeds)  # type: ignore[no-any-return]

    def input_grads(self, saved: Any, seeds: Sequence[float]) -> list[float]:
        """The gradients of the Value inputs (`value_inputs`, in order) for ``seeds``."""
        grads = self.backward(saved, seeds)
        return [grads[i] for i in self.value_inputs]

    def run(self, leaves: list[Any]) -> Any:
        """Replay on the flattened arguments ``leaves``; return what the function returned."""
        inputs = [v.data if isinstance(v, Value) else float(v) for v in leaves]
        inputs += [v.data for v in self.captured]
        return self.results(leaves, *self.forward(inputs))

    def results(self, leaves: list[Any], outs: Sequence[float], saved: Any) -> Any:
        """The Values a replay returns: output nodes over the Value inputs (plain
        Values under `no_grad`), shaped as the function's result was."""
        n = len(outs)
        results: list[Value]
        if is_grad_enabled() and self.value_inputs:
            parents = (*[leaves[i] for i in self.value_args], *self.captured)
            results = [_output_node(data, parents, (self, saved, k, n)) for k, data in
                       enumerate(outs)]
        else:  # under no_grad: the forward only
            results = [Value(data) for data in outs]
        if self.sequence is None:
            return results[0]
        return (Outputs if self.sequence is list else OutputTuple)(results)


class Outputs(list):  # type: ignore[type-arg]
    """The list of Values a compiled function returned (a plain list, with a clear error)."""

    def backward(self) -> None:
        """There is no single root to start from: say what to do instead."""
        raise TypeError(
            f"jit: the function returned {len(self)} Values; call backward() on one of them, "
            "or on a Value computed from them (their sum, a loss)"
        )


class OutputTuple(tuple):  # type: ignore[type-arg]
    """The tuple of Values a compiled function returned (a plain tuple, with a clear error)."""

    backward = Outputs.backward


class JitOutput(Value):
    """A Value returned by a compiled function: one node whose parents are its inputs.

    Its ``_backward`` runs the compiled backward seeded with this node's
    ``grad`` and adds each input's share into the input's ``grad``; its
    ``local_grads`` are d(self)/d(input), computed on request.
    """

    __slots__ = ()

    def _backward(self) -> None:
        g = self.grad
        if not g:
            return
        grads = self._input_grads(g)
        for parent, d in zip(self.parents, grads):
            if d:
                parent.grad += d

    def _input_grads(self, seed: float) -> list[float]:
        compiled, saved, index, n = self.__dict__["_jit"]
        seeds = [0.0] * n
        seeds[index] = seed
        return compiled.input_grads(saved, seeds)  # type: ignore[no-any-return]

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d(self)/d(parent) for each parent (the compiled backward, seeded with 1.0)."""
        return tuple(self._input_grads(1.0))

    def backward(self) -> None:
        """`Value.backward` from this node, the usual way to use a compiled loss.

        The same numbers as the general pass: the graph below this node is
        its inputs only, so the pass is the compiled backward seeded with 1.0,
        each input's shares summed from zero, then added to its ``grad``;
        all or nothing, serialised with other passes.
        """
        with _BACKWARD_LOCK:
            parents = self.parents
            nodes = [self, *parents]
            if set(map(type, [v.grad for v in nodes])) != {float}:
                _check_grads(nodes)
            grads = self._input_grads(1.0)
            shares = dict.fromkeys(parents, 0.0)
            for parent, d in zip(parents, grads):
                if d:
                    shares[parent] += d
            self.grad += 1.0
            for parent, d in shares.items():
                parent.grad += d


def _output_node(data: float, parents: tuple[Value, ...], state: tuple[Any, ...]) -> JitOutput:
    out = _new_node(data, JitOutput)
    out._op = "jit"
    out._parents = parents
    out.__dict__["_jit"] = state
    return out


class JitFunction:
    """A function compiled by `jit`: traced on the first call with each argument structure.

    The structure is the nesting of lists and tuples, their lengths, and which
    leaves are numbers and which are Values; a call with a new structure
    traces again. Call `retrace` after changing what the function reaches
    from outside (a model's parameter list): the traces hold on to the Values
    they captured.

    Attributes:
        fn: the original function.
    """

    def __init__(self, fn: Callable[..., Any], backend: str = "python") -> None:
        if not callable(fn):
            raise TypeError(f"jit: expected a function, got {describe(fn)}")
        self.backend = backend
        self._compiled_class = _backend_class(backend)
        self.fn = fn
        self.__name__: str = getattr(fn, "__name__", "function")
        self._cache: dict[object, Compiled] = {}
        self._last: Compiled | None = None
        functools.update_wrapper(self, fn)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run the function: trace on the first call with this structure, else replay."""
        if kwargs:
            raise TypeError(
                f"jit: {self.__name__}() takes positional arguments only; got keyword "
                f"argument(s) {', '.join(map(repr, kwargs))}"
            )
        leaves, key = flatten(args, "jit")
        if _TRACE.get() is not None:
            # Called while another function is traced: run the function itself, so
            # that its operations join that trace (a replay would be one opaque
            # node, captured as a constant input of the outer trace).
            return self.fn(*unflatten(key, [v if isinstance(v, Value) else Value(float(v))
                                             for v in leaves]))
        compiled = self._cache.get(key)
        if compiled is None:
            with _collector_paused():
                graph, result = trace(self.fn, args, "jit")
                sequence = type(result) if isinstance(result, (list, tuple)) else None
                del result
                value_args = [i for i, v in enumerate(leaves) if isinstance(v, Value)]
                compiled = self._cache[key] = self._compiled_class(graph, value_args, sequence)
        self._last = compiled
        return compiled.run(leaves)

    @property
    def source(self) -> str:
        """The generated Python of the latest trace used: forward, then backward."""
        if self._last is None:
            raise RuntimeError(f"jit: {self.__name__} has not been called yet: nothing traced")
        return self._last.source

    def retrace(self) -> None:
        """Forget every trace: the next call traces again."""
        self._cache.clear()
        self._last = None


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a trace is recorded and compiled.

    A trace makes one object per operation (millions for a long chain), all
    alive until the code is generated, and frees them by reference counting;
    it creates no cycles. With the collector running, its full collections
    re-scan every one of them, over and over. It is re-enabled on exit (also
    on error) if, and only if, it was enabled on entry.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


BACKENDS = ("python", "numpy")
"""The backends of `jit`: generated Python (the default), or numpy arrays (``fast`` extra)."""


def _backend_class(backend: str) -> type[Compiled]:
    """The class that compiles a trace for ``backend``; imports numpy for ``"numpy"``.

    Raises:
        ValueError: an unknown backend name.
        ImportError: ``"numpy"`` without numpy installed (names the extra to install).
    """
    if backend == "python":
        return Compiled
    if backend == "numpy":
        # Loaded by name: the backend's module builds on this one (it subclasses
        # Compiled), so this module does not import it (no import cycle).
        module = importlib.import_module("autograd_mini.jit.batched")  # imports numpy
        return module.BatchedCompiled  # type: ignore[no-any-return]
    raise ValueError(
        f"jit: unknown backend {backend!r}; choose from {', '.join(map(repr, BACKENDS))}"
    )


@overload
def jit(fn: Callable[..., Any], *, backend: str = "python") -> JitFunction: ...


@overload
def jit(fn: None = None, *, backend: str = "python") -> Callable[[Callable[..., Any]],
                                                                 JitFunction]: ...


def jit(fn: Callable[..., Any] | None = None, *, backend: str = "python"
        ) -> JitFunction | Callable[[Callable[..., Any]], JitFunction]:
    """Compile a function of Values: trace it once, replay it as generated Python.

    ``jit(f)(*args)`` returns what ``f(*args)`` returns (a Value, or a list or
    tuple of Values), with the same values and, after ``backward()``, the
    same gradients bit for bit. Arguments may be numbers, Values, and
    lists/tuples of them, nested; number arguments reach ``f`` as Values.
    Values that ``f`` reaches from outside (a model's parameters) are inputs
    too: read at every call, and ``backward()`` fills their ``grad``.

    ``backend="numpy"`` batches the traced operations onto numpy arrays (see
    `autograd_mini.jit.batched`): the same API, values and gradients within
    about 1e-12 relative of the engine's. ``jit(backend="numpy")`` without a
    function is a decorator.

    See the "Compiling with jit" page of the docs.

    Raises:
        TypeError: ``fn`` is not callable.
        ValueError: an unknown backend.
        ImportError: ``backend="numpy"`` without numpy (``pip install 'autograd-mini[fast]'``).
    """
    if fn is None:
        _backend_class(backend)  # an unknown backend or missing numpy fails here

        def decorate(f: Callable[..., Any]) -> JitFunction:
            return JitFunction(f, backend)

        return decorate
    return JitFunction(fn, backend)
