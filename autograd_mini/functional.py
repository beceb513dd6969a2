"""Derivatives as functions: `gradients`, `grad`, `value_and_grad`, `hessian`.

``grad(f)`` returns a new function computing df/dx. Called with numbers it
returns floats; called with Values (as happens when transforms are nested) it
returns Values whose graph records the backward pass itself, so the result can
be differentiated again:

```python
f = lambda x: x.sin() * x
d3 = grad(grad(grad(f)))(0.5)   # third derivative, exactly, no finite differences
```

These are exact derivatives computed by the engine (`gradients` with
``create_graph=True``), not numerical approximations. First-order numbers
come from the same pass as `Value.backward` (`engine.backpropagate`), so the
two can never disagree.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

from autograd_mini.checks import describe
from autograd_mini.engine import (
    Bound,
    Value,
    _to_float,
    backpropagate,
    topological_order,
)
from autograd_mini.grad_mode import set_grad_enabled

__all__ = ["gradients", "grad", "value_and_grad", "hessian"]


def gradients(root: Value, wrt: Sequence[Value], *, create_graph: bool = False) -> list[Any]:
    """d(root)/d(x) for each ``x`` in ``wrt``, without touching any ``.grad``.

    With ``create_graph=False`` the results are floats, from the same pass as
    `Value.backward`. With ``create_graph=True`` they are Values recorded as a
    graph of their own (the backward pass itself is differentiated), so they
    can be differentiated again: this is what makes `grad` compose to any
    order. A node that ``root`` does not depend on gets 0.0.

    Raises:
        TypeError: ``root`` or an element of ``wrt`` is not a Value; with
            ``create_graph=True``, the graph holds a micrograd-style node
            (a closure in ``_backward``), whose derivative cannot be re-run.
    """
    if not isinstance(root, Value):
        raise TypeError(f"gradients: root must be a Value, got {describe(root)}")
    for x in wrt:
        if not isinstance(x, Value):
            raise TypeError(f"gradients: wrt must hold Values, got {describe(x)}")
    if not create_graph:
        grads = backpropagate(root)
        return [grads.get(x, 0.0) for x in wrt]
    acc: dict[Value, Any] = {root: 1.0}
    with set_grad_enabled(True):
        for node in topological_order(root):
            g = acc.get(node)
            if g is None:
                continue
            for parent, local in zip(node.parents, _local_values(node)):
                # The zero-derivative-edge rule of backward: a 0 on either side of
                # an edge (local derivative or arriving gradient) carries nothing,
                # even times inf or nan. Where both are finite the edge is followed,
                # since a factor that is 0 here may have a derivative of its own.
                lv, gv = _value_of(local), _value_of(g)
                if (lv == 0.0 or gv == 0.0) and not (math.isfinite(lv) and math.isfinite(gv)):
                    continue
                term = local * g
                prev = acc.get(parent)
                acc[parent] = term if prev is None else prev + term
    return [acc.get(x, 0.0) for x in wrt]


def _value_of(x: Any) -> float:
    return x.data if isinstance(x, Value) else float(x)


def _local_values(node: Value) -> Sequence[Any]:
    """The local derivatives of ``node`` as expressions over its parents.

    Re-running the primitive's rules on the parent Values (rather than reusing
    the recorded floats) records how the local derivatives themselves depend
    on the inputs: the derivative of a derivative comes from the same rule.
    """
    prim = node._prim
    if prim is None:
        if type(node)._backward is not Value._backward:  # a jit output: compiled code
            raise TypeError(
                f"gradients: node {node!r} (op {node.op!r}) is the output of a function "
                "compiled with jit, whose backward is generated code; it cannot be "
                "differentiated again (call the function without jit for higher orders)"
            )
        if "_backward" in getattr(node, "__dict__", {}):
            raise TypeError(
                f"gradients: node {node!r} (op {node.op!r}) was built micrograd's way, with a "
                "closure in _backward; its derivative cannot be differentiated again "
                "(define the operation with autograd_mini.primitive for higher orders)"
            )
        return node.local_grads
    if isinstance(prim, Bound):  # some arguments were numbers: re-run with them in place
        rules, args = prim.prim, prim.args
    elif prim.linear:
        return node.local_grads
    else:
        rules, args = prim, node.parents
    try:
        every = rules.derivatives(args, node)
    except (ArithmeticError, ValueError) as exc:  # a user's rule; the built-in ones never raise
        where = ", ".join(repr(_value_of(a)) for a in args)
        raise type(exc)(
            f"gradients: the derivative of {node.op!r} at ({where}) could not be "
            f"differentiated again: {exc}"
        ) from exc
    return [d for d, a in zip(every, args) if isinstance(a, Value)]

ArgNums = int | Sequence[int]


def _normalize_argnums(argnums: ArgNums, nargs: int, who: str) -> tuple[list[int], bool]:
    """Return the argument positions as a list, and whether a tuple was asked for."""
    if isinstance(argnums, bool) or not isinstance(argnums, (int, tuple, list)):
        raise TypeError(
            f"{who}: argnums must be an int or a tuple of ints, got {describe(argnums)}"
        )
    single = isinstance(argnums, int)
    positions = [argnums] if isinstance(argnums, int) else list(argnums)
    if not positions:
        raise ValueError(f"{who}: argnums must name at least one argument")
    for p in positions:
        if isinstance(p, bool) or not isinstance(p, int):
            raise TypeError(f"{who}: argnums must hold ints, got {describe(p)}")
        if not -nargs <= p < nargs:
            raise ValueError(
                f"{who}: argnums {p} is out of range for a call with {nargs} argument(s)"
            )
    return [p % nargs for p in positions], not single


def _call(f: Callable[..., Any], args: Sequence[Any], who: str, record: bool = True) -> Value:
    """``f(*args)``, which must be a Value; recorded even inside ``no_grad()`` when
    ``record`` (transforms need the graph), never recorded otherwise."""
    with set_grad_enabled(record):
        out = f(*args)
    if not isinstance(out, Value):
        raise TypeError(
            f"{who}: the function must return a Value computed from its arguments, "
            f"got {describe(out)}"
        )
    return out


def value_and_grad(
    f: Callable[..., Any], argnums: ArgNums = 0
) -> Callable[..., tuple[Any, Any]]:
    """Transform ``f`` into a function returning ``(f(*args), df/dargs)``.

    Args:
        f: a function of Values returning a Value.
        argnums: the position (int) or positions (tuple) of the arguments to
            differentiate with respect to.

    Returns:
        A function of the same arguments. Called with numbers only, it returns
        ``(value, gradient)`` as floats; called with a Value among its
        arguments (for example inside another transform), it returns Values,
        differentiable again. For a tuple ``argnums`` the
        gradient is a tuple.

    Raises:
        TypeError: ``f`` returns something other than a Value, or an argument
            is neither a number nor a Value.
        ValueError: ``argnums`` is empty or out of range.

    A Value that does not depend on an argument has gradient 0.0 with respect
    to it (as in PyTorch's ``allow_unused`` with zeros, and JAX).
    """
    if not callable(f):
        raise TypeError(f"value_and_grad: f must be callable, got {describe(f)}")

    @functools.wraps(f)
    def wrapper(*args: Any) -> tuple[Any, Any]:
        positions, as_tuple = _normalize_argnums(argnums, len(args), "grad")
        # Any Value among the arguments means an outer transform (or the user)
        # is differentiating through this call: return differentiable Values.
        nested = any(isinstance(a, Value) for a in args)
        inputs = list(args)
        for p in positions:
            if not isinstance(inputs[p], Value):
                inputs[p] = Value(_to_float(inputs[p], "grad"))
        # The other numeric arguments become constant Values, so that f can
        # call Value methods on every argument (`y.sin()`) as it would inside
        # any other transform; other objects are passed through unchanged.
        for i, a in enumerate(inputs):
            if i not in positions and isinstance(a, numbers.Real):
                inputs[i] = Value(_to_float(a, "grad"))
        wrt = [inputs[p] for p in positions]
        out = _call(f, inputs, "grad")
        grads = gradients(out, wrt, create_graph=nested)
        if nested:
            grads = [g if isinstance(g, Value) else Value(g) for g in grads]
            value: Any = out
        else:
            grads = [float(g) for g in grads]
            value = out.data
        return value, (tuple(grads) if as_tuple else grads[0])

    return wrapper


def grad(f: Callable[..., Any], argnums: ArgNums = 0) -> Callable[..., Any]:
    """Transform ``f`` into a function computing its gradient.

    ``grad(f)(x)`` is df/dx at x. Nest it for higher orders:
    ``grad(grad(f))(x)`` is the second derivative, computed by differentiating
    the backward pass itself. See `value_and_grad` for argnums, return types
    and errors.

    For example:

    ```python
    >>> from autograd_mini import grad
    >>> grad(lambda x: x ** 3)(2.0)
    12.0
    >>> grad(grad(lambda x: x ** 3))(2.0)
    12.0
    ```
    """
    vg = value_and_grad(f, argnums)

    @functools.wraps(f)
    def grad_f(*args: Any) -> Any:
        return vg(*args)[1]

    return grad_f


def hessian(f: Callable[..., Any]) -> Callable[..., list[list[Any]]]:
    """Transform ``f`` into a function returning its matrix of second derivatives.

    ``hessian(f)(x1, ..., xn)[i][j]`` is d²f / dx_i dx_j, over all positional
    arguments, as a list of lists (floats for number arguments; Values,
    differentiable again, for Value arguments).

    For example:

    ```python
    >>> from autograd_mini import hessian
    >>> hessian(lambda x, y: x * x * y)(3.0, 2.0)
    [[4.0, 6.0], [6.0, 0.0]]
    ```
    """
    if not callable(f):
        raise TypeError(f"hessian: f must be callable, got {describe(f)}")

    @functools.wraps(f)
    def hess(*args: Any) -> list[list[Any]]:
        if not args:
            raise ValueError("hessian: the function needs at least one argument")
        nested = any(isinstance(a, Value) for a in args)
        xs = [a if isinstance(a, Value) else Value(_to_float(a, "hessian")) for a in args]
        out = _call(f, xs, "hessian")
        first = gradients(out, xs, create_graph=True)
        rows: list[list[Any]] = []
        for g in first:
            if isinstance(g, Value):
                row = gradients(g, xs, create_graph=nested)
            else:  # this first derivative is a constant: its row is zero
                row = [0.0] * len(xs)
            if nested:
                row = [r if isinstance(r, Value) else Value(r) for r in row]
            else:
                row = [float(r) for r in row]
            rows.append(row)
        return rows

    return hess
