"""The gradebook on a real PostgreSQL server (Debian's package), started on a loopback port."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from digital_academy.assess import evidence, export, workflow
from digital_academy.assess.batch import autograde
from digital_academy.assess.formgrader import free_port
from digital_academy.assess.gradebook import open_gradebook
from digital_academy.assess.manual import set_grade
from digital_academy.assess.settings import CourseRun, Settings
from digital_academy.assess.verify import verify

from .conftest import release_notebook, submit_directly
from .factory import ASSESSMENT, HARDCODED, RIGHT, answered

pytestmark = pytest.mark.slow


def _binaries() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        pytest.skip("Debian's postgresql package is not installed here")
    return Path(found[-1]).parent


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    """A throwaway server: initdb in a temporary folder, pg_ctl start/stop, trust on loopback."""
    bin_dir = _binaries()
    folder = Path(tempfile.mkdtemp(prefix="academy-pg-"))
    root = os.geteuid() == 0
    if root:  # PostgreSQL refuses to run as root: use its own system user
        shutil.chown(folder, "postgres", "postgres")

    def run(*args: object) -> None:
        command = [str(a) for a in args]
        if root:
            subprocess.run(
                command,
                check=True,
                capture_output=True,
                timeout=120,
                user="postgres",
                group="postgres",
            )
        else:
            subprocess.run(command, check=True, capture_output=True, timeout=120)

    data, port = folder / "data", free_port()
    run(bin_dir / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "--no-sync")
    run(
        bin_dir / "pg_ctl",
        "-D",
        data,
        "-l",
        folder / "server.log",
        "-w",
        "start",
        "-o",
        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off",
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/gradebook_{{course_id}}"
    finally:
        run(bin_dir / "pg_ctl", "-D", data, "-w", "-m", "fast", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def test_grading_end_to_end_on_postgresql(academy: Path, postgres: str) -> None:
    course = CourseRun(academy, "pg-run", postgres)
    settings = Settings(gradebook_url=postgres, workers=2)
    assert course.db_url.endswith("/gradebook_pg_run")
    workflow.generate(course, ASSESSMENT, settings)
    release = release_notebook(course, ASSESSMENT)
    submit_directly(course, ASSESSMENT, "learner1", answered(release, RIGHT))
    submit_directly(
        course,
        ASSESSMENT,
        "learner2",
        answered(release, {**HARDCODED, "why-answer": "It divides by len([]), 0."}),
    )
    report = autograde(course, ASSESSMENT, settings)
    assert {r.student: r.score for r in report.rows} == {"learner1": 3.0, "learner2": 1.0}
    assert report.backup is not None and report.backup.suffix == ".json"
    assert "academy_evidence" in json.loads(report.backup.read_text())
    done = set_grade(
        course,
        ASSESSMENT,
        "learner1",
        ASSESSMENT,
        "why-answer",
        2,
        "explains the division by zero",
        "tutor1",
    )
    assert done.logged == 1
    grades = {g.student: g.final for g in export.gather(course, [ASSESSMENT])}
    assert grades == {"learner1": 5.0, "learner2": None}  # learner2 still awaits marking
    checked = verify(course, ASSESSMENT, settings, sample=2, seed=0)
    assert checked.ok, checked

    engine = create_engine(course.db_url)
    try:
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text("DELETE FROM academy_evidence"))
        with engine.begin() as conn:  # a tutor edits a grade straight in the database
            conn.execute(text("UPDATE grade SET manual_score = 1 WHERE manual_score = 2"))
    finally:
        engine.dispose()
    with open_gradebook(course) as gb:  # opening seals what the trigger recorded
        conn = gb.db.connection()
        report_chain = evidence.verify_chain(conn)
        kinds = [
            r.kind for r in conn.execute(text("SELECT kind FROM academy_evidence ORDER BY seq"))
        ]
    assert report_chain.problems == () and report_chain.unsealed == 0
    assert kinds == ["autograde", "autograde", "manual-grade", "verify", "manual-grade"]
