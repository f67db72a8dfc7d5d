"""The evidence log: an append-only, hash-chained table in the gradebook database.

Every autograde result, manual grade, override and comment becomes one entry. Entries are
chained (each holds the previous entry's hash and a chain position that must be unique),
so the chain is linear even with several graders at once; database triggers refuse to
change or delete a sealed entry, and also record manual grades made in formgrader, which
the next ``academy assess`` command seals.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError

metadata = MetaData()
evidence = Table(
    "academy_evidence",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("seq", Integer, unique=True, nullable=True),
    Column("course_id", String(128), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("assignment", String(128)),
    Column("student", String(128)),
    Column("notebook", String(128)),
    Column("cell", String(128)),
    Column("submission_hash", String(64)),
    Column("suite_hash", String(64)),
    Column("payload", Text, nullable=False),
    Column("actor", String(128)),
    Column("source", String(64), nullable=False),
    Column("reason", Text),
    Column("recorded_at", String(40), nullable=False),
    Column("prev_hash", String(64)),
    Column("entry_hash", String(64)),
    Index("academy_evidence_lookup", "course_id", "kind", "assignment", "student", "notebook"),
)
GENESIS = "genesis"
HASHED = (
    "seq",
    "course_id",
    "kind",
    "assignment",
    "student",
    "notebook",
    "cell",
    "submission_hash",
    "suite_hash",
    "payload",
    "actor",
    "source",
    "reason",
    "recorded_at",
    "prev_hash",
)


class ChainConflict(RuntimeError):
    """Another grader appended at the same moment; the caller retries its transaction."""


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def entry_hash(row: dict[str, Any]) -> str:
    canonical = json.dumps({k: row.get(k) for k in HASHED}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _sqlite_ddl(course_id: str) -> list[str]:
    stamp = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
    course = course_id.replace("'", "''")
    return [
        "CREATE TRIGGER IF NOT EXISTS academy_evidence_no_delete BEFORE DELETE ON "
        "academy_evidence BEGIN SELECT RAISE(ABORT, 'the evidence log is append-only'); END",
        "CREATE TRIGGER IF NOT EXISTS academy_evidence_no_update BEFORE UPDATE ON "
        "academy_evidence WHEN OLD.entry_hash IS NOT NULL "
        "BEGIN SELECT RAISE(ABORT, 'the evidence log is append-only'); END",
        "CREATE TRIGGER IF NOT EXISTS academy_grade_changed AFTER UPDATE OF manual_score, "
        "extra_credit ON grade WHEN OLD.manual_score IS NOT NEW.manual_score OR "
        "OLD.extra_credit IS NOT NEW.extra_credit BEGIN INSERT INTO academy_evidence "
        "(course_id, kind, payload, source, recorded_at) VALUES "
        f"('{course}', 'manual-grade', json_object('grade', NEW.id, 'old', OLD.manual_score, "
        "'new', NEW.manual_score, 'old_extra', OLD.extra_credit, 'new_extra', "
        f"NEW.extra_credit), 'database', {stamp}); END",
        "CREATE TRIGGER IF NOT EXISTS academy_comment_changed AFTER UPDATE OF manual_comment "
        "ON comment WHEN OLD.manual_comment IS NOT NEW.manual_comment BEGIN INSERT INTO "
        "academy_evidence (course_id, kind, payload, source, recorded_at) VALUES "
        f"('{course}', 'manual-comment', json_object('comment', NEW.id, 'old', "
        f"OLD.manual_comment, 'new', NEW.manual_comment), 'database', {stamp}); END",
    ]


def _postgres_ddl(course_id: str) -> list[str]:
    stamp = "to_char(now() at time zone 'utc', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    course = course_id.replace("'", "''")
    return [
        "CREATE OR REPLACE FUNCTION academy_evidence_append_only() RETURNS trigger AS $$ BEGIN "
        "IF TG_OP = 'DELETE' OR OLD.entry_hash IS NOT NULL THEN "
        "RAISE EXCEPTION 'the evidence log is append-only'; END IF; RETURN NEW; END $$ "
        "LANGUAGE plpgsql",
        "DROP TRIGGER IF EXISTS academy_evidence_append_only ON academy_evidence",
        "CREATE TRIGGER academy_evidence_append_only BEFORE UPDATE OR DELETE ON "
        "academy_evidence FOR EACH ROW EXECUTE FUNCTION academy_evidence_append_only()",
        "CREATE OR REPLACE FUNCTION academy_grade_changed() RETURNS trigger AS $$ BEGIN "
        "IF OLD.manual_score IS DISTINCT FROM NEW.manual_score OR OLD.extra_credit IS "
        "DISTINCT FROM NEW.extra_credit THEN INSERT INTO academy_evidence (course_id, kind, "
        "payload, source, recorded_at) VALUES (TG_ARGV[0], 'manual-grade', json_build_object("
        "'grade', NEW.id, 'old', OLD.manual_score, 'new', NEW.manual_score, 'old_extra', "
        f"OLD.extra_credit, 'new_extra', NEW.extra_credit)::text, 'database', {stamp}); "
        "END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
        "DROP TRIGGER IF EXISTS academy_grade_changed ON grade",
        "CREATE TRIGGER academy_grade_changed AFTER UPDATE ON grade FOR EACH ROW EXECUTE "
        f"FUNCTION academy_grade_changed('{course}')",
        "CREATE OR REPLACE FUNCTION academy_comment_changed() RETURNS trigger AS $$ BEGIN "
        "IF OLD.manual_comment IS DISTINCT FROM NEW.manual_comment THEN INSERT INTO "
        "academy_evidence (course_id, kind, payload, source, recorded_at) VALUES (TG_ARGV[0], "
        "'manual-comment', json_build_object('comment', NEW.id, 'old', OLD.manual_comment, "
        f"'new', NEW.manual_comment)::text, 'database', {stamp}); END IF; RETURN NEW; END $$ "
        "LANGUAGE plpgsql",
        "DROP TRIGGER IF EXISTS academy_comment_changed ON comment",
        "CREATE TRIGGER academy_comment_changed AFTER UPDATE ON comment FOR EACH ROW EXECUTE "
        f"FUNCTION academy_comment_changed('{course}')",
    ]


def install(conn: Connection, course_id: str) -> None:
    """Create the log table and its triggers (idempotent)."""
    metadata.create_all(conn)
    dialect = conn.dialect.name
    statements = _sqlite_ddl(course_id) if dialect == "sqlite" else _postgres_ddl(course_id)
    for statement in statements:
        conn.execute(text(statement))


def _head(conn: Connection) -> tuple[int, str]:
    row = conn.execute(
        select(evidence.c.seq, evidence.c.entry_hash)
        .where(evidence.c.seq.is_not(None))
        .order_by(evidence.c.seq.desc())
        .limit(1)
    ).first()
    return (int(row.seq), str(row.entry_hash)) if row else (0, GENESIS)


def append(conn: Connection, row: dict[str, Any]) -> dict[str, Any]:
    """Add one sealed entry inside the caller's transaction; ChainConflict means retry."""
    seq, prev = _head(conn)
    full = {
        "assignment": None,
        "student": None,
        "notebook": None,
        "cell": None,
        "submission_hash": None,
        "suite_hash": None,
        "actor": None,
        "reason": None,
        "recorded_at": now(),
        **row,
        "seq": seq + 1,
        "prev_hash": prev,
    }
    full["entry_hash"] = entry_hash(full)
    try:
        with conn.begin_nested():
            conn.execute(insert(evidence).values(**full))
    except IntegrityError as exc:
        raise ChainConflict(str(exc)) from None
    return full


