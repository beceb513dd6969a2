"""Every script in ``examples/`` runs, with small settings, and prints what it should.

Each example is run as a separate process (``python examples/<name>.py``), the way a
reader runs it, with ``AUTOGRAD_MINI_EXAMPLE_FAST=1`` so that training examples take a
few seconds. A script must exit with status 0. ``EXPECTED`` adds, per script, patterns
its output must contain; a new script without an entry is still run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
TIMEOUT_SECONDS = 300  # a hang guard, not a speed requirement

# Regular expressions that must match somewhere in the example's standard output.
EXPECTED: dict[str, list[str]] = {
    # micrograd's README example: its README gives these three numbers.
    "quickstart.py": [r"^24\.7041$", r"^138\.8338$", r"^645\.5773$"],
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
    assert set(EXPECTED) <= set(names), set(EXPECTED) - set(names)


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

