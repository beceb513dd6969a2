"""The sdist and the wheel, built here with hatchling: what each contains.

The sdist must carry everything its own test suite reads (``mkdocs.yml``, the docs,
the scripts, ``.ci``), so the tests pass when run from the unpacked sdist, which
``.ci/sdist-tests`` does in CI. The wheel carries the package and nothing else.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    pytest.importorskip("hatchling", reason="the dev extra installs hatchling")
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-d", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    if done.returncode != 0 and not (ROOT / ".git").exists():
        pytest.skip("not a source checkout")  # e.g. running from an unpacked sdist's copy
    assert done.returncode == 0, done.stderr
    return {"sdist": next(out.glob("*.tar.gz")), "wheel": next(out.glob("*.whl"))}


def sdist_names(path: Path) -> set[str]:
    with tarfile.open(path) as tar:
        return {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}


def test_the_sdist_holds_what_its_tests_read(built: dict[str, Path]) -> None:
    names = sdist_names(built["sdist"])
    for needed in ("mkdocs.yml", "pyproject.toml", "README.md", "CHANGELOG.md", "LICENSE",
                   "docs/index.md", "docs/img/two_node.svg", "docs/figures/make_graphs.py",
                   "examples/quickstart.py", "scripts/demo.sh", "scripts/_venv.sh",
                   ".ci/run", ".ci/sdist-tests", "tests/test_docs.py",
                   "autograd_mini/py.typed"):  # fmt: skip
        assert needed in names, f"the sdist lacks {needed}"
    tracked_tests = {p.relative_to(ROOT).as_posix() for p in (ROOT / "tests").glob("*.py")}
    assert tracked_tests <= names
    assert not [n for n in names if n.startswith((".venv", "site/", ".git/")) or
                "__pycache__" in n]  # fmt: skip


def test_the_wheel_holds_the_package_only(built: dict[str, Path]) -> None:
    with zipfile.ZipFile(built["wheel"]) as wheel:
        names = wheel.namelist()
    top = {name.split("/", 1)[0] for name in names}
    assert top == {"autograd_mini", "autograd_mini-0.1.0.dist-info"}
    assert "autograd_mini/py.typed" in names and "autograd_mini/training.py" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    with zipfile.ZipFile(built["wheel"]) as wheel:
        metadata = wheel.read("autograd_mini-0.1.0.dist-info/METADATA").decode()
    assert re.search(r"^Provides-Extra: torch$", metadata, re.M)
    assert re.search(r"^Requires-Dist: torch==2\.13\.0; extra == .torch.$", metadata, re.M)


def test_ci_runs_the_test_suite_from_the_unpacked_sdist() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^bash \.ci/sdist-tests\b", ci, re.M)
    script = (ROOT / ".ci" / "sdist-tests").read_text(encoding="utf-8")
    assert "hatchling build -t sdist" in script
    assert re.search(r'PYTHONPATH="\$unpacked" .* -m pytest -x', script)
