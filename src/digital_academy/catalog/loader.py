"""Load the catalogue from disk, collecting every problem instead of stopping at the first.

Layout (documented in docs/content-model.md):

    specialist_academies/roles.yml             roles modules are written for
    specialist_academies/frameworks/<id>.yml   competency frameworks
    specialist_academies/<id>.yml              academies, with their pathways
    courses/<id>/course.yml                    a course
    courses/<id>/*.ipynb                       its modules, in file-name order
    graders/assessments/<id>.yml               accredited assessments
    graders/source/<id>/<id>.ipynb             their nbgrader source notebooks
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .catalog import Catalog, ModuleLocation
from .diagnostics import Diagnostic, error, from_validation_error
from .model import (
    METADATA_KEY,
    Academy,
    Assessment,
    CompetencyFramework,
    Course,
    Module,
    Role,
)
from .notebooks import NotebookData, missing_alt_text, read_notebook

ACADEMIES_DIR = "specialist_academies"
COURSES_DIR = "courses"
FRAMEWORKS_DIR = f"{ACADEMIES_DIR}/frameworks"
ROLES_FILE = f"{ACADEMIES_DIR}/roles.yml"
ASSESSMENTS_DIR = "graders/assessments"
ASSESSMENT_SOURCE = "graders/source"

M = TypeVar("M", bound=BaseModel)

# The C loader is several times faster where PyYAML was built with libyaml.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Load:
    """One pass over the content folders; accumulates diagnostics as it goes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.diagnostics: list[Diagnostic] = []

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def read_yaml(self, path: Path) -> Any:
        rel = self.rel(path)
        try:
            return yaml.load(path.read_bytes().decode("utf-8"), Loader=_Loader)
        except UnicodeDecodeError as exc:
            self.diagnostics.append(
                error(
                    "encoding", rel, "(file)", f"not UTF-8 at offset {exc.start}", "save as UTF-8"
                )
            )
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
            problem = getattr(exc, "problem", None) or str(exc)
            self.diagnostics.append(
                error("yaml", rel, where, f"invalid YAML: {problem}", "fix the YAML syntax there")
            )
        return None

    def parse(self, model: type[M], data: Any, path: Path, prefix: str = "") -> M | None:
        rel = self.rel(path)
        if data is None:
            if path.exists() and not any(d.file == rel for d in self.diagnostics):
                self.diagnostics.append(
                    error("schema", rel, prefix or "(file)", "the file is empty", "fill it in")
                )
            return None
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            self.diagnostics.extend(from_validation_error(exc, rel, prefix))
            return None

    def unique(self, kind: str, ident: str, path: Path, seen: dict[str, Path]) -> bool:
        if ident in seen:
            self.diagnostics.append(
                error(
                    "duplicate-id",
                    self.rel(path),
                    "id",
                    f"{kind} id {ident!r} is already used by {self.rel(seen[ident])}",
                    "give one of them a new, unique id",
                )
            )
            return False
        seen[ident] = path
        return True

    def named_after_id(self, path: Path, ident: str, expected: str) -> None:
        if ident != expected:
            self.diagnostics.append(
                error(
                    "file-name",
                    self.rel(path),
                    "id",
                    f"id {ident!r} does not match its file or folder name {expected!r}",
                    "rename the file or folder, or change the id, so that they match",
                )
            )


def _yaml_files(folder: Path) -> Iterator[Path]:
    return iter(sorted(p for p in folder.glob("*.yml") if p.is_file()))


def load_catalog(root: Path) -> tuple[Catalog, list[Diagnostic]]:
    """Read every content file under ``root``; invalid items are reported and left out."""
    load = _Load(root)
    frameworks = _load_frameworks(load)
    roles = _load_roles(load)
    academies = _load_academies(load)
    courses, modules, locations = _load_courses(load)
    assessments = _load_assessments(load)
    catalog = Catalog(
        root=root,
        frameworks=frameworks,
        roles=roles,
        academies=academies,
        courses=courses,
        modules=modules,
        locations=locations,
        assessments=assessments,
    )
    return catalog, load.diagnostics


def _load_frameworks(load: _Load) -> dict[str, CompetencyFramework]:
    found: dict[str, CompetencyFramework] = {}
    seen: dict[str, Path] = {}
    for path in _yaml_files(load.root / FRAMEWORKS_DIR):
        fw = load.parse(CompetencyFramework, load.read_yaml(path), path)
        if fw and load.unique("framework", fw.id, path, seen):
            load.named_after_id(path, fw.id, path.stem)
            found[fw.id] = fw
    return found


