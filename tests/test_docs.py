"""The documentation's promises, checked.

* Every page in the MkDocs nav exists, and every page under ``docs/`` is in the nav.
* Every ```python block of the README and of every page under ``docs/`` runs
  (``EXECUTED_PAGES``). The blocks of one page share a namespace, in order, like a
  reader's session.
* A block that cannot run everywhere says so in an HTML comment on the line before it
  (blank lines between are allowed; the comment does not show on the site):
  ``<!-- docs-test: needs-dot (reason) -->`` runs only where Graphviz's ``dot`` is
  installed, and always in CI; ``<!-- docs-test: skip (reason) -->`` marks an
  illustrative block that never runs. The reason in parentheses is required.
* Where a ``print(...)`` line ends with a comment, the comment is the printed line: the
  block's output must equal those comments, line by line. Comment-only lines that
  follow a block's last statement (``# TypeError``) are expected output too.
* Every ``autograd-mini ...`` command line in a ```bash block of those pages exits 0.
* ``mkdocs.yml`` wires up what the pages rely on (snippets for the changelog,
  arithmatex for formulas, mkdocstrings for the API reference).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import tokenize
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

# Pages whose Python blocks this file runs: the README and every page of the docs.
EXECUTED_PAGES = ["README.md", *sorted(p.relative_to(ROOT).as_posix() for p in DOCS.rglob("*.md"))]

FENCE = re.compile(r"^```python[^\n]*\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)
MARKER = re.compile(r"<!-- docs-test: (?P<kind>[\w-]+)(?: \((?P<reason>[^)]+)\))? -->\s*\Z")
MARKERS = ("needs-dot", "skip")

# Pages that must show code (their blocks are checked to exist, not only to run).
PAGES_WITH_CODE = ["README.md", "docs/index.md", "docs/quickstart.md", "docs/micrograd.md",
                   "docs/training.md", "docs/graphs.md", "docs/gradient-testing.md",
                   "docs/backprop.md"]  # fmt: skip


# --------------------------------------------------------------------------- helpers


def python_blocks(text: str) -> list[str]:
    """The bodies of the ```python fenced blocks of a Markdown text, in order."""
    return [m.group(1) for m in FENCE.finditer(text)]


def marked_python_blocks(text: str) -> list[tuple[str, str | None]]:
    """(body, marker) for each ```python block; the marker is its ``docs-test`` comment.

    Raises:
        ValueError: a marker is unknown or gives no reason.
    """
    return [(m.group(1), marker_before(text, m.start())) for m in FENCE.finditer(text)]


def marker_before(text: str, start: int) -> str | None:
    """The kind of the ``docs-test`` marker on the last non-blank line before ``start``.

    Raises:
        ValueError: the marker is unknown or gives no reason.
    """
    last_line = text[:start].rstrip().rsplit("\n", 1)[-1]
    if not last_line.startswith("<!-- docs-test"):
        return None
    found = MARKER.match(last_line)
    if not found or found.group("kind") not in MARKERS or not found.group("reason"):
        raise ValueError(
            f"bad docs-test marker {last_line!r}: use <!-- docs-test: KIND (reason) --> "
            f"with KIND one of {', '.join(MARKERS)}"
        )
    return found.group("kind")


def dot_runs_here() -> bool:
    """Whether blocks marked ``needs-dot`` run: dot is installed, or this is CI."""
    return shutil.which("dot") is not None or bool(os.environ.get("CI"))


def expected_output(code: str) -> list[str] | None:
    """The output a block promises through its comments, or None if it promises none.

    A comment at the end of a line that starts with ``print(`` is one printed line;
    comment lines after the last line of code are printed lines as well.
    """
    lines = code.splitlines()
    comments: dict[int, str] = {}
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        if tok.type == tokenize.COMMENT:
            comments[tok.start[0]] = tok.string[1:].strip()
    expected: list[str] = []
    promised = False
    code_lines = [i for i, line in enumerate(lines, 1) if line.strip()[:1] not in ("", "#")]
    last_code = max(code_lines, default=0)
    for number, line in enumerate(lines, 1):
        stripped = line.lstrip()
        if stripped.startswith("print(") and number in comments and not stripped.startswith("#"):
            expected.append(comments[number])
            promised = True
        elif number > last_code and stripped.startswith("#"):
            expected.append(stripped[1:].strip())
            promised = True
    return expected if promised else None


def run_block(code: str, namespace: dict[str, Any]) -> list[str]:
    """Execute ``code`` in ``namespace`` and return its printed lines."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<docs block>", "exec"), namespace)
    return out.getvalue().splitlines()


