"""Autograde a batch: plan, run jobs on a back end, record each result as it arrives.

The batch never aborts on a submission: unreadable notebooks and structural edits are
flagged, limits are recorded, failures of the grading machinery are reported per row and
leave that submission ungraded for the next run. Rerunning resumes: a submission whose
files and test suite match its latest evidence entry is skipped.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import getpass
import importlib.metadata
import json
import os
import platform
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import evidence, master
from .backends import Backend, make_backend
from .gradebook import backup, open_gradebook, record
from .plan import (
    SubmissionTooLarge,
    Suite,
    graded_notebook,
    job_spec,
    learner_files,
    make_suite,
    submission_hash,
    unreadable_notebook,
)
from .settings import CourseRun, Settings
from .structure import Rebuilt, UnreadableSubmission, rebuild

IGNORE = ("*.ipynb", "*.pyc", "__pycache__", ".ipynb_checkpoints", "*.yml", "feedback")


class AssessError(Exception):
    """A problem for the tutor to fix (missing assignment, bad setting, ...)."""


@dataclass
class Row:
    student: str
    notebook: str
    status: str  # graded | flagged | skipped | error
    score: float | None = None
    max_score: float | None = None
    seconds: float | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Report:
    course_id: str
    assignment: str
    batch: str
    backend: str
    workers: int
    mode: str
    backup: Path | None
    rows: list[Row] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.rows)


Progress = Callable[[str, Any], None]


@functools.cache
def grader_versions() -> dict[str, str]:
    """Versions on the grader's side (the jail's own are recorded with each result)."""
    found = {"python": platform.python_version()}
    for dist in ("digital-academy", "nbgrader", "nbformat", "SQLAlchemy", "distributed"):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            found[dist] = importlib.metadata.version(dist)
    return found


def grader_identity() -> str:
    return os.environ.get("JUPYTERHUB_USER") or getpass.getuser()


def load_suites(gb: Any, course: CourseRun, assignment: str) -> list[Suite]:
    release = course.path("release", assignment)
    source = course.path("source", assignment)
    notebooks = sorted(release.glob("*.ipynb"))
    if not notebooks:
        raise AssessError(
            f"assignment {assignment!r} has not been generated for course run "
            f"{course.course_id!r}; run `academy assess generate {assignment} "
            f"--course {course.course_id}` first"
        )
    files = tuple(
        sorted(
            p.relative_to(source).as_posix()
            for p in source.rglob("*")
            if p.is_file() and not any(p.match(g) or g in p.parts for g in IGNORE)
        )
    )
    return [make_suite(master.load(gb, assignment, nb, files), source, IGNORE) for nb in notebooks]


def submitted_students(course: CourseRun, assignment: str) -> list[str]:
    folder = course.path("submitted")
    return sorted(p.parent.name for p in folder.glob(f"*/{assignment}") if p.is_dir())


def _read_timestamp(folder: Path) -> str | None:
    path = folder / "timestamp.txt"
    return path.read_text("utf-8").strip() if path.exists() else None


@dataclass
class _Pending:
    student: str
    suite: Suite
    rebuilt: Rebuilt
    sub_hash: str
    started: float


class Batch:
    def __init__(
        self,
        course: CourseRun,
        assignment: str,
        settings: Settings,
        grader: str,
        progress: Progress | None,
    ) -> None:
        self.course, self.assignment, self.settings = course, assignment, settings
        self.grader = grader
        self.progress = progress or (lambda kind, value: None)
        self.batch = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]
        self.rows: list[Row] = []
        self.gb: Any = None

    def plan(
        self, suites: list[Suite], students: list[str], force: bool
    ) -> Iterator[tuple[Any, dict[str, Any]]]:
        for student in students:
            folder = self.course.path("submitted", student, self.assignment)
            sub_hash = submission_hash(folder)
            stamp = _read_timestamp(folder)
            kwargs = {"timestamp": stamp} if stamp else {}
            with self.gb.db.no_autoflush:  # nbgrader builds related rows before adding them
                self.gb.update_or_create_student(student)
                self.gb.update_or_create_submission(self.assignment, student, **kwargs)
            for suite in suites:
                name = suite.master.name
                last = evidence.latest(
                    self.gb.db.connection(), "autograde", self.assignment, student, name
                )
                if (
                    not force
                    and last
                    and last["submission_hash"] == sub_hash
                    and last["suite_hash"] == suite.hash
                ):
                    self._row(Row(student, name, "skipped", notes=["already graded"]))
                    continue
                t0 = time.monotonic()
                try:
                    nb_path = folder / f"{name}.ipynb"
                    if not nb_path.is_file():
                        raise UnreadableSubmission(f"no {name}.ipynb in the submission")
                    try:
                        submitted = json.loads(nb_path.read_text("utf-8"))
                    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                        raise UnreadableSubmission(f"not a notebook file: {exc}") from None
                    rebuilt = rebuild(suite.master, submitted)
                    extra = learner_files(folder, {s.master.name for s in suites})
                except (UnreadableSubmission, SubmissionTooLarge) as exc:
                    self._unreadable(student, suite, sub_hash, str(exc), t0)
                    continue
                key = _Pending(student, suite, rebuilt, sub_hash, t0)
                yield key, job_spec(suite, rebuilt, extra, self.settings)

    def _row(self, row: Row) -> None:
        self.rows.append(row)
        self.progress("row", row)

    def _entry(
        self,
        pending: _Pending | None,
        student: str,
        suite: Suite,
        sub_hash: str,
        details: dict[str, Any],
    ) -> dict[str, Any]:
        payload = {
            "batch": self.batch,
            "grader_host": platform.node(),
            "grader_versions": grader_versions(),
            "settings": {
                "limits": self.settings.limits.as_dict(),
                "sandbox": self.settings.sandbox,
                "seed": self.settings.seed,
            },
            **details,
        }
        return {
            "course_id": self.course.course_id,
            "kind": "autograde",
            "assignment": self.assignment,
            "student": student,
            "notebook": suite.master.name,
            "submission_hash": sub_hash,
            "suite_hash": suite.hash,
            "actor": self.grader,
            "source": "academy",
            "payload": json.dumps(payload, sort_keys=True, default=str),
        }

    def _write(self, student: str, name: str, notebook: dict[str, Any]) -> None:
        folder = self.course.path("autograded", student, self.assignment)
        folder.mkdir(parents=True, exist_ok=True)
        submitted = self.course.path("submitted", student, self.assignment)
        for extra in submitted.iterdir() if submitted.is_dir() else []:
            if extra.is_file() and extra.suffix != ".ipynb":  # timestamp, nbgrader's secret
                (folder / extra.name).write_bytes(extra.read_bytes())
        tmp = folder / f".{name}.ipynb.tmp"
        tmp.write_text(json.dumps(notebook, indent=1, ensure_ascii=False), "utf-8")
        tmp.replace(folder / f"{name}.ipynb")

    def _unreadable(
        self, student: str, suite: Suite, sub_hash: str, reason: str, t0: float
    ) -> None:
        notebook = unreadable_notebook(suite, reason)
        self._write(student, suite.master.name, notebook)
        entry = self._entry(
            None, student, suite, sub_hash, {"status": "flagged", "flags": [reason]}
        )
        done = record(
            self.gb,
            self.course,
            self.assignment,
            student,
            suite.master.name,
            notebook,
            entry,
            flagged=True,
        )
        self._row(
            Row(
                student,
                suite.master.name,
                "flagged",
                done.score,
                done.max_score,
                round(time.monotonic() - t0, 3),
                [reason],
            )
        )

    def finish(self, pending: _Pending, result: dict[str, Any] | BaseException) -> None:
        name = pending.suite.master.name
        seconds = round(time.monotonic() - pending.started, 3)
        if isinstance(result, BaseException):
            self._row(
                Row(
                    pending.student,
                    name,
                    "error",
                    seconds=seconds,
                    notes=[f"not graded: {type(result).__name__}: {result}"],
                )
            )
            return
        notebook = graded_notebook(pending.suite, pending.rebuilt, result)
        flags = [*pending.rebuilt.flags, *result.get("limits", [])]
        self._write(pending.student, name, notebook)
        details = {
            "status": "flagged" if flags else "graded",
            "flags": flags,
            **{
                k: result.get(k)
                for k in (
                    "versions",
                    "mode",
                    "worker",
                    "uid",
                    "started",
                    "finished",
                    "seconds",
                    "notes",
                )
            },
        }
        entry = self._entry(pending, pending.student, pending.suite, pending.sub_hash, details)
        done = record(
            self.gb,
            self.course,
            self.assignment,
            pending.student,
            name,
            notebook,
            entry,
            flagged=bool(flags),
        )
        self._row(
            Row(
                pending.student,
                name,
                "flagged" if flags else "graded",
                done.score,
                done.max_score,
                seconds,
                flags,
            )
        )


def autograde(
    course: CourseRun,
    assignment: str,
    settings: Settings,
    *,
    students: list[str] | None = None,
    force: bool = False,
    grader: str | None = None,
    progress: Progress | None = None,
    backend: Backend | None = None,
) -> Report:
    """Grade every (or the given) submission of ``assignment``; see the module docstring."""
    from .sandbox.client import SandboxError, resolve_mode  # noqa: PLC0415

    t0 = time.monotonic()
    try:
        mode = resolve_mode(settings.sandbox)
    except SandboxError as exc:
        raise AssessError(str(exc)) from None
    batch = Batch(course, assignment, settings, grader or grader_identity(), progress)
    everyone = submitted_students(course, assignment)
    chosen = everyone if students is None else students
    unknown = sorted(set(chosen) - set(everyone))
    if unknown:
        raise AssessError(
            f"no submission of {assignment!r} from {', '.join(unknown)} in "
            f"{course.path('submitted')}; run `academy assess collect` first"
        )
    with open_gradebook(course) as gb:
        batch.gb = gb
        suites = load_suites(gb, course, assignment)
        saved = backup(course, f"autograde-{assignment}")
        progress and progress("total", len(chosen) * len(suites))
        own = backend is None
        engine = backend or make_backend(
            settings.backend,
            settings.workers,
            settings.scheduler,
            warm=(settings.sandbox, settings.limits.as_dict()),
        )
        try:
            for key, result in engine.run(batch.plan(suites, chosen, force)):
                batch.finish(key, result)
        finally:
            if own:
                engine.close()
    return Report(
        course.course_id,
        assignment,
        batch.batch,
        engine.name,
        engine.workers,
        mode,
        saved,
        batch.rows,
        round(time.monotonic() - t0, 3),
    )
