"""Each run's real nbgrader gradebook: roster and due dates in; open marking read back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from digital_academy.catalog import load_valid
from digital_academy.enrolment import ops
from digital_academy.enrolment.builders import build_roster
from digital_academy.enrolment.errors import EnrolmentError
from digital_academy.enrolment.gradebook import (
    marking_open,
    open_gradebook,
    open_marking,
    students_in,
    sync_roster,
)
from digital_academy.enrolment.store import Store

from .test_records import KNOWN, create

# nbgrader 0.9.6's Gradebook.add_submission builds the submission before adding it to the
# session, which SQLAlchemy 2 reports as an SAWarning; nbgrader's own tests see the same.
pytestmark = pytest.mark.filterwarnings("ignore:Object of type <Submitted:sqlalchemy.exc.SAWarning")


def _submit(root: Path, course_id: str, student: str, needs_person: bool) -> None:
    """A submission with one autograded and one manually graded cell, as autograde leaves it."""
    with open_gradebook(root, course_id) as gb:
        gb.update_or_create_assignment("add-up")
        try:
            gb.find_notebook("add-up", "add-up")
        except Exception:
            gb.add_notebook("add-up", "add-up")
            gb.add_grade_cell("auto", "add-up", "add-up", max_score=1, cell_type="code")
            gb.add_grade_cell("essay", "add-up", "add-up", max_score=2, cell_type="markdown")
        gb.update_or_create_student(student)
        gb.add_submission("add-up", student)
        for grade in gb.find_submission_notebook("add-up", "add-up", student).grades:
            grade.auto_score = 1 if grade.name == "auto" else None
            grade.needs_manual_grade = needs_person and grade.name == "essay"
            if grade.name == "essay" and not needs_person:
                grade.manual_score = 2
        gb.db.commit()


def test_roster_and_due_dates_reach_the_gradebook_and_stay(academy: Path) -> None:
    create(academy, load_valid(academy))
    store = Store(academy)
    ops.enrol(store, "run-a", KNOWN, usernames=["learner1", "learner2"])
    run = store.snapshot().course("run-a")
    first = sync_roster(academy, build_roster(run, store.snapshot().people), run.assignments)
    assert first.added == ("learner1", "learner2") and first.due_dates == ("add-up",)
    _submit(academy, "run-a", "learner2", needs_person=False)
    with open_gradebook(academy, "run-a") as gb:
        assert gb.find_assignment("add-up").duedate == dt.datetime(2026, 10, 31, 23, 59)
        assert gb.find_submission("add-up", "learner2").score == 3
    # Withdrawing a learner keeps their submission and grade in the gradebook.
    ops.unenrol(store, "run-a", ["learner2"], today=dt.date(2026, 10, 2))
    run = store.snapshot().course("run-a")
    again = sync_roster(academy, build_roster(run, store.snapshot().people), run.assignments)
    assert again.added == () and again.due_dates == () and again.unexpected == ()
    assert students_in(academy, "run-a") == {"learner1": 0, "learner2": 1}
    with open_gradebook(academy, "run-a") as gb:
        assert gb.find_submission("add-up", "learner2").score == 3


def test_gradebook_drift_is_reported(academy: Path) -> None:
    create(academy, load_valid(academy))
    store = Store(academy)
    ops.enrol(store, "run-a", KNOWN, usernames=["learner1"])
    _submit(academy, "run-a", "stranger", needs_person=False)
    run = store.snapshot().course("run-a")
    report = sync_roster(academy, build_roster(run, store.snapshot().people), run.assignments)
    assert report.unexpected == ("stranger",)


def test_a_tutor_with_grades_in_progress_cannot_be_removed(academy: Path) -> None:
    create(academy, load_valid(academy), tutors=("tutor1", "tutor2"))
    store = Store(academy)
    ops.enrol(store, "run-a", KNOWN, usernames=["learner1", "learner2"])
    _submit(academy, "run-a", "learner1", needs_person=True)
    _submit(academy, "run-a", "learner2", needs_person=False)
    run = store.snapshot().course("run-a")
    assert marking_open(academy, run) == {"add-up": 1}
    with pytest.raises(
        EnrolmentError,
        match=r"tutor1 has grades in progress in run-a: add-up "
        r"\(1 submission\(s\)\) still need manual grading",
    ):
        ops.unenrol(
            store,
            "run-a",
            ["tutor1"],
            role="tutor",
            today=dt.date(2026, 10, 2),
            open_marking=open_marking(academy),
        )
    assert store.snapshot().course("run-a").tutors == ("tutor1", "tutor2")
    # Once that marking is done, the tutor may go.
    with open_gradebook(academy, "run-a") as gb:
        for grade in gb.find_submission_notebook("add-up", "add-up", "learner1").grades:
            if grade.name == "essay":
                grade.manual_score = 1
                grade.needs_manual_grade = False
        gb.db.commit()
    ops.unenrol(
        store,
        "run-a",
        ["tutor1"],
        role="tutor",
        today=dt.date(2026, 10, 2),
        open_marking=open_marking(academy),
    )
    assert store.snapshot().course("run-a").tutors == ("tutor2",)
