"""What one person sees of their course runs: assignments, due dates, submissions, feedback.

Built from the records and the nbgrader exchange, for the person the hub says is logged in.
Nothing here takes a user name from a request: callers pass the authenticated identity.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pwd
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .builders import formgrader_of
from .model import CourseRun

SECRET_FILE = "submission_secret.txt"


def feedback_hash(secret: str, notebook_id: str) -> str:
    """nbgrader's name for a released feedback page (``nbgrader.utils.notebook_hash``)."""
    digest = hashlib.md5(usedforsecurity=False)
    digest.update(secret.encode("utf-8"))
    digest.update(notebook_id.encode("utf-8"))
    return digest.hexdigest()


@dataclass(frozen=True)
class AssignmentView:
    id: str
    title: str
    due: dt.datetime | None
    released: bool
    submitted: str | None = None  # nbgrader timestamp of the latest submission
    feedback: tuple[str, ...] = ()  # notebook ids whose feedback is released


@dataclass(frozen=True)
class RunView:
    id: str
    title: str
    academy: str
    role: str  # learner | tutor | withdrawn
    starts: dt.date
    ends: dt.date
    assignments: tuple[AssignmentView, ...] = field(default=())
    grading_service: str | None = None  # tutors: their run's formgrader


def _owner_ok(folder: Path, username: str) -> bool:
    """With one OS user per learner, a submission must be owned by that learner's uid."""
    try:
        uid = pwd.getpwnam(username).pw_uid
    except KeyError:
        return True  # one OS user for everyone (the demo): folder names are all there is
    return uid == os.geteuid() or folder.stat().st_uid == uid


def latest_submission(
    exchange: Path, course_id: str, assignment: str, username: str
) -> Path | None:
    inbound = exchange / course_id / "inbound"
    if not inbound.is_dir():
        return None
    mine = []
    for folder in inbound.glob(f"{username}+{assignment}+*"):
        parts = folder.name.split("+")
        if (
            folder.is_dir()
            and len(parts) >= 3
            and parts[0] == username
            and parts[1] == assignment
            and _owner_ok(folder, username)
        ):
            mine.append((parts[2], folder))
    return max(mine)[1] if mine else None


def released_feedback(exchange: Path, course_id: str, submission: Path) -> dict[str, Path]:
    """``{notebook id: feedback page}`` released for one submission."""
    secret_file = submission / SECRET_FILE
    if not secret_file.is_file():
        return {}
    secret = secret_file.read_text("utf-8")
    found = {}
    for notebook in sorted(submission.glob("*.ipynb")):
        page = exchange / course_id / "feedback" / f"{feedback_hash(secret, notebook.stem)}.html"
        if page.is_file():
            found[notebook.stem] = page
    return found


def _assignments(
    run: CourseRun, username: str, exchange: Path, titles: Mapping[str, str], new_work: bool
) -> tuple[AssignmentView, ...]:
    views = []
    for plan in run.assignments:
        released = (exchange / run.id / "outbound" / plan.id).is_dir()
        latest = latest_submission(exchange, run.id, plan.id, username)
        if not new_work and latest is None:
            continue
        stamp = latest.name.split("+")[2] if latest else None
        pages = released_feedback(exchange, run.id, latest) if latest else {}
        views.append(
            AssignmentView(
                plan.id,
                titles.get(plan.id, plan.id),
                plan.due,
                released and new_work,
                stamp,
                tuple(sorted(pages)),
            )
        )
    return tuple(views)


def overview(
    runs: Iterable[CourseRun], username: str, exchange: Path, titles: Mapping[str, str]
) -> list[RunView]:
    """Every run ``username`` is in, newest first; withdrawn runs show only past work."""
    found = []
    for run in sorted(runs, key=lambda r: (r.starts, r.id), reverse=True):
        role = run.role_of(username)
        if role is None:
            continue
        if role == "tutor":
            work = tuple(
                AssignmentView(
                    p.id,
                    titles.get(p.id, p.id),
                    p.due,
                    (exchange / run.id / "outbound" / p.id).is_dir(),
                )
                for p in run.assignments
            )
            service: str | None = formgrader_of(run.id)
        else:
            work = _assignments(run, username, exchange, titles, new_work=role == "learner")
            service = None
        found.append(
            RunView(run.id, run.title, run.academy, role, run.starts, run.ends, work, service)
        )
    return found


def feedback_page(
    runs: Iterable[CourseRun],
    username: str,
    exchange: Path,
    course_id: str,
    assignment: str,
    notebook: str,
) -> Path | None:
    """The released feedback page of ``username``'s own latest submission, else None."""
    run = next((r for r in runs if r.id == course_id), None)
    if run is None or run.role_of(username) not in ("learner", "withdrawn"):
        return None
    if assignment not in {p.id for p in run.assignments}:
        return None
    latest = latest_submission(exchange, course_id, assignment, username)
    return released_feedback(exchange, course_id, latest).get(notebook) if latest else None
