"""End to end on one real hub: two runs release, learners submit to their own, tutors grade
and export their own; then at least 12 access probes across the runs, each refused.

Two courses (run-a, run-b), two tutors (tutor-a, tutor-b), three learners: learner1 is in
run-a, learner3 in run-b, learner2 in both.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
from tests.support_hub import NBGRADER_FEEDBACK_WARNINGS, chromium

from digital_academy.enrolment import ops, teaching
from digital_academy.enrolment.errors import EnrolmentError
from digital_academy.enrolment.gradebook import open_gradebook
from digital_academy.enrolment.store import Store
from digital_academy.enrolment.sync import sync
from digital_academy.hub.auth import USER_PASSWORD
from digital_academy.hub.state import load_secrets

from .live import Hub, make_two_runs, start, stop

pytestmark = [pytest.mark.slow, *NBGRADER_FEEDBACK_WARNINGS]
REFUSED = {400, 401, 403, 404, 405}
SOLUTIONS = {
    "add-up": "def add(a, b):\n    return a + b\n",
    "times-two": "def double(x):\n    return 2 * x\n",
}
WRONG = {"add-up": "def add(a, b):\n    return a - b\n"}
RUN_OF = {"add-up": "run-a", "times-two": "run-b"}


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    root = make_two_runs(tmp_path_factory.mktemp("e2e"))
    live = start(root)
    try:
        yield live
    finally:
        stop(root)


def listed(hub: Hub, user: str, course_id: str) -> list[str]:
    res = hub.get(f"user/{user}/assignments?course_id={course_id}", user=user)
    assert res.status == 200, res.body
    body = res.json()
    assert body["success"], body
    return sorted({a["assignment_id"] for a in body["value"]})


def fetch_and_submit(hub: Hub, user: str, assignment: str, wrong: bool = False) -> None:
    course = RUN_OF[assignment]
    fetched = hub.post(
        f"user/{user}/assignments/fetch", user, {"course_id": course, "assignment_id": assignment}
    )
    assert json.loads(fetched.body)["success"], fetched.body
    work = hub.home(user) / course / assignment / f"{assignment}.ipynb"
    notebook = json.loads(work.read_text())
    notebook["cells"][1]["source"] = (WRONG if wrong else SOLUTIONS)[assignment]
    work.write_text(json.dumps(notebook))
    sent = hub.post(
        f"user/{user}/assignments/submit", user, {"course_id": course, "assignment_id": assignment}
    )
    assert json.loads(sent.body)["success"], sent.body


def action_refused(hub: Hub, user: str, action: str, course: str, assignment: str) -> bool:
    """nbgrader answers a fetch with the course's listing whatever happened (and a submit with
    success false on refusal): refused means nothing of it reached the learner's folder and
    nothing of theirs reached the run's inbound."""
    res = hub.post(
        f"user/{user}/assignments/{action}",
        user,
        {"course_id": course, "assignment_id": assignment},
    )
    body = json.loads(res.body)
    entries = body.get("value") if isinstance(body.get("value"), list) else []
    shown = any(e.get("assignment_id") == assignment for e in entries)
    landed = (hub.home(user) / course / assignment).exists()
    sent = user in inbound(hub, course)
    return res.status in REFUSED or (
        not shown
        and not landed
        and not sent
        and (action == "fetch" or body.get("success") is False)
    )


def inbound(hub: Hub, course: str) -> list[str]:
    folder = hub.root / ".academy/exchange" / course / "inbound"
    return sorted(p.name.split("+")[0] for p in folder.iterdir())


