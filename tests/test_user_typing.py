"""User code in the docs type-checks under ``mypy --strict`` as written (no casts).

Calling an `MLP` is typed like calling a PyTorch module (``Any``: a Value for
one output, a list of Values for several), so the Quick start's training loop,
which uses ``model(x)`` as a Value, passes ``mypy --strict``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def quickstart_training_loop() -> str:
    text = (ROOT / "docs" / "quickstart.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    loops = [b for b in blocks if "model.zero_grad()" in b and "MLP(" in b]
    assert loops, "the Quick start's training loop is gone"
    return loops[0]


def run_mypy(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(path)],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )


def test_the_quickstart_training_loop_passes_mypy_strict(tmp_path: Path) -> None:
    pytest.importorskip("mypy")  # installed by the dev extra, which the main test run uses
    user = tmp_path / "user_loop.py"
    user.write_text(quickstart_training_loop(), encoding="utf-8")
    result = run_mypy(user)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_catches_a_real_type_error_in_user_code(tmp_path: Path) -> None:
    # Guards the test above: the check is live (a wrong call on a Value is caught).
    pytest.importorskip("mypy")
    user = tmp_path / "user_bad.py"
    user.write_text(
        "from autograd_mini import Value\n"
        "v = Value(1.0)\n"
        "v.backward(3)\n",
        encoding="utf-8",
    )
    result = run_mypy(user)
    assert result.returncode != 0
    assert "backward" in result.stdout
