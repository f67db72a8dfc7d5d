"""Merge identical applicants into types, and the quota matrix over types."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Pool, QuotaSet, TypedPool


def merge_types(pool: Pool) -> TypedPool:
    """Group applicants with the same values on every constrained feature; order is canonical."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for applicant in pool.applicants:
        groups.setdefault(applicant.values, []).append(applicant.id)
    keys = tuple(sorted(groups))
    return TypedPool(pool, keys, tuple(tuple(sorted(groups[k])) for k in keys))


@dataclass(frozen=True)
class QuotaRows:
    """For each quota (in file order) the types it counts, with its bounds."""

    members: tuple[tuple[int, ...], ...]
    lower: tuple[int, ...]
    upper: tuple[int, ...]


def quota_rows(typed: TypedPool, quotas: QuotaSet) -> QuotaRows:
    features = typed.pool.features
    members, lower, upper = [], [], []
    for quota in quotas.quotas:
        column = features.index(quota.feature)
        members.append(tuple(t for t, key in enumerate(typed.keys) if key[column] == quota.value))
        lower.append(quota.min)
        upper.append(quota.max)
    return QuotaRows(tuple(members), tuple(lower), tuple(upper))
