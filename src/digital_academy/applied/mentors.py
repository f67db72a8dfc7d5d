"""Mentor matching: an optimal assignment of learners to mentors, explained (pure).

The assignment problem is solved exactly with ``scipy.optimize.linear_sum_assignment``
(the Hungarian-family LAPJV solver) over mentors expanded by capacity: a mentor with
capacity 3 becomes three identical places. Each learner also gets a private "unmatched"
column. Costs make the objective lexicographic:

1. match as many learners as possible (each match is worth ``BONUS`` = learners + 1, more
   than any total of fit scores, which are at most 1 each);
2. among those, maximise the total fit score.

Hard constraints (capacity; no mentor from the learner's own organisation or line
management, when declared; not themselves) are infinite costs, so they can never be broken.
The fit score is a weighted sum of soft preferences: the share of the learner's goal
competencies in the mentor's expertise, the same profession, and the same region.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from digital_academy.catalog.model import CompetencyRef, Slug


def _linear_sum_assignment(cost: np.ndarray[Any, Any]) -> tuple[list[int], list[int]]:
    # SciPy ships no type information; import it dynamically and type the result here.
    solver: Any = importlib.import_module("scipy.optimize").linear_sum_assignment
    rows, cols = solver(cost)
    return [int(r) for r in rows], [int(c) for c in cols]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Mentor(_Frozen):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,63}$", description="Hub user name.")
    name: str = ""
    capacity: int = Field(ge=0, le=100, description="How many learners they can mentor.")
    profession: str = ""
    region: str = ""
    organisation: str = ""
    expertise: tuple[CompetencyRef, ...] = ()


class Learner(_Frozen):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,63}$", description="Hub user name.")
    name: str = ""
    pathway: Slug | None = Field(default=None, description="Goals are its competencies.")
    goals: tuple[CompetencyRef, ...] = Field(default=(), description="Extra goal competencies.")
    profession: str = ""
    region: str = ""
    organisation: str = Field(default="", description="Declared: no mentor from the same one.")
    line_managers: tuple[str, ...] = Field(
        default=(), description="Mentor ids in their line management: never their mentor."
    )


class Weights(_Frozen):
    competency: float = Field(default=0.6, ge=0)
    profession: float = Field(default=0.25, ge=0)
    region: float = Field(default=0.15, ge=0)

    @model_validator(mode="after")
    def _some(self) -> Weights:
        if self.competency + self.profession + self.region <= 0:
            raise ValueError("at least one preference weight must be above 0")
        return self

    def normalised(self) -> tuple[float, float, float]:
        total = self.competency + self.profession + self.region
        return self.competency / total, self.profession / total, self.region / total


def _same(a: str, b: str) -> bool:
    return bool(a) and bool(b) and a.casefold() == b.casefold()


def exclusion(mentor: Mentor, learner: Learner) -> str | None:
    """Why this mentor may never mentor this learner, or ``None`` if they may."""
    if mentor.id == learner.id:
        return "is the learner themselves"
    if mentor.id in learner.line_managers:
        return "is in their line management"
    if _same(mentor.organisation, learner.organisation):
        return f"works in the same organisation ({learner.organisation})"
    if mentor.capacity == 0:
        return "has no capacity"
    return None


@dataclass(frozen=True)
class Fit:
    score: float
    shared: tuple[str, ...]
    goals: int
    same_profession: bool
    same_region: bool


def fit(mentor: Mentor, learner: Learner, goals: Sequence[str], weights: Weights) -> Fit:
    wc, wp, wr = weights.normalised()
    shared = tuple(g for g in goals if g in mentor.expertise)
    overlap = len(shared) / len(goals) if goals else 0.0
    profession = _same(mentor.profession, learner.profession)
    region = _same(mentor.region, learner.region)
    score = wc * overlap + wp * profession + wr * region
    return Fit(score, shared, len(goals), profession, region)


@dataclass(frozen=True)
class Match:
    learner: str
    mentor: str
    score: float
    explanation: str


@dataclass(frozen=True)
class Unmatched:
    learner: str
    reason: str


@dataclass(frozen=True)
class MatchResult:
    matches: tuple[Match, ...]
    unmatched: tuple[Unmatched, ...]
    capacity: int
    learners: int

    @property
    def shortfall(self) -> int:
        """Places missing for everyone to have a mentor (0 when capacity suffices)."""
        return max(0, self.learners - self.capacity)

    @property
    def total_score(self) -> float:
        return sum(m.score for m in self.matches)


def explain(mentor: Mentor, learner: Learner, f: Fit) -> str:
    parts = []
    if f.goals:
        listed = f" ({', '.join(f.shared)})" if f.shared else ""
        parts.append(f"covers {len(f.shared)} of {f.goals} goal competencies{listed}")
    else:
        parts.append("no goal competencies declared")
    if f.same_profession:
        parts.append(f"same profession ({learner.profession})")
    elif mentor.profession and learner.profession:
        parts.append(f"different profession ({mentor.profession})")
    if f.same_region:
        parts.append(f"same region ({learner.region})")
    elif mentor.region and learner.region:
        parts.append(f"different region ({mentor.region})")
    return f"{'; '.join(parts)}; fit {f.score:.2f} of 1"


def match(
    mentors: Sequence[Mentor],
    learners: Sequence[Learner],
    goals: dict[str, tuple[str, ...]],
    weights: Weights | None = None,
) -> MatchResult:
    """The optimal assignment; ``goals`` maps each learner id to their goal competencies."""
    weights = weights or Weights()
    mentors = sorted(mentors, key=lambda m: m.id)
    learners = sorted(learners, key=lambda p: p.id)
    slots = [m for m in mentors for _ in range(m.capacity)]
    n, places = len(learners), len(slots)
    bonus = n + 1.0
    fits = {
        (m.id, p.id): fit(m, p, goals.get(p.id, ()), weights)
        for m in mentors
        for p in learners
        if exclusion(m, p) is None
    }
    cost = np.full((n, places + n), np.inf)
    for i, learner in enumerate(learners):
        cost[i, places + i] = 0.0  # this learner stays unmatched
        for j, mentor in enumerate(slots):
            found = fits.get((mentor.id, learner.id))
            if found is not None:
                cost[i, j] = -(bonus + found.score)
    rows, cols = _linear_sum_assignment(cost) if n else ([], [])
    chosen: dict[str, Mentor] = {}
    for i, j in zip(rows, cols, strict=True):
        if j < places:
            chosen[learners[i].id] = slots[j]
    matches = tuple(
        Match(
            p.id,
            chosen[p.id].id,
            fits[(chosen[p.id].id, p.id)].score,
            explain(chosen[p.id], p, fits[(chosen[p.id].id, p.id)]),
        )
        for p in learners
        if p.id in chosen
    )
    unmatched = tuple(
        Unmatched(p.id, _why_unmatched(p, mentors, n, places))
        for p in learners
        if p.id not in chosen
    )
    return MatchResult(matches, unmatched, places, n)


def _why_unmatched(learner: Learner, mentors: Sequence[Mentor], n: int, places: int) -> str:
    excluded = {m.id: exclusion(m, learner) for m in mentors}
    eligible = [m for m in mentors if excluded[m.id] is None]
    if not eligible:
        detail = "; ".join(f"{mid} {why}" for mid, why in excluded.items()) or "no mentors"
        return f"no eligible mentor: {detail}"
    names = ", ".join(f"{m.id} ({m.capacity})" for m in eligible)
    if n > places:
        return (
            f"not enough mentor places: {n} learners for {places} places (short by "
            f"{n - places}); the places with their eligible mentors {names} all went to other "
            "learners in the optimal assignment (most learners matched, then highest total fit)"
        )
    return (
        f"every place with their eligible mentors {names} is needed by learners who have no "
        "other eligible mentor; matching them would leave someone else without one"
    )


def total_capacity(mentors: Sequence[Mentor]) -> int:
    return sum(m.capacity for m in mentors)


def objective(result: MatchResult) -> tuple[int, float]:
    """What the solver maximises, lexicographically: matches, then total fit."""
    return len(result.matches), math.fsum(m.score for m in result.matches)
