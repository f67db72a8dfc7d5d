"""The evidence log on a real SQLite database: append-only, hash-chained, tamper-evident."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DatabaseError

from digital_academy.assess import evidence


def _engine(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = create_engine(f"sqlite:///{tmp_path / 'gb.db'}")
    with engine.begin() as conn:
        # nbgrader's two tables the triggers watch, cut down to the columns they use
        conn.execute(
            text("CREATE TABLE grade (id TEXT PRIMARY KEY, manual_score FLOAT, extra_credit FLOAT)")
        )
        conn.execute(text("CREATE TABLE comment (id TEXT PRIMARY KEY, manual_comment TEXT)"))
        conn.execute(text("INSERT INTO grade VALUES ('g1', NULL, NULL)"))
        evidence.install(conn, "demo")
        evidence.install(conn, "demo")  # idempotent
    return engine


def _row(n: int) -> dict[str, object]:
    return {
        "course_id": "demo",
        "kind": "autograde",
        "assignment": "a",
        "student": f"s{n}",
        "notebook": "nb",
        "payload": json.dumps({"n": n}),
        "source": "academy",
    }


def test_entries_chain_and_verify(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    with engine.begin() as conn:
        first = evidence.append(conn, _row(1))
        second = evidence.append(conn, _row(2))
        assert (first["seq"], second["seq"]) == (1, 2)
        assert second["prev_hash"] == first["entry_hash"]
        assert evidence.verify_chain(conn).problems == ()
        assert evidence.latest(conn, "autograde", "a", "s2", "nb")["seq"] == 2  # type: ignore[index]


def test_sealed_entries_cannot_be_changed_or_deleted(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    with engine.begin() as conn:
        evidence.append(conn, _row(1))
    for statement in ("UPDATE academy_evidence SET payload = '{}'", "DELETE FROM academy_evidence"):
        with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))


def test_tampering_is_detected(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    with engine.begin() as conn:
        for n in range(3):
            evidence.append(conn, _row(n))
        # someone with database access drops the guard and edits history
        conn.execute(text("DROP TRIGGER academy_evidence_no_update"))
        conn.execute(text("UPDATE academy_evidence SET payload = '{\"n\": 99}' WHERE seq = 2"))
        problems = evidence.verify_chain(conn).problems
    assert problems == ("entry 2 was changed after it was written",)


def test_manual_changes_made_elsewhere_are_captured_then_sealed(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    with engine.begin() as conn:
        evidence.append(conn, _row(1))
        conn.execute(text("UPDATE grade SET manual_score = 2.5 WHERE id = 'g1'"))
        conn.execute(text("UPDATE grade SET manual_score = 2.5 WHERE id = 'g1'"))  # no change
        report = evidence.verify_chain(conn)
        assert report.unsealed == 1
        sealed = evidence.seal(conn, lambda kind, payload: {"cell": payload["grade"]})
        assert sealed == 1
        report = evidence.verify_chain(conn)
        assert (report.entries, report.unsealed, report.problems) == (2, 0, ())
        row = conn.execute(
            text("SELECT kind, cell, actor, payload FROM academy_evidence WHERE seq = 2")
        ).one()
    assert row.kind == "manual-grade" and row.cell == "g1"
    assert row.actor.startswith("unattributed")
    assert json.loads(row.payload)["new"] == 2.5


def test_two_writers_cannot_fork_the_chain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = _engine(tmp_path)
    with engine.begin() as conn:
        evidence.append(conn, _row(1))
    # a second grader read the chain head before the first one wrote entry 1
    monkeypatch.setattr(evidence, "_head", lambda conn: (0, evidence.GENESIS))
    with engine.begin() as conn, pytest.raises(evidence.ChainConflict):
        evidence.append(conn, _row(2))
    monkeypatch.undo()
    with engine.begin() as conn:
        assert evidence.verify_chain(conn).entries == 1
        assert evidence.append(conn, _row(2))["seq"] == 2
