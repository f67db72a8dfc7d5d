"""When quotas cannot all be met: which ones conflict, and the smallest change that fixes them.

First the arithmetic a programme manager can check by hand (minimums that add up to more than the
places, more wanted than applied). Then, for conflicts across features, a deletion filter over the
quotas finds a smallest set that cannot be met together, and an integer program finds the least
total change to minimums and maximums that makes every quota possible.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .grouping import merge_types, quota_rows
from .model import Pool, Quota, QuotaSet
from .polytope import (
    Problem,
    _highspy,
    add_cohort_constraints,
    feasible,
    integrality,
    is_optimal,
    new_highs,
)


@dataclass(frozen=True)
class Change:
    """Move one bound of one quota: e.g. lower the minimum for region = London from 20 to 17."""

    quota: Quota
    bound: str  # "min" | "max"
    new: int

    @property
    def old(self) -> int:
        return self.quota.min if self.bound == "min" else self.quota.max

    def sentence(self) -> str:
        verb = "lower" if self.new < self.old else "raise"
        by = abs(self.new - self.old)
        return (
            f"{verb} the {'minimum' if self.bound == 'min' else 'maximum'} for {self.quota.label} "
            f"from {self.old} to {self.new} ({by} {'fewer' if self.new < self.old else 'more'})"
        )


@dataclass(frozen=True)
class Diagnosis:
    """Everything we can say about why no cohort meets the quotas."""

    problems: tuple[str, ...] = ()
    conflicting: tuple[Quota, ...] = ()
    changes: tuple[Change, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def feasible(self) -> bool:
        return not (self.problems or self.conflicting or self.changes)

    def summary(self) -> str:
        if self.problems:
            return self.problems[0]
        if self.conflicting:
            labels = ", ".join(q.label for q in self.conflicting)
            total = sum(abs(c.new - c.old) for c in self.changes)
            return (
                f"{len(self.conflicting)} quotas cannot all be met together ({labels}); "
                f"they conflict by {total} place(s) in total"
            )
        return "the quotas can be met"


def arithmetic_problems(pool: Pool, quotas: QuotaSet, capacity: int) -> list[str]:
    """Conflicts visible from totals alone, in programme-manager terms."""
    problems: list[str] = []
    if capacity > pool.size:
        problems.append(
            f"there are {capacity} places but only {pool.size} applicants; lower the capacity "
            f"to {pool.size} or fewer"
        )
    for feature in quotas.features:
        rows = quotas.of(feature)
        low = sum(q.min for q in rows)
        high = sum(q.max for q in rows)
        if low > capacity:
            problems.append(
                f"the minimums for {feature} add up to {low} but there are only {capacity} places: "
                f"lower them by {low - capacity} in total"
            )
        if high < capacity:
            problems.append(
                f"the maximums for {feature} add up to {high}, {capacity - high} short of the "
                f"{capacity} places: raise them by {capacity - high} in total"
            )
        counts = Counter(pool.value_of(a, feature) for a in pool.applicants)
        for q in rows:
            if q.min > counts[q.value]:
                problems.append(
                    f"{q.label} needs at least {q.min} but only {counts[q.value]} applicant(s) "
                    f"have it: lower the minimum by {q.min - counts[q.value]}"
                )
    return problems


def _least_change(problem: Problem, quotas: QuotaSet) -> list[Change]:
    """Smallest total move of minimums down and maximums up that makes a cohort possible."""
    hp = _highspy()
    h = new_highs()
    n = problem.types
    m = len(quotas.quotas)
    add_cohort_constraints(h, problem, integer=True, skip=frozenset(range(m)))
    # Columns n..n+m-1: how far each minimum drops; n+m..n+2m-1: how far each maximum rises.
    for q in quotas.quotas:
        h.addVar(0.0, float(q.min))
    for _ in quotas.quotas:
        h.addVar(0.0, float(problem.capacity))
    extra = list(range(n, n + 2 * m))
    h.changeColsIntegrality(len(extra), extra, integrality(len(extra)))
    h.changeColsCost(len(extra), extra, [1.0] * len(extra))
    for i, members in enumerate(problem.rows.members):
        q = quotas.quotas[i]
        h.addRow(
            float(q.min),
            hp.kHighsInf,
            len(members) + 1,
            [*members, n + i],
            [1.0] * (len(members) + 1),
        )
        h.addRow(
            -hp.kHighsInf,
            float(q.max),
            len(members) + 1,
            [*members, n + m + i],
            [1.0] * len(members) + [-1.0],
        )
    h.run()
    if not is_optimal(h):
        return []
    values = h.getSolution().col_value
    changes = []
    for i, q in enumerate(quotas.quotas):
        down = round(values[n + i])
        up = round(values[n + m + i])
        if down:
            changes.append(Change(q, "min", q.min - down))
        if up:
            changes.append(Change(q, "max", q.max + up))
    return changes


def diagnose(pool: Pool, quotas: QuotaSet, capacity: int) -> Diagnosis:
    """Feasible, or why not. Uses the solver only when the arithmetic checks pass."""
    problems = arithmetic_problems(pool, quotas, capacity)
    if problems:
        return Diagnosis(problems=tuple(problems))
    typed = merge_types(pool)
    problem = Problem(typed.sizes, quota_rows(typed, quotas), capacity)
    if feasible(problem):
        return Diagnosis()
    # Deletion filter: drop each quota in turn if the rest still conflict; what is left is a
    # smallest set that cannot be met together.
    kept = set(range(len(quotas.quotas)))
    for i in range(len(quotas.quotas)):
        trial = kept - {i}
        if not feasible(problem, skip=frozenset(set(range(len(quotas.quotas))) - trial)):
            kept = trial
    conflicting = tuple(quotas.quotas[i] for i in sorted(kept))
    return Diagnosis(conflicting=conflicting, changes=tuple(_least_change(problem, quotas)))
