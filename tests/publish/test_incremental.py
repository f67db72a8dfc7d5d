"""An edit rewrites only the edited page, even in a book built second by its worker.

Both themes append to Sphinx's default ``templates_path``, a list shared by every build in
a process; left alone, a book built second by a worker got a different config hash from
the same book built first, and its next incremental build rewrote every page.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from digital_academy.publish.runner import build_site
from digital_academy.publish.settings import PublishSettings

pytestmark = pytest.mark.slow


def _pages(book: Path) -> dict[str, int]:
    html = book / "html"
    return {
        p.relative_to(html).as_posix(): p.stat().st_mtime_ns
        for p in html.rglob("*.html")
        if "_static" not in p.parts
    }


def test_an_edit_rewrites_only_its_page_in_a_book_built_second(
    make_sample: Callable[..., Path], node_modules: Path
) -> None:
    root = make_sample(modules=6, courses=2, academies=2)
    # One worker builds both books, one after the other, in the same process.
    first = build_site(root, PublishSettings(), jobs=1, node_modules=node_modules)
    assert first.ok and [b.status for b in first.books] == ["built", "built"]
    second = root / "book" / "_build" / "books" / first.books[1].academy
    before = _pages(second)
    module = next(p for p in before if p.endswith(".html") and "-module-" in p)
    notebook = next((root / "courses").glob(f"*/*-{Path(module).stem}.ipynb"))
    nb = json.loads(notebook.read_text("utf-8"))
    cell = next(c for c in nb["cells"] if c["cell_type"] == "code")
    cell["source"] = "".join(cell["source"]) + "\n6 * 7"
    notebook.write_text(json.dumps(nb), "utf-8")

    edit = build_site(root, PublishSettings(), jobs=1, node_modules=node_modules)
    assert edit.ok and edit.executed == [nb["metadata"]["academy"]["id"]]
    after = _pages(second)
    rewritten = {page for page in after if after[page] != before.get(page)}
    # The edited page, and the pages Sphinx regenerates on every build.
    assert module in rewritten
    assert rewritten <= {module, "index.html", "genindex.html", "search.html"}, sorted(rewritten)
    assert len(after) >= 6
