"""``academy build``: the books and the catalogue site, built offline and published atomically."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from digital_academy.publish import DEFAULT_HUB_URL, PublishSettings, SettingsError
from digital_academy.publish._fast import skip_unused_grammar
from digital_academy.publish.settings import LAUNCHERS

from .context import AcademyError, console, err_console, format_option, root_option


class _Progress:
    """Turns the runner's events into a progress bar on stderr."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: Any = None

    def __call__(self, kind: str, detail: str) -> None:
        if kind == "stage":
            stage, _, count = detail.partition(":")
            labels = {"execute": "Executing modules", "books": "Building books"}
            if self.task is not None:
                self.progress.update(self.task, visible=False)
                self.task = None
            if stage in labels and count and int(count):
                self.task = self.progress.add_task(labels[stage], total=int(count))
            elif stage == "publish":
                self.progress.console.print("Publishing the site (build aside, then swap)")
        elif kind in {"executed", "cached", "failed"} and self.task is not None:
            colour = {"executed": "green", "cached": "dim", "failed": "red"}[kind]
            self.progress.update(self.task, advance=1, description=f"[{colour}]{kind}[/] {detail}")
        elif kind == "book" and self.task is not None:
            academy, _, status = detail.partition(":")
            self.progress.update(
                self.task, advance=status != "unchanged", description=f"{status} {academy}"
            )


def _report_json(report: Any) -> dict[str, Any]:
    return {
        "ok": report.ok,
        "published": report.published,
        "site": str(report.site),
        "seconds": round(report.seconds, 2),
        "executed": report.executed,
        "cached": report.cached,
        "books": [
            {
                "academy": b.academy,
                "status": b.status,
                "warnings": b.warnings,
                "failures": [f.__dict__ for f in b.failures],
            }
            for b in report.books
        ],
    }


@click.command()
@root_option
@format_option
@click.option(
    "--academy",
    "academies",
    multiple=True,
    help="Build only this academy's book (repeatable); others keep their last build.",
)
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Parallel workers (default: CPUs).")
@click.option(
    "--hub-url",
    envvar="ACADEMY_HUB_URL",
    default=DEFAULT_HUB_URL,
    show_default=True,
    help="Hub that launch links open (env ACADEMY_HUB_URL).",
)
@click.option(
    "--launch",
    type=click.Choice(sorted(LAUNCHERS)),
    default="academy",
    show_default=True,
    help="Launch links: the academy hub's content endpoint, or stock nbgitpuller.",
)
@click.option(
    "--content-repo",
    envvar="ACADEMY_CONTENT_REPO",
    help="Git URL for nbgitpuller launch links (env ACADEMY_CONTENT_REPO).",
)
@click.option(
    "--branch",
    envvar="ACADEMY_CONTENT_BRANCH",
    default="main",
    show_default=True,
    help="Branch of the content repository.",
)
@click.option("--engine", default=None, help="Book engine (default: jupyter-book-1).")
@click.option(
    "--assets",
    "node_modules",
    envvar="ACADEMY_NODE_MODULES",
    type=click.Path(path_type=Path, file_okay=False),
    help="The node_modules folder with the browser assets (default: <root>/node_modules).",
)
@click.option(
    "--cell-timeout",
    type=click.IntRange(min=1),
    default=120,
    show_default=True,
    help="Seconds a notebook cell may run.",
)
@click.option("--force", is_flag=True, help="Rebuild every book and republish, even if unchanged.")
@click.option(
    "--stock-kernels",
    is_flag=True,
    help="Start every kernel the stock way instead of forking warm ones (slower).",
)
def build(
    root: Path,
    fmt: str,
    academies: tuple[str, ...],
    jobs: int | None,
    hub_url: str,
    launch: str,
    content_repo: str | None,
    branch: str,
    engine: str | None,
    node_modules: Path | None,
    cell_timeout: int,
    force: bool,
    stock_kernels: bool,
) -> None:
    """Build every academy's book and the catalogue site into book/_build/site."""
    skip_unused_grammar()  # before the Jupyter stack loads: see digital_academy.publish._fast
    from digital_academy.publish.runner import PublishError, build_site  # noqa: PLC0415

    try:
        settings = PublishSettings(
            hub_url=hub_url,
            launch=launch,
            content_repo=content_repo or "",
            branch=branch,
            cell_timeout=cell_timeout,
            warm_kernels=not stock_kernels,
            **({"engine": engine} if engine else {}),
        )
    except SettingsError as exc:
        raise AcademyError(str(exc)) from exc
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(
        *columns,
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal and "ACADEMY_PROGRESS" not in os.environ,
    ) as progress:
        try:
            report = build_site(
                root,
                settings,
                academies=academies,
                jobs=jobs,
                node_modules=node_modules,
                force=force,
                on_event=_Progress(progress),
            )
        except PublishError as exc:
            raise AcademyError(str(exc)) from exc
    if fmt == "json":
        click.echo(json.dumps(_report_json(report), indent=2))
    else:
        _render(report, root)
    if not report.ok:
        raise click.exceptions.Exit(1)


def _render(report: Any, root: Path) -> None:
    table = Table(title="Books")
    for column in ("academy", "status", "problems", "warnings"):
        table.add_column(column)
    colours = {"built": "green", "unchanged": "dim", "kept": "dim", "failed": "red"}
    for b in report.books:
        status = b.status if b.status != "failed" else "failed (last good copy kept)"
        table.add_row(
            b.academy,
            f"[{colours.get(b.status, '')}]{status}[/]",
            str(len(b.failures)),
            str(len(b.warnings)),
        )
    console.print(table)
    if report.failures:
        failures = Table(title="What failed", show_lines=True)
        for column in ("module", "file", "cell", "problem"):
            failures.add_column(column, overflow="fold")
        for f in report.failures:
            failures.add_row(f.module_id, f.file, str(f.cell or "-"), f.error)
        console.print(failures)
    site = report.site.relative_to(root) if report.site.is_relative_to(root) else report.site
    counts = f"{len(report.executed)} modules executed, {len(report.cached)} from the cache"
    if report.published:
        console.print(f"[green]Published[/] {site}/ ({counts}) in {report.seconds:.1f} s")
    else:
        console.print(f"{site}/ is up to date ({counts}); nothing to publish")
    if not report.ok:
        console.print("[red]FAILED[/]: fix the modules above; the other books were published")
