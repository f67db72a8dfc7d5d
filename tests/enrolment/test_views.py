"""The learner view's building blocks: nbgrader's feedback names, own-work only, escaping."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from nbgrader.utils import notebook_hash

from digital_academy.enrolment.learner_view import render
from digital_academy.enrolment.model import AssignmentPlan, CourseRun, Withdrawal
from digital_academy.enrolment.nbgrader_auth import courses_from_groups
from digital_academy.enrolment.overview import (
    AssignmentView,
    RunView,
    feedback_hash,
    feedback_page,
    overview,
)

RUN = CourseRun(
    id="run-a",
    academy="data",
    title="Data <b>run</b>",
    starts=dt.date(2026, 9, 1),
    ends=dt.date(2026, 12, 1),
    tutors=("tutor-a",),
    learners=("learner1",),
    withdrawn=(Withdrawal(username="learner9", on=dt.date(2026, 10, 1)),),
    assignments=(AssignmentPlan(id="add-up", due=dt.datetime(2026, 10, 30, 17, tzinfo=dt.UTC)),),
)


def test_feedback_name_is_nbgraders() -> None:
    assert feedback_hash("s3cret", "add-up") == notebook_hash(secret="s3cret", notebook_id="add-up")


def _exchange(tmp_path: Path) -> Path:
    ex = tmp_path / "exchange"
    (ex / "run-a/outbound/add-up").mkdir(parents=True)
    for user, stamp in (
        ("learner1", "2026-10-01 10:00:00 UTC"),
        ("learner1", "2026-10-02 10:00:00 UTC"),
        ("learner9", "2026-10-01 09:00:00 UTC"),
        ("learner10", "2026-10-03 09:00:00 UTC"),
    ):
        sub = ex / "run-a/inbound" / f"{user}+add-up+{stamp}+xyz"
        sub.mkdir(parents=True)
        (sub / "add-up.ipynb").write_text("{}")
        (sub / "submission_secret.txt").write_text(f"secret-{user}-{stamp}")
    (ex / "run-a/feedback").mkdir()
    for user, stamp in (
        ("learner1", "2026-10-02 10:00:00 UTC"),
        ("learner9", "2026-10-01 09:00:00 UTC"),
    ):
        name = feedback_hash(f"secret-{user}-{stamp}", "add-up")
        (ex / "run-a/feedback" / f"{name}.html").write_text(f"feedback for {user}")
    return ex


def test_each_person_sees_only_their_own_work(tmp_path: Path) -> None:
    ex = _exchange(tmp_path)
    titles = {"add-up": "Adding up"}
    [mine] = overview([RUN], "learner1", ex, titles)
    assert mine.role == "learner"
    assert mine.assignments == (
        AssignmentView(
            "add-up",
            "Adding up",
            RUN.assignments[0].due,
            True,
            "2026-10-02 10:00:00 UTC",
            ("add-up",),
        ),
    )
    [gone] = overview([RUN], "learner9", ex, titles)
    assert gone.role == "withdrawn" and gone.assignments[0].released is False
    [tutor] = overview([RUN], "tutor-a", ex, titles)
    assert tutor.grading_service == "formgrader-run-a" and tutor.assignments[0].submitted is None
    assert overview([RUN], "learner10", ex, titles) == []  # not in the run: nothing
    page = feedback_page([RUN], "learner1", ex, "run-a", "add-up", "add-up")
    assert page is not None and page.read_text() == "feedback for learner1"
    assert feedback_page([RUN], "learner10", ex, "run-a", "add-up", "add-up") is None
    assert feedback_page([RUN], "tutor-a", ex, "run-a", "add-up", "add-up") is None
    assert feedback_page([RUN], "learner1", ex, "run-b", "add-up", "add-up") is None


def test_the_page_escapes_everything() -> None:
    view = RunView(
        "run-a",
        "<script>alert(1)</script>",
        "data",
        "learner",
        dt.date(2026, 9, 1),
        dt.date(2026, 12, 1),
        (AssignmentView("add-up", "A & B", None, True),),
    )
    html = render("learner1", [view], "/services/courses/", "/")
    assert "<script>" not in html and "&lt;script&gt;" in html and "A &amp; B" in html
    assert "no due date" in html and "fetch it from the Assignments list" in html


def test_nbgrader_course_check_reads_runs_from_groups() -> None:
    assert courses_from_groups(
        ["learners", "learners-run-a", "tutors-run-b", "other", "learners-"]
    ) == ["run-a", "run-b"]
