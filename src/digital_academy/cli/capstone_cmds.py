"""``academy capstone ...``: release, collect, mark, moderate and export capstone projects.

Moderation, statistics, export and verification live in ``capstone_review_cmds``.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table

from . import capstone_review_cmds as review
from .applied_shared import actor_option, applied_errors, course_option
from .capstone_shared import load as _load
from .capstone_shared import mirror as _mirror
from .capstone_shared import tutors_of
from .context import AcademyError, F, console, format_option, root_option


def _acting_on_a_run(func: F) -> F:
    """--root, --course, --as and the capstone id: who acts on which capstone of which run."""
    return root_option(course_option(actor_option(click.argument("capstone_id")(func))))


@click.group()
def capstone() -> None:
    """Capstone projects: rubric marking, moderation and per-competency results."""


@capstone.command()
@root_option
@format_option
def check(root: Path, fmt: str) -> None:
    """Validate every capstone's rubric, template and competencies."""
    from digital_academy.applied.capstone import check_all  # noqa: PLC0415

    loaded, found = check_all(root)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "ok": not found,
                    "capstones": [c.id for c in loaded],
                    "diagnostics": [d.as_dict() for d in found],
                },
                indent=2,
            )
        )
    else:
        if found:
            table = Table(title="Capstone check", show_lines=True)
            for column in ("file", "field", "problem", "fix"):
                table.add_column(column, overflow="fold")
            for d in found:
                table.add_row(d.file, d.field, d.message, d.fix)
            console.print(table)
        colour = "red" if found else "green"
        console.print(
            f"[{colour}]{'FAILED' if found else 'OK'}[/]: {len(loaded)} valid "
            f"capstone(s), {len(found)} error(s)"
        )
    if found:
        raise click.exceptions.Exit(1)


@capstone.command()
@root_option
@format_option
@click.argument("capstone_id")
def show(root: Path, fmt: str, capstone_id: str) -> None:
    """The rubric: criteria, weights, competencies and level descriptors."""
    cap = _load(root, capstone_id)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "capstone": cap.spec.model_dump(mode="json"),
                    "rubric": cap.rubric.model_dump(mode="json"),
                },
                indent=2,
            )
        )
        return
    console.print(
        f"[bold]{cap.spec.title}[/] ({cap.id}, academy {cap.spec.academy}); pass at "
        f"{cap.spec.pass_mark:.0%}, competency met at {cap.spec.competency_met_at:.0%}"
    )
    table = Table(show_lines=True)
    table.add_column("criterion", overflow="fold")
    for level in cap.rubric.levels:
        table.add_column(f"{level.name} ({level.score})", overflow="fold")
    for c in cap.rubric.criteria:
        head = f"[bold]{c.title}[/]\n{c.id}, {c.weight:g}%\n" + "\n".join(c.competencies)
        table.add_row(head, *(c.descriptors[level.id] for level in cap.rubric.levels))
    console.print(table)


@capstone.command()
@_acting_on_a_run
def release(root: Path, course_id: str, actor: str, capstone_id: str) -> None:
    """Generate the project template and release it to the course run's learners."""
    from digital_academy.applied.release import release as run_release  # noqa: PLC0415

    cap = _load(root, capstone_id)
    with applied_errors(), console.status(f"releasing {capstone_id} to {course_id} (nbgrader)"):
        done = run_release(root, course_id, cap, actor)
    _mirror(root, course_id, capstone_id)
    word = "was already released" if done.already else "released"
    console.print(
        f"[green]{capstone_id} {word}[/] to course run {course_id}; learners fetch it "
        "from the Assignments tab in the hub"
    )


@capstone.command()
@_acting_on_a_run
def collect(root: Path, course_id: str, actor: str, capstone_id: str) -> None:
    """Collect submitted projects from the exchange."""
    from digital_academy.applied.release import collect as run_collect  # noqa: PLC0415

    cap = _load(root, capstone_id)
    with applied_errors(), console.status(f"collecting {capstone_id} (nbgrader)"):
        found = run_collect(root, course_id, cap, actor)
    _mirror(root, course_id, capstone_id)
    table = Table(title=f"Collected submissions of {capstone_id} in {course_id}")
    table.add_column("learner")
    table.add_column("submission sha256")
    for learner, digest in found.items():
        table.add_row(learner, digest[:16])
    console.print(table)


@capstone.command()
@_acting_on_a_run
@click.option("--learner", required=True, help="Whose project you marked.")
@click.option(
    "--level",
    "levels",
    multiple=True,
    metavar="CRITERION=LEVEL",
    help="One per criterion: a level id or score, e.g. inclusion=competent.",
)
@click.option(
    "--from-grading-view",
    "from_view",
    is_flag=True,
    help="Take the levels and comments you entered in formgrader instead of --level.",
)
@click.option(
    "--comment",
    "comments",
    multiple=True,
    metavar="CRITERION=TEXT",
    help="A comment on one criterion (repeatable).",
)
@click.option("--overall", default="", help="An overall comment.")
def mark(
    root: Path,
    course_id: str,
    actor: str,
    capstone_id: str,
    learner: str,
    levels: tuple[str, ...],
    comments: tuple[str, ...],
    overall: str,
    from_view: bool,
) -> None:
    """Record your rubric mark: a level for every criterion, plus comments."""
    from digital_academy.applied.grading_view import levels_from_grading_view  # noqa: PLC0415
    from digital_academy.applied.marking import (  # noqa: PLC0415
        parse_comments,
        parse_levels,
        record_mark,
    )

    if from_view == bool(levels):
        raise AcademyError("give a --level for every criterion, or --from-grading-view")
    cap = _load(root, capstone_id)
    tutors = tutors_of(root, course_id, capstone_id)
    source = "cli"
    with applied_errors():
        if from_view:
            chosen, notes = levels_from_grading_view(root, course_id, cap, learner)
            notes.update(parse_comments(cap.rubric, comments))
            source = "grading view (formgrader)"
        else:
            chosen = parse_levels(cap.rubric, levels)
            notes = parse_comments(cap.rubric, comments)
        done = record_mark(
            root, course_id, cap, learner, actor, chosen, notes, overall, tutors, source
        )
    _mirror(root, course_id, capstone_id)
    console.print(
        f"[green]recorded[/] {done.role} mark of {learner} by {actor}: "
        f"{done.total:.1f}% (evidence {done.entry[:12]})"
    )


for _command in (review.moderate, review.agreement, review.status, review.export, review.verify):
    capstone.add_command(_command)
