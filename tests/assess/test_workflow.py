"""The whole tutor loop through the ``academy assess`` CLI, on real nbgrader and real kernels.

release -> learners fetch and submit -> collect -> autograde (sandboxed, parallel) ->
manual grade in a real formgrader server -> feedback (hidden checks withheld) -> learners
fetch feedback -> export -> verify. The learner side uses nbgrader's exchange API with the
hub user name as identity (JUPYTERHUB_USER style), not a running hub: the hub's own tests
cover the same exchange from inside JupyterHub.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange.default import (
    ExchangeFetchAssignment,
    ExchangeFetchFeedback,
    ExchangeSubmit,
)
from traitlets.config import Config

from digital_academy.assess import evidence, formgrader
from digital_academy.assess.gradebook import open_gradebook
from digital_academy.assess.settings import CourseRun
from digital_academy.cli.main import cli

from .factory import ASSESSMENT, HARDCODED, HIDDEN_ADD, RIGHT, answered

pytestmark = [
    pytest.mark.slow,
    # nbgrader 0.9.6's release_feedback and fetch_feedback read timestamp.txt without
    # closing it; the ResourceWarning surfaces when the file object is collected.
    pytest.mark.filterwarnings(
        r"ignore:Exception ignored in.*timestamp\.txt:pytest.PytestUnraisableExceptionWarning"
    ),
]

COURSE = "demo"


def _academy(root: Path, *args: str) -> Result:
    result = CliRunner().invoke(cli, [*args, "--root", str(root)], catch_exceptions=False)
    return result


def _ok(root: Path, *args: str) -> Result:
    result = _academy(root, *args)
    assert result.exit_code == 0, result.output
    return result


def _learner(root: Path, course: CourseRun, user: str, edit: Any) -> None:
    """One learner fetches, answers and submits, as the hub user ``user``."""

    home = root / "homes" / user
    home.mkdir(parents=True, exist_ok=True)
    config = Config()
    config.CourseDirectory.root = str(home)
    config.CourseDirectory.course_id = COURSE
    config.CourseDirectory.assignment_id = ASSESSMENT
    config.CourseDirectory.student_id = user  # the hub identity, never the OS user
    config.Exchange.root = str(course.exchange)
    config.Exchange.cache = str(home / ".cache")
    config.Exchange.assignment_dir = str(home)
    coursedir = CourseDirectory(config=config)
    auth = Authenticator(config=config)
    ExchangeFetchAssignment(coursedir=coursedir, authenticator=auth, config=config).start()
    path = home / ASSESSMENT / f"{ASSESSMENT}.ipynb"
    path.write_text(json.dumps(edit(json.loads(path.read_text()))), "utf-8")
    ExchangeSubmit(coursedir=coursedir, authenticator=auth, config=config).start()


def _fetch_feedback(root: Path, course: CourseRun, user: str) -> str:

    home = root / "homes" / user
    config = Config()
    config.CourseDirectory.root = str(home)
    config.CourseDirectory.course_id = COURSE
    config.CourseDirectory.assignment_id = ASSESSMENT
    config.CourseDirectory.student_id = user
    config.Exchange.root = str(course.exchange)
    config.Exchange.cache = str(home / ".cache")
    config.Exchange.assignment_dir = str(home)
    ExchangeFetchFeedback(
        coursedir=CourseDirectory(config=config),
        authenticator=Authenticator(config=config),
        config=config,
    ).start()
    pages = sorted((home / ASSESSMENT / "feedback").glob("*/*.html"))
    assert pages, f"no feedback fetched for {user}"
    return pages[-1].read_text("utf-8")


def _edited(release: dict[str, Any]) -> dict[str, Any]:
    """Right answers, but the learner deleted the mean tests and added a cell of their own."""
    nb = answered(release, RIGHT)
    nb["cells"] = [
        c
        for c in nb["cells"]
        if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") != "mean-tests"
    ]
    nb["cells"].insert(
        3,
        {
            "cell_type": "code",
            "metadata": {},
            "source": "print('mine')",
            "outputs": [],
            "execution_count": None,
        },
    )
    return nb


@pytest.fixture(scope="module")
def loop(academy: Path) -> Iterator[dict[str, Any]]:
    course = CourseRun(academy, COURSE)
    roster = academy / "roster.csv"
    roster.write_text(
        "id,first_name,last_name,email\nlearner1,Ada,Lovelace,ada@example.org\n"
        "learner2,Alan,Turing,alan@example.org\nlearner3,Grace,Hopper,\n",
        "utf-8",
    )
    out: dict[str, Any] = {"course": course}
    out["generate"] = _ok(academy, "assess", "generate", ASSESSMENT)
    out["release"] = _ok(academy, "assess", "release", ASSESSMENT, "--roster", str(roster))
    _learner(academy, course, "learner1", lambda nb: answered(nb, RIGHT))
    _learner(academy, course, "learner2", lambda nb: answered(nb, HARDCODED))
    _learner(academy, course, "learner3", _edited)
    out["collect"] = _ok(academy, "assess", "collect", ASSESSMENT)
    out["autograde"] = _ok(
        academy, "assess", "autograde", ASSESSMENT, "--workers", "2", "--cell-seconds", "20"
    )
    out["again"] = _ok(academy, "assess", "autograde", ASSESSMENT, "--format", "json")
    server = formgrader.start(course)
    try:
        subs = server.api(f"submitted_notebooks/{ASSESSMENT}/{ASSESSMENT}")
        sub = next(s for s in subs if s["student"] == "learner1")  # type: ignore[union-attr]
        grades = server.api(f"grades?submission_id={sub['id']}")
        why = next(g for g in grades if g["name"] == "why-answer")  # type: ignore[union-attr]
        out["formgrader"] = server.api(
            f"grade/{why['id']}", "PUT", {"manual_score": 2, "extra_credit": None}
        )
    finally:
        server.stop()
    out["override"] = _ok(
        academy,
        "assess",
        "grade",
        ASSESSMENT,
        "--student",
        "learner2",
        "--cell",
        "why-answer",
        "--score",
        "1",
        "--reason",
        "partly right: names the empty list",
        "--grader",
        "tutor1",
    )
    _ok(
        academy,
        "assess",
        "grade",
        ASSESSMENT,
        "--student",
        "learner3",
        "--cell",
        "why-answer",
        "--score",
        "0",
        "--reason",
        "no answer",
        "--grader",
        "tutor1",
    )
    out["feedback"] = _ok(academy, "assess", "feedback", ASSESSMENT)
    out["pages"] = {u: _fetch_feedback(academy, course, u) for u in ("learner1", "learner2")}
    out["moodle"] = _ok(academy, "assess", "export", ASSESSMENT, "--to", "moodle").output
    out["canvas"] = _ok(academy, "assess", "export", ASSESSMENT, "--to", "canvas").output
    out["competencies"] = _ok(
        academy, "assess", "export", ASSESSMENT, "--to", "competencies"
    ).output
    out["verify"] = _ok(academy, "assess", "verify", ASSESSMENT, "--sample", "3", "--seed", "1")
    out["log"] = _ok(academy, "assess", "log", "--format", "json")
    yield out


def test_generate_release_collect(loop: dict[str, Any]) -> None:
    course: CourseRun = loop["course"]
    assert "add-tests" in loop["generate"].output and "passed" in loop["generate"].output
    release = json.loads(course.path("release", ASSESSMENT, f"{ASSESSMENT}.ipynb").read_text())
    text = json.dumps(release)
    assert "secret-value-1729" not in text and "return a + b" not in text
    assert "public checks passed, hidden checks run at grading" in text
    assert "all tests passed" not in text.lower()
    assert "3 learner(s)" in loop["release"].output
    assert "3 submission(s)" in loop["collect"].output


def test_autograde_grades_flags_and_resumes(loop: dict[str, Any]) -> None:
    output = loop["autograde"].output
    assert re.search(r"2 graded, 1 flagged, 0 unchanged, 0 not graded", output), output
    again = json.loads(loop["again"].output)
    assert [r["status"] for r in again["rows"]] == ["skipped"] * 3
    course: CourseRun = loop["course"]
    with open_gradebook(course) as gb:
        auto = {
            s: {
                g.name: g.auto_score
                for g in gb.find_submission_notebook(ASSESSMENT, ASSESSMENT, s).grades
            }
            for s in ("learner1", "learner2", "learner3")
        }
        flagged = gb.find_submission_notebook(ASSESSMENT, ASSESSMENT, "learner3").flagged
    # nobody answered the written question: nbgrader scores an unchanged answer 0
    assert auto["learner1"] == {"add-tests": 2, "mean-tests": 1, "why-answer": 0}
    assert auto["learner2"] == {"add-tests": 0, "mean-tests": 1, "why-answer": 0}
    assert auto["learner3"] == {"add-tests": 2, "mean-tests": 1, "why-answer": 0}
    assert flagged


def test_manual_grades_are_logged_with_who_and_why(loop: dict[str, Any]) -> None:
    assert loop["formgrader"]["manual_score"] == 2
    entries = json.loads(loop["log"].output)
    manual = [e for e in entries if e["kind"] == "manual-grade"]
    by_student = {e["student"]: e for e in manual}
    assert by_student["learner1"]["actor"].startswith("unattributed")
    assert by_student["learner1"]["source"] == "formgrader"
    assert by_student["learner2"]["actor"] == "tutor1"
    assert by_student["learner2"]["reason"] == "partly right: names the empty list"
    assert json.loads(by_student["learner2"]["payload"])["new"] == 1
    assert "chain intact" in loop["log"].output or entries  # JSON mode prints entries only


def test_feedback_keeps_hidden_checks_hidden(loop: dict[str, Any]) -> None:
    for user, page in loop["pages"].items():
        plain = re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", page))
        for line in HIDDEN_ADD.splitlines():
            assert re.sub(r"\s+", "", line) not in plain, user
        assert "secret-value-1729" not in page and "OFFSET,4" not in plain
        assert "allt" not in plain.lower().replace("publicchecks", "")
        assert "publicchecks" in plain.lower()
    assert "Hiddenchecks:notpassed" in re.sub(
        r"\s+", "", re.sub(r"<[^>]+>", "", loop["pages"]["learner2"])
    )
    assert "Hiddenchecks:passed" in re.sub(
        r"\s+", "", re.sub(r"<[^>]+>", "", loop["pages"]["learner1"])
    )


def test_exports_in_moodle_canvas_and_competency_shapes(loop: dict[str, Any]) -> None:
    moodle = {r["Username"]: r for r in csv.DictReader(io.StringIO(loop["moodle"]))}
    assert moodle["learner1"]["Quiz one"] == "5" and moodle["learner1"]["First name"] == "Ada"
    assert moodle["learner2"]["Quiz one"] == "2" and moodle["learner3"]["Quiz one"] == "3"
    canvas = list(csv.reader(io.StringIO(loop["canvas"])))
    assert canvas[0][-1] == "Quiz one (quiz-one)" and canvas[1][0] == "Points Possible"
    rows = list(csv.DictReader(io.StringIO(loop["competencies"])))
    results = {(r["learner"], r["competency"]): r["result"] for r in rows}
    assert results[("learner1", "fw:D1")] == "achieved"
    assert results[("learner2", "fw:D2")] == "not yet"
    assert all(r["statement"] for r in rows) and all(r["evidence"] for r in rows)


def test_verify_regrades_a_sample_identically(loop: dict[str, Any]) -> None:
    output = loop["verify"].output
    assert output.count("yes") == 3 and "NO" not in output and "intact" in output
    course: CourseRun = loop["course"]
    with open_gradebook(course) as gb:
        report = evidence.verify_chain(gb.db.connection())
    assert report.problems == () and report.unsealed == 0


def test_bad_input_gives_one_clear_line_and_changes_nothing(
    academy: Path, loop: dict[str, Any]
) -> None:
    course: CourseRun = loop["course"]
    before = (course.folder / "gradebook.db").read_bytes()
    bad_roster = academy / "bad.csv"
    bad_roster.write_text("id\nlearner1\nnot a user\n", "utf-8")
    cases = [
        (["assess", "generate", "no-such-assessment"], "no assessment 'no-such-assessment'"),
        (["assess", "release", ASSESSMENT, "--roster", str(bad_roster)], "line 3, field 'id'"),
        (["assess", "autograde", ASSESSMENT, "--student", "nobody"], "no submission"),
        (
            [
                "assess",
                "grade",
                ASSESSMENT,
                "--student",
                "learner1",
                "--cell",
                "why-answer",
                "--score",
                "9",
                "--reason",
                "typo",
            ],
            "outside 0..2",
        ),
        (
            [
                "assess",
                "grade",
                ASSESSMENT,
                "--student",
                "learner1",
                "--cell",
                "nope",
                "--score",
                "1",
                "--reason",
                "x",
            ],
            "no graded cell 'nope'",
        ),
        (["assess", "autograde", "other", "--course", "second-run"], "has not been generated"),
        (["assess", "autograde", ASSESSMENT, "--course", "Bad Id"], "is not valid"),
    ]
    for args, message in cases:
        result = _academy(academy, *args)
        assert result.exit_code == 1, (args, result.output)
        assert message in result.output, (args, result.output)
        assert "Traceback" not in result.output
    assert (course.folder / "gradebook.db").read_bytes() == before
