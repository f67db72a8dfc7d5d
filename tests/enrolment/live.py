"""A real hub on loopback serving two course runs, and a small client to drive it."""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support_hub import Response, send, spawn

from digital_academy.catalog import load_valid
from digital_academy.enrolment import hubrun, ops
from digital_academy.enrolment.model import AssignmentPlan
from digital_academy.enrolment.store import Store
from digital_academy.hub import runner
from digital_academy.hub.builders import ADMIN_TOKEN
from digital_academy.hub.settings import load_settings
from digital_academy.hub.state import load_secrets

from .factory import make_academy, random_network

PEOPLE = {"tutor-a", "tutor-b", "learner1", "learner2", "learner3"}
DUE_A = dt.datetime(2026, 10, 30, 17, 0, tzinfo=dt.UTC)
DUE_B = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


@dataclass
class Hub:
    root: Path
    url: str
    api_url: str
    admin: str
    tokens: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        url: str,
        token: str | None = None,
        body: Any = None,
        form: dict[str, str] | None = None,
    ) -> Response:
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
        elif body is not None:
            data = json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method)
        if token:
            req.add_header("Authorization", f"token {token}")
        if form is not None:
            req.add_header("Content-Type", "application/x-www-form-urlencoded")
        return send(req, timeout=120)

    def api(self, method: str, path: str, body: Any = None, user: str | None = None) -> Response:
        token = self.token(user) if user else self.admin
        return self.request(method, self.api_url + path, token, body)

    def token(self, user: str) -> str:
        if user not in self.tokens:
            res = self.api("POST", f"users/{user}/tokens", {"note": "enrolment test"})
            assert res.status == 201, res.body
            self.tokens[user] = res.json()["token"]
        return self.tokens[user]

    def get(self, path: str, user: str | None = None) -> Response:
        return self.request("GET", self.url + path.lstrip("/"), self.token(user) if user else None)

    def post(self, path: str, user: str, form: dict[str, str]) -> Response:
        return self.request("POST", self.url + path.lstrip("/"), self.token(user), form=form)

    def spawn(self, user: str, timeout: float = 180) -> None:
        spawn(self.api, user, timeout)

    def home(self, user: str) -> Path:
        return self.root / ".academy/homes" / user


def make_two_runs(root: Path) -> Path:
    """run-a (academy data, add-up): tutor-a, learner1, learner2.
    run-b (academy safety, times-two): tutor-b, learner2, learner3."""
    make_academy(root, random_network())
    catalog = load_valid(root)
    store = Store(root)
    common = {"starts": dt.date(2026, 9, 1), "ends": dt.date(2026, 12, 18)}
    ops.create_course(
        store,
        catalog,
        PEOPLE,
        course_id="run-a",
        academy="data",
        title="Data analysis, autumn",
        tutors=("tutor-a",),
        assignments=(AssignmentPlan(id="add-up", due=DUE_A),),
        **common,
    )
    ops.create_course(
        store,
        catalog,
        PEOPLE,
        course_id="run-b",
        academy="safety",
        title="Clinical safety, autumn",
        tutors=("tutor-b",),
        assignments=(AssignmentPlan(id="times-two", due=DUE_B),),
        **common,
    )
    ops.enrol(store, "run-a", PEOPLE, usernames=["learner1", "learner2"])
    ops.enrol(store, "run-b", PEOPLE, usernames=["learner2", "learner3"])
    return root


def start(root: Path) -> Hub:
    # Generous: CI machines are shared, and a loaded one starts servers slowly.
    started = hubrun.start(root, load_settings(root), say=lambda _m: None, timeout=600)
    record = started.record
    return Hub(root, record.url, record.api_url, load_secrets(root)[ADMIN_TOKEN])


def stop(root: Path) -> None:
    runner.stop(root, say=lambda _m: None)