@pytest.fixture(scope="module")
def graded(hub: Hub) -> dict[str, str]:
    """The whole loop, once: release, submit, collect, grade, feedback, export (per run)."""
    assert teaching.release(hub.root, "run-a", "add-up", "tutor-a")["cohort"] == 2
    assert teaching.release(hub.root, "run-b", "times-two", "tutor-b")["cohort"] == 2
    for user in ("learner1", "learner2", "learner3"):
        hub.spawn(user)
    assert listed(hub, "learner2", "run-a") == ["add-up"]
    assert listed(hub, "learner2", "run-b") == ["times-two"]
    courses = hub.get("user/learner2/courses", user="learner2").json()
    assert courses == {"success": True, "value": ["run-a", "run-b"]}
    fetch_and_submit(hub, "learner1", "add-up")
    fetch_and_submit(hub, "learner2", "add-up", wrong=True)
    fetch_and_submit(hub, "learner2", "times-two")
    fetch_and_submit(hub, "learner3", "times-two")
    assert inbound(hub, "run-a") == ["learner1", "learner2"]
    assert inbound(hub, "run-b") == ["learner2", "learner3"]
    exports = {}
    for course, assignment, tutor in (
        ("run-a", "add-up", "tutor-a"),
        ("run-b", "times-two", "tutor-b"),
    ):
        assert len(teaching.collect(hub.root, course, assignment, tutor)) == 2
        report = teaching.grade(hub.root, course, assignment, tutor)
        assert report.count("graded") == 2, report.rows
        teaching.feedback(hub.root, course, assignment, tutor)
        exports[course] = teaching.export(hub.root, course, tutor)
    return exports


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_two_runs_release_submit_grade_and_export_their_own(
    hub: Hub, graded: dict[str, str]
) -> None:
    a, b = _rows(graded["run-a"]), _rows(graded["run-b"])
    assert "times-two" not in graded["run-a"] and "add-up" not in graded["run-b"]
    assert sorted(str(r) for r in a) and len(a) == 2 and len(b) == 2
    text_a, text_b = graded["run-a"], graded["run-b"]
    assert "learner3" not in text_a and "learner1" not in text_b
    with open_gradebook(hub.root, "run-a") as gb:
        scores_a = {s.student.id: s.score for s in gb.assignment_submissions("add-up")}
    with open_gradebook(hub.root, "run-b") as gb:
        scores_b = {s.student.id: s.score for s in gb.assignment_submissions("times-two")}
    assert scores_a == {"learner1": 1.0, "learner2": 0.0}
    assert scores_b == {"learner2": 1.0, "learner3": 1.0}
    # Learners see their released feedback in the courses view, and open it.
    me = hub.get("services/courses/api/me", user="learner1").json()["runs"]
    assert me[0]["assignments"][0]["feedback"] == ["add-up"]
    page = hub.get("services/courses/feedback/run-a/add-up/add-up", user="learner1")
    assert page.status == 200 and b"add" in page.body
    # A tutor cannot act on another tutor's run through the tutor functions either.
    for action in (
        lambda: teaching.export(hub.root, "run-b", "tutor-a"),
        lambda: teaching.collect(hub.root, "run-b", "times-two", "tutor-a"),
        lambda: teaching.release(hub.root, "run-a", "times-two", "tutor-a"),
    ):
        with pytest.raises(EnrolmentError):
            action()


def test_access_probes_across_runs_are_refused(hub: Hub, graded: dict[str, str]) -> None:
    secret_b = (hub.root / ".academy/grading/run-b/source/times-two/times-two.ipynb").read_text()
    assert "return 2 * x" in secret_b
    probes: dict[str, tuple[str, str, str]] = {
        "tutor A opens run B's grading view": (
            "tutor-a",
            "GET",
            "services/formgrader-run-b/formgrader/manage_assignments",
        ),
        "tutor A reads run B's students": (
            "tutor-a",
            "GET",
            "services/formgrader-run-b/formgrader/api/students",
        ),
        "tutor A reads run B's grades": (
            "tutor-a",
            "GET",
            "services/formgrader-run-b/formgrader/api/submissions/times-two",
        ),
        "tutor B exports run A's grades (gradebook API)": (
            "tutor-b",
            "GET",
            "services/formgrader-run-a/formgrader/api/assignments",
        ),
        "tutor A reads run B's solutions": (
            "tutor-a",
            "GET",
            "services/formgrader-run-b/api/contents/source/times-two/times-two.ipynb",
        ),
        "a learner opens their own run's grading view": (
            "learner1",
            "GET",
            "services/formgrader-run-a/formgrader/",
        ),
        "learner 1 fetches run B's assignment": (
            "learner1",
            "POST",
            "assignments/fetch|run-b|times-two",
        ),
        "learner 1 submits to run B": ("learner1", "POST", "assignments/submit|run-b|times-two"),
        "learner 1 reads run B's exchange folder": (
            "learner1",
            "GET",
            "user/learner1/api/contents/../../exchange/run-b/outbound",
        ),
        "learner 3 opens run A's feedback": (
            "learner3",
            "GET",
            "services/courses/feedback/run-a/add-up/add-up",
        ),
        "learner 1 reads run B's group": ("learner1", "GET", "hub/api/groups/learners-run-b"),
        "tutor A reads a run B learner": ("tutor-a", "GET", "hub/api/users/learner3"),
        "tutor B makes themself tutor of run A": (
            "tutor-b",
            "POST",
            "hub/api/groups/tutors-run-a/users",
        ),
        "learner 3 reads learner 1's server": ("learner3", "GET", "user/learner1/api/contents"),
    }
    results: dict[str, int] = {}
    # What no refusal may show: solutions, and people of a run the prober is not in.
    strangers = {
        "tutor-a": b"learner3",
        "learner1": b"learner3",
        "tutor-b": b"learner1",
        "learner3": b"learner1",
    }
    for name, (user, method, target) in probes.items():
        if "|" in target:
            path, course, assignment = target.split("|")
            refused = action_refused(hub, user, path.rsplit("/", 1)[1], course, assignment)
            results[name] = 403 if refused else 200
            res = hub.get(f"user/{user}/assignments?course_id={course}", user=user)
        else:
            body = {"users": [user]} if method == "POST" else None
            res = hub.request(method, hub.url + target, hub.token(user), body)
            results[name] = res.status
        for secret in (b"return 2 * x", b"return a + b", strangers[user]):
            assert secret not in res.body, (name, secret, res.body[:300])
    not_refused = {n: s for n, s in results.items() if s not in REFUSED}
    assert not not_refused, f"probes that were not refused: {not_refused}"
    assert len(results) >= 12
    # Listing is not refused by nbgrader but shows nothing of a run one is not in.
    assert listed(hub, "learner1", "run-b") == []
    assert hub.get("user/learner1/courses", user="learner1").json()["value"] == ["run-a"]
    # Tutor A may list users, but only run A's learners are visible.
    names = {u["name"] for u in hub.api("GET", "users", user="tutor-a").json()}
    assert names <= {"learner1", "learner2"}, names
    # Nothing was written where a refused probe pointed.
    assert "learner1" not in inbound(hub, "run-b")
    assert not (hub.home("learner1") / "run-b").exists()
    assert (
        hub.root / ".academy/grading/run-b/source/times-two/times-two.ipynb"
    ).read_text() == secret_b


