"""``academy assess ...``: the tutor's side of accredited assessment, one course run at a time.

Generate, release, collect, autograde, formgrader and manual grades here; feedback, export,
verify and the evidence log in ``assess_report_cmds``.
"""

from __future__ import annotations

import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from digital_academy.assess import formgrader as fg
from digital_academy.assess import roster as rosters
from digital_academy.assess import workflow
from digital_academy.assess.batch import autograde as run_autograde
from digital_academy.assess.batch import grader_identity
from digital_academy.assess.manual import set_grade

from .assess_common import course_option, course_run, emit, errors, settings_from, table
from .context import AcademyError, console, format_option, root_option


@click.group()
def assess() -> None:
    """Accredited assessment: generate, release, collect, autograde, grade, feedback, export."""


@assess.command()
@root_option
@format_option
@course_option
@click.argument("assessment")
@click.option("--no-selfcheck", is_flag=True, help="Skip grading the solution in the sandbox.")
def generate(root: Path, fmt: str, course_id: str, assessment: str, no_selfcheck: bool) -> None:
    """Copy an assessment's source into the course run and make the learners' version."""

    with errors(), console.status(f"generating {assessment} for {course_id}"):
        done = workflow.generate(
            course_run(root, course_id), assessment, settings_from(), selfcheck=not no_selfcheck
        )
    rows = [[cell, result] for cell, result in sorted(done.selfcheck.items())]
    emit(
        fmt,
        asdict(done),
        table(f"Solution self-check: {assessment}", ["cell", "result"], rows),
        f"[green]generated[/] {assessment}: {len(done.notebooks)} notebook(s), "
        f"{done.max_score:g} points, {done.hidden_checks} cell(s) with hidden checks",
    )


@assess.command()
@root_option
@format_option
@course_option
@click.argument("assessment")
@click.option(
    "--roster",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="CSV of learners (id, first_name, last_name, email, lms_user_id).",
)
@click.option(
    "--hub",
    is_flag=True,
    help="Take the cohort from the hub group learners-<course> (needs "
    "JUPYTERHUB_API_URL and JUPYTERHUB_API_TOKEN).",
)
def release(
    root: Path, fmt: str, course_id: str, assessment: str, roster: Path | None, hub: bool
) -> None:
    """Release an assessment to the course run's cohort through the exchange."""

    with errors():
        cohort = rosters.from_csv(roster) if roster else []
        if hub:
            url, token = (
                os.environ.get("JUPYTERHUB_API_URL"),
                os.environ.get("JUPYTERHUB_API_TOKEN"),
            )
            if not url or not token:
                raise AcademyError("--hub needs JUPYTERHUB_API_URL and JUPYTERHUB_API_TOKEN")
            cohort += rosters.from_hub(url, token, course_id)
        done = workflow.release(course_run(root, course_id), assessment, cohort)
    emit(
        fmt,
        done,
        table(
            "Released",
            ["assessment", "exchange", "cohort"],
            [[done["assignment"], done["exchange"], done["cohort"]]],
        ),
        f"[green]released[/] {assessment} to {done['cohort']} learner(s)",
    )


@assess.command()
@root_option
@format_option
@course_option
@click.argument("assessment")
def collect(root: Path, fmt: str, course_id: str, assessment: str) -> None:
    """Collect learners' latest submissions from the exchange."""

    with errors(), console.status("collecting"):
        rows = workflow.collect(course_run(root, course_id), assessment)
    emit(
        fmt,
        rows,
        table(
            f"Submissions: {assessment}",
            ["learner", "submitted", "files"],
            [[r["student"], r["timestamp"], r["files"]] for r in rows],
        ),
        f"{len(rows)} submission(s) collected",
    )