def _load_roles(load: _Load) -> dict[str, Role]:
    path = load.root / ROLES_FILE
    if not path.exists():
        load.diagnostics.append(
            error(
                "missing-file", ROLES_FILE, "(file)", "no roles file", "create it: a list of roles"
            )
        )
        return {}
    data = load.read_yaml(path)
    if data is not None and not isinstance(data, list):
        load.diagnostics.append(
            error("schema", ROLES_FILE, "(top level)", "expected a list of roles", "make it a list")
        )
        return {}
    found: dict[str, Role] = {}
    for i, item in enumerate(data or []):
        role = load.parse(Role, item, path, prefix=f"[{i}]")
        if role is None:
            continue
        if role.id in found:
            load.diagnostics.append(
                error("duplicate-id", ROLES_FILE, f"[{i}].id", f"role {role.id!r} repeats", "merge")
            )
        found[role.id] = role
    return found


def _load_academies(load: _Load) -> dict[str, Academy]:
    found: dict[str, Academy] = {}
    seen: dict[str, Path] = {}
    for path in _yaml_files(load.root / ACADEMIES_DIR):
        if path.name == Path(ROLES_FILE).name:
            continue
        academy = load.parse(Academy, load.read_yaml(path), path)
        if academy and load.unique("academy", academy.id, path, seen):
            load.named_after_id(path, academy.id, path.stem)
            found[academy.id] = academy
    return found


def _load_courses(
    load: _Load,
) -> tuple[dict[str, Course], dict[str, Module], dict[str, ModuleLocation]]:
    courses: dict[str, Course] = {}
    modules: dict[str, Module] = {}
    locations: dict[str, ModuleLocation] = {}
    seen: dict[str, Path] = {}
    folder = load.root / COURSES_DIR
    course_dirs = sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
    for course_dir in course_dirs:
        if course_dir.name.startswith((".", "_")):
            continue
        spec = course_dir / "course.yml"
        if not spec.exists():
            load.diagnostics.append(
                error(
                    "missing-file",
                    load.rel(course_dir),
                    "course.yml",
                    "course folder has no course.yml",
                    "add course.yml with id, title and summary",
                )
            )
            continue
        course = load.parse(Course, load.read_yaml(spec), spec)
        if course is None:
            continue
        load.named_after_id(spec, course.id, course_dir.name)
        courses[course.id] = course
        for nb_path in sorted(course_dir.glob("*.ipynb")):
            module = _load_module(load, nb_path)
            if module and load.unique("module", module.id, nb_path, seen):
                modules[module.id] = module
                locations[module.id] = ModuleLocation(course.id, nb_path)
    return courses, modules, locations


def _load_module(load: _Load, path: Path) -> Module | None:
    rel = load.rel(path)
    nb = read_notebook(path, rel)
    if not isinstance(nb, NotebookData):
        load.diagnostics.append(nb)
        return None
    load.diagnostics.extend(missing_alt_text(nb, rel))
    meta = nb.metadata.get(METADATA_KEY)
    if meta is None:
        load.diagnostics.append(
            error(
                "no-metadata",
                rel,
                f"metadata.{METADATA_KEY}",
                "the notebook has no module metadata",
                f"add metadata.{METADATA_KEY} (see docs/content-model.md), or start from "
                "`academy new module`",
            )
        )
        return None
    if not isinstance(meta, dict):
        load.diagnostics.append(
            error(
                "schema",
                rel,
                f"metadata.{METADATA_KEY}",
                f"expected an object of module facts, got {type(meta).__name__}",
                "see `academy schema` for the fields",
            )
        )
        return None
    return load.parse(Module, meta, path, prefix=f"metadata.{METADATA_KEY}")


def _load_assessments(load: _Load) -> dict[str, Assessment]:
    found: dict[str, Assessment] = {}
    seen: dict[str, Path] = {}
    for path in _yaml_files(load.root / ASSESSMENTS_DIR):
        assessment = load.parse(Assessment, load.read_yaml(path), path)
        if assessment and load.unique("assessment", assessment.id, path, seen):
            load.named_after_id(path, assessment.id, path.stem)
            found[assessment.id] = assessment
            source = load.root / ASSESSMENT_SOURCE / assessment.id / f"{assessment.id}.ipynb"
            if not source.is_file():
                load.diagnostics.append(
                    error(
                        "missing-file",
                        load.rel(path),
                        "id",
                        f"no nbgrader source notebook at {load.rel(source)}",
                        "create the source notebook there, with solutions and tests",
                    )
                )
            else:
                nb = read_notebook(source, load.rel(source))
                if not isinstance(nb, NotebookData):
                    load.diagnostics.append(nb)
    return found