def test_withdrawn_learner_loses_access_but_keeps_grades(hub: Hub, graded: dict[str, str]) -> None:
    store = Store(hub.root)
    ops.unenrol(store, "run-b", ["learner2"], today=dt.date(2026, 11, 1), reason="left")
    report = sync(hub.root, today=dt.date(2026, 11, 1), course_ids=["run-b"])
    assert report.runs[0].push["learners-run-b"] == ((), ("learner2",))
    assert hub.get("user/learner2/courses", user="learner2").json()["value"] == ["run-a"]
    again = hub.post(
        "user/learner2/assignments/fetch",
        "learner2",
        {"course_id": "run-b", "assignment_id": "times-two"},
    )
    assert json.loads(again.body)["value"] == []  # run B is no longer listed for them
    before = sorted((hub.root / ".academy/exchange/run-b/inbound").iterdir())
    resent = hub.post(
        "user/learner2/assignments/submit",
        "learner2",
        {"course_id": "run-b", "assignment_id": "times-two"},
    )
    assert json.loads(resent.body)["success"] is False
    assert sorted((hub.root / ".academy/exchange/run-b/inbound").iterdir()) == before
    with open_gradebook(hub.root, "run-b") as gb:
        assert gb.find_submission("times-two", "learner2").score == 1.0
    assert "learner2" in teaching.export(hub.root, "run-b", "tutor-b")
    # They still see their own past feedback in run B, marked withdrawn.
    runs = {r["id"]: r for r in hub.get("services/courses/api/me", user="learner2").json()["runs"]}
    assert runs["run-b"]["role"] == "withdrawn"
    assert runs["run-b"]["assignments"][0]["feedback"] == ["times-two"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from chromium()


def login(browser: Any, hub: Hub, user: str, then: str) -> Any:
    """Log in through the hub's form, as a person would, landing on ``then``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(hub.url + "hub/login?next=" + urllib.parse.quote(then))
    page.fill("#username_input", user)
    page.fill("#password_input", load_secrets(hub.root)[USER_PASSWORD])
    page.click("#login_submit")
    page.wait_for_load_state("networkidle")
    return page


def test_in_the_browser_each_person_sees_only_their_own(
    browser: Any, hub: Hub, graded: dict[str, str]
) -> None:
    # Learner 1 (run A only): "My courses" lists run A with its due date; feedback opens.
    page = login(browser, hub, "learner1", "/services/courses/")
    assert page.get_by_role("heading", name="My courses").is_visible()
    assert page.get_by_role("heading", name="Data analysis, autumn").is_visible()
    assert page.get_by_text("Clinical safety, autumn").count() == 0
    assert page.get_by_text("2026-10-30 17:00 UTC").is_visible()
    page.get_by_role("link", name="feedback on add-up").click()
    page.wait_for_load_state("networkidle")
    assert "/services/courses/feedback/run-a/add-up/add-up" in page.url
    assert "return 2 * x" not in page.content()
    # ... and a grading view is refused to them, showing no gradebook.
    page.goto(hub.url + "services/formgrader-run-a/formgrader/manage_assignments")
    assert "403" in page.content() and "add-up" not in page.inner_text("body")
    page.context.close()

    # Tutor A follows "Grade this run" to their own formgrader ...
    page = login(browser, hub, "tutor-a", "/services/courses/")
    page.get_by_role("link", name="Grade this run (formgrader)").click()
    page.wait_for_url("**/services/formgrader-run-a/**")
    page.wait_for_selector("text=add-up")
    # ... but run B's grading view is refused and shows nothing of run B.
    response = page.goto(hub.url + "services/formgrader-run-b/formgrader/manage_assignments")
    assert response is not None and response.status == 403
    body = page.inner_text("body")
    assert "times-two" not in body and "learner3" not in body
    page.context.close()

    # Learner 3 types the address of a run A feedback page: not theirs, not found.
    page = login(browser, hub, "learner3", "/services/courses/")
    assert page.get_by_text("Data analysis, autumn").count() == 0
    response = page.goto(hub.url + "services/courses/feedback/run-a/add-up/add-up")
    assert response is not None and response.status == 404
    assert "def add" not in page.content()
    page.context.close()
