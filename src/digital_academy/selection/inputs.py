"""Read the applicants and quotas CSVs into typed values, with errors a person can act on.

Parsers take text (pure); ``read_*`` wrappers add the file. Every error names the file, the row and
the column, and says what to do.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import Counter
from pathlib import Path

from .model import Applicant, Pool, Quota, QuotaSet, SelectionInputError

ID_COLUMN = "applicant_id"
HUB_COLUMN = "hub_username"
QUOTA_COLUMNS = ("feature", "value", "min", "max")
PREFER_NOT = "prefer not to say"
# Features that are not self-declared characteristics (no "Prefer not to say" expected).
NOT_SELF_DECLARED = frozenset({"profession", "region"})
MAX_LISTED = 5


def _fail(source: str, problems: list[str]) -> SelectionInputError:
    shown = "; ".join(problems[:MAX_LISTED])
    more = f"; and {len(problems) - MAX_LISTED} more" if len(problems) > MAX_LISTED else ""
    return SelectionInputError(f"{source}: {shown}{more}")


def _rows(text: str, source: str) -> tuple[list[str], list[dict[str, str]]]:
    text = text.removeprefix("\ufeff")
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    if not header:
        raise SelectionInputError(f"{source}: the file is empty; it needs a header row")
    duplicates = sorted(h for h, n in Counter(h.lower() for h in header).items() if n > 1)
    if duplicates:
        raise SelectionInputError(
            f"{source}: column(s) {', '.join(duplicates)} appear more than once; keep one of each"
        )
    rows = []
    for raw in reader:
        if None in raw:
            raise SelectionInputError(
                f"{source}: row {reader.line_num} has more cells than the header has columns; "
                "quote values that contain commas"
            )
        rows.append({k.strip(): (v or "").strip() for k, v in raw.items()})
    return header, rows


def _quota_row(row: dict[str, str], where: str, problems: list[str]) -> Quota | None:
    feature, value = row["feature"], row["value"]
    if not feature or not value:
        problems.append(f"{where}: feature and value must both be filled in")
        return None
    bounds = []
    for column in ("min", "max"):
        try:
            bound = int(row[column])
        except ValueError:
            problems.append(
                f"{where} ({feature} = {value}): {column} {row[column]!r} is not a whole number"
            )
            continue
        if bound < 0:
            problems.append(f"{where} ({feature} = {value}): {column} must not be negative")
            continue
        bounds.append(bound)
    if len(bounds) != 2:
        return None
    if bounds[0] > bounds[1]:
        problems.append(
            f"{where} ({feature} = {value}): min {bounds[0]} is more than max {bounds[1]}; "
            "swap them or correct one"
        )
        return None
    return Quota(feature, value, bounds[0], bounds[1])


def parse_quotas(text: str, source: str = "quotas") -> QuotaSet:
    """Rows ``feature,value,min,max``: at least ``min`` and at most ``max`` selected."""
    header, rows = _rows(text, source)
    missing = [c for c in QUOTA_COLUMNS if c not in header]
    if missing:
        raise SelectionInputError(
            f"{source}: missing column(s) {', '.join(missing)}; the header must be "
            "feature,value,min,max"
        )
    problems: list[str] = []
    quotas: list[Quota] = []
    seen: dict[tuple[str, str], int] = {}
    for number, row in enumerate(rows, start=2):
        if not any(row.get(c) for c in QUOTA_COLUMNS):
            continue
        quota = _quota_row(row, f"row {number}", problems)
        if quota is None:
            continue
        key = (quota.feature.lower(), quota.value.lower())
        if key in seen:
            problems.append(f"row {number}: {quota.label} is already given on row {seen[key]}")
            continue
        seen[key] = number
        quotas.append(quota)
    if problems:
        raise _fail(source, problems)
    if not quotas:
        raise SelectionInputError(f"{source}: no quota rows; add one row per feature value")
    # Spell each feature the way its first row does.
    spelling: dict[str, str] = {}
    for q in quotas:
        spelling.setdefault(q.feature.lower(), q.feature)
    return QuotaSet(
        tuple(Quota(spelling[q.feature.lower()], q.value, q.min, q.max) for q in quotas)
    )


def _value(
    row: dict[str, str],
    columns: dict[str, str],
    feature: str,
    canonical: dict[str, str],
    where: str,
    problems: list[str],
) -> str | None:
    raw = row[columns[feature.lower()]]
    value = canonical.get(raw.lower())
    if value is None and not raw:
        problems.append(
            f"{where}: {feature} is empty; record 'Prefer not to say' "
            "if the applicant chose not to answer"
        )
    elif value is None:
        problems.append(
            f"{where}: {feature} {raw!r} has no quota row; add "
            f"'{feature},{raw},0,<capacity>' to the quotas or correct the value"
        )
    return value


def parse_applicants(text: str, quotas: QuotaSet, source: str = "applicants") -> Pool:
    """A pseudonymised pool: ``applicant_id``, optional ``hub_username``, one column per feature."""
    header, rows = _rows(text, source)
    lower = {h.lower(): h for h in header}
    if ID_COLUMN not in lower:
        raise SelectionInputError(
            f"{source}: no '{ID_COLUMN}' column; add one with a pseudonymous id per applicant"
        )
    features = quotas.features
    absent = [f for f in features if f.lower() not in lower]
    if absent:
        raise SelectionInputError(
            f"{source}: no column for feature(s) {', '.join(absent)} named in the quotas; "
            f"columns found: {', '.join(header)}"
        )
    canonical = {f: {q.value.lower(): q.value for q in quotas.of(f)} for f in features}
    problems: list[str] = []
    applicants: list[Applicant] = []
    first_row: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        aid = row[lower[ID_COLUMN]]
        if not aid:
            if any(row.values()):
                problems.append(f"row {number}: {ID_COLUMN} is empty; give every applicant an id")
            continue
        if aid in first_row:
            problems.append(
                f"row {number}: {ID_COLUMN} {aid} is already used on row {first_row[aid]}"
            )
            continue
        first_row[aid] = number
        values = [
            _value(row, lower, feature, canonical[feature], f"row {number} ({aid})", problems)
            for feature in features
        ]
        known = [v for v in values if v is not None]
        if len(known) == len(features):
            username = row[lower[HUB_COLUMN]] if HUB_COLUMN in lower else ""
            applicants.append(Applicant(aid, tuple(known), username))
    if problems:
        raise _fail(source, problems)
    if not applicants:
        raise SelectionInputError(f"{source}: no applicants; the file has a header but no rows")
    return Pool(features, tuple(sorted(applicants, key=lambda a: a.id)))


def parse_seed(value: str) -> int:
    """A public seed: a whole number from 1 to 2**63 - 1 (0 is refused: it means "unseeded")."""
    try:
        seed = int(value)
    except ValueError:
        raise SelectionInputError(f"seed {value!r} is not a whole number") from None
    if seed == 0:
        raise SelectionInputError(
            "seed 0 is refused: the selection library treats 0 as 'no seed' and draws from the "
            "operating system, so nobody could reproduce the result; publish a seed of 1 or more"
        )
    if not 1 <= seed < 2**63:
        raise SelectionInputError(f"seed {seed} is out of range; use 1 to {2**63 - 1}")
    return seed


def missing_prefer_not(quotas: QuotaSet) -> list[str]:
    """Self-declared features without a 'Prefer not to say' quota row."""
    return [
        f
        for f in quotas.features
        if f.lower() not in NOT_SELF_DECLARED
        and all(q.value.lower() != PREFER_NOT for q in quotas.of(f))
    ]


def pool_hash(pool: Pool) -> str:
    """SHA-256 of the pool as the algorithm sees it (sorted, canonical): not of the file layout."""
    canonical = {
        "features": list(pool.features),
        "applicants": [[a.id, *a.values] for a in pool.applicants],
    }
    data = json.dumps(canonical, ensure_ascii=False, separators=(",", ":")).encode()
    return hashlib.sha256(data).hexdigest()


def quotas_hash(quotas: QuotaSet, capacity: int) -> str:
    canonical = {
        "capacity": capacity,
        "quotas": [[q.feature, q.value, q.min, q.max] for q in quotas.quotas],
    }
    data = json.dumps(canonical, ensure_ascii=False, separators=(",", ":")).encode()
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SelectionInputError(f"{path}: no such {what} file") from None
    except UnicodeDecodeError:
        raise SelectionInputError(f"{path}: not UTF-8 text; save the {what} as CSV UTF-8") from None
    except OSError as exc:
        raise SelectionInputError(f"{path}: cannot read the {what} file ({exc.strerror})") from None
