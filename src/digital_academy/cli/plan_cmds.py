"""``academy plan``: the least-time module plan for a role or competencies."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
from rich.table import Table

from digital_academy.catalog import Catalog, CatalogError, load_valid
from digital_academy.journeys.planner import Plan, plan
from digital_academy.journeys.progress import ProgressError, load_records, status_by_module
from digital_academy.journeys.render import plan_ical, plan_json
from digital_academy.journeys.schedule import Calendar
from digital_academy.journeys.targets import PlanError, resolve
from digital_academy.paths import state_dir

from .context import AcademyError, console, format_option, root_option


def catalog_or_fail(root: Path) -> Catalog:
    try:
        return load_valid(root)
    except CatalogError as exc:
        raise AcademyError(str(exc)) from exc


def parse_date(value: str | None, option: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError as exc:
        raise AcademyError(f"{option} {value!r} is not a date; use YYYY-MM-DD") from exc


def split_list(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


def _proof_line(p: Plan) -> str:
    proof = p.proof
    if proof.optimal:
        return (
            f"HiGHS {proof.status}: {p.minutes} min; best bound {proof.bound:g} min, "
            f"gap {proof.gap or 0:g} - proven least total time"
        )
    return f"HiGHS {proof.status}: {p.minutes} min; best bound {proof.bound}, gap {proof.gap}"


def _render(catalog: Catalog, p: Plan) -> None:
    title = f"Plan: {p.targets.source}"
    table = Table(title=title, show_lines=True)
    columns = ("#", "week", "module", "title", "min", "why")
    for column in columns if p.calendar else columns[:1] + columns[2:]:
        table.add_column(column, overflow="fold")
    for i, item in enumerate(p.items, start=1):
        why = []
        if item.evidences:
            why.append("evidences " + ", ".join(item.evidences))
        if item.prerequisite_of:
            why.append("prerequisite of " + ", ".join(item.prerequisite_of))
        cells = [str(i), str(item.week or ""), item.module.id, item.module.title]
        cells += [str(item.module.minutes), "; ".join(why)]
        table.add_row(*(cells if p.calendar else cells[:1] + cells[2:]))
    console.print(table)
    if p.already_evidenced:
        console.print(f"already evidenced by done modules: {', '.join(p.already_evidenced)}")
    cal = p.calendar
    if cal is not None and p.items:
        weeks = Table(title="Weekly schedule")
        for column in ("week", "from", "to", "minutes", "of", "modules"):
            weeks.add_column(column)
        for week in sorted({i.week for i in p.items if i.week is not None}):
            mods = [i.module for i in p.items if i.week == week]
            weeks.add_row(
                str(week),
                cal.week_start(week).isoformat(),
                cal.week_end(week).isoformat(),
                str(sum(m.minutes for m in mods)),
                str(cal.capacity(week)),
                ", ".join(m.id for m in mods),
            )
        console.print(weeks)
    console.print(f"total {p.minutes} min ({p.minutes / 60:.1f} h); {_proof_line(p)}")
    if p.deadline is not None and p.deadline.proof is not None:
        status = p.deadline.proof.status
        verdict = "no schedule meets the date (proved)" if status == "Infeasible" else status
        console.print(f"deadline schedule, HiGHS {status}: {verdict}")
    if p.deadline is not None and p.deadline.met:
        console.print(f"[green]deadline {p.deadline.by}: {p.deadline.message}[/]")


@click.command("plan")
@root_option
@format_option
@click.option("--role", help="Role id: plan for the competencies its pathways require.")
@click.option(
    "--target", "targets", multiple=True, help="Competencies framework:code, comma-separated."
)
@click.option("--done", "done", multiple=True, help="Module ids already completed.")
@click.option("--learner", help="Also count this learner's completed modules as done.")
@click.option("--hours-per-week", type=click.FloatRange(min=0, min_open=True), help="Study time.")
@click.option("--by", "by", help="Deadline (YYYY-MM-DD); needs --hours-per-week.")
@click.option("--start", help="First day of week 1 (YYYY-MM-DD; default today).")
@click.option("--ics", type=click.Path(path_type=Path, dir_okay=False), help="Write iCalendar.")
def plan_cmd(
    root: Path,
    fmt: str,
    role: str | None,
    targets: tuple[str, ...],
    done: tuple[str, ...],
    learner: str | None,
    hours_per_week: float | None,
    by: str | None,
    start: str | None,
    ics: Path | None,
) -> None:
    """The least-time module plan for a role or competencies, with a weekly schedule."""
    catalog = catalog_or_fail(root)
    done_ids = split_list(done)
    if learner is not None:
        try:
            records = load_records(state_dir(root))
        except ProgressError as exc:
            raise AcademyError(str(exc)) from exc
        finished = [
            m
            for m, s in status_by_module(records, learner).items()
            if s.done and m in catalog.modules
        ]
        done_ids = tuple(dict.fromkeys((*done_ids, *finished)))
    deadline = parse_date(by, "--by")
    first = parse_date(start, "--start") or dt.date.today()
    if deadline is not None and hours_per_week is None:
        raise AcademyError("--by needs --hours-per-week to build a schedule")
    if (ics is not None) and hours_per_week is None:
        raise AcademyError("--ics needs --hours-per-week to build a schedule")
    calendar = Calendar(first, round(hours_per_week * 60), deadline) if hours_per_week else None
    try:
        wanted = resolve(catalog, role, split_list(targets), done_ids)
        result = plan(catalog, wanted, calendar)
    except PlanError as exc:
        raise AcademyError(str(exc)) from exc
    if fmt == "json":
        click.echo(json.dumps(plan_json(catalog, result), indent=2))
    else:
        _render(catalog, result)
    if ics is not None:
        stamp = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC)
        ics.write_bytes(plan_ical(catalog, result, stamp))
        if fmt != "json":
            console.print(f"calendar written to {ics}")
    if result.deadline is not None and not result.deadline.met:
        raise AcademyError(result.deadline.message)
