"""`academy up | down | status`: bad input refused up front, clean starts and stops."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from click.testing import CliRunner

from digital_academy.cli.main import cli
from digital_academy.hub import runner

from .conftest import start_hub
from .factory import make_academy, random_network

ACADEMY = [sys.executable, "-m", "digital_academy.cli.main"]


def _up(root: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["up", "--detach", "--root", str(root)])
    return result.exit_code, result.output


def _nothing_started(root: Path) -> None:
    assert not (root / ".academy/hub/run.json").exists()
    assert runner.running_pid(root) is None


@pytest.mark.parametrize(
    ("settings_text", "expected"),
    [
        ("network: [1, 2", "not valid YAML"),
        ("network:\n  port: 80\n", "field network.port"),
        ("spawner:\n  kind: docker\n", "field spawner.kind"),
        ("colour: blue\n", "field colour"),
        ("auth:\n  kind: entra-id\n", "field auth.entra-id.tenant_id"),
        ("courses:\n  - id: a\n  - id: a\n", "course ids must be unique"),
    ],
)
def test_invalid_settings_file(tmp_path: Path, settings_text: str, expected: str) -> None:
    root = make_academy(tmp_path, random_network())
    (root / "hub_config/academy.yml").write_text(settings_text)
    code, output = _up(root)
    assert code == 1
    assert "hub_config/academy.yml" in output and expected in output, output
    assert "Traceback" not in output
    _nothing_started(root)


def test_port_in_use(tmp_path: Path) -> None:
    network = random_network()
    root = make_academy(tmp_path, network)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", network["port"]))
        busy.listen()
        code, output = _up(root)
    assert code == 1
    assert f"port {network['port']}" in output and "already in use" in output, output
    _nothing_started(root)


def test_books_not_built(tmp_path: Path) -> None:
    root = make_academy(tmp_path, random_network())
    (root / "book/_build/site/index.html").unlink()
    code, output = _up(root)
    assert code == 1 and "books are not built" in output and "academy build" in output
    _nothing_started(root)


def test_missing_content(tmp_path: Path) -> None:
    root = make_academy(tmp_path, random_network())
    for notebook in (root / "courses").rglob("*.ipynb"):
        notebook.unlink()
    code, output = _up(root)
    assert code == 1 and "no course modules" in output, output
    _nothing_started(root)


def test_broken_catalogue(tmp_path: Path) -> None:
    root = make_academy(tmp_path, random_network())
    (root / "specialist_academies/roles.yml").write_text("- id: [broken\n")
    code, output = _up(root)
    assert code == 1 and "academy check" in output, output
    _nothing_started(root)


def test_status_and_down_when_nothing_runs(tmp_path: Path) -> None:
    root = make_academy(tmp_path, random_network())
    result = CliRunner().invoke(cli, ["status", "--root", str(root)])
    assert result.exit_code == 1 and "not running" in result.output
    result = CliRunner().invoke(cli, ["down", "--root", str(root)])
    assert result.exit_code == 0 and "was not running" in result.output


def _alive(hub_id: str) -> list[int]:
    return [p.pid for p in runner.academy_processes(hub_id)]


@pytest.mark.slow
def test_foreground_up_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    root = make_academy(tmp_path, random_network())
    env = {**os.environ, "ACADEMY_ROOT": str(root)}
    env.pop("ACADEMY_STATE_DIR", None)
    up = subprocess.Popen(
        [*ACADEMY, "up"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 180
        while runner.status(root).running is False:
            assert up.poll() is None, up.stdout.read() if up.stdout else ""
            assert time.monotonic() < deadline, "the academy did not come up"
            time.sleep(1)
        record = runner.read_record(root)
        assert record is not None
        with pytest.raises(RuntimeError, match="already running"):
            try:
                runner.start(
                    root,
                    __import__("digital_academy.hub.settings", fromlist=["x"]).load_settings(root),
                    say=lambda _m: None,
                )
            except Exception as exc:
                raise RuntimeError(str(exc)) from exc
        status = subprocess.run(
            [*ACADEMY, "status", "--format", "json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        report = json.loads(status.stdout)
        assert status.returncode == 0 and report["healthy"], report
        assert _alive(record.hub_id), "no academy processes found while running"
        up.send_signal(signal.SIGINT)  # Ctrl-C
        output, _ = up.communicate(timeout=60)
    finally:
        if up.poll() is None:
            up.kill()
            runner.stop(root, say=lambda _m: None)
    assert up.returncode == 0, output
    assert "The academy is running" in output and "learner1" in output and "/hub/login" in output
    assert "no academy processes left running" in output
    assert _alive(record.hub_id) == []
    assert runner.running_pid(root) is None


@pytest.mark.slow
def test_down_sweeps_even_after_the_hub_was_killed(tmp_path: Path) -> None:
    root = make_academy(tmp_path, random_network())
    hub = start_hub(root)
    try:
        hub.spawn("learner1")
        server_pids = set(_alive(hub.record.hub_id)) - {hub.record.pid}
        assert len(server_pids) >= 4  # proxy, books, formgrader, learner1's server
        os.kill(hub.record.pid, signal.SIGKILL)  # a crash: no clean-up by the hub
        psutil.Process(hub.record.pid).wait(timeout=10)
        assert set(_alive(hub.record.hub_id)) & server_pids, "expected orphans to sweep"
        result = CliRunner().invoke(cli, ["down", "--root", str(root)])
        assert result.exit_code == 0, result.output
        assert "leftover" in result.output
        assert _alive(hub.record.hub_id) == []
    finally:
        runner.stop(root, say=lambda _m: None)


@pytest.mark.slow
def test_a_failed_start_shows_its_real_cause(tmp_path: Path) -> None:
    root = make_academy(tmp_path, random_network())
    # As root, a server without --allow-root refuses to start (the hub alone says "500").
    # Not as root, a missing folder makes the same kind of failure.
    extra = (
        "c.DemoSpawner.allow_root = False\n"
        if os.geteuid() == 0
        else "c.Spawner.notebook_dir = '/nonexistent/academy-test'\n"
    )
    hub = start_hub(root, extra_config=extra)
    try:
        res = hub.api("POST", "users/learner1/server")
        deadline = time.monotonic() + 60
        model = hub.api("GET", "users/learner1").json()
        while model["pending"] and time.monotonic() < deadline:
            time.sleep(0.5)
            model = hub.api("GET", "users/learner1").json()
        assert model["server"] is None
        log = (root / ".academy/hub/hub.log").read_text()
        cause = "allow-root" if os.geteuid() == 0 else "No such"
        assert "learner1's server exited while starting" in log
        line = next(x for x in log.splitlines() if "exited while starting" in x)
        assert cause.lower() in line.lower(), line
        assert res.status in (201, 202, 500)
    finally:
        runner.stop(root, say=lambda _m: None)
