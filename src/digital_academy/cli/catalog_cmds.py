"""``academy check | list | show | schema``: the catalogue, for people and machines."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from digital_academy.catalog import Catalog, CheckResult, Module, Severity
from digital_academy.catalog import check as run_check
from digital_academy.catalog.schema import KINDS, json_schema
from digital_academy.catalog.validate import overdue

from .context import AcademyError, console, format_option, root_option


def _today(value: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else dt.date.today()
    except ValueError as exc:
        raise AcademyError(f"--today {value!r} is not a date; use YYYY-MM-DD") from exc


def _counts(result: CheckResult) -> dict[str, int]:
    cat = result.catalog
    return {
        "academies": len(cat.academies),
        "pathways": len(cat.pathways()),
        "courses": len(cat.courses),
        "modules": len(cat.modules),
        "frameworks": len(cat.frameworks),
        "errors": len(result.errors),
        "warnings": len(result.warnings),
    }


@click.command()
@root_option
@format_option
@click.option("--strict", is_flag=True, help="Treat warnings (such as overdue reviews) as errors.")
@click.option("--today", help="Judge review dates as of this day (YYYY-MM-DD).")
def check(root: Path, fmt: str, strict: bool, today: str | None) -> None:
    """Validate the whole catalogue; exit 1 on any error."""
    result = run_check(root, _today(today))
    failed = bool(result.errors) or (strict and bool(result.warnings))
    if fmt == "json":
        payload = {
            "ok": not failed,
            "counts": _counts(result),
            "diagnostics": [d.as_dict() for d in result.diagnostics],
        }
        click.echo(json.dumps(payload, indent=2))
    else:
        if result.diagnostics:
            table = Table(title="Catalogue check", show_lines=True)
            for column in ("", "file", "field", "problem", "fix"):
                table.add_column(column, overflow="fold")
            for d in sorted(result.diagnostics, key=lambda d: (d.severity, d.file, d.field)):
                mark = "[red]error[/]" if d.severity is Severity.ERROR else "[yellow]warning[/]"
                table.add_row(mark, d.file, d.field, d.message, d.fix)
            console.print(table)
        counts = _counts(result)
        summary = ", ".join(f"{v} {k}" for k, v in counts.items())
        colour = "red" if failed else "green"
        console.print(f"[{colour}]{'FAILED' if failed else 'OK'}[/]: {summary}")
    if failed:
        raise click.exceptions.Exit(1)


def _catalog(root: Path) -> Catalog:
    result = run_check(root)
    if result.errors:
        raise AcademyError(
            f"the catalogue has {len(result.errors)} error(s); run `academy check` to see them"
        )
    return result.catalog


def _hours(modules: list[Module]) -> str:
    return f"{sum(m.minutes for m in modules) / 60:.1f}"


def _module_json(catalog: Catalog, module: Module) -> dict[str, Any]:
    return {
        **module.model_dump(mode="json"),
        "course": catalog.locations[module.id].course,
        "academies": [a.id for a in catalog.academies_of_module(module.id)],
        "path": catalog.relpath(catalog.locations[module.id].path),
        "review_due": module.review_due().isoformat(),
    }


@click.command("list")
@root_option
@format_option
@click.option("--academy", "academy_id", help="Only this academy's pathways and modules.")
def list_(root: Path, fmt: str, academy_id: str | None) -> None:
    """The catalogue: academies, pathways and modules."""
    catalog = _catalog(root)
    if academy_id is not None and academy_id not in catalog.academies:
        raise AcademyError(
            f"unknown academy {academy_id!r}; known: {', '.join(sorted(catalog.academies))}"
        )
    academies = [a for a in catalog.academies.values() if academy_id in (None, a.id)]
    modules = [m for a in academies for m in catalog.academy_modules(a.id)]
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "academies": [a.model_dump(mode="json") for a in academies],
                    "modules": [_module_json(catalog, m) for m in modules],
                },
                indent=2,
            )
        )
        return

    table = Table(title="Specialist academies")
    for column in ("academy", "title", "courses", "pathways", "modules", "hours", "frameworks"):
        table.add_column(column)
    for a in academies:
        mods = catalog.academy_modules(a.id)
        table.add_row(
            a.id,
            a.title,
            str(len(a.courses)),
            str(len(a.pathways)),
            str(len(mods)),
            _hours(mods),
            ", ".join(a.frameworks),
        )
    console.print(table)

    table = Table(title="Pathways")
    for column in ("academy", "pathway", "role", "career step", "modules", "hours"):
        table.add_column(column)
    for a in academies:
        for p in a.pathways:
            mods = [catalog.modules[m] for m in p.modules]
            table.add_row(a.id, p.title, p.role, p.career_step, str(len(mods)), _hours(mods))
    console.print(table)

    today = dt.date.today()
    table = Table(title="Modules")
    for column in ("module", "title", "min", "level", "assessment", "competencies", "review"):
        table.add_column(column, overflow="fold")
    for m in modules:
        review = (
            f"[yellow]overdue {m.review_due()}[/]" if overdue(m, today) else str(m.review_due())
        )
        table.add_row(
            m.id,
            m.title,
            str(m.minutes),
            m.level.value,
            m.assessment.value,
            "\n".join(m.competencies),
            review,
        )
    console.print(table)


@click.command()
@root_option
@format_option
@click.argument("ident")
def show(root: Path, fmt: str, ident: str) -> None:
    """One module, course, academy, pathway, framework or role, by id."""
    catalog = _catalog(root)
    data: dict[str, Any] | None = None
    kind = ""
    if ident in catalog.modules:
        kind, data = "module", _module_json(catalog, catalog.modules[ident])
    elif ident in catalog.academies:
        kind, data = "academy", catalog.academies[ident].model_dump(mode="json")
    elif ident in catalog.courses:
        kind = "course"
        data = {
            **catalog.courses[ident].model_dump(mode="json"),
            "modules": [m.id for m in catalog.course_modules(ident)],
        }
    elif ident in catalog.frameworks:
        kind, data = "framework", catalog.frameworks[ident].model_dump(mode="json")
    elif ident in catalog.roles:
        kind, data = "role", catalog.roles[ident].model_dump(mode="json")
    else:
        for academy, pathway in catalog.pathways():
            if pathway.id == ident:
                kind = "pathway"
                data = {**pathway.model_dump(mode="json"), "academy": academy.id}
    if data is None:
        raise AcademyError(f"nothing in the catalogue has the id {ident!r}; see `academy list`")
    if fmt == "json":
        click.echo(json.dumps({"kind": kind, **data}, indent=2))
        return
    table = Table(title=f"{kind}: {ident}", show_header=False, show_lines=True)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for key, value in data.items():
        table.add_row(key, _plain(value))
    console.print(table)


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    return str(value)


@click.command()
@click.argument("kind", type=click.Choice(sorted(KINDS)), default="module")
def schema(kind: str) -> None:
    """Print the JSON Schema for one kind of content (default: module)."""
    click.echo(json.dumps(json_schema(kind), indent=2))
