"""``scripts/demo.sh`` and ``scripts/test.sh``: set-up that cannot trap a newcomer.

The scripts run for real, in a copy of the clone, but against stand-in programs: fake
Python interpreters (which report a chosen version, create "venvs" and log what pip
is asked to install), a fake ``apt-get`` and a PATH without Graphviz's ``dot``. So
these tests need no network and take well under a second each, and they check what
the scripts decide: which interpreter, when a venv is rebuilt, what is installed,
what is printed, and where the user's relative paths point.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    shutil.which("bash") is None or os.name == "nt", reason="the scripts are bash scripts"
)

# The real programs the scripts may use; nothing else is on their PATH.
TOOLS = ["bash", "dirname", "cat", "rm", "mkdir", "ln", "awk", "cksum", "cut", "grep",
         "mktemp", "tail", "sed", "ls", "chmod", "env", "basename"]  # fmt: skip

FAKE_PYTHON = """\
#!/usr/bin/env bash
# A stand-in interpreter of Python {version}.
log={log}
if [ "$1" = -c ]; then
    case $2 in
        *version_info*) echo {version}; exit 0 ;;
        *sys.version.split*) echo "Python {version}.0"; exit 0 ;;
        *) exit 1 ;;  # import torch, and anything else: "not installed"
    esac
fi
[ "$1" = --version ] && {{ echo "Python {version}.0"; exit 0; }}
if [ "$1 $2" = "-m venv" ]; then
    mkdir -p "$3/bin"
    ln -s "$0" "$3/bin/python"
    for tool in autograd-mini ruff mypy mkdocs; do
        printf '#!/usr/bin/env bash\\necho "$(basename "$0") ran in $PWD with: $*" >> %s\\n' \\
            "$log" > "$3/bin/$tool"
        chmod +x "$3/bin/$tool"
    done
    echo "venv {version} $3" >> "$log"
    exit 0
fi
if [ "$1 $2" = "-m pip" ]; then
    echo "pip {version} ${{*:3}}" >> "$log"
    case " $* " in *" --quiet "*) exit 0 ;; esac
    echo "Collecting numpy>=1.24 (from autograd-mini==0.1.0)"
    echo "  Downloading numpy-2.0.whl (19 MB)"
    echo "Collecting pytest>=8.0"
    echo "Processing /opt/wheels/tqdm-4.70.1-py3-none-any.whl"
    exit 0
fi
[ "$1 $2" = "-m pytest" ] && {{ echo "pytest ran with: ${{*:3}}" >> "$log"; exit 0; }}
exit 3
"""


class Sandbox:
    """A copy of the clone's scripts and pyproject.toml, and a PATH of stand-ins."""

    def __init__(self, tmp_path: Path) -> None:
        self.clone = tmp_path / "clone"
        (self.clone / "scripts").mkdir(parents=True)
        for name in ("demo.sh", "test.sh", "_venv.sh"):
            shutil.copy(ROOT / "scripts" / name, self.clone / "scripts" / name)
        shutil.copy(ROOT / "pyproject.toml", self.clone / "pyproject.toml")
        (self.clone / "mkdocs.yml").touch()
        self.bin = tmp_path / "bin"
        self.bin.mkdir()
        for tool in TOOLS:
            real = shutil.which(tool)
            assert real, f"{tool} is needed to run the scripts"
            (self.bin / tool).symlink_to(real)
        self.log = tmp_path / "log.txt"
        self.log.touch()
        self.elsewhere = tmp_path / "elsewhere"
        self.elsewhere.mkdir()
        self.fake("id", 'echo 1000')  # not root: no apt-get unless a test says so

    def fake(self, name: str, body: str) -> None:
        path = self.bin / name
        path.unlink(missing_ok=True)
        path.write_text(f"#!/usr/bin/env bash\n{body}\n", encoding="utf-8")
        path.chmod(0o755)

    def python(self, name: str, version: str) -> Path:
        path = self.bin / name
        path.unlink(missing_ok=True)
        path.write_text(FAKE_PYTHON.format(version=version, log=self.log), encoding="utf-8")
        path.chmod(0o755)
        return path

    def run(self, script: str, *args: str, cwd: Path | None = None,
            **env: str) -> subprocess.CompletedProcess[str]:  # fmt: skip
        environment = {"PATH": str(self.bin), "HOME": str(self.clone.parent), **env}
        return subprocess.run(
            ["bash", str(self.clone / "scripts" / script), *args],
            cwd=cwd or self.elsewhere, env=environment, capture_output=True, text=True,
            timeout=60, check=False,
        )  # fmt: skip

    def logged(self) -> str:
        return self.log.read_text(encoding="utf-8")


