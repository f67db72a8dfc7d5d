"""The single-machine production profile: one OS user per learner, checked by the OS itself.

Needs root (CI runs as root) to create OS users. Each probe runs a process with the learner's
own uid, which is exactly what the learner's kernel is, and must be refused by the kernel.
"""

from __future__ import annotations

import json
import os
import pwd
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import digital_academy
from digital_academy.hub import runner

from .conftest import LiveHub, start_hub
from .factory import ASSIGNMENT, make_academy, random_network

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0, reason="creating OS users needs root (CI runs as root)"),
]
USERS = ("learner1", "learner2", "tutor1", "grader-demo")
SYSTEM_PYTHON = "/usr/bin/python3"


@contextmanager
def reachable_interpreter() -> Iterator[None]:
    """Let other users traverse to this Python and to the academy package if a folder above
    them is closed (e.g. /root, or a checkout in a private temporary folder).

    A real installation puts the academy somewhere shared (see docs/hub.md); the test machine
    may keep both under closed folders, so the test opens traversal (x only, no listing)
    for its duration and restores the exact modes afterwards.
    """
    changed: list[tuple[Path, int]] = []
    package = Path(digital_academy.__file__).resolve().parent
    for target in (Path(sys.executable).resolve(), Path(sys.base_prefix).resolve(), package):
        for folder in target.parents:
            mode = folder.stat().st_mode
            if not mode & stat.S_IXOTH:
                changed.append((folder, stat.S_IMODE(mode)))
                folder.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)
    try:
        yield
    finally:
        for folder, mode in changed:
            folder.chmod(mode)


def _as(user: str, code: str) -> subprocess.CompletedProcess[str]:
    entry = pwd.getpwnam(user)

    def drop() -> None:
        os.setgroups([])
        os.setgid(entry.pw_gid)
        os.setuid(entry.pw_uid)

    return subprocess.run(
        [SYSTEM_PYTHON, "-c", code],
        preexec_fn=drop,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd="/",
        env={"HOME": entry.pw_dir, "PATH": "/usr/bin:/bin"},
    )


def _probe(user: str, action: str, path: Path) -> str:
    code = {
        "read": f"open({str(path)!r}, 'rb').read(1)",
        "list": f"import os; os.listdir({str(path)!r})",
        "write": f"open({str(path)!r}, 'w').write('planted')",
    }[action] + "\nprint('ALLOWED')"
    done = _as(user, code)
    return "ALLOWED" if "ALLOWED" in done.stdout else done.stderr.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def production_hub() -> Iterator[LiveHub]:
    existing = {u for u in USERS if _user_exists(u)}
    base = Path(tempfile.mkdtemp(prefix="academy-prod-"))
    base.chmod(0o755)
    root = make_academy(
        base / "repo", random_network(), settings={"spawner": {"kind": "system-users"}}
    )
    with reachable_interpreter():
        hub = start_hub(root)
        try:
            yield hub
        finally:
            runner.stop(root, say=lambda _m: None)
            for user in set(USERS) - existing:
                if _user_exists(user):
                    subprocess.run(
                        ["userdel", "--remove", user], capture_output=True, check=False, timeout=60
                    )
            subprocess.run(["rm", "-rf", str(base)], check=False, timeout=60)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def test_learners_are_isolated_by_the_os(production_hub: LiveHub) -> None:
    hub = production_hub
    state = hub.root / ".academy"
    for user in ("learner1", "learner2"):
        hub.spawn(user)
        opened = hub.get(f"user/{user}/academy/open", user=user)
        assert opened.status == 302, (state / f"hub/logs/{user}.log").read_text()[-1500:]
    home1, home2 = Path(pwd.getpwnam("learner1").pw_dir), Path(pwd.getpwnam("learner2").pw_dir)
    assert stat.S_IMODE(home2.stat().st_mode) == 0o700
    assert (home2 / "academy/README.md").stat().st_uid == pwd.getpwnam("learner2").pw_uid

    # A tutor releases as the course's grader user; learner2 fetches and submits.
    grader = pwd.getpwnam("grader-demo")
    common = [
        f"--CourseDirectory.root={state / 'grading/demo'}",
        "--CourseDirectory.course_id=demo",
        f"--Exchange.root={state / 'exchange'}",
    ]
    for step in ("generate_assignment", "release_assignment"):
        done = subprocess.run(
            [
                "runuser",
                "-u",
                "grader-demo",
                "--",
                sys.executable,
                "-m",
                "nbgrader",
                step,
                ASSIGNMENT,
                *common,
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            cwd=state / "grading/demo",
            env={**os.environ, "HOME": grader.pw_dir},
        )
        assert done.returncode == 0, done.stderr[-2000:]
    for action in ("fetch", "submit"):
        res = hub.post_form(
            f"user/learner2/assignments/{action}",
            "learner2",
            {"course_id": "demo", "assignment_id": ASSIGNMENT},
        )
        assert json.loads(res.body)["success"], res.body
    inbound = state / "exchange/demo/inbound"
    submission = next(p for p in inbound.iterdir() if p.name.startswith("learner2+"))
    assert submission.stat().st_uid == pwd.getpwnam("learner2").pw_uid

    # The probe mechanism works: learner1 can read their own files.
    assert _probe("learner1", "read", home1 / "academy/README.md") == "ALLOWED"
    probes = {
        "another learner's home": ("list", home2),
        "another learner's file": ("read", home2 / "academy/README.md"),
        "another learner's fetched assignment": ("list", home2 / "demo"),
        "the exchange's submissions": ("list", inbound),
        "the gradebook": ("read", state / "grading/demo/gradebook.db"),
        "the course's grading folder": ("list", state / "grading/demo"),
        "the released source copy": (
            "read",
            state / f"grading/demo/source/{ASSIGNMENT}/{ASSIGNMENT}.ipynb",
        ),
        "the course source in the repository": (
            "read",
            hub.root / f"graders/source/{ASSIGNMENT}/{ASSIGNMENT}.ipynb",
        ),
        "the hub's secrets": ("read", state / "hub/secrets.json"),
        "the hub's database": ("read", state / "hub/jupyterhub.sqlite"),
        "plant a fake assignment": ("write", state / "exchange/demo/outbound/fake.ipynb"),
        "another learner's server log": ("read", state / "hub/logs/learner2.log"),
    }
    results = {name: _probe("learner1", action, path) for name, (action, path) in probes.items()}
    allowed = [name for name, outcome in results.items() if outcome == "ALLOWED"]
    assert not allowed, f"the OS allowed: {allowed}"
    assert all("Permission" in r or "denied" in r for r in results.values()), results
    # Nor can one learner's processes touch another's server.
    server = next(
        p for p in runner.academy_processes(hub.record.hub_id) if p.username() == "learner2"
    )
    killed = _as("learner1", f"import os; os.kill({server.pid}, 15); print('ALLOWED')")
    assert "ALLOWED" not in killed.stdout and "PermissionError" in killed.stderr
