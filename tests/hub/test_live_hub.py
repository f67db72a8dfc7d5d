"""A real hub on loopback: groups, books, content delivery, nbgrader, formgrader, probes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digital_academy.catalog import load_valid
from digital_academy.hub.content import publish_content

from .conftest import LiveHub
from .factory import ASSIGNMENT, MODULE_ID, module_notebook

pytestmark = pytest.mark.slow

REFUSED = {400, 401, 403, 404, 405}


def test_groups_and_roles_come_from_the_settings(live_hub: LiveHub) -> None:
    groups = {
        u: set(live_hub.api("GET", f"users/{u}").json()["groups"])
        for u in ("learner1", "learner2", "tutor1", "admin")
    }
    assert groups["learner1"] == {"learners", "learners-demo"}
    assert groups["tutor1"] == {"tutors", "tutors-demo"}
    assert groups["admin"] == set()
    tutor = live_hub.api("GET", "users/tutor1").json()
    assert tutor["admin"] is False
    assert live_hub.api("GET", "users/admin").json()["admin"] is True


def test_books_are_served_from_the_hub(live_hub: LiveHub) -> None:
    page = live_hub.get("services/books/")
    assert page.status == 200
    assert b"Academy books" in page.body


def _learner_file(hub: LiveHub, user: str) -> Path:
    return hub.root / ".academy/homes" / user / "academy/course-a" / f"01-{MODULE_ID}.ipynb"


def test_content_arrives_and_learner_edits_survive_updates(live_hub: LiveHub) -> None:
    live_hub.spawn("learner1")
    opened = live_hub.get(f"user/learner1/academy/open?module={MODULE_ID}", user="learner1")
    assert opened.status == 302
    assert opened.headers["Location"].endswith(
        f"/user/learner1/lab/tree/academy/course-a/01-{MODULE_ID}.ipynb"
    )
    mine = _learner_file(live_hub, "learner1")
    edited = json.loads(mine.read_text())
    edited["cells"][1]["source"] = "total = 40 + 2  # my own answer"
    mine.write_text(json.dumps(edited))

    # The course team publishes a change to the same notebook and a new data file.
    root = live_hub.root
    (root / f"courses/course-a/01-{MODULE_ID}.ipynb").write_text(module_notebook(" (v2)"))
    (root / "courses/course-a/data").mkdir(exist_ok=True)
    (root / "courses/course-a/data/counts.csv").write_text("n\n1\n2\n")
    state = root / ".academy"
    assert publish_content(load_valid(root), state / "content.git", state / "content-stage")

    again = live_hub.get("user/learner1/academy/open?course=course-a", user="learner1")
    assert again.status == 302
    assert "my own answer" in mine.read_text(), "the learner's edit was overwritten"
    assert (mine.parent / "data/counts.csv").read_text() == "n\n1\n2\n"
    missing = live_hub.get("user/learner1/academy/open?module=no-such-module", user="learner1")
    assert missing.status == 404


def test_learner_fetches_validates_and_submits_as_their_hub_user(live_hub: LiveHub) -> None:
    live_hub.release(ASSIGNMENT)
    live_hub.spawn("learner1")
    listed = live_hub.get("user/learner1/assignments?course_id=demo", user="learner1").json()
    assert listed["success"], listed
    assert [a["assignment_id"] for a in listed["value"]] == [ASSIGNMENT]
    fetched = live_hub.post_form(
        "user/learner1/assignments/fetch",
        "learner1",
        {"course_id": "demo", "assignment_id": ASSIGNMENT},
    )
    assert fetched.status == 200 and json.loads(fetched.body)["success"], fetched.body
    home = live_hub.root / ".academy/homes/learner1"
    work = home / "demo" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    if not work.exists():
        work = home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    notebook = json.loads(work.read_text())
    notebook["cells"][1]["source"] = "def add(a, b):\n    return a + b\n"
    work.write_text(json.dumps(notebook))
    checked = live_hub.post_form(
        "user/learner1/assignments/validate", "learner1", {"path": str(work.relative_to(home))}
    )
    assert checked.status == 200, checked.body
    verdict = json.loads(checked.body)
    assert verdict["success"], verdict
    assert not verdict["value"].get("failed") and not verdict["value"].get("changed"), verdict
    submitted = live_hub.post_form(
        "user/learner1/assignments/submit",
        "learner1",
        {"course_id": "demo", "assignment_id": ASSIGNMENT},
    )
    assert json.loads(submitted.body)["success"], submitted.body
    inbound = sorted(p.name for p in (live_hub.root / ".academy/exchange/demo/inbound").iterdir())
    assert any(name.startswith(f"learner1+{ASSIGNMENT}+") for name in inbound), inbound
    assert not any(name.startswith("root+") for name in inbound), inbound


def test_formgrader_is_for_tutors_only(live_hub: LiveHub) -> None:
    tutor = live_hub.get("services/formgrader-demo/formgrader/manage_assignments", user="tutor1")
    assert tutor.status == 200
    assert b"nbgrader" in tutor.body
    learner = live_hub.get(
        "services/formgrader-demo/formgrader/manage_assignments", user="learner1"
    )
    assert learner.status == 403
    live_hub.spawn("learner1")
    assert live_hub.get("user/learner1/formgrader", user="learner1").status == 404
    lab = live_hub.get("user/learner1/lab", user="learner1")
    assert lab.status == 200
    for hidden in (
        b"@jupyter/nbgrader:formgrader",
        b"@jupyter/nbgrader:create-assignment",
        b"@jupyterlab/apputils-extension:announcements",
    ):
        assert hidden in lab.body  # listed under disabledExtensions in the page config
    assert b'"news": {"disabled": true}' in lab.body


def test_access_probes_are_all_refused(live_hub: LiveHub) -> None:
    live_hub.spawn("learner2")
    secret_file = live_hub.root / ".academy/homes/learner2/private-notes.txt"
    secret_file.write_text("learner2's private notes")
    probes = {
        "another learner's files": ("GET", "user/learner2/api/contents/private-notes.txt"),
        "another learner's folder": ("GET", "user/learner2/api/contents"),
        "another learner's lab": ("GET", "user/learner2/lab"),
        "another learner's kernels": ("POST", "user/learner2/api/kernels"),
        "another learner's submissions list": ("GET", "user/learner2/assignments?course_id=demo"),
        "the gradebook (formgrader API)": (
            "GET",
            f"services/formgrader-demo/formgrader/api/submissions/{ASSIGNMENT}",
        ),
        "the solutions (course source)": (
            "GET",
            f"services/formgrader-demo/api/contents/source/{ASSIGNMENT}/{ASSIGNMENT}.ipynb",
        ),
        "the gradebook file through own server": (
            "GET",
            "user/learner1/api/contents/../../grading/demo/gradebook.db",
        ),
        "admin: list users": ("GET", "hub/api/users"),
        "admin: another user's model": ("GET", "hub/api/users/learner2"),
        "admin: start another's server": ("POST", "hub/api/users/learner2/server"),
        "admin: mint another's token": ("POST", "hub/api/users/learner2/tokens"),
        "admin: join the tutors": ("POST", "hub/api/groups/tutors-demo/users"),
        "admin: proxy table": ("GET", "hub/api/proxy"),
        "admin: delete a user": ("DELETE", "hub/api/users/learner2"),
    }
    live_hub.spawn("learner1")
    results = {}
    for name, (method, path) in probes.items():
        body = {"users": ["learner1"]} if "join" in name else None
        res = live_hub.request(method, live_hub.url + path, live_hub.token("learner1"), body)
        results[name] = res.status
        assert b"private notes" not in res.body and b"return a + b" not in res.body, name
    allowed = {name: status for name, status in results.items() if status not in REFUSED}
    assert not allowed, f"probes that were not refused: {allowed}"
    assert len(results) >= 10
    # A tutor is no better placed to read a learner's server.
    tutor = live_hub.request(
        "GET", live_hub.url + "user/learner2/api/contents", live_hub.token("tutor1")
    )
    assert tutor.status in REFUSED
    assert secret_file.read_text() == "learner2's private notes"
    assert live_hub.api("GET", "users/learner2").json()["name"] == "learner2"  # untouched
