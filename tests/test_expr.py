"""The safe expression parser: the allow-list, caret positions and evaluation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_mini import Value, ops
from autograd_mini.expr import (
    MAX_DEPTH,
    MAX_LENGTH,
    ExpressionError,
    parse_expression,
)

# (expression, the text the caret must start under, a word of the message)
REJECTED = [
    ("x.real + 1", "x.real", "attribute"),
    ("tanh(x).conjugate()", "tanh(x).conjugate", "attribute"),
    ("foo(x)", "foo", "unknown function"),
    ("__import__('os')", "__import__", "unknown function"),
    ("eval('1')", "eval", "unknown function"),
    ("tanh(x=1)", "x=1", "keyword"),
    ("tanh(x, **k)", "**k", "keyword"),
    ("tanh(*x)", "*x", "starred"),
    ("sin(x, y)", "sin(x, y)", "one argument"),
    ("sin()", "sin()", "one argument"),
    ("lambda: 1", "lambda: 1", "lambda"),
    ("x + (lambda y: y)(2)", "lambda y: y", "lambda"),
    ("(x + 1)(2)", "x + 1", "only these functions"),
    ("[x for x in y]", "[x for x in y]", "comprehension"),
    ("sum(x for x in y)", "sum", "unknown function"),
    ("abs(x for x in y)", None, "generator"),
    ("{x: 1 for x in y}", "{x: 1 for x in y}", "comprehension"),
    ("x[0]", "x[0]", "subscript"),
    ("x**1000", "1000", "exponent"),
    ("x**-101", "-101", "exponent"),
    ("x**(50*3)", "50*3", "exponent"),
    ("x**1e308", "1e308", "exponent"),
    ("x**y**z", "y**z", "power tower"),
    ("2**(2**10)", "2**10", "power tower"),
    ("9**9**9", "9**9", "power tower"),
    ("x +", None, "invalid syntax"),
    ("tanh(x", None, "invalid syntax"),
    ("x y", None, "invalid syntax"),
    ("x = 1", None, "invalid syntax"),
    ("import os", None, "invalid syntax"),
    ("tanh", "tanh", "is a function"),
    ("exp + 1", "exp", "is a function"),
    ("'text'", "'text'", "numbers"),
    ("b'bytes'", "b'bytes'", "numbers"),
    ("True + x", "True", "numbers"),
    ("None", "None", "numbers"),
    ("1j * x", "1j", "numbers"),
    ("...", "...", "numbers"),
    ("1e400", "1e400", "too large"),
    ("x // 2", "x // 2", "'//'"),
    ("x % 2", "x % 2", "'%'"),
    ("x @ y", "x @ y", "'@'"),
    ("x ^ y", "x ^ y", "'^'"),
    ("~x", "~x", "'~'"),
    ("not x", "not x", "'not'"),
    ("x < y", "x < y", "comparison"),
    ("x and y", "x and y", "'and'"),
    ("x if y else z", "x if y else z", "conditional"),
    ("(y := 2)", "y := 2", "assignment"),
    ("(x, y)", None, "tuple"),
    ("[x]", "[x]", "list"),
    ("{x}", "{x}", "set"),
    ("{'a': x}", "{'a': x}", "dict"),
    ("f'{x}'", "f'{x}'", "f-string"),
    ("x + y[1:2]", "y[1:2]", "subscript"),
    ("await x", None, "await"),
    ("sin(x) + cos(y).imag", "cos(y).imag", "attribute"),
    ("2 * ŷ.real", "ŷ.real", "attribute"),
]


@pytest.mark.parametrize(("text", "at", "words"), REJECTED)
def test_rejects_each_forbidden_construct(text: str, at: str | None, words: str) -> None:
    with pytest.raises(ExpressionError) as info:
        parse_expression(text)
    error = info.value
    assert isinstance(error, ValueError)
    assert words.lower() in error.message.lower()
    lines = str(error).splitlines()
    assert lines[0] == error.message
    assert error.col_offset is not None
    assert lines[1] == f"  {text}"
    caret = lines[2]
    assert set(caret.strip()) == {"^"}
    col = len(caret) - len(caret.lstrip()) - 2
    assert col == error.col_offset
    if at is not None:
        assert text[col:].startswith(at), (text, col)
        assert caret.strip() == "^" * len(at)


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_input(text: str) -> None:
    with pytest.raises(ExpressionError, match="empty"):
        parse_expression(text)


def test_too_long_and_too_deep() -> None:
    with pytest.raises(ExpressionError, match="too long"):
        parse_expression("x+" * MAX_LENGTH + "x")
    with pytest.raises(ExpressionError, match="nested too deeply"):
        parse_expression("-" * (MAX_DEPTH + 5) + "x")
    with pytest.raises(ExpressionError, match="nested too deeply"):
        parse_expression("tanh(" * (MAX_DEPTH + 5) + "x" + ")" * (MAX_DEPTH + 5))
    with pytest.raises(ExpressionError):
        parse_expression("(" * 500 + "x" + ")" * 500)
    assert parse_expression("-" * (MAX_DEPTH - 1) + "x").variables == ("x",)


def test_huge_integer_literal_is_rejected() -> None:
    with pytest.raises(ExpressionError):
        parse_expression("9" * 5000 + " * x")
    with pytest.raises(ExpressionError, match="too large"):
        parse_expression("1" + "0" * 400 + " * x")


def test_nul_character() -> None:
    with pytest.raises(ExpressionError, match="NUL"):
        parse_expression("x +\x00 1")


def test_text_must_be_a_string() -> None:
    with pytest.raises(TypeError, match="parse_expression"):
        parse_expression(b"x")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(ops.FUNCTIONS))
def test_accepts_every_engine_function(name: str) -> None:
    expression = parse_expression(f"{name}(x)")
    assert expression.variables == ("x",)
    x = Value(0.7, label="x")
    y = expression.evaluate({"x": x})
    expected = ops.FUNCTIONS[name](Value(0.7))
    assert isinstance(y, Value)
    assert y.op == ops.FUNCTIONS[name].name
    assert y.data == expected.data
    y.backward()
    assert x.grad == expected.local_grads[0]
    assert expression.evaluate({"x": 0.7}) == expected.data


@pytest.mark.parametrize(
    ("text", "variables"),
    [
        ("tanh(w*x + b)", ("w", "x", "b")),
        ("x**2 * sin(y)", ("x", "y")),
        ("sigmoid(w2*sigmoid(w1*x+b1)+b2)", ("w2", "w1", "x", "b1", "b2")),
        ("-x + +y - 3", ("x", "y")),
        ("2 ** -x / 1e-3", ("x",)),
        ("ŷ * x1_", ("ŷ", "x1_")),
        ("x * x * x", ("x",)),
        ("  (x\n + y)  ", ("x", "y")),
        ("x ** (1/2)", ("x",)),
        ("x ** -(3*30)", ("x",)),
    ],
)
def test_accepts_allowed_expressions(text: str, variables: tuple[str, ...]) -> None:
    expression = parse_expression(text)
    assert expression.variables == variables
    assert expression.text == text.strip()


def test_evaluation_matches_the_engine() -> None:
    expression = parse_expression("sigmoid(w2*sigmoid(w1*x+b1)+b2) ** 2 / 3 - log(x)")
    names = expression.variables
    given = {"w2": -1.2, "w1": 0.8, "x": 1.5, "b1": -0.2, "b2": 0.3}
    inputs = {n: Value(given[n], label=n) for n in names}
    y = expression.evaluate(inputs)
    assert isinstance(y, Value)
    y.backward()
    w2, w1, x, b1, b2 = (Value(given[n]) for n in names)
    ref = (w2 * (w1 * x + b1).sigmoid() + b2).sigmoid() ** 2 / 3 - x.log()
    ref.backward()
    assert y.data == ref.data
    assert [inputs[n].grad for n in names] == [w2.grad, w1.grad, x.grad, b1.grad, b2.grad]
    assert expression.evaluate(given) == pytest.approx(ref.data, rel=1e-12)


def test_a_variable_used_twice_is_one_value_with_two_edges() -> None:
    x = Value(3.0, label="x")
    y = parse_expression("x * x").evaluate({"x": x})
    assert isinstance(y, Value)
    assert y.parents == (x, x)
    y.backward()
    assert x.grad == 6.0


def test_undefined_variable_points_at_its_use() -> None:
    expression = parse_expression("x * 2 + yy")
    with pytest.raises(ExpressionError, match="'yy' has no value") as info:
        expression.evaluate({"x": 1.0})
    assert info.value.col_offset == "x * 2 + yy".index("yy")


@pytest.mark.parametrize(
    ("text", "values", "at", "cause"),
    [
        ("1 + log(x)", {"x": -1.0}, "log(x)", ValueError),
        ("x / (y - 1)", {"x": 1.0, "y": 1.0}, "x / (y - 1)", ZeroDivisionError),
        ("sin(exp(x))", {"x": 1000.0}, "sin(exp(x))", ValueError),
        ("x ** 0.5", {"x": -4.0}, "x ** 0.5", ValueError),
        ("sqrt(x)", {"x": -1.0}, "sqrt(x)", ValueError),
        ("1 / 0 * x", {"x": 1.0}, "1 / 0", ZeroDivisionError),
    ],
)
def test_evaluation_errors_point_at_the_failing_part(
    text: str, values: dict[str, float], at: str, cause: type[Exception]
) -> None:
    expression = parse_expression(text)
    for wrap in (lambda v: Value(v), lambda v: v):
        with pytest.raises(ExpressionError) as info:
            expression.evaluate({k: wrap(v) for k, v in values.items()})
        assert info.value.col_offset == text.index(at)
        assert isinstance(info.value.__cause__, cause)


def test_evaluate_checks_value_types() -> None:
    expression = parse_expression("x + 1")
    with pytest.raises(TypeError, match="'x'"):
        expression.evaluate({"x": "1"})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="mapping"):
        expression.evaluate([("x", 1.0)])  # type: ignore[arg-type]


def test_non_ascii_columns_are_characters() -> None:
    with pytest.raises(ExpressionError) as info:
        parse_expression("ŷ + é.real")
    assert info.value.col_offset == 4


def test_error_without_position_is_just_the_message() -> None:
    error = ExpressionError("nothing here")
    assert str(error) == "nothing here" and error.col_offset is None


@settings(max_examples=50)
@given(st.text(alphabet="xy01.+-*/()e ", max_size=20))
def test_arbitrary_text_parses_or_fails_cleanly(text: str) -> None:
    try:
        expression = parse_expression(text)
    except ExpressionError as exc:
        assert exc.message
        return
    numbers = {name: 0.5 + i for i, name in enumerate(expression.variables)}
    try:
        as_value = expression.evaluate({k: Value(v) for k, v in numbers.items()})
        as_float = expression.evaluate(numbers)
    except ExpressionError as exc:
        # every variable has a value, so only the math can fail
        assert isinstance(exc.__cause__, (ArithmeticError, ValueError))
        return
    value = as_value.data if isinstance(as_value, Value) else as_value
    assert isinstance(as_float, float)
    assert value == pytest.approx(as_float, rel=1e-12, nan_ok=True)
