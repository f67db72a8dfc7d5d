"""Pure steps around a grading job: hashes, job specs, and turning results into notebooks."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from digital_academy.catalog.notebooks import imported_packages

from . import names
from .master import MasterNotebook
from .settings import Settings
from .structure import Rebuilt, rebuild

TIMESTAMP_FILE = "timestamp.txt"
MAX_FILES_BYTES = 20 * 1024 * 1024


class SubmissionTooLarge(ValueError):
    pass


def file_manifest(folder: Path) -> dict[str, str]:
    """``{relative path: sha256}`` of every file in a submission folder."""
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        if (
            path.is_file()
            and path.name != TIMESTAMP_FILE
            and ".ipynb_checkpoints" not in path.parts
        ):
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            found[path.relative_to(folder).as_posix()] = digest
    return found


def submission_hash(folder: Path) -> str:
    canonical = json.dumps(file_manifest(folder), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Suite:
    """What every job of one notebook shares, worked out once per batch."""

    master: MasterNotebook
    free: tuple[str, ...]
    modules: tuple[str, ...]
    files: dict[str, str]  # master supporting files, base64

    @property
    def hash(self) -> str:
        return self.master.suite_hash()


def make_suite(master: MasterNotebook, source_folder: Path, ignore: tuple[str, ...]) -> Suite:
    trusted = [
        names.to_python(c.source)
        for c in master.cells
        if c.role in ("setup", "test") and c.cell_type == "code"
    ]
    code = [c.source for c in master.cells if c.cell_type == "code"]
    files = {
        rel: base64.b64encode((source_folder / rel).read_bytes()).decode("ascii")
        for rel in master.files
        if not any(Path(rel).match(g) for g in ignore)
    }
    return Suite(
        master,
        tuple(sorted(names.free_names(trusted))),
        tuple(sorted(imported_packages(code))),  # to preload, and to trust
        files,
    )


def learner_files(folder: Path, notebook_names: set[str]) -> dict[str, str]:
    """A submission's own extra files (not its notebooks), base64, within a size budget."""
    out: dict[str, str] = {}
    total = 0
    for rel in file_manifest(folder):
        if Path(rel).suffix == ".ipynb" and Path(rel).stem in notebook_names:
            continue
        data = (folder / rel).read_bytes()
        total += len(data)
        if total > MAX_FILES_BYTES:
            raise SubmissionTooLarge(f"the submission's files exceed {MAX_FILES_BYTES >> 20} MB")
        out[rel] = base64.b64encode(data).decode("ascii")
    return out


def job_spec(
    suite: Suite, rebuilt: Rebuilt, extra_files: dict[str, str], settings: Settings
) -> dict[str, Any]:
    tests = {}
    for index, (cell, mc) in enumerate(zip(rebuilt.cells, rebuilt.master, strict=True)):
        if mc is not None and mc.role == "test" and cell["cell_type"] == "code":
            tests[str(index)] = {
                "segments": [{"hidden": s.hidden, "source": s.source} for s in mc.segments]
            }
    return {
        "cells": rebuilt.cells,
        "roles": rebuilt.roles,
        "tests": tests,
        "free": list(suite.free),
        "modules": list(suite.modules),
        "preload": list(suite.modules),
        "files": {**extra_files, **suite.files},  # master copies win, as in nbgrader
        "limits": settings.limits.as_dict(),
        "mode": settings.sandbox,
        "seed": settings.seed,
    }


def graded_notebook(suite: Suite, rebuilt: Rebuilt, result: dict[str, Any]) -> dict[str, Any]:
    """The autograded notebook: the rebuilt cells with the job's outputs (tutors' view)."""
    cells = copy.deepcopy(rebuilt.cells)
    for key, entry in result.get("cells", {}).items():
        cell = cells[int(key)]
        if "segments" in entry:
            cell["outputs"] = [o for s in entry["segments"] for o in s["outputs"]]
            cell["metadata"]["academy"] = {
                "checks": [
                    {"hidden": s["hidden"], "status": s["status"], "outputs": len(s["outputs"])}
                    for s in entry["segments"]
                ]
            }
        else:
            cell["outputs"] = entry.get("outputs", [])
            cell["execution_count"] = entry.get("execution_count")
    for i, cell in enumerate(cells):
        cell["id"] = f"cell-{i}"
    return {
        "cells": cells,
        "metadata": copy.deepcopy(suite.master.metadata),
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def unreadable_notebook(suite: Suite, reason: str) -> dict[str, Any]:
    """A graded notebook for a submission we could not read: every check fails, reason shown."""
    release = {
        "nbformat": 4,
        "cells": [
            {"cell_type": c.cell_type, "source": c.release_source, "metadata": c.metadata}
            for c in suite.master.cells
        ],
    }
    rebuilt = rebuild(suite.master, release)
    failure = {
        "output_type": "error",
        "ename": "UnreadableSubmission",
        "evalue": reason,
        "traceback": [f"UnreadableSubmission: {reason}"],
    }
    result = {
        "cells": {
            str(i): {"segments": [{"hidden": False, "status": "failed", "outputs": [failure]}]}
            for i, role in enumerate(rebuilt.roles)
            if role == "test"
        }
    }
    return graded_notebook(suite, rebuilt, result)
