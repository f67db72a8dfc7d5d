"""Learners' servers start lean: nbgrader on first use, no node call, no optional imports."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator

import psutil
import pytest

from digital_academy.hub import runner
from digital_academy.hub.lazy_nbgrader import EXTENSIONS, route

from .conftest import LiveHub, start_hub
from .factory import ASSIGNMENT, make_academy, random_network

BASE = "/user/learner1/"


def _concrete(pattern: str) -> list[str]:
    """Every path a tornado route pattern with named alternatives stands for."""
    group = re.search(r"\(\?P<\w+>([^)]*)\)", pattern)
    if not group:
        return [pattern]
    return [
        pattern[: group.start()] + choice + pattern[group.end() :] for choice in group[1].split("|")
    ]


def test_the_lazy_route_covers_every_route_of_nbgrader_learner_extensions() -> None:
    import importlib  # noqa: PLC0415

    lazy = re.compile(route(BASE))
    patterns = []
    for name in EXTENSIONS:
        handlers = importlib.import_module(f"{name}.handlers").default_handlers
        patterns += [pattern for pattern, _handler in handlers]
    assert "/assignments/validate" in patterns and "/courses" in patterns
    for pattern in patterns:
        for path in _concrete(pattern):
            assert lazy.fullmatch(BASE + path.lstrip("/")), path
    for other in ("lab", "api/contents", "assignmentsx", "formgrader", "academy/open", ""):
        assert not lazy.fullmatch(BASE + other), other


_PROBE = """
import json, resource, sys
from digital_academy.hub import singleuser
if sys.argv[1] == "lean":
    singleuser.refuse_optional_imports()
    skipped = singleuser.skip_yarn_config()
else:
    skipped = False
import httpx, jsonschema
from jupyterlab.commands import YARN_DEFAULT_REGISTRY, AppOptions
registry = AppOptions().registry
children = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({
    "skipped": skipped,
    "default_registry": registry == YARN_DEFAULT_REGISTRY,
    "children_cpu": children.ru_utime + children.ru_stime,
    "rfc3987_syntax": sys.modules.get("rfc3987_syntax") is not None,
    "httpx_cli": sys.modules.get("httpx._main") is not None,
    "iri_checked": "iri" in jsonschema.FormatChecker().checkers,
}))
"""


def _probe(mode: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, mode],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_the_launcher_skips_the_node_call_and_optional_imports_only() -> None:
    lean = _probe("lean")
    assert lean["skipped"] is True, "this JupyterLab no longer has _yarn_config: re-profile"
    assert lean["default_registry"] is True
    assert lean["children_cpu"] == 0, "a child process ran while JupyterLab was imported"
    assert lean["rfc3987_syntax"] is False and lean["httpx_cli"] is False
    assert lean["iri_checked"] is False  # the one format check jsonschema gives up


@pytest.mark.skipif(shutil.which("node") is None, reason="without node there is no call to skip")
def test_without_the_launcher_jupyterlab_runs_node() -> None:
    stock = _probe("stock")  # the control: what the launcher saves every learner's server
    assert stock["children_cpu"] > 0
    assert stock["rfc3987_syntax"] is True and stock["iri_checked"] is True


# --- a real single-user server, with Python's own import trace in its log ----------------------


@pytest.fixture(scope="module")
def traced_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    root = make_academy(tmp_path_factory.mktemp("traced"), random_network())
    hub = start_hub(root, 'c.Spawner.environment["PYTHONPROFILEIMPORTTIME"] = "1"\n')
    try:
        yield hub
    finally:
        runner.stop(root, say=lambda _m: None)


def _log(hub: LiveHub, user: str) -> str:
    return (hub.root / ".academy/hub/logs" / f"{user}.log").read_text("utf-8", errors="replace")


def _imported(hub: LiveHub, user: str) -> set[str]:
    trace = re.finditer(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)\s*$", _log(hub, user), re.M)
    return {match[1] for match in trace}


def _server(hub: LiveHub, user: str) -> psutil.Process:
    for proc in runner.academy_processes(hub.record.hub_id):
        env = proc.environ()
        if env.get("JUPYTERHUB_USER") == user and "singleuser" in " ".join(proc.cmdline()):
            return proc
    raise AssertionError(f"no server process for {user}")


@pytest.mark.slow
def test_nbgrader_is_imported_on_first_use_and_then_serves(traced_hub: LiveHub) -> None:
    hub = traced_hub
    hub.release(ASSIGNMENT)
    hub.spawn("learner1")
    lab = hub.get("user/learner1/lab", user="learner1")
    assert lab.status == 200
    # The assignment list's lab plugin is on (only tutor tools are in disabledExtensions).
    assert b'"name": "@jupyter/nbgrader"' in lab.body
    assert b"@jupyter/nbgrader:assignment-list" not in lab.body
    started = _imported(hub, "learner1")
    assert "jupyterlab.labapp" in started  # the trace works (it shows `import` statements)
    # However nbgrader is imported, its package runs `from ._version import ...`: traced.
    assert not {name for name in started if name.split(".")[0] == "nbgrader"}
    assert "rfc3987_syntax.syntax_helpers" not in started  # the grammar it would have built
    assert "rich" not in started and "click" not in started  # httpx's command line
    cpu = _server(hub, "learner1").cpu_times()
    assert cpu.children_user + cpu.children_system == 0, "the server ran a child process at start"

    listed = hub.get("user/learner1/assignments?course_id=demo", user="learner1").json()
    assert listed["success"], listed
    assert [a["assignment_id"] for a in listed["value"]] == [ASSIGNMENT]
    loaded = _imported(hub, "learner1")
    assert {"nbgrader._version", "nbgrader.server_extensions.assignment_list.handlers"} <= loaded
    version = hub.get("user/learner1/nbgrader_version?version=0", user="learner1").json()
    assert version["success"] is False and "does not match" in version["message"]
    assert hub.get("user/learner1/courses", user="learner1").json()["success"]
    assert _log(hub, "learner1").count("Loading nbgrader's learner extensions on first use") == 1
    assert "garbage collection is on again" in _log(hub, "learner1")  # off only while starting


@pytest.mark.slow
def test_lazy_routes_still_refuse_strangers(traced_hub: LiveHub) -> None:
    hub = traced_hub
    hub.release(ASSIGNMENT)
    hub.spawn("learner2")
    for path in ("assignments?course_id=demo", "courses", "nbgrader_version?version=0"):
        anonymous = hub.get(f"user/learner2/{path}")
        other = hub.get(f"user/learner2/{path}", user="learner1")
        for res in (anonymous, other):
            assert res.status in {302, 401, 403, 404}, (path, res.status)
            assert ASSIGNMENT.encode() not in res.body and b"success" not in res.body
    fetched = hub.post_form(
        "user/learner2/assignments/fetch",
        "learner1",
        {"course_id": "demo", "assignment_id": ASSIGNMENT},
    )
    assert fetched.status in {302, 401, 403, 404}
    assert not (hub.root / ".academy/homes/learner2" / ASSIGNMENT).exists()
