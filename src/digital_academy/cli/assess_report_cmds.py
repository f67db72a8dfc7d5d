"""``academy assess feedback | export | verify | log``: what comes out of grading."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click
from sqlalchemy import select

from digital_academy.assess import evidence
from digital_academy.assess import export as ex
from digital_academy.assess.feedback import feedback as run_feedback
from digital_academy.assess.gradebook import open_gradebook
from digital_academy.assess.verify import verify as run_verify
from digital_academy.catalog import check

from .assess_common import course_option, course_run, emit, errors, settings_from, table
from .context import AcademyError, console, format_option, root_option


@click.command()
@root_option
@format_option
@course_option
@click.argument("assessment")
@click.option("--no-release", is_flag=True, help="Generate pages but do not release them.")
def feedback(root: Path, fmt: str, course_id: str, assessment: str, no_release: bool) -> None:
    """Make feedback pages (hidden checks withheld) and release them to learners."""

    with errors(), console.status("generating feedback"):
        done = run_feedback(course_run(root, course_id), assessment, release=not no_release)
    emit(
        fmt,
        asdict(done),
        table(f"Feedback: {assessment}", ["learner"], [[s] for s in done.generated]),
        f"{len(done.generated)} page(s) made, {'released' if done.released else 'not released'}",
    )


@click.command()
@root_option
@course_option
@click.argument("assessments", nargs=-1, required=True)
@click.option(
    "--to",
    "shape",
    type=click.Choice(["moodle", "canvas", "competencies"]),
    required=True,
    help="Moodle or Canvas grade import, or competency results.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the CSV here (default: print it).",
)
def export(
    root: Path, course_id: str, assessments: tuple[str, ...], shape: str, out: Path | None
) -> None:
    """Export grades as CSV for a learning platform, or competency results."""

    with errors():
        catalog = check(root).catalog
        grades = ex.gather(course_run(root, course_id), list(assessments))
        titles = {
            a: catalog.assessments[a].title if a in catalog.assessments else a for a in assessments
        }
        if shape == "moodle":
            text = ex.moodle_csv(grades, titles)
        elif shape == "canvas":
            text = ex.canvas_csv(grades, titles)
        else:
            missing = [a for a in assessments if a not in catalog.assessments]
            if missing:
                raise AcademyError(
                    f"no competency mapping for {', '.join(missing)}: add "
                    "graders/assessments/<id>.yml"
                )
            text = ex.competencies_csv(
                ex.competency_rows(grades, dict(catalog.assessments), catalog)
            )
    if out is None:
        click.echo(text, nl=False)
        return
    out.write_text(text, "utf-8")
    pending = sum(g.needs_manual for g in grades)
    console.print(
        f"[green]wrote[/] {out} ({len(grades)} grade(s)"
        + (f"; [yellow]{pending} still need manual grading, left blank[/])" if pending else ")")
    )


@click.command()
@root_option
@format_option
@course_option
@click.argument("assessment")
@click.option("--sample", type=click.IntRange(1, 10_000), default=5, show_default=True)
@click.option("--seed", type=int, help="Choose the same sample again.")
def verify(
    root: Path, fmt: str, course_id: str, assessment: str, sample: int, seed: int | None
) -> None:
    """Re-grade a sample from scratch and check the evidence chain; exit 1 on any mismatch."""

    with errors(), console.status("re-grading a sample"):
        done = run_verify(course_run(root, course_id), assessment, settings_from(), sample, seed)
    rows = [
        [
            c.student,
            c.notebook,
            c.recorded,
            c.regraded,
            "[green]yes[/]" if c.identical else "[red]NO[/]",
            "; ".join(c.notes),
        ]
        for c in done.checks
    ]
    chain = (
        "[green]intact[/]"
        if not done.chain_problems
        else "[red]BROKEN[/]: " + "; ".join(done.chain_problems)
    )
    emit(
        fmt,
        asdict(done),
        table(
            f"Verify: {assessment}",
            ["learner", "notebook", "recorded", "re-graded", "identical", "notes"],
            rows,
        ),
        f"evidence chain of {done.chain_entries} entries {chain}",
    )
    if not done.ok:
        raise click.exceptions.Exit(1)


@click.command()
@root_option
@format_option
@course_option
@click.option("--last", type=click.IntRange(1, 100_000), default=20, show_default=True)
def log(root: Path, fmt: str, course_id: str, last: int) -> None:
    """The evidence log: autogrades, manual grades, overrides and verifications."""

    with errors(), open_gradebook(course_run(root, course_id)) as gb:
        conn = gb.db.connection()
        rows = [
            dict(r)
            for r in conn.execute(
                select(evidence.evidence)
                .where(evidence.evidence.c.seq.is_not(None))
                .order_by(evidence.evidence.c.seq.desc())
                .limit(last)
            ).mappings()
        ]
        chain = evidence.verify_chain(conn)
    emit(
        fmt,
        rows,
        table(
            f"Evidence log: {course_id}",
            ["#", "when", "kind", "assessment", "learner", "cell", "by", "reason", "hash"],
            [
                [
                    r["seq"],
                    r["recorded_at"],
                    r["kind"],
                    r["assignment"],
                    r["student"],
                    r["cell"],
                    r["actor"],
                    r["reason"],
                    (r["entry_hash"] or "")[:12],
                ]
                for r in reversed(rows)
            ],
        ),
        f"{chain.entries} entries; chain "
        + ("[green]intact[/]" if not chain.problems else "[red]BROKEN[/]"),
    )


REPORT_COMMANDS = (feedback, export, verify, log)
