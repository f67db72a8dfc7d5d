"""Import graded assessment results: a small, documented exchange format.

The assessment capability (nbgrader gradebooks) is built separately; rather than read
its internals, we accept this format, which any grader can write. One result per
JSON line, or a CSV file with the same column names:

``learner``     hub user name, e.g. ``learner1``
``assessment``  assessment id from ``graders/assessments/``
``score``       points scored (number >= 0)
``max_score``   points available (number > 0)
``graded_at``   ISO 8601 date-time with a time zone, e.g. ``2026-11-20T10:00:00Z``
``course_run``  optional course run id, e.g. ``demo``
``minutes``     optional time spent

Pass or fail is decided here from the assessment's ``pass_mark`` in the catalogue.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from digital_academy.catalog import Catalog

from .progress import Event, ProgressError, ProgressRecord, describe, make_record

COLUMNS = ("learner", "assessment", "score", "max_score", "graded_at")
OPTIONAL = ("course_run", "minutes")


def _rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError as exc:
        raise ProgressError(f"{path}: no such file") from exc
    except UnicodeDecodeError as exc:
        raise ProgressError(f"{path}: not UTF-8 text; export it as UTF-8") from exc
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ProgressError(
                f"{path}: CSV header lacks {', '.join(missing)}; the columns are "
                f"{', '.join(COLUMNS + OPTIONAL)}"
            )
        return [(i, dict(row)) for i, row in enumerate(reader, start=2)]
    rows = []
    for i, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ProgressError(f"{path}, line {i}: not valid JSON ({exc.msg})") from exc
        if not isinstance(data, dict):
            raise ProgressError(f"{path}, line {i}: expected a JSON object")
        rows.append((i, data))
    return rows


def _number(value: Any, name: str, where: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise ProgressError(f"{where}: {name} {value!r} is not a number") from exc
    if math.isnan(number) or number < 0:
        raise ProgressError(f"{where}: {name} must be a number >= 0, not {value!r}")
    return number


def import_results(catalog: Catalog, path: Path) -> list[ProgressRecord]:
    """Progress records for every result in ``path``; any bad row stops the import."""
    records = []
    for line, row in _rows(path):
        where = f"{path}, line {line}"
        missing = [c for c in COLUMNS if row.get(c) in (None, "")]
        if missing:
            raise ProgressError(f"{where}: missing {', '.join(missing)}")
        assessment = catalog.assessments.get(str(row["assessment"]))
        if assessment is None:
            raise ProgressError(
                f"{where}: unknown assessment {row['assessment']!r}; known: "
                f"{', '.join(sorted(catalog.assessments)) or 'none'}"
            )
        score = _number(row["score"], "score", where)
        maximum = _number(row["max_score"], "max_score", where)
        if maximum <= 0 or score > maximum:
            raise ProgressError(f"{where}: need 0 <= score <= max_score and max_score > 0")
        try:
            at = dt.datetime.fromisoformat(str(row["graded_at"]).replace("Z", "+00:00"))
        except ValueError as exc:
            raise ProgressError(f"{where}: graded_at {row['graded_at']!r} is not ISO 8601") from exc
        if at.tzinfo is None:
            raise ProgressError(f"{where}: graded_at needs a time zone, e.g. ...T10:00:00Z")
        scaled = score / maximum
        fields: dict[str, Any] = {
            "learner": row["learner"],
            "module": assessment.module,
            "event": Event.ASSESSMENT,
            "at": at,
            "score": round(scaled, 6),
            "passed": scaled >= assessment.pass_mark,
            "assessment": assessment.id,
            "source": "assessment-import",
        }
        if row.get("course_run"):
            fields["course_run"] = row["course_run"]
        if row.get("minutes") not in (None, ""):
            fields["minutes"] = int(_number(row["minutes"], "minutes", where))
        try:
            records.append(make_record(**fields))
        except ValidationError as exc:
            raise ProgressError(f"{where}: {describe(exc)}") from exc
    return records
