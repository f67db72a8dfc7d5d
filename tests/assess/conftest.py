"""Fixtures for the assessment tests: course runs in temporary state folders, learners."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from digital_academy.assess.settings import CourseRun

from .factory import make_academy

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def academy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A small academy with the ``quiz-one`` assessment; runtime state kept beside it."""
    root = make_academy(tmp_path_factory.mktemp("academy"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ACADEMY_STATE_DIR", str(root / ".academy"))
        mp.delenv("ACADEMY_GRADEBOOK_URL", raising=False)
        yield root


@pytest.fixture(scope="module")
def real_state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Runtime state in a temporary folder, for course runs over the real repository."""
    state = tmp_path_factory.mktemp("state")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ACADEMY_STATE_DIR", str(state))
        mp.delenv("ACADEMY_GRADEBOOK_URL", raising=False)
        yield state


def submit_directly(
    course: CourseRun,
    assignment: str,
    student: str,
    notebook: dict[str, Any] | str,
    name: str | None = None,
    stamp: str = "2026-11-20 10:00:00.000000 UTC",
) -> Path:
    """Put a submission where ``nbgrader collect`` would (for tests of grading itself)."""
    folder = course.path("submitted", student, assignment)
    folder.mkdir(parents=True, exist_ok=True)
    text = notebook if isinstance(notebook, str) else json.dumps(notebook)
    (folder / f"{name or assignment}.ipynb").write_text(text, "utf-8")
    (folder / "timestamp.txt").write_text(stamp, "utf-8")
    return folder


def release_notebook(course: CourseRun, assignment: str, name: str | None = None) -> dict[str, Any]:
    path = course.path("release", assignment, f"{name or assignment}.ipynb")
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data
