"""``autograd-mini train``: the moons demo from the command line."""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograd_mini.cli import main
from autograd_mini.datasets import make_moons
from autograd_mini.nn import MLP
from autograd_mini.training import accuracy, train_moons


def test_help_documents_the_options() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "autograd_mini", "train", "--help"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    for flag in ("--steps", "--seed", "--n", "--noise", "--plot", "--save", "--quiet"):
        assert flag in out
    assert "autograd-mini[plot]" in out
    assert "hinge" in out


def test_default_run_reaches_95_percent(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "--quiet"]) == 0
    out = capsys.readouterr().out
    match = re.search(r"training accuracy (\d+\.\d)%", out)
    assert match, out
    assert float(match.group(1)) >= 95.0


def test_progress_bar_shows_loss_and_accuracy(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("tqdm")
    assert main(["train", "--steps", "3", "--n", "20"]) == 0
    err = capsys.readouterr().err
    assert "3/3" in err and "loss=" in err and "acc=" in err


def test_without_tqdm_prints_plain_lines_and_names_the_extra(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)  # makes `import tqdm` fail
    assert main(["train", "--steps", "4", "--n", "20"]) == 0
    captured = capsys.readouterr()
    assert "pip install 'autograd-mini[progress]'" in captured.err
    assert re.search(r"step +4/4 +loss \d+\.\d{4} +accuracy \d+%", captured.out)


def test_plot_writes_a_png(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    target = tmp_path / "moons.png"
    assert main(["train", "--quiet", "--steps", "2", "--n", "20", "--plot", str(target)]) == 0
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"figure saved to {target}" in capsys.readouterr().out


def test_plot_without_matplotlib_exits_2_naming_the_extra(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    target = tmp_path / "moons.png"
    assert main(["train", "--quiet", "--plot", str(target)]) == 2
    captured = capsys.readouterr()
    assert "pip install 'autograd-mini[plot]'" in captured.err
    assert captured.out == ""  # it stopped before training
    assert not target.exists()


def test_save_writes_weights_that_load_back(tmp_path: Path) -> None:
    target = tmp_path / "model.json"
    assert main(["train", "--quiet", "--steps", "5", "--n", "30", "--seed", "4",
                 "--save", str(target)]) == 0  # fmt: skip
    trained = train_moons(n=30, steps=5, seed=4).model
    loaded = MLP(2, [16, 16, 1])
    loaded.load(target)
    assert [p.data for p in loaded.parameters()] == [p.data for p in trained.parameters()]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--steps", "0"], "--steps: must be >= 1, got 0"),
        (["--steps", "x"], "--steps: expected a whole number"),
        (["--n", "1"], "--n: needs at least 2 points"),
        (["--noise", "-0.5"], "--noise: must be a finite number >= 0"),
        (["--noise", "nan"], "--noise: must be a finite number"),
    ],
)
def test_bad_arguments_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["train", *argv])
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_unsupported_plot_format_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "--plot", "moons.gif"]) == 2
    assert "unsupported file type '.gif'" in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--plot", "--save"])
def test_an_output_in_a_missing_directory_is_refused_before_training(
    option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    import autograd_mini.commands.train as command

    def no_training(*args: object, **kwargs: object) -> None:
        raise AssertionError("training started")

    monkeypatch.setattr(command, "train_moons", no_training)
    target = tmp_path / "missing" / ("moons.png" if option == "--plot" else "model.json")
    assert main(["train", "--quiet", option, str(target)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{option} {str(target)!r}: directory {str(target.parent)!r} does not exist" in (
        captured.err
    )
    assert f"mkdir -p {target.parent}" in captured.err
    directory = tmp_path / ("dir.png" if option == "--plot" else "dir.json")
    directory.mkdir()
    assert main(["train", "--quiet", option, str(directory)]) == 2
    assert f"{option} {str(directory)!r} is a directory" in capsys.readouterr().err


def test_train_moons_history_and_determinism() -> None:
    seen: list[tuple[int, float, float]] = []
    a = train_moons(n=20, steps=3, seed=1, callback=lambda *row: seen.append(row))
    b = train_moons(n=20, steps=3, seed=1)
    assert [k for k, _, _ in seen] == [0, 1, 2]
    assert a.losses == b.losses == [loss for _, loss, _ in seen]
    assert a.accuracies == [acc for _, _, acc in seen]
    points, labels = make_moons(20, 0.1, 1)
    assert a.points == points and a.y == labels
    assert a.final_accuracy == accuracy(a.model, points, labels)


def test_accuracy_counts_sign_agreement() -> None:
    model = MLP(2, [1], rng=random.Random(0))  # a linear score w1 x1 + w2 x2 + b
    neuron = model.layers[0].neurons[0]
    neuron.w[0].data, neuron.w[1].data, neuron.b.data = 1.0, 0.0, 0.0  # score = x1
    points = [[1.0, 0.0], [-1.0, 0.0], [2.0, 5.0], [-3.0, 1.0]]
    assert accuracy(model, points, [1, -1, -1, 1]) == 0.5


def test_docs_figure_script_writes_moons_png(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    script = Path(__file__).resolve().parent.parent / "docs" / "figures" / "make_training.py"
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "img"), "--steps", "2"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    image = tmp_path / "img" / "moons.png"
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "training accuracy" in done.stdout
