"""`academy up` serves the course runs recorded with `academy course`, and `academy down` ends
every process it started: the real command line, a real hub on loopback, in a tmp project.
The config and Helm values naming the runs' people go to the state folder, not the repo."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import psutil
import pytest
import yaml
from tests.hub.test_cli import ACADEMY, _alive

from digital_academy.hub import runner
from digital_academy.hub.builders import ADMIN_TOKEN
from digital_academy.hub.files import generated_files, write_generated
from digital_academy.hub.settings import load_settings
from digital_academy.hub.state import load_secrets
from digital_academy.paths import state_dir

from .factory import make_academy, random_network
from .live import Hub

pytestmark = pytest.mark.slow


def academy(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    done = subprocess.run(
        [*ACADEMY, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"academy {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stdout + done.stderr
    return done.stdout


def _files(folder: Path) -> dict[str, bytes]:
    files = (p for p in folder.rglob("*") if p.is_file())
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in files}


def _alive_pids(pids: set[int], started: dict[int, float]) -> set[int]:
    """Those of ``pids`` still running as the same process (a pid may be reused)."""
    alive = set()
    for pid in pids:
        try:
            if psutil.Process(pid).create_time() == started[pid]:
                alive.add(pid)
        except psutil.NoSuchProcess:
            continue
    return alive


def test_up_serves_the_recorded_runs_and_down_stops_everything(tmp_path: Path) -> None:
    root = make_academy(tmp_path / "academy", random_network())
    env = {**os.environ, "ACADEMY_ROOT": str(root)}
    env.pop("ACADEMY_STATE_DIR", None)
    # tutor1, learner1 and learner2 are named in the hub settings; the others come from a CSV.
    dates = ("--starts", "2026-09-01", "--ends", "2026-12-18")
    academy(env, "course", "create", "run-a", "--academy", "data", "--title", "Data A", *dates,
            "--tutor", "tutor1", "--assignment", "add-up@2026-10-30")  # fmt: skip
    academy(env, "course", "create", "run-b", "--academy", "safety", "--title", "Safety B",
            *dates, "--assignment", "times-two@2026-11-20")  # fmt: skip
    roster = tmp_path / "cohort.csv"
    roster.write_text("username,role,first_name\nlearner3,learner,Asha\ntutor2,tutor,Sam\n")
    academy(env, "course", "enrol", "run-b", "--csv", str(roster))
    academy(env, "course", "enrol", "run-a", "learner1", "learner2")
    academy(env, "course", "enrol", "run-b", "learner2")

    # As in a checkout: the repository holds the defaults built from the settings file alone.
    write_generated(root, generated_files(load_settings(root)))
    committed = _files(root / "hub_config")

    record = None
    try:
        out = academy(env, "up", "--detach", timeout=600)
        assert "The academy is running" in out and "tutor of run-b" in out, out
        assert "Helm values for a cluster: .academy/generated/helm/values.yaml" in out, out
        record = runner.read_record(root)
        assert record is not None and runner.running_pid(root) == record.pid
        # The config and values name the runs' people: the repository's copies are untouched,
        # the hub runs the copy in the state folder.
        assert _files(root / "hub_config") == committed
        private = state_dir(root) / "generated"
        assert record.hub_config == str(private / "jupyterhub_config.py")
        assert record.helm_values == str(private / "helm/values.yaml")
        hub_text = (private / "jupyterhub_config.py").read_text("utf-8")
        assert "'learners-run-b'" in hub_text and "'learner3'" in hub_text
        assert "learner3" not in (root / "hub_config/jupyterhub_config.py").read_text("utf-8")
        hub = Hub(root, record.url, record.api_url, load_secrets(root)[ADMIN_TOKEN])

        # Groups and roles come from the records (the settings' own `demo` run is replaced).
        groups = {g["name"]: g for g in hub.api("GET", "groups").json()}
        members = {name: sorted(g["users"]) for name, g in groups.items()}
        assert {k: v for k, v in members.items() if "-run-" in k} == {
            "learners-run-a": ["learner1", "learner2"],
            "tutors-run-a": ["tutor1"],
            "learners-run-b": ["learner2", "learner3"],
            "tutors-run-b": ["tutor2"],
        }
        assert not any("demo" in name for name in groups)
        assert groups["tutors-run-a"]["roles"] == ["tutor-run-a"]
        assert groups["tutors-run-b"]["roles"] == ["tutor-run-b"]
        assert "academy-courses-view" in groups["learners"]["roles"]

        # One formgrader per run and the learner view, each a running process of this hub.
        services = hub.api("GET", "services").json()
        assert {"formgrader-run-a", "formgrader-run-b", "courses"} <= set(services)
        assert "formgrader-demo" not in services
        running = set(_alive(record.hub_id))
        for name in ("formgrader-run-a", "formgrader-run-b", "courses", "books"):
            assert services[name]["pid"] in running, name
        # Only each run's tutors reach its grading service.
        assert hub.get("services/formgrader-run-b/formgrader", user="tutor1").status == 403
        assert hub.get("services/formgrader-run-a/formgrader", user="tutor1").status != 403
        # The learner view answers each person with their own runs.
        seen = hub.get("services/courses/api/me", user="learner2")
        assert seen.status == 200, seen.body
        assert sorted(r["id"] for r in seen.json()["runs"]) == ["run-a", "run-b"]
        mine = hub.get("services/courses/api/me", user="learner3").json()["runs"]
        assert [r["id"] for r in mine] == ["run-b"]
        # `academy status` checks the learner view too (up waited for it).
        status = json.loads(academy(env, "status", "--format", "json"))
        assert status["healthy"] and status["checks"]["service courses"], status
        assert status["helm_values"] == record.helm_values

        # A learner's server gets enrolment's nbgrader lines (the course check) first.
        hub.spawn("learner2")
        servers = [
            p.environ()
            for p in runner.academy_processes(record.hub_id)
            if p.environ().get("JUPYTERHUB_USER") == "learner2"
        ]
        assert servers, "learner2's server is not among the academy's processes"
        enrolment_config = str(state_dir(root) / "enrolment" / "singleuser")
        for environ in servers:
            assert environ["JUPYTER_CONFIG_PATH"].split(os.pathsep)[0] == enrolment_config

        # The Helm values written for this start serve the same records.
        values = yaml.safe_load(Path(record.helm_values).read_text("utf-8"))
        assert {"formgrader-run-a", "formgrader-run-b", "courses"} <= set(values["hub"]["services"])
        overrides = values["hub"]["config"]["KubeSpawner"]["group_overrides"]
        assert sorted(overrides) == ["academy-exchange-run-a", "academy-exchange-run-b"]
        assert values["hub"]["config"]["JupyterHub"]["load_groups"]["learners-run-b"] == {
            "users": ["learner2", "learner3"]
        }

        pids = set(_alive(record.hub_id)) | {record.pid}
        assert len(pids) >= 6  # hub, proxy, books, two formgraders, the view, a server
        started = {pid: psutil.Process(pid).create_time() for pid in pids}
        out = academy(env, "down", timeout=180)
        assert "no academy processes left running" in out, out
        assert _alive_pids(pids, started) == set()
        assert _alive(record.hub_id) == []
        assert runner.running_pid(root) is None
    finally:
        if record is not None and runner.running_pid(root) is not None:
            runner.stop(root, say=lambda _m: None)
