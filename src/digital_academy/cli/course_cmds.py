"""``academy course create | enrol | unenrol | assign | list | show | sync``: course runs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from .context import AcademyError, console, format_option, root_option

_PATH = click.Path(path_type=Path, dir_okay=False)
_no_sync = click.option(
    "--no-sync", is_flag=True, help="Only write the record; do not touch hub or gradebook."
)


def _catalog(root: Path) -> Any:
    from digital_academy.catalog import check  # noqa: PLC0415

    result = check(root)
    if result.errors:
        raise AcademyError(f"the catalogue has {len(result.errors)} error(s); run `academy check`")
    return result.catalog


def _store(root: Path) -> Any:
    from digital_academy.enrolment.store import Store  # noqa: PLC0415

    return Store(root)


def _guard(func: Any, *args: Any, **kwargs: Any) -> Any:
    from digital_academy.enrolment.errors import EnrolmentError  # noqa: PLC0415

    try:
        return func(*args, **kwargs)
    except EnrolmentError as exc:
        raise AcademyError(str(exc)) from exc


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _after_change(root: Path, course_id: str, no_sync: bool) -> None:
    """Carry a change to the running hub and the run's gradebook (if they exist)."""
    if no_sync:
        return
    from digital_academy.enrolment.sync import sync  # noqa: PLC0415

    with console.status("bringing the hub and gradebook in step...") as spinner:
        report = _guard(sync, root, today=_today(), course_ids=[course_id], say=spinner.update)
    _print_sync(report)


def _change_table(change: Any) -> Table:
    table = Table(title=f"Course run {change.course}")
    table.add_column("change")
    table.add_column("who")
    for label, names in change.added.items():
        table.add_row(f"[green]added[/] {label}", ", ".join(names))
    for label, names in change.removed.items():
        table.add_row(f"[yellow]removed[/] {label}", ", ".join(names))
    if change.unchanged:
        table.add_row("already enrolled", ", ".join(change.unchanged))
    if change.registered:
        table.add_row("newly registered", ", ".join(change.registered))
    return table


@click.group()
def course() -> None:
    """Course runs: one academy's teaching to one cohort, with tutors and assignments."""


@course.command()
@root_option
@click.argument("course_id")
@click.option("--academy", required=True, help="Specialist academy id (`academy list`).")
@click.option("--title", required=True, help="Title people see, e.g. 'SPC for analysts, autumn'.")
@click.option("--starts", required=True, help="First day, YYYY-MM-DD.")
@click.option("--ends", required=True, help="Last day, YYYY-MM-DD.")
@click.option("--tutor", "tutors", multiple=True, help="A tutor's hub user name (repeatable).")
@click.option(
    "--assignment",
    "assignments",
    multiple=True,
    help="Assessment id, optionally @DUE (YYYY-MM-DD[THH:MM]); repeatable.",
)
@_no_sync
def create(
    root: Path,
    course_id: str,
    academy: str,
    title: str,
    starts: str,
    ends: str,
    tutors: tuple[str, ...],
    assignments: tuple[str, ...],
    no_sync: bool,
) -> None:
    """Create a course run COURSE_ID (refused if the id exists)."""
    from digital_academy.enrolment import inputs, ops  # noqa: PLC0415
    from digital_academy.enrolment.model import AssignmentPlan  # noqa: PLC0415

    plans = []
    for text in assignments:
        name, due = _guard(inputs.parse_assignment, text)
        plans.append(AssignmentPlan(id=name, due=due))
    run = _guard(
        ops.create_course,
        _store(root),
        _catalog(root),
        _guard(inputs.hub_accounts, root),
        course_id=course_id,
        academy=academy,
        title=title,
        starts=_guard(inputs.parse_day, starts, "--starts"),
        ends=_guard(inputs.parse_day, ends, "--ends"),
        tutors=tutors,
        assignments=plans,
    )
    console.print(
        f"[green]created[/] course run [bold]{run.id}[/] ({run.title}) in "
        f"{run.academy}, {run.starts} to {run.ends}"
    )
    _after_change(root, run.id, no_sync)
    from digital_academy.enrolment.hubapi import running_hub  # noqa: PLC0415

    if not no_sync and running_hub(root) is not None:
        console.print(
            "[yellow]restart the hub[/] (`academy down`, `academy up`) to start "
            f"the grading service formgrader-{run.id}"
        )


