"""A safe parser for arithmetic expressions over named variables.

``parse_expression("tanh(w*x + b)")`` reads an expression written in Python
syntax and checks it against an allow-list: numbers, variable names,
``+ - * / **``, unary ``-`` and ``+``, and calls (with one positional
argument) to the engine's functions, `autograd_mini.ops.FUNCTIONS`
(``relu tanh sigmoid exp log sqrt sin cos abs``). The text is parsed with
`ast` and then walked by this module; it is never given to ``eval``,
``exec`` or ``compile``. Anything else raises `ExpressionError`, which
records the column of the offending part and shows it with a caret:

```python
>>> parse_expression("x.real + 1")
Traceback (most recent call last):
...
ExpressionError: attribute access is not allowed
  x.real + 1
  ^^^^^^
```

`Expression.evaluate` computes the expression on Values (recording a graph
that `Value.backward` and `autograd_mini.draw_graph` can use) or on floats.
"""

from __future__ import annotations

import ast
import io
import keyword
import math
import tokenize
from collections.abc import Mapping
from typing import NoReturn, Union, cast

from autograd_mini import ops
from autograd_mini.checks import describe, short_repr
from autograd_mini.engine import Value

__all__ = [
    "Expression",
    "ExpressionError",
    "parse_expression",
    "MAX_LENGTH",
    "MAX_DEPTH",
    "MAX_EXPONENT",
]

MAX_LENGTH = 200_000
"""Longest accepted expression, in characters (a flat sum of 10,000 terms fits)."""
MAX_DEPTH = 100
"""Deepest accepted nesting of parentheses, calls, signs and powers. A run of
``+ -`` (or of ``* /``) written without parentheses is one level however long:
limits count nesting, not length."""
MAX_EXPONENT = 100.0
"""Largest accepted absolute value of a constant exponent (``x ** 100``)."""

Number = Union[Value, float]  # noqa: UP007 - a runtime alias, kept explicit for readers

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_UNARY = {ast.USub: "-", ast.UAdd: "+"}
_FORBIDDEN_OPERATORS = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitAnd: "&",
    ast.BitXor: "^",
    ast.Invert: "~",
    ast.Not: "not",
}
_FORBIDDEN_NODES = {
    "Attribute": "attribute access is not allowed",
    "Subscript": "subscripts (indexing) are not allowed",
    "Slice": "slices are not allowed",
    "Lambda": "lambdas are not allowed",
    "ListComp": "comprehensions are not allowed",
    "SetComp": "comprehensions are not allowed",
    "DictComp": "comprehensions are not allowed",
    "GeneratorExp": "generator expressions are not allowed",
    "Compare": "comparisons are not allowed",
    "BoolOp": "'and' and 'or' are not allowed",
    "IfExp": "conditional expressions (x if c else y) are not allowed",
    "NamedExpr": "assignment expressions (:=) are not allowed",
    "Tuple": "tuples are not allowed",
    "List": "lists are not allowed",
    "Set": "sets are not allowed",
    "Dict": "dicts are not allowed",
    "JoinedStr": "f-strings are not allowed",
    "Starred": "starred expressions are not allowed",
    "Await": "await is not allowed",
    "Yield": "yield is not allowed",
    "YieldFrom": "yield is not allowed",
}


_SHOWN = 100
"""The most characters of the offending line an `ExpressionError` shows."""


