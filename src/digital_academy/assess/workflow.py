"""The tutor's workflow over nbgrader's API: generate, release, collect (and a self-check).

Thin runners: each step copies or checks files, calls nbgrader, and returns plain data
for the CLI to show. Feedback, export and verification live in their own modules.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from digital_academy.catalog import Assessment, Severity, check

from . import nbgrader_api, plan
from .batch import AssessError, load_suites
from .gradebook import open_gradebook
from .job import run_job
from .master import text
from .roster import Learner
from .settings import CourseRun, Settings
from .structure import rebuild

SOURCE_DIR = "graders/source"
FORBIDDEN_MESSAGES = ("all tests passed", "all tests pass")


def assessment(root: Path, assessment_id: str) -> Assessment:
    """The catalogue's assessment, refusing one whose own files have errors."""
    result = check(root)
    found = result.catalog.assessments.get(assessment_id)
    if found is None:
        known = ", ".join(sorted(result.catalog.assessments)) or "none"
        raise AssessError(
            f"no assessment {assessment_id!r} in graders/assessments/ (known: {known})"
        )
    own = [
        d
        for d in result.diagnostics
        if d.severity is Severity.ERROR
        and (assessment_id in d.file and d.file.startswith("graders/"))
    ]
    if own:
        d = own[0]
        raise AssessError(f"{d.file}: {d.field}: {d.message}; {d.fix}")
    return found


def check_source(notebook: Path) -> None:
    """Refuse test cells that would tell learners 'all tests passed' (hidden tests run later)."""
    data = json.loads(notebook.read_text("utf-8"))
    for cell in data.get("cells", []):
        nbgrader = cell.get("metadata", {}).get("nbgrader", {})
        source = text(cell.get("source", "")).lower()
        if nbgrader.get("grade") and not nbgrader.get("solution"):
            for phrase in FORBIDDEN_MESSAGES:
                if phrase in source:
                    raise AssessError(
                        f"{notebook.name}: cell '{nbgrader.get('grade_id')}' says {phrase!r}; "
                        "hidden checks run only at grading, so remove that message (learners "
                        "see 'public checks passed, hidden checks run at grading')"
                    )


@dataclass(frozen=True)
class Generated:
    assignment: str
    notebooks: tuple[str, ...]
    max_score: float
    hidden_checks: int
    selfcheck: dict[str, str]


def generate(
    course: CourseRun, assessment_id: str, settings: Settings, selfcheck: bool = True
) -> Generated:
    """Copy the source into the course run, run nbgrader generate, then grade the solution."""
    assessment(course.root, assessment_id)
    source = course.root / SOURCE_DIR / assessment_id
    for notebook in sorted(source.glob("*.ipynb")):
        check_source(notebook)
    target = course.path("source", assessment_id)
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    nbgrader_api.write_course_config(course)
    nbgrader_api.check(
        nbgrader_api.api(course).generate_assignment(assessment_id), f"generate {assessment_id}"
    )
    with open_gradebook(course) as gb:
        suites = load_suites(gb, course, assessment_id)
    results = solution_selfcheck(course, assessment_id, suites, settings) if selfcheck else {}
    failing = {k: v for k, v in results.items() if v != "passed"}
    if failing:
        raise AssessError(
            f"the solution of {assessment_id} does not pass its own checks in the sandbox: "
            + "; ".join(f"{k}: {v}" for k, v in failing.items())
            + ". Tests must use learner code only by calling it and comparing the values it "
            "returns (see docs/assessment.md)"
        )
    return Generated(
        assessment_id,
        tuple(s.master.name for s in suites),
        sum(s.master.max_score() for s in suites),
        sum(1 for s in suites for c in s.master.cells if c.has_hidden),
        results,
    )


def solution_selfcheck(
    course: CourseRun, assignment: str, suites: list[plan.Suite], settings: Settings
) -> dict[str, str]:
    """Grade the source notebook (with solutions) in the sandbox: every check must pass."""
    results: dict[str, str] = {}
    for suite in suites:
        source = json.loads(
            course.path("source", assignment, f"{suite.master.name}.ipynb").read_text("utf-8")
        )
        rebuilt = rebuild(suite.master, source)
        outcome = run_job(plan.job_spec(suite, rebuilt, {}, settings))
        for key, entry in outcome["cells"].items():
            for segment in entry.get("segments", []):
                cell = rebuilt.cells[int(key)]["metadata"]["nbgrader"]["grade_id"]
                if segment["status"] != "passed":
                    errors = [o for o in segment["outputs"] if o.get("output_type") == "error"]
                    detail = (
                        f"{errors[-1]['ename']}: {errors[-1]['evalue']}"
                        if errors
                        else segment["status"]
                    )
                    results[cell] = detail
                else:
                    results.setdefault(cell, "passed")
    return results


def release(course: CourseRun, assignment: str, cohort: list[Learner]) -> dict[str, Any]:
    """Put the cohort in the gradebook and the assignment in the course's exchange outbound."""
    if not course.path("release", assignment).is_dir():
        raise AssessError(
            f"{assignment!r} is not generated for {course.course_id!r}; run "
            f"`academy assess generate {assignment} --course {course.course_id}`"
        )
    with open_gradebook(course) as gb:
        for learner in cohort:
            details = {
                "first_name": learner.first_name,
                "last_name": learner.last_name,
                "email": learner.email,
                "lms_user_id": learner.lms_user_id,
            }
            gb.update_or_create_student(learner.id, **{k: v for k, v in details.items() if v})
        students = len(gb.students)
    course.exchange.mkdir(parents=True, exist_ok=True)
    nbgrader_api.check(
        nbgrader_api.api(course).release_assignment(assignment), f"release {assignment}"
    )
    outbound = course.exchange / course.course_id / "outbound" / assignment
    return {"assignment": assignment, "exchange": str(outbound), "cohort": students}


def collect(course: CourseRun, assignment: str) -> list[dict[str, Any]]:
    """Copy each learner's latest submission from the exchange into ``submitted/``."""
    nbgrader_api.check(nbgrader_api.api(course).collect(assignment), f"collect {assignment}")
    rows = []
    for folder in sorted(course.path("submitted").glob(f"*/{assignment}")):
        stamp = folder / "timestamp.txt"
        rows.append(
            {
                "student": folder.parent.name,
                "timestamp": stamp.read_text("utf-8").strip() if stamp.exists() else "",
                "files": len(plan.file_manifest(folder)),
            }
        )
    return rows
