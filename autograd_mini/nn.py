"""Neural networks on the engine: `Module`, `Neuron`, `Layer`, `MLP`.

The classes follow micrograd's ``nn`` module name for name, so micrograd's
demo code runs unchanged once its imports point here:

```python
from autograd_mini import Value
from autograd_mini.nn import MLP

model = MLP(2, [16, 16, 1])      # 337 parameters, as in micrograd
score = model([Value(0.5), Value(-1.0)])
```

A neuron computes ``act(b + w1 x1 + ... + wn xn)``. Weights start uniform in
[-1, 1] and biases at 0. Without ``rng`` the weights come from the global
`random` module, drawn in micrograd's order, so ``random.seed(s)`` gives the
same network micrograd builds with the same seed; with ``rng=random.Random(s)``
the model is reproducible without touching the global generator.

Beyond micrograd:

* **Fused weighted sums.** By default a neuron records its weighted sum as one
  ``dot`` node (`autograd_mini.dot`), whose local derivatives are the inputs
  (for the weights), the weights (for the inputs) and 1 (for the bias). The
  values and gradients are identical to the per-operation graph, which is
  summed in the same order, but there is one node per neuron instead of
  ``2n``. ``fused=False`` records one ``*`` and one ``+`` node per input,
  as micrograd does, for drawing the graph.
* **Activations per layer**: ``"relu"``, ``"tanh"``, ``"sigmoid"`` or
  ``"linear"``.
* **Parameters.** Weights and biases are `Parameter` Values (a plain marker
  type, like PyTorch's ``nn.Parameter``).
* **numpy inputs.** Arrays, numpy scalars and lists of them work as inputs.
* **State dicts** of plain floats, JSON files with `Module.save` and
  `Module.load` (never pickle).

**State dict layout.** `Module.state_dict` returns a flat ``dict`` from dotted names to plain
numbers. Each neuron contributes two entries: ``"<prefix>w"``, the list of its
``nin`` weights, and ``"<prefix>b"``, its bias, a float. The prefix names the
neuron's place in the model: ``""`` for a lone `Neuron`, ``"neurons.<j>."``
inside a `Layer`, and ``"layers.<i>.neurons.<j>."`` inside an `MLP`. For
example, ``MLP(2, [3, 1]).state_dict()`` has the keys ``layers.0.neurons.0.w``,
``layers.0.neurons.0.b``, ..., ``layers.1.neurons.0.w``, ``layers.1.neurons.0.b``.
The dict holds only lists of floats and floats, so ``json.dumps`` accepts it.
"""

from __future__ import annotations

import json
import math
import os
import random
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Union

from autograd_mini import checks
from autograd_mini.engine import DOT, DOT_RELU, Value, apply
from autograd_mini.fused import _as_value, linear

__all__ = ["ACTIVATIONS", "Module", "Parameter", "Neuron", "Layer", "MLP", "StateDict"]

ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
"""The activation names a `Neuron`, `Layer` or `MLP` accepts."""

StateDict = dict[str, Union[float, list[float]]]  # noqa: UP007 - a runtime alias on 3.10
"""A model's parameters as plain numbers: dotted name -> bias or list of weights."""

_FORMAT = "autograd-mini/state_dict"
_FORMAT_VERSION = 1
_REPR_NAMES = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "linear": "Linear"}


def _check_count(value: object, what: str, minimum: int) -> int:
    """``value`` as an int >= ``minimum`` (numpy integers too); ``what`` is "Where: name"."""
    where, _, name = what.partition(": ")
    return checks.integer(value, name, where, minimum)


def _check_activation(activation: object, where: str) -> str:
    if not isinstance(activation, str):
        raise TypeError(
            f"{where}: activation must be a str, one of {ACTIVATIONS}, "
            f"got {type(activation).__name__} {activation!r}"
        )
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"{where}: unknown activation {activation!r}; expected one of {ACTIVATIONS}"
        )
    return activation


def _inputs(x: Iterable[Value | float], n: int, who: object) -> Sequence[Value | float]:
    """``x`` as a sequence of ``n`` inputs (a list, a tuple, a numpy array, ...)."""
    if isinstance(x, (list, tuple)) and len(x) == n:
        return x
    if isinstance(x, (str, bytes)) or not isinstance(x, Iterable):
        raise TypeError(f"{who!r}: expected a sequence of {n} inputs, got {type(x).__name__}")
    xs = list(x)
    if len(xs) != n:
        raise ValueError(f"{who!r}: expected {n} inputs, got {len(xs)}")
    return xs


