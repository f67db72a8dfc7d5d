"""A capstone and its rubric as typed data, and the pure arithmetic of a rubric mark.

Files (see docs/applied-learning.md):

    graders/capstones/<id>/capstone.yml   what the project is, its pass rules and moderation policy
    graders/capstones/<id>/rubric.yml     levels (lowest first) and weighted criteria
    graders/capstones/<id>/template.ipynb the project template learners fetch and submit
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from digital_academy.catalog.diagnostics import Diagnostic, error
from digital_academy.catalog.model import CompetencyRef, Slug, Text

#: Criterion weights are percentages of the whole mark.
WEIGHT_TOTAL = 100.0
_WEIGHT_TOLERANCE = 1e-6


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class RubricLevel(_Frozen):
    """One step of the marking scale, shared by every criterion so that marks are comparable."""

    id: Slug = Field(description="Used when marking: `--level criterion=competent`.")
    score: int = Field(ge=0, description="Ordinal score; higher is better.")
    name: Text


class Criterion(_Frozen):
    """One thing the project is judged on, the competencies it evidences, and its descriptors."""

    id: Slug
    title: Text
    weight: float = Field(gt=0, le=WEIGHT_TOTAL, description="Percent of the mark; all sum to 100.")
    competencies: tuple[CompetencyRef, ...] = Field(min_length=1)
    descriptors: dict[str, Text] = Field(
        description="What work at each level looks like: one entry per level id."
    )


class Rubric(_Frozen):
    levels: tuple[RubricLevel, ...] = Field(min_length=2, description="Lowest first.")
    criteria: tuple[Criterion, ...] = Field(min_length=1)

    @property
    def min_score(self) -> int:
        return min(level.score for level in self.levels)

    @property
    def max_score(self) -> int:
        return max(level.score for level in self.levels)

    def level(self, token: str) -> RubricLevel | None:
        """The level named by its id or its score (``competent`` or ``3``)."""
        for level in self.levels:
            if token in (level.id, str(level.score)):
                return level
        return None

    def level_of(self, score: float) -> RubricLevel | None:
        return next((level for level in self.levels if level.score == score), None)

    def criterion(self, criterion_id: str) -> Criterion | None:
        return next((c for c in self.criteria if c.id == criterion_id), None)

    def competencies(self) -> tuple[str, ...]:
        """Every competency the rubric evidences, in first-mentioned order."""
        return tuple(dict.fromkeys(ref for c in self.criteria for ref in c.competencies))


class ModerationPolicy(_Frozen):
    """How much is double marked, and what counts as a discrepancy for a third marker."""

    sample: Annotated[float, Field(ge=0, le=1)] | Literal["all"] = Field(
        default=0.2, description="Fraction of submissions to double mark (0 to 1), or 'all'."
    )
    minimum: int = Field(default=1, ge=0, description="Double mark at least this many.")
    seed: int = Field(default=0, description="Seed of the reproducible sample.")
    max_total_gap: float = Field(
        default=10.0,
        ge=0,
        le=WEIGHT_TOTAL,
        description="Flag for a third marker when the two totals differ by more points than this.",
    )
    max_criterion_gap: int = Field(
        default=2,
        ge=1,
        description="... or when any criterion's two levels are this many steps apart or more.",
    )


class CapstoneSpec(_Frozen):
    """``capstone.yml``: a workplace project marked against a rubric."""

    id: Slug = Field(description="Equals the folder name; also the nbgrader assignment id.")
    title: Text
    academy: Slug = Field(description="The specialist academy whose learners take it.")
    summary: Text
    pass_mark: float = Field(default=0.5, gt=0, le=1, description="Fraction of the total to pass.")
    competency_met_at: float = Field(
        default=0.75,
        gt=0,
        le=1,
        description="A competency is met when its criteria score at least this fraction.",
    )
    moderation: ModerationPolicy = ModerationPolicy()


def rubric_problems(rubric: Rubric, file: str) -> list[Diagnostic]:
    """What pydantic cannot say about a rubric: order, uniqueness, coverage, weights."""
    found: list[Diagnostic] = []
    scores = [level.score for level in rubric.levels]
    if scores != sorted(set(scores)):
        found.append(
            error(
                "rubric-levels",
                file,
                "levels",
                f"level scores {scores} are not distinct and rising",
                "list levels from lowest to highest with a different score each, e.g. 0, 1, 2, 3",
            )
        )
    level_ids = [level.id for level in rubric.levels]
    if len(set(level_ids)) != len(level_ids):
        found.append(
            error("duplicate-id", file, "levels", f"level ids repeat: {level_ids}", "rename one")
        )
    seen: set[str] = set()
    for i, criterion in enumerate(rubric.criteria):
        where = f"criteria[{i}]"
        if criterion.id in seen:
            found.append(
                error(
                    "duplicate-id",
                    file,
                    f"{where}.id",
                    f"criterion {criterion.id!r} repeats",
                    "give each criterion its own id",
                )
            )
        seen.add(criterion.id)
        missing = [lid for lid in level_ids if lid not in criterion.descriptors]
        extra = sorted(set(criterion.descriptors) - set(level_ids))
        if missing:
            found.append(
                error(
                    "rubric-descriptors",
                    file,
                    f"{where}.descriptors",
                    f"criterion {criterion.id!r} has no descriptor for level(s) {missing}",
                    "describe what work at every level looks like",
                )
            )
        if extra:
            found.append(
                error(
                    "rubric-descriptors",
                    file,
                    f"{where}.descriptors",
                    f"criterion {criterion.id!r} describes unknown level(s) {extra}",
                    f"use the level ids {level_ids}",
                )
            )
        if len(set(criterion.competencies)) != len(criterion.competencies):
            found.append(
                error(
                    "duplicate-id",
                    file,
                    f"{where}.competencies",
                    f"criterion {criterion.id!r} lists a competency twice",
                    "list each competency once",
                )
            )
    total = sum(c.weight for c in rubric.criteria)
    if abs(total - WEIGHT_TOTAL) > _WEIGHT_TOLERANCE:
        detail = ", ".join(f"{c.id} {c.weight:g}" for c in rubric.criteria)
        found.append(
            error(
                "rubric-weights",
                file,
                "criteria[*].weight",
                f"criterion weights sum to {total:g} ({detail}); they must sum to "
                f"{WEIGHT_TOTAL:g} because each is a percentage of the mark",
                f"change the weights by {WEIGHT_TOTAL - total:+g} in total",
            )
        )
    return found


# ---- the arithmetic of a mark (pure) -------------------------------------------------------


def criterion_fraction(rubric: Rubric, score: float) -> float:
    """A level's score as a fraction of the scale: the lowest level is 0, the highest 1."""
    return (score - rubric.min_score) / (rubric.max_score - rubric.min_score)


def total_percent(rubric: Rubric, scores: Mapping[str, float]) -> float:
    """The weighted total, 0 to 100, of one score per criterion."""
    return sum(c.weight * criterion_fraction(rubric, scores[c.id]) for c in rubric.criteria)


def competency_fractions(rubric: Rubric, scores: Mapping[str, float]) -> dict[str, float]:
    """Each competency's weighted fraction over the criteria that evidence it."""
    out: dict[str, float] = {}
    for ref in rubric.competencies():
        evidencing = [c for c in rubric.criteria if ref in c.competencies]
        weight = sum(c.weight for c in evidencing)
        achieved = sum(c.weight * criterion_fraction(rubric, scores[c.id]) for c in evidencing)
        out[ref] = achieved / weight
    return out
