"""Coaching records: sessions and agreed actions, visible to the learner and their mentor only.

Access is enforced here, in the library, by the acting identity (the hub user name):

- a learner sees and adds to their own records;
- a mentor sees the sessions *they* held, and adds sessions only for their current mentees;
- nobody else sees anything, tutors and admins included.

Each learner's records are one hash-chained log (``ledger.py``), file mode 0600. The CLI
takes the identity from ``--as`` or ``JUPYTERHUB_USER``; see the threat model in
docs/applied-learning.md for what that does and does not protect against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import AccessDenied, AppliedError
from .ledger import Entry, Item, Ledger
from .pairings import current_pairings
from .store import applied_dir, coaching_log, safe_name


@dataclass(frozen=True)
class Action:
    id: str
    text: str
    due: dt.date
    done_on: dt.date | None = None

    @property
    def open(self) -> bool:
        return self.done_on is None


@dataclass(frozen=True)
class Session:
    id: str
    learner: str
    mentor: str
    date: dt.date
    notes: str
    actions: tuple[Action, ...]
    recorded_by: str


def _sessions(entries: Sequence[Entry]) -> list[Session]:
    done: dict[str, dt.date] = {}
    for entry in entries:
        if entry.kind == "action-done":
            done[entry.data["action"]] = dt.date.fromisoformat(entry.data["on"])
    found = []
    for entry in entries:
        if entry.kind != "session":
            continue
        d = entry.data
        actions = tuple(
            Action(a["id"], a["text"], dt.date.fromisoformat(a["due"]), done.get(a["id"]))
            for a in d["actions"]
        )
        found.append(
            Session(
                d["id"],
                d["learner"],
                d["mentor"],
                dt.date.fromisoformat(d["date"]),
                d["notes"],
                actions,
                entry.actor,
            )
        )
    return found


class CoachingBook:
    """Coaching records as seen by one acting identity."""

    def __init__(self, root: Path, actor: str, today: dt.date | None = None) -> None:
        self.root = root
        self.actor = safe_name("user", actor)
        self.today = today or dt.date.today()

    # ---- who may see what ------------------------------------------------------------

    def _visible(self, learner: str) -> list[Session]:
        path = coaching_log(self.root, learner)
        sessions = _sessions(Ledger(path).entries()) if path.exists() else []
        if self.actor == learner:
            return sessions
        return [s for s in sessions if s.mentor == self.actor]

    def _learners(self) -> list[str]:
        """Every learner with records; ``_visible`` filters each one for the actor."""
        folder = applied_dir(self.root) / "coaching"
        names = {p.stem for p in folder.glob("*.jsonl")} if folder.is_dir() else set()
        return sorted(names)

    def sessions(self, learner: str | None = None) -> list[Session]:
        """Sessions the actor may see; asking for another's learner's records is refused."""
        if learner is not None:
            safe_name("learner", learner)
            visible = self._visible(learner)
            mentor_now = current_pairings(self.root).get(learner)
            is_mentor = mentor_now is not None and mentor_now.mentor == self.actor
            if self.actor != learner and not visible and not is_mentor:
                raise AccessDenied(
                    f"{self.actor} may not see {learner}'s coaching records: they are visible "
                    "to the learner and their mentor only"
                )
            return visible
        found: list[Session] = []
        for name in self._learners():
            found += self._visible(name)
        return sorted(found, key=lambda s: (s.date, s.id))

    # ---- writing ---------------------------------------------------------------------

    def log(
        self,
        learner: str,
        date: dt.date,
        actions: Sequence[tuple[str, dt.date]] = (),
        notes: str = "",
    ) -> Session:
        """Record a session of ``learner`` with their current mentor; actor is one of the two."""
        safe_name("learner", learner)
        pairing = current_pairings(self.root).get(learner)
        if pairing is None or self.actor not in (learner, pairing.mentor):
            # One message whether or not the learner has a mentor: it names no one else.
            raise AppliedError(
                f"no mentoring pairing between {self.actor} and {learner}: only a learner and "
                "their current mentor may log sessions (pairings come from "
                "`academy mentors match --save`)"
            )
        if date > self.today:
            raise AppliedError(f"session date {date} is in the future; log sessions after them")
        for text, due in actions:
            if not text.strip():
                raise AppliedError("an agreed action needs a description")
            if due < date:
                raise AppliedError(f"action {text!r} is due {due}, before the session ({date})")

        def plan(entries: list[Entry]) -> list[Item]:
            session_id = f"{learner}:{len(entries) + 1}"
            data: dict[str, Any] = {
                "id": session_id,
                "learner": learner,
                "mentor": pairing.mentor,
                "date": date.isoformat(),
                "notes": notes,
                "actions": [
                    {"id": f"{session_id}.{k}", "text": text.strip(), "due": due.isoformat()}
                    for k, (text, due) in enumerate(actions, start=1)
                ],
            }
            return [("session", self.actor, data)]

        written = Ledger(coaching_log(self.root, learner)).append(plan)
        return _sessions(written)[0]

    def complete(self, action_id: str, on: dt.date | None = None) -> Action:
        """Mark an agreed action done (the learner or the session's mentor)."""
        learner, sep, _ = action_id.partition(":")
        if not sep:
            raise AppliedError(f"{action_id!r} is not an action id (like 'learner1:2.1')")
        safe_name("learner", learner)
        when = on or self.today
        log = Ledger(coaching_log(self.root, learner))
        result: list[Action] = []

        def plan(entries: list[Entry]) -> list[Item]:
            for session in _sessions(entries):
                for action in session.actions:
                    if action.id != action_id:
                        continue
                    if self.actor not in (session.learner, session.mentor):
                        break
                    if not action.open:
                        raise AppliedError(
                            f"action {action_id} was already done on {action.done_on}"
                        )
                    result.append(Action(action.id, action.text, action.due, when))
                    return [
                        ("action-done", self.actor, {"action": action_id, "on": when.isoformat()})
                    ]
            raise AppliedError(f"{self.actor} has no action {action_id!r} to complete")

        if not log.path.exists():
            raise AppliedError(f"{self.actor} has no action {action_id!r} to complete")
        log.append(plan)
        return result[0]

    # ---- reminders and progress ------------------------------------------------------

    def due(self, within_days: int = 7, learner: str | None = None) -> list[tuple[Session, Action]]:
        """Open actions due within ``within_days`` (overdue ones included), soonest first."""
        horizon = self.today + dt.timedelta(days=within_days)
        found = [
            (s, a) for s in self.sessions(learner) for a in s.actions if a.open and a.due <= horizon
        ]
        return sorted(found, key=lambda sa: (sa[1].due, sa[1].id))

    def progress(self, learner: str | None = None) -> list[dict[str, Any]]:
        """Per learner, what the progress view needs: counts and actions, never the notes."""
        by_learner: dict[str, list[Session]] = {}
        for session in self.sessions(learner):
            by_learner.setdefault(session.learner, []).append(session)
        out = []
        for name, sessions in sorted(by_learner.items()):
            actions = [a for s in sessions for a in s.actions]
            open_ = [a for a in actions if a.open]
            out.append(
                {
                    "learner": name,
                    "mentors": sorted({s.mentor for s in sessions}),
                    "sessions": len(sessions),
                    "last_session": max(s.date for s in sessions).isoformat(),
                    "actions_agreed": len(actions),
                    "actions_done": len(actions) - len(open_),
                    "actions_open": len(open_),
                    "actions_overdue": sum(a.due < self.today for a in open_),
                    "next_due": min((a.due.isoformat() for a in open_), default=None),
                    "actions": [
                        {
                            "id": a.id,
                            "text": a.text,
                            "due": a.due.isoformat(),
                            "done_on": a.done_on.isoformat() if a.done_on else None,
                        }
                        for a in actions
                    ],
                }
            )
        return out
