"""Concurrent commands never lose an update or leave a half-written record."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from digital_academy.catalog import load_valid
from digital_academy.enrolment import ops
from digital_academy.enrolment.store import Store, enrolment_dir

from .test_records import create

WRITER = """
import sys
from pathlib import Path
from digital_academy.enrolment import ops
from digital_academy.enrolment.csvinput import read_roster
from digital_academy.enrolment.store import Store
root, csv = Path(sys.argv[1]), Path(sys.argv[2])
ops.enrol(Store(root), "run-a", set(), rows=read_roster(csv, csv.name))
"""

CHURN = """
import datetime as dt, sys
from pathlib import Path
from digital_academy.enrolment import ops
from digital_academy.enrolment.store import Store
store = Store(Path(sys.argv[1]))
print("ready", flush=True)
while True:
    ops.enrol(store, "run-a", {"learner1"}, usernames=["learner1"])
    ops.unenrol(store, "run-a", ["learner1"], today=dt.date(2026, 10, 1))
"""


def _env(root: Path) -> dict[str, str]:
    return {**os.environ, "ACADEMY_STATE_DIR": str(root / ".academy")}


def test_parallel_enrolments_all_land(academy: Path) -> None:
    create(academy, load_valid(academy))
    procs = []
    for writer in range(6):
        csv = academy / f"batch{writer}.csv"
        csv.write_text("username\n" + "".join(f"p{writer}-{i}\n" for i in range(5)), "utf-8")
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", WRITER, str(academy), str(csv)], env=_env(academy)
            )
        )
    for proc in procs:
        assert proc.wait(timeout=120) == 0
    snap = Store(academy).snapshot()
    assert sorted(snap.course("run-a").learners) == sorted(
        f"p{w}-{i}" for w in range(6) for i in range(5)
    )
    assert len(snap.people.people) == 30


def test_a_writer_killed_mid_write_leaves_a_whole_record(academy: Path) -> None:
    create(academy, load_valid(academy))
    record = enrolment_dir(academy) / "courses/run-a.json"
    for _round in range(5):
        proc = subprocess.Popen(
            [sys.executable, "-c", CHURN, str(academy)],
            env=_env(academy),
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 0.4
        while time.monotonic() < deadline:  # readers see whole files while it writes
            json.loads(record.read_text("utf-8"))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        proc.stdout.close()
        run = Store(academy).snapshot().course("run-a")  # parses and validates
        assert run.learners in ((), ("learner1",))
    # A kill can strand a temporary file (never a damaged record); the next writer sweeps it.
    ops.enrol(Store(academy), "run-a", {"learner2"}, usernames=["learner2"])
    assert not list(record.parent.glob(".*.tmp"))
