"""Small catalogues for the journeys, accreditation and credentials tests.

``write_catalog`` puts a valid catalogue on disk (read back through the real loader);
``memory_catalog`` builds the same objects in memory, fast enough for brute force.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tests.support import ANALYST, COURSE, academy, write_yaml

from digital_academy.catalog import Catalog, CompetencyFramework, Module, ModuleLocation

FRAMEWORK_ID = "fw"
NURSE = {"id": "nurse", "title": "Nurse", "description": "Cares for patients."}


def framework(codes: Sequence[str]) -> dict[str, Any]:
    return {
        "id": FRAMEWORK_ID,
        "name": "Test framework",
        "source": "Test body (2020)",
        "version": "1",
        "domains": [
            {
                "id": "core",
                "name": "Core",
                "competencies": [{"code": c, "statement": f"Does {c}."} for c in codes],
            }
        ],
    }


def module_meta(
    ident: str,
    minutes: int = 20,
    competencies: Sequence[str] = ("C1",),
    prerequisites: Sequence[str] = (),
    assessment: str = "self-check",
    last_reviewed: str = "2026-06-01",
) -> dict[str, Any]:
    refs = [f"{FRAMEWORK_ID}:{c}" for c in competencies]
    return {
        "id": ident,
        "title": f"Module {ident}",
        "summary": f"Teaches {', '.join(competencies)}.",
        "minutes": minutes,
        "level": "foundation",
        "outcomes": [
            {"text": f"Apply {c}", "competencies": [r]}
            for c, r in zip(competencies, refs, strict=True)
        ],
        "prerequisites": list(prerequisites),
        "competencies": refs,
        "audiences": ["analyst"],
        "assessment": assessment,
        "version": "1.0.0",
        "authors": ["Tester"],
        "last_reviewed": last_reviewed,
    }


def _notebook(meta: dict[str, Any] | None) -> str:
    return json.dumps(
        {
            "cells": [{"cell_type": "markdown", "id": "a", "metadata": {}, "source": "# Hi"}],
            "metadata": {"academy": meta} if meta else {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


def write_catalog(
    root: Path,
    modules: Sequence[dict[str, Any]],
    codes: Sequence[str] = ("C1", "C2", "C3", "C4"),
    pathways: Sequence[dict[str, Any]] = (),
    assessments: Sequence[dict[str, Any]] = (),
) -> Path:
    """One framework ``fw``, roles ``analyst`` and ``nurse``, academy ``acad`` with one
    course holding ``modules`` in the given order."""
    write_yaml(root / "specialist_academies/frameworks/fw.yml", framework(codes))
    write_yaml(root / "specialist_academies/roles.yml", [ANALYST, NURSE])
    write_yaml(
        root / "specialist_academies/acad.yml",
        academy(
            [
                {"title": f"Pathway {p['id']}", "career_step": "Practitioner", "summary": "S.", **p}
                for p in pathways
            ]
        ),
    )
    course = root / "courses/course-a"
    write_yaml(course / "course.yml", COURSE)
    for i, meta in enumerate(modules, start=1):
        (course / f"{i:02d}-{meta['id']}.ipynb").write_text(_notebook(meta), "utf-8")
    for a in assessments:
        data = {"title": f"Assessment {a['id']}", "pass_mark": 0.6, "methods": ["autograded code"]}
        data.update(a)
        data["competencies"] = [f"{FRAMEWORK_ID}:{c}" for c in a["competencies"]]
        write_yaml(root / f"graders/assessments/{a['id']}.yml", data)
        source = root / f"graders/source/{a['id']}/{a['id']}.ipynb"
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text(_notebook(None), "utf-8")
    return root


def memory_catalog(modules: Sequence[dict[str, Any]], codes: Sequence[str]) -> Catalog:
    """The same shape as ``write_catalog`` without touching the disk (no validation)."""
    parsed = [Module.model_validate(m) for m in modules]
    return Catalog(
        root=Path("/nonexistent"),
        frameworks={FRAMEWORK_ID: CompetencyFramework.model_validate(framework(codes))},
        roles={},
        academies={},
        courses={},
        modules={m.id: m for m in parsed},
        locations={m.id: ModuleLocation("course-a", Path(f"{m.id}.ipynb")) for m in parsed},
        assessments={},
    )