@course.command()
@root_option
@click.argument("course_id")
@click.argument("usernames", nargs=-1)
@click.option(
    "--role",
    type=click.Choice(["learner", "tutor"]),
    default="learner",
    show_default=True,
    help="Role of the people named on the command line.",
)
@click.option(
    "--csv",
    "csv_path",
    type=_PATH,
    help="Roster CSV: username[,role,first_name,last_name,email,lms_user_id].",
)
@click.option(
    "--cohort",
    "cohort_path",
    type=_PATH,
    help="Selected-cohort CSV written by `academy cohort select` (hub_username).",
)
@_no_sync
def enrol(
    root: Path,
    course_id: str,
    usernames: tuple[str, ...],
    role: str,
    csv_path: Path | None,
    cohort_path: Path | None,
    no_sync: bool,
) -> None:
    """Enrol people in COURSE_ID: by name, from a roster CSV, or from a selected cohort."""
    from digital_academy.enrolment import csvinput, inputs, ops  # noqa: PLC0415

    rows = []
    if csv_path is not None:
        rows += _guard(csvinput.read_roster, csv_path, str(csv_path))
    if cohort_path is not None:
        rows += _guard(csvinput.read_cohort, cohort_path, str(cohort_path))
    change = _guard(
        ops.enrol,
        _store(root),
        course_id,
        _guard(inputs.hub_accounts, root),
        usernames=usernames,
        role=role,
        rows=rows,
    )
    console.print(_change_table(change))
    _after_change(root, course_id, no_sync)


@course.command()
@root_option
@click.argument("course_id")
@click.argument("usernames", nargs=-1, required=True)
@click.option(
    "--role", type=click.Choice(["learner", "tutor"]), default="learner", show_default=True
)
@click.option("--reason", default="", help="Why (kept with a learner's withdrawal).")
@click.option("--reassign-to", help="A tutor who takes over the removed tutor's marking.")
@_no_sync
def unenrol(
    root: Path,
    course_id: str,
    usernames: tuple[str, ...],
    role: str,
    reason: str,
    reassign_to: str | None,
    no_sync: bool,
) -> None:
    """Take people off COURSE_ID. A learner's submissions and grades are kept."""
    from digital_academy.enrolment import ops  # noqa: PLC0415
    from digital_academy.enrolment.gradebook import open_marking  # noqa: PLC0415

    change = _guard(
        ops.unenrol,
        _store(root),
        course_id,
        usernames,
        role=role,
        today=_today(),
        reason=reason,
        open_marking=open_marking(root),
        reassign_to=reassign_to,
    )
    console.print(_change_table(change))
    _after_change(root, course_id, no_sync)


@course.command()
@root_option
@click.argument("course_id")
@click.argument("assessment")
@click.option("--due", help="Due date, YYYY-MM-DD (end of day UTC) or YYYY-MM-DDTHH:MM.")
@click.option("--marker", "markers", multiple=True, help="Tutor who marks it (default: all).")
@click.option("--no-sync", is_flag=True, help="Only write the record; do not touch the gradebook.")
def assign(
    root: Path,
    course_id: str,
    assessment: str,
    due: str | None,
    markers: tuple[str, ...],
    no_sync: bool,
) -> None:
    """Set ASSESSMENT in COURSE_ID, with its due date and markers."""
    from digital_academy.enrolment import inputs, ops  # noqa: PLC0415
    from digital_academy.enrolment.model import AssignmentPlan  # noqa: PLC0415

    try:
        plan = AssignmentPlan(
            id=assessment,
            markers=markers,
            due=_guard(inputs.parse_due, due, "--due") if due else None,
        )
    except ValueError as exc:
        raise AcademyError(f"{assessment}: {str(exc).splitlines()[-1]}") from exc
    change = _guard(ops.set_assignment, _store(root), _catalog(root), course_id, plan)
    when = plan.due.isoformat(timespec="minutes") if plan.due else "no due date"
    console.print(f"[green]set[/] {assessment} in {change.course} ({when})")
    _after_change(root, course_id, no_sync)


def _run_json(run: Any) -> dict[str, Any]:
    from digital_academy.enrolment.builders import (  # noqa: PLC0415
        formgrader_of,
        learners_group,
        tutors_group,
    )

    data: dict[str, Any] = run.model_dump(mode="json")
    data["hub"] = {
        "groups": [learners_group(run.id), tutors_group(run.id)],
        "grading_service": formgrader_of(run.id),
    }
    return data


@course.command("list")
@root_option
@format_option
def list_(root: Path, fmt: str) -> None:
    """Every course run, with its academy, dates and numbers."""
    runs = sorted(_guard(_store(root).read_courses), key=lambda r: (r.starts, r.id))
    if fmt == "json":
        click.echo(json.dumps([_run_json(r) for r in runs], indent=2))
        return
    if not runs:
        console.print("no course runs yet; create one with `academy course create`")
        return
    table = Table(title="Course runs")
    for column in (
        "id",
        "academy",
        "title",
        "dates",
        "tutors",
        "learners",
        "withdrawn",
        "assignments",
    ):
        table.add_column(column, overflow="fold")
    for r in runs:
        table.add_row(
            r.id,
            r.academy,
            r.title,
            f"{r.starts} to {r.ends}",
            str(len(r.tutors)),
            str(len(r.learners)),
            str(len(r.withdrawn)),
            str(len(r.assignments)),
        )
    console.print(table)


