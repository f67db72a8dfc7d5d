"""Progress per pathway and per competency, for one learner or a cohort: pure functions.

A module is *done* when the learner completed it (or its self-checks) or passed its
assessment. A competency is *assessed* when a passed assessment lists it, and
*self-checked* when only a completed module lists it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from digital_academy.catalog import Catalog

from .progress import Event, ModuleStatus, ProgressRecord, learners, status_by_module

ASSESSED = "assessed"
SELF_CHECKED = "self-checked"
NOT_YET = "not yet"


@dataclass(frozen=True)
class PathwayProgress:
    academy: str
    pathway: str
    title: str
    required: int
    done: int
    accredited: int
    passed: int
    minutes_total: int
    minutes_done: int

    @property
    def percent(self) -> float:
        return 100.0 * self.done / self.required if self.required else 100.0


@dataclass(frozen=True)
class CompetencyProgress:
    ref: str
    statement: str
    state: str
    modules: tuple[str, ...]


@dataclass(frozen=True)
class LearnerSummary:
    learner: str
    modules: dict[str, ModuleStatus]
    pathways: tuple[PathwayProgress, ...]
    competencies: tuple[CompetencyProgress, ...]

    @property
    def minutes(self) -> int:
        return sum(s.minutes for s in self.modules.values())


def assessed_competencies(
    catalog: Catalog, records: Sequence[ProgressRecord], learner: str
) -> set[str]:
    found: set[str] = set()
    for r in records:
        if r.learner == learner and r.event is Event.ASSESSMENT and r.passed and r.assessment:
            assessment = catalog.assessments.get(r.assessment)
            if assessment is not None:
                found.update(assessment.competencies)
    return found


def learner_summary(
    catalog: Catalog, records: Sequence[ProgressRecord], learner: str
) -> LearnerSummary:
    modules = status_by_module(records, learner)
    pathways = []
    for academy, pathway in catalog.pathways():
        required = [catalog.modules[m] for m in pathway.modules]
        accredited = [m for m in required if m.assessment.value == "accredited"]
        done = [m for m in required if m.id in modules and modules[m.id].done]
        pathways.append(
            PathwayProgress(
                academy=academy.id,
                pathway=pathway.id,
                title=pathway.title,
                required=len(required),
                done=len(done),
                accredited=len(accredited),
                passed=sum(1 for m in accredited if m.id in modules and modules[m.id].passed),
                minutes_total=sum(m.minutes for m in required),
                minutes_done=sum(m.minutes for m in done),
            )
        )
    assessed = assessed_competencies(catalog, records, learner)
    by_ref: dict[str, list[str]] = {}
    for m in catalog.modules.values():
        for ref in m.competencies:
            by_ref.setdefault(ref, []).append(m.id)
    competencies = []
    for ref in sorted(by_ref):
        done_here = [m for m in by_ref[ref] if m in modules and modules[m].done]
        state = ASSESSED if ref in assessed else SELF_CHECKED if done_here else NOT_YET
        competencies.append(
            CompetencyProgress(
                ref, catalog.competency_statement(ref) or "", state, tuple(by_ref[ref])
            )
        )
    return LearnerSummary(learner, modules, tuple(pathways), tuple(competencies))


@dataclass(frozen=True)
class Cohort:
    learners: tuple[str, ...]
    summaries: tuple[LearnerSummary, ...]

    def completion(self, module_id: str) -> tuple[int, int]:
        """(learners who completed, learners who passed) the module."""
        done = sum(
            1 for s in self.summaries if module_id in s.modules and s.modules[module_id].done
        )
        passed = sum(
            1 for s in self.summaries if module_id in s.modules and s.modules[module_id].passed
        )
        return done, passed

    def attainment(self, ref: str) -> tuple[float, float]:
        """Share of learners with the competency assessed, and self-checked only."""
        if not self.summaries:
            return 0.0, 0.0
        states = [next(c.state for c in s.competencies if c.ref == ref) for s in self.summaries]
        n = len(states)
        return states.count(ASSESSED) / n, states.count(SELF_CHECKED) / n


def cohort(
    catalog: Catalog,
    records: Sequence[ProgressRecord],
    only: Sequence[str] = (),
    course_run: str | None = None,
) -> Cohort:
    """Summaries for every learner with records (or just ``only``), optionally one run."""
    if course_run is not None:
        records = [r for r in records if r.course_run == course_run]
    names = tuple(only) if only else tuple(learners(records))
    return Cohort(names, tuple(learner_summary(catalog, records, n) for n in names))
