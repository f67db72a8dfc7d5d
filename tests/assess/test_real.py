"""Every real accredited assessment in the repository, graded in the sandbox.

Its solution must earn every autograded point and its released (blank) version none:
this is what proves the tutors' tests work through the grader's trusted test runner.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from digital_academy.assess import workflow
from digital_academy.assess.batch import autograde
from digital_academy.assess.gradebook import open_gradebook
from digital_academy.assess.settings import CourseRun, Settings
from digital_academy.catalog import load_catalog

from .conftest import REPO, release_notebook, submit_directly
from .factory import answered

pytestmark = pytest.mark.slow

ASSESSMENTS = sorted(load_catalog(REPO)[0].assessments)


def _solutions(source: dict[str, Any]) -> dict[str, str]:
    """The source's answer cells as a learner would type them (no solution markers)."""
    out = {}
    for cell in source["cells"]:
        nbg = cell.get("metadata", {}).get("nbgrader", {})
        if nbg.get("solution"):
            text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            out[nbg["grade_id"]] = "".join(
                line
                for line in text.splitlines(True)
                if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line
            )
    return out


@pytest.mark.parametrize("assessment", ASSESSMENTS)
def test_solution_earns_everything_and_blank_nothing(assessment: str, real_state: Path) -> None:
    course = CourseRun(REPO, f"real-{assessment}")
    done = workflow.generate(course, assessment, Settings())
    assert done.selfcheck and set(done.selfcheck.values()) == {"passed"}, done.selfcheck
    for name in done.notebooks:
        source = json.loads((REPO / f"graders/source/{assessment}/{name}.ipynb").read_text())
        release = release_notebook(course, assessment, name)
        submit_directly(course, assessment, "solution", answered(release, _solutions(source)), name)
        submit_directly(course, assessment, "blank", release, name)
    report = autograde(course, assessment, Settings(workers=2))
    assert {r.status for r in report.rows} == {"graded"}, report.rows
    with open_gradebook(course) as gb:
        for name in done.notebooks:
            for student, earns in (("solution", True), ("blank", False)):
                tests = {
                    c.name
                    for c in gb.find_notebook(name, assessment).grade_cells
                    if c.cell_type == "code"
                    and c.name
                    not in {s.name for s in gb.find_notebook(name, assessment).solution_cells}
                }
                assert tests
                for grade in gb.find_submission_notebook(name, assessment, student).grades:
                    if grade.name in tests:
                        expected = grade.max_score if earns else 0.0
                        assert grade.auto_score == expected, (student, grade.name)
