"""The Jupyter Book 1 engine: Sphinx, MyST-NB and sphinx-book-theme, fully offline."""

from __future__ import annotations

import contextlib
import importlib
import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from . import pages
from .engines import BuildMessage, EngineResult, Project
from .notebook import dumps, page_notebook
from .plan import VENDOR_DIR, BookPlan, SitePlan

#: Sphinx warnings that mean a page is missing something it needs: the build fails.
_FATAL = re.compile(
    r"image file not readable|download file not readable|unknown document|"
    r"local file not found|toctree contains reference to nonexisting document"
)
_WARNING_LINE = re.compile(
    r"^(?P<file>/[^:]+?)(?::(?P<line>\d+))?: (?P<level>WARNING|ERROR|CRITICAL|SEVERE): "
    r"(?P<message>.*)$"
)


def book_config(
    plan: SitePlan, book: BookPlan, *, execute: bool, cache: str = ""
) -> dict[str, Any]:
    """``_config.yml``: offline assets, licence footer, no third-party services."""
    # Asset paths are relative to the book's _static/ folder; the site root is two up.
    vendor = f"../../{VENDOR_DIR}"
    return {
        "title": book.academy.title,
        "author": plan.settings.site_title,
        "copyright": "",
        "only_build_toc_files": True,
        "exclude_patterns": ["_build", "**.ipynb_checkpoints"],
        "execute": (
            {
                "execute_notebooks": "cache",
                "cache": cache,
                "timeout": plan.settings.cell_timeout,
                "run_in_temp": False,
            }
            if execute
            else {"execute_notebooks": "off"}
        ),
        "html": {
            "extra_footer": pages.footer_html(plan),
            "home_page_in_navbar": True,
            "use_repository_button": False,
            "use_issues_button": False,
            "use_edit_page_button": False,
            "baseurl": "",
        },
        "launch_buttons": {
            "binderhub_url": "",
            "jupyterhub_url": "",
            "thebe": False,
            "colab_url": "",
            "deepnote_url": "",
        },
        "sphinx": {
            "extra_extensions": ["digital_academy.publish.sphinx_ext"],
            "recursive_update": True,
            "config": {
                "language": "en",
                "html_show_copyright": False,
                "html_show_sphinx": False,
                "html_last_updated_fmt": None,
                # Served with the site, never from a CDN: see digital_academy.publish.vendor.
                "mathjax_path": f"{vendor}/mathjax/tex-mml-chtml.js",
                "nb_ipywidgets_js": {
                    f"{vendor}/require/require.js": {},
                    f"{vendor}/widgets/embed-amd.js": {
                        # Module pages sit two folders down; any third-party widget module
                        # would be looked up here, on the same origin, never on a CDN.
                        "data-jupyter-widgets-cdn": f"../../{VENDOR_DIR}/widgets/cdn/",
                    },
                },
                "html_theme_options": {
                    "search_bar_text": f"Search {book.academy.title}...",
                    "use_download_button": True,
                    "use_fullscreen_button": False,
                    "show_toc_level": 2,
                },
                "suppress_warnings": ["myst.domains", "mystnb.unknown_mime_type"],
            },
        },
    }


def book_toc(book: BookPlan) -> dict[str, Any]:
    """``_toc.yml``, generated: pathways, then one part per course, then the coverage matrix."""
    parts: list[dict[str, Any]] = []
    if book.academy.pathways:
        parts.append(
            {
                "caption": "Pathways",
                "chapters": [{"file": f"pathways/{p.id}"} for p in book.academy.pathways],
            }
        )
    for course_id, course_pages in book.courses:
        if course_pages:
            parts.append(
                {
                    "caption": course_id,  # replaced by the title in JupyterBook1.project
                    "chapters": [{"file": p.docname} for p in course_pages],
                }
            )
    parts.append({"caption": "Reference", "chapters": [{"file": pages.COVERAGE_DOC}]})
    return {"format": "jb-book", "root": "index", "parts": parts}


def _yaml(data: dict[str, Any]) -> bytes:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100).encode("utf-8")


_BUILD_IMPORTS = (
    "jupyter_book.config",
    "sphinx.application",
    "sphinx.builders.html",
    "sphinx.ext.intersphinx",
    "myst_nb.sphinx_ext",
    "myst_parser.sphinx_",
    "sphinx_book_theme",
    "sphinx_design",
    "sphinx_togglebutton",
    "sphinx_copybutton",
    "sphinx_thebe",
    "sphinx_comments",
    "sphinx_external_toc",
    "sphinx_jupyterbook_latex",
    "sphinx_multitoc_numbering",
    "digital_academy.publish.sphinx_ext",
)


