"""Issue 15, item 11: gradcheck's tolerance model and probes at the edge of a domain.

The tolerance is atol + rtol*|numeric| + the finite-difference error measured
from the function itself (Richardson extrapolation of two steps), atol 0 by
default: a derivative off by 1e-4 of its value is caught at any magnitude,
correct functions at the edge of their domain raise no false alarm, and a
probe that leaves the domain says so and what to do.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_mini import Value, primitive
from autograd_mini.testing import SIDES, gradcheck, gradgradcheck

FUNCTIONS: dict[str, tuple[Callable[[float], float], Callable[[float], float]]] = {
    "sin": (math.sin, math.cos),
    "exp": (math.exp, math.exp),
    "cube": (lambda x: x**3, lambda x: 3 * x * x),
    "tanh": (math.tanh, lambda x: 1 - math.tanh(x) ** 2),
}


def scaled(name: str, scale: float, error: float) -> Any:
    """``scale * g(x)`` whose derivative rule is off by ``error`` (relative)."""
    g, dg = FUNCTIONS[name]
    float_rule = lambda x: scale * (1 + error) * dg(x)
    return primitive(
        lambda x: scale * g(x),
        lambda x: Value(float_rule(x.data)) if isinstance(x, Value) else float_rule(x),
        name=f"{name}_scaled",
    )


@settings(max_examples=200)
@given(
    st.sampled_from(sorted(FUNCTIONS)),
    st.integers(min_value=-8, max_value=8),
    st.floats(min_value=-2.0, max_value=2.0),
    st.sampled_from([1e-4, -1e-4, 3e-4]),
    st.sampled_from(SIDES),
)
def test_a_relative_error_of_1e_4_is_caught_at_any_magnitude(
    name: str, exponent: int, x: float, error: float, side: str
) -> None:
    g, dg = FUNCTIONS[name]
    if abs(dg(x)) < 1e-2 * max(1.0, abs(g(x))):
        return  # |f'| << |f|: the rounding of f itself is then the limit (documented)
    scale = 10.0**exponent
    wrong = scaled(name, scale, error)
    right = scaled(name, scale, 0.0)
    assert gradcheck(lambda v: right(v), x, side=side)
    with pytest.raises(AssertionError, match="MISMATCH"):
        gradcheck(lambda v: wrong(v), x, side=side)


@pytest.mark.parametrize("scale", [1e-8, 1e-5, 1e-3, 1e-2, 1.0, 1e3, 1e8])
def test_small_derivatives_are_checked_relatively(scale: float) -> None:
    # The issue's case: |f'| <= 1e-2 used to pass anything within atol=1e-6.
    wrong = scaled("sin", scale, 1e-4)
    with pytest.raises(AssertionError):
        gradcheck(lambda v: wrong(v), 0.3)
    assert gradcheck(lambda v: scaled("sin", scale, 0.0)(v), 0.3)


@pytest.mark.parametrize(
    ("f", "x"),
    [
        (lambda v: v.log(), 1e-4),
        (lambda v: v.log(), 3e-5),
        (lambda v: v.log(), 1e-3),
        (lambda v: v.sqrt(), 1e-4),
        (lambda v: v**-1, 1e-4),
        (lambda v: v**-0.5, 2e-4),
        (lambda v: (v - 1.0).log(), 1.0001),
        (lambda v: (-v).log(), -1e-4),
        (lambda v: v.log() * v, 1e-4),
    ],
    ids=["log@1e-4", "log@3e-5", "log@1e-3", "sqrt@1e-4", "inverse@1e-4", "rsqrt@2e-4",
         "shifted-log", "mirrored-log", "xlogx"],
)
def test_no_false_alarm_at_the_edge_of_a_domain(f: Any, x: float) -> None:
    assert gradcheck(f, x)
    assert gradcheck(f, x, side="forward" if x > 0 else "backward")
    assert gradgradcheck(f, x)


def test_errors_at_the_edge_of_a_domain_are_still_caught() -> None:
    bad_log = primitive(
        math.log,
        lambda x: (1 + 1e-4) / x,
        name="bad_log",
    )
    with pytest.raises(AssertionError, match="MISMATCH"):
        gradcheck(lambda v: bad_log(v), 1e-4)


@pytest.mark.parametrize(
    ("f", "x", "probe", "advice"),
    [
        (lambda v: v.log(), 5e-7, "x = -5", "side='forward'"),
        (lambda v: v.sqrt(), 1e-7, "x = -9", "side='forward'"),
        (lambda v: (-v).log(), -5e-7, "x = 5", "side='backward'"),
        (lambda v: (1.0 - v).log(), 1.0 - 5e-7, "x = 1.0000005", "side='backward'"),
        (lambda v, w: v * w.log(), (2.0, 4e-7), "x[1] = -6", "side='forward'"),
    ],
    ids=["log", "sqrt", "mirrored", "upper-edge", "second-argument"],
)
def test_a_probe_outside_the_domain_says_so_and_what_to_do(
    f: Any, x: float | tuple[float, float], probe: str, advice: str
) -> None:
    args = x if isinstance(x, tuple) else (x,)
    for check in (gradcheck, gradgradcheck):
        with pytest.raises(ValueError, match="left the domain") as info:
            check(f, *args)
        message = str(info.value)
        assert probe in message and advice in message and "smaller eps" in message
        assert isinstance(info.value.__cause__, (ValueError, ArithmeticError))
    # and the advice works: a one-sided difference with a step below the
    # distance to the edge, or a central one with a much smaller step
    side = advice.split("'")[1]
    assert gradcheck(f, *args, side=side, eps=1e-8)
    assert gradcheck(f, *args, eps=1e-9)
    with pytest.raises(AssertionError, match="note: the fd error of a mismatch is large"):
        gradcheck(f, *args, side=side)  # the step is larger than the distance to the edge


def test_a_one_sided_probe_that_still_leaves_the_domain_suggests_the_other_side() -> None:
    with pytest.raises(ValueError, match=r"left the domain.*side='forward'"):
        gradcheck(lambda v: v.log(), 5e-7, side="backward")


@pytest.mark.parametrize(("side", "error"), [("left", ValueError), (1, TypeError),
                                             (None, TypeError)])
def test_side_is_checked(side: object, error: type) -> None:
    with pytest.raises(error, match=r"gradcheck: .*side"):
        gradcheck(lambda v: v * v, 1.0, side=side)  # type: ignore[arg-type]


def test_the_report_shows_the_fd_error_and_the_model() -> None:
    wrong = scaled("sin", 1e-3, 1e-3)
    with pytest.raises(AssertionError) as info:
        gradcheck(lambda v: wrong(v), 0.3)
    first = str(info.value).splitlines()[0]
    assert "Richardson" in first and "+ fd error" in first and "atol=0.0" in first
