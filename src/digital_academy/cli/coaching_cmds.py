"""``academy coaching log | list | due | done | export``: coaching records for learner and mentor.

Everything is filtered by the acting identity (``--as``, else ``$JUPYTERHUB_USER``): a
learner sees their own records, a mentor the sessions they held, nobody else anything.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.table import Table

from .applied_shared import actor_option, applied_errors, parse_date
from .context import AcademyError, console, format_option, root_option

if TYPE_CHECKING:
    from digital_academy.applied.coaching import CoachingBook


def _book(root: Path, actor: str, today: str | None) -> CoachingBook:
    from digital_academy.applied.coaching import CoachingBook  # noqa: PLC0415

    with applied_errors():
        return CoachingBook(root, actor, parse_date(today, "--today"))


@click.group()
def coaching() -> None:
    """Coaching sessions and agreed actions (visible to the learner and their mentor only)."""


@coaching.command("log")
@root_option
@actor_option
@click.option("--learner", required=True, help="The learner (yourself, or your mentee).")
@click.option("--date", "date_", required=True, help="When the session took place (YYYY-MM-DD).")
@click.option(
    "--action",
    "actions",
    multiple=True,
    metavar="TEXT|YYYY-MM-DD",
    help="An agreed action and its due date (repeatable).",
)
@click.option("--notes", default="", help="Session notes.")
@click.option("--today", help="Treat this day as today (YYYY-MM-DD).")
def log(
    root: Path,
    actor: str,
    learner: str,
    date_: str,
    actions: tuple[str, ...],
    notes: str,
    today: str | None,
) -> None:
    """Log a coaching session with its agreed actions."""
    when = parse_date(date_, "--date")
    assert when is not None
    parsed = []
    for spec in actions:
        text, sep, due = spec.rpartition("|")
        due_date = parse_date(due.strip(), "--action due date") if sep else None
        if not sep or due_date is None:
            raise AcademyError(f"--action {spec!r}: write 'what to do|YYYY-MM-DD'")
        parsed.append((text, due_date))
    book = _book(root, actor, today)
    with applied_errors():
        session = book.log(learner, when, parsed, notes)
    console.print(
        f"[green]logged[/] session {session.id} ({session.learner} with "
        f"{session.mentor} on {session.date}), {len(session.actions)} action(s)"
    )
    for action in session.actions:
        console.print(f"  {action.id}: {action.text} (due {action.due})")


@coaching.command("list")
@root_option
@actor_option
@format_option
@click.option("--learner", help="Only this learner's records.")
def list_(root: Path, actor: str, fmt: str, learner: str | None) -> None:
    """Sessions you may see, with their actions."""
    book = _book(root, actor, None)
    with applied_errors():
        sessions = book.sessions(learner)
    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "id": s.id,
                        "learner": s.learner,
                        "mentor": s.mentor,
                        "date": s.date.isoformat(),
                        "notes": s.notes,
                        "recorded_by": s.recorded_by,
                        "actions": [
                            {
                                "id": a.id,
                                "text": a.text,
                                "due": a.due.isoformat(),
                                "done_on": a.done_on.isoformat() if a.done_on else None,
                            }
                            for a in s.actions
                        ],
                    }
                    for s in sessions
                ],
                indent=2,
            )
        )
        return
    table = Table(title=f"Coaching records visible to {actor}", show_lines=True)
    for column in ("session", "date", "learner", "mentor", "notes", "actions"):
        table.add_column(column, overflow="fold")
    for s in sessions:
        acts = "\n".join(
            f"{a.id} {a.text} (due {a.due}{', done' if a.done_on else ''})" for a in s.actions
        )
        table.add_row(s.id, str(s.date), s.learner, s.mentor, s.notes, acts)
    console.print(table)


@coaching.command()
@root_option
@actor_option
@format_option
@click.option(
    "--within",
    default=7,
    show_default=True,
    type=click.IntRange(0, 366),
    help="Days ahead to look.",
)
@click.option("--today", help="Judge due dates as of this day (YYYY-MM-DD).")
def due(root: Path, actor: str, fmt: str, within: int, today: str | None) -> None:
    """Reminders: open actions due soon, and overdue ones."""
    book = _book(root, actor, today)
    with applied_errors():
        found = book.due(within)
    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "action": a.id,
                        "text": a.text,
                        "due": a.due.isoformat(),
                        "learner": s.learner,
                        "mentor": s.mentor,
                        "overdue": a.due < book.today,
                    }
                    for s, a in found
                ],
                indent=2,
            )
        )
        return
    table = Table(title=f"Actions due by {book.today} + {within} days")
    for column in ("action", "learner", "mentor", "due", "what"):
        table.add_column(column, overflow="fold")
    for s, a in found:
        when = f"[red]{a.due} (overdue)[/]" if a.due < book.today else str(a.due)
        table.add_row(a.id, s.learner, s.mentor, when, a.text)
    console.print(table)
    console.print(f"{len(found)} action(s) due")


@coaching.command()
@root_option
@actor_option
@click.argument("action_id")
@click.option("--on", "on", help="Day it was done (default today, YYYY-MM-DD).")
def done(root: Path, actor: str, action_id: str, on: str | None) -> None:
    """Mark an agreed action as done."""
    book = _book(root, actor, None)
    with applied_errors():
        action = book.complete(action_id, parse_date(on, "--on"))
    console.print(f"[green]done[/]: {action.id} {action.text} ({action.done_on})")


@coaching.command()
@root_option
@actor_option
@click.option("--learner", help="Only this learner.")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write here instead of standard output.",
)
@click.option("--today", help="Judge overdue actions as of this day (YYYY-MM-DD).")
def export(
    root: Path, actor: str, learner: str | None, fmt: str, out: Path | None, today: str | None
) -> None:
    """Progress summary per learner (no session notes), for the learner's progress view."""
    book = _book(root, actor, today)
    with applied_errors():
        rows = book.progress(learner)
    if fmt == "json":
        text = json.dumps({"as_of": book.today.isoformat(), "learners": rows}, indent=2) + "\n"
    else:
        buffer = io.StringIO()
        columns = [
            "learner",
            "mentors",
            "sessions",
            "last_session",
            "actions_agreed",
            "actions_done",
            "actions_open",
            "actions_overdue",
            "next_due",
        ]
        writer = csv.DictWriter(buffer, columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "mentors": ";".join(row["mentors"])})
        text = buffer.getvalue()
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, "utf-8")
        console.print(f"wrote {len(rows)} learner(s) to {out}")
