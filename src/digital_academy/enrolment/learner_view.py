"""The ``courses`` hub service: "My courses" for whoever is logged in to the hub.

Started by the hub (``python -m digital_academy.enrolment.learner_view``). Every page is
behind the hub's OAuth: the service learns *who* is asking from the hub, never from the
request, and shows that person only their own runs, their own submissions and their own
released feedback. Learners see each run's assignments with due dates; tutors see their runs
with a link to that run's grading service.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from jupyterhub.services.auth import (  # type: ignore[import-untyped,unused-ignore]
    HubOAuthCallbackHandler,
    HubOAuthenticated,
)
from tornado import web
from tornado.escape import xhtml_escape as esc

from digital_academy.hub.serve import serve
from digital_academy.paths import exchange_dir

from .model import CourseRun
from .overview import RunView, feedback_page, overview
from .store import Store

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
    "padding:0 1rem}table{border-collapse:collapse;width:100%;margin-bottom:1.5rem}"
    "th,td{border:1px solid #ccc;padding:.4rem;text-align:left}caption{text-align:left;"
    "font-weight:bold;padding:.4rem 0}"
)


def _titles(root: Path) -> dict[str, str]:
    """Assessment titles from the catalogue (ids if the catalogue cannot be read)."""
    from digital_academy.catalog import check  # noqa: PLC0415

    try:
        return {k: a.title for k, a in check(root).catalog.assessments.items()}
    except Exception:  # a broken catalogue must not lock learners out of their feedback
        return {}


def _due(when: dt.datetime | None) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if when else "no due date"


def render(user: str, views: list[RunView], prefix: str, hub_prefix: str) -> str:
    """The page, escaped throughout (titles come from the catalogue, names from the hub)."""
    parts = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>My courses</title><style>{_STYLE}</style></head><body>",
        f"<h1>My courses</h1><p>Signed in as <strong>{esc(user)}</strong>.</p>",
    ]
    if not views:
        parts.append("<p>You are not enrolled in any course run yet.</p>")
    for view in views:
        parts.append(
            f"<section aria-labelledby='run-{esc(view.id)}'>"
            f"<h2 id='run-{esc(view.id)}'>{esc(view.title)}</h2>"
            f"<p>{esc(view.id)} &middot; {esc(view.academy)} &middot; {view.starts} to "
            f"{view.ends} &middot; you are a {esc(view.role)}</p>"
        )
        if view.grading_service:
            url = f"{hub_prefix}services/{view.grading_service}/"
            parts.append(f"<p><a href='{esc(url)}'>Grade this run (formgrader)</a></p>")
        rows = []
        for a in view.assignments:
            state = (
                "submitted " + esc(a.submitted)
                if a.submitted
                else (
                    "released: fetch it from the Assignments list" if a.released else "not released"
                )
            )
            links = (
                " ".join(
                    f"<a href='{esc(prefix)}feedback/{esc(view.id)}/{esc(a.id)}/{esc(nb)}'>"
                    f"feedback on {esc(nb)}</a>"
                    for nb in a.feedback
                )
                or "-"
            )
            rows.append(
                f"<tr><td>{esc(a.title)}</td><td>{esc(_due(a.due))}</td>"
                f"<td>{state}</td><td>{links}</td></tr>"
            )
        if rows:
            parts.append(
                f"<table><caption>Assignments in {esc(view.title)}</caption>"
                "<tr><th scope='col'>Assignment</th><th scope='col'>Due</th>"
                "<th scope='col'>Status</th><th scope='col'>Feedback</th></tr>"
                + "".join(rows)
                + "</table>"
            )
        parts.append("</section>")
    parts.append("</body></html>")
    return "".join(parts)


def as_json(user: str, views: list[RunView]) -> dict[str, Any]:
    return {
        "user": user,
        "runs": [
            {
                "id": v.id,
                "title": v.title,
                "academy": v.academy,
                "role": v.role,
                "starts": v.starts.isoformat(),
                "ends": v.ends.isoformat(),
                "grading_service": v.grading_service,
                "assignments": [
                    {
                        "id": a.id,
                        "title": a.title,
                        "due": a.due.isoformat() if a.due else None,
                        "released": a.released,
                        "submitted": a.submitted,
                        "feedback": list(a.feedback),
                    }
                    for a in v.assignments
                ],
            }
            for v in views
        ],
    }


class _Base(HubOAuthenticated, web.RequestHandler):  # type: ignore[misc]
    def initialize(self, root: Path) -> None:
        self.root = root

    def user_name(self) -> str:
        user = self.get_current_user()
        return str(user["name"])

    def runs(self) -> list[CourseRun]:
        return Store(self.root).read_courses()

    def set_default_headers(self) -> None:
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Cache-Control", "no-store")


class PageHandler(_Base):
    @web.authenticated  # type: ignore[untyped-decorator,unused-ignore]
    def get(self) -> None:
        user = self.user_name()
        views = overview(self.runs(), user, exchange_dir(self.root), _titles(self.root))
        hub_prefix = os.environ.get("JUPYTERHUB_BASE_URL", "/")
        self.finish(
            render(
                user,
                views,
                self.hub_auth.oauth_redirect_uri.rsplit("oauth_callback", 1)[0],
                hub_prefix,
            )
        )


class ApiHandler(_Base):
    @web.authenticated  # type: ignore[untyped-decorator,unused-ignore]
    def get(self) -> None:
        user = self.user_name()
        views = overview(self.runs(), user, exchange_dir(self.root), _titles(self.root))
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(as_json(user, views)))


class FeedbackHandler(_Base):
    @web.authenticated  # type: ignore[untyped-decorator,unused-ignore]
    def get(self, course_id: str, assignment: str, notebook: str) -> None:
        page = feedback_page(
            self.runs(), self.user_name(), exchange_dir(self.root), course_id, assignment, notebook
        )
        if page is None:
            # The same answer whether the run, the submission or the page is missing, or
            # belongs to someone else: nothing is revealed about other people's work.
            raise web.HTTPError(404, "no released feedback of yours there")
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Content-Security-Policy", "script-src 'none'; object-src 'none'")
        self.finish(page.read_bytes())


def make_app(root: Path, prefix: str) -> web.Application:
    prefix = "/" + prefix.strip("/") + "/"
    args = {"root": root}
    return web.Application(
        [
            (prefix, PageHandler, args),
            (prefix + "api/me", ApiHandler, args),
            (prefix + r"feedback/([a-z0-9-]+)/([a-z0-9-]+)/([^/]+)", FeedbackHandler, args),
            (prefix + "oauth_callback", HubOAuthCallbackHandler),
            (prefix.rstrip("/"), web.RedirectHandler, {"url": prefix}),
        ],
        cookie_secret=os.urandom(32),
    )


def main() -> None:
    root = Path(os.environ["ACADEMY_ROOT"])
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/courses/")
    serve(make_app(root, prefix), "http://127.0.0.1:8199")


if __name__ == "__main__":
    main()
