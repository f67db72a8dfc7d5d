"""A small academy on disk for enrolment tests: two academies, two courses, two assessments.

Course run ``course-a`` style tests use academy ``data`` (assessment ``add-up``); academy
``safety`` sets ``times-two``. The assessment sources are real nbgrader notebooks.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

from tests.support import ANALYST, framework, write_yaml
from tests.support_hub import cell, network_settings, notebook, write_books_and_settings

ASSESSMENTS = {
    "add-up": ("data", "course-a", "mod-a"),
    "times-two": ("safety", "course-b", "mod-b"),
}


def module_meta(ident: str) -> dict[str, Any]:
    return {
        "id": ident,
        "title": f"Module {ident}",
        "summary": "A module for enrolment tests.",
        "minutes": 10,
        "level": "foundation",
        "outcomes": [{"text": "Calculate a sum", "competencies": ["fw:D1"]}],
        "prerequisites": [],
        "competencies": ["fw:D1"],
        "audiences": ["analyst"],
        "assessment": "accredited",
        "version": "1.0.0",
        "authors": ["Tester"],
        "last_reviewed": "2026-06-01",
    }


def assignment_notebook(name: str) -> str:
    """``add-up``: write add(a, b); ``times-two``: write double(x). One visible test each."""
    solution = {"grade": False, "locked": False, "schema_version": 3, "solution": True}
    test = {"grade": True, "locked": True, "points": 1, "schema_version": 3, "solution": False}
    func, body, check = (
        (
            "add",
            "def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION",
            "assert add(1, 2) == 3",
        )
        if name == "add-up"
        else (
            "double",
            "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
            "assert double(4) == 8",
        )
    )
    return notebook(
        [
            cell("markdown", f"Write `{func}`.", "a1"),
            cell("code", body, "a2", nbgrader={**solution, "grade_id": func}),
            cell("code", check, "a3", nbgrader={**test, "grade_id": f"test-{func}"}),
        ],
        {},
    )


def make_academy(
    root: Path, network: dict[str, int] | None = None, hub: dict[str, Any] | None = None
) -> Path:
    write_yaml(root / "specialist_academies/frameworks/fw.yml", framework(("D1",)))
    write_yaml(root / "specialist_academies/roles.yml", [ANALYST])
    for academy, course in (("data", "course-a"), ("safety", "course-b")):
        write_yaml(
            root / f"specialist_academies/{academy}.yml",
            {
                "id": academy,
                "title": f"Academy {academy}",
                "audience": "Testers.",
                "summary": "For tests.",
                "courses": [course],
                "frameworks": ["fw"],
            },
        )
    for assessment, (_academy, course, module) in ASSESSMENTS.items():
        folder = root / "courses" / course
        write_yaml(
            folder / "course.yml", {"id": course, "title": f"Course {course}", "summary": "Tests."}
        )
        (folder / f"01-{module}.ipynb").write_text(
            notebook([cell("markdown", f"# {module}", "m1")], {"academy": module_meta(module)}),
            "utf-8",
        )
        write_yaml(
            root / f"graders/assessments/{assessment}.yml",
            {
                "id": assessment,
                "title": f"Assessment {assessment}",
                "module": module,
                "competencies": ["fw:D1"],
                "methods": ["autograded code"],
            },
        )
        source = root / "graders/source" / assessment
        source.mkdir(parents=True, exist_ok=True)
        (source / f"{assessment}.ipynb").write_text(assignment_notebook(assessment), "utf-8")
    write_books_and_settings(root, "Books", hub, network)
    return root


def free_ports(count: int) -> list[int]:
    """Distinct free loopback ports, each with enough free ports after it for services."""
    found: list[int] = []
    while len(found) < count:
        with socket.socket() as a:
            a.bind(("127.0.0.1", 0))
            port = a.getsockname()[1]
        if port + 6 > 65535 or any(abs(port - f) < 8 for f in found):
            continue
        free = True
        for offset in range(1, 6):
            with socket.socket() as b:
                try:
                    b.bind(("127.0.0.1", port + offset))
                except OSError:
                    free = False
                    break
        if free:
            found.append(port)
    return found


def random_network() -> dict[str, int]:
    return network_settings(free_ports(4))


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file's bytes (lock files aside), to prove a refused command changed nothing."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and p.name != "lock"
    }
