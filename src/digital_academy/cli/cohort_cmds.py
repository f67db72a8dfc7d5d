"""``academy cohort``: fair, transparent selection for limited-capacity programmes.

Enrolment commands (course runs, rosters, hub groups) join this group later; they read the
``cohort.csv`` that ``academy cohort select`` writes (format in docs/selection.md).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from digital_academy.selection import (
    InfeasibleQuotasError,
    SelectionInputError,
    SelectionRunError,
    SelectRequest,
    parse_applicants,
    parse_quotas,
    parse_seed,
    select,
    verify,
)
from digital_academy.selection.backends import BackendUnavailableError, names
from digital_academy.selection.feasibility import Diagnosis
from digital_academy.selection.inputs import file_sha256, missing_prefer_not, read_text
from digital_academy.selection.outputs import check_out_dir, render_files, write_files
from digital_academy.selection.report import build_fairness
from digital_academy.selection.runner import Selection
from digital_academy.selection.verify import audit_quotas

from .context import AcademyError, F, console, err_console, format_option


def _input_file(*decls: str, help_text: str) -> Callable[[F], F]:
    """A required option naming a file to read."""
    return click.option(
        *decls, type=click.Path(path_type=Path, dir_okay=False), required=True, help=help_text
    )


_quiet_option = click.option("--quiet", is_flag=True, help="No progress display.")


@click.group()
def cohort() -> None:
    """Select cohorts for limited-capacity programmes (and, later, enrol them)."""


class _Progress:
    """Turns worker progress events into one live rich progress line per stage."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, Any] = {}

    def __call__(self, stage: str, event: dict[str, Any]) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=None)
        task = self.tasks[stage]
        if "achieved" in event:
            text = (
                f"{stage}: step {event['step']}, lowest probability {event['achieved']:.3%}, "
                f"proven bound {event['bound']:.3%}"
            )
            self.progress.update(task, description=text)
        elif event.get("total"):
            self.progress.update(
                task,
                total=event["total"],
                completed=event.get("step", 0),
                description=f"{stage}: {event.get('phase', '')}",
            )
        else:
            self.progress.update(task, description=f"{stage}: {event.get('phase', '')}")


def _run_with_progress(quiet: bool, work: Any) -> Any:
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=quiet,
    )
    with progress:
        return work(_Progress(progress))


def _diagnosis_table(diagnosis: Diagnosis) -> Table:
    table = Table(title="The quotas cannot all be met", show_lines=True)
    table.add_column("problem", overflow="fold")
    table.add_column("what to change", overflow="fold")
    for problem in diagnosis.problems:
        table.add_row(problem, "")
    if diagnosis.conflicting:
        conflict = "\n".join(f"{q.label}: {q.min} to {q.max}" for q in diagnosis.conflicting)
        changes = "\n".join(c.sentence() for c in diagnosis.changes) or "(none found)"
        table.add_row(f"these quotas conflict:\n{conflict}", f"smallest change:\n{changes}")
    return table


def _diagnosis_json(diagnosis: Diagnosis) -> dict[str, Any]:
    return {
        "ok": False,
        "feasible": False,
        "problems": list(diagnosis.problems),
        "conflicting_quotas": [
            {"feature": q.feature, "value": q.value, "min": q.min, "max": q.max}
            for q in diagnosis.conflicting
        ],
        "smallest_change": [
            {
                "feature": c.quota.feature,
                "value": c.quota.value,
                "bound": c.bound,
                "from": c.old,
                "to": c.new,
            }
            for c in diagnosis.changes
        ],
        "summary": diagnosis.summary(),
    }


def _show(selection: Selection, written: list[Path]) -> None:
    fairness = build_fairness(selection)
    table = Table(title="Cohort selection")
    table.add_column("measure")
    table.add_column("value", justify="right")
    req = selection.request
    table.add_row("applicants / places", f"{req.pool.size} / {req.capacity}")
    table.add_row("types (identical applicants merged)", str(len(selection.typed.keys)))
    table.add_row("algorithm", f"{req.algorithm} ({selection.stopped_by}, {selection.steps} steps)")
    table.add_row("lowest selection probability", f"{selection.achieved:.3%}")
    table.add_row("proven upper bound", f"{selection.upper_bound:.3%}")
    table.add_row("ceiling: places / applicants", f"{req.capacity / req.pool.size:.3%}")
    table.add_row("ceiling from the quotas", f"{selection.lp_ceiling:.3%}")
    if selection.baseline is not None:
        b = selection.baseline
        table.add_row(f"greedy baseline lowest ({b.runs} runs)", f"{b.min_probability:.3%}")
        table.add_row("greedy lowest is at most (95%)", f"{b.min_upper_95:.3%}")
        table.add_row(
            "maximin / greedy, conservative", f"{selection.achieved / b.min_upper_95:.2f}x"
        )
    table.add_row("all quotas met", "yes" if fairness["all_quotas_met"] else "NO")
    table.add_row("seconds", f"{selection.seconds:.1f}")
    console.print(table)
    for note in selection.notes:
        console.print(f"[yellow]note[/]: {note}")
    console.print("wrote " + ", ".join(str(p) for p in written))


