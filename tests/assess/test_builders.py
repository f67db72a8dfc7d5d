"""Pure builders: settings, nbgrader config, rosters, exports and learners' feedback copies."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from traitlets.config.loader import PyFileConfigLoader

from digital_academy.assess import export, feedback, outputs, settings
from digital_academy.assess.roster import RosterError, from_csv
from digital_academy.catalog import Assessment

from .test_structure import _master


def test_gradebook_urls_are_per_course_run(tmp_path: Path) -> None:
    assert settings.db_url(None, "demo", tmp_path) == f"sqlite:///{tmp_path}/gradebook.db"
    pg = "postgresql+psycopg://grader@127.0.0.1:5432/gradebook_{course_id}"
    assert settings.db_url(pg, "analysts-2026", tmp_path).endswith("/gradebook_analysts_2026")
    with pytest.raises(settings.SettingsError, match="course_id"):
        settings.db_url("postgresql+psycopg://grader@db/gradebook", "demo", tmp_path)
    with pytest.raises(settings.SettingsError, match="not valid"):
        settings.CourseRun(tmp_path, "Demo Course")


def test_nbgrader_config_is_built_from_the_course_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACADEMY_STATE_DIR", str(tmp_path / "state"))
    course = settings.CourseRun(tmp_path, "demo")
    config = settings.nbgrader_config(course, {"ClearSolutions": {"code_stub": {"python": "x"}}})
    assert config == {
        "ClearSolutions": {"code_stub": {"python": "x"}},
        "CourseDirectory": {
            "root": str(tmp_path / "state/grading/demo"),
            "course_id": "demo",
            "db_url": f"sqlite:///{tmp_path}/state/grading/demo/gradebook.db",
        },
        "Exchange": {"root": str(tmp_path / "state/exchange")},
        "GenerateAssignment": {"preprocessors": list(settings.GENERATE_PREPROCESSORS)},
        "NbGraderAPI": {"log_level": "WARN"},
    }
    (tmp_path / "nbgrader_config.py").write_text(settings.config_file_text(config), "utf-8")
    loaded = PyFileConfigLoader("nbgrader_config.py", str(tmp_path)).load_config()
    assert loaded.CourseDirectory.course_id == "demo"
    assert loaded.GenerateAssignment.preprocessors == list(settings.GENERATE_PREPROCESSORS)
    order = settings.GENERATE_PREPROCESSORS
    assert (
        order.index("digital_academy.assess.announce.AnnouncePublicChecks")
        == order.index("nbgrader.preprocessors.SaveCells") + 1
    )


def test_roster_csv_errors_name_the_line_and_field(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("id,first_name,email\nlearner1,Ada,ada@example.org\nlearner2,,\n", "utf-8")
    assert [(x.id, x.first_name) for x in from_csv(good)] == [
        ("learner1", "Ada"),
        ("learner2", None),
    ]
    cases = {
        "name,email\nx,y\n": "line 1 needs an 'id' column",
        "id,shoe_size\nx,9\n": "unknown column(s) shoe_size",
        "id\nlearner1\nbad user\n": "line 3, field 'id'",
        "id\nlearner1\nlearner1\n": "line 3: learner 'learner1' is listed twice",
    }
    for body, message in cases.items():
        path = tmp_path / "bad.csv"
        path.write_text(body, "utf-8")
        with pytest.raises(RosterError, match=message.replace("(", r"\(").replace(")", r"\)")):
            from_csv(path)


def _grades() -> list[export.Grade]:
    return [
        export.Grade(
            "learner1",
            "Ada",
            "Lovelace",
            "ada@example.org",
            "1001",
            "quiz-one",
            4.0,
            5.0,
            False,
            0.0,
            "abc",
        ),
        export.Grade("learner2", "", "", "", "", "quiz-one", 3.0, 5.0, True, 0.0, "def"),
        export.Grade("learner3", "", "", "", "", "quiz-one", None, 5.0, False, 0.0, ""),
    ]


def test_moodle_and_canvas_csv_shapes() -> None:
    moodle = list(csv.reader(io.StringIO(export.moodle_csv(_grades(), {"quiz-one": "Quiz one"}))))
    assert moodle[0] == [
        "Username",
        "ID number",
        "Email address",
        "First name",
        "Last name",
        "Quiz one",
    ]
    assert moodle[1] == ["learner1", "1001", "ada@example.org", "Ada", "Lovelace", "4"]
    assert moodle[2][-1] == "" and moodle[3][-1] == ""  # pending manual grade, not submitted
    canvas = list(csv.reader(io.StringIO(export.canvas_csv(_grades(), {"quiz-one": "Quiz one"}))))
    assert canvas[0] == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        "Quiz one (quiz-one)",
    ]
    assert canvas[1] == ["Points Possible", "", "", "", "", "5"]
    assert canvas[2] == ["Lovelace, Ada", "1001", "1001", "learner1", "", "4"]


def test_competency_results_follow_the_assessment_mapping() -> None:
    spec = Assessment(
        id="quiz-one",
        title="Quiz one",
        module="mod-one",
        competencies=("fw:D1", "fw:D2"),
        pass_mark=0.6,
        methods=("code",),
    )
    rows = export.competency_rows(_grades(), {"quiz-one": spec}, None)
    results = {(r["learner"], r["competency"]): r["result"] for r in rows}
    assert results == {
        ("learner1", "fw:D1"): "achieved",
        ("learner1", "fw:D2"): "achieved",
        ("learner2", "fw:D1"): "pending",
        ("learner2", "fw:D2"): "pending",
        ("learner3", "fw:D1"): "not submitted",
        ("learner3", "fw:D2"): "not submitted",
    }
    assert rows[0]["percent"] == "80" and rows[0]["evidence"] == "abc"
    text = export.competencies_csv(rows)
    assert text.splitlines()[0].startswith("learner,assessment,competency,framework,code")


def test_learner_copy_keeps_visible_outputs_only() -> None:
    m = _master()
    visible = {"output_type": "stream", "name": "stdout", "text": "visible output\n"}
    hidden = {
        "output_type": "error",
        "ename": "AssertionError",
        "evalue": "add(OFFSET, 4) should be 7 (secret-value-1729)",
        "traceback": ["assert add(OFFSET, 4) == 7"],
    }
    graded = {
        "cells": [
            {
                "cell_type": "code",
                "source": m.by_id()["add-tests"].source,
                "execution_count": None,
                "outputs": [visible, hidden],
                "metadata": {
                    "nbgrader": m.by_id()["add-tests"].metadata["nbgrader"],
                    "academy": {
                        "checks": [
                            {"hidden": False, "status": "passed", "outputs": 1},
                            {"hidden": True, "status": "failed", "outputs": 1},
                        ]
                    },
                },
            }
        ]
    }
    copy = feedback.learner_copy(graded, m)
    text = json.dumps(copy)
    assert "secret-value-1729" not in text and "OFFSET, 4" not in text
    assert "visible output" in text and feedback.HIDDEN_FAILED in text
    assert "academy" not in copy["cells"][0]["metadata"]
    assert copy["cells"][0]["source"] == m.by_id()["add-tests"].release_source
    assert feedback.leaks(text, feedback.hidden_lines(m)) == []
    assert feedback.leaks(
        "<span>assert</span> add(OFFSET, 4) == 7, &#x27;add(OFFSET, 4) should be 7 "
        "(secret-value-1729)&#x27;",
        feedback.hidden_lines(m),
    )


def test_outputs_from_a_jail_are_cleaned_and_capped() -> None:
    raw = [
        {"output_type": "stream", "name": "weird", "text": "a" * 100},
        {"output_type": "evil"},
        "not a dict",
        {"output_type": "error", "ename": "MemoryError", "evalue": "", "traceback": "x"},
        {"output_type": "stream", "name": "stdout", "text": "b" * 5000},
    ]
    cleaned = outputs.clean(raw, 1024)
    assert cleaned[0]["name"] == "stdout" and cleaned[1]["traceback"] == []
    assert "truncated" in cleaned[-1]["text"]
    assert outputs.limit_seen(cleaned) == "memory limit"
    active = outputs.clean(
        [
            {
                "output_type": "display_data",
                "metadata": {},
                "data": {
                    "text/plain": "table",
                    "application/javascript": "steal()",
                    "text/html": "<img src=x onerror=steal()>",
                    "image/png": "iVBOR",
                },
            }
        ],
        10_000,
    )
    assert set(active[0]["data"]) == {"text/plain", "image/png"}
