"""The API reference shows the table of primitives, generated from the engine's table.

``docs/hooks.py`` (an MkDocs hook listed in ``mkdocs.yml``) replaces the marker
on ``docs/api/ops.md`` with a Markdown table built from
`autograd_mini.engine.PRIMITIVES`. These tests render that page's Markdown the
way the site does and require one row per primitive, with its op, arity, math,
domain and smoothness shown literally.
"""

from __future__ import annotations

import html
import re
import runpy
from pathlib import Path
from typing import Any

import pytest

from autograd_mini.engine import PRIMITIVES, Primitive

ROOT = Path(__file__).resolve().parent.parent
HOOKS = runpy.run_path(str(ROOT / "docs" / "hooks.py"))
OPS_PAGE = ROOT / "docs" / "api" / "ops.md"

ROW = re.compile(r"<tr>\s*(.*?)\s*</tr>", re.DOTALL)
CELL = re.compile(r"<t[dh]>(.*?)</t[dh]>", re.DOTALL)


def render(markdown_text: str) -> str:
    """HTML from Markdown with the site's table and formula extensions."""
    markdown = pytest.importorskip("markdown")
    pytest.importorskip("pymdownx")
    result: str = markdown.markdown(
        markdown_text,
        extensions=["tables", "md_in_html", "pymdownx.arithmatex", "pymdownx.inlinehilite"],
        extension_configs={"pymdownx.arithmatex": {"generic": True}},
    )
    return result


def table_rows(page_html: str) -> list[list[str]]:
    """The cells of every table row, as plain text (tags inside a cell removed)."""
    return [
        [html.unescape(re.sub(r"<[^>]+>", "", cell)) for cell in CELL.findall(row)]
        for row in ROW.findall(page_html)
    ]


def expected_row(key: str, prim: Primitive) -> list[str]:
    arity = "any number" if prim.arity is None else str(prim.arity)
    domain = ", ".join(prim.domain) + (" (each)" if prim.arity is None else "")
    return [key, prim.name, arity, prim.doc, domain, "yes" if prim.smooth else "no"]


def rendered_ops_page() -> list[list[str]]:
    text = OPS_PAGE.read_text(encoding="utf-8")
    return table_rows(render(HOOKS["on_page_markdown"](text, page=None, config={}, files=[])))


def test_the_ops_page_has_the_marker_once_and_mkdocs_runs_the_hook() -> None:
    text = OPS_PAGE.read_text(encoding="utf-8")
    assert text.count(HOOKS["MARKER"]) == 1
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^hooks:\n  - docs/hooks\.py$", config, re.MULTILINE)


def test_the_rendered_table_lists_every_primitive_with_its_entries() -> None:
    rows = rendered_ops_page()
    assert rows[0] == ["name", "op", "arguments", "math and local derivatives", "domain",
                       "smooth"]  # fmt: skip
    assert rows[1:] == [expected_row(key, prim) for key, prim in PRIMITIVES.items()]
    assert len(rows) == 1 + len(PRIMITIVES) >= 1 + 20
    assert {"softplus", "dot_relu", "abs"} <= {row[0] for row in rows}


def test_a_primitive_added_to_the_table_shows_up_literally(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tricky = Primitive(
        "a|b*c_d", lambda x: x, lambda x, out: 1.0, smooth=False, domain=("positive",),
        doc=r"|x| * y_i + <b> & \(not a formula\) **not bold** [no link](x) $z$; d/dx = 1.",
    )  # fmt: skip
    monkeypatch.setitem(PRIMITIVES, "tricky", tricky)
    rows = rendered_ops_page()
    assert rows[1:] == [expected_row(key, prim) for key, prim in PRIMITIVES.items()]
    assert rows[-1] == expected_row("tricky", tricky)


def test_pages_without_the_marker_are_left_alone() -> None:
    text: Any = "# A page\n\nNo table here.\n"
    assert HOOKS["on_page_markdown"](text, page=None, config={}, files=[]) is text
