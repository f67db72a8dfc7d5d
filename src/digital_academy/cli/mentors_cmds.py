"""``academy mentors match``: an optimal, explained assignment of learners to mentors."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click
from rich.table import Table

from .applied_shared import applied_errors
from .context import AcademyError, console, format_option, root_option


def _weights(spec: str | None) -> object:
    from digital_academy.applied.mentors import Weights  # noqa: PLC0415

    if not spec:
        return Weights()
    values: dict[str, float] = {}
    for part in spec.split(","):
        key, _, value = part.partition("=")
        try:
            values[key.strip()] = float(value)
        except ValueError as exc:
            raise AcademyError(f"--weights {part!r}: write name=number, e.g. region=0.2") from exc
    unknown = set(values) - {"competency", "profession", "region"}
    if unknown:
        raise AcademyError(
            f"--weights: unknown preference(s) {sorted(unknown)}; use "
            "competency, profession and region"
        )
    try:
        return Weights(**values)
    except ValueError as exc:
        raise AcademyError(f"--weights: {str(exc).splitlines()[-1].strip()}") from exc


@click.group()
def mentors() -> None:
    """Mentoring: match learners with mentors."""


@mentors.command("match")
@root_option
@format_option
@click.option(
    "--mentors",
    "mentors_file",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Mentors (YAML or CSV): id, capacity, profession, region, organisation, expertise.",
)
@click.option(
    "--learners",
    "learners_file",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Learners (YAML or CSV): id, pathway, goals, profession, region, "
    "organisation, line_managers.",
)
@click.option(
    "--weights", help="Preference weights, e.g. competency=0.6,profession=0.25,region=0.15."
)
@click.option("--save", is_flag=True, help="Record the pairings (coaching needs them).")
@click.option("--cohort", default="", help="Label saved pairings with this cohort.")
@click.option(
    "--as",
    "actor",
    envvar=["ACADEMY_USER", "JUPYTERHUB_USER"],
    help="Who saves the pairings (needed with --save).",
)
def match(
    root: Path,
    fmt: str,
    mentors_file: Path,
    learners_file: Path,
    weights: str | None,
    save: bool,
    cohort: str,
    actor: str | None,
) -> None:
    """Match learners to mentors optimally, explain each match, report who is unmatched."""
    from digital_academy.applied.capstone import catalogue  # noqa: PLC0415
    from digital_academy.applied.mentors import Weights, match  # noqa: PLC0415
    from digital_academy.applied.pairings import save_pairings  # noqa: PLC0415
    from digital_academy.applied.people import load_learners, load_mentors  # noqa: PLC0415

    chosen = _weights(weights)
    assert isinstance(chosen, Weights)
    if save and not actor:
        raise AcademyError("--save records who saved the pairings: pass --as <your user name>")
    catalog = catalogue(root)
    with applied_errors():
        people = load_mentors(mentors_file, catalog)
        learners, goals = load_learners(learners_file, catalog)
        result = match(people, learners, goals, chosen)
        changed = save_pairings(root, result, cohort, actor or "") if save else []
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "matches": [asdict(m) for m in result.matches],
                    "unmatched": [asdict(u) for u in result.unmatched],
                    "capacity": result.capacity,
                    "learners": result.learners,
                    "shortfall": result.shortfall,
                    "total_fit": round(result.total_score, 6),
                    "saved": [asdict(p) for p in changed],
                },
                indent=2,
            )
        )
        return
    table = Table(title="Mentor matches")
    for column in ("learner", "mentor", "fit", "why"):
        table.add_column(column, overflow="fold")
    for m in result.matches:
        table.add_row(m.learner, m.mentor, f"{m.score:.2f}", m.explanation)
    console.print(table)
    if result.unmatched:
        table = Table(title="Unmatched learners")
        table.add_column("learner")
        table.add_column("reason", overflow="fold")
        for u in result.unmatched:
            table.add_row(u.learner, u.reason)
        console.print(table)
    summary = (
        f"{len(result.matches)} of {result.learners} learners matched to "
        f"{result.capacity} mentor places; total fit {result.total_score:.2f}"
    )
    if result.shortfall:
        summary += (
            f"; [yellow]short of {result.shortfall} place(s)[/]: add mentors or "
            "capacity for everyone to have one"
        )
    console.print(summary)
    if save:
        console.print(f"saved: {len(changed)} new or changed pairing(s)")