def nav_pages(nav: Any) -> list[str]:
    """All the page paths of a MkDocs nav structure, depth first."""
    if isinstance(nav, str):
        return [] if "://" in nav else [nav]
    if isinstance(nav, list):
        return [p for item in nav for p in nav_pages(item)]
    if isinstance(nav, dict):
        return [p for value in nav.values() for p in nav_pages(value)]
    return []


def load_mkdocs_config() -> dict[str, Any]:
    yaml = pytest.importorskip("yaml")

    class Loader(yaml.SafeLoader):  # type: ignore[name-defined,misc]
        pass

    # mkdocs.yml uses the `!relative` tag of MkDocs; read it as a plain string.
    Loader.add_constructor("!relative", lambda loader, node: loader.construct_scalar(node))
    Loader.add_multi_constructor(
        "tag:yaml.org,2002:python/name:", lambda loader, suffix, node: suffix
    )
    with open(ROOT / "mkdocs.yml", encoding="utf-8") as fh:
        config: dict[str, Any] = yaml.load(fh, Loader=Loader)
    return config


# --------------------------------------------------------------------------- the helpers themselves


def test_expected_output_reads_print_comments_and_trailing_comments() -> None:
    code = 'x = 1\nprint(x)  # 1\nprint("a#b")  # a#b\nfor i in []:\n    pass\n# done\n'
    assert expected_output(code) == ["1", "a#b", "done"]
    assert expected_output("x = 1  # not output\nprint(x)\n") is None


def test_markers_are_read_from_the_line_before_a_block() -> None:
    text = (
        "<!-- docs-test: needs-dot (writes an SVG) -->\n\n```python\na = 1\n```\n\n"
        "text\n```python\nb = 2\n```\n<!-- docs-test: skip (illustrative) -->\n"
        "```python\nc = d\n```\n"
    )
    assert marked_python_blocks(text) == [("a = 1\n", "needs-dot"), ("b = 2\n", None),
                                          ("c = d\n", "skip")]  # fmt: skip
    for bad in ("<!-- docs-test: skip -->", "<!-- docs-test: later (why) -->"):
        with pytest.raises(ValueError, match="bad docs-test marker"):
            marked_python_blocks(f"{bad}\n```python\nx = 1\n```\n")


def test_every_page_of_the_docs_is_executed() -> None:
    pages = {p.relative_to(ROOT).as_posix() for p in DOCS.rglob("*.md")}
    assert pages <= set(EXECUTED_PAGES) and "README.md" in EXECUTED_PAGES
    assert "docs/training.md" in pages and "docs/graphs.md" in pages


