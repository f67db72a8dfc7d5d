"""A real hub on random loopback ports, driven through its REST API, for the slow tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from tests.support_hub import Response, send, spawn

from digital_academy.hub import runner
from digital_academy.hub.builders import ADMIN_TOKEN
from digital_academy.hub.settings import load_settings

from .factory import make_academy, random_network

REPO = Path(__file__).resolve().parents[2]


@dataclass
class LiveHub:
    root: Path
    record: runner.RunRecord
    secrets: dict[str, str]
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.record.url

    def request(
        self, method: str, url: str, token: str | None = None, body: Any = None
    ) -> Response:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, method=method)
        if token:
            req.add_header("Authorization", f"token {token}")
        return send(req, timeout=60)

    def api(self, method: str, path: str, body: Any = None, token: str | None = None) -> Response:
        return self.request(method, self.record.api_url + path, token or self.admin, body)

    @property
    def admin(self) -> str:
        return self.secrets[ADMIN_TOKEN]

    def token(self, user: str) -> str:
        """An API token of ``user``'s own (with exactly that user's permissions)."""
        if user not in self.tokens:
            res = self.api("POST", f"users/{user}/tokens", {"note": "test"})
            assert res.status == 201, res.body
            self.tokens[user] = res.json()["token"]
        return self.tokens[user]

    def spawn(self, user: str, timeout: float = 120) -> None:
        spawn(self.api, user, timeout)

    def post_form(self, path: str, user: str, form: dict[str, str]) -> Response:
        req = urllib.request.Request(
            self.url + path.lstrip("/"), method="POST", data=urllib.parse.urlencode(form).encode()
        )
        req.add_header("Authorization", f"token {self.token(user)}")
        req.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with urllib.request.urlopen(req, timeout=120) as res:
                return Response(res.status, res.read(), dict(res.headers))
        except urllib.error.HTTPError as exc:
            return Response(exc.code, exc.read(), dict(exc.headers))

    def release(self, assignment: str, course_id: str = "demo") -> None:
        """What a tutor does in formgrader, with the real nbgrader command line."""
        state = self.root / ".academy"
        if (state / "exchange" / course_id / "outbound" / assignment).exists():
            return
        common = [
            f"--CourseDirectory.root={state / 'grading' / course_id}",
            f"--CourseDirectory.course_id={course_id}",
            f"--Exchange.root={state / 'exchange'}",
        ]
        for step in ("generate_assignment", "release_assignment"):
            done = subprocess.run(
                [sys.executable, "-m", "nbgrader", step, assignment, *common],
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            assert done.returncode == 0, done.stderr[-2000:]

    def get(self, path: str, user: str | None = None) -> Response:
        return self.request("GET", self.url + path.lstrip("/"), self.token(user) if user else None)


def start_hub(root: Path, extra_config: str = "") -> LiveHub:
    record, secrets, _warnings = runner.start(
        root, load_settings(root), say=lambda _m: None, extra_config=extra_config
    )
    return LiveHub(root, record, secrets)


@pytest.fixture(scope="session", autouse=True)
def _own_state_dir() -> None:
    # Each test academy keeps its state beside it, never in a developer's configured folder.
    os.environ.pop("ACADEMY_STATE_DIR", None)


@pytest.fixture(scope="session")
def live_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    root = make_academy(tmp_path_factory.mktemp("academy"), random_network())
    hub = start_hub(root)
    try:
        yield hub
    finally:
        runner.stop(root, say=lambda _m: None)
