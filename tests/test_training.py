"""``autograd_mini.training``: micrograd's demo as library functions, and ``commands/``
holding nothing but argument parsing and printing."""

from __future__ import annotations

import argparse
import importlib
import inspect
import re
from pathlib import Path

import pytest

import autograd_mini.training as training
from autograd_mini.cli import COMMANDS
from autograd_mini.training import TrainResult, plot_training, train_moons

ROOT = Path(__file__).resolve().parent.parent


def test_module_docstring_example_runs_and_prints_what_it_says(
    capsys: pytest.CaptureFixture[str],
) -> None:
    doc = training.__doc__ or ""
    match = re.search(r"```python\n(.*?)```", doc, re.S)
    assert match, "the module docstring shows an example"
    code = match.group(1)
    exec(compile(code, "<training docstring>", "exec"), {})
    promised = re.search(r"#\s*(.*)$", code.strip().splitlines()[-1])
    assert promised
    assert capsys.readouterr().out.strip() == promised.group(1)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n": 1}, ValueError, "train_moons: n must be >= 2, got 1"),
        ({"n": 2.5}, TypeError, "train_moons: n must be an int, got float 2.5"),
        ({"steps": 0}, ValueError, "train_moons: steps must be >= 1, got 0"),
        ({"noise": -0.1}, ValueError,
         "train_moons: noise must be a finite number >= 0.0, got -0.1"),
        ({"noise": float("nan")}, ValueError,
         "train_moons: noise must be a finite number >= 0.0, got nan"),
        ({"alpha": "1e-4"}, TypeError, "train_moons: alpha must be a real number"),
        ({"seed": True}, TypeError, "train_moons: seed must be an int, got bool True"),
        ({"callback": 3}, TypeError, "train_moons: callback must be callable, got int 3"),
    ],
)
def test_train_moons_refuses_bad_arguments(
    kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        train_moons(**kwargs)  # type: ignore[arg-type]


def test_plot_training_refuses_bad_arguments_before_importing_anything(tmp_path: Path) -> None:
    result = train_moons(n=4, steps=1)
    with pytest.raises(ValueError, match=r"plot_training: unsupported file type '\.gif'"):
        plot_training(result, tmp_path / "moons.gif")
    with pytest.raises(TypeError, match="plot_training: result must be a TrainResult"):
        plot_training([1, 2], tmp_path / "moons.png")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="plot_training: path must be a str or Path, got int 7"):
        plot_training(result, 7)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_accuracy_refuses_mismatched_lengths() -> None:
    result = train_moons(n=4, steps=1)
    with pytest.raises(ValueError, match="accuracy: needs as many labels as points"):
        training.accuracy(result.model, result.points, result.y[:-1])


def test_the_result_type_and_defaults_are_public() -> None:
    assert set(training.__all__) >= {"train_moons", "plot_training", "accuracy", "TrainResult"}
    assert training.DEFAULTS == {"n": 100, "noise": 0.1, "steps": 100, "seed": 0, "alpha": 1e-4}
    assert isinstance(train_moons(n=4, steps=1), TrainResult)


def test_training_has_an_api_page_in_the_nav() -> None:
    page = (ROOT / "docs" / "api" / "training.md").read_text(encoding="utf-8")
    assert "::: autograd_mini.training" in page
    assert "api/training.md" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", COMMANDS)
def test_commands_only_parse_arguments_and_print(name: str) -> None:
    # Library code lives in the library: a command module defines its parser, its run
    # function and private printing helpers, plus parsers of argument strings (parse_*).
    module = importlib.import_module(f"autograd_mini.commands.{name}")
    defined = [
        (attr, obj)
        for attr, obj in vars(module).items()
        if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == module.__name__
    ]
    parsing = (argparse.ArgumentParser, argparse.Action)
    allowed = ("add_parser", "run")
    library = [
        attr
        for attr, obj in defined
        if (issubclass(obj, parsing) is False if inspect.isclass(obj)
            else not (attr in allowed or attr.startswith(("_", "parse_"))))
    ]
    assert not library, f"commands/{name}.py defines library code: {library}"
