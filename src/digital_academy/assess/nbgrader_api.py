"""nbgrader's Python API for one course run, imported once per process.

``import nbgrader`` costs about 3 s, most of it ``jsonschema`` building the grammar of the
``iri`` string format (rfc3987_syntax), which nbgrader never uses; we skip that import.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from .gradebook import ensure_database
from .settings import CourseRun, config_file_text, nbgrader_config

BASE_CONFIG = "graders/nbgrader_config.py"
#: nbgrader's autograde pipeline with its unsandboxed Execute replaced by a refusal, for the
#: course folder's config: formgrader's "autograde" button must not run learner code as the
#: tutor. Grading goes through `academy assess autograde`.
REFUSING_AUTOGRADE = [
    "digital_academy.assess.refuse.UseTheSandbox",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]


def prepare() -> None:
    """Before importing nbgrader: skip the optional ``rfc3987_syntax`` import (jsonschema's
    ``iri`` format check), and put this Python's scripts on PATH, because nbgrader runs the
    ``alembic`` command to stamp a new gradebook."""
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    scripts = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if scripts not in path.split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([scripts, path]) if path else scripts


def base_config(root: Path) -> dict[str, Any]:
    """The repository's ``graders/nbgrader_config.py`` as nested dicts."""
    from traitlets.config.loader import PyFileConfigLoader  # noqa: PLC0415

    path = root / BASE_CONFIG
    if not path.is_file():
        return {}
    loaded = PyFileConfigLoader(path.name, str(path.parent)).load_config()
    base = {section: dict(values) for section, values in loaded.items() if isinstance(values, dict)}
    base.get("CourseDirectory", {}).pop("root", None)
    return base


def course_config(course: CourseRun) -> dict[str, Any]:
    return nbgrader_config(course, base_config(course.root))


def write_course_config(course: CourseRun) -> Path:
    """``<course folder>/nbgrader_config.py`` for formgrader and nbgrader run in that folder."""
    config = course_config(course)
    config.setdefault("Autograde", {})["autograde_preprocessors"] = REFUSING_AUTOGRADE
    course.folder.mkdir(parents=True, exist_ok=True)
    path = course.folder / "nbgrader_config.py"
    path.write_text(config_file_text(config), "utf-8")
    path.chmod(0o600)
    return path


def api(course: CourseRun, **overrides: dict[str, Any]) -> Any:
    """An ``NbGraderAPI`` for the course run; ``overrides`` are extra config sections."""
    prepare()
    from nbgrader.apps import NbGraderAPI  # noqa: PLC0415
    from nbgrader.coursedir import CourseDirectory  # noqa: PLC0415
    from traitlets.config import Config  # noqa: PLC0415

    course.exchange.mkdir(parents=True, exist_ok=True)  # nbgrader checks it exists
    ensure_database(course.db_url)
    config = course_config(course)
    for section, values in overrides.items():
        config.setdefault(section, {}).update(values)
    cfg = Config(config)
    return NbGraderAPI(coursedir=CourseDirectory(config=cfg), config=cfg)


def release_feedback(course: CourseRun, assignment: str) -> dict[str, Any]:
    """``NbGraderAPI.release_feedback`` without its misspelt ``authentictor`` argument (which
    traitlets warns about, and will refuse)."""
    from nbgrader.utils import capture_log, temp_attrs  # noqa: PLC0415

    nb_api = api(course)
    with temp_attrs(nb_api.coursedir, assignment_id=assignment, student_id="*"):
        app = nb_api.exchange.ReleaseFeedback(
            coursedir=nb_api.coursedir, authenticator=nb_api.authenticator, parent=nb_api
        )
        result: dict[str, Any] = capture_log(app)
    return result


def check(result: dict[str, Any], action: str) -> str:
    """nbgrader's result dict: the log on success, a clear error otherwise."""
    log = str(result.get("log") or "")
    if result.get("success"):
        return log
    lines = [
        line for line in (str(result.get("error") or "") + "\n" + log).splitlines() if line.strip()
    ]
    detail = lines[-1] if lines else "no details"
    raise RuntimeError(f"nbgrader could not {action}: {detail}")
