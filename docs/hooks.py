"""MkDocs hooks: pages that show what the code holds, generated at build time.

`mkdocs.yml` lists this file under ``hooks:``. A page that contains the
marker ``<!-- primitives-table -->`` gets, in its place, a Markdown table of
the engine's primitives built from `autograd_mini.engine.PRIMITIVES` itself:
one row per entry, so the table cannot fall behind the code.
"""

from __future__ import annotations

from typing import Any

MARKER = "<!-- primitives-table -->"
"""The comment a page puts where the table of primitives goes."""

_HEADER = (
    "| name | op | arguments | math and local derivatives | domain | smooth |\n"
    "|---|---|---|---|---|---|"
)
_ESCAPED = "\\`*_{}[]#+!|$"  # Markdown's escapes; not parentheses: \( starts a formula


def escape(text: str) -> str:
    """``text`` shown literally inside a Markdown table cell."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "".join("\\" + ch if ch in _ESCAPED else ch for ch in text)


def primitives_table() -> str:
    """The Markdown table of `autograd_mini.engine.PRIMITIVES`, one row per entry, in order."""
    from autograd_mini.engine import PRIMITIVES

    rows = [_HEADER]
    for key, prim in PRIMITIVES.items():
        arity = "any number" if prim.arity is None else str(prim.arity)
        domain = ", ".join(prim.domain)
        if prim.arity is None:
            domain += " (each)"
        rows.append(
            f"| `{key}` | `{prim.name}` | {arity} | {escape(prim.doc)} | {domain} "
            f"| {'yes' if prim.smooth else 'no'} |"
        )
    return "\n".join(rows)


def on_page_markdown(markdown: str, *args: Any, **kwargs: Any) -> str:
    """MkDocs hook: put the table of primitives where a page has `MARKER`."""
    if MARKER not in markdown:
        return markdown
    return markdown.replace(MARKER, primitives_table())