def test_marked_blocks_are_few_and_explained() -> None:
    # Markers are for blocks that need the dot program or are illustrative; a page
    # must not be switched off wholesale.
    for page in EXECUTED_PAGES:
        blocks = marked_python_blocks((ROOT / page).read_text(encoding="utf-8"))
        marked = [marker for _, marker in blocks if marker]
        assert len(marked) <= max(1, len(blocks) // 2), f"{page}: most blocks are marked"


def test_python_blocks_finds_only_python_fences() -> None:
    text = "```bash\nls\n```\n\n```python\nprint(1)\n```\n\n```python title=\"t\"\nx = 2\n```\n"
    assert python_blocks(text) == ["print(1)\n", "x = 2\n"]


# --------------------------------------------------------------------------- the pages


@pytest.mark.parametrize("page", EXECUTED_PAGES)
def test_python_blocks_run_and_print_what_they_say(
    page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = ROOT / page
    if not path.exists():
        pytest.fail(f"{page} is listed in EXECUTED_PAGES but does not exist")
    blocks = marked_python_blocks(path.read_text(encoding="utf-8"))
    if page in PAGES_WITH_CODE:
        assert blocks, f"{page} has no ```python block"
    monkeypatch.chdir(tmp_path)  # blocks that write files (graphs) write them here
    monkeypatch.setenv("AUTOGRAD_MINI_EXAMPLE_FAST", "1")
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    for number, (code, marker) in enumerate(blocks, 1):
        if uses_micrograd(code):
            continue  # test_micrograd_blocks_print_what_they_say runs these
        if marker == "skip" or (marker == "needs-dot" and not dot_runs_here()):
            continue
        printed = run_block(code, namespace)
        expected = expected_output(code)
        if expected is not None:
            assert printed == expected, f"{page}, python block {number}:\n{code}"


def test_quickstart_picture_shows_the_graph_of_its_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The quick start shows docs/img/expression.svg under the code that draws it: the
    # picture must be the drawing of that code's graph, with its numbers.
    import runpy

    pytest.importorskip("graphviz")
    if not dot_runs_here():
        pytest.skip("the quick start's drawing needs Graphviz's dot (CI installs it)")
    from autograd_mini import Value, draw_graph

    page = (DOCS / "quickstart.md").read_text(encoding="utf-8")
    assert "](img/expression.svg)" in page
    code = next(b for b in python_blocks(page) if 'save_graph(f, "expression.svg")' in b)
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    monkeypatch.chdir(tmp_path)
    run_block(code, namespace)
    f = namespace["f"]
    figures = runpy.run_path(str(DOCS / "figures" / "make_graphs.py"), run_name="figures")
    assert draw_graph(f).source == draw_graph(figures["expression"]()).source

    svg = (DOCS / "img" / "expression.svg").read_text(encoding="utf-8")
    stack: list[Value] = [f]
    seen: set[Value] = set()
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        assert f"data {node.data:.4f}" in svg and f"grad {node.grad:.4f}" in svg
        for local in node.local_grads:
            assert f">{local:.4f}<" in svg
        stack.extend(node.parents)
    assert len(seen) == 5  # x, y, x*x, sin(y) and f


def uses_micrograd(code: str) -> bool:
    return re.search(r"^\s*(from|import) micrograd\b", code, re.MULTILINE) is not None


def test_micrograd_blocks_print_what_they_say() -> None:
    # The side-by-side comparisons run micrograd itself, which .[dev] installs (the
    # main CI run); the minimal .[test] environments do not have it.
    pytest.importorskip("micrograd")
    blocks = [
        (page, code)
        for page in EXECUTED_PAGES
        for code in python_blocks((ROOT / page).read_text(encoding="utf-8"))
        if uses_micrograd(code)
    ]
    assert blocks, "the micrograd page compares with micrograd itself"
    for page, code in blocks:
        expected = expected_output(code)
        assert expected is not None, f"{page}: a micrograd block must show its output"
        assert run_block(code, {"__name__": "__docs__"}) == expected, f"{page}:\n{code}"


def test_micrograd_recursion_limit_claim() -> None:
    # docs/micrograd.md says micrograd's recursive sort fails on a 5,000-node chain at
    # the default recursion limit, where autograd_mini's iterative one does not.
    engine = pytest.importorskip("micrograd.engine")
    x = engine.Value(1.0)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    with pytest.raises(RecursionError):
        y.backward()


def test_every_nav_page_exists_and_every_page_is_in_the_nav() -> None:
    config = load_mkdocs_config()
    pages = nav_pages(config["nav"])
    assert pages[0] == "index.md"
    missing = [p for p in pages if not (DOCS / p).is_file()]
    assert not missing, f"nav pages missing from docs/: {missing}"
    on_disk = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    assert on_disk - set(pages) == set(), "pages in docs/ that the nav leaves out"
    assert len(pages) == len(set(pages)), "a page appears twice in the nav"


def test_mkdocs_config_enables_what_the_pages_use() -> None:
    config = load_mkdocs_config()
    assert config["theme"]["name"] == "material"
    extensions: dict[str, Any] = {}
    for item in config["markdown_extensions"]:
        if isinstance(item, dict):
            extensions.update(item)
        else:
            extensions[item] = {}
    assert extensions["pymdownx.arithmatex"]["generic"] is True
    assert any("mathjax" in js for js in config["extra_javascript"])
    assert "pymdownx.superfences" in extensions
    assert "admonition" in extensions
    assert "pymdownx.snippets" in extensions
    plugins = {next(iter(p)) if isinstance(p, dict) else p: p for p in config["plugins"]}
    python = plugins["mkdocstrings"]["mkdocstrings"]["handlers"]["python"]
    assert python["paths"] == ["."]
    assert python["options"]["docstring_style"] == "google"


def test_changelog_page_includes_the_changelog_file() -> None:
    page = (DOCS / "changelog.md").read_text(encoding="utf-8")
    assert '--8<-- "CHANGELOG.md"' in page
    # Nothing else: the page is the file, so the two cannot drift apart.
    assert page.strip() == '--8<-- "CHANGELOG.md"'
    assert (ROOT / "CHANGELOG.md").is_file()


def test_api_pages_name_existing_modules_and_members() -> None:
    import importlib

    directive = re.compile(r"^::: ([\w.]+)\s*$", re.MULTILINE)
    member_line = re.compile(r"^\s+- (\w+)\s*$", re.MULTILINE)
    api_pages = sorted((DOCS / "api").glob("*.md"))
    assert api_pages
    for page in api_pages:
        text = page.read_text(encoding="utf-8")
        modules = directive.findall(text)
        assert modules, f"{page.name} renders no module"
        for name in modules:
            module = importlib.import_module(name)
            for member in member_line.findall(text):
                assert hasattr(module, member), f"{page.name}: {name}.{member} does not exist"


def cli_commands() -> list[tuple[str, str, str | None]]:
    """(page, command line, marker) for each ``autograd-mini`` line of a ```bash block."""
    found = []
    bash = re.compile(r"^```bash[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
    for page in EXECUTED_PAGES:
        text = (ROOT / page).read_text(encoding="utf-8")
        for m in bash.finditer(text):
            for line in m.group(1).splitlines():
                if line.strip().startswith("autograd-mini "):
                    found.append((page, line.strip(), marker_before(text, m.start())))
    return found


@pytest.mark.parametrize(("page", "command", "marker"), cli_commands())
def test_command_lines_in_the_docs_run(
    page: str, command: str, marker: str | None, tmp_path: Path
) -> None:
    if marker == "skip" or (marker == "needs-dot" and not dot_runs_here()):
        pytest.skip(f"{page}: marked docs-test: {marker}")
    argv = [sys.executable, "-m", "autograd_mini", *shlex.split(command)[1:]]
    env = dict(os.environ, AUTOGRAD_MINI_EXAMPLE_FAST="1", MPLBACKEND="Agg")
    result = subprocess.run(
        argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, f"{page}: {command}\n{result.stdout}\n{result.stderr}"
    assert result.stdout.strip()


# --------------------------------------------------------------------------- the README


def test_readme_keeps_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```bash\n(.*?)^```", readme, re.MULTILINE | re.DOTALL)
    commands = [line.strip() for block in blocks for line in block.splitlines()]
    assert "bash scripts/demo.sh" in commands
    assert "bash scripts/test.sh" in commands


def test_readme_local_links_and_images_exist() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)\)", readme)
    local = [t.split("#")[0] for t in targets if "://" not in t and not t.startswith("#")]
    assert local, "the README links into the docs"
    missing = [t for t in local if not (ROOT / t).exists()]
    assert not missing, f"README links to missing files: {missing}"


def test_readme_example_is_the_first_python_block() -> None:
    # The block run by test_python_blocks_run_and_print_what_they_say[README.md] must
    # promise output, or it would only be checked for not crashing.
    blocks = python_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert blocks and expected_output(blocks[0])
