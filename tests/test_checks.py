"""autograd_mini.checks: the package's one set of argument checks (issue 12)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

import autograd_mini
from autograd_mini import checks

PACKAGE = Path(autograd_mini.__file__).parent

GENERIC = re.compile(
    r"def _check_(float|int|integer|real|number|count|noise|bound|finite|choice)\b"
)
"""Names of private copies of the generic checks, which belong in checks.py."""


def test_no_module_but_checks_defines_a_generic_validator() -> None:
    found = [
        f"{path.relative_to(PACKAGE)}:{n}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "checks.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if GENERIC.search(line)
    ]
    assert found == []


def test_the_generic_pattern_catches_a_private_copy() -> None:
    assert GENERIC.search("def _check_float(value, name, owner):")
    assert GENERIC.search("    def _check_int(self, v):")
    assert not GENERIC.search("def _check_unit_targets(targets, what):")


def test_checks_imports_nothing_from_the_package() -> None:
    source = (PACKAGE / "checks.py").read_text(encoding="utf-8")
    assert "autograd_mini" not in re.sub(r'""".*?"""', "", source, flags=re.S)


# --------------------------------------------------------------------------- real


@pytest.mark.parametrize(
    ("kwargs", "value", "message"),
    [
        ({}, math.nan, "f: x must be a finite number, got nan"),
        ({}, -math.inf, "f: x must be a finite number, got -inf"),
        ({"low": 0.0}, -1, "f: x must be a finite number >= 0.0, got -1.0"),
        ({"low": 0.0}, math.nan, "f: x must be a finite number >= 0.0, got nan"),
        ({"low": 0.0, "low_inclusive": False}, 0.0, "f: x must be a finite number > 0.0, got 0.0"),
        ({"high": 1.0, "high_inclusive": False}, 1.0,
         "f: x must be a finite number < 1.0, got 1.0"),
        ({"high": 1.0}, 2, "f: x must be a finite number <= 1.0, got 2.0"),
        ({"low": 0.0, "high": 1.0, "high_inclusive": False}, 1.0,
         "f: x must be a finite number >= 0.0 and < 1.0, got 1.0"),
        ({"finite": False, "low": 0.0}, -math.inf, "f: x must be a number >= 0.0, got -inf"),
        ({"finite": False, "low": 0.0}, math.nan, "f: x must be a number >= 0.0, got nan"),
        ({}, 10**400, "f: x is too large for a float: 1000"),
    ],
)
def test_real_states_the_whole_requirement(
    kwargs: dict[str, object], value: object, message: str
) -> None:
    with pytest.raises(ValueError) as info:
        checks.real(value, "x", "f", **kwargs)  # type: ignore[arg-type]
    assert str(info.value).startswith(message)


@pytest.mark.parametrize("value", ["1.0", None, True, 1j, [1.0]])
def test_real_refuses_non_numbers(value: object) -> None:
    with pytest.raises(TypeError, match=r"^f: x must be a real number, got "):
        checks.real(value, "x", "f")


def test_real_accepts_and_converts() -> None:
    assert checks.real(3, "x", "f") == 3.0 and type(checks.real(3, "x", "f")) is float
    assert checks.real(math.inf, "x", "f", finite=False) == math.inf
    assert checks.real(0.0, "x", "f", low=0.0) == 0.0
    assert checks.real(1.0, "x", "f", high=1.0) == 1.0
    assert checks.real(0.5, "x", "f", low=0.0, high=1.0, low_inclusive=False,
                       high_inclusive=False) == 0.5


# --------------------------------------------------------------------------- integers


def test_integer() -> None:
    assert checks.integer(3, "n", "f", minimum=3) == 3
    with pytest.raises(ValueError, match=r"^f: n must be >= 2, got 1$"):
        checks.integer(1, "n", "f", minimum=2)
    for bad in (2.0, True, "2", None):
        with pytest.raises(TypeError, match=r"^f: n must be an int, got "):
            checks.integer(bad, "n", "f")


def test_optional_integer() -> None:
    assert checks.optional_integer(None, "seed", "f") is None
    assert checks.optional_integer(7, "seed", "f") == 7
    for bad in (2.5, False, "1"):
        with pytest.raises(TypeError, match=r"^f: seed must be an int or None, got "):
            checks.optional_integer(bad, "seed", "f")
    with pytest.raises(ValueError, match=r"^f: seed must be >= 0, got -1$"):
        checks.optional_integer(-1, "seed", "f", minimum=0)


# --------------------------------------------------------------------------- choice


def test_choice() -> None:
    options = ("a", "b")
    value: str = checks.choice("b", "mode", "f", options)
    assert value == "b"
    with pytest.raises(ValueError, match=r"^f: unknown mode 'c'; expected one of 'a', 'b'$"):
        checks.choice("c", "mode", "f", options)
    with pytest.raises(TypeError, match=r"^f: mode must be one of 'a', 'b'; got int 1$"):
        checks.choice(1, "mode", "f", options)
