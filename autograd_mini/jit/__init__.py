"""`jit`: trace a function of Values once, replay forward and backward as generated Python.

```python
from autograd_mini import jit

@jit
def loss_fn(X, y):
    ...                      # builds a Value from Values and numbers, as usual
    return total_loss

loss = loss_fn(X, y)         # first call with this argument structure: trace; later: replay
loss.backward()              # fills the .grad of the Values the function used
print(loss_fn.source)        # the generated Python, forward and backward
```

See the "Compiling with jit" page of the docs for the rules: inputs, captured
parameters, retracing, frozen Python control flow (`TraceWarning`).
"""

from autograd_mini.jit.function import JitFunction, JitOutput, jit
from autograd_mini.jit.tracing import TraceWarning

__all__ = ["jit", "JitFunction", "JitOutput", "TraceWarning"]