def _is_number(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


class Module:
    """Base class of everything with parameters.

    Subclasses implement `parameters` (and, for state dicts, `_named_vectors`);
    everything else here is built on them.
    """

    def parameters(self) -> list[Value]:
        """All trainable Values, in a fixed order (micrograd's: per neuron, weights then bias)."""
        return []

    def zero_grad(self) -> None:
        """Set the gradient of every parameter to 0.0 (call before each ``backward()``)."""
        for p in self.parameters():
            p.grad = 0.0

    def num_parameters(self) -> int:
        """The number of scalar parameters (``len(self.parameters())``)."""
        return len(self.parameters())

    def _named_vectors(self) -> Iterator[tuple[str, list[Value], bool]]:
        """Yield ``(name, values, is_scalar)`` for every state-dict entry, in order."""
        return iter(())

    # ------------------------------------------------------------------ state

    def state_dict(self) -> StateDict:
        """The parameters as plain floats, keyed by dotted names.

        See the module documentation for the layout. The result is a new dict
        of new lists; changing it does not change the model.

        Returns:
            ``{"...w": [w1, ..., wn], "...b": b, ...}``, JSON-serialisable.
        """
        state: StateDict = {}
        for name, values, scalar in self._named_vectors():
            state[name] = values[0].data if scalar else [v.data for v in values]
        return state

    def load_state_dict(self, state: object) -> None:
        """Copy the numbers of ``state`` into the parameters' ``data``.

        The whole dict is checked before anything is assigned, so a bad dict
        leaves the model exactly as it was. Gradients are not changed.

        Args:
            state: a mapping shaped like `state_dict`'s result: the same keys,
                a finite number for each bias, a list of ``nin`` finite numbers
                for each weight vector.

        Raises:
            TypeError: ``state`` is not a dict.
            ValueError: keys are missing or unexpected, or entries have the
                wrong shape or are not finite numbers; the message names every
                offending entry.
        """
        if not isinstance(state, dict):
            raise TypeError(
                f"load_state_dict: expected a dict, got {type(state).__name__} {state!r}"
            )
        entries = list(self._named_vectors())
        expected = {name for name, _, _ in entries}
        problems: list[str] = []
        missing = [name for name, _, _ in entries if name not in state]
        unexpected = [repr(k) for k in state if k not in expected]
        if missing:
            problems.append("missing keys: " + ", ".join(missing))
        if unexpected:
            problems.append("unexpected keys: " + ", ".join(unexpected))
        for name, values, scalar in entries:
            if name not in state:
                continue
            given = state[name]
            if scalar:
                if not _is_number(given):
                    problems.append(f"{name}: expected a finite number, got {given!r}")
            elif not isinstance(given, (list, tuple)):
                problems.append(
                    f"{name}: expected a list of {len(values)} numbers, "
                    f"got {type(given).__name__} {given!r}"
                )
            elif len(given) != len(values):
                problems.append(
                    f"{name}: expected a list of {len(values)} numbers, got {len(given)}"
                )
            else:
                bad = [i for i, x in enumerate(given) if not _is_number(x)]
                if bad:
                    shown = ", ".join(f"[{i}]={given[i]!r}" for i in bad[:5])
                    problems.append(f"{name}: not finite numbers at {shown}")
        if problems:
            raise ValueError(f"load_state_dict ({type(self).__name__}): " + "; ".join(problems))
        for name, values, scalar in entries:
            given = state[name]
            if scalar:
                values[0].data = float(given)
            else:
                for v, x in zip(values, given):
                    v.data = float(x)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the parameters to ``path`` as JSON (never pickle).

        The file holds ``{"format": "autograd-mini/state_dict", "version": 1,
        "model": repr(self), "state": self.state_dict()}``.

        Raises:
            ValueError: a parameter is not finite (JSON has no NaN or infinity).
            OSError: the file cannot be written.
        """
        state = self.state_dict()
        bad = [
            name
            for name, entry in state.items()
            if not all(math.isfinite(x) for x in (entry if isinstance(entry, list) else [entry]))
        ]
        if bad:
            raise ValueError(f"save: parameters are not finite in {', '.join(bad)}")
        document = {
            "format": _FORMAT,
            "version": _FORMAT_VERSION,
            "model": repr(self),
            "state": state,
        }
        with open(path, "w", encoding="utf-8") as f:
            json.dump(document, f, indent=1, allow_nan=False)
            f.write("\n")

    def load(self, path: str | os.PathLike[str]) -> None:
        """Load parameters saved by `save` (or a bare state-dict JSON object) from ``path``.

        The model's architecture must match the file's; on any error the model
        is left unchanged.

        Raises:
            ValueError: the file is not valid JSON or does not fit this model
                (see `load_state_dict`).
            OSError: the file cannot be read.
        """
        with open(path, encoding="utf-8") as f:
            try:
                document: Any = json.load(f, parse_constant=_reject_constant)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise ValueError(f"load: {os.fspath(path)!r} is not valid JSON: {exc}") from None
        if isinstance(document, dict) and "format" in document:
            if document.get("format") != _FORMAT or document.get("version") != _FORMAT_VERSION:
                raise ValueError(
                    f"load: {os.fspath(path)!r} has format {document.get('format')!r} "
                    f"version {document.get('version')!r}; expected {_FORMAT!r} "
                    f"version {_FORMAT_VERSION}"
                )
            document = document.get("state")
        if not isinstance(document, dict):
            raise ValueError(f"load: {os.fspath(path)!r} does not hold a state dict")
        self.load_state_dict(document)


def _reject_constant(name: str) -> float:
    raise ValueError(f"load: the file contains {name}, which is not a finite number")


class Parameter(Value):
    """A Value that is a model's parameter (a weight or a bias).

    Neurons create their weights and biases as Parameters. It is a `Value` in
    every respect; the type only marks what is trainable, as PyTorch's
    ``nn.Parameter`` does. Weights you put into a neuron yourself can be plain
    Values.
    """

    __slots__ = ()


class Neuron(Module):
    """One unit: ``act(b + w1 x1 + ... + wn xn)``.

    Args:
        nin: number of inputs (>= 0).
        nonlin: micrograd's switch: ReLU when true, linear when false. Ignored
            when ``activation`` is given.
        activation: ``"relu"``, ``"tanh"``, ``"sigmoid"`` or ``"linear"``.
        rng: a `random.Random` to draw the weights from; defaults to the
            global `random` module (micrograd's behaviour).
        fused: record the weighted sum as one ``dot`` node (default) rather
            than one node per ``*`` and ``+``. Both give identical values and
            gradients.

    Attributes:
        w: the weights, ``nin`` `Parameter` Values drawn uniformly from [-1, 1].
        b: the bias, a `Parameter` starting at 0.
        activation: the activation's name.
        fused: whether calls record the fused ``dot`` node.
    """

    def __init__(
        self,
        nin: int,
        nonlin: bool = True,
        *,
        activation: str | None = None,
        rng: random.Random | None = None,
        fused: bool = True,
    ) -> None:
        nin = _check_count(nin, "Neuron: nin", 0)
        if activation is None:
            activation = "relu" if nonlin else "linear"
        self.activation = _check_activation(activation, "Neuron")
        if rng is not None and not isinstance(rng, random.Random):
            raise TypeError(
                f"Neuron: rng must be a random.Random or None, got {type(rng).__name__} {rng!r}"
            )
        uniform = (random if rng is None else rng).uniform
        self.w: list[Value] = [Parameter(uniform(-1, 1)) for _ in range(nin)]
        self.b: Value = Parameter(0.0)
        self.fused = bool(fused)

    @property
    def nonlin(self) -> bool:
        """micrograd's switch: True unless the activation is linear.

        Setting it chooses ReLU (true) or linear (false), as micrograd's does.
        """
        return self.activation != "linear"

    @nonlin.setter
    def nonlin(self, value: bool) -> None:
        self.activation = "relu" if value else "linear"

    def __call__(self, x: Iterable[Value | float]) -> Value:
        """The neuron's output for the inputs ``x``: Values or numbers (numpy ones too).

        Raises:
            ValueError: ``len(x)`` differs from the number of weights.
            TypeError: an input is neither a Value nor a real number.
        """
        x = _inputs(x, len(self.w), self)
        if self.fused:
            if self.activation == "relu":  # one dot+relu node
                return _as_value(apply(DOT_RELU, (*self.w, *x, self.b)))
            act = _as_value(apply(DOT, (*self.w, *x, self.b)))
        else:
            act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return self._activate(act)

    def _activate(self, act: Value) -> Value:
        a = self.activation
        if a == "relu":
            return act.relu()
        if a == "linear":
            return act
        if a == "tanh":
            return act.tanh()
        return act.sigmoid()

    def parameters(self) -> list[Value]:
        """The weights, then the bias."""
        return [*self.w, self.b]

    def _named_vectors(self) -> Iterator[tuple[str, list[Value], bool]]:
        yield "w", self.w, False
        yield "b", [self.b], True

    def __repr__(self) -> str:
        return f"{_REPR_NAMES[self.activation]}Neuron({len(self.w)})"


_NEURON_CALL = Neuron.__call__


def _is_builtin(n: object, activation: str, nin: int) -> bool:
    """Whether calling ``n`` is the built-in fused neuron with this activation and fan-in."""
    return (
        type(n) is Neuron
        and Neuron.__call__ is _NEURON_CALL
        and n.fused
        and n.activation == activation
        and len(n.w) == nin
    )


class Layer(Module):
    """``nout`` neurons reading the same inputs.

    Args:
        nin: number of inputs of each neuron.
        nout: number of neurons (>= 1).
        **kwargs: passed to every `Neuron` (``nonlin``, ``activation``,
            ``rng``, ``fused``).

    Attributes:
        neurons: the `Neuron` objects, in order.
    """

    def __init__(self, nin: int, nout: int, **kwargs: Any) -> None:
        nin = _check_count(nin, "Layer: nin", 0)
        nout = _check_count(nout, "Layer: nout", 1)
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x: Iterable[Value | float]) -> Any:
        """Call every neuron on ``x``: a list of Values, or a bare Value for one neuron.

        Each neuron is called as it would be on its own, so a `Neuron` subclass
        with its own ``__call__`` computes what it says. The return type is
        ``Any`` (``Value`` or ``list[Value]``), as PyTorch types a module's
        call, so that typed user code reads naturally.
        """
        if not isinstance(x, (list, tuple)):
            x = list(x)
        neurons = self.neurons
        activation = neurons[0].activation if neurons else ""
        if all(_is_builtin(n, activation, len(x)) for n in neurons):
            # Exactly what each neuron's own call records, with the inputs'
            # values read once for the layer (`autograd_mini.linear`).
            rows, biases = [n.w for n in neurons], [n.b for n in neurons]
            if activation == "relu":
                out = linear(rows, x, biases, "relu")
            else:
                out = [n._activate(z) for n, z in zip(neurons, linear(rows, x, biases))]
        else:
            out = [n(x) for n in neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        """Every neuron's parameters, neuron by neuron."""
        return [p for n in self.neurons for p in n.parameters()]

    def _named_vectors(self) -> Iterator[tuple[str, list[Value], bool]]:
        for j, n in enumerate(self.neurons):
            for name, values, scalar in n._named_vectors():
                yield f"neurons.{j}.{name}", values, scalar

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """A multi-layer perceptron: layers of sizes ``nouts`` applied in turn.

    ``MLP(nin, nouts)`` is micrograd's network: ReLU hidden layers and a linear
    last layer. It has ``sum((a + 1) * b for a, b in zip([nin, *nouts], nouts))``
    parameters, e.g. 337 for ``MLP(2, [16, 16, 1])``.

    Args:
        nin: number of inputs.
        nouts: the layer sizes; the last is the number of outputs.
        activation: one name for every hidden layer (the last layer stays
            linear), or a sequence with one name per layer, last included,
            e.g. ``["tanh", "tanh", "sigmoid"]``.
        rng: a `random.Random` for the initial weights (default: the global
            `random` module, as micrograd).
        fused: record each neuron's weighted sum as one ``dot`` node.

    Attributes:
        layers: the `Layer` objects, in order.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        *,
        activation: str | Sequence[str] = "relu",
        rng: random.Random | None = None,
        fused: bool = True,
    ) -> None:
        nin = _check_count(nin, "MLP: nin", 0)
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence):
            raise TypeError(
                f"MLP: nouts must be a sequence of layer sizes, got {type(nouts).__name__} "
                f"{nouts!r}"
            )
        if not nouts:
            raise ValueError("MLP: nouts must name at least one layer, got []")
        nouts = [_check_count(size, f"MLP: nouts[{i}]", 1) for i, size in enumerate(nouts)]
        if isinstance(activation, str):
            _check_activation(activation, "MLP")
            acts = [activation] * (len(nouts) - 1) + ["linear"]
        else:
            acts = list(activation)
            if len(acts) != len(nouts):
                raise ValueError(
                    f"MLP: {len(acts)} activations given for {len(nouts)} layers; "
                    "give one name per layer, or a single name for the hidden layers"
                )
            for a in acts:
                _check_activation(a, "MLP")
        sizes = [nin, *nouts]
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation=acts[i], rng=rng, fused=fused)
            for i in range(len(nouts))
        ]

    def __call__(self, x: Iterable[Value | float]) -> Any:
        """Run the layers in turn: a bare Value when the last layer has one neuron.

        ``x`` may be a list or tuple of Values or numbers, or a numpy array.
        Typed ``Any`` like PyTorch's module calls (see `Layer.__call__`).
        """
        out: Any = x
        for layer in self.layers:
            out = layer([out] if isinstance(out, Value) else out)
        return out

    def parameters(self) -> list[Value]:
        """Every layer's parameters, layer by layer (micrograd's order)."""
        return [p for layer in self.layers for p in layer.parameters()]

    def _named_vectors(self) -> Iterator[tuple[str, list[Value], bool]]:
        for i, layer in enumerate(self.layers):
            for name, values, scalar in layer._named_vectors():
                yield f"layers.{i}.{name}", values, scalar

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
