"""Coaching records: access probes by acting identity, reminders, progress export, bad input."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from digital_academy.applied.coaching import CoachingBook
from digital_academy.applied.errors import AccessDenied, AppliedError
from digital_academy.applied.mentors import Learner, Mentor, match
from digital_academy.applied.pairings import save_pairings
from digital_academy.applied.store import coaching_log
from digital_academy.cli.main import cli

from .factory import tree

TODAY = dt.date(2026, 6, 1)


def _pair(root: Path, pairs: dict[str, str]) -> None:
    mentors = [Mentor(id=m, capacity=5) for m in sorted(set(pairs.values()))]
    learners = [
        Learner(id=p, line_managers=tuple(m.id for m in mentors if m.id != pairs[p])) for p in pairs
    ]
    result = match(mentors, learners, {})
    assert {m.learner: m.mentor for m in result.matches} == pairs
    save_pairings(root, result, "cohort", "lead")


@pytest.fixture
def book_root(root: Path) -> Path:
    """mentor1 mentors learner1 and learner2; mentor2 mentors learner3; each has sessions."""
    _pair(root, {"learner1": "mentor1", "learner2": "mentor1", "learner3": "mentor2"})
    m1 = CoachingBook(root, "mentor1", TODAY)
    m1.log(
        "learner1",
        dt.date(2026, 5, 1),
        [("Draft the benefits case", dt.date(2026, 5, 20))],
        notes="learner1: private notes",
    )
    m1.log(
        "learner2",
        dt.date(2026, 5, 2),
        [("Book a DPIA review", dt.date(2026, 6, 5))],
        notes="learner2: private notes",
    )
    CoachingBook(root, "learner3", TODAY).log(
        "learner3",
        dt.date(2026, 5, 3),
        [("Run an uptake survey", dt.date(2026, 7, 1))],
        notes="learner3: private notes",
    )
    return root


def _notes(sessions: list[object]) -> set[str]:
    return {s.notes for s in sessions}  # type: ignore[attr-defined]


def test_a_mentor_sees_only_their_own_mentees_records(book_root: Path) -> None:
    m1, m2 = CoachingBook(book_root, "mentor1", TODAY), CoachingBook(book_root, "mentor2", TODAY)
    assert _notes(m1.sessions()) == {"learner1: private notes", "learner2: private notes"}
    assert _notes(m2.sessions()) == {"learner3: private notes"}
    with pytest.raises(AccessDenied, match="visible to the learner and their mentor only"):
        m1.sessions("learner3")
    with pytest.raises(AccessDenied):
        m2.sessions("learner1")
    assert _notes(m1.sessions("learner2")) == {"learner2: private notes"}


def test_a_learner_sees_only_their_own_records(book_root: Path) -> None:
    l1 = CoachingBook(book_root, "learner1", TODAY)
    assert _notes(l1.sessions()) == {"learner1: private notes"}
    assert _notes(l1.sessions("learner1")) == {"learner1: private notes"}
    for other in ("learner2", "learner3"):
        with pytest.raises(AccessDenied):
            l1.sessions(other)
    assert [a.text for _, a in l1.due(60)] == ["Draft the benefits case"]


@pytest.mark.parametrize("outsider", ["tutor1", "admin", "learner9"])
def test_nobody_else_sees_anything(book_root: Path, outsider: str) -> None:
    book = CoachingBook(book_root, outsider, TODAY)
    assert book.sessions() == [] and book.due(365) == [] and book.progress() == []
    for learner in ("learner1", "learner2", "learner3", "nobody"):
        with pytest.raises(AccessDenied):
            book.sessions(learner)
        with pytest.raises(AccessDenied):
            book.progress(learner)


def test_a_new_mentor_does_not_inherit_the_old_mentors_sessions(book_root: Path) -> None:
    _pair(book_root, {"learner1": "mentor2"})
    m2 = CoachingBook(book_root, "mentor2", TODAY)
    assert m2.sessions("learner1") == []  # may see the mentee now, not the earlier sessions
    m2.log("learner1", TODAY, notes="with mentor2")
    assert _notes(m2.sessions("learner1")) == {"with mentor2"}
    m1 = CoachingBook(book_root, "mentor1", TODAY)
    assert _notes(m1.sessions("learner1")) == {"learner1: private notes"}
    with pytest.raises(AppliedError, match="no mentoring pairing between mentor1 and learner1"):
        m1.log("learner1", TODAY)
    assert len(CoachingBook(book_root, "learner1", TODAY).sessions()) == 2


def test_unknown_pairings_are_refused_and_change_nothing(book_root: Path, state: Path) -> None:
    before = tree(state)
    with pytest.raises(AppliedError, match="no mentoring pairing between mentor2 and learner1"):
        CoachingBook(book_root, "mentor2", TODAY).log("learner1", TODAY)
    with pytest.raises(AppliedError, match="no mentoring pairing between mentor1 and learner7"):
        CoachingBook(book_root, "mentor1", TODAY).log("learner7", TODAY)
    with pytest.raises(AppliedError, match="no mentoring pairing between learner2 and learner1"):
        CoachingBook(book_root, "learner2", TODAY).log("learner1", TODAY)
    with pytest.raises(AppliedError, match="in the future"):
        CoachingBook(book_root, "mentor1", TODAY).log("learner1", TODAY + dt.timedelta(days=1))
    with pytest.raises(AppliedError, match="before the session"):
        CoachingBook(book_root, "mentor1", TODAY).log(
            "learner1", TODAY, [("x", TODAY - dt.timedelta(days=1))]
        )
    with pytest.raises(AppliedError, match="has no action"):
        CoachingBook(book_root, "mentor2", TODAY).complete("learner1:1.1")
    assert tree(state) == before
    assert not coaching_log(book_root, "learner7").exists()


def test_reminders_completion_and_progress(book_root: Path) -> None:
    m1 = CoachingBook(book_root, "mentor1", TODAY)
    due = m1.due(7)
    assert [(a.id, a.due < TODAY) for _, a in due] == [
        ("learner1:1.1", True),
        ("learner2:1.1", False),
    ]
    assert [a.id for _, a in m1.due(0)] == ["learner1:1.1"]  # only the overdue one
    done = CoachingBook(book_root, "learner1", TODAY).complete("learner1:1.1")
    assert done.done_on == TODAY
    with pytest.raises(AppliedError, match="already done"):
        m1.complete("learner1:1.1")
    assert [a.id for _, a in m1.due(7)] == ["learner2:1.1"]
    rows = {r["learner"]: r for r in m1.progress()}
    assert set(rows) == {"learner1", "learner2"}
    assert rows["learner1"] == {
        "learner": "learner1",
        "mentors": ["mentor1"],
        "sessions": 1,
        "last_session": "2026-05-01",
        "actions_agreed": 1,
        "actions_done": 1,
        "actions_open": 0,
        "actions_overdue": 0,
        "next_due": None,
        "actions": [
            {
                "id": "learner1:1.1",
                "text": "Draft the benefits case",
                "due": "2026-05-20",
                "done_on": "2026-06-01",
            }
        ],
    }
    assert "private notes" not in json.dumps(rows)  # the progress feed never carries notes


def test_records_are_private_files(book_root: Path) -> None:
    path = coaching_log(book_root, "learner1")
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700


def test_cli_flow_and_probes(book_root: Path, state: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    base = ["--root", str(book_root)]
    result = runner.invoke(
        cli,
        [
            "coaching",
            "log",
            *base,
            "--as",
            "mentor1",
            "--learner",
            "learner2",
            "--date",
            "2026-05-30",
            "--action",
            "Share the SPC chart|2026-06-03",
            "--notes",
            "good progress",
            "--today",
            "2026-06-01",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "learner2:2.1: Share the SPC chart (due 2026-06-03)" in result.output
    monkeypatch.setenv("JUPYTERHUB_USER", "learner2")  # inside the hub, identity is the hub user
    result = runner.invoke(cli, ["coaching", "list", *base, "--format", "json"])
    assert {s["learner"] for s in json.loads(result.output)} == {"learner2"}
    result = runner.invoke(
        cli, ["coaching", "due", *base, "--today", "2026-06-01", "--format", "json"]
    )
    assert [d["action"] for d in json.loads(result.output)] == ["learner2:2.1", "learner2:1.1"]
    result = runner.invoke(cli, ["coaching", "done", *base, "learner2:2.1", "--on", "2026-06-01"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        cli, ["coaching", "export", *base, "--format", "csv", "--today", "2026-06-01"]
    )
    assert result.output.splitlines()[1].startswith("learner2,mentor1,2,2026-05-30,2,1,1,0,")
    before = tree(state)
    result = runner.invoke(cli, ["coaching", "list", *base, "--learner", "learner1"])
    assert result.exit_code == 1
    assert result.output.startswith("error: learner2 may not see learner1's coaching records")
    result = runner.invoke(
        cli,
        [
            "coaching",
            "log",
            *base,
            "--as",
            "mentor2",
            "--learner",
            "learner1",
            "--date",
            "2026-05-30",
        ],
    )
    assert (
        result.exit_code == 1
        and "no mentoring pairing between mentor2 and learner1" in result.output
    )
    result = runner.invoke(
        cli,
        [
            "coaching",
            "log",
            *base,
            "--learner",
            "learner2",
            "--date",
            "2026-05-30",
            "--action",
            "no due date",
        ],
    )
    assert result.exit_code == 1 and "what to do|YYYY-MM-DD" in result.output
    assert tree(state) == before
    monkeypatch.delenv("JUPYTERHUB_USER")
    result = runner.invoke(cli, ["coaching", "list", *base])
    assert result.exit_code == 2 and "--as" in result.output
