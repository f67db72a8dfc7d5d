"""The accreditation pack as plain data: pure functions of the catalogue and a date.

An academy teaches the modules of its courses plus any module its pathways borrow
from other courses. Notional learning hours are the modules' stated minutes (the
catalogue records no separate study time); UK credits are hours / 10.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from digital_academy.catalog import Academy, AssessmentKind, Catalog, Module

HOURS_PER_CREDIT = 10
#: A review due within this many days is flagged "due soon".
DUE_SOON_DAYS = 90


class PackError(ValueError):
    """The pack cannot be built; the message says why and what to do."""


class _Minutes(Protocol):
    @property
    def minutes(self) -> int: ...


class _Hours:
    """Notional learning hours and UK credits, for a class with ``minutes`` (a field or a
    property)."""

    @property
    def hours(self: _Minutes) -> float:
        return self.minutes / 60

    @property
    def credits(self: _Minutes) -> float:
        return self.minutes / 60 / HOURS_PER_CREDIT


@dataclass(frozen=True)
class CoverageRow:
    framework: str
    domain: str
    competency: str
    statement: str
    outcome: str
    module: str
    module_title: str
    assessment: str
    methods: str
    evidence: str


@dataclass(frozen=True)
class ModuleHours(_Hours):
    module: str
    title: str
    course: str
    level: str
    assessment: str
    minutes: int
    last_reviewed: str
    review_due: str
    review_status: str


@dataclass(frozen=True)
class PathwayHours(_Hours):
    pathway: str
    title: str
    role: str
    career_step: str
    modules: int
    minutes: int
    elective_minutes: int


@dataclass(frozen=True)
class AssessmentInfo:
    assessment: str
    title: str
    module: str
    competencies: str
    methods: str
    pass_mark: str


@dataclass(frozen=True)
class Gap:
    competency: str
    statement: str
    kind: str
    detail: str


@dataclass(frozen=True)
class Pack(_Hours):
    academy: Academy
    generated: dt.date
    frameworks: tuple[tuple[str, str, str], ...]
    coverage: tuple[CoverageRow, ...]
    modules: tuple[ModuleHours, ...]
    pathways: tuple[PathwayHours, ...]
    assessments: tuple[AssessmentInfo, ...]
    gaps: tuple[Gap, ...]

    @property
    def minutes(self) -> int:
        return sum(m.minutes for m in self.modules)

    @property
    def next_review(self) -> str | None:
        return min((m.review_due for m in self.modules), default=None)


def academy_modules(catalog: Catalog, academy: Academy) -> list[Module]:
    ids = [m.id for m in catalog.academy_modules(academy.id)]
    for pathway in academy.pathways:
        ids += [m for m in (*pathway.modules, *pathway.electives) if m not in ids]
    return [catalog.modules[i] for i in ids]


def review_status(module: Module, today: dt.date) -> str:
    due = module.review_due()
    if due < today:
        return "overdue"
    if (due - today).days <= DUE_SOON_DAYS:
        return "due soon"
    return "current"


def _evidence(catalog: Catalog, module: Module, ref: str) -> tuple[str, str, str]:
    """(assessment, methods, evidence) for one competency of one module."""
    for a in catalog.module_assessments(module.id):
        if ref in a.competencies:
            return (
                a.id,
                "; ".join(a.methods),
                f"graded submission and gradebook record; pass mark {a.pass_mark:.0%}; "
                "Open Badges credential on passing",
            )
    if module.assessment is AssessmentKind.NONE:
        return "none", "", "completion record only (not assessed)"
    return (
        "self-check",
        "formative self-check questions with feedback",
        "self-check completion record (formative, not graded)",
    )


def build_pack(catalog: Catalog, academy_id: str, today: dt.date) -> Pack:
    academy = catalog.academies.get(academy_id)
    if academy is None:
        raise PackError(
            f"unknown academy {academy_id!r}; known: {', '.join(sorted(catalog.academies))}"
        )
    modules = academy_modules(catalog, academy)
    rows: list[CoverageRow] = []
    gaps: list[Gap] = []
    for fid in academy.frameworks:
        framework = catalog.frameworks[fid]
        for domain in framework.domains:
            for competency in domain.competencies:
                ref = f"{fid}:{competency.code}"
                teaching = [m for m in modules if ref in m.competencies]
                if not teaching:
                    gaps.append(
                        Gap(ref, competency.statement, "not evidenced", "no module evidences it")
                    )
                    continue
                graded = False
                for m in teaching:
                    assessment, methods, evidence = _evidence(catalog, m, ref)
                    graded = graded or assessment not in ("self-check", "none")
                    outcomes = [o.text for o in m.outcomes if ref in o.competencies] or [
                        "(no outcome names it; module-level competency)"
                    ]
                    rows += [
                        CoverageRow(
                            fid,
                            domain.name,
                            ref,
                            competency.statement,
                            text,
                            m.id,
                            m.title,
                            assessment,
                            methods,
                            evidence,
                        )
                        for text in outcomes
                    ]
                if not graded:
                    gaps.append(
                        Gap(
                            ref,
                            competency.statement,
                            "not assessed",
                            "only self-checks evidence it: " + ", ".join(m.id for m in teaching),
                        )
                    )
    hours = tuple(
        ModuleHours(
            m.id,
            m.title,
            catalog.locations[m.id].course,
            m.level.value,
            m.assessment.value,
            m.minutes,
            m.last_reviewed.isoformat(),
            m.review_due().isoformat(),
            review_status(m, today),
        )
        for m in modules
    )
    pathways = tuple(
        PathwayHours(
            p.id,
            p.title,
            p.role,
            p.career_step,
            len(p.modules),
            sum(catalog.modules[m].minutes for m in p.modules),
            sum(catalog.modules[m].minutes for m in p.electives),
        )
        for p in academy.pathways
    )
    ids = {m.id for m in modules}
    assessments = tuple(
        AssessmentInfo(
            a.id,
            a.title,
            a.module,
            ", ".join(a.competencies),
            "; ".join(a.methods),
            f"{a.pass_mark:.0%}",
        )
        for a in catalog.assessments.values()
        if a.module in ids
    )
    frameworks = tuple(
        (f.id, f.name, f"{f.source}, version {f.version}")
        for f in (catalog.frameworks[i] for i in academy.frameworks)
    )
    return Pack(academy, today, frameworks, tuple(rows), hours, pathways, assessments, tuple(gaps))
