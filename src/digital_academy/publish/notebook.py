"""Pure transforms from an executed module notebook to the notebook a book page renders."""

from __future__ import annotations

import copy
import json
from typing import Any

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_SELFCHECK_MARK = 'class="academy-selfcheck"'


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _markdown(text: str, cell_id: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": text}


def insert_box(nb: dict[str, Any], title: str, box_html: str) -> dict[str, Any]:
    """Open the page with the module's title and then its facts box.

    If the first cell starts with a level-1 heading the box goes straight under it;
    otherwise the page gets the module title as its heading.
    """
    return _insert_box(copy.deepcopy(nb), title, box_html)


def _insert_box(out: dict[str, Any], title: str, box_html: str) -> dict[str, Any]:
    cells: list[dict[str, Any]] = out.get("cells", [])
    box = _markdown(box_html, "academy-module-box")
    first = cells[0] if cells else None
    text = _source(first) if first else ""
    if first is not None and first.get("cell_type") == "markdown" and text.startswith("# "):
        heading, _, rest = text.partition("\n")
        first["source"] = heading
        new = [first, box]
        if rest.strip():
            new.append(_markdown(rest.lstrip("\n"), "academy-module-intro"))
        out["cells"] = new + cells[1:]
    else:
        out["cells"] = [_markdown(f"# {title}", "academy-module-title"), box, *cells]
    return out


def add_noscript_fallbacks(nb: dict[str, Any]) -> dict[str, Any]:
    """After each self-check widget, its ``<details>`` version for browsers without scripts.

    The widget's bundle already holds the fallback HTML, made from the same question data;
    MyST-NB shows only one MIME type per output, so the fallback gets its own output.
    """
    return _add_noscript_fallbacks(copy.deepcopy(nb))


def _add_noscript_fallbacks(out: dict[str, Any]) -> dict[str, Any]:
    for cell in out.get("cells", []):
        outputs = cell.get("outputs")
        if not outputs:
            continue
        new: list[dict[str, Any]] = []
        for output in outputs:
            new.append(output)
            data = output.get("data", {})
            html = data.get("text/html")
            html = "".join(html) if isinstance(html, list) else html
            if WIDGET_VIEW in data and html and _SELFCHECK_MARK in html:
                new.append(
                    {
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {"text/html": f"<noscript>{html}</noscript>"},
                    }
                )
        cell["outputs"] = new
    return out


def page_notebook(nb: dict[str, Any], title: str, box_html: str) -> dict[str, Any]:
    """The notebook a module page renders; ``nb`` is left as it was."""
    return _add_noscript_fallbacks(_insert_box(copy.deepcopy(nb), title, box_html))


def dumps(nb: dict[str, Any]) -> bytes:
    """Stable bytes, so an unchanged module leaves its book source untouched."""
    return json.dumps(nb, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
