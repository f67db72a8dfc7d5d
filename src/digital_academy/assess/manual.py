"""Manual grades and overrides, each one an entry in the evidence log.

Tutors mark in formgrader or with ``academy assess grade``. Either way a database trigger
records the change; this module seals those entries into the hash chain: with the tutor's
name and reason when the change came through the CLI, as "unattributed" when it came
from formgrader (which does not say who clicked).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import evidence
from .batch import AssessError
from .gradebook import open_gradebook, resolver
from .settings import CourseRun


@dataclass(frozen=True)
class ManualGrade:
    cell: str
    old: float | None
    new: float
    max_score: float
    logged: int


def set_grade(
    course: CourseRun,
    assignment: str,
    student: str,
    notebook: str,
    cell: str,
    score: float,
    reason: str,
    grader: str,
    comment: str | None = None,
) -> ManualGrade:
    """Set (or override) one cell's score; the reason and grader go into the evidence log."""
    from nbgrader.api import MissingEntry  # noqa: PLC0415

    if not reason.strip():
        raise AssessError("give a --reason: every manual grade and override is logged with one")
    with open_gradebook(course) as gb:
        try:
            grade = gb.find_grade(cell, notebook, assignment, student)
        except MissingEntry:
            raise AssessError(
                f"no graded cell {cell!r} in {student}'s {notebook}.ipynb for "
                f"{assignment!r}; see the cell ids in formgrader"
            ) from None
        if not 0 <= score <= grade.max_score:
            raise AssessError(f"score {score:g} is outside 0..{grade.max_score:g} for {cell!r}")
        old = grade.manual_score
        grade.manual_score = score
        grade.needs_manual_grade = False
        if comment is not None:
            gb.find_comment(cell, notebook, assignment, student).manual_comment = comment
        gb.db.flush()
        logged = evidence.seal(gb.db.connection(), resolver(gb), grader, reason)
        gb.db.commit()
        return ManualGrade(cell, old, score, float(grade.max_score), logged)
