"""The tutor's view of one run: release, collect, grade, feedback and export, scoped to it.

Each function checks that the tutor teaches the run and that the assessment is set in it,
then calls the assessment capability (``digital_academy.assess``) for that run only: its
cohort comes from the records, its folders and gradebook are the run's own. One run's tutor
cannot act on, or read the grades of, another run through these functions.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .builders import build_roster
from .errors import EnrolmentError
from .gradebook import assess_course
from .model import CourseRun
from .store import Store

ADMIN = "admin"  # the operator, acting for every run


def _scoped(root: Path, course_id: str, tutor: str, assessment: str | None = None) -> CourseRun:
    run = Store(root).snapshot().course(course_id)
    if tutor != ADMIN and tutor not in run.tutors:
        raise EnrolmentError(
            f"{tutor} is not a tutor of {course_id} ({', '.join(run.tutors) or 'no tutors'}); "
            "a tutor works only on their own runs"
        )
    if assessment is not None and assessment not in {p.id for p in run.assignments}:
        raise EnrolmentError(
            f"{assessment!r} is not set in {course_id} (set: "
            f"{', '.join(p.id for p in run.assignments) or 'none'}); add it with "
            f"`academy course assign {course_id} {assessment}`"
        )
    return run


def _call(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    from digital_academy.assess.batch import AssessError  # noqa: PLC0415

    try:
        return func(*args, **kwargs)
    except (AssessError, RuntimeError, ValueError) as exc:
        raise EnrolmentError(str(exc)) from exc


def release(root: Path, course_id: str, assessment: str, tutor: str) -> dict[str, Any]:
    """Generate the assessment for the run and release it to the run's current learners."""
    from digital_academy.assess import workflow  # noqa: PLC0415
    from digital_academy.assess.roster import Learner  # noqa: PLC0415
    from digital_academy.assess.settings import Settings  # noqa: PLC0415

    run = _scoped(root, course_id, tutor, assessment)
    roster = build_roster(run, Store(root).snapshot().people)
    cohort = [
        Learner(
            s.id, s.first_name or None, s.last_name or None, s.email or None, s.lms_user_id or None
        )
        for s in roster.students
        if s.active
    ]
    course = assess_course(root, course_id)
    _call(workflow.generate, course, assessment, Settings.from_env())
    released: dict[str, Any] = _call(workflow.release, course, assessment, cohort)
    return released


def collect(root: Path, course_id: str, assessment: str, tutor: str) -> list[dict[str, Any]]:
    from digital_academy.assess import workflow  # noqa: PLC0415

    _scoped(root, course_id, tutor, assessment)
    rows: list[dict[str, Any]] = _call(workflow.collect, assess_course(root, course_id), assessment)
    return rows


def grade(root: Path, course_id: str, assessment: str, tutor: str) -> Any:
    """Autograde every collected submission of the run, in the sandbox."""
    from digital_academy.assess.batch import autograde  # noqa: PLC0415
    from digital_academy.assess.settings import Settings  # noqa: PLC0415

    _scoped(root, course_id, tutor, assessment)
    return _call(
        autograde, assess_course(root, course_id), assessment, Settings.from_env(), grader=tutor
    )


def feedback(root: Path, course_id: str, assessment: str, tutor: str) -> Any:
    from digital_academy.assess.feedback import feedback as make_feedback  # noqa: PLC0415

    _scoped(root, course_id, tutor, assessment)
    return _call(make_feedback, assess_course(root, course_id), assessment, release=True)


def export(root: Path, course_id: str, tutor: str, shape: str = "moodle") -> str:
    """The run's grades as CSV (``moodle`` or ``canvas``): its assignments, its students."""
    from digital_academy.assess import export as grades  # noqa: PLC0415
    from digital_academy.catalog import load_valid  # noqa: PLC0415

    run = _scoped(root, course_id, tutor)
    writers = {"moodle": grades.moodle_csv, "canvas": grades.canvas_csv}
    if shape not in writers:
        raise EnrolmentError(f"unknown export shape {shape!r}; use moodle or canvas")
    mine = [p.id for p in run.assignments]
    catalog = load_valid(root).assessments
    titles = {k: catalog[k].title if k in catalog else k for k in mine}
    rows = _call(grades.gather, assess_course(root, course_id), mine)
    text: str = writers[shape](rows, titles)
    return text
