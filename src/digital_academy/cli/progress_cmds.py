"""``academy progress``: completion records, progress per pathway and competency,
the tutor's cohort dashboard, and the same records as xAPI statements."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError
from rich.table import Table

from digital_academy.credentials.lrs import QueueError, enqueue, queue_dir, send
from digital_academy.credentials.settings import Lrs, SettingsError, load_settings
from digital_academy.credentials.xapi import statements
from digital_academy.journeys.dashboard import dashboard_html
from digital_academy.journeys.importer import import_results
from digital_academy.journeys.progress import (
    Event,
    ProgressError,
    ProgressRecord,
    append_records,
    describe,
    load_records,
    make_record,
    records_path,
)
from digital_academy.journeys.summary import cohort, learner_summary
from digital_academy.paths import state_dir

from .context import AcademyError, console, format_option, root_option
from .plan_cmds import catalog_or_fail


def records_or_fail(root: Path) -> list[ProgressRecord]:
    try:
        return load_records(state_dir(root))
    except ProgressError as exc:
        raise AcademyError(str(exc)) from exc


@click.group()
def progress() -> None:
    """Learners' completion records, progress and the cohort dashboard."""


@progress.command("record")
@root_option
@click.option("--learner", required=True, help="Hub user name.")
@click.option("--module", "module_id", required=True, help="Module id.")
@click.option(
    "--event",
    type=click.Choice([e.value for e in (Event.LAUNCHED, Event.COMPLETED, Event.SELF_CHECK)]),
    default=Event.SELF_CHECK.value,
    show_default=True,
    help="What happened (graded results come in with `academy progress import`).",
)
@click.option("--minutes", type=click.IntRange(0, 600), default=0, help="Time spent.")
@click.option("--score", type=click.FloatRange(0, 1), help="Self-check score, 0 to 1.")
@click.option("--course-run", help="Course run id, e.g. demo.")
@click.option("--at", "at", help="When (ISO 8601 with time zone; default now).")
def record(
    root: Path,
    learner: str,
    module_id: str,
    event: str,
    minutes: int,
    score: float | None,
    course_run: str | None,
    at: str | None,
) -> None:
    """Record a launch, a completion or a finished self-check."""
    catalog = catalog_or_fail(root)
    if module_id not in catalog.modules:
        raise AcademyError(f"unknown module {module_id!r}; see `academy list`")
    when = dt.datetime.now(dt.UTC).replace(microsecond=0)
    if at is not None:
        try:
            when = dt.datetime.fromisoformat(at.replace("Z", "+00:00"))
        except ValueError as exc:
            raise AcademyError(f"--at {at!r} is not an ISO 8601 date-time") from exc
    fields: dict[str, Any] = {
        "learner": learner,
        "module": module_id,
        "event": event,
        "at": when,
        "minutes": minutes,
        "score": score,
        "course_run": course_run,
        "source": "cli",
    }
    try:
        added = append_records(state_dir(root), [make_record(**fields)])
    except ProgressError as exc:
        raise AcademyError(str(exc)) from exc
    except ValidationError as exc:  # learner name, time zone, ...
        raise AcademyError(f"bad record: {describe(exc)}") from exc
    console.print(f"recorded {event} of {module_id} by {learner}" if added else "already recorded")


@progress.command("import")
@root_option
@click.argument("results", type=click.Path(path_type=Path, dir_okay=False))
def import_(root: Path, results: Path) -> None:
    """Import graded assessment results (JSON lines or CSV; see docs/journeys.md)."""
    catalog = catalog_or_fail(root)
    try:
        records = import_results(catalog, results)
        added = append_records(state_dir(root), records)
    except ProgressError as exc:
        raise AcademyError(str(exc)) from exc
    passed = sum(1 for r in records if r.passed)
    console.print(
        f"imported {added} new result(s) of {len(records)} ({passed} passed) into "
        f"{records_path(state_dir(root))}"
    )


