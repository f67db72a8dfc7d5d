"""Grading settings and one course run's folders: typed values and pure builders.

Every function takes ``course_id``: one academy runs many course runs (issue 8), each with
its own nbgrader course folder, exchange folder and gradebook.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from digital_academy.paths import exchange_dir, grading_dir

from .sandbox.limits import Limits

COURSE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ENV_GRADEBOOK = "ACADEMY_GRADEBOOK_URL"
ENV_BACKEND = "ACADEMY_GRADING_BACKEND"
ENV_SCHEDULER = "ACADEMY_DASK_SCHEDULER"
ENV_SANDBOX = "ACADEMY_SANDBOX"
#: Shown to learners after their visible checks pass (see feedback.py and docs/assessment.md).
PUBLIC_PASSED = "public checks passed, hidden checks run at grading"
PUBLIC_PASSED_ONLY = "public checks passed"
#: GenerateAssignment's preprocessors, with the learner-facing message added before checksums.
GENERATE_PREPROCESSORS = (
    "nbgrader.preprocessors.IncludeHeaderFooter",
    "nbgrader.preprocessors.InstantiateTests",
    "nbgrader.preprocessors.LockCells",
    "nbgrader.preprocessors.ClearSolutions",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.CheckCellMetadata",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.SaveCells",
    "digital_academy.assess.announce.AnnouncePublicChecks",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.CheckCellMetadata",
)


class SettingsError(ValueError):
    """A setting is wrong; the message says which and how to fix it."""


def check_course_id(course_id: str) -> str:
    if not COURSE_ID.match(course_id or ""):
        raise SettingsError(
            f"course id {course_id!r} is not valid: use lower-case words joined "
            "by hyphens, e.g. 'demo' or 'analysts-2026-spring'"
        )
    return course_id


@dataclass(frozen=True)
class Settings:
    """How grading runs. Defaults suit one machine; env vars and CLI options override."""

    gradebook_url: str | None = None  # None: SQLite in the course folder
    backend: str = "local"
    workers: int = 0  # 0: one per core
    scheduler: str | None = None  # Dask scheduler address for the dask back end
    sandbox: str = "auto"
    limits: Limits = field(default_factory=Limits)
    seed: int = 0

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "gradebook_url": os.environ.get(ENV_GRADEBOOK) or None,
            "backend": os.environ.get(ENV_BACKEND) or "local",
            "scheduler": os.environ.get(ENV_SCHEDULER) or None,
            "sandbox": os.environ.get(ENV_SANDBOX) or "auto",
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


@dataclass(frozen=True)
class CourseRun:
    """One course run's grading folders (``.academy/grading/<course_id>/``)."""

    root: Path  # the repository
    course_id: str
    gradebook_url: str | None = None

    def __post_init__(self) -> None:
        check_course_id(self.course_id)

    @property
    def folder(self) -> Path:
        return grading_dir(self.root, self.course_id)

    @property
    def exchange(self) -> Path:
        return exchange_dir(self.root)

    @property
    def db_url(self) -> str:
        return db_url(self.gradebook_url, self.course_id, self.folder)

    def path(self, step: str, *parts: str) -> Path:
        return self.folder.joinpath(step, *parts)

    @property
    def backups(self) -> Path:
        return self.folder / "backups"

    @property
    def feedback_source(self) -> Path:
        """Learner-safe copies of graded notebooks, from which feedback pages are made."""
        return self.folder / "feedback_source"


def db_url(configured: str | None, course_id: str, folder: Path) -> str:
    """The gradebook URL for a course run; a shared server needs ``{course_id}`` in its URL."""
    if not configured:
        return f"sqlite:///{folder / 'gradebook.db'}"
    if configured.startswith("sqlite"):
        return configured.replace("{course_id}", course_id)
    if "{course_id}" not in configured:
        raise SettingsError(
            f"{ENV_GRADEBOOK} must contain '{{course_id}}' (for example "
            "'postgresql+psycopg://grader@db/gradebook_{course_id}'): nbgrader assignment "
            "names are unique per database, so each course run needs its own database"
        )
    return configured.replace("{course_id}", course_id.replace("-", "_"))


def nbgrader_config(course: CourseRun, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """The traitlets config (as nested dicts) for nbgrader in this course run."""
    config: dict[str, Any] = {k: dict(v) for k, v in (base or {}).items()}
    config.setdefault("CourseDirectory", {}).update(
        root=str(course.folder), course_id=course.course_id, db_url=course.db_url
    )
    config.setdefault("Exchange", {}).update(root=str(course.exchange))
    config.setdefault("GenerateAssignment", {})["preprocessors"] = list(GENERATE_PREPROCESSORS)
    config.setdefault("NbGraderAPI", {})["log_level"] = "WARN"
    return config


def config_file_text(config: dict[str, Any]) -> str:
    """``nbgrader_config.py`` for the course folder, so formgrader sees the same settings."""
    lines = [
        '"""nbgrader settings for one course run. GENERATED by `academy assess`: do not edit."""',
        "",
        "c = get_config()  # noqa: F821",
    ]
    for section in sorted(config):
        for key in sorted(config[section]):
            lines.append(f"c.{section}.{key} = {config[section][key]!r}")
    return "\n".join(lines) + "\n"