@assess.command()
@root_option
@format_option
@course_option
@click.argument("assessment")
@click.option("--student", "students", multiple=True, help="Only these learners (repeatable).")
@click.option("--force", is_flag=True, help="Grade again even if nothing changed.")
@click.option("--backend", type=click.Choice(["local", "dask"]), help="Where jobs run.")
@click.option("--workers", type=click.IntRange(1, 512), help="Worker processes (default: cores).")
@click.option("--scheduler", help="Dask scheduler address (dask back end).")
@click.option(
    "--sandbox",
    type=click.Choice(["auto", "root", "userns", "none"]),
    help="Isolation; 'none' only for trusted test runs.",
)
@click.option("--cell-seconds", "limit_cell_seconds", type=click.FloatRange(0.5, 3600))
@click.option("--wall-seconds", "limit_wall_seconds", type=click.FloatRange(1, 86400))
@click.option("--cpu-seconds", "limit_cpu_seconds", type=click.IntRange(1, 86400))
@click.option("--memory-mb", "limit_memory_mb", type=click.IntRange(16, 1 << 20))
@click.option("--processes", "limit_processes", type=click.IntRange(1, 4096))
@click.option("--grader", help="Who is grading (default: the hub or OS user).")
def autograde(
    root: Path,
    fmt: str,
    course_id: str,
    assessment: str,
    students: tuple[str, ...],
    force: bool,
    grader: str | None,
    **options: Any,
) -> None:
    """Grade submissions in the sandbox, in parallel; rerun to resume."""

    settings = settings_from(**options)
    progress = Progress(
        TextColumn("[bold]autograding"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=fmt == "json",
    )
    task = progress.add_task("grade", total=None)

    def report(kind: str, value: Any) -> None:
        if kind == "total":
            progress.update(task, total=value)
        else:
            progress.advance(task)

    with errors(), progress:
        done = run_autograde(
            course_run(root, course_id),
            assessment,
            settings,
            students=list(students) or None,
            force=force,
            grader=grader,
            progress=report,
        )
    rows = [
        [r.student, r.notebook, r.status, r.score, r.max_score, r.seconds, "; ".join(r.notes)]
        for r in done.rows
    ]
    colour = "red" if done.count("error") else "green"
    emit(
        fmt,
        {**asdict(done), "backup": str(done.backup)},
        table(
            f"Autograde: {assessment} ({course_id})",
            ["learner", "notebook", "status", "score", "max", "seconds", "notes"],
            rows,
        ),
        f"[{colour}]{done.count('graded')} graded, {done.count('flagged')} flagged, "
        f"{done.count('skipped')} unchanged, {done.count('error')} not graded[/] in "
        f"{done.seconds:.1f} s on {done.workers} {done.backend} worker(s), sandbox "
        f"{done.mode}; gradebook backed up to {done.backup}",
    )
    if done.count("error"):
        raise click.exceptions.Exit(1)


@assess.command()
@root_option
@course_option
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="0 picks a free port.")
def formgrader(root: Path, course_id: str, port: int) -> None:
    """Run formgrader for manual grading on 127.0.0.1 until Ctrl-C."""

    with errors():
        server = fg.start(course_run(root, course_id), port)
    console.print(f"formgrader for {course_id}: {server.url}formgrader?token={server.token}")
    try:
        server.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


@assess.command()
@root_option
@format_option
@course_option
@click.argument("assessment")
@click.option("--student", required=True)
@click.option("--cell", required=True, help="The graded cell's id (nbgrader grade_id).")
@click.option("--score", required=True, type=float)
@click.option("--reason", required=True, help="Why: recorded in the evidence log.")
@click.option("--notebook", help="Notebook name (default: the assessment id).")
@click.option("--comment", help="A comment for the learner.")
@click.option("--grader", help="Who is grading (default: the hub or OS user).")
def grade(
    root: Path,
    fmt: str,
    course_id: str,
    assessment: str,
    student: str,
    cell: str,
    score: float,
    reason: str,
    notebook: str | None,
    comment: str | None,
    grader: str | None,
) -> None:
    """Set or override one cell's score, with a reason, in the evidence log."""

    with errors():
        done = set_grade(
            course_run(root, course_id),
            assessment,
            student,
            notebook or assessment,
            cell,
            score,
            reason,
            grader or grader_identity(),
            comment,
        )
    emit(
        fmt,
        asdict(done),
        table(
            "Manual grade",
            ["cell", "was", "now", "max", "logged"],
            [[done.cell, done.old, done.new, done.max_score, done.logged]],
        ),
        f"[green]recorded[/] {student} {cell}: {done.new:g}/{done.max_score:g}",
    )


def _register() -> None:
    from .assess_report_cmds import REPORT_COMMANDS  # noqa: PLC0415 - they import this group's helpers

    for command in REPORT_COMMANDS:
        assess.add_command(command)


_register()