@progress.command("show")
@root_option
@format_option
@click.option("--learner", required=True, help="Hub user name.")
def show(root: Path, fmt: str, learner: str) -> None:
    """One learner's progress per pathway and per competency."""
    catalog = catalog_or_fail(root)
    records = records_or_fail(root)
    if not any(r.learner == learner for r in records):
        raise AcademyError(f"no progress records for learner {learner!r}")
    summary = learner_summary(catalog, records, learner)
    if fmt == "json":
        payload = {
            "learner": learner,
            "minutes": summary.minutes,
            "modules": {m: s.state for m, s in summary.modules.items()},
            "pathways": [{**vars(p), "percent": round(p.percent, 1)} for p in summary.pathways],
            "competencies": [
                {"ref": c.ref, "state": c.state, "modules": list(c.modules)}
                for c in summary.competencies
            ],
        }
        click.echo(json.dumps(payload, indent=2))
        return
    table = Table(title=f"Pathways: {learner}")
    for column in ("academy", "pathway", "done", "accredited passed", "hours done", "%"):
        table.add_column(column)
    for p in summary.pathways:
        table.add_row(
            p.academy,
            p.title,
            f"{p.done}/{p.required}",
            f"{p.passed}/{p.accredited}",
            f"{p.minutes_done / 60:.1f} of {p.minutes_total / 60:.1f}",
            f"{p.percent:.0f}",
        )
    console.print(table)
    table = Table(title=f"Competencies: {learner}")
    for column in ("competency", "state", "statement"):
        table.add_column(column, overflow="fold")
    colours = {"assessed": "green", "self-checked": "yellow", "not yet": "dim"}
    for c in summary.competencies:
        table.add_row(c.ref, f"[{colours[c.state]}]{c.state}[/]", c.statement)
    console.print(table)
    console.print(f"time spent: {summary.minutes / 60:.1f} h")


@progress.command("dashboard")
@root_option
@click.option("--course-run", help="Only this course run's records.")
@click.option("--learners", help="Only these learners (comma-separated).")
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="HTML file (default: <state>/progress/dashboard.html).",
)
def dashboard(root: Path, course_run: str | None, learners: str | None, out: Path | None) -> None:
    """The tutor's cohort dashboard: completion, time spent, attainment by competency."""
    catalog = catalog_or_fail(root)
    records = records_or_fail(root)
    only = tuple(x.strip() for x in (learners or "").split(",") if x.strip())
    group = cohort(catalog, records, only, course_run)
    if not group.learners:
        raise AcademyError(
            "no progress records for this cohort; add some with `academy progress record` "
            "or `academy progress import`"
        )
    target = out or state_dir(root) / "progress" / "dashboard.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    html = dashboard_html(catalog, group, dt.datetime.now(dt.UTC), course_run)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(html, "utf-8")
    tmp.replace(target)
    console.print(f"dashboard for {len(group.learners)} learner(s) written to {target}")


@progress.command("xapi")
@root_option
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="JSON lines file (default: stdout).",
)
@click.option("--learner", help="Only this learner's statements.")
def xapi(root: Path, out: Path | None, learner: str | None) -> None:
    """Export every record as an xAPI statement (cmi5 verbs), one JSON object per line."""
    catalog = catalog_or_fail(root)
    records = [r for r in records_or_fail(root) if learner in (None, r.learner)]
    try:
        base = load_settings(root).base_url
    except SettingsError as exc:
        raise AcademyError(str(exc)) from exc
    lines = "".join(json.dumps(s) + "\n" for s in statements(catalog, records, base))
    if out is None:
        click.echo(lines, nl=False)
    else:
        out.write_text(lines, "utf-8")
        console.print(f"{len(records)} statement(s) written to {out}")


@progress.command("send")
@root_option
@click.option("--lrs", "lrs_url", help="LRS endpoint (overrides lrs.url in the settings).")
def send_cmd(root: Path, lrs_url: str | None) -> None:
    """Queue new statements on disk and POST the queue to the learning record store."""
    catalog = catalog_or_fail(root)
    records = records_or_fail(root)
    state = state_dir(root)
    try:
        settings = load_settings(root)
        lrs = settings.lrs
        if lrs_url is not None:
            lrs = Lrs.model_validate({**lrs.model_dump(), "url": lrs_url})
        added = enqueue(state, statements(catalog, records, settings.base_url))
        auth = os.environ.get(lrs.auth_env)
        with console.status("sending statements") as status:
            report = send(
                state,
                lrs,
                auth,
                progress=lambda done, total: status.update(f"sent {done} of {total}"),
            )
    except (SettingsError, QueueError) as exc:
        raise AcademyError(str(exc)) from exc
    except ValidationError as exc:
        raise AcademyError(f"--lrs: {describe(exc)}") from exc
    console.print(
        f"queued {added} new; sent {report.sent} in {report.requests} request(s); "
        f"{report.remaining} still queued in {queue_dir(state)}"
    )
    if report.error:
        raise AcademyError(f"{report.error}; the {report.remaining} queued statement(s) are kept")
