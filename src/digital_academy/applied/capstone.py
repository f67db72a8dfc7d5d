"""Load and check capstones from ``graders/capstones/<id>/`` against the catalogue.

The catalogue (``digital_academy.catalog``) knows nothing of capstones; this module loads
them itself and checks every competency and academy they name against it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from digital_academy.catalog import Catalog, Diagnostic
from digital_academy.catalog import check as check_catalog
from digital_academy.catalog.diagnostics import error, from_validation_error
from digital_academy.catalog.model import split_ref
from digital_academy.catalog.notebooks import NotebookData, read_notebook

from .errors import AppliedError, RubricError
from .rubric import CapstoneSpec, Rubric, rubric_problems

CAPSTONES_DIR = "graders/capstones"
SPEC_FILE = "capstone.yml"
RUBRIC_FILE = "rubric.yml"
TEMPLATE_FILE = "template.ipynb"

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Capstone:
    spec: CapstoneSpec
    rubric: Rubric
    folder: Path
    #: Content hashes recorded with every mark, so a mark names the exact rubric it used.
    rubric_sha256: str
    template_sha256: str

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def template(self) -> Path:
        return self.folder / TEMPLATE_FILE


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def capstone_ids(root: Path) -> list[str]:
    folder = root / CAPSTONES_DIR
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def _read(path: Path, rel: str, found: list[Diagnostic]) -> Any:
    if not path.is_file():
        found.append(error("missing-file", rel, "(file)", "file not found", f"create {rel}"))
        return None
    try:
        data = yaml.safe_load(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        found.append(error("encoding", rel, "(file)", "not UTF-8", "save it as UTF-8"))
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        problem = getattr(exc, "problem", None) or str(exc)
        found.append(error("yaml", rel, where, f"invalid YAML: {problem}", "fix the syntax"))
        return None
    if not isinstance(data, dict):
        found.append(
            error("schema", rel, "(top level)", "expected a mapping of fields", "see the docs")
        )
        return None
    return data


def _parse(model: type[M], data: Any, rel: str, found: list[Diagnostic]) -> M | None:
    if data is None:
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        found.extend(from_validation_error(exc, rel))
        return None


def _catalogue_problems(
    spec: CapstoneSpec, rubric: Rubric, catalog: Catalog, spec_rel: str, rubric_rel: str
) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    academy = catalog.academies.get(spec.academy)
    if academy is None:
        found.append(
            error(
                "unknown-academy",
                spec_rel,
                "academy",
                f"no academy {spec.academy!r} in the catalogue",
                f"use one of {sorted(catalog.academies)}",
            )
        )
    for i, criterion in enumerate(rubric.criteria):
        for j, ref in enumerate(criterion.competencies):
            where = f"criteria[{i}].competencies[{j}]"
            framework, _ = split_ref(ref)
            if catalog.competency_statement(ref) is None:
                known = catalog.frameworks.get(framework)
                hint = (
                    f"known codes in {framework}: {', '.join(sorted(known.codes()))}"
                    if known
                    else f"known frameworks: {', '.join(sorted(catalog.frameworks))}"
                )
                found.append(
                    error(
                        "unknown-competency",
                        rubric_rel,
                        where,
                        f"competency {ref!r} is not in the frameworks",
                        hint,
                    )
                )
            elif academy is not None and framework not in academy.frameworks:
                found.append(
                    error(
                        "unknown-competency",
                        rubric_rel,
                        where,
                        f"framework {framework!r} is not one of academy {academy.id!r}'s",
                        f"use a competency from {list(academy.frameworks)}",
                    )
                )
    return found


def _template_problems(rubric: Rubric, path: Path, rel: str) -> list[Diagnostic]:
    """The template must give each criterion a manually graded answer cell (id = criterion).

    The points equal the rubric's scale, so a tutor's score in nbgrader's grading view is
    a level's score and can be imported as a rubric mark.
    """
    if not path.is_file():
        return [error("missing-file", rel, "(file)", "no project template", f"create {rel}")]
    nb = read_notebook(path, rel)
    if not isinstance(nb, NotebookData):
        return [nb]
    answers: dict[str, dict[str, Any]] = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if isinstance(meta, dict) and meta.get("grade") and meta.get("solution"):
            answers[str(meta.get("grade_id"))] = meta
    found: list[Diagnostic] = []
    span = rubric.max_score - rubric.min_score
    for criterion in rubric.criteria:
        meta = answers.get(criterion.id)
        if meta is None:
            found.append(
                error(
                    "template-criterion",
                    rel,
                    "cells",
                    f"no answer cell for criterion {criterion.id!r}",
                    f"add a manually graded answer cell with nbgrader grade_id {criterion.id!r}",
                )
            )
        elif meta.get("points") != span:
            found.append(
                error(
                    "template-criterion",
                    rel,
                    f"cells[grade_id={criterion.id}].metadata.nbgrader.points",
                    f"points are {meta.get('points')!r}, the rubric's scale spans {span}",
                    f"set points to {span} so a grading-view score is a level score",
                )
            )
    return found


def check_capstone(
    root: Path, capstone_id: str, catalog: Catalog
) -> tuple[Capstone | None, list[Diagnostic]]:
    """Load one capstone; never raises on bad content."""
    folder = root / CAPSTONES_DIR / capstone_id
    rel = f"{CAPSTONES_DIR}/{capstone_id}"
    found: list[Diagnostic] = []
    spec_rel, rubric_rel = f"{rel}/{SPEC_FILE}", f"{rel}/{RUBRIC_FILE}"
    spec = _parse(CapstoneSpec, _read(folder / SPEC_FILE, spec_rel, found), spec_rel, found)
    rubric = _parse(Rubric, _read(folder / RUBRIC_FILE, rubric_rel, found), rubric_rel, found)
    if spec is not None and spec.id != capstone_id:
        found.append(
            error(
                "file-name",
                spec_rel,
                "id",
                f"id {spec.id!r} does not match its folder {capstone_id!r}",
                "rename the folder or change the id so that they match",
            )
        )
    if rubric is not None:
        found += rubric_problems(rubric, rubric_rel)
        found += _template_problems(rubric, folder / TEMPLATE_FILE, f"{rel}/{TEMPLATE_FILE}")
    if spec is not None and rubric is not None:
        found += _catalogue_problems(spec, rubric, catalog, spec_rel, rubric_rel)
    if found or spec is None or rubric is None:
        return None, found
    capstone = Capstone(
        spec=spec,
        rubric=rubric,
        folder=folder,
        rubric_sha256=sha256_file(folder / RUBRIC_FILE),
        template_sha256=sha256_file(folder / TEMPLATE_FILE),
    )
    return capstone, found


def catalogue(root: Path) -> Catalog:
    """The catalogue, for its frameworks and academies.

    ``check`` rather than ``load_valid``: a broken module elsewhere must not stop marking;
    every competency a capstone names is still checked against the loaded frameworks.
    """
    return check_catalog(root).catalog


def check_all(
    root: Path, catalog: Catalog | None = None
) -> tuple[list[Capstone], list[Diagnostic]]:
    catalog = catalog or catalogue(root)
    loaded: list[Capstone] = []
    found: list[Diagnostic] = []
    for ident in capstone_ids(root):
        capstone, problems = check_capstone(root, ident, catalog)
        found += problems
        if capstone is not None:
            loaded.append(capstone)
    return loaded, found


def load_capstone(root: Path, capstone_id: str, catalog: Catalog | None = None) -> Capstone:
    """One valid capstone, or a clear error naming the file, field and fix."""
    known = capstone_ids(root)
    if capstone_id not in known:
        raise AppliedError(
            f"no capstone {capstone_id!r} in {CAPSTONES_DIR}/; known: {', '.join(known) or 'none'}"
        )
    capstone, problems = check_capstone(root, capstone_id, catalog or catalogue(root))
    if capstone is None:
        raise RubricError(problems)
    return capstone
