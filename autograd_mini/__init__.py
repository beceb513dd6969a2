"""autograd_mini: a scalar reverse-mode automatic differentiation engine in pure Python.

``from autograd_mini import Value`` is a drop-in replacement for micrograd's
``from micrograd.engine import Value``.
"""

from autograd_mini.engine import Primitive, Value, topological_order
from autograd_mini.functional import grad, gradients, hessian, value_and_grad
from autograd_mini.fused import dot, linear, vsum
from autograd_mini.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from autograd_mini.jit import TraceWarning, jit
from autograd_mini.ops import primitive

__all__ = [
    "Value",
    "Primitive",
    "primitive",
    "dot",
    "linear",
    "vsum",
    "gradients",
    "topological_order",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "grad",
    "value_and_grad",
    "hessian",
    "jit",
    "TraceWarning",
    "draw_graph",
]


def __getattr__(name: str) -> object:
    # draw_graph needs the optional `graphviz` package: import it on first use.
    if name == "draw_graph":
        from autograd_mini.viz import draw_graph

        return draw_graph
    raise AttributeError(f"module 'autograd_mini' has no attribute {name!r}")

__version__ = "0.1.0"
