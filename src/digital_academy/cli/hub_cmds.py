"""``academy up | down | status``: the local academy hub for learners and tutors."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table

from digital_academy.hub import runner
from digital_academy.hub.auth import ADMIN_PASSWORD, USER_PASSWORD
from digital_academy.hub.preflight import PreflightError
from digital_academy.hub.settings import HubSettings, SettingsError, load_settings

from .context import AcademyError, console, format_option, root_option


def _settings(root: Path, path: Path | None) -> HubSettings:

    try:
        return load_settings(root, path)
    except SettingsError as exc:
        raise AcademyError(str(exc)) from exc


def _shown(root: Path, path: str) -> str:
    """``path`` relative to the repository when it is inside it (shorter, and the same anywhere)."""
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return path


def _accounts_table(settings: HubSettings, secrets: dict[str, str]) -> Table:

    table = Table(title="Demo accounts")
    for column in ("user", "role", "password"):
        table.add_column(column)
    for course in settings.courses:
        for user in course.tutors:
            table.add_row(user, f"tutor of {course.id}", secrets[USER_PASSWORD])
        for user in course.learners:
            table.add_row(user, f"learner in {course.id}", secrets[USER_PASSWORD])
    for user in settings.admins:
        table.add_row(user, "admin", secrets[ADMIN_PASSWORD])
    return table


@click.command()
@root_option
@click.option(
    "--settings",
    "settings_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Settings file (default: hub_config/academy.yml; absent = defaults).",
)
@click.option("--detach", is_flag=True, help="Start in the background and return.")
def up(root: Path, settings_path: Path | None, detach: bool) -> None:
    """Start the academy hub: books, course content, assignments and grading."""

    from digital_academy.enrolment import hubrun  # noqa: PLC0415 - only `up` needs it
    from digital_academy.enrolment.errors import EnrolmentError  # noqa: PLC0415

    settings = _settings(root, settings_path)
    try:
        with console.status("starting the academy hub...") as spinner:

            def say(message: str) -> None:
                spinner.update(f"starting the academy hub: {message}")

            if hubrun.has_runs(root):
                # Course runs recorded with `academy course`: each gets its groups and grading.
                started = hubrun.start(root, settings, say=say)
                record, secrets, warnings = started.record, started.secrets, started.warnings
                settings = started.settings
            else:
                record, secrets, warnings = runner.start(root, settings, say=say)
    except (PreflightError, runner.HubError, EnrolmentError) as exc:
        raise AcademyError(str(exc)) from exc
    for warning in warnings:
        console.print(f"[yellow]warning[/]: {warning}")
    console.print(f"[green]The academy is running[/] at [bold]{record.url}[/]")
    console.print(f"  log in:  {record.url}hub/login")
    console.print(f"  books:   {record.url}services/books/")
    console.print(f"  Helm values for a cluster: {_shown(root, record.helm_values)}")
    if settings.auth.kind == "shared-password":
        console.print(_accounts_table(settings, secrets))
    if detach:
        console.print("Running in the background: `academy status`, and `academy down` to stop.")
        return
    console.print("Press Ctrl-C to stop.")
    code = runner.wait_foreground(root, say=console.print)
    console.print("[green]stopped[/]: no academy processes left running")
    if code:
        raise click.exceptions.Exit(code)


@click.command()
@root_option
def down(root: Path) -> None:
    """Stop the academy hub and every process it started."""

    try:
        stopped = runner.stop(root, say=console.print)
    except runner.HubError as exc:
        raise AcademyError(str(exc)) from exc
    console.print(
        "[green]stopped[/]: no academy processes left running"
        if stopped
        else "the academy was not running"
    )


@click.command()
@root_option
@format_option
def status(root: Path, fmt: str) -> None:
    """Is the academy healthy? Hub, proxy, services and learners' servers."""

    found = runner.status(root)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "running": found.record is not None and bool(found.checks),
                    "healthy": found.running,
                    "url": found.record.url if found.record else None,
                    "checks": found.checks,
                    "servers": {u["name"]: bool(u.get("server")) for u in found.users},
                    "processes": found.processes,
                    "memory_mb": round(found.memory_mb, 1),
                    "helm_values": found.record.helm_values if found.record else None,
                },
                indent=2,
            )
        )
    elif not found.checks:
        console.print("the academy is [bold]not running[/]; start it with `academy up`")
    else:
        assert found.record is not None
        table = Table(title=f"Academy at {found.record.url}")
        table.add_column("check")
        table.add_column("state")
        for name, ok in found.checks.items():
            table.add_row(name, "[green]ok[/]" if ok else "[red]failing[/]")
        running = [u["name"] for u in found.users if u.get("server")]
        table.add_row("learners' servers", f"{len(running)} running: {', '.join(running)}")
        table.add_row("processes", f"{found.processes} using {found.memory_mb:.0f} MB")
        table.add_row("Helm values", _shown(root, found.record.helm_values) or "(not recorded)")
        console.print(table)
    if not found.running:
        raise click.exceptions.Exit(1)
