"""Moderation: a reproducible double-marking sample, discrepancy flags and agreed marks.

``moderate`` is idempotent; run it after first marking (it draws the sample), after second
marking (it agrees marks within tolerance and flags the rest) and after third marking.

Agreement rules (documented in docs/applied-learning.md):

- not in the sample: the first mark is agreed;
- double marked within tolerance: the agreed score per criterion is the mean of the two;
- beyond tolerance (total gap above ``max_total_gap`` points, or any criterion
  ``max_criterion_gap`` levels apart): flagged; the third marker's mark is agreed.

Every agreed mark records the original marks it came from, in the same evidence log.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from digital_academy.paths import grading_dir

from .agreement import AgreementStats, agreement
from .capstone import Capstone
from .errors import AppliedError
from .ledger import Entry, Item, Ledger
from .marking import CapstoneState, LearnerRecord, Mark, replay, same_rubric
from .rubric import ModerationPolicy, Rubric, total_percent
from .store import capstone_log

Fraction = float | Literal["all"]

SINGLE = "first mark (not in the moderation sample)"
MEAN = "mean of first and second marks (within tolerance)"
THIRD = "third marker's mark (first and second differed beyond tolerance)"


@dataclass(frozen=True)
class Discrepancy:
    total_gap: float
    criterion_gaps: dict[str, float]
    reasons: tuple[str, ...]

    @property
    def flagged(self) -> bool:
        return bool(self.reasons)

    def as_dict(self) -> dict[str, Any]:
        return {
            "total_gap": round(self.total_gap, 6),
            "criterion_gaps": self.criterion_gaps,
            "reasons": list(self.reasons),
        }


def compare(rubric: Rubric, policy: ModerationPolicy, a: Mark, b: Mark) -> Discrepancy:
    """How far two marks are apart, and why (if at all) they need a third marker."""
    position = {float(level.score): i for i, level in enumerate(rubric.levels)}
    gaps = {
        c.id: float(abs(position[a.scores[c.id]] - position[b.scores[c.id]]))
        for c in rubric.criteria
    }
    total_gap = abs(a.total - b.total)
    reasons: list[str] = []
    if total_gap > policy.max_total_gap + 1e-9:
        reasons.append(
            f"totals differ by {total_gap:.1f} points (tolerance {policy.max_total_gap:g})"
        )
    wide = [c for c, gap in gaps.items() if gap >= policy.max_criterion_gap]
    if wide:
        reasons.append(f"criteria {', '.join(wide)} are {policy.max_criterion_gap}+ levels apart")
    if a.submission_sha256 != b.submission_sha256:
        reasons.append("the two markers marked different versions of the submission")
    return Discrepancy(total_gap, gaps, tuple(reasons))


def draw_sample(
    population: Sequence[str], fraction: Fraction, minimum: int, seed: int
) -> list[str]:
    """A reproducible sample: rank learners by SHA-256 of ``seed:learner``, take the first k.

    The same seed and population always give the same sample, on any machine or Python.
    """
    people = sorted(set(population))
    if fraction == "all":
        return people
    size = min(len(people), max(minimum, math.ceil(fraction * len(people) - 1e-9)))
    ranked = sorted(people, key=lambda p: hashlib.sha256(f"{seed}:{p}".encode()).hexdigest())
    return sorted(ranked[:size])


def collected_learners(root: Path, course_id: str, capstone_id: str) -> list[str]:
    """Learners with a collected submission, in nbgrader's ``submitted/<learner>/<id>/``."""
    folder = grading_dir(root, course_id) / "submitted"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / capstone_id).is_dir())


@dataclass(frozen=True)
class Decision:
    learner: str
    status: str
    detail: str
    first: float | None
    second: float | None
    agreed: float | None


@dataclass(frozen=True)
class ModerationReport:
    sample: dict[str, Any]
    sample_drawn_now: bool
    decisions: list[Decision]
    written: int
    stats: AgreementStats


def _agree(
    capstone: Capstone,
    record: LearnerRecord,
    method: str,
    scores: dict[str, float],
    discrepancy: Discrepancy | None,
    actor: str,
) -> Item:
    total = total_percent(capstone.rubric, scores)
    return (
        "agree",
        actor,
        {
            "learner": record.learner,
            "method": method,
            "scores": scores,
            "total": round(total, 6),
            "passed": total >= capstone.spec.pass_mark * 100 - 1e-9,
            "marks": {role: m.summary() for role, m in record.marks.items()},
            "discrepancy": discrepancy.as_dict() if discrepancy else None,
            "rubric_sha256": capstone.rubric_sha256,
        },
    )


