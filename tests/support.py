"""Helpers shared by the test folders, imported as ``tests.support``.

The parts every small test catalogue has: framework ``fw`` (domain ``data``), role ``analyst``,
academy ``acad`` and course ``course-a``. Each folder's factory adds what it needs on top.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from digital_academy.cli.main import cli

STATEMENTS = {"D1": "Validates data.", "D2": "Analyses data.", "D3": "Leads change."}
ANALYST: dict[str, Any] = {"id": "analyst", "title": "Analyst", "description": "Analyses data."}
COURSE: dict[str, Any] = {"id": "course-a", "title": "Course A", "summary": "Tests."}


def write_yaml(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")


def framework(codes: Sequence[str] = ("D1", "D2")) -> dict[str, Any]:
    """Framework ``fw`` with one domain holding ``codes`` (any of D1, D2, D3)."""
    return {
        "id": "fw",
        "name": "Test framework",
        "source": "Test body (2020)",
        "version": "1",
        "domains": [
            {
                "id": "data",
                "name": "Data",
                "competencies": [{"code": c, "statement": STATEMENTS[c]} for c in codes],
            }
        ],
    }


def academy(pathways: Sequence[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Academy ``acad`` teaching ``course-a`` against ``fw``; ``pathways`` only when given."""
    data: dict[str, Any] = {
        "id": "acad",
        "title": "Test academy",
        "audience": "Testers.",
        "summary": "For tests.",
        "courses": ["course-a"],
        "frameworks": ["fw"],
    }
    if pathways is not None:
        data["pathways"] = list(pathways)
    return data


def write_academy(
    root: Path,
    codes: Sequence[str] = ("D1", "D2"),
    pathways: Sequence[dict[str, Any]] | None = None,
) -> Path:
    """Framework, role, academy and course files; returns the (still empty) course folder."""
    write_yaml(root / "specialist_academies/frameworks/fw.yml", framework(codes))
    write_yaml(root / "specialist_academies/roles.yml", [ANALYST])
    write_yaml(root / "specialist_academies/acad.yml", academy(pathways))
    course = root / "courses/course-a"
    write_yaml(course / "course.yml", COURSE)
    return course


def run(*args: str) -> tuple[int, str, str]:
    """``academy ARGS`` in process: exit code, stdout, stderr; never a traceback."""
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output + result.stderr
    return result.exit_code, result.stdout, result.stderr