@course.command()
@root_option
@format_option
@click.argument("course_id")
def show(root: Path, fmt: str, course_id: str) -> None:
    """One course run: people, assignments and due dates, hub groups."""
    run = _guard(lambda: _store(root).snapshot().course(course_id))
    if fmt == "json":
        click.echo(json.dumps(_run_json(run), indent=2))
        return
    console.print(
        f"[bold]{run.title}[/] ({run.id}), academy {run.academy}, {run.starts} to {run.ends}"
    )
    people = Table(title="People")
    people.add_column("user")
    people.add_column("role")
    for name in run.tutors:
        people.add_row(name, "tutor")
    for name in run.learners:
        people.add_row(name, "learner")
    for w in run.withdrawn:
        people.add_row(w.username, f"withdrawn {w.on}" + (f" ({w.reason})" if w.reason else ""))
    console.print(people)
    work = Table(title="Assignments")
    for column in ("assessment", "due (UTC)", "markers"):
        work.add_column(column)
    for plan in run.assignments:
        due = plan.due.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M") if plan.due else "-"
        work.add_row(plan.id, due, ", ".join(run.markers_of(plan)) or "-")
    console.print(work)
    synced = "never synced with a hub" if run.hub_base is None else "synced with the hub"
    console.print(
        f"hub groups learners-{run.id}, tutors-{run.id}; grading service "
        f"formgrader-{run.id}; {synced}"
    )


def _print_sync(report: Any) -> None:
    if not report.hub:
        console.print(
            "no hub running: its groups follow at `academy up` or the next `academy course sync`"
        )
    table = Table(title="Sync" + (" (dry run: nothing changed)" if report.dry_run else ""))
    for column in ("run", "hub group", "add", "remove"):
        table.add_column(column, overflow="fold")
    pushes = [(p.course_id, g, a, r) for p in report.runs for g, (a, r) in p.push.items()]
    pushes += [("(all)", g, a, r) for g, (a, r) in report.global_push.items()]
    for run, group, add, remove in pushes:
        if add or remove:
            table.add_row(run, group, ", ".join(add), ", ".join(remove))
    if table.row_count:
        console.print(table)
    _print_notes(report)


def _print_notes(report: Any) -> None:
    for plan in report.runs:
        for line in plan.drift:
            console.print(f"[yellow]drift[/] {plan.course_id}: {line}")
        for line in plan.conflicts:
            console.print(f"[red]not adopted[/] {plan.course_id}: {line}")
    for book in report.gradebooks:
        parts = [
            f"{len(book.added)} added",
            f"{len(book.updated)} updated",
            f"{len(book.due_dates)} due date(s) set",
        ]
        console.print(f"gradebook {book.course_id}: {', '.join(parts)}")
        if book.unexpected:
            console.print(
                f"[yellow]drift[/] gradebook {book.course_id}: "
                f"{', '.join(book.unexpected)} not in the run"
            )
    for run in report.needs_restart:
        console.print(f"[yellow]restart the hub[/] to start formgrader-{run}")


@course.command()
@root_option
@click.argument("course_ids", nargs=-1)
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
@format_option
def sync(root: Path, course_ids: tuple[str, ...], dry_run: bool, fmt: str) -> None:
    """Bring hub groups, records and gradebooks in step (both directions)."""
    from digital_academy.enrolment.sync import sync as run_sync  # noqa: PLC0415

    with console.status("syncing...") as spinner:
        report = _guard(
            run_sync,
            root,
            today=_today(),
            course_ids=course_ids or None,
            dry_run=dry_run,
            say=spinner.update,
        )
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "hub": report.hub,
                    "dry_run": report.dry_run,
                    "runs": [
                        {
                            "id": p.course_id,
                            "learners": p.learners,
                            "tutors": p.tutors,
                            "push": {g: {"add": a, "remove": r} for g, (a, r) in p.push.items()},
                            "drift": p.drift,
                            "conflicts": p.conflicts,
                        }
                        for p in report.runs
                    ],
                    "gradebooks": [
                        {"id": b.course_id, "added": b.added, "unexpected": b.unexpected}
                        for b in report.gradebooks
                    ],
                    "needs_restart": report.needs_restart,
                },
                indent=2,
            )
        )
        return
    _print_sync(report)
