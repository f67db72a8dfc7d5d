"""Agreed capstone marks as results: per learner, per competency, and the export files.

Per-competency rows have exactly the shape of the assessment capability's export
(``digital_academy.assess.export.competency_rows``: learner, assessment, competency,
framework, code, statement, score, max_score, percent, pass_mark, result, evidence), so
the accreditation work reads autograded assessments and capstones alike. For a capstone,
``score`` / ``max_score`` are the weighted rubric points of the criteria evidencing that
competency, ``pass_mark`` is ``competency_met_at`` and ``result`` is ``achieved``,
``not yet`` or ``pending`` (not yet agreed at moderation). Only agreed marks are results.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from digital_academy.assess.export import Grade, canvas_csv, competencies_csv, moodle_csv
from digital_academy.catalog import Catalog
from digital_academy.enrolment.errors import EnrolmentError
from digital_academy.enrolment.model import Person
from digital_academy.enrolment.store import Store

from .agreement import agreement
from .capstone import Capstone, catalogue
from .errors import AppliedError
from .ledger import Ledger
from .marking import replay
from .moderation import collected_learners
from .rubric import criterion_fraction
from .store import capstone_log


@dataclass(frozen=True)
class MarkRow:
    learner: str
    total: float
    passed: bool
    method: str
    scores: dict[str, float]
    markers: dict[str, str]
    totals: dict[str, float]
    evidence: str
    recorded: str


@dataclass(frozen=True)
class Results:
    course_id: str
    capstone: str
    marks: list[MarkRow]
    competencies: list[dict[str, Any]]
    pending: dict[str, str]
    head: str


def _g(value: float) -> str:
    return f"{round(value, 4):g}"


def competency_rows(
    capstone: Capstone,
    learner: str,
    scores: dict[str, float] | None,
    evidence: str,
    catalog: Catalog | None,
) -> list[dict[str, Any]]:
    """One row per competency the rubric evidences; ``scores`` None means pending."""
    rows = []
    rubric = capstone.rubric
    for ref in rubric.competencies():
        evidencing = [c for c in rubric.criteria if ref in c.competencies]
        maximum = sum(c.weight for c in evidencing)
        framework, _, code = ref.partition(":")
        row: dict[str, Any] = {
            "learner": learner,
            "assessment": capstone.id,
            "competency": ref,
            "framework": framework,
            "code": code,
            "statement": (catalog.competency_statement(ref) if catalog else None) or "",
            "score": "",
            "max_score": _g(maximum),
            "percent": "",
            "pass_mark": _g(capstone.spec.competency_met_at),
            "result": "pending",
            "evidence": evidence,
        }
        if scores is not None:
            points = sum(c.weight * criterion_fraction(rubric, scores[c.id]) for c in evidencing)
            met = points / maximum >= capstone.spec.competency_met_at - 1e-9
            row.update(
                score=_g(points),
                percent=_g(round(100 * points / maximum, 1)),
                result="achieved" if met else "not yet",
            )
        rows.append(row)
    return rows


def _pending_reason(marks: dict[str, Any], flagged: bool, sampled: bool, no_sample: bool) -> str:
    if "first" not in marks:
        return "awaiting first mark"
    if no_sample:
        return "awaiting moderation (no sample drawn yet)"
    if sampled and "second" not in marks:
        return "awaiting second mark"
    if flagged and "third" not in marks:
        return "awaiting third marker"
    return "awaiting moderation (run `academy capstone moderate`)"


def results(
    root: Path, course_id: str, capstone: Capstone, catalog: Catalog | None = None
) -> Results:
    entries = Ledger(capstone_log(root, course_id, capstone.id)).entries()
    state = replay(entries)
    times = {e.hash: e.time for e in entries}
    marks: list[MarkRow] = []
    pending: dict[str, str] = {}
    for learner, record in sorted(state.learners.items()):
        agreed = record.agreed
        if agreed is None:
            pending[learner] = _pending_reason(
                record.marks,
                record.flag is not None,
                state.in_sample(learner),
                state.sample is None,
            )
            continue
        marks.append(
            MarkRow(
                learner=learner,
                total=float(agreed["total"]),
                passed=bool(agreed["passed"]),
                method=agreed["method"],
                scores={k: float(v) for k, v in agreed["scores"].items()},
                markers={r: m["marker"] for r, m in agreed["marks"].items()},
                totals={r: float(m["total"]) for r, m in agreed["marks"].items()},
                evidence=agreed["entry"],
                recorded=times[agreed["entry"]],
            )
        )
    for learner in collected_learners(root, course_id, capstone.id):
        if learner not in state.learners:
            pending[learner] = "awaiting first mark"
    rows = [
        r
        for m in marks
        for r in competency_rows(capstone, m.learner, m.scores, m.evidence, catalog)
    ]
    rows += [r for p in sorted(pending) for r in competency_rows(capstone, p, None, "", catalog)]
    rows.sort(key=lambda r: (r["learner"], r["competency"]))
    head = entries[-1].hash if entries else ""
    return Results(course_id, capstone.id, marks, rows, dict(sorted(pending.items())), head)


def grades(found: Results, people: dict[str, Person] | None = None) -> list[Grade]:
    """Agreed totals (points out of 100) as the assessment export's grades, for LMS files.

    Pending learners are exported blank, as the assessment export does for unmarked work.
    """
    people = people or {}

    def grade(learner: str, total: float, pending: bool, evidence: str) -> Grade:
        p = people.get(learner)
        return Grade(
            learner,
            p.first_name if p else "",
            p.last_name if p else "",
            p.email if p else "",
            p.lms_user_id if p else "",
            found.capstone,
            total,
            100.0,
            pending,
            0.0,
            evidence,
        )

    out = [grade(m.learner, m.total, False, m.evidence) for m in found.marks]
    out += [grade(p, 0.0, True, "") for p in found.pending]
    return sorted(out, key=lambda g: g.student)


def _people(root: Path) -> dict[str, Person]:
    try:
        return Store(root).snapshot().people.by_name()
    except EnrolmentError as exc:
        raise AppliedError(str(exc)) from exc


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, "utf-8")
    tmp.replace(path)


def export(root: Path, course_id: str, capstone: Capstone, out: Path) -> dict[str, Path]:
    """Write agreed marks, per-competency results, LMS grade files and agreement statistics."""
    found = results(root, course_id, capstone, catalogue(root))
    stats = agreement(
        course_id,
        capstone.rubric,
        replay(Ledger(capstone_log(root, course_id, capstone.id)).entries()),
    )
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{capstone.id}-{course_id}"
    criteria = [c.id for c in capstone.rubric.criteria]
    roles = ("first", "second", "third")
    header = [
        "course_id",
        "learner",
        "assessment",
        "total",
        "passed",
        "method",
        *criteria,
        *(x for r in roles for x in (f"{r}_marker", f"{r}_total")),
        "evidence",
        "recorded",
    ]
    mark_rows = [
        [
            course_id,
            m.learner,
            capstone.id,
            f"{m.total:.2f}",
            m.passed,
            m.method,
            *(f"{m.scores[c]:g}" for c in criteria),
            *(x for r in roles for x in (m.markers.get(r, ""), m.totals.get(r, ""))),
            m.evidence,
            m.recorded,
        ]
        for m in found.marks
    ]
    titles = {capstone.id: capstone.spec.title}
    files = {
        "marks": out / f"{stem}-marks.csv",
        "competencies_csv": out / f"{stem}-competencies.csv",
        "competencies_json": out / f"{stem}-competencies.json",
        "moodle": out / f"{stem}-moodle.csv",
        "canvas": out / f"{stem}-canvas.csv",
        "agreement": out / f"{stem}-agreement.json",
    }
    _write_atomic(files["marks"], _csv(header, mark_rows))
    _write_atomic(files["competencies_csv"], competencies_csv(found.competencies))
    _write_atomic(
        files["competencies_json"],
        json.dumps(
            {
                "course_id": course_id,
                "assessment": capstone.id,
                "evidence_log_head": found.head,
                "results": found.competencies,
                "marks": [asdict(m) for m in found.marks],
                "pending": found.pending,
            },
            indent=2,
        ),
    )
    people = _people(root)
    _write_atomic(files["moodle"], moodle_csv(grades(found, people), titles))
    _write_atomic(files["canvas"], canvas_csv(grades(found, people), titles))
    _write_atomic(files["agreement"], json.dumps(stats.as_dict(), indent=2))
    return files
