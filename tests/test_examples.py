"""Every script in ``examples/`` runs, with small settings, and prints what it should.

Each example is run as a separate process (``python examples/<name>.py``), the way a
reader runs it, with ``AUTOGRAD_MINI_EXAMPLE_FAST=1`` so that training examples take a
few seconds. A script must exit with status 0. ``EXPECTED`` adds, per script, patterns
its output must contain; a new script without an entry is still run.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
TIMEOUT_SECONDS = 300  # a hang guard, not a speed requirement



def check_two_node(stdout: str) -> None:
    """The two-node lesson's numbers, recomputed here from the formulas with plain math.

    The example uses w1 = 0.8, b1 = -0.2, w2 = -1.2, b2 = 0.3, x = 1.5, y = 1 and the
    squared cost. Each forward line ends with its value; each gradient line shows the
    engine's value and the hand formula's, and both must match the value computed here.
    """
    w1, b1, w2, b2, x, y = 0.8, -0.2, -1.2, 0.3, 1.5, 1.0

    def sigma(z: float) -> float:
        return 1.0 / (1.0 + math.exp(-z))

    z1 = w1 * x + b1
    a1 = sigma(z1)
    z2 = w2 * a1 + b2
    y_hat = sigma(z2)
    cost = 0.5 * (y_hat - y) ** 2
    delta2 = (y_hat - y) * y_hat * (1.0 - y_hat)
    delta1 = delta2 * w2 * a1 * (1.0 - a1)
    expected = {
        "z1": [z1], "a1": [a1], "z2": [z2], "ŷ": [y_hat], "J": [cost],
        "delta2": [delta2, delta2], "dJ/dw2": [delta2 * a1] * 2, "dJ/db2": [delta2] * 2,
        "delta1": [delta1, delta1], "dJ/dw1": [delta1 * x] * 2, "dJ/db1": [delta1] * 2,
    }  # fmt: skip
    number = re.compile(r"[-+]?\d+\.\d+")
    seen = set()
    for line in stdout.splitlines():
        words = line.split()
        if not words or words[0] not in expected or words[0] in seen:
            continue
        name = words[0]
        want = expected[name]
        got = [float(v) for v in number.findall(line)[-len(want):]]
        assert got == pytest.approx(want, abs=2e-6), f"two_node.py: {line!r}, expected {want}"
        seen.add(name)
    assert seen == set(expected), f"two_node.py: no line for {sorted(set(expected) - seen)}"


def check_training(minimum_accuracy: float) -> Callable[[str], None]:
    """A check for a training example: the loss falls, the accuracy beats the threshold.

    The example prints ``step K  loss L  accuracy A%`` lines and a final
    ``final training accuracy: A%`` line. The thresholds are well above chance and
    well below what the fast settings reach, so the check is about learning at all,
    not about a particular number.
    """

    def check(stdout: str) -> None:
        losses = [float(v) for v in re.findall(r"^step\s+\d+\s+loss\s+([\d.]+)", stdout, re.M)]
        assert len(losses) >= 2, f"expected progress lines, got:\n{stdout}"
        assert losses[-1] < 0.8 * losses[0], f"the loss did not fall: {losses}"
        final = re.search(r"^final training accuracy: ([\d.]+)%", stdout, re.MULTILINE)
        assert final, f"no final accuracy line in:\n{stdout}"
        assert float(final.group(1)) >= minimum_accuracy

    return check


# Regular expressions that must match somewhere in the example's standard output.
EXPECTED: dict[str, list[str]] = {
    # micrograd's README example: its README gives these three numbers.
    "quickstart.py": [r"^24\.7041$", r"^138\.8338$", r"^645\.5773$"],
    # micrograd's demo network, MLP(2, [16, 16, 1]), has 16*3 + 16*17 + 17 parameters.
    "moons.py": [rf"^{16 * 3 + 16 * 17 + 17} parameters$"],
    "multiclass.py": [r"\(60 points, 3 classes\)$"],
}

# Further checks on the output of some examples: functions that raise AssertionError.
CHECKS: dict[str, Callable[[str], None]] = {
    "two_node.py": check_two_node,
    "moons.py": check_training(minimum_accuracy=75.0),  # chance: 50%
    "multiclass.py": check_training(minimum_accuracy=50.0),  # chance: 33%
}


def run_example(path: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["AUTOGRAD_MINI_EXAMPLE_FAST"] = "1"
    env["MPLBACKEND"] = "Agg"  # plots go to files, never to a window
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, str(path)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )


def test_examples_are_discovered() -> None:
    names = [p.name for p in EXAMPLES]
    assert "quickstart.py" in names
    # An expectation for a script that does not exist is a typo or a stale entry.
    stale = (set(EXPECTED) | set(CHECKS)) - set(names)
    assert not stale, f"expectations for examples that do not exist: {sorted(stale)}"


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs_and_prints_what_it_should(path: Path, tmp_path: Path) -> None:
    result = run_example(path, tmp_path)
    assert result.returncode == 0, (
        f"{path.name} exited with {result.returncode}\n"
        f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
    )
    assert result.stdout.strip(), f"{path.name} printed nothing"
    for pattern in EXPECTED.get(path.name, []):
        assert re.search(pattern, result.stdout, re.MULTILINE), (
            f"{path.name}: no output line matches {pattern!r}\n--- stdout ---\n{result.stdout}"
        )
    if path.name in CHECKS:
        CHECKS[path.name](result.stdout)

