"""Shared pieces of the ``academy assess`` commands: options, errors, tables."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.table import Table

from digital_academy.assess.backends import BackendError
from digital_academy.assess.batch import AssessError
from digital_academy.assess.roster import RosterError
from digital_academy.assess.sandbox.client import SandboxError
from digital_academy.assess.sandbox.limits import Limits
from digital_academy.assess.settings import CourseRun, Settings, SettingsError

from .context import AcademyError, console

F = TypeVar("F", bound=Callable[..., Any])


def course_option(func: F) -> F:
    return click.option(
        "--course",
        "course_id",
        default="demo",
        show_default=True,
        help="Course run id (each run has its own gradebook and exchange).",
    )(func)


@contextlib.contextmanager
def errors() -> Iterator[None]:
    """Turn the library's errors into one clear line for the tutor."""

    try:
        yield
    except (AssessError, SettingsError, RosterError, BackendError, SandboxError) as exc:
        raise AcademyError(str(exc)) from None
    except RuntimeError as exc:
        if "nbgrader" in str(exc) or "formgrader" in str(exc):
            raise AcademyError(str(exc)) from None
        raise


def course_run(root: Path, course_id: str, gradebook: str | None = None) -> Any:

    settings = Settings.from_env(gradebook_url=gradebook)
    return CourseRun(root, course_id, settings.gradebook_url)


def settings_from(**options: Any) -> Any:

    limits = {
        k.removeprefix("limit_"): v
        for k, v in options.items()
        if k.startswith("limit_") and v is not None
    }
    plain = {k: v for k, v in options.items() if not k.startswith("limit_")}
    return Settings.from_env(limits=Limits(**limits), **plain)


def emit(fmt: str, payload: Any, table: Table, summary: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(payload, indent=2, default=str))
        return
    console.print(table)
    console.print(summary)


def table(title: str, columns: list[str], rows: list[list[Any]]) -> Table:
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    return table
