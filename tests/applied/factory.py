"""Small catalogues, capstones and submissions on disk, for tests to break one fact at a time."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

from tests.support import framework, write_academy, write_yaml

from digital_academy.catalog import check
from digital_academy.enrolment import ops
from digital_academy.enrolment.store import Store

CODES = ("D1", "D2", "D3")
OTHER_FRAMEWORK: dict[str, Any] = {
    **framework(CODES),
    "id": "other",
    "name": "A framework the academy does not use",
}
LEVELS = [
    {"id": "none", "score": 0, "name": "Not evidenced"},
    {"id": "some", "score": 1, "name": "Some"},
    {"id": "good", "score": 2, "name": "Good"},
    {"id": "great", "score": 3, "name": "Great"},
]
CRITERIA: list[dict[str, Any]] = [
    {"id": "alpha", "title": "Alpha", "weight": 50, "competencies": ["fw:D1"]},
    {"id": "beta", "title": "Beta", "weight": 30, "competencies": ["fw:D2"]},
    {"id": "gamma", "title": "Gamma", "weight": 20, "competencies": ["fw:D1", "fw:D3"]},
]
CAPSTONE = {
    "id": "proj",
    "title": "Test project",
    "academy": "acad",
    "summary": "A project for tests.",
    "pass_mark": 0.5,
    "competency_met_at": 0.6,
    "moderation": {
        "sample": 0.5,
        "minimum": 1,
        "seed": 7,
        "max_total_gap": 15,
        "max_criterion_gap": 2,
    },
}


def rubric_data(criteria: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    chosen = copy.deepcopy(criteria if criteria is not None else CRITERIA)
    return {
        "levels": copy.deepcopy(LEVELS),
        "criteria": [
            {**c, "descriptors": {lv["id"]: f"{c['title']} at {lv['name']}" for lv in LEVELS}}
            for c in chosen
        ],
    }


def template(criteria: list[str], points: int = 3) -> dict[str, Any]:
    cells: list[dict[str, Any]] = [
        {"cell_type": "markdown", "id": "intro", "metadata": {}, "source": "# Project"}
    ]
    for ident in criteria:
        cells.append(
            {
                "cell_type": "markdown",
                "id": f"{ident}-answer",
                "metadata": {
                    "nbgrader": {
                        "grade": True,
                        "grade_id": ident,
                        "locked": False,
                        "points": points,
                        "schema_version": 3,
                        "solution": True,
                        "task": False,
                    }
                },
                "source": "YOUR ANSWER HERE",
            }
        )
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def make_root(root: Path) -> Path:
    """A catalogue (one framework, academy, course) and one valid capstone ``proj``."""
    write_academy(root, CODES)
    write_yaml(root / "specialist_academies/frameworks/other.yml", OTHER_FRAMEWORK)
    write_capstone(root)
    return root


def write_capstone(
    root: Path,
    spec: dict[str, Any] | None = None,
    rubric: dict[str, Any] | None = None,
    notebook: dict[str, Any] | None = None,
) -> Path:
    folder = root / "graders/capstones/proj"
    write_yaml(folder / "capstone.yml", spec if spec is not None else CAPSTONE)
    write_yaml(folder / "rubric.yml", rubric if rubric is not None else rubric_data())
    nb = notebook if notebook is not None else template([c["id"] for c in CRITERIA])
    (folder / "template.ipynb").write_text(json.dumps(nb, indent=1), "utf-8")
    return folder


def submit(state: Path, course: str, learner: str, text: str = "My project.") -> Path:
    """A collected submission where nbgrader's collect puts one."""
    folder = state / "grading" / course / "submitted" / learner / "proj"
    folder.mkdir(parents=True, exist_ok=True)
    nb = template([c["id"] for c in CRITERIA])
    for cell in nb["cells"][1:]:
        cell["source"] = f"{text} ({learner})"
    (folder / "proj.ipynb").write_text(json.dumps(nb), "utf-8")
    (folder / "timestamp.txt").write_text("2026-05-01 10:00:00.000000 UTC", "utf-8")
    return folder


def tree(folder: Path) -> dict[str, bytes]:
    """Every file's bytes, to prove a refused command changed nothing."""
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def nbgrader_learner(
    root: Path, course: str, assignment: str, home: Path, learner: str, action: str
) -> Path:
    """What a learner's hub server does on fetch or submit: nbgrader's real exchange, with the
    hub user as the student id (as the hub's learner config sets it). Returns the notebook."""
    from nbgrader.auth import Authenticator  # noqa: PLC0415 - slow import, only when used
    from nbgrader.coursedir import CourseDirectory  # noqa: PLC0415
    from nbgrader.exchange.default import (  # noqa: PLC0415
        ExchangeFetchAssignment,
        ExchangeSubmit,
    )
    from traitlets.config import Config  # noqa: PLC0415

    from digital_academy.paths import exchange_dir  # noqa: PLC0415

    config = Config(
        {
            "CourseDirectory": {
                "root": str(home),
                "course_id": course,
                "student_id": learner,
                "assignment_id": assignment,
            },
            "Exchange": {"root": str(exchange_dir(root)), "assignment_dir": str(home)},
        }
    )
    coursedir = CourseDirectory(config=config)
    authenticator = Authenticator(config=config)
    kind = ExchangeFetchAssignment if action == "fetch" else ExchangeSubmit
    kind(coursedir=coursedir, authenticator=authenticator, config=config).start()
    return home / assignment / f"{assignment}.ipynb"


def answer_all(path: Path, learner: str) -> None:
    """Write an answer in every answer cell of a fetched capstone notebook."""
    nb = json.loads(path.read_text("utf-8"))
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("solution"):
            cell["source"] = f"{learner} writes about {meta['grade_id']}"
    path.write_text(json.dumps(nb), "utf-8")


def course_run(
    repo: Path, course: str, tutors: tuple[str, ...], learners: tuple[str, ...], title: str
) -> None:
    """A course run of the real digital-leadership academy, through enrolment's own API."""
    store = Store(repo)
    ops.create_course(
        store,
        check(repo).catalog,
        tutors,
        course_id=course,
        academy="digital-leadership",
        title=title,
        starts=dt.date(2026, 1, 5),
        ends=dt.date(2026, 7, 31),
        tutors=tutors,
    )
    ops.enrol(store, course, learners, usernames=learners)


def submit_answers(
    repo: Path, course: str, capstone: str, homes: Path, learners: tuple[str, ...]
) -> None:
    """Every learner fetches the released capstone, answers it and submits it, through
    nbgrader's exchange from their own home folder under ``homes``."""
    for learner in learners:
        home = homes / learner
        home.mkdir(parents=True)
        answer_all(nbgrader_learner(repo, course, capstone, home, learner, "fetch"), learner)
        nbgrader_learner(repo, course, capstone, home, learner, "submit")
