"""Reading notebooks as plain JSON: fast, strict, and with errors an author can act on.

``nbformat`` validation is thorough but costs milliseconds per notebook; the catalogue
only needs the structure checked here, so ``academy check`` stays fast at 1,000 modules.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic, error

_MD_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)[^)]*\)")
_HTML_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_HTML_ALT = re.compile(r"""\balt\s*=\s*(["'])(?P<alt>.*?)\1""", re.IGNORECASE | re.DOTALL)
# Code that draws a figure; such cells must say what the figure shows.
_PLOTS = re.compile(r"\b(plt\.|\.plot\(|\.hist\(|\.bar\(|\.scatter\(|\.imshow\(|savefig\()")


@dataclass(frozen=True, slots=True)
class NotebookData:
    path: Path
    content: dict[str, Any]

    @property
    def metadata(self) -> dict[str, Any]:
        meta = self.content.get("metadata")
        return meta if isinstance(meta, dict) else {}

    @property
    def cells(self) -> list[dict[str, Any]]:
        return [c for c in self.content.get("cells", []) if isinstance(c, dict)]


def read_notebook(path: Path, rel: str) -> NotebookData | Diagnostic:
    """Parse ``path`` as an nbformat 4 notebook, or say exactly why it is not one."""
    raw = path.read_bytes()
    fix_json = "restore the file from version control, or re-save it from Jupyter"
    if not raw.strip():
        return error("not-a-notebook", rel, "(file)", "the file is empty", fix_json)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return error(
            "encoding",
            rel,
            "(file)",
            f"not UTF-8: byte {raw[exc.start]:#04x} at offset {exc.start}",
            "re-save the notebook as UTF-8 (Jupyter always writes UTF-8)",
        )
    try:
        content = json.loads(text)
    except json.JSONDecodeError as exc:
        return error(
            "not-a-notebook",
            rel,
            f"line {exc.lineno}, column {exc.colno}",
            f"invalid JSON: {exc.msg}",
            fix_json,
        )
    if not isinstance(content, dict):
        return error("not-a-notebook", rel, "(top level)", "not a JSON object", fix_json)
    if content.get("nbformat") != 4:
        return error(
            "not-a-notebook",
            rel,
            "nbformat",
            f"expected nbformat 4, found {content.get('nbformat')!r}",
            "open and re-save it in a current Jupyter, which writes nbformat 4",
        )
    cells = content.get("cells")
    if not isinstance(cells, list):
        return error("not-a-notebook", rel, "cells", "no list of cells", fix_json)
    if not cells:
        return error(
            "empty-notebook",
            rel,
            "cells",
            "the notebook has no cells",
            "add the module's teaching cells, or delete the file",
        )
    for i, cell in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("cell_type") not in {"code", "markdown", "raw"}:
            return error(
                "not-a-notebook", rel, f"cells[{i}]", "cell has no valid cell_type", fix_json
            )
    return NotebookData(path, content)


def cell_source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def missing_alt_text(nb: NotebookData, rel: str) -> list[Diagnostic]:
    """Every image needs a text alternative (WCAG 2.2 success criterion 1.1.1)."""
    found: list[Diagnostic] = []
    for i, cell in enumerate(nb.cells):
        source = cell_source(cell)
        where = f"cells[{i}]"
        if cell["cell_type"] == "markdown":
            for m in _MD_IMAGE.finditer(source):
                if not m.group("alt").strip():
                    found.append(_alt_error(rel, where, f"image {m.group('src')!r}"))
            for tag in _HTML_IMG.findall(source):
                alt = _HTML_ALT.search(tag)
                if alt is None or not alt.group("alt").strip():
                    found.append(_alt_error(rel, where, f"HTML image {tag[:60]!r}"))
        elif cell["cell_type"] == "code" and _draws_figure(cell, source):
            meta = cell.get("metadata", {})
            alt = meta.get("mystnb", {}).get("image", {}).get("alt", "")
            if not str(alt).strip():
                found.append(
                    error(
                        "alt-text",
                        rel,
                        f"{where}.metadata.mystnb.image.alt",
                        "this cell draws a figure with no text alternative",
                        'add cell metadata {"mystnb": {"image": {"alt": "<what the figure '
                        'shows and its key message>"}}}',
                    )
                )
    return found


def _draws_figure(cell: dict[str, Any], source: str) -> bool:
    outputs = cell.get("outputs", [])
    has_image = any("image/png" in o.get("data", {}) for o in outputs if isinstance(o, dict))
    return has_image or bool(_PLOTS.search(source))


def _alt_error(rel: str, where: str, what: str) -> Diagnostic:
    return error(
        "alt-text",
        rel,
        where,
        f"{what} has no alt text",
        "describe the image in the brackets: ![what it shows](file.png)",
    )


def imported_packages(sources: Iterable[str]) -> frozenset[str]:
    """Top-level packages that notebook code imports (relative imports aside).

    Cells that are not plain Python (IPython magics) are skipped, not an error.
    """
    found: set[str] = set()
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
    return frozenset(found)
