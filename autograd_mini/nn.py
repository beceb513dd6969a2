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

import contextlib
import json
import math
import numbers
import os
import random
import secrets
import stat
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Union

from autograd_mini.checks import choice, describe, integer, short_repr
from autograd_mini.engine import DOT, DOT_RELU, Value, apply
from autograd_mini.fused import _as_value, linear

__all__ = [
    "ACTIVATIONS", "MAX_FILE_BYTES", "Module", "Parameter", "Neuron", "Layer", "MLP", "StateDict",
]

ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
"""The activation names a `Neuron`, `Layer` or `MLP` accepts."""

StateDict = dict[str, Union[float, list[float]]]  # noqa: UP007 - a runtime alias on 3.10
"""A model's parameters as plain numbers: dotted name -> bias or list of weights."""

MAX_FILE_BYTES = 64 * 1024 * 1024
"""The largest file `Module.load` reads by default, in bytes (64 MiB)."""

_FORMAT = "autograd-mini/state_dict"
_FORMAT_VERSION = 1
_REPR_NAMES = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "linear": "Linear"}


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

        Every entry is checked and converted to a float before anything is
        assigned, so a bad dict (including a number whose ``float()`` fails)
        leaves the model exactly as it was. Gradients are not changed.

        Args:
            state: a mapping shaped like `state_dict`'s result: the same keys,
                a finite real number for each bias, a list (or tuple) of
                ``nin`` finite real numbers for each weight vector. Numbers
                are Python ints and floats or any other real number type
                such as ``numpy.float32``; bools are refused.

        Raises:
            TypeError: ``state`` is not a dict.
            ValueError: keys are missing or unexpected, or entries have the
                wrong shape or are not finite numbers (too large for a float,
                NaN, infinite, not numbers); the message names every
                offending entry, quoting at most a few values, each cut to
                `autograd_mini.checks.MAX_REPR` characters.
        """
        where = f"load_state_dict ({type(self).__name__})"
        if not isinstance(state, dict):
            raise TypeError(f"load_state_dict: expected a dict, got {describe(state)}")
        entries = list(self._named_vectors())
        expected = {name for name, _, _ in entries}
        problems: list[str] = []
        missing = [name for name, _, _ in entries if name not in state]
        unexpected = [short_repr(k) for k in state if k not in expected]
        if missing:
            problems.append("missing keys: " + _listed(missing))
        if unexpected:
            problems.append("unexpected keys: " + _listed(unexpected))
        converted: list[tuple[list[Value], list[float]]] = []
        for name, values, scalar in entries:
            if name not in state:
                continue
            given = state[name]
            if scalar:
                number, reason = _to_float(given)
                if reason:
                    problems.append(f"{name}: expected a finite number, got {reason}")
                else:
                    converted.append((values, [number]))
            elif not isinstance(given, (list, tuple)):
                problems.append(
                    f"{name}: expected a list of {len(values)} numbers, got {describe(given)}"
                )
            elif len(given) != len(values):
                problems.append(
                    f"{name}: expected a list of {len(values)} numbers, got {len(given)}"
                )
            else:
                numbers: list[float] = []
                bad: list[str] = []
                for i, x in enumerate(given):
                    number, reason = _to_float(x)
                    if reason:
                        bad.append(f"[{i}]={reason}")
                    numbers.append(number)
                if bad:
                    problems.append(f"{name}: not finite numbers at {_listed(bad, 5)}")
                else:
                    converted.append((values, numbers))
        if problems:
            raise ValueError(f"{where}: " + "; ".join(problems))
        for values, numbers in converted:  # plain floats now: nothing below can fail
            for v, x in zip(values, numbers):
                v.data = x

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the parameters to ``path`` as JSON (never pickle), atomically.

        The file holds ``{"format": "autograd-mini/state_dict", "version": 1,
        "model": repr(self), "state": self.state_dict()}``.

        The JSON is written to a new temporary file in the same directory,
        flushed and synced to disk, and then renamed over ``path``
        (`os.replace`). Until that rename an existing file at ``path`` is
        untouched, so a failure (a full disk, an interrupted process) leaves
        either the old file or the new one, never a truncated mix; the
        temporary file is removed on failure. An existing file's permission
        bits are kept; a new file gets the usual ones (0o666 less the umask).
        When ``path`` is a symbolic link, the file it points to is replaced
        and the link is kept.

        Raises:
            ValueError: a parameter is not finite (JSON has no NaN or infinity).
            OSError: the file cannot be written (the old file is kept).
        """
        state = self.state_dict()
        bad = [
            name
            for name, entry in state.items()
            if not all(math.isfinite(x) for x in (entry if isinstance(entry, list) else [entry]))
        ]
        if bad:
            raise ValueError(f"save: parameters are not finite in {_listed(bad)}")
        document = {
            "format": _FORMAT,
            "version": _FORMAT_VERSION,
            "model": repr(self),
            "state": state,
        }
        data = (json.dumps(document, indent=1, allow_nan=False) + "\n").encode("utf-8")
        _atomic_write(os.path.realpath(os.fspath(path)), data)

    def load(
        self, path: str | os.PathLike[str], *, max_bytes: int = MAX_FILE_BYTES
    ) -> None:
        """Load parameters saved by `save` (or a bare state-dict JSON object) from ``path``.

        The model's architecture must match the file's; on any error the model
        is left unchanged. Only a regular file (or a symbolic link to one) of
        at most ``max_bytes`` bytes is read: a device (``/dev/zero``), a FIFO
        or a directory is refused before reading, and at most ``max_bytes + 1``
        bytes are ever read, so a file that grows meanwhile cannot exhaust
        memory. The text must be UTF-8 JSON with no NaN, infinity or
        duplicated key; JSON nested too deeply for the parser is refused.

        Args:
            path: the file.
            max_bytes: the largest file accepted, in bytes (default
                `MAX_FILE_BYTES`, 64 MiB: far more than any model this
                pure-Python engine trains).

        Raises:
            ValueError: the file is not a regular file, is larger than
                ``max_bytes``, is not valid UTF-8 JSON, is nested too deeply,
                has another format, or does not fit this model (see
                `load_state_dict`); the message names the file.
            OSError: the file cannot be opened or read (missing, no permission).
        """
        limit = integer(max_bytes, "max_bytes", "load", minimum=0)
        name = short_repr(os.fspath(path))
        raw = _read_regular_file(path, limit, name)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValueError(f"load: {name} is not valid JSON: not UTF-8 text ({exc})") from None
        document = _parse_json(text, name)
        if isinstance(document, dict) and "format" in document:
            if document.get("format") != _FORMAT or document.get("version") != _FORMAT_VERSION:
                raise ValueError(
                    f"load: {name} has format {short_repr(document.get('format'))} "
                    f"version {short_repr(document.get('version'))}; expected {_FORMAT!r} "
                    f"version {_FORMAT_VERSION}"
                )
            document = document.get("state")
        if not isinstance(document, dict):
            raise ValueError(f"load: {name} does not hold a state dict")
        try:
            self.load_state_dict(document)
        except ValueError as exc:
            raise ValueError(f"load: {name}: {exc}") from None


