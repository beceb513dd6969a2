"""Loss functions on Values: each returns one scalar `Value` to call ``backward()`` on.

Every loss is the mean over the examples of a per-example loss, built from
the engine's operations, so its gradient comes from the same graph as the
model's. Sums use `autograd_mini.vsum` (one node for n terms).

| loss | per example | labels |
|---|---|---|
| `mse` | (p - t)^2 | any real targets |
| `binary_cross_entropy` | -(t log p + (1 - t) log(1 - p)) | t in [0, 1] |
| `binary_cross_entropy_with_logits` | softplus(z) - t z | t in [0, 1] |
| `hinge` | max(0, 1 - y s) | y in {-1, +1} |
| `softmax_cross_entropy` | logsumexp(z) - z[label] | a class index |

Wrong lengths and label values raise `ValueError`; elements that are neither
Values nor real numbers raise `TypeError`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence

from autograd_mini.checks import describe, integer, real
from autograd_mini.engine import Value
from autograd_mini.fused import vsum
from autograd_mini.ops import SOFTPLUS

__all__ = [
    "mean",
    "mse",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "hinge",
    "softmax",
    "softmax_cross_entropy",
    "l2_penalty",
    "softplus",
]


def _as_list(x: Value | float | Iterable[Value | float], what: str) -> list[Value | float]:
    given: object = x
    if isinstance(given, Value):
        return [given]
    if isinstance(given, numbers.Real):
        return [float(given)]
    if isinstance(given, (str, bytes)) or not isinstance(given, Iterable):
        raise TypeError(
            f"{what}: expected a Value, a number or a sequence of them, "
            f"got {describe(given)}"
        )
    items = list(given)
    for i, item in enumerate(items):
        if not isinstance(item, (Value, numbers.Real)):
            raise TypeError(
                f"{what}: element {i} is {describe(item)}, "
                "not a Value or a real number"
            )
    return items


def _pair(
    outputs: Value | float | Iterable[Value | float],
    targets: Value | float | Iterable[Value | float],
    what: str,
) -> tuple[list[Value | float], list[float]]:
    out = _as_list(outputs, what)
    tgt = _as_list(targets, what)
    if len(out) != len(tgt):
        raise ValueError(f"{what}: {len(out)} outputs but {len(tgt)} targets")
    if not out:
        raise ValueError(f"{what}: no examples (empty outputs and targets)")
    return out, [t.data if isinstance(t, Value) else float(t) for t in tgt]


def _check_unit_targets(targets: list[float], what: str) -> None:
    """A ValueError naming the first target outside [0, 1] (the types were checked by `_pair`)."""
    for i, t in enumerate(targets):
        if not 0.0 <= t <= 1.0:
            raise ValueError(f"{what}: target {i} is {t!r}, expected a value in [0, 1]")


def mean(terms: Iterable[Value | float]) -> Value:
    """The mean ``(t1 + ... + tn) / n`` as one sum node scaled by ``1/n``.

    Raises:
        ValueError: ``terms`` is empty.
    """
    items = _as_list(terms, "mean")
    if not items:
        raise ValueError("mean: no terms (the mean of nothing is undefined)")
    return vsum(items) * (1.0 / len(items))


def mse(
    predictions: Value | float | Iterable[Value | float],
    targets: Value | float | Iterable[Value | float],
) -> Value:
    """Mean squared error: L = (1/n) sum_i (p_i - t_i)^2; dL/dp_i = 2 (p_i - t_i) / n.

    Args:
        predictions: a Value or a sequence of Values (numbers are constants).
        targets: the same number of real numbers (Values count as constants).

    Raises:
        ValueError: the lengths differ or are zero.
    """
    out, tgt = _pair(predictions, targets, "mse")
    errors = [p - t for p, t in zip(out, tgt)]
    return mean([e * e for e in errors])


def binary_cross_entropy(
    probabilities: Value | float | Iterable[Value | float],
    targets: Value | float | Iterable[Value | float],
) -> Value:
    """Binary cross-entropy on probabilities: L = -(1/n) sum_i [t_i log p_i + (1-t_i) log(1-p_i)].

    dL/dp_i = (p_i - t_i) / (n p_i (1 - p_i)). A term whose weight (t_i or
    1 - t_i) is 0 is left out, so p = 1 with t = 1 (a saturated sigmoid)
    gives a loss of 0 rather than ``log(0)``. For raw scores prefer the
    numerically stable `binary_cross_entropy_with_logits`.

    Args:
        probabilities: Values in (0, 1), e.g. sigmoid outputs.
        targets: numbers in [0, 1] (0/1 labels or soft targets).

    Raises:
        ValueError: lengths differ, a target is outside [0, 1], or a
            probability needed by a term is 0 or 1 (infinite loss) or outside [0, 1].
    """
    out, tgt = _pair(probabilities, targets, "binary_cross_entropy")
    _check_unit_targets(tgt, "binary_cross_entropy")
    terms: list[Value | float] = []
    for i, (p, t) in enumerate(zip(out, tgt)):
        pd = p.data if isinstance(p, Value) else float(p)
        if not 0.0 <= pd <= 1.0:
            raise ValueError(
                f"binary_cross_entropy: probability {i} is {pd!r}, expected a value in [0, 1]"
            )
        if (t > 0.0 and pd == 0.0) or (t < 1.0 and pd == 1.0):
            raise ValueError(
                f"binary_cross_entropy: probability {i} is {pd!r} with target {t!r}, "
                "an infinite loss; use binary_cross_entropy_with_logits on the raw scores"
            )
        if t > 0.0:
            terms.append(_log(p) * t)
        if t < 1.0:
            terms.append(_log(1.0 - p) * (1.0 - t))
    return _mean_over(terms, len(out), -1.0)


def _log(x: Value | float) -> Value | float:
    return x.log() if isinstance(x, Value) else math.log(x)


def _mean_over(terms: Sequence[Value | float], n: int, sign: float = 1.0) -> Value:
    """``sign * (t1 + ... + tk) / n``: a sum node scaled once (helper for the losses)."""
    return vsum(terms) * (sign / n)


softplus = SOFTPLUS
"""softplus(z) = log(1 + e^z), computed without overflow; d/dz softplus(z) = sigmoid(z).

