"""Build small, valid catalogues on disk, for tests to break one fact at a time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support import write_academy


def module_meta(ident: str, **changes: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "id": ident,
        "title": f"Module {ident}",
        "summary": "A test module.",
        "minutes": 20,
        "level": "foundation",
        "outcomes": [{"text": "Calculate a thing", "competencies": ["fw:D1"]}],
        "prerequisites": [],
        "competencies": ["fw:D1"],
        "audiences": ["analyst"],
        "assessment": "self-check",
        "version": "1.0.0",
        "authors": ["Tester"],
        "last_reviewed": "2026-06-01",
    }
    meta.update(changes)
    return meta


def notebook(meta: dict[str, Any] | None, cells: list[dict[str, Any]] | None = None) -> str:
    content: dict[str, Any] = {
        "cells": cells
        if cells is not None
        else [{"cell_type": "markdown", "id": "a", "metadata": {}, "source": "# Hello"}],
        "metadata": {} if meta is None else {"academy": meta},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(content, indent=1)


def make_catalog(root: Path, modules: int = 3) -> Path:
    """A valid catalogue: one framework, one role, one academy, one course, a chain of modules."""
    ids = [f"mod-{i}" for i in range(1, modules + 1)]
    path = {
        "id": "path-a",
        "title": "Path A",
        "role": "analyst",
        "career_step": "Practitioner",
        "summary": "All modules.",
        "modules": ids,
    }
    course = write_academy(root, pathways=[path])
    for i, ident in enumerate(ids, start=1):
        prereqs = [ids[i - 2]] if i > 1 else []
        (course / f"{i:02d}-{ident}.ipynb").write_text(
            notebook(module_meta(ident, prerequisites=prereqs)), "utf-8"
        )
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file's bytes, to prove a command changed nothing."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
