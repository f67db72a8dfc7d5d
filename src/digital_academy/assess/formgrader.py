"""Run nbgrader's formgrader for one course run on 127.0.0.1, for manual grading.

In the hub, formgrader runs as a per-course service (see the hub docs); this is the same server
for a tutor's own machine and for tests. Its "autograde" button is switched off by the
course folder's config (see ``nbgrader_api.REFUSING_AUTOGRADE``).
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from . import nbgrader_api
from .settings import CourseRun

EXTENSIONS = {
    "nbgrader.server_extensions.formgrader": True,
    "nbgrader.server_extensions.assignment_list": False,
    "nbgrader.server_extensions.course_list": False,
    "nbgrader.server_extensions.validate_assignment": False,
    "nbgitpuller": False,
    "jupyter_lsp": False,
    "jupyter_server_terminals": False,
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Formgrader:
    process: subprocess.Popen[bytes]
    url: str
    token: str
    log: Path

    def api(self, path: str, method: str = "GET", body: object = None) -> object:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.url}formgrader/api/{path}",
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start(course: CourseRun, port: int = 0, timeout: float = 60.0) -> Formgrader:
    """Start formgrader for the course run and wait until it answers."""
    nbgrader_api.write_course_config(course)
    config_dir = course.folder / ".formgrader"
    config_dir.mkdir(exist_ok=True)
    (config_dir / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": EXTENSIONS}}), "utf-8"
    )
    port = port or free_port()
    token = secrets.token_hex(24)
    log = config_dir / "server.log"
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config_dir)}
    scripts = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([scripts, env.get("PATH", "")])
    root_flag = ["--allow-root"] if os.geteuid() == 0 else []  # e.g. a tutor's container
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyter_server",
                *root_flag,
                "--ip=127.0.0.1",
                f"--port={port}",
                "--no-browser",
                f"--ServerApp.root_dir={course.folder}",
                f"--IdentityProvider.token={token}",
                "--ServerApp.port_retries=0",
            ],
            cwd=course.folder,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    server = Formgrader(process, f"http://127.0.0.1:{port}/", token, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"formgrader exited; see {log}")
        try:
            server.api("assignments")
            return server
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"formgrader did not answer within {timeout:.0f} s; see {log}")
