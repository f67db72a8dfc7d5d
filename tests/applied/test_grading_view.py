"""Marking in the grading view: a tutor scores each criterion in a real formgrader server,
through the HTTP API its grading page calls (no browser is driven here), and the scores
are imported as that tutor's rubric mark."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from digital_academy.applied.capstone import load_capstone
from digital_academy.applied.gradebook_link import grading_run
from digital_academy.applied.marking import read_state
from digital_academy.assess import formgrader
from digital_academy.assess.batch import autograde
from digital_academy.assess.settings import Settings

from .factory import course_run, submit_answers, tree

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
    repo: Path,
    state: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    academy: Callable[..., str],
) -> None:
    def mark_from_view(learner: str, *args: str, ok: bool = True) -> str:
        base = ("capstone", "mark", CAPSTONE, "--course", COURSE, "--as", "tutor1")
        return academy(*base, "--learner", learner, "--from-grading-view", *args, ok=ok)

    course_run(repo, COURSE, ("tutor1",), ("learner1", "learner2"), "Leaders")
    academy("capstone", "release", CAPSTONE, "--course", COURSE, "--as", "tutor1")
    submit_answers(repo, COURSE, CAPSTONE, tmp_path / "homes", ("learner1", "learner2"))
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

    out = mark_from_view("learner1", "--overall", "Strong start.")
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
    out = mark_from_view("learner2", ok=False)
    assert out.startswith("error: criterion 'problem-and-benefits' of learner2 is not graded")
    out = mark_from_view("learner2", "--level", "inclusion=1", ok=False)
    assert "or --from-grading-view" in out
    assert tree(state / "applied") == before
