"""kill -9 in the middle of a batch, then rerun: no grade lost, none recorded twice."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import psutil
import pytest

from digital_academy.assess import evidence, workflow
from digital_academy.assess.gradebook import open_gradebook
from digital_academy.assess.settings import CourseRun, Settings

from .conftest import release_notebook, submit_directly
from .factory import ASSESSMENT, HARDCODED, RIGHT, answered

pytestmark = pytest.mark.slow

LEARNERS = 24
SLOW = "import time\ntime.sleep(0.4)\n"


def _count(db: Path) -> int:
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)) as conn:
            return int(
                conn.execute(
                    "SELECT count(*) FROM academy_evidence WHERE kind = 'autograde'"
                ).fetchone()[0]
            )
    except sqlite3.OperationalError:
        return 0


def _autograde(root: Path, output: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "digital_academy.cli.main",
            "assess",
            "autograde",
            ASSESSMENT,
            "--root",
            str(root),
            "--workers",
            "2",
            "--format",
            "json",
        ],
        stdout=output,
        stderr=output,
        text=True,
    )


def test_a_killed_batch_resumes_without_losing_or_duplicating_grades(academy: Path) -> None:
    course = CourseRun(academy, "demo")
    workflow.generate(course, ASSESSMENT, Settings(), selfcheck=False)
    release = release_notebook(course, ASSESSMENT)
    expected = {}
    for n in range(LEARNERS):
        right = n % 3 != 0
        answers = dict(RIGHT if right else HARDCODED)
        answers["add-answer"] = SLOW + answers["add-answer"]
        submit_directly(course, ASSESSMENT, f"learner{n:02d}", answered(release, answers))
        expected[f"learner{n:02d}"] = 3.0 if right else 1.0
    db = course.folder / "gradebook.db"

    first = _autograde(academy, subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while _count(db) < 4 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert first.poll() is None, "the batch finished before it could be killed"
    # everything the grader started: pool workers, their zygotes, jails and kernels
    family = psutil.Process(first.pid).children(recursive=True)
    assert family
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    recorded_before = _count(db)

    def left_behind() -> list[psutil.Process]:
        alive = []
        for p in family:
            with contextlib.suppress(psutil.NoSuchProcess):  # it may end while we look
                if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                    alive.append(p)
        return alive

    deadline = time.monotonic() + 15
    while left_behind() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert left_behind() == []
    assert 4 <= recorded_before < LEARNERS

    second = _autograde(academy, subprocess.PIPE)
    out, err = second.communicate(timeout=600)
    assert second.returncode == 0, err
    rows = json.loads(out)["rows"]
    statuses = [r["status"] for r in rows]
    assert statuses.count("skipped") == recorded_before
    assert statuses.count("graded") == LEARNERS - recorded_before

    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        per_learner = dict(
            conn.execute(
                "SELECT student, count(*) FROM academy_evidence WHERE kind = 'autograde' "
                "GROUP BY student"
            ).fetchall()
        )
    assert per_learner == dict.fromkeys(expected, 1)
    with open_gradebook(course) as gb:
        chain = evidence.verify_chain(gb.db.connection())
        assert chain.problems == ()
        scores = {
            s: float(gb.find_submission_notebook(ASSESSMENT, ASSESSMENT, s).score) for s in expected
        }
    assert scores == expected
    assert len(list(course.backups.glob("gradebook-*autograde*.db"))) == 2
    for learner in expected:
        assert course.path("autograded", learner, ASSESSMENT, f"{ASSESSMENT}.ipynb").is_file()
