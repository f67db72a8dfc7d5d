"""Write a selection's files: the cohort for enrolment, the reserves, the audit and the report.

File formats (documented in docs/selection.md; the enrolment command reads ``cohort.csv``):

- ``cohort.csv``: ``applicant_id,hub_username,<one column per quota feature>``, one row per
  selected applicant, sorted by ``applicant_id``; ``hub_username`` may be empty.
- ``reserves.csv``: ``rank,applicant_id,hub_username,<features>``, in the drawn order.
- ``audit.json`` / ``audit.html``: the public audit.  ``fairness.json`` / ``fairness.html``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .model import Pool, SelectionInputError
from .report import build_audit, build_fairness, render_audit_html, render_fairness_html
from .runner import Selection

COHORT_FILE = "cohort.csv"
RESERVES_FILE = "reserves.csv"
OUTPUT_FILES = (
    COHORT_FILE,
    RESERVES_FILE,
    "audit.json",
    "audit.html",
    "fairness.json",
    "fairness.html",
)


def _csv(pool: Pool, ids: tuple[str, ...], ranked: bool) -> str:
    by_id = {a.id: a for a in pool.applicants}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*(["rank"] if ranked else []), "applicant_id", "hub_username", *pool.features])
    for rank, aid in enumerate(ids, start=1):
        a = by_id[aid]
        writer.writerow([*([str(rank)] if ranked else []), a.id, a.hub_username, *a.values])
    return out.getvalue()


def cohort_csv(pool: Pool, selected: tuple[str, ...]) -> str:
    """``cohort.csv``: the contract with enrolment (``academy course enrol --cohort``)."""
    return _csv(pool, selected, ranked=False)


def reserves_csv(pool: Pool, reserves: tuple[str, ...]) -> str:
    return _csv(pool, reserves, ranked=True)


def render_files(selection: Selection, files_sha256: dict[str, str]) -> dict[str, str]:
    """Every output file's text (pure: the same selection gives the same bytes)."""
    audit = build_audit(selection, files_sha256)
    fairness = build_fairness(selection)
    pool = selection.request.pool
    return {
        COHORT_FILE: cohort_csv(pool, selection.drawn.selected),
        RESERVES_FILE: reserves_csv(pool, selection.drawn.reserves),
        "audit.json": _json(audit),
        "audit.html": render_audit_html(audit),
        "fairness.json": _json(fairness),
        "fairness.html": render_fairness_html(fairness),
    }


def _json(data: dict[str, Any]) -> str:
    return _dump(data, 0) + "\n"


def _dump(value: Any, depth: int) -> str:
    """Indented JSON with small or flat parts on one line, so thousands of entries stay readable."""
    inline = json.dumps(value, ensure_ascii=False)
    nested = isinstance(value, dict | list) and any(
        isinstance(v, dict | list) for v in (value.values() if isinstance(value, dict) else value)
    )
    if not nested or len(inline) <= 100:
        return inline
    pad, inner = " " * depth, " " * (depth + 1)
    if isinstance(value, dict):
        items = [
            f"{inner}{json.dumps(k, ensure_ascii=False)}: {_dump(v, depth + 1)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    items = [f"{inner}{_dump(v, depth + 1)}" for v in value]
    return "[\n" + ",\n".join(items) + f"\n{pad}]"


def check_out_dir(out: Path, force: bool) -> None:
    """Refuse to overwrite an earlier selection unless told to (checked before any work)."""
    if out.exists() and not out.is_dir():
        raise SelectionInputError(f"{out} exists and is not a folder; choose another --out")
    existing = [name for name in OUTPUT_FILES if (out / name).exists()]
    if existing and not force:
        raise SelectionInputError(
            f"{out} already holds a selection ({', '.join(existing)}); choose another --out or "
            "pass --force to replace it"
        )


def write_files(out: Path, texts: dict[str, str]) -> list[Path]:
    """Write each file beside its target, then rename: never a half-written file."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in texts.items():
        target = out / name
        handle, temp = tempfile.mkstemp(dir=out, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                stream.write(text)
            Path(temp).replace(target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        written.append(target)
    return written