def _decide(
    capstone: Capstone, state: CapstoneState, record: LearnerRecord, actor: str
) -> tuple[Decision, list[Item]]:
    marks = record.marks
    first = marks["first"].total if "first" in marks else None
    second = marks["second"].total if "second" in marks else None

    def decision(status: str, detail: str, agreed: float | None = None) -> Decision:
        return Decision(record.learner, status, detail, first, second, agreed)

    if record.agreed is not None:
        return decision("agreed", record.agreed["method"], record.agreed["total"]), []
    if "first" not in marks:
        return decision("awaiting first mark", "submitted, not yet marked"), []
    if not state.in_sample(record.learner):
        item = _agree(capstone, record, SINGLE, dict(marks["first"].scores), None, actor)
        return decision("agreed", SINGLE, item[2]["total"]), [item]
    if "second" not in marks:
        return decision(
            "awaiting second mark",
            f"in the sample: needs a second marker other than {marks['first'].marker}",
        ), []
    gap = compare(capstone.rubric, capstone.spec.moderation, marks["first"], marks["second"])
    if not gap.flagged:
        mean = {
            c: (marks["first"].scores[c] + marks["second"].scores[c]) / 2
            for c in marks["first"].scores
        }
        item = _agree(capstone, record, MEAN, mean, gap, actor)
        return decision("agreed", MEAN, item[2]["total"]), [item]
    items: list[Item] = []
    if record.flag is None:
        items.append(
            (
                "flag",
                actor,
                {
                    "learner": record.learner,
                    **gap.as_dict(),
                    "first": marks["first"].entry,
                    "second": marks["second"].entry,
                },
            )
        )
    if "third" not in marks:
        return decision("flagged: awaiting third marker", "; ".join(gap.reasons)), items
    item = _agree(capstone, record, THIRD, dict(marks["third"].scores), gap, actor)
    return decision("agreed", THIRD, item[2]["total"]), [*items, item]


def moderate(
    root: Path,
    course_id: str,
    capstone: Capstone,
    actor: str,
    sample: Fraction | None = None,
    seed: int | None = None,
) -> ModerationReport:
    """Draw the sample if needed, flag wide discrepancies, agree what can be agreed."""
    policy = capstone.spec.moderation
    fraction: Fraction = policy.sample if sample is None else sample
    chosen_seed = policy.seed if seed is None else seed
    collected = collected_learners(root, course_id, capstone.id)
    outcome: dict[str, Any] = {}

    def plan(entries: list[Entry]) -> list[Item]:
        state = replay(entries)
        same_rubric(state, capstone)
        items: list[Item] = []
        drawn_now = state.sample is None
        if state.sample is None:
            population = sorted(set(collected) | set(state.learners))
            if not population:
                raise AppliedError(
                    f"nothing to moderate: no submissions of {capstone.id!r} collected in "
                    f"course run {course_id!r}"
                )
            selected = draw_sample(population, fraction, policy.minimum, chosen_seed)
            data = {
                "population": population,
                "selected": selected,
                "fraction": fraction,
                "minimum": policy.minimum,
                "seed": chosen_seed,
                "method": "sha256(seed:learner) ranking",
            }
            items.append(("sample", actor, data))
            state.sample = data
        elif (sample is not None and sample != state.sample["fraction"]) or (
            seed is not None and seed != state.sample["seed"]
        ):
            raise AppliedError(
                f"the moderation sample was already drawn (fraction {state.sample['fraction']}, "
                f"seed {state.sample['seed']}); a drawn sample cannot be redrawn"
            )
        learners = sorted(set(collected) | set(state.learners))
        decisions = []
        for learner in learners:
            decision, new = _decide(capstone, state, state.record(learner), actor)
            decisions.append(decision)
            items += new
        outcome.update(sample=state.sample, drawn=drawn_now, decisions=decisions)
        return items

    log = Ledger(capstone_log(root, course_id, capstone.id))
    if not collected and not log.path.exists():
        raise AppliedError(
            f"nothing to moderate: no submissions of {capstone.id!r} collected in course run "
            f"{course_id!r}"
        )
    written = log.append(plan)
    stats = agreement(course_id, capstone.rubric, replay(log.entries()))
    return ModerationReport(
        sample=outcome["sample"],
        sample_drawn_now=outcome["drawn"],
        decisions=outcome["decisions"],
        written=len(written),
        stats=stats,
    )
