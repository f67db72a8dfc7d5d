"""Marking a capstone against its rubric: a level per criterion plus comments.

Marks are entries in the capstone's evidence log (``ledger.py``); the state of every
submission (first, second and third marks, sample, flags, agreed mark) is a replay of it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .capstone import Capstone
from .errors import AppliedError
from .ledger import Entry, Item, Ledger
from .rubric import Rubric, total_percent
from .store import capstone_log, safe_name, submitted_dir

ROLES = ("first", "second", "third")


@dataclass(frozen=True)
class Mark:
    learner: str
    marker: str
    role: str
    scores: dict[str, float]
    levels: dict[str, str]
    comments: dict[str, str]
    overall: str
    total: float
    submission_sha256: str
    rubric_sha256: str
    time: str
    entry: str

    @classmethod
    def from_entry(cls, entry: Entry) -> Mark:
        d = entry.data
        return cls(
            learner=d["learner"],
            marker=d["marker"],
            role=d["role"],
            scores={k: float(v) for k, v in d["scores"].items()},
            levels=dict(d["levels"]),
            comments=dict(d["comments"]),
            overall=d["overall"],
            total=float(d["total"]),
            submission_sha256=d["submission_sha256"],
            rubric_sha256=d["rubric_sha256"],
            time=entry.time,
            entry=entry.hash,
        )

    def summary(self) -> dict[str, Any]:
        """What an agreed mark records of each original mark."""
        return {
            "marker": self.marker,
            "role": self.role,
            "levels": self.levels,
            "scores": self.scores,
            "total": self.total,
            "entry": self.entry,
        }


@dataclass
class LearnerRecord:
    learner: str
    marks: dict[str, Mark] = field(default_factory=dict)  # role -> latest mark in that role
    flag: dict[str, Any] | None = None
    agreed: dict[str, Any] | None = None

    def marker_of(self, role: str) -> str | None:
        mark = self.marks.get(role)
        return mark.marker if mark else None


@dataclass
class CapstoneState:
    releases: list[dict[str, Any]] = field(default_factory=list)
    sample: dict[str, Any] | None = None
    learners: dict[str, LearnerRecord] = field(default_factory=dict)

    def record(self, learner: str) -> LearnerRecord:
        return self.learners.setdefault(learner, LearnerRecord(learner))

    def in_sample(self, learner: str) -> bool:
        return self.sample is not None and learner in self.sample["selected"]


def replay(entries: Sequence[Entry]) -> CapstoneState:
    state = CapstoneState()
    for entry in entries:
        data = entry.data
        if entry.kind == "release":
            state.releases.append(data)
        elif entry.kind == "mark":
            mark = Mark.from_entry(entry)
            state.record(mark.learner).marks[mark.role] = mark
        elif entry.kind == "sample":
            state.sample = data
        elif entry.kind == "flag":
            state.record(data["learner"]).flag = data
        elif entry.kind == "agree":
            state.record(data["learner"]).agreed = {**data, "entry": entry.hash}
    return state


def read_state(root: Path, course_id: str, capstone_id: str) -> CapstoneState:
    return replay(Ledger(capstone_log(root, course_id, capstone_id)).entries())


# ---- parsing what a tutor typed (pure) -----------------------------------------------------


def _pairs(specs: Sequence[str], what: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for spec in specs:
        key, sep, value = spec.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise AppliedError(f"{what} {spec!r} must be written as criterion=value")
        if key in found:
            raise AppliedError(f"{what} for criterion {key!r} is given twice; give it once")
        found[key] = value
    return found


def parse_levels(rubric: Rubric, specs: Sequence[str]) -> dict[str, str]:
    """``["evidence=competent", "reflection=2"]`` -> level id per criterion; all required."""
    given = _pairs(specs, "level")
    known = [c.id for c in rubric.criteria]
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise AppliedError(f"no criterion {unknown[0]!r} in the rubric; criteria: {known}")
    missing = [c for c in known if c not in given]
    if missing:
        raise AppliedError(
            f"a mark needs a level for every criterion; missing {missing} "
            f"(pass --level criterion=level for each)"
        )
    out: dict[str, str] = {}
    for criterion_id, token in given.items():
        level = rubric.level(token)
        if level is None:
            choices = ", ".join(f"{lv.id} ({lv.score})" for lv in rubric.levels)
            raise AppliedError(
                f"level {token!r} for criterion {criterion_id!r} is not one of the rubric's "
                f"levels: {choices}"
            )
        out[criterion_id] = level.id
    return {c: out[c] for c in known}


def parse_comments(rubric: Rubric, specs: Sequence[str]) -> dict[str, str]:
    given = _pairs(specs, "comment")
    known = [c.id for c in rubric.criteria]
    for key in given:
        if key not in known:
            raise AppliedError(f"comment for unknown criterion {key!r}; criteria: {known}")
    return given


def submission_digest(folder: Path) -> str:
    """SHA-256 over every file of a collected submission (names and contents)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


