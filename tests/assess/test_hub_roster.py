"""The cohort from a real JupyterHub's group ``learners-<course>`` (loopback, random ports)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from digital_academy.assess.formgrader import free_port
from digital_academy.assess.roster import RosterError, from_hub

pytestmark = pytest.mark.slow

TOKEN = "grader-service-token-for-tests"


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("hub")
    port, api, proxy = free_port(), free_port(), free_port()
    (folder / "jupyterhub_config.py").write_text(
        f"""
c = get_config()
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_port = {api}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy}"
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allowed_users = {{"learner1", "learner2", "learner3", "tutor1"}}
c.JupyterHub.load_groups = {{"learners-demo": {{"users": ["learner1", "learner2"]}},
                             "learners-other": {{"users": ["learner3"]}}}}
c.JupyterHub.services = [{{"name": "grader", "api_token": {TOKEN!r}}}]
c.JupyterHub.load_roles = [{{"name": "grader", "scopes": ["read:groups"],
                             "services": ["grader"]}}]
c.JupyterHub.db_url = "sqlite:///hub.sqlite"
c.JupyterHub.cookie_secret_file = "cookie"
""",
        "utf-8",
    )
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    }
    with (folder / "hub.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", "jupyterhub_config.py"],
            cwd=folder,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    api_url = f"http://127.0.0.1:{api}/hub/api"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{api_url}/", timeout=5):
                    break
            except (urllib.error.URLError, OSError):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterHub did not start: {(folder / 'hub.log').read_text()}")
                time.sleep(0.3)
        yield api_url
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_the_cohort_is_the_course_runs_learner_group(hub: str) -> None:
    assert [x.id for x in from_hub(hub, TOKEN, "demo")] == ["learner1", "learner2"]
    assert [x.id for x in from_hub(hub, TOKEN, "other")] == ["learner3"]


def test_hub_errors_are_clear(hub: str) -> None:
    with pytest.raises(RosterError, match="group 'learners-nope' exists"):
        from_hub(hub, TOKEN, "nope")
    with pytest.raises(RosterError, match="the hub refused"):
        from_hub(hub, "wrong-token", "demo")
    with pytest.raises(RosterError, match="must start with http"):
        from_hub("file:///etc", TOKEN, "demo")
    assert json.dumps([x.id for x in from_hub(hub + "/", TOKEN, "demo")])
