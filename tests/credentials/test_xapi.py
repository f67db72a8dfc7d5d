"""xAPI statements (checked against the spec's structure) and delivery to a real LRS
stand-in: an HTTP server on 127.0.0.1 that fails before it succeeds."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from tests.support import run

from digital_academy.catalog import load_valid
from digital_academy.credentials.lrs import delivered, enqueue, pending, queue_dir, send
from digital_academy.credentials.settings import Lrs
from digital_academy.credentials.xapi import VERBS, problems, statements
from digital_academy.journeys.progress import load_records

SCHEMA = json.loads((Path(__file__).parent / "xapi_statement.schema.json").read_text("utf-8"))
BASE = "https://academy.example"


class FakeLrs(ThreadingHTTPServer):
    """Fails the first ``failures`` requests with ``status``, then stores statements."""

    def __init__(self, failures: int, status: int = 503) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.failures = failures
        self.status = status
        self.requests: list[dict[str, Any]] = []
        self.stored: dict[str, dict[str, Any]] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/xapi"


class Handler(BaseHTTPRequestHandler):
    server: FakeLrs

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(
            {
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body,
            }
        )
        if len(self.server.requests) <= self.server.failures:
            self.send_response(self.server.status)
            self.end_headers()
            return
        for st in body:
            jsonschema.validate(st, SCHEMA)
            self.server.stored[st["id"]] = st
        answer = json.dumps([st["id"] for st in body]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass


@pytest.fixture
def lrs_factory() -> Iterator[Any]:
    servers: list[tuple[FakeLrs, threading.Thread]] = []

    def start(failures: int, status: int = 503) -> FakeLrs:
        server = FakeLrs(failures, status)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        return server

    yield start
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def state(root: Path) -> Path:
    return root.parent / "state"


def all_statements(root: Path) -> list[dict[str, Any]]:
    run("progress", "record", "--root", str(root), "--learner", "learner1", "--module", "mod-b",
        "--event", "launched", "--at", "2026-11-21T09:00:00Z")  # fmt: skip
    run("progress", "record", "--root", str(root), "--learner", "learner1", "--module", "mod-b",
        "--minutes", "20", "--score", "0.75", "--at", "2026-11-21T09:20:00Z")  # fmt: skip
    return statements(load_valid(root), load_records(state(root)), BASE)


def test_statements_follow_the_xapi_structure(root: Path) -> None:
    found = all_statements(root)
    for st in found:
        jsonschema.validate(st, SCHEMA)
        assert problems(st) == []
    verbs = [st["verb"]["id"] for st in found]
    assert verbs == [VERBS["passed"], VERBS["failed"], VERBS["launched"], VERBS["completed"]]
    passed = found[0]
    assert passed["result"] == {
        "completion": True, "duration": "PT25M", "score": {"scaled": 0.9}, "success": True,
    }  # fmt: skip
    assert passed["object"]["id"] == f"{BASE}/assessments/check-a"
    parents = [a["id"] for a in passed["context"]["contextActivities"]["parent"]]
    assert parents == [f"{BASE}/modules/mod-a", f"{BASE}/courses/course-a"]
    assert found[1]["result"]["success"] is False
    assert "result" not in found[2]
    assert len({st["id"] for st in found}) == 4


def test_the_validator_and_the_schema_agree_on_broken_statements(root: Path) -> None:
    good = all_statements(root)[0]
    broken = [
        {k: v for k, v in good.items() if k != "verb"},
        {**good, "actor": {"name": "x"}},
        {**good, "actor": {"mbox": "learner@example.org"}},
        {**good, "result": {"score": {"scaled": 1.5}}},
        {**good, "result": {"duration": "20 minutes"}},
        {**good, "object": {"id": "not an iri"}},
        {**good, "id": "123"},
    ]
    for st in broken:
        assert problems(st), st
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(st, SCHEMA)


def test_export_as_json_lines(root: Path, tmp_path: Path) -> None:
    all_statements(root)
    out = tmp_path / "statements.jsonl"
    code, _, _ = run("progress", "xapi", "--root", str(root), "--out", str(out))
    assert code == 0
    lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert len(lines) == 4
    for st in lines:
        jsonschema.validate(st, SCHEMA)


@pytest.mark.slow
def test_retry_until_the_lrs_recovers(root: Path, lrs_factory: Any) -> None:
    server = lrs_factory(failures=2)
    found = all_statements(root)
    assert enqueue(state(root), found) == 4
    assert enqueue(state(root), found) == 0  # already queued
    sleeps: list[float] = []
    lrs = Lrs(url=server.url, attempts=4, backoff_seconds=0.5, batch_size=3)
    report = send(state(root), lrs, "key:secret", sleep=sleeps.append)
    assert report.error is None and report.sent == 4 and report.remaining == 0
    assert sleeps == [0.5, 1.0]  # two failures, exponential back-off
    assert len(server.requests) == 4  # 2 failed + 2 batches (3 + 1)
    assert set(server.stored) == {st["id"] for st in found}
    headers = server.requests[-1]["headers"]
    assert server.requests[-1]["path"] == "/xapi/statements"
    assert headers["x-experience-api-version"] == "1.0.3"
    assert headers["authorization"] == "Basic " + base64.b64encode(b"key:secret").decode()
    assert pending(state(root)) == [] and delivered(state(root)) == set(server.stored)
    assert enqueue(state(root), found) == 0  # delivered: never queued again


@pytest.mark.slow
def test_nothing_is_lost_while_the_lrs_is_down(root: Path, lrs_factory: Any) -> None:
    server = lrs_factory(failures=100)
    found = all_statements(root)
    enqueue(state(root), found)
    report = send(
        state(root), Lrs(url=server.url, attempts=3, backoff_seconds=0), sleep=lambda s: None
    )
    assert report.sent == 0 and report.remaining == 4 and report.error == "LRS answered HTTP 503"
    assert len(server.requests) == 3
    assert {st["id"] for _, st in pending(state(root))} == {st["id"] for st in found}
    server.failures = 0  # back up: the same queue goes through
    report = send(
        state(root), Lrs(url=server.url, attempts=3, backoff_seconds=0), sleep=lambda s: None
    )
    assert report.sent == 4 and set(server.stored) == {st["id"] for st in found}


@pytest.mark.slow
def test_a_client_error_is_not_retried(root: Path, lrs_factory: Any) -> None:
    server = lrs_factory(failures=100, status=400)
    enqueue(state(root), all_statements(root))
    report = send(
        state(root), Lrs(url=server.url, attempts=5, backoff_seconds=0), sleep=lambda s: None
    )
    assert len(server.requests) == 1 and report.error == "LRS answered HTTP 400"
    assert len(pending(state(root))) == 4


@pytest.mark.slow
def test_unreachable_lrs(root: Path, lrs_factory: Any) -> None:
    server = lrs_factory(failures=0)
    url = server.url
    server.shutdown()
    server.server_close()
    enqueue(state(root), all_statements(root))
    report = send(state(root), Lrs(url=url, attempts=2, backoff_seconds=0), sleep=lambda s: None)
    assert report.error is not None and "cannot reach the LRS" in report.error
    assert len(pending(state(root))) == 4


@pytest.mark.slow
def test_send_command(
    root: Path, tmp_path: Path, lrs_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = lrs_factory(failures=1)
    settings = tmp_path / "credentials.yml"
    settings.write_text(
        yaml.safe_dump({"lrs": {"url": server.url, "backoff_seconds": 0.01}}), "utf-8"
    )
    monkeypatch.setenv("ACADEMY_CREDENTIALS_SETTINGS", str(settings))
    monkeypatch.setenv("ACADEMY_LRS_AUTH", "key:secret")
    code, out, err = run("progress", "send", "--root", str(root))
    assert code == 0, err
    assert "queued 2 new; sent 2 in 2 request(s); 0 still queued" in out
    assert len(server.stored) == 2
    # an LRS that is down: non-zero exit, the statement stays queued
    run("progress", "record", "--root", str(root), "--learner", "learner1", "--module", "mod-b")
    server.failures = 100
    code, _, err = run("progress", "send", "--root", str(root))
    assert code == 1 and "LRS answered HTTP 503; the 1 queued statement(s) are kept" in err
    assert len(list(queue_dir(state(root)).glob("*.json"))) == 1
    code, _, err = run("progress", "send", "--root", str(root), "--lrs", "ftp://nope")
    assert code == 1 and "--lrs" in err