class ExpressionError(ValueError):
    """An expression is not allowed, not valid, or cannot be evaluated.

    ``str(error)`` is the message followed by the offending line of the
    expression with a caret under the offending part.

    Attributes:
        message: the reason, without the caret display.
        text: the expression (``""`` when there is none).
        col_offset: 0-based column (in characters) of the offending part
            within its line, or ``None`` when no single place is at fault.
        lineno: 1-based line of the offending part.
        length: number of characters underlined (at least 1).
    """

    def __init__(
        self,
        message: str,
        text: str = "",
        col_offset: int | None = None,
        *,
        lineno: int = 1,
        length: int = 1,
    ) -> None:
        self.message = message
        self.text = text
        self.col_offset = col_offset
        self.lineno = lineno
        self.length = max(1, length)
        super().__init__(self._render())

    def _render(self) -> str:
        if self.col_offset is None or not self.text:
            return self.message
        lines = self.text.splitlines() or [""]
        line = lines[min(max(self.lineno, 1), len(lines)) - 1]
        col = min(max(self.col_offset, 0), len(line))
        width = max(1, min(self.length, len(line) - col))
        if len(line) > _SHOWN:  # show a window of a long line around the fault
            start = max(0, min(col - _SHOWN // 2, len(line) - _SHOWN))
            head = "…" if start > 0 else ""
            tail = "…" if start + _SHOWN < len(line) else ""
            line = head + line[start : start + _SHOWN] + tail
            col = col - start + len(head)
            width = max(1, min(width, _SHOWN - (col - len(head))))
        return f"{self.message}\n  {line}\n  {' ' * col}{'^' * width}"


def _columns(text: str, node: ast.AST) -> tuple[int, int, int]:
    """(lineno, character column, underline length) of ``node`` in ``text``.

    `ast` reports UTF-8 byte offsets; the caret needs character offsets.
    """
    lineno: int = getattr(node, "lineno", 1)
    byte_col: int = getattr(node, "col_offset", 0)
    lines = text.splitlines() or [""]
    line = lines[min(lineno, len(lines)) - 1].encode("utf-8")
    col = len(line[:byte_col].decode("utf-8", "replace"))
    end_lineno = getattr(node, "end_lineno", None)
    end_byte = getattr(node, "end_col_offset", None)
    if end_lineno == lineno and end_byte is not None:
        length = len(line[:end_byte].decode("utf-8", "replace")) - col
    else:
        length = len(line) - col
    return lineno, col, max(1, length)


class Expression:
    """A parsed, checked expression; create it with `parse_expression`.

    Attributes:
        text: the expression as written, without surrounding whitespace.
        variables: the variable names, in order of first appearance.
    """

    __slots__ = ("text", "variables", "_tree")

    text: str
    variables: tuple[str, ...]

    def __init__(self, text: str, tree: ast.expr, variables: tuple[str, ...]) -> None:
        self.text = text
        self.variables = variables
        self._tree = tree

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"

    def _error(self, message: str, node: ast.AST) -> ExpressionError:
        lineno, col, length = _columns(self.text, node)
        return ExpressionError(message, self.text, col, lineno=lineno, length=length)

    def evaluate(self, values: Mapping[str, Value | float]) -> Value | float:
        """Compute the expression with ``values`` for its variables.

        With Values among the inputs the result is a Value whose graph
        records every operation, ready for ``backward()``; a variable used
        twice is the same Value both times (``x * x`` has two edges from
        ``x``). With only numbers the result is a float.

        Args:
            values: a value for every name in ``variables`` (extra names are
                ignored), each a `Value` or a real number.

        Returns:
            The expression's value, a `Value` or a float.

        Raises:
            TypeError: a value is neither a Value nor a real number.
            ExpressionError: a variable has no value, or an operation fails for
                these values (``log`` of a negative number, division by zero,
                overflow); the message points at the failing part and the
                engine's error is chained as ``__cause__``.
        """
        if not isinstance(values, Mapping):
            raise TypeError(
                f"evaluate: values must be a mapping of names to numbers, "
                f"got {type(values).__name__}"
            )
        env: dict[str, Number] = {}
        for name in self.variables:
            if name not in values:
                continue
            v = values[name]
            if isinstance(v, Value):
                env[name] = v
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                env[name] = float(v)
            else:
                raise TypeError(
                    f"evaluate: the value of {name!r} must be a Value or a real number, "
                    f"got {describe(v)}"
                )
        return self._eval(self._tree, env)

    def _eval(self, tree: ast.expr, env: dict[str, Number]) -> Number:
        # The tree was checked by parse_expression: only the node types below
        # occur. It is walked with an explicit stack (post-order), since a flat
        # sum of 10,000 terms is a left-nested chain 10,000 nodes deep.
        results: list[Number] = []
        stack: list[tuple[ast.expr, bool]] = [(tree, False)]
        while stack:
            node, expanded = stack.pop()
            if isinstance(node, ast.Constant):
                results.append(float(cast(float, node.value)))  # checked: an int or a float
                continue
            if isinstance(node, ast.Name):
                if node.id not in env:
                    raise self._error(f"the variable {node.id!r} has no value", node)
                results.append(env[node.id])
                continue
            if not expanded:
                stack.append((node, True))
                if isinstance(node, ast.UnaryOp):
                    stack.append((node.operand, False))
                elif isinstance(node, ast.BinOp):
                    stack.append((node.right, False))
                    stack.append((node.left, False))
                elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                    stack.append((node.args[0], False))
                else:  # pragma: no cover - the checker allows nothing else
                    raise self._error(f"unexpected {type(node).__name__}", node)
                continue
            try:
                if isinstance(node, ast.UnaryOp):
                    operand = results.pop()
                    results.append(-operand if isinstance(node.op, ast.USub) else operand)
                elif isinstance(node, ast.BinOp):
                    right = results.pop()
                    left = results.pop()
                    results.append(_binary(node.op, left, right))
                else:
                    func = cast(ast.Name, cast(ast.Call, node).func)
                    result: Number = ops.FUNCTIONS[func.id](results.pop())
                    results.append(result)
            except (ArithmeticError, ValueError) as exc:
                raise self._error(f"cannot evaluate: {exc}", node) from exc
        return results[0]


def _binary(op: ast.operator, left: Number, right: Number) -> Number:
    if isinstance(op, ast.Pow):
        result: Number = ops.POW(left, right)  # real-valued, with typed domain errors
        return result
    if isinstance(op, ast.Div):
        if isinstance(left, Value) or isinstance(right, Value):
            return left / right
        result = ops.DIV(left, right)
        return result
    if isinstance(op, ast.Add):
        return left + right
    if isinstance(op, ast.Sub):
        return left - right
    return left * right


class _Checker:
    """Walks a parsed tree iteratively and rejects anything not on the allow-list."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.first_use: dict[str, tuple[int, int]] = {}

    @property
    def variables(self) -> tuple[str, ...]:
        """The variable names in order of first appearance in the text."""
        return tuple(sorted(self.first_use, key=self.first_use.__getitem__))

    def error(self, message: str, node: ast.AST) -> ExpressionError:
        lineno, col, length = _columns(self.text, node)
        return ExpressionError(message, self.text, col, lineno=lineno, length=length)

    def check(self, tree: ast.expr) -> None:
        stack: list[tuple[ast.AST, int, bool]] = [(tree, 1, False)]
        while stack:
            node, depth, in_exponent = stack.pop()
            if depth > MAX_DEPTH:
                raise self.error(
                    f"the expression is nested too deeply (more than {MAX_DEPTH} levels)", node
                )
            for child, child_in_exponent in self.children(node, in_exponent):
                level = depth if _same_chain(node, child) else depth + 1
                stack.append((child, level, child_in_exponent))

    def children(self, node: ast.AST, in_exponent: bool) -> list[tuple[ast.AST, bool]]:
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise self.error(
                    f"only numbers are allowed as constants, not {short_repr(value)}", node
                )
            try:
                number = float(value)
            except OverflowError:
                raise self.error("this number is too large for a float", node) from None
            if not math.isfinite(number):
                raise self.error("this number is too large for a float", node)
            return []
        if isinstance(node, ast.Name):
            if node.id in ops.FUNCTIONS:
                raise self.error(
                    f"{node.id!r} is a function: call it, e.g. {node.id}(x)", node
                )
            place = (node.lineno, node.col_offset)
            if node.id not in self.first_use or place < self.first_use[node.id]:
                self.first_use[node.id] = place
            return []
        if isinstance(node, ast.UnaryOp):
            if type(node.op) not in _UNARY:
                raise self.error(self.operator_message(node.op), node)
            return [(node.operand, in_exponent)]
        if isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                raise self.error(self.operator_message(node.op), node)
            if isinstance(node.op, ast.Pow):
                if in_exponent:
                    raise self.error(
                        "powers inside an exponent (power towers such as x**y**z) "
                        "are not allowed", node
                    )
                self.check_exponent(node)
                return [(node.left, in_exponent), (node.right, True)]
            return [(node.left, in_exponent), (node.right, in_exponent)]
        if isinstance(node, ast.Call):
            return [(self.check_call(node), in_exponent)]
        kind = type(node).__name__
        raise self.error(_FORBIDDEN_NODES.get(kind, f"{kind} is not allowed"), node)

    def operator_message(self, op: ast.AST) -> str:
        symbol = _FORBIDDEN_OPERATORS.get(type(op), type(op).__name__)
        return (
            f"the operator {symbol!r} is not allowed "
            "(allowed: + - * / ** and unary - +)"
        )

    def check_call(self, node: ast.Call) -> ast.expr:
        allowed = ", ".join(ops.FUNCTIONS)
        func = node.func
        if not isinstance(func, ast.Name):
            message = _FORBIDDEN_NODES.get(type(func).__name__)
            raise self.error(message or f"only these functions can be called: {allowed}", func)
        if func.id not in ops.FUNCTIONS:
            raise self.error(
                f"unknown function {func.id!r}; the functions are: {allowed}", func
            )
        if node.keywords:
            raise self.error(
                f"{func.id}() takes no keyword arguments", node.keywords[0]
            )
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.error("starred arguments are not allowed", arg)
        if len(node.args) != 1:
            raise self.error(
                f"{func.id}() takes exactly one argument, got {len(node.args)}", node
            )
        return node.args[0]

    def check_exponent(self, node: ast.BinOp) -> None:
        exponent = _fold_constant(node.right)
        if exponent is None:
            return
        if not math.isfinite(exponent) or abs(exponent) > MAX_EXPONENT:
            raise self.error(
                f"the exponent {exponent:g} is too large (at most {MAX_EXPONENT:g} in "
                "absolute value)", node.right
            )


def _fold_constant(node: ast.AST) -> float | None:
    """The value of a variable-free exponent made of numbers, unary signs and
    + - * /, or ``None`` when it involves variables, calls or anything else.

    Iterative and float-only (never Python ints), so it cannot blow up.
    """
    # Post-order evaluation with an explicit stack.
    results: list[float] = []
    stack: list[tuple[ast.AST, bool]] = [(node, False)]
    while stack:
        current, expanded = stack.pop()
        if isinstance(current, ast.Constant):
            value = current.value
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return None
            try:
                results.append(float(value))
            except OverflowError:
                return math.inf
        elif isinstance(current, ast.UnaryOp) and type(current.op) in _UNARY:
            if not expanded:
                stack.append((current, True))
                stack.append((current.operand, False))
            elif isinstance(current.op, ast.USub):
                results[-1] = -results[-1]
        elif isinstance(current, ast.BinOp) and type(current.op) in _BINARY and not isinstance(
            current.op, ast.Pow
        ):
            if not expanded:
                stack.append((current, True))
                stack.append((current.right, False))
                stack.append((current.left, False))
            else:
                right = results.pop()
                left = results.pop()
                try:
                    results.append(float(_binary(current.op, left, right)))
                except (ArithmeticError, ValueError):
                    return None  # e.g. 1/0: evaluation reports it with its place
        else:
            return None
    return results[0]


# --------------------------------------------------------------------------- flat parser

_ADDITIVE = (ast.Add, ast.Sub)
_MULTIPLICATIVE = (ast.Mult, ast.Div)
_TOKEN_OPS: dict[str, type[ast.operator]] = {
    "+": ast.Add, "-": ast.Sub, "*": ast.Mult, "/": ast.Div, "**": ast.Pow,
}
_SAFE_FOR_AST = 1000
"""Most operator tokens a text may have for `ast.parse` to be asked about it when
the flat parser cannot read it (Python's own parser recurses once per operator
of a flat chain, and some versions exhaust the C stack on long ones)."""


class _NotFlatError(Exception):
    """The text is outside the flat parser's grammar: let `ast` have a look."""


def _same_chain(parent: ast.AST, child: ast.AST) -> bool:
    """Whether ``child``, the left operand of ``parent``, continues a flat chain:
    ``a + b - c`` or ``a * b / c`` written without parentheses counts as one level."""
    if not (isinstance(parent, ast.BinOp) and isinstance(child, ast.BinOp)):
        return False
    if parent.left is not child:
        return False
    for group in (_ADDITIVE, _MULTIPLICATIVE):
        if isinstance(parent.op, group) and isinstance(child.op, group):
            return True
    return False


class _FlatParser:
    """Reads the allowed grammar into the same `ast` nodes `ast.parse` builds.

    Python's parser turns ``x + x + ... + x`` into a left-nested tree and
    recurses once per ``+`` while building it, so a flat sum of a few
    thousand terms fails (or crashes some versions). This parser reads runs
    of ``+ -`` and of ``* /`` with loops, and recurses only for parentheses,
    calls, unary signs and powers, which count towards `MAX_DEPTH`.

    Grammar (Python's precedence): ``sum := product (("+" | "-") product)*``,
    ``product := unary (("*" | "/") unary)*``, ``unary := ("+" | "-") unary | power``,
    ``power := atom ("**" unary)?``, ``atom := NUMBER | NAME | NAME "(" sum ")" |
    "(" sum ")"``. Anything else raises `_NotFlatError`.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.failed_at: tokenize.TokenInfo | None = None
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
        except (tokenize.TokenError, SyntaxError):  # unclosed brackets, bad indentation...
            tokens = [tokenize.TokenInfo(tokenize.ERRORTOKEN, "", (1, 0), (1, 0), text)]
        kept = [t for t in tokens if t.type not in (tokenize.NL, tokenize.ENDMARKER)]
        if kept and kept[-1].type == tokenize.NEWLINE:  # the end of the text
            kept.pop()
        self.tokens = kept  # any other NEWLINE is a line break outside brackets: invalid
        self.pos = 0
        self.depth = 0

    def parse(self) -> ast.expr:
        try:
            node = self.sum()
        except RecursionError:
            raise ExpressionError(
                f"the expression is nested too deeply (more than {MAX_DEPTH} levels)",
                self.text, None,
            ) from None
        if self.pos != len(self.tokens):
            self.fail()
        return node

    def fail(self) -> NoReturn:
        self.failed_at = self.peek()
        raise _NotFlatError

    # token helpers -------------------------------------------------------

    def peek(self) -> tokenize.TokenInfo | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, *strings: str) -> tokenize.TokenInfo | None:
        token = self.peek()
        if token is not None and token.type == tokenize.OP and token.string in strings:
            self.pos += 1
            return token
        return None

    @staticmethod
    def place(node: ast.expr, start: tokenize.TokenInfo, end: tokenize.TokenInfo) -> ast.expr:
        """Give ``node`` ast's positions: lines 1-based, columns in UTF-8 bytes."""
        node.lineno, node.end_lineno = start.start[0], end.end[0]
        node.col_offset = len(start.line[: start.start[1]].encode("utf-8"))
        node.end_col_offset = len(end.line[: end.end[1]].encode("utf-8"))
        return node

    def span(self, node: ast.expr) -> tuple[tokenize.TokenInfo, tokenize.TokenInfo]:
        return node._first, node._last  # type: ignore[attr-defined]

    def mark(
        self, node: ast.expr, first: tokenize.TokenInfo, last: tokenize.TokenInfo
    ) -> ast.expr:
        self.place(node, first, last)
        node._first, node._last = first, last  # type: ignore[attr-defined]
        return node

    def nested(self) -> None:
        """Enter a parenthesis, call, sign or power: at most `MAX_DEPTH` levels."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            token = self.tokens[self.pos - 1]
            lineno, col = token.start
            raise ExpressionError(
                f"the expression is nested too deeply (more than {MAX_DEPTH} levels)",
                self.text, col, lineno=lineno,
            )

    # grammar -------------------------------------------------------------

    def binary(self, left: ast.expr, token: tokenize.TokenInfo, right: ast.expr) -> ast.expr:
        node = ast.BinOp(left=left, op=_TOKEN_OPS[token.string](), right=right)
        return self.mark(node, self.span(left)[0], self.span(right)[1])

    def sum(self) -> ast.expr:
        left = self.product()
        while (token := self.take("+", "-")) is not None:
            left = self.binary(left, token, self.product())
        return left

    def product(self) -> ast.expr:
        left = self.unary()
        while (token := self.take("*", "/")) is not None:
            left = self.binary(left, token, self.unary())
        return left

    def unary(self) -> ast.expr:
        token = self.take("+", "-")
        if token is None:
            return self.power()
        self.nested()
        operand = self.unary()
        self.depth -= 1
        op: ast.unaryop = ast.USub() if token.string == "-" else ast.UAdd()
        return self.mark(ast.UnaryOp(op=op, operand=operand), token, self.span(operand)[1])

    def power(self) -> ast.expr:
        base = self.atom()
        if self.take("**") is None:
            return base
        self.nested()
        exponent = self.unary()
        self.depth -= 1
        node = ast.BinOp(left=base, op=ast.Pow(), right=exponent)
        return self.mark(node, self.span(base)[0], self.span(exponent)[1])

    def atom(self) -> ast.expr:
        token = self.peek()
        if token is None:
            self.fail()
        if token.type == tokenize.NUMBER:
            self.pos += 1
            try:
                constant = ast.parse(token.string, mode="eval").body
            except (SyntaxError, ValueError):
                self.pos -= 1
                self.fail()
            if not isinstance(constant, ast.Constant):  # pragma: no cover - always one
                self.fail()
            return self.mark(ast.Constant(value=constant.value), token, token)
        if token.type == tokenize.NAME and not keyword.iskeyword(token.string):
            self.pos += 1
            name = self.mark(ast.Name(id=token.string, ctx=ast.Load()), token, token)
            if self.take("(") is None:
                return name
            self.nested()
            argument = self.sum()
            self.depth -= 1
            close = self.take(")")
            if close is None:
                self.fail()
            call = ast.Call(func=name, args=[argument], keywords=[])
            return self.mark(call, token, close)
        if (opening := self.take("(")) is not None:
            self.nested()
            inner = self.sum()
            self.depth -= 1
            closing = self.take(")")
            if closing is None:
                self.fail()
            # ast keeps the inner positions on the node; an operation around
            # it starts or ends at the parenthesis.
            inner._first, inner._last = opening, closing  # type: ignore[attr-defined]
            return inner
        self.fail()


def _operator_count(text: str) -> int:
    return sum(text.count(symbol) for symbol in "+-*/%@&|^<>=")


def _parse_with_ast(stripped: str, failed_at: tokenize.TokenInfo | None) -> ast.expr:
    """Parse with `ast` what the flat parser cannot read, for its precise messages.

    A text with more than `_SAFE_FOR_AST` operators is not given to `ast`
    (its parser recurses once per operator of a chain); the error then
    points at the token where the flat parser stopped.
    """
    if _operator_count(stripped) > _SAFE_FOR_AST:
        if failed_at is None:
            raise ExpressionError("invalid syntax: the expression ended too early", stripped)
        lineno, col = failed_at.start
        raise ExpressionError(
            f"invalid syntax or not allowed here: {short_repr(failed_at.string)} (allowed: "
            "numbers, variables, + - * / **, unary - +, parentheses and calls such as tanh(x))",
            stripped, col, lineno=lineno, length=len(failed_at.string),
        )
    try:
        return ast.parse(stripped, mode="eval").body
    except SyntaxError as exc:
        # Python gives 1-based character offsets, and 0 when the text ended too early.
        lineno = exc.lineno or 1
        lines = stripped.splitlines() or [""]
        line = lines[min(max(lineno, 1), len(lines)) - 1]
        col = exc.offset - 1 if exc.offset else len(line)
        end = getattr(exc, "end_offset", None)
        length = end - 1 - col if end and getattr(exc, "end_lineno", lineno) == lineno else 1
        raise ExpressionError(
            f"invalid syntax: {exc.msg}", stripped, col, lineno=lineno, length=length
        ) from None
    except (RecursionError, MemoryError):
        raise ExpressionError(
            f"the expression is nested too deeply (more than {MAX_DEPTH} levels)", stripped, None
        ) from None
    except ValueError as exc:  # e.g. an integer literal longer than Python's digit limit
        raise ExpressionError(f"invalid expression: {exc}", stripped, None) from None


def _check_parentheses_depth(text: str) -> None:
    """Refuse parentheses nested deeper than `MAX_DEPTH` before any tokenizer sees them.

    Python's tokenizer has a limit of its own (200 levels), whose message and
    place of failure differ between Python versions; this check says the
    same thing on every version, with a caret under the first bracket too deep.
    """
    depth = 0
    for col, char in enumerate(text):
        if char == "(":
            depth += 1
            if depth > MAX_DEPTH:
                raise ExpressionError(
                    f"the expression is nested too deeply (more than {MAX_DEPTH} levels)",
                    text,
                    col,
                )
        elif char == ")":
            depth -= 1


def parse_expression(text: str) -> Expression:
    """Parse and check an expression over named variables.

    Allowed: numbers (``2``, ``0.5``, ``1e-3``), variable names, ``+ - * /
    **``, unary ``-`` and ``+``, parentheses, and calls with one positional
    argument to ``relu tanh sigmoid exp log sqrt sin cos abs``. Not allowed:
    everything else, including attribute access, subscripts, other calls,
    keyword arguments, lambdas, comprehensions, comparisons, strings, powers
    of powers (``x**y**z``), constant exponents larger than `MAX_EXPONENT`,
    nesting deeper than `MAX_DEPTH` and text longer than `MAX_LENGTH`.
    The function names cannot be used as variable names.

    Args:
        text: the expression, in Python syntax, e.g. ``"tanh(w*x + b)"``.

    Returns:
        The checked `Expression`.

    Raises:
        TypeError: ``text`` is not a str.
        ExpressionError: the text is empty, is not valid syntax, or uses
            something outside the allow-list; ``col_offset`` is the column of
            the offending part and ``str(error)`` shows it with a caret.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_expression: expected a str, got {type(text).__name__} {text!r}")
    if not text.strip():
        raise ExpressionError("the expression is empty", text, None)
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is too long ({len(text)} characters; at most {MAX_LENGTH})",
            text,
            None,
        )
    if "\x00" in text:
        col = text.index("\x00")
        raise ExpressionError("the expression contains a NUL character", text, col)
    stripped = text.strip()
    _check_parentheses_depth(stripped)
    parser = _FlatParser(stripped)
    try:
        body = parser.parse()
    except _NotFlatError:
        body = _parse_with_ast(stripped, parser.failed_at)
    checker = _Checker(stripped)
    checker.check(body)
    return Expression(stripped, body, tuple(checker.variables))
