"""A small, stable academy on disk for hub tests: one course, one module, one assessment."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

from tests.support import write_academy
from tests.support_hub import cell, network_settings, notebook, write_books_and_settings

MODULE_ID = "hub-test-module"
ASSIGNMENT = "add-up"
SELF_CHECK_RIGHT = "Four"


MODULE_META = {
    "id": MODULE_ID,
    "title": "Counting in the hub",
    "summary": "A module for hub tests.",
    "minutes": 10,
    "level": "foundation",
    "outcomes": [{"text": "Calculate a sum", "competencies": ["fw:D1"]}],
    "prerequisites": [],
    "competencies": ["fw:D1"],
    "audiences": ["analyst"],
    "assessment": "self-check",
    "version": "1.0.0",
    "authors": ["Tester"],
    "last_reviewed": "2026-06-01",
}


def module_notebook(extra: str = "") -> str:
    return notebook(
        [
            cell("markdown", f"# Counting in the hub{extra}", "m1"),
            cell("code", "total = 2 + 2\nprint(f'total is {total}')", "c1"),
            cell(
                "code",
                "from digital_academy.selfcheck import self_check\n\n"
                "self_check('What is 2 + 2?', [\n"
                f"    ('{SELF_CHECK_RIGHT}', True, 'Yes: two and two make four.'),\n"
                "    ('Five', False, 'Count again.'),\n])",
                "c2",
            ),
        ],
        {"academy": MODULE_META},
    )


def assignment_notebook() -> str:
    nbg = {"grade": False, "locked": False, "schema_version": 3, "solution": True}
    test = {"grade": True, "locked": True, "points": 1, "schema_version": 3, "solution": False}
    return notebook(
        [
            cell("markdown", "Write `add(a, b)`.", "a1"),
            cell(
                "code",
                "def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION",
                "a2",
                nbgrader={**nbg, "grade_id": "add"},
            ),
            cell("code", "assert add(1, 2) == 3", "a3", nbgrader={**test, "grade_id": "t1"}),
        ],
        {},
    )


def make_academy(
    root: Path, ports: dict[str, int] | None = None, settings: dict[str, Any] | None = None
) -> Path:
    write_academy(root, codes=("D1",))
    (root / f"courses/course-a/01-{MODULE_ID}.ipynb").write_text(module_notebook(), "utf-8")
    source = root / "graders/source" / ASSIGNMENT
    source.mkdir(parents=True)
    (source / f"{ASSIGNMENT}.ipynb").write_text(assignment_notebook(), "utf-8")
    write_books_and_settings(root, "Academy books", settings, ports)
    return root


def free_ports(count: int) -> list[int]:
    """Distinct free loopback ports; services need a consecutive pair at the end."""
    found: list[int] = []
    while len(found) < count:
        with socket.socket() as a, socket.socket() as b:
            a.bind(("127.0.0.1", 0))
            port = a.getsockname()[1]
            try:
                b.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        if port not in found and port + 1 not in found:
            found.append(port)
    return found


def random_network() -> dict[str, int]:
    return network_settings(free_ports(4))
