"""Synthetic applicant pools of realistic shape, and quota sets built from them.

Pools are generated from a seed (never hand-picked): skewed professions and regions, self-declared
characteristics that always allow "Prefer not to say", and the correlations a health workforce has
(nursing is mostly women; digital roles less so; London is more ethnically diverse). Nothing here is
real data.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence

from .model import Applicant, Pool, Quota, QuotaSet

PREFER_NOT = "Prefer not to say"

PROFESSIONS: dict[str, float] = {
    "Nursing and midwifery": 0.33,
    "Medical and dental": 0.14,
    "Allied health professional": 0.14,
    "Digital, data and technology": 0.16,
    "Management and administration": 0.12,
    "Pharmacy": 0.06,
    "Healthcare science": 0.05,
}
REGIONS: dict[str, float] = {
    "London": 0.19,
    "Midlands": 0.18,
    "North East and Yorkshire": 0.15,
    "South East": 0.15,
    "North West": 0.13,
    "East of England": 0.11,
    "South West": 0.09,
}
AGE_BANDS: dict[str, float] = {
    "Under 30": 0.13,
    "30 to 39": 0.28,
    "40 to 49": 0.29,
    "50 to 59": 0.24,
    "60 and over": 0.05,
    PREFER_NOT: 0.02,
}
DISABILITY: dict[str, float] = {"No": 0.84, "Yes": 0.10, PREFER_NOT: 0.06}
# Share of women by profession (the rest split between men and the smaller answers).
WOMEN_SHARE: dict[str, float] = {
    "Nursing and midwifery": 0.88,
    "Medical and dental": 0.52,
    "Allied health professional": 0.78,
    "Digital, data and technology": 0.38,
    "Management and administration": 0.72,
    "Pharmacy": 0.62,
    "Healthcare science": 0.58,
}
ETHNICITY_LONDON: dict[str, float] = {
    "White": 0.46,
    "Asian": 0.22,
    "Black": 0.20,
    "Mixed": 0.04,
    "Other": 0.04,
    PREFER_NOT: 0.04,
}
ETHNICITY_ELSEWHERE: dict[str, float] = {
    "White": 0.79,
    "Asian": 0.10,
    "Black": 0.04,
    "Mixed": 0.02,
    "Other": 0.02,
    PREFER_NOT: 0.03,
}
FEATURES: tuple[str, ...] = (
    "profession",
    "region",
    "gender",
    "ethnicity",
    "disability",
    "age_band",
)


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _gender(rng: random.Random, profession: str) -> str:
    women = WOMEN_SHARE[profession]
    return _pick(
        rng,
        {"Woman": women, "Man": 0.95 - women, "Non-binary or other": 0.015, PREFER_NOT: 0.035},
    )


def generate_pool(size: int, seed: int, features: Sequence[str] = FEATURES) -> Pool:
    """A pool of ``size`` pseudonymised applicants; ``features`` picks a subset of the six."""
    unknown = sorted(set(features) - set(FEATURES))
    if unknown:
        raise ValueError(f"unknown synthetic features {unknown}; choose from {list(FEATURES)}")
    rng = random.Random(seed)
    ids = rng.sample(range(100_000, 1_000_000), size)
    applicants = []
    for number in ids:
        profession = _pick(rng, PROFESSIONS)
        region = _pick(rng, REGIONS)
        row = {
            "profession": profession,
            "region": region,
            "gender": _gender(rng, profession),
            "ethnicity": _pick(
                rng, ETHNICITY_LONDON if region == "London" else ETHNICITY_ELSEWHERE
            ),
            "disability": _pick(rng, DISABILITY),
            "age_band": _pick(rng, AGE_BANDS),
        }
        username = f"learner{number}" if rng.random() < 0.7 else ""
        applicants.append(
            Applicant(f"A{number}", tuple(row[f] for f in features), hub_username=username)
        )
    return Pool(tuple(features), tuple(sorted(applicants, key=lambda a: a.id)))


def _counts(pool: Pool, feature: str) -> Counter[str]:
    return Counter(pool.value_of(a, feature) for a in pool.applicants)


def proportional_quotas(pool: Pool, capacity: int, slack: float = 0.25) -> QuotaSet:
    """Quotas around each group's share of the pool (the generous case)."""
    quotas = []
    for feature in pool.features:
        for value, count in sorted(_counts(pool, feature).items()):
            expected = capacity * count / pool.size
            low = max(0, math.floor(expected * (1 - slack)))
            high = min(count, capacity, math.ceil(expected * (1 + slack)) + 1)
            quotas.append(Quota(feature, value, low, max(low, high)))
    return QuotaSet(tuple(quotas))


def tight_quotas(pool: Pool, capacity: int, boost: float = 0.5, band: float = 0.08) -> QuotaSet:
    """Quotas that over-represent small groups, as inclusive recruitment does.

    Each group's target blends its pool share with an equal share (``boost`` of the way), capped
    by how many applicants it has; the band around the target is narrow. "Prefer not to say" is
    never boosted. Small groups then fill up while large groups compete for the rest, which is
    where greedy selection starves some applicants.
    """
    quotas = []
    for feature in pool.features:
        counts = _counts(pool, feature)
        boosted = [v for v in counts if v != PREFER_NOT]
        targets: dict[str, float] = {}
        for value, count in counts.items():
            share = count / pool.size
            equal = 1 / len(boosted) if value in boosted else share
            targets[value] = (1 - boost) * share + boost * equal if value in boosted else share
        scale = 1 / sum(targets.values())
        for value in sorted(counts):
            target = min(counts[value], capacity * targets[value] * scale)
            low = min(counts[value], max(0, math.floor(target * (1 - band))))
            high = min(counts[value], capacity, math.ceil(target * (1 + band)))
            quotas.append(Quota(feature, value, low, max(low, high)))
    return QuotaSet(tuple(quotas))


def pool_rows(pool: Pool) -> list[dict[str, str]]:
    """The pool as CSV rows (applicant_id, hub_username, one column per feature)."""
    return [
        {
            "applicant_id": a.id,
            "hub_username": a.hub_username,
            **dict(zip(pool.features, a.values, strict=True)),
        }
        for a in pool.applicants
    ]
