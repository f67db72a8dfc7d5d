"""Copy capstone evidence into the assessment capability's evidence log (in the gradebook).

The capstone's own hash-chained log (``ledger.py``) is where marking decisions are made,
under its lock. Every entry is then appended, once, to the course run's gradebook evidence
log (``digital_academy.assess.evidence``) as kind ``capstone-<kind>``, with the entry's own
hash in its payload. Auditors therefore find autograded work and capstone marks in one
chain; copying is idempotent, so an interrupted copy is completed by the next command.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, select

from digital_academy.assess import evidence
from digital_academy.assess.gradebook import open_gradebook
from digital_academy.assess.settings import CourseRun as GradingRun
from digital_academy.assess.settings import Settings, SettingsError

from .errors import AppliedError
from .ledger import Entry, Ledger, canonical
from .store import capstone_log

KIND_PREFIX = "capstone-"
_RETRIES = 5


def grading_run(root: Path, course_id: str) -> GradingRun:
    """The course run's grading folders and gradebook, as the assessment capability has them."""
    try:
        return GradingRun(root, course_id, Settings.from_env().gradebook_url)
    except SettingsError as exc:
        raise AppliedError(str(exc)) from exc


def _row(course_id: str, capstone_id: str, entry: Entry) -> dict[str, object]:
    return {
        "course_id": course_id,
        "kind": f"{KIND_PREFIX}{entry.kind}",
        "assignment": capstone_id,
        "student": entry.data.get("learner"),
        "submission_hash": entry.data.get("submission_sha256"),
        "payload": canonical({"entry": entry.hash, "seq": entry.seq, "data": entry.data}),
        "actor": entry.actor,
        "source": "academy capstone",
        "recorded_at": entry.time,
    }


def _copied(conn: Connection, course_id: str, capstone_id: str) -> set[str]:
    table = evidence.evidence
    query = select(table.c.payload).where(
        table.c.course_id == course_id,
        table.c.assignment == capstone_id,
        table.c.kind.like(f"{KIND_PREFIX}%"),
    )
    return {json.loads(p)["entry"] for p in conn.execute(query).scalars()}


def mirror(root: Path, course_id: str, capstone_id: str) -> int:
    """Append the capstone entries the gradebook's evidence log lacks; returns how many."""
    entries = Ledger(capstone_log(root, course_id, capstone_id)).entries()
    if not entries:
        return 0
    with open_gradebook(grading_run(root, course_id)) as gb:
        for _ in range(_RETRIES):
            try:
                with gb.engine.begin() as conn:
                    have = _copied(conn, course_id, capstone_id)
                    new = [e for e in entries if e.hash not in have]
                    for entry in new:
                        evidence.append(conn, _row(course_id, capstone_id, entry))
                return len(new)
            except evidence.ChainConflict:
                continue  # another grader appended at the same moment: read again
    raise AppliedError("the gradebook's evidence log stayed busy; run the command again")


@dataclass(frozen=True)
class Verified:
    entries: int
    copied: int
    gradebook_entries: int
    problems: tuple[str, ...]


def verify(root: Path, course_id: str, capstone_id: str) -> Verified:
    """Check the capstone's chain, the gradebook's chain, and that every entry was copied."""
    entries = Ledger(capstone_log(root, course_id, capstone_id)).entries()  # raises if broken
    with open_gradebook(grading_run(root, course_id)) as gb, gb.engine.begin() as conn:
        have = _copied(conn, course_id, capstone_id)
        report = evidence.verify_chain(conn)
    missing = [e.seq for e in entries if e.hash not in have]
    problems = list(report.problems)
    if missing:
        problems.append(f"capstone entries {missing} are not yet in the gradebook's evidence log")
    return Verified(len(entries), len(entries) - len(missing), report.entries, tuple(problems))
