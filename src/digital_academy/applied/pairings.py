"""Saved mentoring pairings: which mentor each learner has, kept in a hash-chained log.

A saved match adds one ``pairing`` entry per learner whose mentor is new or changed; a
learner's current mentor is their latest pairing. Coaching records are allowed only for a
learner and their current mentor (see ``coaching.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .ledger import Entry, Item, Ledger
from .mentors import MatchResult
from .store import pairings_log


@dataclass(frozen=True)
class Pairing:
    learner: str
    mentor: str
    cohort: str
    since: str


def _current(entries: list[Entry]) -> dict[str, Pairing]:
    found: dict[str, Pairing] = {}
    for entry in entries:
        if entry.kind == "pairing":
            d = entry.data
            found[d["learner"]] = Pairing(d["learner"], d["mentor"], d["cohort"], entry.time)
    return found


def current_pairings(root: Path) -> dict[str, Pairing]:
    """Each learner's current mentor."""
    return _current(Ledger(pairings_log(root)).entries())


def save_pairings(root: Path, result: MatchResult, cohort: str, actor: str) -> list[Pairing]:
    """Record the matches of ``result``; returns the pairings that changed."""

    def plan(entries: list[Entry]) -> list[Item]:
        now = _current(entries)
        return [
            (
                "pairing",
                actor,
                {
                    "learner": m.learner,
                    "mentor": m.mentor,
                    "cohort": cohort,
                    "score": round(m.score, 6),
                    "explanation": m.explanation,
                },
            )
            for m in result.matches
            if m.learner not in now or now[m.learner].mentor != m.mentor
        ]

    written = Ledger(pairings_log(root)).append(plan)
    return [Pairing(e.data["learner"], e.data["mentor"], cohort, e.time) for e in written]
