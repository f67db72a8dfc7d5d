"""A small academy on disk for enrolment tests: two academies, two courses, two assessments.

Course run ``course-a`` style tests use academy ``data`` (assessment ``add-up``); academy
``safety`` sets ``times-two``. The assessment sources are real nbgrader notebooks.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import yaml

ASSESSMENTS = {
    "add-up": ("data", "course-a", "mod-a"),
    "times-two": ("safety", "course-b", "mod-b"),
}


def write_yaml(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")


def _cell(kind: str, source: str, ident: str, **metadata: Any) -> dict[str, Any]:
    cell: dict[str, Any] = {"cell_type": kind, "id": ident, "metadata": metadata, "source": source}
    if kind == "code":
        cell |= {"execution_count": None, "outputs": []}
    return cell


def notebook(cells: list[dict[str, Any]], metadata: dict[str, Any]) -> str:
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
            _cell("markdown", f"Write `{func}`.", "a1"),
            _cell("code", body, "a2", nbgrader={**solution, "grade_id": func}),
            _cell("code", check, "a3", nbgrader={**test, "grade_id": f"test-{func}"}),
        ],
        {},
    )


def make_academy(
    root: Path, network: dict[str, int] | None = None, hub: dict[str, Any] | None = None
) -> Path:
    write_yaml(
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
    write_yaml(
        root / "specialist_academies/roles.yml",
        [{"id": "analyst", "title": "Analyst", "description": "Analyses data."}],
    )
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
            notebook([_cell("markdown", f"# {module}", "m1")], {"academy": module_meta(module)}),
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
    site = root / "book/_build/site"
    site.mkdir(parents=True, exist_ok=True)
    (site / "index.html").write_text("<!doctype html><title>Books</title><h1>Books</h1>")
    settings: dict[str, Any] = dict(hub or {})
    if network:
        settings["network"] = network
    write_yaml(root / "hub_config/academy.yml", settings)
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
    public, api, proxy, services = free_ports(4)
    return {
        "port": public,
        "hub_api_port": api,
        "proxy_api_port": proxy,
        "service_ports_start": services,
    }


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file's bytes (lock files aside), to prove a refused command changed nothing."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and p.name != "lock"
    }
