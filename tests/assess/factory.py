"""A small, valid academy with one accredited assessment, built in a temporary folder.

Tests grade this assessment instead of the real ones so that they do not change when
content authors edit theirs; one slow test also grades a real assessment.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.support import write_academy, write_yaml

REPO = Path(__file__).resolve().parents[2]
ASSESSMENT = "quiz-one"
NOTEBOOK = "quiz-one"


def _cell(
    kind: str,
    source: str,
    grade_id: str | None = None,
    *,
    grade: bool = False,
    solution: bool = False,
    locked: bool = False,
    points: float | None = None,
) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    if grade_id:
        nbg: dict[str, Any] = {
            "grade": grade,
            "grade_id": grade_id,
            "locked": locked,
            "schema_version": 3,
            "solution": solution,
            "task": False,
        }
        if points is not None:
            nbg["points"] = points
        meta["nbgrader"] = nbg
    cell: dict[str, Any] = {
        "cell_type": kind,
        "id": grade_id or "cell",
        "metadata": meta,
        "source": source,
    }
    if kind == "code":
        cell.update(outputs=[], execution_count=None)
    return cell


#: Answers that earn every autograded point (the solution, as a learner would write it).
RIGHT = {
    "add-answer": "def add(a, b):\n    return a + b\n",
    "mean-answer": "def mean(values):\n    return sum(values) / len(values)\n",
}
#: Passes the visible check of ``add`` but fails its hidden checks.
HARDCODED = {
    "add-answer": "def add(a, b):\n    return 3\n",
    "mean-answer": RIGHT["mean-answer"],
}
#: The hidden test code, so tests can prove none of it reaches learners.
HIDDEN_ADD = (
    "assert add(OFFSET, 4) == 7, 'add(OFFSET, 4) should be 7 (secret-value-1729)'\n"
    "assert add(-1, 1) == 0\n"
)


def source_notebook() -> dict[str, Any]:
    cells = [
        _cell("markdown", "# Quiz one\n\nWrite two small functions.", "intro", locked=True),
        _cell("code", "OFFSET = 3\n", "setup", locked=True),
        _cell(
            "code",
            "def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION\n",
            "add-answer",
            solution=True,
        ),
        _cell(
            "code",
            "assert add(1, 2) == 3, 'add(1, 2) should be 3'\n"
            "### BEGIN HIDDEN TESTS\n" + HIDDEN_ADD + "### END HIDDEN TESTS\n",
            "add-tests",
            grade=True,
            locked=True,
            points=2,
        ),
        _cell(
            "code",
            "def mean(values):\n    ### BEGIN SOLUTION\n"
            "    return sum(values) / len(values)\n    ### END SOLUTION\n",
            "mean-answer",
            solution=True,
        ),
        _cell(
            "code",
            "assert mean([1, 2, 3]) == 2\nassert mean([2.5]) == 2.5\n",
            "mean-tests",
            grade=True,
            locked=True,
            points=1,
        ),
        _cell(
            "markdown",
            "Why does `mean([])` fail? Answer in one sentence.",
            "why-intro",
            locked=True,
        ),
        _cell("markdown", "YOUR ANSWER HERE", "why-answer", grade=True, solution=True, points=2),
    ]
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def module_notebook() -> dict[str, Any]:
    meta = {
        "id": "mod-one",
        "title": "Module one",
        "summary": "A test module.",
        "minutes": 20,
        "level": "foundation",
        "outcomes": [{"text": "Calculate a sum", "competencies": ["fw:D1"]}],
        "prerequisites": [],
        "competencies": ["fw:D1", "fw:D2"],
        "audiences": ["analyst"],
        "assessment": "accredited",
        "version": "1.0.0",
        "authors": ["Tester"],
        "last_reviewed": "2026-06-01",
    }
    return {
        "cells": [{"cell_type": "markdown", "id": "a", "metadata": {}, "source": "# Hi"}],
        "metadata": {"academy": meta},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def make_academy(root: Path) -> Path:
    """An academy with one course, one accredited module and the ``quiz-one`` assessment."""
    course = write_academy(root)
    (course / "01-mod-one.ipynb").write_text(json.dumps(module_notebook()), "utf-8")
    write_yaml(
        root / f"graders/assessments/{ASSESSMENT}.yml",
        {
            "id": ASSESSMENT,
            "title": "Quiz one",
            "module": "mod-one",
            "competencies": ["fw:D1", "fw:D2"],
            "pass_mark": 0.6,
            "methods": ["autograded code", "hidden tests", "marked short answer"],
        },
    )
    source = root / f"graders/source/{ASSESSMENT}"
    source.mkdir(parents=True)
    (source / f"{NOTEBOOK}.ipynb").write_text(json.dumps(source_notebook(), indent=1), "utf-8")
    shutil.copy(REPO / "graders/nbgrader_config.py", root / "graders/nbgrader_config.py")
    return root


def answered(release: dict[str, Any], answers: dict[str, str]) -> dict[str, Any]:
    """The released notebook with some answer cells filled in, as a learner would."""
    nb = json.loads(json.dumps(release))
    for cell in nb["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell["source"] = answers[gid]
    return nb
