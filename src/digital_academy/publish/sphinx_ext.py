"""A small Sphinx extension every academy book loads: module-box styles and embed mode.

It also drops the Thebe scripts that Jupyter Book always adds: books have no Thebe
launch button, and the scripts name a CDN and fail on pages that load them twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

STATIC = Path(__file__).parent / "static" / "book"
#: Accessible versions of two theme components (found before the theme's own).
TEMPLATES = Path(__file__).parent / "templates"


def _paths(app: Sphinx, config: Config) -> None:
    # config-inited runs before Sphinx compares the config with the saved environment, so
    # the paths must be the same on every build for incremental builds to stay incremental
    # (a changed html config makes Sphinx rewrite every page). Both themes append their
    # components to Sphinx's default templates_path, a list shared by every build in the
    # process, so it grows build after build: keep each path once, in order. Runs after
    # the themes' own handlers (priority 900).
    config.html_static_path = list(dict.fromkeys([*config.html_static_path, str(STATIC)]))
    config.templates_path = list(dict.fromkeys([str(TEMPLATES), *config.templates_path]))


def _is_thebe(script: Any) -> bool:
    filename = str(getattr(script, "filename", "") or "")
    body = str(getattr(script, "attributes", {}).get("body", ""))
    return filename.endswith("sphinx-thebe.js") or "THEBE_JS_URL" in body


def _drop_thebe(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    scripts = context.get("script_files")
    if isinstance(scripts, list):
        context["script_files"] = [s for s in scripts if not _is_thebe(s)]


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", _paths, priority=900)
    app.connect("html-page-context", _drop_thebe, priority=900)
    app.add_css_file("academy.css")
    # Not deferred, and early: embed mode must hide the navigation before the first paint.
    app.add_js_file("academy.js", priority=100)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
