"""Each run's nbgrader gradebook: roster and due dates in, open marking and drift out.

The only module here that imports nbgrader (about 2 s), and only when a gradebook is used.
Learners are never removed from a gradebook: nbgrader's ``remove_student`` deletes their
submissions and grades, and a withdrawn learner's record must survive.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from digital_academy.paths import grading_dir

from .builders import Roster
from .model import AssignmentPlan, CourseRun
from .ops import OpenMarking

GRADEBOOK = "gradebook.db"


def assess_course(root: Path, course_id: str) -> Any:
    """The assessment capability's view of one run (its folders and gradebook URL)."""
    from digital_academy.assess.settings import CourseRun as AssessRun  # noqa: PLC0415
    from digital_academy.assess.settings import Settings  # noqa: PLC0415

    return AssessRun(root, course_id, Settings.from_env().gradebook_url)


def has_gradebook(root: Path, course_id: str) -> bool:
    url = assess_course(root, course_id).db_url
    return not url.startswith("sqlite") or (grading_dir(root, course_id) / GRADEBOOK).exists()


@contextmanager
def open_gradebook(root: Path, course_id: str) -> Iterator[Any]:
    """The run's gradebook, opened the way grading opens it (evidence log installed)."""
    from digital_academy.assess.gradebook import open_gradebook as assess_open  # noqa: PLC0415

    folder = grading_dir(root, course_id)
    path = folder / GRADEBOOK
    created = not path.exists()
    with assess_open(assess_course(root, course_id)) as gradebook:
        yield gradebook
    if created and path.exists() and os.geteuid() == 0:
        # Made by root for a grading folder a grader user owns: hand it to that user.
        owner = folder.stat()
        os.chown(path, owner.st_uid, owner.st_gid)


def _utc_naive(when: dt.datetime | None) -> dt.datetime | None:
    # nbgrader stores naive datetimes meaning UTC.
    return when.astimezone(dt.UTC).replace(tzinfo=None) if when else None


@dataclass(frozen=True)
class GradebookSync:
    course_id: str
    added: tuple[str, ...]
    updated: tuple[str, ...]
    due_dates: tuple[str, ...]
    unexpected: tuple[str, ...]  # in the gradebook but not in the run: drift to look at


def sync_roster(root: Path, roster: Roster, plans: tuple[AssignmentPlan, ...]) -> GradebookSync:
    """Add or refresh students and due dates; never remove anyone (grades are kept)."""
    added: list[str] = []
    updated: list[str] = []
    dues: list[str] = []
    with open_gradebook(root, roster.course_id) as gb:
        existing = {s.id: s for s in gb.students}
        for student in roster.students:
            details = {
                "first_name": student.first_name or None,
                "last_name": student.last_name or None,
                "email": student.email or None,
                "lms_user_id": student.lms_user_id or None,
            }
            old = existing.get(student.id)
            if old is None:
                added.append(student.id)
            elif any(getattr(old, k) != v for k, v in details.items()):
                updated.append(student.id)
            else:
                continue
            gb.update_or_create_student(student.id, **details)
        for plan in plans:
            due = _utc_naive(plan.due)
            try:
                current = gb.find_assignment(plan.id).duedate
            except Exception:  # nbgrader's MissingEntry; not importable at module level
                current = object()
            if current != due:
                gb.update_or_create_assignment(plan.id, duedate=due)
                dues.append(plan.id)
        known = {s.id for s in roster.students}
        unexpected = tuple(sorted(set(existing) - known))
    return GradebookSync(roster.course_id, tuple(added), tuple(updated), tuple(dues), unexpected)


def marking_open(root: Path, course: CourseRun) -> dict[str, int]:
    """``{assignment: submissions with grades still needing a person}`` in the run."""
    if not course.assignments or not has_gradebook(root, course.id):
        return {}
    found: dict[str, int] = {}
    with open_gradebook(root, course.id) as gb:
        names = {a.name for a in gb.assignments}
        for plan in course.assignments:
            if plan.id not in names:
                continue
            found[plan.id] = sum(
                1 for s in gb.assignment_submissions(plan.id) if s.needs_manual_grade
            )
    return found


def open_marking(root: Path) -> OpenMarking:
    """The probe ``ops.unenrol`` uses before removing a tutor."""

    def probe(course: CourseRun, tutor: str) -> Mapping[str, int]:
        mine = {p.id for p in course.assignments if tutor in course.markers_of(p)}
        if not mine:
            return {}
        return {a: n for a, n in marking_open(root, course).items() if a in mine}

    return probe


def students_in(root: Path, course_id: str) -> dict[str, int]:
    """``{student id: number of submissions}`` in the run's gradebook (empty if none)."""
    if not has_gradebook(root, course_id):
        return {}
    with open_gradebook(root, course_id) as gb:
        return {s.id: len(s.submissions) for s in gb.students}
