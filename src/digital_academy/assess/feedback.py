"""Feedback learners may see: scores and visible checks, nothing from hidden checks.

Tutors' graded notebooks hold everything (full tests, every traceback). A learner's copy
is rebuilt from it: each test cell shows the source learners were given, the outputs of
its *visible* parts only, and one line about the hidden parts: passed, not passed, or not
run. Hidden inputs never reached the code that produced the outputs kept (see job.py), and
a final scan refuses to release any page that still contains a line of hidden test code.
"""

from __future__ import annotations

import copy
import html
import json
import re
import shutil
from dataclasses import dataclass, field
from typing import Any

from . import nbgrader_api
from .batch import AssessError, load_suites
from .gradebook import open_gradebook
from .master import MasterNotebook
from .settings import CourseRun

HIDDEN_PASSED = "Hidden checks: passed."
HIDDEN_FAILED = "Hidden checks: not passed. Details of hidden checks are not shown."
HIDDEN_NOT_RUN = "Hidden checks: not run, because a visible check failed first."
MIN_LEAK_LINE = 16


def _summary(checks: list[dict[str, Any]]) -> str:
    public = [c for c in checks if not c["hidden"]]
    hidden = [c for c in checks if c["hidden"]]
    lines = []
    if public:
        ok = all(c["status"] == "passed" for c in public)
        lines.append("Visible checks: passed." if ok else "Visible checks: not passed.")
    if hidden:
        if all(c["status"] == "passed" for c in hidden):
            lines.append(HIDDEN_PASSED)
        elif any(c["status"] in ("failed", "limit") for c in hidden):
            lines.append(HIDDEN_FAILED)
        else:
            lines.append(HIDDEN_NOT_RUN)
    return "\n".join(lines) + "\n"


def learner_copy(graded: dict[str, Any], master: MasterNotebook) -> dict[str, Any]:
    """The learner-safe copy of one graded notebook (pure)."""
    by_id = master.by_id()
    cells = []
    for raw in graded.get("cells", []):
        cell = copy.deepcopy(raw)
        nbgrader = cell.get("metadata", {}).get("nbgrader")
        cell["metadata"] = {"nbgrader": nbgrader} if nbgrader else {}
        mc = by_id.get(nbgrader.get("grade_id")) if nbgrader else None
        if mc is not None and mc.role == "test":
            checks = raw.get("metadata", {}).get("academy", {}).get("checks", [])
            cell["source"] = mc.release_source
            kept, position = [], 0
            for check in checks:
                part = raw.get("outputs", [])[position : position + int(check["outputs"])]
                position += int(check["outputs"])
                if not check["hidden"]:
                    kept.extend(part)
            kept.append({"output_type": "stream", "name": "stdout", "text": _summary(checks)})
            cell["outputs"] = kept
            cell["execution_count"] = None
        cells.append(cell)
    return {
        "cells": cells,
        "metadata": copy.deepcopy(master.metadata),
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def hidden_lines(master: MasterNotebook) -> set[str]:
    """Hidden test lines long enough to be unmistakable, without their whitespace."""
    lines: set[str] = set()
    for cell in master.cells:
        for segment in cell.segments:
            if segment.hidden:
                squashed = (_squash(s) for s in segment.source.splitlines())
                lines.update(s for s in squashed if len(s) >= MIN_LEAK_LINE)
    return lines


def leaks(text: str, secret: set[str]) -> list[str]:
    """Hidden lines found in a page or notebook (tags, entities and spacing ignored)."""
    plain = _squash(html.unescape(re.sub(r"<[^>]+>", "", text)))
    return sorted(line for line in secret if line in plain)


@dataclass
class FeedbackReport:
    generated: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    released: bool = False


def feedback(course: CourseRun, assignment: str, release: bool = True) -> FeedbackReport:
    """Write learner-safe feedback pages for every graded learner and (optionally) release them."""
    with open_gradebook(course) as gb:
        suites = load_suites(gb, course, assignment)
    graded = sorted(p.parent.name for p in course.path("autograded").glob(f"*/{assignment}"))
    if not graded:
        raise AssessError(
            f"nothing of {assignment!r} is graded yet; run `academy assess autograde` first"
        )
    safe_root = course.feedback_source
    report = FeedbackReport()
    secret = set().union(*(hidden_lines(s.master) for s in suites))
    for student in graded:
        folder = safe_root / student / assignment
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for suite in suites:
            src = course.path("autograded", student, assignment, f"{suite.master.name}.ipynb")
            if src.exists():
                copy_nb = learner_copy(json.loads(src.read_text("utf-8")), suite.master)
                (folder / src.name).write_text(json.dumps(copy_nb, indent=1), "utf-8")
        for extra in course.path("autograded", student, assignment).iterdir():
            if extra.is_file() and extra.suffix != ".ipynb":  # timestamp, nbgrader's secret
                shutil.copy(extra, folder / extra.name)
    api = nbgrader_api.api(course, CourseDirectory={"autograded_directory": safe_root.name})
    nbgrader_api.check(api.generate_feedback(assignment), f"generate feedback for {assignment}")
    for student in graded:
        pages = list(course.path("feedback", student, assignment).glob("*.html"))
        found = [line for page in pages for line in leaks(page.read_text("utf-8"), secret)]
        if found:
            for page in pages:
                page.unlink()
            report.refused[student] = f"feedback still showed hidden test code ({found[0]!r})"
        else:
            report.generated.append(student)
    if report.refused:
        raise AssessError(
            f"feedback withheld for {', '.join(report.refused)}: "
            + next(iter(report.refused.values()))
        )
    if release:
        nbgrader_api.check(
            nbgrader_api.release_feedback(course, assignment),
            f"release feedback for {assignment}",
        )
        report.released = True
    return report