@pytest.fixture
def box(tmp_path: Path) -> Sandbox:
    return Sandbox(tmp_path)


# ------------------------------------------------------------- item 2: the interpreter


def test_a_venv_from_another_python_is_rebuilt_with_a_message(box: Sandbox) -> None:
    box.python("python3", "3.9")
    old = box.run("demo.sh", PYTHON="python3")
    assert old.returncode == 2 and "needs Python >= 3.10" in old.stderr
    # The first run used Python 3.9 some other way: a stale .venv is left behind.
    venv = box.clone / ".venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "python").symlink_to(box.python("python3.9", "3.9"))
    box.python("python3", "3.12")
    done = box.run("demo.sh")
    assert done.returncode == 0, done.stderr
    assert re.search(r"\.venv was made with Python 3\.9, not 3\.12 \(python3\): rebuilding it",
                     done.stdout)  # fmt: skip
    assert "venv 3.12" in box.logged()
    assert "autograd-mini ran in" in box.logged()


def test_a_venv_whose_interpreter_is_gone_is_rebuilt(box: Sandbox) -> None:
    box.python("python3", "3.12")
    venv = box.clone / ".venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "python").symlink_to(box.clone / "no-such-python")
    done = box.run("demo.sh")
    assert done.returncode == 0, done.stderr
    assert "a Python that no longer runs" in done.stdout and "rebuilding" in done.stdout


def test_an_old_python3_falls_back_to_a_newer_one_on_path(box: Sandbox) -> None:
    box.python("python3", "3.9")
    box.python("python3.12", "3.12")
    done = box.run("demo.sh")
    assert done.returncode == 0, done.stderr
    assert "python3 is Python 3.9; autograd_mini needs >= 3.10, using python3.12" in done.stderr
    assert "venv 3.12" in box.logged()


def test_no_python_new_enough_says_what_to_do(box: Sandbox) -> None:
    box.python("python3", "3.9")
    done = box.run("demo.sh")
    assert done.returncode == 2
    assert "needs Python >= 3.10, and python3 is Python 3.9" in done.stderr
    assert "PYTHON=python3.12 bash" in done.stderr
    assert not (box.clone / ".venv").exists()


def test_python_setting_picks_the_interpreter(box: Sandbox) -> None:
    box.python("python3", "3.11")
    box.python("python3.13", "3.13")
    done = box.run("demo.sh", PYTHON="python3.13")
    assert done.returncode == 0, done.stderr
    assert "venv 3.13" in box.logged() and "venv 3.11" not in box.logged()
    missing = box.run("demo.sh", PYTHON="python9")
    assert missing.returncode == 2 and "PYTHON=python9: no such interpreter" in missing.stderr


# ------------------------------------------------------------- item 4: not silent, then quiet


def test_first_run_says_what_it_installs_and_how_long_later_runs_are_quiet(box: Sandbox) -> None:
    box.python("python3", "3.12")
    first = box.run("demo.sh")
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert any(re.match(r"==> creating .*\.venv with Python 3\.12\.0", line) for line in lines)
    assert any(re.match(r"==> created .*\.venv in \d+ s$", line) for line in lines)
    assert any("installing autograd-mini[viz,plot,progress]" in line for line in lines)
    assert "    numpy>=1.24" in lines and "    pytest>=8.0" in lines  # what pip collects
    assert "    tqdm 4.70.1" in lines and "    (3 packages)" in lines
    assert not any("Downloading" in line for line in lines)
    assert any(re.match(r"==> installed in \d+ s$", line) for line in lines)

    again = box.run("demo.sh")
    assert again.returncode == 0, again.stderr
    assert again.stdout == "" and again.stderr == ""
    assert box.logged().count("pip 3.12 install --disable-pip-version-check -e") == 1

    # A changed pyproject.toml (new dependencies) installs again.
    with open(box.clone / "pyproject.toml", "a", encoding="utf-8") as fh:
        fh.write("\n# changed\n")
    third = box.run("demo.sh")
    assert "installing autograd-mini[viz,plot,progress]" in third.stdout


# ------------------------------------------------------------- item 1: no PyTorch by default


