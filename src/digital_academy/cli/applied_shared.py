"""Options and error handling shared by the applied-learning command groups."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from .context import AcademyError

F = TypeVar("F", bound=Callable[..., Any])


def actor_option(func: F) -> F:
    """The acting identity: who marks, moderates, or reads coaching records."""
    return click.option(
        "--as",
        "actor",
        envvar=["ACADEMY_USER", "JUPYTERHUB_USER"],
        required=True,
        help="Your hub user name (default: $ACADEMY_USER, else $JUPYTERHUB_USER).",
    )(func)


def course_option(func: F) -> F:
    return click.option(
        "--course", "course_id", required=True, help="Course run id (the cohort), e.g. demo."
    )(func)


@contextmanager
def applied_errors() -> Iterator[None]:
    """The library's refusals, as one clear line and exit status 1."""
    from digital_academy.applied.errors import AppliedError  # noqa: PLC0415 - lazy CLI

    try:
        yield
    except AppliedError as exc:
        raise AcademyError(str(exc)) from exc


def parse_date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise AcademyError(f"{option} {value!r} is not a date; use YYYY-MM-DD") from exc