# ---- recording a mark ----------------------------------------------------------------------


def same_rubric(state: CapstoneState, capstone: Capstone) -> None:
    """Refuse to mix marks made against different versions of the rubric."""
    if state.releases and state.releases[-1]["rubric_sha256"] != capstone.rubric_sha256:
        raise AppliedError(
            f"the rubric of {capstone.id!r} changed after it was released (released sha256 "
            f"{state.releases[-1]['rubric_sha256'][:12]}, now {capstone.rubric_sha256[:12]}); "
            "marks must use the released rubric: restore it from version control"
        )


def _role_for(state: CapstoneState, learner: str, marker: str) -> str:
    """Which mark this is: a new first/second/third mark, or a marker revising their own."""
    record = state.learners.get(learner) or LearnerRecord(learner)
    if record.agreed is not None:
        raise AppliedError(
            f"{learner}'s mark was agreed at moderation ({record.agreed['method']}); "
            "agreed marks are final"
        )
    taken = [role for role in ROLES if role in record.marks]
    for role in taken:
        if record.marks[role].marker == marker:
            if record.flag is not None:
                raise AppliedError(
                    f"the marks of {learner} are flagged for a third marker; the first and "
                    "second marks can no longer be revised"
                )
            if role != taken[-1]:
                raise AppliedError(
                    f"{marker} cannot revise their {role} mark of {learner} after a later "
                    "marker has marked; raise it at moderation instead"
                )
            return role
    if not taken:
        return "first"
    if len(taken) == 1:
        if state.sample is None:
            raise AppliedError(
                f"{learner} has a first mark; no moderation sample has been drawn, so no second "
                "mark is due yet (run `academy capstone moderate` to draw it)"
            )
        if not state.in_sample(learner):
            raise AppliedError(f"{learner} is not in the moderation sample; no second mark is due")
        return "second"
    if len(taken) == 2:
        if record.flag is None:
            raise AppliedError(
                f"{learner}'s two marks are not flagged for a third marker; run "
                "`academy capstone moderate`"
            )
        return "third"
    raise AppliedError(f"{learner} already has first, second and third marks")


def record_mark(
    root: Path,
    course_id: str,
    capstone: Capstone,
    learner: str,
    marker: str,
    levels: Mapping[str, str],
    comments: Mapping[str, str] | None = None,
    overall: str = "",
    tutors: frozenset[str] | None = None,
    source: str = "cli",
) -> Mark:
    """Record ``marker``'s rubric mark of ``learner``'s collected submission.

    ``levels`` are level ids per criterion (see :func:`parse_levels`). ``tutors``, when the
    course run's tutors are known, limits who may mark; ``source`` says where the levels were
    entered (the CLI or the grading view). Refusals write nothing.
    """
    safe_name("learner", learner)
    safe_name("marker", marker)
    rubric = capstone.rubric
    level_ids = parse_levels(rubric, [f"{k}={v}" for k, v in levels.items()])
    comments = dict(comments or {})
    parse_comments(rubric, [f"{k}={v}" for k, v in comments.items()])
    if tutors is not None and marker not in tutors:
        raise AppliedError(
            f"{marker} is not a tutor of course run {course_id!r}; tutors: {sorted(tutors)}"
        )
    if marker == learner:
        raise AppliedError("a learner cannot mark their own project")
    folder = submitted_dir(root, course_id, capstone.id, learner)
    if not folder.is_dir():
        raise AppliedError(
            f"no collected submission of {capstone.id!r} from {learner} in course run "
            f"{course_id!r}; collect it first (`academy capstone collect`)"
        )
    digest = submission_digest(folder)
    scores: dict[str, float] = {}
    for c in rubric.criteria:
        level = rubric.level(level_ids[c.id])
        assert level is not None  # checked by parse_levels
        scores[c.id] = float(level.score)

    def plan(entries: list[Entry]) -> list[Item]:
        state = replay(entries)
        same_rubric(state, capstone)
        role = _role_for(state, learner, marker)
        return [
            (
                "mark",
                marker,
                {
                    "learner": learner,
                    "marker": marker,
                    "role": role,
                    "levels": level_ids,
                    "scores": scores,
                    "comments": comments,
                    "overall": overall,
                    "total": round(total_percent(rubric, scores), 6),
                    "submission_sha256": digest,
                    "rubric_sha256": capstone.rubric_sha256,
                    "source": source,
                },
            )
        ]

    written = Ledger(capstone_log(root, course_id, capstone.id)).append(plan)
    return Mark.from_entry(written[0])
