"""The Dask back end: the same sandboxed jobs on a distributed LocalCluster, same scores."""

from __future__ import annotations

from pathlib import Path

import pytest

from digital_academy.assess import workflow
from digital_academy.assess.backends import DaskBackend
from digital_academy.assess.batch import autograde
from digital_academy.assess.settings import CourseRun, Settings

from .conftest import release_notebook, submit_directly
from .factory import ASSESSMENT, HARDCODED, RIGHT, answered

pytestmark = pytest.mark.slow


def test_dask_grades_exactly_like_the_local_pool(academy: Path) -> None:
    submissions = {
        "learner1": RIGHT,
        "learner2": HARDCODED,
        "learner3": {"add-answer": "def add(a, b):\n    raise ValueError('no')\n"},
        "learner4": {**RIGHT, "mean-answer": "def mean(values):\n    return 2\n"},
    }
    scores = {}
    for backend in ("local", "dask"):
        course = CourseRun(academy, f"via-{backend}")
        workflow.generate(course, ASSESSMENT, Settings(), selfcheck=False)
        release = release_notebook(course, ASSESSMENT)
        for student, answers in submissions.items():
            submit_directly(course, ASSESSMENT, student, answered(release, answers))
        settings = Settings(backend=backend, workers=2)
        if backend == "dask":
            engine = DaskBackend(workers=2)
            try:
                report = autograde(course, ASSESSMENT, settings, backend=engine)
            finally:
                engine.close()
            assert report.backend == "dask" and report.workers == 2
        else:
            report = autograde(course, ASSESSMENT, settings)
        assert all(r.status == "graded" for r in report.rows), report.rows
        scores[backend] = {r.student: r.score for r in report.rows}
    assert (
        scores["dask"]
        == scores["local"]
        == {"learner1": 3.0, "learner2": 1.0, "learner3": 0.0, "learner4": 2.0}
    )
