"""Marking in the grading view: a tutor scores each criterion in a real formgrader server,
through the HTTP API its grading page calls (no browser is driven here), and the scores
are imported as that tutor's rubric mark."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from digital_academy.applied.capstone import load_capstone
from digital_academy.applied.gradebook_link import grading_run
from digital_academy.applied.marking import read_state
from digital_academy.assess import formgrader
from digital_academy.assess.batch import autograde
from digital_academy.assess.settings import Settings
from digital_academy.catalog import check as check_catalog
from digital_academy.cli.main import cli
from digital_academy.enrolment import ops
from digital_academy.enrolment.store import Store

from .factory import answer_all, nbgrader_learner, tree

CAPSTONE = "digital-change-project"
COURSE = "leaders-view"
SCORES = {
    "problem-and-benefits": 4,
    "evidence-and-measurement": 3,
    "people-and-adoption": 2,
    "inclusion": 3,
    "safety-and-governance": 1,
    "reflection": 0,
}


def _grade_in_formgrader(server: formgrader.Formgrader, learner: str) -> None:
    """What the tutor's clicks in formgrader's grading page send."""
    notebooks: Any = server.api(f"submitted_notebooks/{CAPSTONE}/{CAPSTONE}")
    submission = next(n for n in notebooks if n["student"] == learner)
    grades: Any = server.api(f"grades?submission_id={submission['id']}")
    for grade in grades:
        server.api(
            f"grade/{grade['id']}",
            "PUT",
            {"manual_score": SCORES[grade["name"]], "extra_credit": 0},
        )
    comments: Any = server.api(f"comments?submission_id={submission['id']}")
    for comment in comments:
        if comment["name"] == "inclusion":
            server.api(
                f"comment/{comment['id']}",
                "PUT",
                {"manual_comment": "Good use of local uptake data."},
            )


@pytest.mark.slow
def test_levels_entered_in_formgrader_become_the_tutors_mark(
    repo: Path, state: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()

    def academy(*args: str, ok: bool = True) -> str:
        result = runner.invoke(cli, [*args, "--root", str(repo)])
        if ok:
            assert result.exit_code == 0, result.output
        return result.output

    store = Store(repo)
    ops.create_course(
        store,
        check_catalog(repo).catalog,
        ("tutor1",),
        course_id=COURSE,
        academy="digital-leadership",
        title="Leaders",
        starts=dt.date(2026, 1, 5),
        ends=dt.date(2026, 7, 31),
        tutors=("tutor1",),
    )
    ops.enrol(store, COURSE, ("learner1", "learner2"), usernames=("learner1", "learner2"))
    academy("capstone", "release", CAPSTONE, "--course", COURSE, "--as", "tutor1")
    for learner in ("learner1", "learner2"):
        home = tmp_path / learner
        home.mkdir()
        answer_all(nbgrader_learner(repo, COURSE, CAPSTONE, home, learner, "fetch"), learner)
        nbgrader_learner(repo, COURSE, CAPSTONE, home, learner, "submit")
    academy("capstone", "collect", CAPSTONE, "--course", COURSE, "--as", "tutor1")
    course = grading_run(repo, COURSE)
    report = autograde(course, CAPSTONE, Settings.from_env())  # formgrader lists graded work
    assert {r.status for r in report.rows} == {"graded"}

    if os.geteuid() == 0:
        # assess.formgrader.start does not pass --allow-root yet (requested in the report);
        # as root, jupyter_server refuses to start without it. Extra config on the search path:
        extra = tmp_path / "jupyter-config"
        extra.mkdir()
        (extra / "jupyter_server_config.json").write_text(
            json.dumps({"ServerApp": {"allow_root": True}}), "utf-8"
        )
        monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(extra))
    server = formgrader.start(course)
    try:
        _grade_in_formgrader(server, "learner1")
    finally:
        server.stop()

    out = academy(
        "capstone",
        "mark",
        CAPSTONE,
        "--course",
        COURSE,
        "--as",
        "tutor1",
        "--learner",
        "learner1",
        "--from-grading-view",
        "--overall",
        "Strong start.",
    )
    assert "recorded first mark of learner1 by tutor1" in out
    mark = read_state(repo, COURSE, CAPSTONE).learners["learner1"].marks["first"]
    cap = load_capstone(repo, CAPSTONE)
    assert mark.scores == {k: float(v) for k, v in SCORES.items()}
    assert mark.levels["problem-and-benefits"] == "exemplary"
    assert mark.levels["reflection"] == "not-evidenced"
    assert mark.comments == {"inclusion": "Good use of local uptake data."}
    assert mark.overall == "Strong start."
    expected = sum(c.weight * SCORES[c.id] / 4 for c in cap.rubric.criteria)
    assert mark.total == pytest.approx(expected)

    # learner2 was never graded in formgrader: refused, nothing written.
    before = tree(state / "applied")
    out = academy(
        "capstone",
        "mark",
        CAPSTONE,
        "--course",
        COURSE,
        "--as",
        "tutor1",
        "--learner",
        "learner2",
        "--from-grading-view",
        ok=False,
    )
    assert out.startswith("error: criterion 'problem-and-benefits' of learner2 is not graded")
    out = academy(
        "capstone",
        "mark",
        CAPSTONE,
        "--course",
        COURSE,
        "--as",
        "tutor1",
        "--learner",
        "learner2",
        "--from-grading-view",
        "--level",
        "inclusion=1",
        ok=False,
    )
    assert "or --from-grading-view" in out
    assert tree(state / "applied") == before
