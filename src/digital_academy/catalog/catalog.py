"""The loaded catalogue: an immutable, queryable view of all content."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .model import (
    Academy,
    Assessment,
    CompetencyFramework,
    Course,
    Module,
    Pathway,
    Role,
    split_ref,
)


@dataclass(frozen=True, slots=True)
class ModuleLocation:
    course: str
    path: Path


@dataclass(frozen=True)
class Catalog:
    root: Path
    frameworks: Mapping[str, CompetencyFramework]
    roles: Mapping[str, Role]
    academies: Mapping[str, Academy]
    courses: Mapping[str, Course]
    modules: Mapping[str, Module]
    locations: Mapping[str, ModuleLocation]
    assessments: Mapping[str, Assessment]

    def course_modules(self, course_id: str) -> list[Module]:
        """A course's modules in teaching order (their notebooks' file-name order)."""
        return [m for m in self.modules.values() if self.locations[m.id].course == course_id]

    def academy_modules(self, academy_id: str) -> list[Module]:
        academy = self.academies[academy_id]
        return [m for c in academy.courses for m in self.course_modules(c)]

    def academies_of_module(self, module_id: str) -> list[Academy]:
        course = self.locations[module_id].course
        return [a for a in self.academies.values() if course in a.courses]

    def pathways(self) -> list[tuple[Academy, Pathway]]:
        return [(a, p) for a in self.academies.values() for p in a.pathways]

    def competency_statement(self, ref: str) -> str | None:
        framework_id, code = split_ref(ref)
        framework = self.frameworks.get(framework_id)
        competency = framework.codes().get(code) if framework else None
        return competency.statement if competency else None

    def module_assessments(self, module_id: str) -> list[Assessment]:
        return [a for a in self.assessments.values() if a.module == module_id]

    def relpath(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()
