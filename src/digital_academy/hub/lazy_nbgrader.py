"""nbgrader's assignment list and validate for learners, loaded on first use.

nbgrader's two learner extensions import nbgrader's whole application stack (its apps,
exchange, preprocessors, nbconvert, setuptools' ``pkg_resources``): about half a second of
CPU and 20 MB for every learner's server, although most start-ups never touch an assignment.
This extension adds one routing rule for their URLs (``/assignments``, ``/assignments/<action>``,
``/courses``, ``/nbgrader_version``). The first request there imports nbgrader and runs its own
``load_jupyter_server_extension`` functions, which add nbgrader's real handlers behind the rule;
the rule then steps aside and those handlers serve every request, the first one included.
Nothing else changes: the same handlers, settings, authentication and config as when the
extensions load at start-up. Routing comes before authentication, so a request from anyone
who can reach the server can trigger the one-time load; it is served (or refused) by nbgrader's
handlers, which authenticate every request, exactly as on a stock server.
"""

from __future__ import annotations

import importlib
from typing import Any

from jupyter_server.utils import url_path_join
from tornado import httputil, routing, web

#: Learners' nbgrader server extensions, loaded in this order (nbgrader's own order).
EXTENSIONS = (
    "nbgrader.server_extensions.assignment_list",
    "nbgrader.server_extensions.validate_assignment",
)
#: The first path segment of every route those extensions register (see their
#: ``default_handlers``; a test keeps this in step with the installed nbgrader).
PREFIXES = ("assignments", "courses", "nbgrader_version")


def route(base_url: str) -> str:
    """The path pattern (tornado anchors it at both ends) that triggers loading."""
    return url_path_join(base_url, f"(?:{'|'.join(PREFIXES)})(?:/.*)?")


class LoadOnFirstMatch(routing.PathMatches):
    """Matches nothing once loaded: the first request on the routes loads nbgrader's extensions,
    whose own handlers (added behind this rule) then serve it and every later request."""

    def __init__(self, pattern: str, serverapp: Any) -> None:
        super().__init__(pattern)
        self.serverapp = serverapp
        self.loaded = False

    def load(self) -> None:
        self.serverapp.log.info("Loading nbgrader's learner extensions on first use")
        for name in EXTENSIONS:
            importlib.import_module(name).load_jupyter_server_extension(self.serverapp)
        self.loaded = True

    def match(self, request: httputil.HTTPServerRequest) -> dict[str, Any] | None:
        if self.loaded or super().match(request) is None:
            return None
        try:
            self.load()  # blocks this server once, for about half a second
        except Exception:
            self.serverapp.log.exception("nbgrader's extensions failed to load")
            return {}  # this rule's target answers: 500
        return None  # fall through to the handlers nbgrader has just added


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    return [{"module": "digital_academy.hub.lazy_nbgrader"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    web_app = serverapp.web_app
    matcher = LoadOnFirstMatch(route(web_app.settings["base_url"]), serverapp)
    # The target only answers when loading failed; it serves nothing else.
    web_app.add_handlers(".*$", [routing.Rule(matcher, web.ErrorHandler, {"status_code": 500})])
