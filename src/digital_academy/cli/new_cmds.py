"""``academy new module``: scaffold content that passes ``academy check`` at once."""

from __future__ import annotations

import datetime as dt
import getpass
import subprocess
from pathlib import Path

import click

from digital_academy.catalog import check
from digital_academy.catalog.scaffold import ScaffoldError, new_module, write_notebook

from .context import AcademyError, console, root_option


def _default_author() -> str:
    try:
        name = subprocess.run(
            ["git", "config", "user.name"], capture_output=True, text=True, check=False, timeout=5
        ).stdout.strip()
    except OSError:
        name = ""
    return name or getpass.getuser()


@click.group()
def new() -> None:
    """Scaffold new content."""


@new.command("module")
@root_option
@click.option("--course", "course_id", required=True, help="Course id (a folder under courses/).")
@click.option("--title", default="New module", show_default=True, help="The module's title.")
@click.option("--id", "module_id", help="Module id (default: made from the title).")
@click.option("--author", help="Author name (default: git user.name).")
def module(
    root: Path, course_id: str, title: str, module_id: str | None, author: str | None
) -> None:
    """Scaffold a valid module notebook in a course."""
    result = check(root)
    try:
        path, notebook = new_module(
            result.catalog,
            course_id,
            title,
            author or _default_author(),
            dt.date.today(),
            module_id,
        )
        write_notebook(path, notebook)
    except ScaffoldError as exc:
        raise AcademyError(str(exc)) from exc
    except FileExistsError as exc:
        raise AcademyError(f"{exc.filename} already exists; choose another --id") from exc
    console.print(
        f"created [bold]{result.catalog.relpath(path)}[/]: fill in the metadata "
        "and teaching cells, then run `academy check`"
    )
