"""The pathway planner: the least learning time that evidences the targets.

Two small 0-1 integer programs on HiGHS (see docs/journeys.md for the algebra):

* **selection** - choose modules ``x_m`` minimising ``sum minutes_m x_m`` such that
  every target competency is evidenced by a chosen module (or a done one) and every
  chosen module's prerequisites are chosen or done;
* **deadline** - only when first-fit packing of that selection overruns ``--by``:
  the same problem with a week index, ``y_mk``, weekly capacities and "a prerequisite
  no later than its dependant". Infeasible means *proved*: no plan meets the date.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from digital_academy.catalog import Catalog, Module

from .schedule import Calendar, finish, hours_needed, pack, topological
from .solver import BinaryProgram, Proof
from .targets import PlanError, Targets


@dataclass(frozen=True)
class PlannedModule:
    module: Module
    week: int | None
    evidences: tuple[str, ...]
    prerequisite_of: tuple[str, ...]


@dataclass(frozen=True)
class Deadline:
    by: str
    met: bool
    weeks_available: int
    message: str
    earliest_finish: str | None
    hours_per_week_needed: float | None
    #: The time-indexed program's proof, when it had to run (first-fit did not fit).
    proof: Proof | None = None


@dataclass(frozen=True)
class Plan:
    targets: Targets
    already_evidenced: tuple[str, ...]
    items: tuple[PlannedModule, ...]
    proof: Proof
    calendar: Calendar | None
    deadline: Deadline | None

    @property
    def minutes(self) -> int:
        return sum(i.module.minutes for i in self.items)


def _candidates(catalog: Catalog, remaining: set[str], done: frozenset[str]) -> list[Module]:
    """Modules that evidence a remaining target, plus their prerequisite closure."""
    wanted = {m.id for m in catalog.modules.values() if remaining & set(m.competencies)}
    stack = list(wanted)
    while stack:
        for p in catalog.modules[stack.pop()].prerequisites:
            if p not in wanted:
                wanted.add(p)
                stack.append(p)
    return [m for m in catalog.modules.values() if m.id in wanted and m.id not in done]


def _selection(
    modules: list[Module], remaining: set[str], done: frozenset[str], time_limit: float
) -> tuple[Proof, list[Module]]:
    if not remaining:
        return Proof("Optimal", 0.0, 0.0, 0.0, 0, 0, 0, 0.0), []
    program = BinaryProgram()
    var = {m.id: program.variable(m.minutes) for m in modules}
    for target in sorted(remaining):
        terms = {var[m.id]: 1.0 for m in modules if target in m.competencies}
        if not terms:  # nothing left can evidence it: infeasible without asking HiGHS
            return Proof("Infeasible", None, None, None, 0, len(var), 0, 0.0), []
        program.row(terms, lower=1)
    for m in modules:
        for p in m.prerequisites:
            if p in done:
                continue
            # x_m <= x_p; a prerequisite outside the candidates makes m impossible
            terms = {var[m.id]: 1.0}
            if p in var:
                terms[var[p]] = -1.0
            program.row(terms, upper=0)
    proof, chosen = program.solve(time_limit)
    picked = set(chosen)
    return proof, [m for m in modules if var[m.id] in picked]


def _precedence(
    program: BinaryProgram,
    module: list[tuple[int, int]],
    prerequisite: list[tuple[int, int]],
    weeks: int,
) -> None:
    """Scheduled by week k implies the prerequisite is too (cumulative form, tight)."""
    for k in range(1, weeks + 1):
        terms = {v: 1.0 for j, v in module if j <= k}
        for j, v in prerequisite:
            if j <= k:
                terms[v] = terms.get(v, 0.0) - 1.0
        if terms:
            program.row(terms, upper=0)


def _deadline_program(
    modules: list[Module],
    remaining: set[str],
    done: frozenset[str],
    calendar: Calendar,
    weeks: int,
    time_limit: float,
) -> tuple[Proof, dict[str, int]]:
    program = BinaryProgram()
    y: dict[tuple[str, int], int] = {}
    for m in modules:
        for k in range(1, weeks + 1):
            if m.minutes <= calendar.capacity(k):
                y[m.id, k] = program.variable(m.minutes)
    by_module: dict[str, list[tuple[int, int]]] = {m.id: [] for m in modules}
    for (mid, k), v in y.items():
        by_module[mid].append((k, v))
    for target in sorted(remaining):
        terms = {v: 1.0 for m in modules if target in m.competencies for _, v in by_module[m.id]}
        program.row(terms, lower=1)
    for m in modules:
        program.row({v: 1.0 for _, v in by_module[m.id]}, upper=1)
        for p in m.prerequisites:
            if p not in done:
                _precedence(program, by_module[m.id], by_module.get(p, []), weeks)
    for k in range(1, weeks + 1):
        terms = {y[m.id, k]: float(m.minutes) for m in modules if (m.id, k) in y}
        if terms:
            program.row(terms, upper=calendar.capacity(k))
    proof, chosen = program.solve(time_limit)
    picked = set(chosen)
    return proof, {mid: k for (mid, k), v in y.items() if v in picked}


def _items(
    catalog: Catalog, chosen: list[Module], remaining: set[str], week_of: Mapping[str, int]
) -> tuple[PlannedModule, ...]:
    ids = {m.id for m in chosen}
    ordered = topological(chosen)
    rank = {m.id: i for i, m in enumerate(ordered)}
    ordered.sort(key=lambda m: (week_of.get(m.id, 0), rank[m.id]))
    return tuple(
        PlannedModule(
            module=m,
            week=week_of.get(m.id),
            evidences=tuple(c for c in m.competencies if c in remaining),
            prerequisite_of=tuple(d.id for d in ordered if d.id in ids and m.id in d.prerequisites),
        )
        for m in ordered
    )


def plan(
    catalog: Catalog,
    targets: Targets,
    calendar: Calendar | None = None,
    time_limit: float = 30.0,
) -> Plan:
    """The least-time plan for ``targets``; with a calendar, a weekly schedule and a
    verdict on the deadline. Raises :class:`PlanError` when no plan exists at all."""
    done_evidence = {c for d in targets.done for c in catalog.modules[d].competencies}
    remaining = set(targets.competencies) - done_evidence
    already = tuple(sorted(set(targets.competencies) & done_evidence))
    modules = _candidates(catalog, remaining, targets.done)
    if calendar is not None:
        too_long = [m for m in modules if m.minutes > calendar.minutes_per_week]
        modules = [m for m in modules if m not in too_long]
    proof, chosen = _selection(modules, remaining, targets.done, time_limit)
    if proof.infeasible:
        hint = ""
        if calendar is not None:
            hint = (
                f"; at {calendar.minutes_per_week / 60:g} hours a week some modules do not "
                "fit in one week: raise --hours-per-week"
            )
        raise PlanError("no set of modules evidences every target with its prerequisites" + hint)
    if not (proof.optimal or chosen or not remaining):
        raise PlanError(f"the planner stopped without a plan (HiGHS: {proof.status}); retry")
    if calendar is None:
        return Plan(targets, already, _items(catalog, chosen, remaining, {}), proof, None, None)

    ordered = topological(chosen)
    free = Calendar(calendar.start, calendar.minutes_per_week)
    week_of = pack(ordered, free) or {}
    if calendar.by is None:
        items = _items(catalog, chosen, remaining, week_of)
        return Plan(targets, already, items, proof, calendar, None)

    weeks = calendar.weeks or 0
    earliest = finish(week_of, free)
    fitted = pack(ordered, calendar, weeks) if weeks else None
    if fitted is not None or not remaining:
        deadline = Deadline(
            by=calendar.by.isoformat(),
            met=True,
            weeks_available=weeks,
            message=f"fits: {len(chosen)} modules by {calendar.by.isoformat()}",
            earliest_finish=earliest.isoformat() if earliest else None,
            hours_per_week_needed=None,
        )
        items = _items(catalog, chosen, remaining, fitted or {})
        return Plan(targets, already, items, proof, calendar, deadline)

    deadline_proof, assigned = (
        _deadline_program(modules, remaining, targets.done, calendar, weeks, time_limit)
        if weeks
        else (proof, {})
    )
    if weeks and (deadline_proof.optimal or assigned):
        picked = [m for m in modules if m.id in assigned]
        week_of = pack(topological(picked), calendar, weeks) or assigned
        deadline = Deadline(
            by=calendar.by.isoformat(),
            met=True,
            weeks_available=weeks,
            message=f"fits: {len(picked)} modules by {calendar.by.isoformat()}",
            earliest_finish=earliest.isoformat() if earliest else None,
            hours_per_week_needed=None,
            proof=deadline_proof,
        )
        items = _items(catalog, picked, remaining, week_of)
        return Plan(targets, already, items, deadline_proof, calendar, deadline)

    needed = hours_needed(ordered, calendar)
    total = sum(m.minutes for m in chosen)
    advice = [f"set --by {earliest.isoformat()} or later"] if earliest else []
    if math.isfinite(needed):
        advice.append(f"study {needed:g} hours a week")
    message = (
        f"cannot meet {calendar.by.isoformat()}: the quickest plan takes {total} minutes "
        f"({total / 60:.1f} h) in {len(chosen)} one-sitting modules, and no schedule of "
        f"{calendar.minutes_per_week / 60:g} h a week over {weeks} week(s) fits it "
        f"(HiGHS: {deadline_proof.status if weeks else 'no weeks before the date'}); "
        + " or ".join(advice)
    )
    deadline = Deadline(
        by=calendar.by.isoformat(),
        met=False,
        weeks_available=weeks,
        message=message,
        earliest_finish=earliest.isoformat() if earliest else None,
        hours_per_week_needed=needed if math.isfinite(needed) else None,
        proof=deadline_proof if weeks else None,
    )
    # the quickest plan, scheduled without the date it cannot meet
    items = _items(catalog, chosen, remaining, week_of)
    return Plan(targets, already, items, proof, free, deadline)
