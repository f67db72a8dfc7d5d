"""The fairness report: maximin against the greedy baseline on the same pool, and every quota.

Pure functions over the selection outcome; rendering lives in ``report``.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

from .model import Pool, QuotaSet, TypedPool


@dataclass(frozen=True)
class QuotaLine:
    feature: str
    value: str
    min: int
    max: int
    in_pool: int
    selected: int
    expected: float  # expected number selected under the lottery

    @property
    def met(self) -> bool:
        return self.min <= self.selected <= self.max


def quota_table(
    pool: Pool,
    quotas: QuotaSet,
    selected: tuple[str, ...],
    typed: TypedPool,
    type_prob: tuple[Fraction, ...],
) -> list[QuotaLine]:
    chosen = set(selected)
    lines = []
    for q in quotas.quotas:
        column = pool.features.index(q.feature)
        in_pool = sum(1 for a in pool.applicants if a.values[column] == q.value)
        got = sum(1 for a in pool.applicants if a.id in chosen and a.values[column] == q.value)
        expected = sum(
            float(type_prob[t]) * size
            for t, (key, size) in enumerate(zip(typed.keys, typed.sizes, strict=True))
            if key[column] == q.value
        )
        lines.append(QuotaLine(q.feature, q.value, q.min, q.max, in_pool, got, expected))
    return lines


@dataclass(frozen=True)
class BaselineSummary:
    """Selection probabilities of the greedy baseline, estimated from repeated runs.

    Identical applicants are interchangeable for the greedy algorithm too, so a type's estimate
    pools its members: selections / (runs x members). The minimum over types of these estimates
    is biased low (many small types, each noisy). ``min_upper_95`` is the smallest 95% Wilson
    upper limit over types: greedy's true minimum is below it with at least 95% confidence, so
    ``maximin / min_upper_95`` is a conservative ratio.
    """

    runs: int
    failures: int
    min_probability: float
    min_upper_95: float
    mean_probability: float
    applicants_below: int  # applicants the baseline gives less than maximin's minimum
    applicants_below_half: int  # ... less than half of it


def wilson(successes: int, trials: int, z: float = 1.96) -> tuple[float, float]:
    if trials <= 0:
        return 0.0, 1.0
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    spread = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return max(0.0, centre - spread), min(1.0, centre + spread)


def summarise_baseline(
    sizes: tuple[int, ...],
    selected_per_type: list[int],
    runs: int,
    failures: int,
    maximin_min: float,
) -> BaselineSummary:
    good = runs - failures
    if good <= 0:
        return BaselineSummary(runs, failures, 0.0, 1.0, 0.0, sum(sizes), sum(sizes))
    estimates = [s / (good * n) for s, n in zip(selected_per_type, sizes, strict=True)]
    upper = min(wilson(s, good * n)[1] for s, n in zip(selected_per_type, sizes, strict=True))
    below = sum(n for e, n in zip(estimates, sizes, strict=True) if e < maximin_min)
    below_half = sum(n for e, n in zip(estimates, sizes, strict=True) if e < maximin_min / 2)
    total = sum(selected_per_type) / (good * sum(sizes))
    return BaselineSummary(runs, failures, min(estimates), upper, total, below, below_half)


def probability_counts(values: list[float], edges: tuple[float, ...]) -> list[tuple[str, int]]:
    """How many applicants fall in each probability band (for a compact histogram)."""
    counts: Counter[int] = Counter()
    for v in values:
        band = sum(1 for e in edges if v >= e)
        counts[band] += 1
    labels = [f"< {edges[0]:.1%}"]
    labels += [f"{a:.1%} - {b:.1%}" for a, b in itertools.pairwise(edges)]
    labels.append(f">= {edges[-1]:.1%}")
    return [(label, counts[i]) for i, label in enumerate(labels)]
