"""``academy assess verify``: prove recorded grades are what the evidence says.

Checks the evidence chain, then re-grades a random sample of submissions from scratch in
the sandbox and compares every cell's score with the one recorded. Also catches files or
tests changed since grading. The outcome itself is appended to the evidence log.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any

from . import evidence
from .backends import make_backend
from .batch import AssessError, grader_identity, load_suites, submitted_students
from .gradebook import open_gradebook
from .plan import graded_notebook, job_spec, learner_files, submission_hash
from .settings import CourseRun, Settings
from .structure import UnreadableSubmission, rebuild


@dataclass
class Check:
    student: str
    notebook: str
    recorded: float | None
    regraded: float | None
    identical: bool
    notes: list[str] = field(default_factory=list)


@dataclass
class VerifyReport:
    chain_entries: int
    chain_problems: list[str]
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return not self.chain_problems and all(c.identical for c in self.checks)


def scores_of(notebook: dict[str, Any]) -> dict[str, float | None]:
    """Autograded score per grade cell, exactly as nbgrader computes it."""
    from nbformat import from_dict  # noqa: PLC0415
    from nbgrader import utils  # noqa: PLC0415

    out: dict[str, float | None] = {}
    for cell in from_dict(notebook).cells:  # type: ignore[no-untyped-call]
        nbg = cell.metadata.get("nbgrader", {})
        if nbg.get("grade"):
            score = utils.determine_grade(cell)[0]
            out[nbg["grade_id"]] = None if score is None else float(score)
    return out


def verify(
    course: CourseRun, assignment: str, settings: Settings, sample: int = 5, seed: int | None = None
) -> VerifyReport:
    checks: list[Check] = []
    with open_gradebook(course) as gb:
        chain = evidence.verify_chain(gb.db.connection())
        suites = load_suites(gb, course, assignment)
        recorded: list[tuple[str, Any, dict[str, Any]]] = []
        for student in submitted_students(course, assignment):
            for suite in suites:
                entry = evidence.latest(
                    gb.db.connection(), "autograde", assignment, student, suite.master.name
                )
                if entry is not None:
                    recorded.append((student, suite, entry))
        if not recorded:
            raise AssessError(f"nothing of {assignment!r} has been autograded yet")
        chosen = random.Random(seed).sample(recorded, min(sample, len(recorded)))
        jobs = []
        for student, suite, entry in chosen:
            folder = course.path("submitted", student, assignment)
            stored_scores = json.loads(entry["payload"]).get("scores", {})
            check = Check(
                student,
                suite.master.name,
                sum(v.get("auto") or 0.0 for v in stored_scores.values()),
                None,
                False,
            )
            checks.append(check)
            if submission_hash(folder) != entry["submission_hash"]:
                check.notes.append("the submitted files changed after grading")
            if suite.hash != entry["suite_hash"]:
                check.notes.append("the tests changed after grading")
            try:
                submitted = json.loads((folder / f"{suite.master.name}.ipynb").read_text("utf-8"))
                rebuilt = rebuild(suite.master, submitted)
            except (OSError, ValueError, UnreadableSubmission) as exc:
                check.notes.append(f"unreadable now: {exc}")
                continue
            extra = learner_files(folder, {s.master.name for s in suites})
            jobs.append(((check, suite, rebuilt, entry), job_spec(suite, rebuilt, extra, settings)))
        backend = make_backend(settings.backend, settings.workers, settings.scheduler)
        try:
            for (check, suite, rebuilt, entry), result in backend.run(jobs):
                if isinstance(result, BaseException):
                    check.notes.append(f"could not re-grade: {result}")
                    continue
                again = scores_of(graded_notebook(suite, rebuilt, result))
                stored = {
                    k: v.get("auto")
                    for k, v in json.loads(entry["payload"]).get("scores", {}).items()
                }
                check.regraded = sum(v or 0.0 for v in again.values())
                check.identical = again == stored and not check.notes
                if again != stored:
                    diff = sorted(
                        k for k in set(again) | set(stored) if again.get(k) != stored.get(k)
                    )
                    check.notes.append(f"scores differ in {', '.join(diff)}")
        finally:
            backend.close()
        payload = {
            "sample": [[c.student, c.notebook, c.identical, c.notes] for c in checks],
            "chain_entries": chain.entries,
            "chain_problems": list(chain.problems),
        }
        evidence.append(
            gb.db.connection(),
            {
                "course_id": course.course_id,
                "kind": "verify",
                "assignment": assignment,
                "payload": json.dumps(payload, sort_keys=True),
                "actor": grader_identity(),
                "source": "academy",
            },
        )
        gb.db.commit()
    return VerifyReport(chain.entries, list(chain.problems), checks)
