"""The nbgrader gradebook, with the evidence log beside it; backups; writing one result.

Writing a graded submission is one transaction: its grades, comments, flag, late penalty
and evidence entry commit together or not at all. That is what makes a batch resumable
after ``kill -9``: a submission is either fully recorded (and skipped on the rerun) or
not recorded at all (and graded again). Nothing is ever recorded twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, create_engine, text

from . import evidence
from .settings import CourseRun

KEEP_BACKUPS = 30


def _nbgrader_api() -> Any:
    from .nbgrader_api import prepare  # noqa: PLC0415

    prepare()
    from nbgrader import api  # noqa: PLC0415 - 3 s import

    return api


def ensure_database(url: str) -> None:
    """Create the course run's PostgreSQL database if the server has none yet."""
    if not url.startswith("postgresql"):
        return
    from sqlalchemy.engine import make_url  # noqa: PLC0415

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
            ).first()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        admin.dispose()


@contextlib.contextmanager
def open_gradebook(course: CourseRun) -> Iterator[Any]:
    """nbgrader's Gradebook for the course run, with the evidence log installed."""
    course.folder.mkdir(parents=True, exist_ok=True)
    ensure_database(course.db_url)
    api = _nbgrader_api()
    gb = api.Gradebook(course.db_url, course.course_id)
    try:
        if gb.engine.dialect.name == "sqlite":
            _fast_sqlite(gb.engine)
        with gb.engine.begin() as conn:
            evidence.install(conn, course.course_id)
        seal_pending(gb)
        yield gb
    finally:
        gb.close()


def _fast_sqlite(engine: Any) -> None:
    """Write-ahead logging: one commit per graded submission without an fsync each time.

    Still crash-safe (a killed grader loses nothing committed; the file stays consistent),
    and readers such as formgrader no longer block the writer. The mode is stored in the
    database file; ``synchronous`` is set on each new connection.
    """
    from sqlalchemy import event  # noqa: PLC0415

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    engine.dispose()  # later connections get the pragma
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA journal_mode=WAL")


def resolver(gb: Any) -> Any:
    """Names (assignment, learner, notebook, cell) for an entry a database trigger added."""
    api = _nbgrader_api()

    def resolve(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        model = api.Grade if kind == "manual-grade" else api.Comment
        key = payload.get("grade") if kind == "manual-grade" else payload.get("comment")
        row = gb.db.get(model, key) if key else None
        if row is None:
            return {}
        return {
            "assignment": row.assignment.name,
            "student": row.student.id,
            "notebook": row.notebook.name,
            "cell": row.name,
        }

    return resolve


def seal_pending(
    gb: Any, actor: str | None = None, reason: str | None = None, source: str | None = None
) -> int:
    """Chain the entries triggers added for edits made outside academy (formgrader)."""
    for attempt in range(5):
        try:
            count = evidence.seal(gb.db.connection(), resolver(gb), actor, reason, source)
            gb.db.commit()
            return count
        except evidence.ChainConflict:
            gb.db.rollback()
            if attempt == 4:
                raise
    return 0


def backup(course: CourseRun, label: str) -> Path | None:
    """Copy the gradebook before a batch touches it; returns the copy (None if no gradebook)."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    course.backups.mkdir(parents=True, exist_ok=True)
    url = course.db_url
    if url.startswith("sqlite:///"):
        source = Path(url.removeprefix("sqlite:///"))
        if not source.exists():
            return None
        target = course.backups / f"gradebook-{stamp}-{label}.db"
        with (
            contextlib.closing(sqlite3.connect(source)) as src,
            contextlib.closing(sqlite3.connect(target)) as dst,
        ):
            src.backup(dst)
    else:
        target = course.backups / f"gradebook-{stamp}-{label}.json"
        engine = create_engine(url)
        try:
            meta = MetaData()
            meta.reflect(engine)
            with engine.connect() as conn:
                dump = {
                    t.name: [dict(r._mapping) for r in conn.execute(t.select())]
                    for t in meta.sorted_tables
                }
        finally:
            engine.dispose()
        target.write_text(json.dumps(dump, default=str, indent=1), "utf-8")
    target.chmod(0o600)
    for old in sorted(course.backups.glob("gradebook-*"))[:-KEEP_BACKUPS]:
        old.unlink()
    return target


@dataclass(frozen=True)
class Recorded:
    score: float
    max_score: float
    needs_manual: bool
    entry: dict[str, Any]


def record(
    gb: Any,
    course: CourseRun,
    assignment: str,
    student: str,
    notebook: str,
    graded_nb: dict[str, Any],
    entry: dict[str, Any],
    flagged: bool,
) -> Recorded:
    """Write one graded notebook's scores and its evidence entry in a single transaction."""
    from nbformat import from_dict  # noqa: PLC0415
    from nbgrader import utils  # noqa: PLC0415

    cells = {
        c.metadata.nbgrader["grade_id"]: c
        for c in from_dict(graded_nb).cells  # type: ignore[no-untyped-call]
        if "nbgrader" in c.metadata and c.metadata.nbgrader.get("grade_id")
    }
    api = _nbgrader_api()
    from sqlalchemy.orm import joinedload  # noqa: PLC0415

    for attempt in range(5):
        try:
            submission = gb.find_submission_notebook(notebook, assignment, student)
            # one query each, cells joined: lazy loading cost a query per cell and per name
            grades = (
                gb.db.query(api.Grade)
                .options(joinedload(api.Grade.cell))
                .filter(api.Grade.notebook_id == submission.id)
                .all()
            )
            comments = (
                gb.db.query(api.Comment)
                .options(joinedload(api.Comment.cell))
                .filter(api.Comment.notebook_id == submission.id)
                .all()
            )
            scores: dict[str, Any] = {}
            for grade in grades:
                cell = cells.get(grade.name)
                auto = utils.determine_grade(cell)[0] if cell is not None else 0.0
                grade.auto_score = auto
                grade.needs_manual_grade = grade.manual_score is not None or auto is None
                scores[grade.name] = {"auto": auto, "max": grade.max_score}
            for comment in comments:
                cell = cells.get(comment.name)
                unchanged = (
                    cell is not None
                    and cell.metadata.nbgrader.get("checksum") == utils.compute_checksum(cell)
                    and not utils.is_task(cell)
                )
                comment.auto_comment = "No response." if unchanged else None
            submission.flagged = flagged
            gb.db.flush()
            gb.db.expire(submission)  # score and max_score are computed by the database
            _late_penalty(gb, assignment, student, submission)
            gb.db.flush()
            gb.db.expire(submission)
            payload = {
                **json.loads(entry["payload"]),
                "scores": scores,
                "score": submission.score,
                "max_score": submission.max_score,
            }
            row = evidence.append(
                gb.db.connection(),
                {**entry, "payload": json.dumps(payload, sort_keys=True, default=str)},
            )
            gb.db.commit()
            return Recorded(
                float(submission.score),
                float(submission.max_score),
                bool(submission.needs_manual_grade),
                row,
            )
        except evidence.ChainConflict:
            gb.db.rollback()
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def _late_penalty(gb: Any, assignment: str, student: str, submission: Any) -> None:
    from nbgrader.plugins import LateSubmissionPlugin  # noqa: PLC0415

    assigned = gb.find_submission(assignment, student)
    submission.late_submission_penalty = None
    seconds = assigned.total_seconds_late
    if seconds and seconds > 0:
        penalty = LateSubmissionPlugin().late_submission_penalty(student, submission.score, seconds)
        if penalty is not None:
            submission.late_submission_penalty = max(
                0.0, min(float(penalty), float(submission.score))
            )
