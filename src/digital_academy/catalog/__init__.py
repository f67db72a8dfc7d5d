"""The content model: loading, validating and describing the catalogue.

The ground floor of the package: it imports nothing else of ours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .catalog import Catalog, ModuleLocation
from .diagnostics import Diagnostic, Severity
from .loader import load_catalog
from .model import (
    BITESIZE_MAX_MINUTES,
    METADATA_KEY,
    Academy,
    Assessment,
    AssessmentKind,
    CompetencyFramework,
    Course,
    Level,
    Module,
    Outcome,
    Pathway,
    Role,
)
from .validate import validate


class CatalogError(Exception):
    """The catalogue has errors; ``diagnostics`` says which and how to fix them."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        super().__init__(f"{len(diagnostics)} error(s) in the catalogue; run `academy check`")


@dataclass(frozen=True)
class CheckResult:
    catalog: Catalog
    diagnostics: list[Diagnostic]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.WARNING]


def check(root: Path, today: dt.date | None = None) -> CheckResult:
    """Load and validate the catalogue under ``root``; never raises on bad content."""
    catalog, found = load_catalog(root)
    found += validate(catalog, today or dt.date.today())
    return CheckResult(catalog, found)


def load_valid(root: Path, today: dt.date | None = None) -> Catalog:
    """The catalogue, for builders that must not run on broken content."""
    result = check(root, today)
    if result.errors:
        raise CatalogError(result.errors)
    return result.catalog


__all__ = [
    "BITESIZE_MAX_MINUTES",
    "METADATA_KEY",
    "Academy",
    "Assessment",
    "AssessmentKind",
    "Catalog",
    "CatalogError",
    "CheckResult",
    "CompetencyFramework",
    "Course",
    "Diagnostic",
    "Level",
    "Module",
    "ModuleLocation",
    "Outcome",
    "Pathway",
    "Role",
    "Severity",
    "check",
    "load_catalog",
    "load_valid",
]
