"""Typed value objects for cohort selection: applicants, quotas, types and distributions.

Pure data, no I/O and no solver: every other module of the package builds on these.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


class SelectionInputError(ValueError):
    """Bad input a programme manager can fix: says where, what, and what to do."""


@dataclass(frozen=True)
class Applicant:
    """One pseudonymised applicant: values are aligned with ``Pool.features``."""

    id: str
    values: tuple[str, ...]
    hub_username: str = ""


@dataclass(frozen=True)
class Quota:
    """At least ``min`` and at most ``max`` selected applicants with ``feature == value``."""

    feature: str
    value: str
    min: int
    max: int

    @property
    def label(self) -> str:
        return f"{self.feature} = {self.value}"


@dataclass(frozen=True)
class Pool:
    """The applicants (sorted by id) and the features the quotas constrain, in quota order."""

    features: tuple[str, ...]
    applicants: tuple[Applicant, ...]

    @property
    def size(self) -> int:
        return len(self.applicants)

    def value_of(self, applicant: Applicant, feature: str) -> str:
        return applicant.values[self.features.index(feature)]


@dataclass(frozen=True)
class QuotaSet:
    """Quotas for every value of every constrained feature, in file order."""

    quotas: tuple[Quota, ...]

    @property
    def features(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(q.feature for q in self.quotas))

    def of(self, feature: str) -> tuple[Quota, ...]:
        return tuple(q for q in self.quotas if q.feature == feature)


@dataclass(frozen=True)
class TypedPool:
    """Applicants merged into types: identical values on every constrained feature.

    Quotas only see a type's count, so any fair lottery can treat a type's members alike;
    the optimisation runs over types (often far fewer than applicants).
    """

    pool: Pool
    keys: tuple[tuple[str, ...], ...]
    members: tuple[tuple[str, ...], ...]  # applicant ids per type, sorted

    @property
    def sizes(self) -> tuple[int, ...]:
        return tuple(len(m) for m in self.members)

    def type_of(self) -> dict[str, int]:
        return {aid: t for t, ids in enumerate(self.members) for aid in ids}


@dataclass(frozen=True)
class Distribution:
    """A lottery over cohorts: cohort ``c`` (a count per type) has probability w[c] / denominator.

    Weights are integers so the published probabilities are exact and the draw is reproducible
    bit for bit on any machine.
    """

    committees: tuple[tuple[int, ...], ...]
    weights: tuple[int, ...]
    denominator: int

    def type_probabilities(self, sizes: tuple[int, ...]) -> tuple[Fraction, ...]:
        totals = [0] * len(sizes)
        for committee, weight in zip(self.committees, self.weights, strict=True):
            for t, count in enumerate(committee):
                if count:
                    totals[t] += weight * count
        return tuple(
            Fraction(total, self.denominator * size)
            for total, size in zip(totals, sizes, strict=True)
        )
