"""The master copy of an assignment notebook: what the tutor wrote, in the released order.

Built once per batch from the released notebook (order, metadata) and the gradebook (the
full test sources, hidden tests included, and checksums). Pure apart from :func:`load`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BEGIN_HIDDEN = "BEGIN HIDDEN TESTS"
END_HIDDEN = "END HIDDEN TESTS"
#: Bump when grading semantics change: it is part of every test-suite hash.
ENGINE_VERSION = "academy-grading/1"


@dataclass(frozen=True)
class Segment:
    hidden: bool
    source: str


@dataclass(frozen=True)
class MasterCell:
    grade_id: str | None
    cell_type: str
    role: str  # test | answer | manual-answer | task | setup | text | free
    locked: bool
    points: float | None
    release_source: str
    source: str
    checksum: str | None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def segments(self) -> tuple[Segment, ...]:
        return split_segments(self.source) if self.role == "test" else ()

    @property
    def has_hidden(self) -> bool:
        return any(s.hidden for s in self.segments)


@dataclass(frozen=True)
class MasterNotebook:
    assignment: str
    name: str
    cells: tuple[MasterCell, ...]
    metadata: dict[str, Any]
    files: tuple[str, ...] = ()

    def suite_hash(self) -> str:
        """What grades depend on: every tutor-written source, type, role and mark."""
        return suite_hash(self)

    def by_id(self) -> dict[str, MasterCell]:
        return {c.grade_id: c for c in self.cells if c.grade_id}

    def max_score(self) -> float:
        return sum(c.points or 0.0 for c in self.cells if c.points is not None)


def text(source: object) -> str:
    if isinstance(source, list):
        return "".join(str(s) for s in source)
    return source if isinstance(source, str) else ""


def role_of(cell_type: str, nbgrader: dict[str, Any]) -> str:
    grade, solution = bool(nbgrader.get("grade")), bool(nbgrader.get("solution"))
    if not nbgrader.get("grade_id"):
        return "free"
    if nbgrader.get("task"):
        return "task"
    if grade and solution:
        return "manual-answer"
    if solution:
        return "answer"
    if grade:
        return "test" if cell_type == "code" else "manual-answer"
    return "setup" if cell_type == "code" else "text"


def split_segments(source: str) -> tuple[Segment, ...]:
    """A test cell as alternating public and hidden parts (nbgrader's delimiter lines dropped)."""
    parts: list[Segment] = []
    hidden = False
    lines: list[str] = []
    for line in source.splitlines(keepends=True):
        marker = BEGIN_HIDDEN in line if not hidden else END_HIDDEN in line
        if marker:
            if "".join(lines).strip():
                parts.append(Segment(hidden, "".join(lines)))
            lines, hidden = [], not hidden
            continue
        lines.append(line)
    if "".join(lines).strip():
        parts.append(Segment(hidden, "".join(lines)))
    return tuple(parts)


def suite_hash(master: MasterNotebook) -> str:
    payload = {
        "engine": ENGINE_VERSION,
        "assignment": master.assignment,
        "notebook": master.name,
        "cells": [[c.grade_id, c.cell_type, c.role, c.points, c.source] for c in master.cells],
        "files": list(master.files),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def build(
    assignment: str,
    release_nb: dict[str, Any],
    source_cells: dict[str, dict[str, Any]],
    files: tuple[str, ...] = (),
) -> MasterNotebook:
    """Combine the released notebook with the gradebook's source cells (keyed by grade id)."""
    cells: list[MasterCell] = []
    for cell in release_nb.get("cells", []):
        metadata = dict(cell.get("metadata", {}))
        nbgrader = dict(metadata.get("nbgrader", {}))
        grade_id = nbgrader.get("grade_id") or None
        cell_type = str(cell.get("cell_type", "code"))
        role = role_of(cell_type, nbgrader)
        released = text(cell.get("source", ""))
        stored = source_cells.get(grade_id, {}) if grade_id else {}
        locked = bool(stored.get("locked", nbgrader.get("locked", False)))
        source = str(stored["source"]) if locked and "source" in stored else released
        if grade_id and stored.get("checksum"):
            nbgrader["checksum"] = stored["checksum"]
            metadata["nbgrader"] = nbgrader
        points = float(nbgrader["points"]) if nbgrader.get("grade") or role == "task" else None
        cells.append(
            MasterCell(
                grade_id,
                str(stored.get("cell_type", cell_type)),
                role,
                locked,
                points,
                released,
                source,
                stored.get("checksum"),
                metadata,
            )
        )
    meta = {
        k: v
        for k, v in release_nb.get("metadata", {}).items()
        if k in ("kernelspec", "language_info")
    }
    name = str(release_nb.get("_name", "notebook"))
    return MasterNotebook(assignment, name, tuple(cells), meta, files)


def load(
    gradebook: Any, assignment: str, release_path: Path, files: tuple[str, ...] = ()
) -> MasterNotebook:
    """The master copy of ``release_path`` (``release/<assignment>/<name>.ipynb``)."""
    name = release_path.stem
    notebook = gradebook.find_notebook(name, assignment)
    stored = {
        c.name: {
            "source": c.source,
            "cell_type": c.cell_type,
            "locked": bool(c.locked),
            "checksum": c.checksum,
        }
        for c in notebook.source_cells
    }
    release = json.loads(release_path.read_text("utf-8"))
    release["_name"] = name
    return build(assignment, release, stored, files)
