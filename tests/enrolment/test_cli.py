"""``academy course ...`` end to end through the command line (no hub running)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from digital_academy.cli.main import cli
from digital_academy.enrolment.store import enrolment_dir

from .factory import snapshot

#: A plain run the tests below start from.
CREATE_A = (
    *("create", "run-a", "--academy", "data", "--title", "A"),
    *("--starts", "2026-09-01", "--ends", "2026-12-18"),
)


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["course", *args[:1], "--root", str(root), *args[1:]])


def test_second_course_tour(academy: Path) -> None:
    made = run(
        academy,
        "create",
        "spc-autumn",
        "--academy",
        "data",
        "--title",
        "SPC autumn",
        "--starts",
        "2026-09-01",
        "--ends",
        "2026-12-18",
        "--tutor",
        "tutor1",
        "--assignment",
        "add-up@2026-10-31",
    )
    assert made.exit_code == 0, made.output
    assert "created course run spc-autumn" in made.output
    roster = academy / "cohort.csv"
    roster.write_text("username,first_name,last_name\nlearner3,Asha,Patel\n", "utf-8")
    enrolled = run(academy, "enrol", "spc-autumn", "learner1", "--csv", str(roster))
    assert enrolled.exit_code == 0, enrolled.output
    assert "learner1, learner3" in enrolled.output
    shown = run(academy, "show", "spc-autumn", "--format", "json")
    data = json.loads(shown.output)
    assert data["learners"] == ["learner1", "learner3"]
    assert data["hub"] == {
        "groups": ["learners-spc-autumn", "tutors-spc-autumn"],
        "grading_service": "formgrader-spc-autumn",
    }
    listed = run(academy, "list", "--format", "json")
    assert [r["id"] for r in json.loads(listed.output)] == ["spc-autumn"]
    table = run(academy, "show", "spc-autumn")
    assert "2026-10-31 23:59" in table.output and "learner3" in table.output
    out = run(academy, "unenrol", "spc-autumn", "learner3", "--reason", "left")
    assert out.exit_code == 0, out.output
    assert "withdrawn" in run(academy, "show", "spc-autumn").output


def test_bad_input_is_one_clear_line_exit_1_and_changes_nothing(academy: Path) -> None:
    assert run(academy, *CREATE_A).exit_code == 0
    before = snapshot(enrolment_dir(academy))
    bad = academy / "bad.csv"
    bad.write_text("username,email\nok-person,\nlearner2,nope\n", "utf-8")
    cases = {
        CREATE_A: "course run 'run-a' already exists",
        ("enrol", "run-a", "ghost"): "unknown learner(s) 'ghost'",
        ("enrol", "run-a", "--csv", str(bad)): "line 3, field email: 'nope' is not an email",
        ("enrol", "run-z", "learner1"): "no course run 'run-z' (known: run-a)",
        ("unenrol", "run-a", "tutor1", "--role", "tutor"): "tutor1 is not a tutor of run-a",
        (
            "create",
            "run-b",
            "--academy",
            "data",
            "--title",
            "B",
            "--starts",
            "2026-13-01",
            "--ends",
            "2026-12-18",
        ): "--starts '2026-13-01' is not a date; use YYYY-MM-DD",
        ("assign", "run-a", "add-up", "--due", "soon"): "--due 'soon' is not a date",
        ("show", "run-q"): "no course run 'run-q'",
    }
    for args, message in cases.items():
        result = run(academy, *args)
        assert result.exit_code == 1, (args, result.output)
        assert message in result.output, (args, result.output)
        assert "Traceback" not in result.output
        assert snapshot(enrolment_dir(academy)) == before, args


def test_an_unknown_tutor_is_called_a_tutor(academy: Path) -> None:
    made = run(academy, *CREATE_A, "--tutor", "ghost")
    assert made.exit_code == 1, made.output
    assert "unknown tutor(s) 'ghost'" in made.output and "learner" not in made.output
    assert "create the run without them" in made.output
    assert not (enrolment_dir(academy) / "courses").exists()
    assert run(academy, *CREATE_A).exit_code == 0
    before = snapshot(enrolment_dir(academy))
    enrolled = run(academy, "enrol", "run-a", "ghost", "--role", "tutor")
    assert enrolled.exit_code == 1, enrolled.output
    assert "unknown tutor(s) 'ghost'" in enrolled.output, enrolled.output
    assert "unknown learner" not in enrolled.output
    assert snapshot(enrolment_dir(academy)) == before


def test_list_with_no_runs(academy: Path) -> None:
    result = run(academy, "list")
    assert result.exit_code == 0
    assert "no course runs yet" in result.output


def test_sync_without_a_hub_updates_the_gradebook(academy: Path) -> None:
    assert run(academy, *CREATE_A, "--assignment", "add-up@2026-10-31", "--no-sync").exit_code == 0
    assert run(academy, "enrol", "run-a", "learner1", "--no-sync").exit_code == 0
    (academy / ".academy/grading/run-a").mkdir(parents=True)  # the hub prepared the run
    result = run(academy, "sync", "run-a")
    assert result.exit_code == 0, result.output
    assert "no hub running" in result.output
    assert "gradebook run-a: 1 added, 0 updated, 1 due date(s) set" in result.output
    dry = run(academy, "sync", "--dry-run", "--format", "json")
    assert json.loads(dry.output)["hub"] is False