def seal(
    conn: Connection,
    resolve: Any,
    actor: str | None = None,
    reason: str | None = None,
    source: str | None = None,
) -> int:
    """Chain the entries the database triggers added; ``resolve(kind, payload)`` names them.

    ``source`` defaults to ``academy`` when the actor is known, else ``formgrader``.
    """
    rows = (
        conn.execute(
            select(evidence).where(evidence.c.entry_hash.is_(None)).order_by(evidence.c.id)
        )
        .mappings()
        .all()
    )
    for row in rows:
        seq, prev = _head(conn)
        values = dict(row)
        values.update(resolve(row["kind"], json.loads(row["payload"])))
        values.update(
            seq=seq + 1,
            prev_hash=prev,
            actor=actor or "unattributed (formgrader or direct database edit)",
            source=source or ("academy" if actor else "formgrader"),
            reason=reason,
        )
        values["entry_hash"] = entry_hash(values)
        try:
            with conn.begin_nested():
                conn.execute(
                    update(evidence)
                    .where(evidence.c.id == row["id"])
                    .where(evidence.c.entry_hash.is_(None))
                    .values({k: values[k] for k in (*HASHED, "entry_hash")})
                )
        except IntegrityError as exc:
            raise ChainConflict(str(exc)) from None
    return len(rows)


@dataclass(frozen=True)
class ChainReport:
    entries: int
    unsealed: int
    problems: tuple[str, ...]


def verify_chain(conn: Connection) -> ChainReport:
    rows = (
        conn.execute(select(evidence).where(evidence.c.seq.is_not(None)).order_by(evidence.c.seq))
        .mappings()
        .all()
    )
    unsealed = conn.execute(select(evidence.c.id).where(evidence.c.entry_hash.is_(None))).all()
    problems: list[str] = []
    prev = GENESIS
    for position, row in enumerate(rows, start=1):
        if row["seq"] != position:
            problems.append(f"entry {position} is missing (found {row['seq']} instead)")
        if row["prev_hash"] != prev:
            problems.append(f"entry {row['seq']} does not follow entry {row['seq'] - 1}")
        if entry_hash(dict(row)) != row["entry_hash"]:
            problems.append(f"entry {row['seq']} was changed after it was written")
        prev = row["entry_hash"]
    return ChainReport(len(rows), len(unsealed), tuple(problems))


def latest(
    conn: Connection, kind: str, assignment: str, student: str, notebook: str
) -> dict[str, Any] | None:
    row = (
        conn.execute(
            select(evidence)
            .where(
                evidence.c.kind == kind,
                evidence.c.assignment == assignment,
                evidence.c.student == student,
                evidence.c.notebook == notebook,
                evidence.c.seq.is_not(None),
            )
            .order_by(evidence.c.seq.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None
