"""Grades out: CSV in the shapes Moodle and Canvas import, and per-competency results.

:func:`gather` reads the gradebook once; the ``*_csv`` builders are pure. A grade still
waiting for a tutor's marking is exported blank (never as a misleadingly low number) and
its competencies as ``pending``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from digital_academy.catalog import Assessment, Catalog

from . import evidence
from .gradebook import open_gradebook
from .settings import CourseRun

FORMATS = ("moodle", "canvas", "competencies")


@dataclass(frozen=True)
class Grade:
    student: str
    first_name: str
    last_name: str
    email: str
    lms_user_id: str
    assignment: str
    score: float | None  # None: not submitted
    max_score: float
    needs_manual: bool
    late_penalty: float
    evidence: str  # hash of the latest autograde entry ("" if none)

    @property
    def final(self) -> float | None:
        if self.score is None or self.needs_manual:
            return None
        return max(0.0, self.score - self.late_penalty)


def gather(course: CourseRun, assignments: list[str]) -> list[Grade]:
    rows: list[Grade] = []
    with open_gradebook(course) as gb:
        conn = gb.db.connection()
        for assignment in assignments:
            found = gb.find_assignment(assignment)
            for student in sorted(gb.students, key=lambda s: s.id):
                try:
                    sub = gb.find_submission(assignment, student.id)
                except Exception:
                    sub = None
                proof = ""
                if sub is not None:
                    for nb in sub.notebooks:
                        entry = evidence.latest(conn, "autograde", assignment, student.id, nb.name)
                        proof = entry["entry_hash"] if entry else proof
                rows.append(
                    Grade(
                        student.id,
                        student.first_name or "",
                        student.last_name or "",
                        student.email or "",
                        student.lms_user_id or "",
                        assignment,
                        None if sub is None else float(sub.score),
                        float(found.max_score),
                        bool(sub is not None and sub.needs_manual_grade),
                        float(sub.late_submission_penalty or 0) if sub is not None else 0.0,
                        proof,
                    )
                )
    return rows


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _write(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _by_student(grades: list[Grade]) -> dict[str, dict[str, Grade]]:
    table: dict[str, dict[str, Grade]] = {}
    for g in grades:
        table.setdefault(g.student, {})[g.assignment] = g
    return table


def moodle_csv(grades: list[Grade], titles: dict[str, str]) -> str:
    """Moodle's grade import (Grades > Import > CSV): map 'Username' to the user, then each
    assessment column to its grade item; scores are points."""
    order = sorted(titles)
    rows = []
    for student, per in sorted(_by_student(grades).items()):
        any_g = next(iter(per.values()))
        rows.append(
            [
                student,
                any_g.lms_user_id,
                any_g.email,
                any_g.first_name,
                any_g.last_name,
                *(_fmt(per[a].final) if a in per else "" for a in order),
            ]
        )
    return _write(
        [
            "Username",
            "ID number",
            "Email address",
            "First name",
            "Last name",
            *(titles[a] for a in order),
        ],
        rows,
    )


def canvas_csv(grades: list[Grade], titles: dict[str, str]) -> str:
    """Canvas's gradebook import: Student, ID, SIS User ID, SIS Login ID, Section, then one
    column per assignment and a 'Points Possible' row."""
    order = sorted(titles)
    maxima = {g.assignment: g.max_score for g in grades}
    rows = [["Points Possible", "", "", "", "", *(_fmt(maxima.get(a)) for a in order)]]
    for student, per in sorted(_by_student(grades).items()):
        any_g = next(iter(per.values()))
        name = ", ".join(p for p in (any_g.last_name, any_g.first_name) if p) or student
        rows.append(
            [
                name,
                any_g.lms_user_id,
                any_g.lms_user_id or student,
                student,
                "",
                *(_fmt(per[a].final) if a in per else "" for a in order),
            ]
        )
    return _write(
        [
            "Student",
            "ID",
            "SIS User ID",
            "SIS Login ID",
            "Section",
            *(f"{titles[a]} ({a})" for a in order),
        ],
        rows,
    )


def competency_rows(
    grades: list[Grade], assessments: dict[str, Assessment], catalog: Catalog | None
) -> list[dict[str, Any]]:
    rows = []
    for g in sorted(grades, key=lambda x: (x.student, x.assignment)):
        spec = assessments.get(g.assignment)
        if spec is None:
            continue
        if g.score is None:
            result = "not submitted"
        elif g.needs_manual:
            result = "pending"
        else:
            final = g.final or 0.0
            result = (
                "achieved" if g.max_score and final / g.max_score >= spec.pass_mark else "not yet"
            )
        for ref in spec.competencies:
            framework, _, code = ref.partition(":")
            statement = catalog.competency_statement(ref) if catalog else None
            rows.append(
                {
                    "learner": g.student,
                    "assessment": g.assignment,
                    "competency": ref,
                    "framework": framework,
                    "code": code,
                    "statement": statement or "",
                    "score": _fmt(g.final),
                    "max_score": _fmt(g.max_score),
                    "percent": _fmt(round(100 * g.final / g.max_score, 1))
                    if g.final is not None and g.max_score
                    else "",
                    "pass_mark": _fmt(spec.pass_mark),
                    "result": result,
                    "evidence": g.evidence,
                }
            )
    return rows


def competencies_csv(rows: list[dict[str, Any]]) -> str:
    header = [
        "learner",
        "assessment",
        "competency",
        "framework",
        "code",
        "statement",
        "score",
        "max_score",
        "percent",
        "pass_mark",
        "result",
        "evidence",
    ]
    return _write(header, [[str(r[h]) for h in header] for r in rows])
