"""One OS user per learner: a run's exchange folder is closed to learners of other runs.

The hub's course check (``nbgrader_auth``) runs in the learner's own server, which the
learner controls. With one OS user per learner the exchange's folder modes, owners and one
OS group per run are the boundary, checked here by the kernel itself: each probe runs a
process with the learner's own uid and groups, exactly what their notebook kernel is.
Needs root (CI runs as root) to create OS users and groups.
"""

from __future__ import annotations

import datetime as dt
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from digital_academy.enrolment.builders import os_group
from digital_academy.enrolment.hubrun import apply_exchange
from digital_academy.enrolment.model import CourseRun
from digital_academy.hub.spawners import ensure_system_user

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0, reason="creating OS users needs root (CI runs as root)"),
]
# Names of our own, so parallel hub tests that create learner1 etc. are not disturbed.
LEARNERS = ("enr-l1", "enr-l2", "enr-l3")
RUNS = (
    CourseRun(
        id="enr-a",
        academy="data",
        title="A",
        starts=dt.date(2026, 9, 1),
        ends=dt.date(2026, 12, 1),
        learners=("enr-l1", "enr-l2"),
    ),
    CourseRun(
        id="enr-b",
        academy="safety",
        title="B",
        starts=dt.date(2026, 9, 1),
        ends=dt.date(2026, 12, 1),
        learners=("enr-l2", "enr-l3"),
    ),
)
PYTHON = "/usr/bin/python3"


@pytest.fixture(scope="module")
def exchange() -> Iterator[Path]:
    if not Path(PYTHON).exists() or shutil.which("groupadd") is None:
        pytest.skip("needs /usr/bin/python3 and groupadd")
    made = [u for u in (*LEARNERS, "grader-enr-a", "grader-enr-b") if not _exists(u)]
    for user in (*LEARNERS, "grader-enr-a", "grader-enr-b"):
        ensure_system_user(user)
    # Outside root's private temporary folder, so other OS users can reach it at all.
    state = Path(tempfile.mkdtemp(prefix="academy-enr-", dir="/tmp"))
    state.chmod(0o755)
    old = os.environ.get("ACADEMY_STATE_DIR")
    os.environ["ACADEMY_STATE_DIR"] = str(state)
    try:
        apply_exchange(state.parent, RUNS, system_users=True)
        outbound = state / "exchange/enr-b/outbound/times-two"
        outbound.mkdir()
        (outbound / "times-two.ipynb").write_text('{"secret": "run B work"}')
        for path in (outbound, outbound / "times-two.ipynb"):
            os.chown(path, pwd.getpwnam("grader-enr-b").pw_uid, -1)
        yield state / "exchange"
    finally:
        if old is None:
            os.environ.pop("ACADEMY_STATE_DIR", None)
        else:
            os.environ["ACADEMY_STATE_DIR"] = old
        shutil.rmtree(state)
        for run in RUNS:
            subprocess.run(["groupdel", os_group(run.id)], check=False, capture_output=True)
        for user in made:
            subprocess.run(["userdel", "--remove", user], check=False, capture_output=True)


def _exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
    except KeyError:
        return False
    return True


def as_learner(user: str, code: str) -> subprocess.CompletedProcess[str]:
    entry = pwd.getpwnam(user)

    def drop() -> None:
        os.initgroups(user, entry.pw_gid)
        os.setgid(entry.pw_gid)
        os.setuid(entry.pw_uid)

    return subprocess.run(
        [PYTHON, "-c", code],
        capture_output=True,
        text=True,
        timeout=30,
        preexec_fn=drop,
        cwd="/",
        env={"HOME": entry.pw_dir},
        check=False,
    )


PROBES = {
    "list the run's folder": "import os; print(os.listdir({run!r}))",
    "list its outbound": "import os; print(os.listdir({run!r} + '/outbound'))",
    "read a released notebook": "print(open({run!r} + '/outbound/times-two/times-two.ipynb')"
    ".read())",
    "submit into its inbound": "import os; os.mkdir({run!r} + '/inbound/x+times-two+t')",
    "read its feedback folder": "import os; print(os.listdir({run!r} + '/feedback'))",
}


@pytest.mark.parametrize("probe", sorted(PROBES))
def test_a_learner_of_run_a_cannot_touch_run_b(exchange: Path, probe: str) -> None:
    done = as_learner("enr-l1", PROBES[probe].format(run=str(exchange / "enr-b")))
    assert done.returncode != 0, done.stdout
    assert "PermissionError" in done.stderr, done.stderr
    assert "run B work" not in done.stdout


def test_learners_of_run_b_fetch_and_submit_there(exchange: Path) -> None:
    run = str(exchange / "enr-b")
    for user in ("enr-l2", "enr-l3"):
        read = as_learner(user, PROBES["read a released notebook"].format(run=run))
        assert read.returncode == 0 and "run B work" in read.stdout, read.stderr
        submit = f"import os; os.mkdir({run!r} + '/inbound/{user}+times-two+t1')"
        assert as_learner(user, submit).returncode == 0
    # ... but cannot list the inbound, so no learner sees another's submission.
    peek = as_learner("enr-l3", f"import os; print(os.listdir({run!r} + '/inbound'))")
    assert peek.returncode != 0 and "PermissionError" in peek.stderr


def test_withdrawing_closes_the_folder(exchange: Path) -> None:
    left = (RUNS[0], RUNS[1].model_copy(update={"learners": ("enr-l2",)}))
    apply_exchange(exchange.parent.parent, left, system_users=True)
    done = as_learner("enr-l3", f"import os; print(os.listdir({str(exchange / 'enr-b')!r}))")
    assert done.returncode != 0 and "PermissionError" in done.stderr
    apply_exchange(exchange.parent.parent, RUNS, system_users=True)
