"""Helpers shared by the ``academy capstone`` command modules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .applied_shared import applied_errors
from .context import AcademyError, console


def load(root: Path, capstone_id: str) -> Any:
    from digital_academy.applied.capstone import load_capstone  # noqa: PLC0415

    with applied_errors():
        return load_capstone(root, capstone_id)


def tutors_of(root: Path, course_id: str, capstone_id: str) -> frozenset[str]:
    """Who may mark: the run's named markers of the capstone, else all its tutors."""
    from digital_academy.applied.roster import require_roster  # noqa: PLC0415

    with applied_errors():
        roster = require_roster(root, course_id, capstone_id)
    return roster.markers if roster.markers is not None else roster.tutors


def mirror(root: Path, course_id: str, capstone_id: str) -> None:
    """Copy new evidence into the gradebook's evidence log; a failure is caught up later."""
    from digital_academy.applied.gradebook_link import mirror  # noqa: PLC0415

    try:
        with applied_errors():
            copied = mirror(root, course_id, capstone_id)
    except AcademyError as exc:
        console.print(
            f"[yellow]warning[/]: evidence kept in the capstone log but not yet copied "
            f"to the gradebook ({exc}); the next capstone command copies it"
        )
        return
    if copied:
        console.print(
            f"{copied} evidence entr{'y' if copied == 1 else 'ies'} copied to the "
            "gradebook's evidence log"
        )