class JupyterBook1:
    name = "jupyter-book-1"

    def project(
        self,
        plan: SitePlan,
        book: BookPlan,
        notebooks: Mapping[str, dict[str, Any]],
        *,
        execute: bool = False,
        cache: str = "",
    ) -> Project:
        toc = book_toc(book)
        titles = {c: plan.catalog.courses[c].title for c, _ in book.courses}
        for part in toc["parts"]:
            part["caption"] = titles.get(part["caption"], part["caption"])
        files: dict[str, bytes] = {
            "_config.yml": _yaml(book_config(plan, book, execute=execute, cache=cache)),
            "_toc.yml": _yaml(toc),
            "index.md": pages.academy_index(plan, book).encode("utf-8"),
            f"{pages.COVERAGE_DOC}.md": pages.coverage_page(plan, book).encode("utf-8"),
        }
        for pathway in book.academy.pathways:
            files[f"pathways/{pathway.id}.md"] = pages.pathway_page(plan, book, pathway).encode()
        for page in book.pages:
            nb = notebooks.get(page.module.id)
            if nb is None:
                continue
            box = pages.module_box(plan, book, page)
            files[f"{page.docname}.ipynb"] = dumps(page_notebook(nb, page.module.title, box))
        return Project(files=files)

    def warm_up(self) -> None:
        # Everything a build imports (Jupyter Book's default extensions and the modules
        # their set-up imports lazily), so a worker warmed while modules execute starts
        # Sphinx at once; a name that no longer exists is simply left to the build.
        for name in _BUILD_IMPORTS:
            with contextlib.suppress(ImportError):
                importlib.import_module(name)

    def build(self, source: Path, out: Path, work: Path, *, full: bool = False) -> EngineResult:
        # Imported here: the engine's heavy stack loads only in the worker that builds.
        from jupyter_book.config import get_final_config  # type: ignore[import-untyped]  # noqa: PLC0415
        from sphinx.application import Sphinx  # noqa: PLC0415
        from sphinx.util.docutils import docutils_namespace, patch_docutils  # noqa: PLC0415

        warnings = io.StringIO()
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                config, _ = get_final_config(
                    user_yaml=source / "_config.yml",
                    cli_config={
                        "external_toc_path": str(source / "_toc.yml"),
                        "latex_individualpages": False,
                    },
                    sourcedir=source,
                )
                with patch_docutils(str(source)), docutils_namespace():
                    app = Sphinx(
                        srcdir=str(source),
                        confdir=None,
                        outdir=str(out),
                        doctreedir=str(work / "doctrees"),
                        buildername="html",
                        confoverrides=config,
                        status=None,
                        warning=warnings,
                        freshenv=full,
                        keep_going=True,
                    )
                    app.build(full, [])
                    status = app.statuscode
        except Exception as exc:  # Sphinx raises for broken config or extensions
            return EngineResult(
                False,
                parse_warnings(warnings.getvalue(), source),
                crash=f"{type(exc).__name__}: {exc}",
            )
        messages = parse_warnings(warnings.getvalue(), source)
        ok = status == 0 and not any(m.level == "error" for m in messages)
        return EngineResult(ok, messages)


def parse_warnings(text: str, source: Path) -> tuple[BuildMessage, ...]:
    """Sphinx's warning stream as messages tied to a document where Sphinx says so."""
    found = []
    root = str(source.resolve())
    for raw in text.splitlines():
        line = re.sub(r"\x1b\[[0-9;]*m", "", raw)
        match = _WARNING_LINE.match(line)
        if match is None:
            if "WARNING:" in line or "ERROR:" in line:
                level = "error" if _FATAL.search(line) or "ERROR:" in line else "warning"
                found.append(BuildMessage(level, None, None, line.strip()))
            continue
        file = match["file"]
        docname = None
        if file.startswith(root + "/"):
            docname = re.sub(r"\.(ipynb|md)$", "", file[len(root) + 1 :])
        message = match["message"]
        fatal = match["level"] != "WARNING" or _FATAL.search(message)
        found.append(
            BuildMessage(
                "error" if fatal else "warning",
                docname,
                int(match["line"]) if match["line"] else None,
                message,
            )
        )
    return tuple(found)
