"""The package's module structure: no import cycles, leaf modules, commands only via cli.

Each module's imports are read with `ast` (top-level imports, imports inside
functions and ``if TYPE_CHECKING:`` blocks alike), so the checks see every
dependency a module can ever take, not only the ones that ran.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import autograd_mini

PACKAGE = Path(autograd_mini.__file__).parent
NAME = "autograd_mini"


def module_name(path: Path) -> str:
    parts = [NAME, *path.relative_to(PACKAGE).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_imports(path: Path, modules: set[str]) -> set[str]:
    """The package modules that the module at ``path`` imports, anywhere in its code.

    ``from autograd_mini import ops`` counts as importing ``autograd_mini.ops``
    when that is a module, else (``from autograd_mini import Value``) as
    importing the package ``autograd_mini`` itself. Relative imports are resolved.
    """
    this = module_name(path)
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = this.split(".")[: len(this.split(".")) - node.level + is_package]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                     for alias in node.names]
        else:
            continue
        for name in names:
            if name == NAME or name.startswith(NAME + "."):
                while name not in modules:  # autograd_mini.engine.Value -> autograd_mini.engine
                    name = name.rpartition(".")[0]
                found.add(name)
    found.discard(this)
    return found


def import_graph() -> dict[str, set[str]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(p) for p in paths}
    return {module_name(p): package_imports(p, modules) for p in paths}


GRAPH = import_graph()


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of the graph as a list of nodes (first == last), or None."""
    state: dict[str, str] = {}  # "open" while on the path, "done" after
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = "done"
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_graph_is_read() -> None:
    # The reader sees top-level, function-level and relative imports.
    assert "autograd_mini.engine" in GRAPH["autograd_mini.fused"]
    assert "autograd_mini.viz" in GRAPH["autograd_mini"]  # inside __getattr__
    assert "autograd_mini.scalar_math" in GRAPH["autograd_mini.engine"]
    assert len(GRAPH) >= 20


def test_the_cycle_finder_finds_cycles() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None
    assert find_cycle({"a": {"a"}}) == ["a", "a"]


def test_no_import_cycles_between_the_package_modules() -> None:
    # The package's __init__ re-exports from its modules; a module importing
    # `autograd_mini` itself would close a cycle through it.
    cycle = find_cycle(GRAPH)
    assert cycle is None, " -> ".join(cycle or [])


@pytest.mark.parametrize("leaf", ["scalar_math", "grad_mode", "checks"])
def test_leaf_modules_import_nothing_from_the_package(leaf: str) -> None:
    assert GRAPH[f"{NAME}.{leaf}"] == set()


def test_commands_are_imported_only_by_the_cli() -> None:
    commands = {m for m in GRAPH if m.startswith(f"{NAME}.commands")}
    assert commands, "the commands package exists"
    for module, imports in GRAPH.items():
        if module == f"{NAME}.cli" or module in commands:
            continue
        assert not imports & commands, f"{module} imports {sorted(imports & commands)}"
