"""``academy build``: the books and the catalogue site, built offline and published atomically."""

from __future__ import annotations

import json
import os
import signal
import threading
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
@click.option(
    "--watch",
    is_flag=True,
    help="After building, rebuild whenever the content changes, keeping kernels' zygote and "
    "book builders warm (Ctrl-C stops).",
)
@click.option(
    "--interval",
    type=click.FloatRange(min=0.05),
    default=0.5,
    show_default=True,
    help="Seconds between looks for changes, with --watch.",
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
    watch: bool,
    interval: float,
) -> None:
    """Build every academy's book and the catalogue site into book/_build/site.

    With --watch it then rebuilds on every saved change until stopped; in JSON format it
    prints one report per build, one per line.
    """
    skip_unused_grammar()  # before the Jupyter stack loads: see digital_academy.publish._fast
    from digital_academy.publish.runner import PublishError, Workers, build_site  # noqa: PLC0415

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

    def one_build(keep: Any = None, again: bool = False) -> Any:
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
            return build_site(
                root,
                settings,
                academies=academies,
                jobs=jobs,
                node_modules=node_modules,
                force=force and not again,  # --force: the first build only
                on_event=_Progress(progress),
                keep=keep,
            )

    if watch:
        _watch(root, fmt, interval, one_build, Workers(), PublishError)
        return
    try:
        report = one_build()
    except PublishError as exc:
        raise AcademyError(str(exc)) from exc
    if fmt == "json":
        click.echo(json.dumps(_report_json(report), indent=2))
    else:
        _render(report, root)
    if not report.ok:
        raise click.exceptions.Exit(1)


def _watch(
    root: Path,
    fmt: str,
    interval: float,
    one_build: Any,
    keep: Any,
    publish_error: type[Exception],
) -> None:
    """Build, then rebuild on every change until Ctrl-C or SIGTERM; errors do not stop it."""
    from digital_academy.publish.watch import CONTENT, content_state, watch  # noqa: PLC0415

    stop = threading.Event()
    builds = 0

    def rebuild() -> None:
        nonlocal builds
        builds += 1
        try:
            report = one_build(keep, again=builds > 1)
        except publish_error as exc:  # an edit broke the catalogue: say so, keep watching
            if fmt == "json":
                click.echo(json.dumps({"ok": False, "error": str(exc)}))
            else:
                err_console.print(f"[red]error[/]: {exc}")
            return
        if fmt == "json":
            click.echo(json.dumps(_report_json(report)))
        else:
            console.print(_summary(report, root))
            for failure in report.failures:
                console.print(f"  [red]failed[/] {failure.describe()}")

    def rebuild_then_listen() -> None:
        rebuild()
        # Set again after every build: running a kernel (nbclient) resets SIGTERM.
        signal.signal(signal.SIGTERM, lambda *_: stop.set())

    try:
        before = content_state(root)  # an edit saved during the first build is not missed
        rebuild_then_listen()
        folders = ", ".join(f"{f}/" for f in CONTENT)
        err_console.print(f"Watching {folders} for changes; Ctrl-C stops")
        watch(root, rebuild_then_listen, interval, stop, before)
    except KeyboardInterrupt:
        pass
    finally:
        keep.close()


def _summary(report: Any, root: Path) -> str:
    site = report.site.relative_to(root) if report.site.is_relative_to(root) else report.site
    counts = f"{len(report.executed)} modules executed, {len(report.cached)} from the cache"
    if report.published:
        return f"[green]Published[/] {site}/ ({counts}) in {report.seconds:.1f} s"
    return f"{site}/ is up to date ({counts}); nothing to publish"


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
    console.print(_summary(report, root))
    if not report.ok:
        console.print("[red]FAILED[/]: fix the modules above; the other books were published")
