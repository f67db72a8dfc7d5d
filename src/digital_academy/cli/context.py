"""Shared CLI options and the console, declared once."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

F = TypeVar("F", bound=Callable[..., Any])

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


class AcademyError(Exception):
    """An error for the user: printed as one clear line, exit status 1."""


def find_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` that holds academy content."""
    for folder in (start, *start.parents):
        if (folder / "specialist_academies").is_dir() and (folder / "courses").is_dir():
            return folder
    raise AcademyError(
        f"no academy content found at or above {start} (looking for 'courses/' and "
        "'specialist_academies/'); run inside the repository or pass --root"
    )


def _resolve_root(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path:
    if value is not None:
        if not value.is_dir():
            raise click.BadParameter(f"{value} is not a folder", ctx, param)
        return value.resolve()
    env = os.environ.get("ACADEMY_ROOT")
    return find_root(Path(env) if env else Path.cwd()).resolve()


def root_option(func: F) -> F:
    return click.option(
        "--root",
        type=click.Path(path_type=Path, file_okay=False),
        callback=_resolve_root,
        help="Repository with courses/ and specialist_academies/ (default: found from here).",
    )(func)


def format_option(func: F) -> F:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "json"]),
        default="table",
        show_default=True,
        help="Tables for people, JSON for machines.",
    )(func)
