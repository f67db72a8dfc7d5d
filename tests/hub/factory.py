"""A small, stable academy on disk for hub tests: one course, one module, one assessment."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import yaml

MODULE_ID = "hub-test-module"
ASSIGNMENT = "add-up"
SELF_CHECK_RIGHT = "Four"


def _yaml(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")


def _cell(kind: str, source: str, ident: str, **metadata: Any) -> dict[str, Any]:
    cell: dict[str, Any] = {"cell_type": kind, "id": ident, "metadata": metadata, "source": source}
    if kind == "code":
        cell |= {"execution_count": None, "outputs": []}
    return cell


def _notebook(cells: list[dict[str, Any]], metadata: dict[str, Any]) -> str:
    return json.dumps(
        {
            "cells": cells,
            "metadata": {
                "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                **metadata,
            },
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    )


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
    return _notebook(
        [
            _cell("markdown", f"# Counting in the hub{extra}", "m1"),
            _cell("code", "total = 2 + 2\nprint(f'total is {total}')", "c1"),
            _cell(
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
    return _notebook(
        [
            _cell("markdown", "Write `add(a, b)`.", "a1"),
            _cell(
                "code",
                "def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION",
                "a2",
                nbgrader={**nbg, "grade_id": "add"},
            ),
            _cell("code", "assert add(1, 2) == 3", "a3", nbgrader={**test, "grade_id": "t1"}),
        ],
        {},
    )


def make_academy(
    root: Path, ports: dict[str, int] | None = None, settings: dict[str, Any] | None = None
) -> Path:
    _yaml(
        root / "specialist_academies/frameworks/fw.yml",
        {
            "id": "fw",
            "name": "Test framework",
            "source": "Test body (2020)",
            "version": "1",
            "domains": [
                {
                    "id": "data",
                    "name": "Data",
                    "competencies": [{"code": "D1", "statement": "Validates data."}],
                }
            ],
        },
    )
    _yaml(
        root / "specialist_academies/roles.yml",
        [{"id": "analyst", "title": "Analyst", "description": "Analyses data."}],
    )
    _yaml(
        root / "specialist_academies/acad.yml",
        {
            "id": "acad",
            "title": "Test academy",
            "audience": "Testers.",
            "summary": "For tests.",
            "courses": ["course-a"],
            "frameworks": ["fw"],
        },
    )
    _yaml(
        root / "courses/course-a/course.yml",
        {"id": "course-a", "title": "Course A", "summary": "Tests."},
    )
    (root / f"courses/course-a/01-{MODULE_ID}.ipynb").write_text(module_notebook(), "utf-8")
    source = root / "graders/source" / ASSIGNMENT
    source.mkdir(parents=True)
    (source / f"{ASSIGNMENT}.ipynb").write_text(assignment_notebook(), "utf-8")
    site = root / "book/_build/site"
    site.mkdir(parents=True)
    (site / "index.html").write_text("<!doctype html><title>Books</title><h1>Academy books</h1>")
    data: dict[str, Any] = dict(settings or {})
    if ports:
        data["network"] = ports
    _yaml(root / "hub_config/academy.yml", data)
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
    public, api, proxy, services = free_ports(4)
    return {
        "port": public,
        "hub_api_port": api,
        "proxy_api_port": proxy,
        "service_ports_start": services,
    }
