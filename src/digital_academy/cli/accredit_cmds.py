"""``academy accredit``: the accreditation pack a professional body reviews."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from rich.table import Table

from digital_academy.accredit.coverage import PackError
from digital_academy.accredit.runner import write_pack
from digital_academy.paths import state_dir

from .context import AcademyError, console, root_option
from .plan_cmds import catalog_or_fail, parse_date


@click.command()
@root_option
@click.argument("academy_ids", metavar="ACADEMY...", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Every academy in the catalogue.")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for the packs (default: <state>/accreditation); one sub-folder per academy.",
)
@click.option("--today", help="Judge review dates as of this day (YYYY-MM-DD).")
@click.option("--no-pdf", is_flag=True, help="Skip the PDF (HTML and CSV only).")
def accredit(
    root: Path,
    academy_ids: tuple[str, ...],
    all_: bool,
    out: Path | None,
    today: str | None,
    no_pdf: bool,
) -> None:
    """Coverage matrix, hours and credits, assessment methods, gaps and review dates."""
    catalog = catalog_or_fail(root)
    ids = sorted(catalog.academies) if all_ else list(academy_ids)
    if not ids:
        raise AcademyError("name an academy (see `academy list`) or pass --all")
    day = parse_date(today, "--today") or dt.date.today()
    base = out or state_dir(root) / "accreditation"
    table = Table(title="Accreditation packs")
    for column in (
        "academy",
        "modules",
        "hours",
        "credits",
        "covered",
        "gaps",
        "reviews",
        "folder",
    ):
        table.add_column(column, overflow="fold")
    for academy_id in ids:
        try:
            pack, _ = write_pack(catalog, academy_id, base / academy_id, day, pdf=not no_pdf)
        except PackError as exc:
            raise AcademyError(str(exc)) from exc
        overdue = sum(1 for m in pack.modules if m.review_status == "overdue")
        covered = len({r.competency for r in pack.coverage})
        table.add_row(
            academy_id,
            str(len(pack.modules)),
            f"{pack.hours:.1f}",
            f"{pack.credits:.2f}",
            str(covered),
            str(len(pack.gaps)),
            f"{overdue} overdue; next {pack.next_review}",
            str(base / academy_id),
        )
    console.print(table)
