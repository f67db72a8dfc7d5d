"""``academy capstone moderate | agreement | status | export | verify``: the moderation side."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any, Literal

import click
from rich.table import Table

from .applied_shared import actor_option, applied_errors, course_option
from .capstone_shared import load as _load
from .capstone_shared import mirror as _mirror
from .context import AcademyError, console, format_option, root_option


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


@click.command()
@root_option
@course_option
@actor_option
@format_option
@click.argument("capstone_id")
@click.option("--sample", "sample", help="Fraction to double mark (0-1) or 'all' (first draw).")
@click.option("--seed", type=int, help="Seed of the sample (first draw only).")
def moderate(
    root: Path,
    course_id: str,
    actor: str,
    fmt: str,
    capstone_id: str,
    sample: str | None,
    seed: int | None,
) -> None:
    """Draw the double-marking sample, flag discrepancies, record agreed marks."""
    from digital_academy.applied.moderation import moderate as run  # noqa: PLC0415

    fraction: float | Literal["all"] | None = None
    if sample == "all":
        fraction = "all"
    elif sample is not None:
        try:
            fraction = float(sample)
        except ValueError as exc:
            raise AcademyError(f"--sample {sample!r}: give a fraction 0-1 or 'all'") from exc
        if not 0 <= fraction <= 1:
            raise AcademyError(f"--sample {sample}: a fraction must be between 0 and 1")
    cap = _load(root, capstone_id)
    with applied_errors():
        report = run(root, course_id, cap, actor, fraction, seed)
    if fmt != "json":
        _mirror(root, course_id, capstone_id)
    else:
        with console.capture():
            _mirror(root, course_id, capstone_id)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "sample": report.sample,
                    "written": report.written,
                    "decisions": [asdict(d) for d in report.decisions],
                    "agreement": report.stats.as_dict(),
                },
                indent=2,
            )
        )
        return
    s = report.sample
    console.print(
        f"moderation sample{' drawn now' if report.sample_drawn_now else ''}: "
        f"{len(s['selected'])} of {len(s['population'])} (fraction {s['fraction']}, "
        f"seed {s['seed']}): {', '.join(s['selected'])}"
    )
    table = Table(title=f"Moderation of {capstone_id} in {course_id}")
    for column in ("learner", "status", "first", "second", "agreed", "detail"):
        table.add_column(column, overflow="fold")
    for d in report.decisions:
        colour = "green" if d.status == "agreed" else "yellow"
        table.add_row(
            d.learner,
            f"[{colour}]{d.status}[/]",
            _pct(d.first),
            _pct(d.second),
            _pct(d.agreed),
            d.detail,
        )
    console.print(table)
    _agreement_table([report.stats.as_dict()])
    console.print(f"{report.written} evidence entries written")


def _agreement_table(rows: list[dict[str, Any]]) -> None:
    table = Table(title="Marker agreement per cohort (first vs second marks)")
    for column in (
        "cohort",
        "double marked",
        "ratings",
        "weighted kappa",
        "exact",
        "within 1 level",
        "mean total gap",
        "flagged",
    ):
        table.add_column(column)

    def num(value: Any, form: str) -> str:
        return "n/a" if value is None else format(value, form)

    for r in rows:
        table.add_row(
            r["course_id"],
            str(r["double_marked"]),
            str(r["ratings_compared"]),
            num(r["quadratic_weighted_kappa"], ".3f"),
            num(r["exact_agreement"], ".0%"),
            num(r["within_one_level"], ".0%"),
            num(r["mean_total_gap_points"], ".1f"),
            str(r["flagged_for_third_marker"]),
        )
    console.print(table)


@click.command()
@root_option
@format_option
@click.argument("capstone_id")
@click.option("--course", "courses", multiple=True, required=True, help="Course run (repeat).")
def agreement(root: Path, fmt: str, capstone_id: str, courses: tuple[str, ...]) -> None:
    """Agreement statistics (quadratic weighted kappa) per cohort."""
    from digital_academy.applied.agreement import agreement as stats  # noqa: PLC0415
    from digital_academy.applied.marking import read_state  # noqa: PLC0415

    cap = _load(root, capstone_id)
    with applied_errors():
        rows = [stats(c, cap.rubric, read_state(root, c, cap.id)).as_dict() for c in courses]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
    else:
        _agreement_table(rows)


@click.command()
@root_option
@course_option
@format_option
@click.argument("capstone_id")
def status(root: Path, course_id: str, fmt: str, capstone_id: str) -> None:
    """Agreed marks and what is still pending, per learner."""
    from digital_academy.applied.results import results  # noqa: PLC0415

    cap = _load(root, capstone_id)
    with applied_errors():
        found = results(root, course_id, cap)
    if fmt == "json":
        click.echo(
            json.dumps(
                {"marks": [asdict(m) for m in found.marks], "pending": found.pending}, indent=2
            )
        )
        return
    table = Table(title=f"{capstone_id} in {course_id}")
    for column in ("learner", "agreed total", "result", "method", "markers"):
        table.add_column(column, overflow="fold")
    for m in found.marks:
        table.add_row(
            m.learner,
            f"{m.total:.1f}",
            "pass" if m.passed else "[red]fail[/]",
            m.method,
            ", ".join(f"{r}: {n}" for r, n in m.markers.items()),
        )
    for learner, reason in found.pending.items():
        table.add_row(learner, "", "[yellow]pending[/]", reason, "")
    console.print(table)


@click.command()
@root_option
@course_option
@click.argument("capstone_id")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("exports"),
    show_default=True,
    help="Folder to write the files to.",
)
def export(root: Path, course_id: str, capstone_id: str, out: Path) -> None:
    """Write agreed marks, per-competency results and agreement statistics."""
    from digital_academy.applied.results import export as run_export  # noqa: PLC0415
    from digital_academy.applied.results import results  # noqa: PLC0415

    cap = _load(root, capstone_id)
    with applied_errors():
        files = run_export(root, course_id, cap, out)
        found = results(root, course_id, cap)
    table = Table(title=f"Exported {capstone_id} for {course_id}")
    table.add_column("file")
    table.add_column("path")
    for name, path in files.items():
        table.add_row(name, str(path))
    console.print(table)
    console.print(
        f"{len(found.marks)} agreed mark(s), {len(found.competencies)} per-competency row(s); "
        f"{len(found.pending)} learner(s) pending"
    )


@click.command()
@root_option
@course_option
@click.argument("capstone_id")
def verify(root: Path, course_id: str, capstone_id: str) -> None:
    """Check the evidence: both hash chains intact and every capstone entry in the gradebook."""
    from digital_academy.applied.gradebook_link import mirror  # noqa: PLC0415
    from digital_academy.applied.gradebook_link import verify as run_verify  # noqa: PLC0415

    _load(root, capstone_id)
    with applied_errors():
        mirror(root, course_id, capstone_id)
        found = run_verify(root, course_id, capstone_id)
    for problem in found.problems:
        console.print(f"[red]problem[/]: {problem}")
    console.print(
        f"capstone log: {found.entries} entries, chain intact; {found.copied} in the gradebook's "
        f"evidence log ({found.gradebook_entries} entries in all)"
    )
    if found.problems:
        raise click.exceptions.Exit(1)
    console.print("[green]OK[/]: evidence verified")