def test_the_test_command_installs_no_pytorch_by_default(box: Sandbox) -> None:
    box.python("python3", "3.12")
    done = box.run("test.sh", AUTOGRAD_MINI_OTHER_PYTHONS="0", cwd=box.clone)
    assert done.returncode == 0, done.stderr
    installs = [line for line in box.logged().splitlines() if " install " in line]
    assert any(line.endswith(f"-e {box.clone}[dev]") for line in installs), installs
    assert not any("torch" in line for line in installs), installs
    assert "PyTorch is not installed: its reference tests are skipped" in done.stdout
    assert "AUTOGRAD_MINI_TORCH=1" in done.stdout
    for step in ("ruff ran", "mypy ran", "pytest ran", "mkdocs ran"):
        assert step in box.logged()


def test_the_torch_setting_installs_the_torch_extra(box: Sandbox) -> None:
    box.python("python3", "3.12")
    done = box.run("test.sh", AUTOGRAD_MINI_OTHER_PYTHONS="0", AUTOGRAD_MINI_TORCH="1",
                   cwd=box.clone)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"-e {box.clone}[dev,torch]" in box.logged()


def test_the_torch_extra_pins_the_reference_version_and_ci_turns_it_on() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^torch = \["torch==2\.13\.0"\]$', pyproject, re.M)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^export AUTOGRAD_MINI_TORCH=1\b", ci, re.M)
    assert re.search(r"^export AUTOGRAD_MINI_REQUIRE_DOT=1\b", ci, re.M)
    assert re.search(r"^bash scripts/test\.sh", ci, re.M)


# ------------------------------------------------------------- item 3: dot is optional


def test_a_failing_apt_get_warns_and_the_demo_goes_on(box: Sandbox) -> None:
    box.python("python3", "3.12")
    box.fake("id", "echo 0")  # root, with apt-get: the scripts try to install Graphviz
    box.fake("apt-get", f'echo "apt-get $*" >> {box.log}; echo "E: no network" >&2; exit 100')
    done = box.run("demo.sh", "--graph", "g.svg")
    assert done.returncode == 0, done.stderr
    assert "apt-get could not install Graphviz" in done.stderr
    assert "E: no network" in done.stderr
    assert "Graphviz's dot is not installed" in done.stderr
    assert "apt-get update" in box.logged()
    assert "autograd-mini ran in" in box.logged()

    tests = box.run("test.sh", AUTOGRAD_MINI_OTHER_PYTHONS="0", cwd=box.clone)
    assert tests.returncode == 0, tests.stderr
    assert "Graphviz's dot is not installed" in tests.stderr
    assert "pytest ran" in box.logged()


def test_the_demo_without_graph_does_not_try_to_install_graphviz(box: Sandbox) -> None:
    box.python("python3", "3.12")
    box.fake("id", "echo 0")
    box.fake("apt-get", f'echo "apt-get $*" >> {box.log}; exit 100')
    done = box.run("demo.sh", "--steps", "2")
    assert done.returncode == 0, done.stderr
    assert "apt-get" not in box.logged() and done.stderr == ""


def test_ci_insists_on_dot(box: Sandbox) -> None:
    box.python("python3", "3.12")
    box.fake("id", "echo 0")
    box.fake("apt-get", "exit 100")
    done = box.run("test.sh", AUTOGRAD_MINI_OTHER_PYTHONS="0", AUTOGRAD_MINI_REQUIRE_DOT="1",
                   cwd=box.clone)  # fmt: skip
    assert done.returncode == 1
    assert "Graphviz's dot is required here (AUTOGRAD_MINI_REQUIRE_DOT=1)" in done.stderr
    assert "pytest ran" not in box.logged()


def test_a_working_apt_get_installs_graphviz_with_a_timed_message(box: Sandbox) -> None:
    box.python("python3", "3.12")
    box.fake("id", "echo 0")
    dot = textwrap.dedent(f"""\
        echo "apt-get $*" >> {box.log}
        if [ "$1" = install ]; then printf '#!/usr/bin/env bash\\n' > {box.bin}/dot
            chmod +x {box.bin}/dot; fi""")
    box.fake("apt-get", dot)
    done = box.run("demo.sh", "--graph=g.svg")
    assert done.returncode == 0, done.stderr
    assert re.search(r"^==> installed Graphviz in \d+ s$", done.stdout, re.M)
    assert "apt-get install -y -qq graphviz" in box.logged()


# ------------------------------------------------------------- item 5: the user's directory


def test_the_demo_runs_where_the_user_stands(box: Sandbox) -> None:
    box.python("python3", "3.12")
    done = box.run("demo.sh", "--graph", "g.dot", "--steps", "1")
    assert done.returncode == 0, done.stderr
    assert f"autograd-mini ran in {box.elsewhere} with: demo --graph g.dot --steps 1" in (
        box.logged()
    )
