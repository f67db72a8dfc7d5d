"""Filling a place when a selected applicant withdraws, from the ordered reserve list."""

from __future__ import annotations

from collections.abc import Sequence

from .model import Pool, QuotaSet


def meets_quotas(pool: Pool, quotas: QuotaSet, cohort: set[str]) -> bool:
    for q in quotas.quotas:
        column = pool.features.index(q.feature)
        count = sum(1 for a in pool.applicants if a.id in cohort and a.values[column] == q.value)
        if not q.min <= count <= q.max:
            return False
    return True


def replacement(
    pool: Pool, quotas: QuotaSet, cohort: Sequence[str], reserves: Sequence[str], leaving: str
) -> str | None:
    """The first reserve, in drawn order, whose place in the cohort keeps every quota met.

    None when no reserve can replace ``leaving`` without breaking a quota (the programme manager
    must then decide, and say so publicly).
    """
    if leaving not in cohort:
        raise ValueError(f"{leaving} is not in the cohort")
    rest = set(cohort) - {leaving}
    for candidate in reserves:
        if candidate in rest or candidate == leaving:
            continue
        if meets_quotas(pool, quotas, rest | {candidate}):
            return candidate
    return None