def _listed(items: Sequence[str], most: int = 10) -> str:
    """``items`` joined by commas, at most ``most`` of them, then "and N more"."""
    shown = ", ".join(items[:most])
    return shown if len(items) <= most else f"{shown} and {len(items) - most} more"


def _to_float(x: object) -> tuple[float, str]:
    """``(float(x), "")`` for a finite real number, else ``(0.0, why)`` quoting ``x``."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        return 0.0, short_repr(x)
    try:
        number = float(x)
    except (OverflowError, ValueError):
        return 0.0, f"{short_repr(x)} (too large for a float)"
    except Exception as exc:  # a number type whose float() is broken
        return 0.0, f"{short_repr(x)} (float() failed: {type(exc).__name__})"
    if not math.isfinite(number):
        return 0.0, short_repr(number)
    return number, ""


def _atomic_write(target: str, data: bytes) -> None:
    """Write ``data`` to ``target`` through a synced temporary file and `os.replace`."""
    directory, base = os.path.split(target)
    directory = directory or "."
    try:
        mode: int | None = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        mode = None
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temp = os.path.join(directory, f".{base}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(temp, flags, 0o666)
        except FileExistsError:
            continue
        break
    else:  # pragma: no cover - 100 collisions of 48 random bits
        raise FileExistsError(f"save: cannot create a temporary file next to {target!r}")
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            if mode is not None:
                os.chmod(temp, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _sync_directory(directory)


def _sync_directory(directory: str) -> None:
    """Make a rename in ``directory`` durable (POSIX; a no-op where unsupported)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _read_regular_file(path: str | os.PathLike[str], limit: int, name: str) -> bytes:
    """At most ``limit`` bytes of the regular file ``path``; ValueError otherwise.

    The file is opened without blocking (a FIFO without a writer would block
    a plain open) and checked on the open descriptor, so it cannot be
    swapped between the check and the read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(
                f"load: {name} is not a regular file (it is {_file_kind(info.st_mode)}); "
                "save() writes regular files"
            )
        if info.st_size > limit:
            raise ValueError(
                f"load: {name} is {info.st_size} bytes, more than the limit of {limit} "
                "bytes (pass max_bytes= to raise it)"
            )
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(limit + 1 - size, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise ValueError(
                f"load: {name} grew beyond the limit of {limit} bytes while being read"
            )
        return b"".join(chunks)
    finally:
        os.close(fd)


def _file_kind(mode: int) -> str:
    for test, kind in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return kind
    return "not a regular file"


def _parse_json(text: str, name: str) -> Any:
    """The JSON document in ``text``; ValueError naming the file for anything malformed."""
    try:
        document = json.loads(
            text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys
        )
    except (RecursionError, MemoryError):
        raise ValueError(
            f"load: {name} is nested too deeply (a state dict nests 3 levels: "
            "document, state, weight lists)"
        ) from None
    except ValueError as exc:  # JSONDecodeError, a too-long integer, NaN, a duplicated key
        raise ValueError(f"load: {name} is not valid JSON: {exc}") from None
    return document


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {short_repr(key)} appears twice")
        result[key] = value
    return result


def _reject_constant(name: str) -> float:
    raise ValueError(f"the file contains {name}, which is not a finite number")


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
        nin = integer(nin, "nin", "Neuron", minimum=0)
        if activation is None:
            activation = "relu" if nonlin else "linear"
        self.activation: str = choice(activation, "activation", "Neuron", ACTIVATIONS)
        if rng is not None and not isinstance(rng, random.Random):
            raise TypeError(f"Neuron: rng must be a random.Random or None, got {describe(rng)}")
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
        nin = integer(nin, "nin", "Layer", minimum=0)
        nout = integer(nout, "nout", "Layer", minimum=1)
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
        nin = integer(nin, "nin", "MLP", minimum=0)
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence):
            raise TypeError(f"MLP: nouts must be a sequence of layer sizes, got {describe(nouts)}")
        if not nouts:
            raise ValueError("MLP: nouts must name at least one layer, got []")
        nouts = [integer(size, f"nouts[{i}]", "MLP", minimum=1) for i, size in enumerate(nouts)]
        if isinstance(activation, str):
            choice(activation, "activation", "MLP", ACTIVATIONS)
            acts = [activation] * (len(nouts) - 1) + ["linear"]
        else:
            acts = list(activation)
            if len(acts) != len(nouts):
                raise ValueError(
                    f"MLP: {len(acts)} activations given for {len(nouts)} layers; "
                    "give one name per layer, or a single name for the hidden layers"
                )
            for a in acts:
                choice(a, "activation", "MLP", ACTIVATIONS)
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
