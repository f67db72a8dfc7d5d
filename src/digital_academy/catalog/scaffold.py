"""Scaffold a new module that passes ``academy check`` straight away."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from .catalog import Catalog
from .loader import COURSES_DIR
from .model import METADATA_KEY, SLUG_PATTERN, AssessmentKind, Level, Module, Outcome


class ScaffoldError(ValueError):
    """The module cannot be scaffolded as asked; the message says why and what to do."""


def slugify(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:64].strip("-")


def _markdown(text: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _code(text: str) -> dict[str, Any]:
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": [],
        "source": text,
    }


def module_notebook(module: Module) -> dict[str, Any]:
    """The notebook for a new module: its metadata plus a teaching skeleton."""
    outcomes = "\n".join(f"- {o.text}" for o in module.outcomes)
    cells = [
        _markdown(
            f"# {module.title}\n\n{module.summary}\n\n**By the end you will be able to:**\n\n"
            f"{outcomes}"
        ),
        _markdown("## Try it\n\nWork on synthetic data made in the notebook: never real patients."),
        _code(
            "import random\n\nrng = random.Random(42)\nwaits = [rng.randint(1, 30) for _ in "
            "range(10)]\nsorted(waits)"
        ),
        _markdown("## Check your understanding"),
        _code(
            "from digital_academy.selfcheck import self_check\n\n"
            "self_check(\n"
            '    "Why do the exercises use synthetic data?",\n'
            "    [\n"
            '        ("Real records must never leave their secure setting", True,\n'
            '         "Right: synthetic data lets you practise freely with no privacy risk."),\n'
            '        ("Synthetic data is always more accurate", False,\n'
            '         "No: it only imitates the shape of real data."),\n'
            "    ],\n"
            ")"
        ),
        _markdown("## Summary\n\nRestate the outcomes in a sentence each."),
    ]
    return {
        "cells": [{"id": f"cell-{i:02d}", **cell} for i, cell in enumerate(cells)],
        "metadata": {
            METADATA_KEY: module.model_dump(mode="json", exclude_defaults=True),
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def new_module(
    catalog: Catalog,
    course_id: str,
    title: str,
    author: str,
    today: dt.date,
    module_id: str | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Where the new module goes and its notebook; pure, so it is tested by equality."""
    if course_id not in catalog.courses:
        known = ", ".join(sorted(catalog.courses)) or "none"
        raise ScaffoldError(
            f"unknown course {course_id!r}; use one of: {known} "
            f"(or create {COURSES_DIR}/{course_id}/course.yml first)"
        )
    academies = [a for a in catalog.academies.values() if course_id in a.courses]
    if not academies:
        raise ScaffoldError(
            f"course {course_id!r} is in no academy; add it to an academy's 'courses' first"
        )
    ident = module_id or slugify(title)
    if not re.match(SLUG_PATTERN, ident) or len(ident) < 2:
        raise ScaffoldError(f"{ident!r} is not a valid id; use lower-case words and hyphens")
    if ident in catalog.modules:
        raise ScaffoldError(
            f"module id {ident!r} is taken by {catalog.relpath(catalog.locations[ident].path)}; "
            "choose another with --id"
        )
    academy = academies[0]
    framework = catalog.frameworks[academy.frameworks[0]]
    competency = f"{framework.id}:{framework.domains[0].competencies[0].code}"
    role = academy.pathways[0].role if academy.pathways else next(iter(catalog.roles))
    module = Module(
        id=ident,
        title=title,
        summary="One or two sentences on what this module teaches and why it matters.",
        minutes=20,
        level=Level.FOUNDATION,
        outcomes=(Outcome(text="Explain the main idea of this module in your own words"),),
        competencies=(competency,),
        audiences=(role,),
        assessment=AssessmentKind.SELF_CHECK,
        version="0.1.0",
        authors=(author,),
        last_reviewed=today,
    )
    course_dir = catalog.root / COURSES_DIR / course_id
    number = len(catalog.course_modules(course_id)) + 1
    return course_dir / f"{number:02d}-{ident}.ipynb", module_notebook(module)


def write_notebook(path: Path, notebook: dict[str, Any]) -> None:
    """Write a new file; never overwrite an author's existing notebook."""
    with path.open("x", encoding="utf-8") as fh:
        json.dump(notebook, fh, indent=1, ensure_ascii=False)
        fh.write("\n")