@cohort.command("select")
@_input_file(
    "--applicants",
    help_text="Pseudonymised applicants CSV: applicant_id, hub_username (optional), features.",
)
@_input_file("--quotas", help_text="Quotas CSV: feature,value,min,max.")
@click.option("--capacity", type=click.IntRange(min=1), required=True, help="Number of places.")
@click.option(
    "--seed", required=True, help="Public seed, a whole number of 1 or more (0 is refused)."
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Folder for the cohort, reserves, audit and fairness report.",
)
@click.option(
    "--algorithm",
    type=click.Choice(names("lottery")),
    default="maximin",
    show_default=True,
    help="Lottery algorithm; sortition-maximin needs the GPL selection extra.",
)
@click.option(
    "--time-budget",
    type=click.FloatRange(min=1),
    default=300.0,
    show_default=True,
    help="Seconds for the maximin search; it stops with the best lottery found so far.",
)
@click.option(
    "--baseline-runs",
    type=click.IntRange(min=0),
    default=200,
    show_default=True,
    help="Greedy (legacy) runs for the fairness comparison; 0 skips it.",
)
@click.option("--force", is_flag=True, help="Replace the files of an earlier selection in --out.")
@_quiet_option
@format_option
def select_cmd(
    applicants: Path,
    quotas: Path,
    capacity: int,
    seed: str,
    out: Path,
    algorithm: str,
    time_budget: float,
    baseline_runs: int,
    force: bool,
    quiet: bool,
    fmt: str,
) -> None:
    """Draw a cohort by maximin lottery; write the audit.

    Everyone's chance of a place is made as high as the quotas allow; the audit lets anyone
    re-run the selection and get the same cohort.
    """
    try:
        seed_value = parse_seed(seed)
        check_out_dir(out, force)
        quota_set = parse_quotas(read_text(quotas, "quotas"), str(quotas))
        pool = parse_applicants(read_text(applicants, "applicants"), quota_set, str(applicants))
        for feature in missing_prefer_not(quota_set):
            err_console.print(
                f"[yellow]warning[/]: {quotas} has no 'Prefer not to say' row for {feature}; "
                "applicants must be able to decline to answer"
            )
        request = SelectRequest(
            pool,
            quota_set,
            capacity,
            seed_value,
            algorithm,
            time_budget,
            None,
            baseline_runs=baseline_runs,
        )
        selection = _run_with_progress(quiet or fmt == "json", lambda cb: select(request, cb))
        texts = render_files(
            selection, {applicants.name: file_sha256(applicants), quotas.name: file_sha256(quotas)}
        )
        written = write_files(out, texts)
    except InfeasibleQuotasError as exc:
        if fmt == "json":
            click.echo(json.dumps(_diagnosis_json(exc.diagnosis), indent=2))
        else:
            console.print(_diagnosis_table(exc.diagnosis))
        raise AcademyError(f"no cohort can meet every quota: {exc.diagnosis.summary()}") from None
    except (SelectionInputError, BackendUnavailableError, SelectionRunError) as exc:
        raise AcademyError(str(exc)) from None
    if fmt == "json":
        click.echo(
            json.dumps(
                {"ok": True, "files": [str(p) for p in written], **build_fairness(selection)},
                indent=2,
            )
        )
    else:
        _show(selection, written)


@cohort.command("verify")
@_input_file("--audit", "audit_path", help_text="The published audit.json.")
@_input_file("--applicants", help_text="The published (pseudonymised) applicants CSV.")
@_quiet_option
@format_option
def verify_cmd(audit_path: Path, applicants: Path, quiet: bool, fmt: str) -> None:
    """Re-run a published selection; check it matches.

    Recomputes the lottery from the audit and the published applicants file, redraws with the
    published seed and compares cohort, reserves and probabilities.
    """
    try:
        text = read_text(audit_path, "audit")
    except SelectionInputError as exc:
        raise AcademyError(str(exc)) from None
    try:
        audit = json.loads(text)
    except ValueError as exc:
        raise AcademyError(f"{audit_path}: not JSON ({exc})") from None
    if not isinstance(audit, dict):
        raise AcademyError(f"{audit_path}: not a cohort audit (expected a JSON object)")
    try:
        pool = parse_applicants(
            read_text(applicants, "applicants"), audit_quotas(audit), str(applicants)
        )
        result = _run_with_progress(quiet or fmt == "json", lambda cb: verify(audit, pool, cb))
    except (SelectionInputError, BackendUnavailableError, SelectionRunError) as exc:
        raise AcademyError(str(exc)) from None
    except InfeasibleQuotasError as exc:
        raise AcademyError(f"the audit's quotas cannot be met: {exc}") from None
    except KeyError as exc:
        raise AcademyError(f"{audit_path}: not a complete audit (missing {exc})") from None
    if fmt == "json":
        click.echo(json.dumps({"ok": result.ok, "checks": dict(result.checks)}, indent=2))
    else:
        table = Table(title=f"Verifying {audit_path}")
        table.add_column("check")
        table.add_column("result")
        for name, passed in result.checks:
            table.add_row(name, "[green]same[/]" if passed else "[red]DIFFERENT[/]")
        console.print(table)
    if not result.ok:
        raise AcademyError("the re-run does not reproduce the published selection")
