"""How far two markers agree: quadratic weighted Cohen's kappa and plain agreement rates.

Quadratic weighted kappa over ordinal levels 0..k-1, with observed proportions O, expected
proportions E = outer(row marginals, column marginals) and weights w_ij = (i - j)^2:

    kappa = 1 - sum(w * O) / sum(w * E)

1 is perfect agreement, 0 what chance gives, below 0 worse than chance. It is undefined
(``None``) when sum(w * E) = 0, that is when both markers gave one and the same level to
everything: there is no variation to agree about.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .marking import CapstoneState
from .rubric import Rubric


def quadratic_weighted_kappa(
    first: Sequence[float], second: Sequence[float], categories: Sequence[float]
) -> float | None:
    """Cohen's kappa with quadratic weights between two markers' levels of the same items."""
    if len(first) != len(second):
        raise ValueError("the two markers must rate the same items")
    n = len(first)
    if n == 0:
        return None
    index = {c: i for i, c in enumerate(categories)}
    k = len(categories)
    observed = [[0.0] * k for _ in range(k)]
    for a, b in zip(first, second, strict=True):
        observed[index[a]][index[b]] += 1 / n
    rows = [sum(observed[i]) for i in range(k)]
    cols = [sum(observed[i][j] for i in range(k)) for j in range(k)]
    disagreement = sum((i - j) ** 2 * observed[i][j] for i in range(k) for j in range(k))
    chance = sum((i - j) ** 2 * rows[i] * cols[j] for i in range(k) for j in range(k))
    if chance == 0:
        return None
    return 1 - disagreement / chance


@dataclass(frozen=True)
class AgreementStats:
    """Agreement between first and second markers over one cohort's double-marked work."""

    course_id: str
    submissions: int
    ratings: int
    kappa: float | None
    per_criterion: dict[str, float | None]
    exact: float | None
    adjacent: float | None
    mean_total_gap: float | None
    flagged: int

    def as_dict(self) -> dict[str, object]:
        return {
            "course_id": self.course_id,
            "double_marked": self.submissions,
            "ratings_compared": self.ratings,
            "quadratic_weighted_kappa": self.kappa,
            "kappa_per_criterion": self.per_criterion,
            "exact_agreement": self.exact,
            "within_one_level": self.adjacent,
            "mean_total_gap_points": self.mean_total_gap,
            "flagged_for_third_marker": self.flagged,
        }


def agreement(course_id: str, rubric: Rubric, state: CapstoneState) -> AgreementStats:
    """Pool every criterion of every double-marked submission (all share the rubric's scale)."""
    pairs = [
        (r.marks["first"], r.marks["second"])
        for r in state.learners.values()
        if "first" in r.marks and "second" in r.marks
    ]
    categories = [float(level.score) for level in rubric.levels]
    # Level positions, not raw scores, so that the weights are (i - j)^2 over the scale.
    position = {score: i for i, score in enumerate(categories)}
    first = [position[a.scores[c.id]] for a, _ in pairs for c in rubric.criteria]
    second = [position[b.scores[c.id]] for _, b in pairs for c in rubric.criteria]
    steps = list(range(len(categories)))
    per_criterion = {
        c.id: quadratic_weighted_kappa(
            [position[a.scores[c.id]] for a, _ in pairs],
            [position[b.scores[c.id]] for _, b in pairs],
            steps,
        )
        for c in rubric.criteria
    }
    ratings = len(first)
    gaps = [abs(a - b) for a, b in zip(first, second, strict=True)]
    return AgreementStats(
        course_id=course_id,
        submissions=len(pairs),
        ratings=ratings,
        kappa=quadratic_weighted_kappa(first, second, steps),
        per_criterion=per_criterion,
        exact=sum(g == 0 for g in gaps) / ratings if ratings else None,
        adjacent=sum(g <= 1 for g in gaps) / ratings if ratings else None,
        mean_total_gap=(
            sum(abs(a.total - b.total) for a, b in pairs) / len(pairs) if pairs else None
        ),
        flagged=sum(1 for r in state.learners.values() if r.flag is not None),
    )