The table's primitive (`autograd_mini.ops.SOFTPLUS`): one node per call,
usable on Values and floats, differentiable again for higher orders.
"""


def binary_cross_entropy_with_logits(
    logits: Value | float | Iterable[Value | float],
    targets: Value | float | Iterable[Value | float],
) -> Value:
    """Binary cross-entropy on raw scores z (p = sigmoid(z)), numerically stable.

    L = (1/n) sum_i [softplus(z_i) - t_i z_i], which equals the cross-entropy
    of sigmoid(z_i) but never takes the log of 0 or overflows exp;
    dL/dz_i = (sigmoid(z_i) - t_i) / n exactly, for every finite z_i.

    Args:
        logits: Values (any real number).
        targets: numbers in [0, 1].

    Raises:
        ValueError: lengths differ or a target is outside [0, 1].
    """
    out, tgt = _pair(logits, targets, "binary_cross_entropy_with_logits")
    _check_unit_targets(tgt, "binary_cross_entropy_with_logits")
    terms: list[Value | float] = []
    for z, t in zip(out, tgt):
        terms.append(softplus(z))
        if t != 0.0:
            terms.append(z * -t)
    return _mean_over(terms, len(out))


def hinge(
    scores: Value | float | Iterable[Value | float],
    labels: Value | float | Iterable[Value | float],
) -> Value:
    """micrograd's max-margin loss: L = (1/n) sum_i max(0, 1 - y_i s_i).

    dL/ds_i = -y_i / n where y_i s_i < 1, else 0. Computed exactly as
    micrograd's demo does (``(1 + -y*s).relu()``, summed, times ``1/n``), so
    the values match it bit for bit.

    Args:
        scores: Values (raw model outputs).
        labels: -1 or +1 for each score.

    Raises:
        ValueError: lengths differ or a label is not -1 or +1.
    """
    out, ys = _pair(scores, labels, "hinge")
    for i, y in enumerate(ys):
        if y not in (-1.0, 1.0):
            raise ValueError(f"hinge: label {i} is {y!r}, expected -1 or +1")
    margins = [_relu(1 + -y * s) for y, s in zip(ys, out)]
    return vsum(margins) * (1.0 / len(margins))


def _relu(x: Value | float) -> Value | float:
    return x.relu() if isinstance(x, Value) else max(x, 0.0)


def softmax(logits: Sequence[Value | float]) -> list[Value | float]:
    """Probabilities p_j = e^(z_j - m) / sum_k e^(z_k - m), with m = max(z).

    Subtracting the constant m changes nothing mathematically but keeps
    ``exp`` from overflowing. Floats in give floats out.

    Raises:
        ValueError: ``logits`` is empty.
    """
    zs = _as_list(logits, "softmax")
    if not zs:
        raise ValueError("softmax: no logits")
    m = max(z.data if isinstance(z, Value) else float(z) for z in zs)
    exps = [(z - m).exp() if isinstance(z, Value) else math.exp(z - m) for z in zs]
    total = vsum(exps)
    if not any(isinstance(e, Value) for e in exps):
        return [e / total.data for e in exps]
    return [e / total for e in exps]


def softmax_cross_entropy(logits: Sequence[Value | float], label: int) -> Value:
    """Cross-entropy of softmax(z) against class ``label``, for one example.

    L = -log softmax(z)_label = logsumexp(z) - z_label, with
    logsumexp(z) = m + log sum_j e^(z_j - m) and m = max(z) (a constant, so
    nothing overflows); dL/dz_j = softmax(z)_j - [j == label].

    Average over a batch with `mean`:
    ``mean(softmax_cross_entropy(model(x), y) for x, y in batch)``.

    Args:
        logits: one raw score per class (at least one).
        label: the index of the true class, ``0 <= label < len(logits)``.

    Raises:
        TypeError: ``label`` is not an int.
        ValueError: ``logits`` is empty or ``label`` is out of range.
    """
    zs = _as_list(logits, "softmax_cross_entropy")
    if not zs:
        raise ValueError("softmax_cross_entropy: no logits")
    label = integer(label, "label", "softmax_cross_entropy")
    if not 0 <= label < len(zs):
        raise ValueError(
            f"softmax_cross_entropy: label {label!r} is out of range for {len(zs)} classes"
        )
    m = max(z.data if isinstance(z, Value) else float(z) for z in zs)
    exps = [(z - m).exp() if isinstance(z, Value) else math.exp(z - m) for z in zs]
    lse = vsum(exps).log() + m
    return lse - zs[label]


def l2_penalty(params: Iterable[Value], alpha: float) -> Value:
    """L2 regularisation: R = alpha * sum_i p_i^2; dR/dp_i = 2 alpha p_i.

    Computed as micrograd's demo does (``alpha * sum(p*p for p in params)``).

    Raises:
        TypeError: ``alpha`` is not a real number.
        ValueError: ``alpha`` is negative or not finite.
    """
    a = real(alpha, "alpha", "l2_penalty", low=0.0)
    return a * vsum(p * p for p in params)
