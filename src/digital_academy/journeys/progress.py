"""Completion records per learner: one JSON object per line, appended, never rewritten.

File: ``<state>/progress/records.jsonl`` (see ``digital_academy.paths.state_dir``).
Each line is a :class:`ProgressRecord`. Assessment results arrive through a small
import format of our own (:mod:`.importer`), so this module does not depend on the
assessment capability's internals.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, model_validator

from digital_academy.catalog.model import SLUG_PATTERN

RECORDS_FILE = Path("progress") / "records.jsonl"
#: Namespace of record ids (and of the xAPI statement ids made from them).
RECORD_NAMESPACE = uuid.UUID("6f6c2f0e-5b7a-4d1e-9a53-3b1f1c2e7d10")

LearnerId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.-]{0,63}$")]
Slug = Annotated[str, Field(pattern=SLUG_PATTERN)]


class ProgressError(ValueError):
    """The progress file or an import is unusable; the message names file, line and fix."""


class Event(StrEnum):
    LAUNCHED = "launched"
    COMPLETED = "completed"
    SELF_CHECK = "self-check"
    ASSESSMENT = "assessment"


class ProgressRecord(BaseModel):
    """One thing a learner did with a module."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    v: Literal[1] = 1
    id: uuid.UUID = Field(description="Stable id: uuid5 of the other fields; duplicates skipped.")
    learner: LearnerId = Field(description="Hub user name (JUPYTERHUB_USER).")
    module: Slug
    event: Event
    at: AwareDatetime
    minutes: int = Field(default=0, ge=0, le=600, description="Time spent in this session.")
    score: float | None = Field(default=None, ge=0, le=1, description="Scaled 0..1.")
    passed: bool | None = None
    assessment: Slug | None = None
    course_run: Slug | None = None
    source: str = Field(default="academy", max_length=64)

    @model_validator(mode="after")
    def _consistent(self) -> ProgressRecord:
        if self.event is Event.ASSESSMENT:
            if self.assessment is None or self.score is None or self.passed is None:
                raise ValueError("an assessment record needs assessment, score and passed")
        elif self.passed is not None or self.assessment is not None:
            raise ValueError(f"a {self.event.value} record cannot carry passed or assessment")
        return self


def make_record(**fields: Any) -> ProgressRecord:
    """A record whose id is derived from its content, so re-imports are idempotent."""
    probe = ProgressRecord.model_validate({**fields, "id": uuid.UUID(int=0)})
    body = probe.model_dump(mode="json", exclude={"id"})
    ident = uuid.uuid5(RECORD_NAMESPACE, json.dumps(body, sort_keys=True))
    return probe.model_copy(update={"id": ident})


def records_path(state: Path) -> Path:
    return state / RECORDS_FILE


def describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "record"
    return f"field {where}: {first['msg']}"


def parse_lines(lines: Iterable[str], path: Path) -> list[ProgressRecord]:
    records: list[ProgressRecord] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        fix = "fix or delete that line; academy only ever appends to this file"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ProgressError(
                f"{path}, line {number}: not valid JSON ({exc.msg}); {fix}"
            ) from exc
        try:
            records.append(ProgressRecord.model_validate(data))
        except ValidationError as exc:
            raise ProgressError(f"{path}, line {number}: {describe(exc)}; {fix}") from exc
    return records


def load_records(state: Path) -> list[ProgressRecord]:
    """All records, oldest first; an absent file means no progress yet."""
    path = records_path(state)
    if not path.exists():
        return []
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError as exc:
        raise ProgressError(f"{path}: not UTF-8 text (byte {exc.start}); restore it") from exc
    if text and not text.endswith("\n"):
        raise ProgressError(
            f"{path}: the last line is cut short (a write was interrupted); "
            "delete the incomplete last line"
        )
    return parse_lines(text.splitlines(), path)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[int]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)


def append_records(state: Path, new: Iterable[ProgressRecord]) -> int:
    """Append records not already present (by id); returns how many were added.

    Refuses to touch a file that does not parse, so a corrupted file is never made worse.
    """
    path = records_path(state)
    with _locked(path) as fd:
        existing = {r.id for r in load_records(state)}
        lines = []
        for record in new:
            if record.id not in existing:
                existing.add(record.id)
                lines.append(record.model_dump_json(exclude_none=True) + "\n")
        if lines:
            os.write(fd, "".join(lines).encode("utf-8"))
            os.fsync(fd)
    return len(lines)


@dataclass
class ModuleStatus:
    launched: bool = False
    completed: bool = False
    passed: bool = False
    attempts: int = 0
    best_score: float | None = None
    minutes: int = 0
    last: dt.datetime | None = None

    @property
    def done(self) -> bool:
        return self.completed or self.passed

    @property
    def state(self) -> str:
        if self.passed:
            return "passed"
        if self.completed:
            return "completed"
        if self.attempts:
            return "not yet passed"
        return "started" if self.launched else "not started"


def status_by_module(records: Iterable[ProgressRecord], learner: str) -> dict[str, ModuleStatus]:
    found: dict[str, ModuleStatus] = {}
    for r in records:
        if r.learner != learner:
            continue
        s = found.setdefault(r.module, ModuleStatus())
        s.minutes += r.minutes
        s.last = max(s.last, r.at) if s.last else r.at
        if r.event is Event.LAUNCHED:
            s.launched = True
        elif r.event in (Event.COMPLETED, Event.SELF_CHECK):
            s.completed = True
        else:
            s.attempts += 1
            s.passed = s.passed or bool(r.passed)
            if r.score is not None:
                s.best_score = max(s.best_score or 0.0, r.score)
    return found


def learners(records: Iterable[ProgressRecord]) -> list[str]:
    return sorted({r.learner for r in records})
