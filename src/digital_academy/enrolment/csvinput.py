"""Read people to enrol from a roster CSV or from a selected-cohort CSV (pure parsing).

Every row is checked before anything is returned; all problems are reported together, each
with the file, the line and the field, so the whole file can be fixed in one go.

Roster CSV (header required, UTF-8, any column order)::

    username,role,first_name,last_name,email,lms_user_id
    learner3,learner,Asha,Patel,asha.patel@example.nhs.uk,
    tutor2,tutor,Sam,Jones,,

Only ``username`` is required; ``role`` is ``learner`` (default) or ``tutor``.

Selected-cohort CSV (written by ``academy cohort select``): recognised by its
``hub_username`` column; ``applicant_id`` names the row in messages. Every other column
(the applicants' characteristics) is ignored and never copied into enrolment records.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from .errors import EnrolmentError
from .model import Person

ROLES = ("learner", "tutor")
ROSTER_COLUMNS = ("username", "role", "first_name", "last_name", "email", "lms_user_id")
COHORT_USER = "hub_username"
COHORT_ID = "applicant_id"
_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
MAX_SHOWN = 8


@dataclass(frozen=True)
class Row:
    """One person to enrol, and where they came from (for messages)."""

    person: Person
    role: str
    line: int


@dataclass(frozen=True)
class Problem:
    line: int
    field: str
    message: str

    def text(self) -> str:
        return f"line {self.line}, field {self.field}: {self.message}"


def report(file: str, problems: list[Problem], fix: str) -> EnrolmentError:
    shown = "; ".join(p.text() for p in problems[:MAX_SHOWN])
    more = f" (and {len(problems) - MAX_SHOWN} more)" if len(problems) > MAX_SHOWN else ""
    rows = "a bad row" if len(problems) == 1 else f"{len(problems)} problems"
    return EnrolmentError(f"{file} has {rows}: {shown}{more}; {fix}; nothing was changed")


def _read(path: Path, shown: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise EnrolmentError(f"{shown}: no such file") from None
    except UnicodeDecodeError as exc:
        raise EnrolmentError(f"{shown}: not UTF-8 (byte {exc.start}); save it as UTF-8") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise EnrolmentError(f"{shown}, line {reader.line_num}: not valid CSV ({exc})") from exc
    rows = [(n, r) for n, r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise EnrolmentError(f"{shown} is empty; it needs a header row and one row per person")
    header = [h.strip().lower() for h in rows[0][1]]
    records: list[tuple[int, dict[str, str]]] = []
    for line, cells in rows[1:]:
        if len(cells) != len(header):
            records.append((line, {"__width__": str(len(cells))}))
            continue
        records.append((line, {h: c.strip() for h, c in zip(header, cells, strict=True)}))
    return header, records


def _person(
    username: str,
    data: dict[str, str],
    line: int,
    source: str,
    problems: list[Problem],
    user_field: str = "username",
) -> Person | None:
    email = data.get("email", "")
    if email and not _EMAIL.match(email):
        problems.append(Problem(line, "email", f"{email!r} is not an email address"))
        return None
    try:
        return Person(
            username=username,
            source=source,
            **{k: data.get(k, "") for k in ("first_name", "last_name", "email", "lms_user_id")},
        )
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = str(first["loc"][0]) if first["loc"] else "username"
        if field == "username":
            field = user_field
            message = (
                f"{username!r} is not a hub user name (lower-case letters, digits, "
                "'-' or '_', starting with a letter, at most 31 characters)"
            )
        else:
            message = str(first["msg"])
        problems.append(Problem(line, field, message))
        return None


def _check_width(line: int, data: dict[str, str], width: int, problems: list[Problem]) -> bool:
    if "__width__" in data:
        problems.append(
            Problem(
                line, "(row)", f"has {data['__width__']} cells but the header has {width} columns"
            )
        )
        return False
    return True


def _duplicates(rows: list[Row], field: str, problems: list[Problem]) -> None:
    first: dict[str, int] = {}
    for row in rows:
        name = row.person.username
        if name in first:
            problems.append(Problem(row.line, field, f"{name!r} is already on line {first[name]}"))
        else:
            first[name] = row.line


def read_roster(path: Path, shown: str) -> list[Row]:
    """People and roles from a roster CSV; raises with every bad row named."""
    header, records = _read(path, shown)
    if "username" not in header:
        raise EnrolmentError(
            f"{shown}, line 1: no 'username' column; the header must name "
            f"some of {', '.join(ROSTER_COLUMNS)} and include username"
        )
    unknown = [h for h in header if h not in ROSTER_COLUMNS]
    if unknown:
        raise EnrolmentError(
            f"{shown}, line 1: unknown column(s) {', '.join(unknown)}; "
            f"allowed: {', '.join(ROSTER_COLUMNS)}"
        )
    problems: list[Problem] = []
    rows: list[Row] = []
    for line, data in records:
        if not _check_width(line, data, len(header), problems):
            continue
        role = data.get("role", "") or "learner"
        if role not in ROLES:
            problems.append(Problem(line, "role", f"{role!r} is not learner or tutor"))
            continue
        if not data["username"]:
            problems.append(Problem(line, "username", "is empty"))
            continue
        person = _person(data["username"], data, line, f"roster {Path(shown).name}", problems)
        if person is not None:
            rows.append(Row(person, role, line))
    _duplicates(rows, "username", problems)
    if problems:
        raise report(shown, problems, "fix those rows")
    if not rows:
        raise EnrolmentError(f"{shown} has a header but no people")
    return rows


def read_cohort(path: Path, shown: str) -> list[Row]:
    """The learners of a selected-cohort CSV (``hub_username`` column); characteristics dropped."""
    header, records = _read(path, shown)
    if COHORT_USER not in header:
        raise EnrolmentError(
            f"{shown}, line 1: no {COHORT_USER!r} column; a selected cohort "
            "must give each applicant's hub user name"
        )
    if "rank" in header:
        raise EnrolmentError(
            f"{shown}, line 1: a 'rank' column: this is the reserve list, not "
            "the selected cohort; enrol from cohort.csv (reserves are offered "
            "places one by one, in rank order)"
        )
    problems: list[Problem] = []
    rows: list[Row] = []
    for line, data in records:
        if not _check_width(line, data, len(header), problems):
            continue
        username = data[COHORT_USER]
        if not username:
            who = data.get(COHORT_ID) or "this applicant"
            problems.append(
                Problem(
                    line,
                    COHORT_USER,
                    f"{who} has no hub user name; add it to the applicants file and select again",
                )
            )
            continue
        person = _person(username, {}, line, f"cohort {Path(shown).name}", problems, COHORT_USER)
        if person is not None:
            rows.append(Row(person, "learner", line))
    _duplicates(rows, COHORT_USER, problems)
    if problems:
        raise report(shown, problems, "fix those rows")
    if not rows:
        raise EnrolmentError(f"{shown} has a header but no selected applicants")
    return rows


def read_people_csv(path: Path, shown: str) -> list[Row]:
    """A roster or a selected cohort, told apart by the header."""
    header, _ = _read(path, shown)
    return read_cohort(path, shown) if COHORT_USER in header else read_roster(path, shown)
