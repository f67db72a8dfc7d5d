"""The whole accredited-assessment loop on one real JupyterHub on 127.0.0.1, in order.

One course run (``run-a``), one tutor (``tutor-a``), two learners:

1. the tutor generates and releases a real nbgrader assessment (hidden tests, a written
   answer) to the run's cohort, through the tutor functions the hub's tutors use;
2. each learner works in their own single-user server in the hub. learner1 answers
   everything right, over HTTP through the hub's proxy with their own token: nbgrader's
   assignment-list API to list, fetch and submit, the contents API to open and save the
   notebook (what JupyterLab calls). learner2 does it all in a real browser (Debian's
   chromium, loopback only): logs in, opens Nbgrader > Assignment List in JupyterLab,
   clicks Fetch, types answers into the cells (hard-coding ``add``: passes the visible
   check, fails the hidden ones), saves, and clicks Submit;
3. the tutor collects and autogrades with ``academy assess`` (a subprocess, sandboxed);
4. the tutor marks the written answers in the run's formgrader service, reached through the
   hub with the tutor's token (formgrader's REST API, as its page does), and overrides one
   autograded cell with ``academy assess grade`` giving a reason; gradebook and evidence log
   hold both, each formgrader mark under the hub user who made it;
5. feedback is generated and released; each learner fetches theirs in the hub and reads it
   through their own server: their score, no hidden test code, nothing of the other learner;
6. exports (Moodle, Canvas, competencies) carry the autograded and the manual scores.

Expected scores are derived from the assessment's point values, not written down.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.enrolment.factory import make_academy, random_network
from tests.enrolment.live import Hub, start, stop
from tests.support import write_yaml
from tests.support_hub import NBGRADER_FEEDBACK_WARNINGS

from digital_academy.assess import evidence
from digital_academy.catalog import load_valid
from digital_academy.enrolment import ops, teaching
from digital_academy.enrolment.gradebook import open_gradebook
from digital_academy.enrolment.model import AssignmentPlan
from digital_academy.enrolment.store import Store

from .factory import HARDCODED, HIDDEN_ADD, RIGHT, source_notebook
from .hub_browser import CHROMIUM, submit_in_lab

pytestmark = [pytest.mark.slow, *NBGRADER_FEEDBACK_WARNINGS]

RUN, TUTOR, ASSESSMENT = "run-a", "tutor-a", "add-up"
LEARNERS = ("learner1", "learner2")
PEOPLE = {TUTOR, *LEARNERS}
FORMGRADER = f"services/formgrader-{RUN}/formgrader/api/"
NOTEBOOK = f"{RUN}/{ASSESSMENT}/{ASSESSMENT}.ipynb"
#: What each learner writes in the written-answer cell (learner1's is unique, to spot leaks).
WRITTEN = {
    "learner1": "The list is empty, so len is 0 and the division fails (learner1 wrote this).",
    "learner2": "It breaks.",
}
ANSWERS = {"learner1": RIGHT, "learner2": HARDCODED}
REFUSED = {401, 403, 404}
REASON = "hidden check failed on one case only: half credit"


def points() -> dict[str, float]:
    """Each graded cell's points, read from the assessment's source notebook."""
    return {
        c["metadata"]["nbgrader"]["grade_id"]: float(c["metadata"]["nbgrader"]["points"])
        for c in source_notebook()["cells"]
        if c["metadata"].get("nbgrader", {}).get("grade")
    }


def answer_cells() -> list[str]:
    """The code cells learners answer, in notebook order."""
    return [
        c["metadata"]["nbgrader"]["grade_id"]
        for c in source_notebook()["cells"]
        if c["cell_type"] == "code" and c["metadata"].get("nbgrader", {}).get("solution")
    ]


def make_run(root: Path) -> Path:
    """The enrolment test academy with ``add-up`` made an accredited assessment: hidden
    tests and a written answer (the assessment tests' quiz), one run with two learners."""
    make_academy(root, random_network())
    (root / f"graders/source/{ASSESSMENT}/{ASSESSMENT}.ipynb").write_text(
        json.dumps(source_notebook(), indent=1), "utf-8"
    )
    write_yaml(
        root / f"graders/assessments/{ASSESSMENT}.yml",
        {
            "id": ASSESSMENT,
            "title": "Adding up",
            "module": "mod-a",
            "competencies": ["fw:D1"],
            "pass_mark": 0.6,
            "methods": ["autograded code", "hidden tests", "marked short answer"],
        },
    )
    today = dt.datetime.now(dt.UTC)
    store = Store(root)
    ops.create_course(
        store,
        load_valid(root),
        PEOPLE,
        course_id=RUN,
        academy="data",
        title="Data analysis",
        starts=today.date() - dt.timedelta(days=30),
        ends=today.date() + dt.timedelta(days=60),
        tutors=(TUTOR,),
        assignments=(AssignmentPlan(id=ASSESSMENT, due=today + dt.timedelta(days=14)),),
    )
    ops.enrol(store, RUN, PEOPLE, usernames=list(LEARNERS))
    return root


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    with pytest.MonkeyPatch.context() as mp:
        # The run's state lives beside the test academy, graded in SQLite.
        mp.delenv("ACADEMY_STATE_DIR", raising=False)
        mp.delenv("ACADEMY_GRADEBOOK_URL", raising=False)
        root = make_run(tmp_path_factory.mktemp("hub-loop"))
        live = start(root)
        try:
            yield live
        finally:
            stop(root)


def academy(hub: Hub, *args: str) -> str:
    """``academy ...`` as the tutor types it, in a process of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACADEMY_")}
    done = subprocess.run(
        [str(Path(sys.executable).parent / "academy"), *args, "--root", str(hub.root)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout


def assess(hub: Hub, command: str, options: str, *more: str) -> str:
    """``academy assess COMMAND add-up --course run-a OPTIONS MORE``."""
    return academy(hub, "assess", command, ASSESSMENT, "--course", RUN, *options.split(), *more)


def ok(hub: Hub, method: str, path: str, user: str, body: Any = None) -> Any:
    res = hub.request(method, hub.url + path, hub.token(user), body)
    assert res.status in (200, 201), (path, res.status, res.body[:500])
    return res.json() if res.body else None


def action(hub: Hub, user: str, name: str) -> Any:
    """One of nbgrader's assignment-list actions in the learner's own server."""
    res = hub.post(
        f"user/{user}/assignments/{name}", user, {"course_id": RUN, "assignment_id": ASSESSMENT}
    )
    assert res.status == 200, res.body
    body = res.json()
    assert body["success"], body
    return body["value"]


def work_over_http(hub: Hub, user: str) -> None:
    """Fetch, answer in the notebook (saved through the contents API, as JupyterLab saves),
    and submit, all in ``user``'s server through the hub."""
    listed = ok(hub, "GET", f"user/{user}/assignments?course_id={RUN}", user)["value"]
    assert [(a["assignment_id"], a["status"]) for a in listed] == [(ASSESSMENT, "released")]
    action(hub, user, "fetch")
    model = ok(hub, "GET", f"user/{user}/api/contents/{NOTEBOOK}?content=1", user)
    notebook = model["content"]
    text = json.dumps(notebook)
    assert "secret-value-1729" not in text and "return a + b" not in text
    answers = {**ANSWERS[user], "why-answer": WRITTEN[user]}
    for cell in notebook["cells"]:
        gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell["source"] = answers[gid]
    ok(
        hub,
        "PUT",
        f"user/{user}/api/contents/{NOTEBOOK}",
        user,
        {"type": "notebook", "format": "json", "content": notebook},
    )
    assert (hub.home(user) / NOTEBOOK).read_text("utf-8").count(WRITTEN[user][:20]) == 1
    after = action(hub, user, "submit")
    mine = [a for a in after if a["status"] == "submitted"]
    assert len(mine) == 1 and len(mine[0]["submissions"]) == 1, after


def formgrader_mark(hub: Hub, student: str, cell: str, score: float) -> dict[str, Any]:
    """The tutor sets one cell's manual score in the run's formgrader, through the hub."""
    subs = ok(hub, "GET", f"{FORMGRADER}submitted_notebooks/{ASSESSMENT}/{ASSESSMENT}", TUTOR)
    sub = next(s for s in subs if s["student"] == student)
    grades = ok(hub, "GET", f"{FORMGRADER}grades?submission_id={sub['id']}", TUTOR)
    grade = next(g for g in grades if g["name"] == cell)
    assert grade["needs_manual_grade"], grade
    body = {"manual_score": score, "extra_credit": None}
    marked: dict[str, Any] = ok(hub, "PUT", f"{FORMGRADER}grade/{grade['id']}", TUTOR, body)
    return marked


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def export(hub: Hub, shape: str) -> str:
    out = hub.root / f"export-{shape}.csv"
    assess(hub, "export", f"--to {shape}", "--out", str(out))
    return out.read_text("utf-8")


def plain(page: str) -> str:
    """A page's text without tags or whitespace, so split-up code still matches."""
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", page))


@pytest.fixture(scope="module")
def loop(hub: Hub) -> dict[str, Any]:
    """The loop, once, in order; each step keeps what the tests below check."""
    out: dict[str, Any] = {}
    # 1. Release to the run's cohort (generate runs the solution in the sandbox first).
    out["release"] = teaching.release(hub.root, RUN, ASSESSMENT, TUTOR)
    # 2. Learners work and submit in their own servers: one over HTTP, one in a browser.
    for user in LEARNERS:
        hub.spawn(user)
    work_over_http(hub, "learner1")
    codes = [ANSWERS["learner2"][gid] for gid in answer_cells()]
    out["lab"] = submit_in_lab(hub, "learner2", codes, WRITTEN["learner2"])
    # 3. Collect and autograde.
    out["collect"] = json.loads(assess(hub, "collect", "--format json"))
    out["autograde"] = json.loads(
        assess(hub, "autograde", f"--workers 2 --grader {TUTOR} --format json")
    )
    out["before-manual"] = export(hub, "competencies")
    # 4. Manual marking in the hub's formgrader, and one override with a reason.
    pts = points()
    out["marked"] = {
        "learner1": formgrader_mark(hub, "learner1", "why-answer", pts["why-answer"]),
        "learner2": formgrader_mark(hub, "learner2", "why-answer", pts["why-answer"] / 2),
    }
    out["override"] = json.loads(
        assess(
            hub,
            "grade",
            f"--student learner2 --cell add-tests --score {pts['add-tests'] / 2:g} "
            f"--grader {TUTOR} --format json",
            "--reason",
            REASON,
        )
    )
    out["log"] = json.loads(
        academy(hub, "assess", "log", "--course", RUN, "--last", "100", "--format", "json")
    )
    # 5. Feedback, released; each learner fetches theirs in their server.
    assess(hub, "feedback", "")
    out["feedback"] = {}
    for user in LEARNERS:
        listing = action(hub, user, "fetch_feedback")
        sub = next(a for a in listing if a["status"] == "submitted")["submissions"][-1]
        assert sub["has_local_feedback"] and not sub["feedback_updated"], sub
        path = urllib.parse.quote(f"{sub['local_feedback_path']}/{ASSESSMENT}.html")
        model = ok(hub, "GET", f"user/{user}/api/contents/{path}?content=1&format=text", user)
        out["feedback"][user] = (path, model["content"])
    # 6. Exports.
    out["moodle"] = export(hub, "moodle")
    out["canvas"] = export(hub, "canvas")
    out["competencies"] = export(hub, "competencies")
    return out


def expected() -> dict[str, dict[str, float]]:
    """Per learner and cell, what they deserve from what they submitted."""
    pts = points()
    return {
        # every check passes; the written answer marked in full
        "learner1": {"add-tests": pts["add-tests"], "mean-tests": pts["mean-tests"]},
        # add(1, 2) == 3 is hard-coded: the hidden checks of add fail, mean is right
        "learner2": {"add-tests": 0.0, "mean-tests": pts["mean-tests"]},
    }


def test_release_reaches_the_cohort_and_both_submissions_are_collected(
    hub: Hub, loop: dict[str, Any]
) -> None:
    assert loop["release"]["cohort"] == len(LEARNERS)
    lab = loop["lab"]
    assert lab.blocked == [], lab.blocked  # the browser asked for nothing off loopback
    assert ASSESSMENT in lab.submitted and "Fetch Feedback" in lab.submitted
    assert sorted(r["student"] for r in loop["collect"]) == sorted(LEARNERS)
    inbound = hub.root / ".academy/exchange" / RUN / "inbound"
    assert sorted(p.name.split("+")[0] for p in inbound.iterdir()) == sorted(LEARNERS)
    for user in LEARNERS:
        submitted = hub.root / ".academy/grading" / RUN / "submitted" / user / ASSESSMENT
        text = (submitted / f"{ASSESSMENT}.ipynb").read_text("utf-8")
        assert WRITTEN[user] in text  # what they saved in the hub is what was collected


def test_autograde_scores_what_was_submitted(hub: Hub, loop: dict[str, Any]) -> None:
    rows = {r["student"]: r for r in loop["autograde"]["rows"]}
    assert {s: r["status"] for s, r in rows.items()} == dict.fromkeys(LEARNERS, "graded")
    assert loop["autograde"]["mode"] in {"root", "userns"}  # the sandbox was on
    want = expected()
    with open_gradebook(hub.root, RUN) as gb:
        for user in LEARNERS:
            nb = gb.find_submission_notebook(ASSESSMENT, ASSESSMENT, user)
            auto = {g.name: g.auto_score for g in nb.grades if g.name in want[user]}
            assert auto == want[user], user
            assert rows[user]["score"] == sum(want[user].values())
    # Before marking, the written answers are pending: nothing exported as a low score.
    before = {r["learner"]: r for r in csv_rows(loop["before-manual"])}
    assert {u: before[u]["result"] for u in LEARNERS} == dict.fromkeys(LEARNERS, "pending")
    assert {before[u]["score"] for u in LEARNERS} == {""}


def test_manual_marks_land_in_gradebook_and_evidence_log(hub: Hub, loop: dict[str, Any]) -> None:
    pts = points()
    assert loop["marked"]["learner1"]["manual_score"] == pts["why-answer"]
    assert loop["marked"]["learner2"]["manual_score"] == pts["why-answer"] / 2
    assert loop["override"]["new"] == pts["add-tests"] / 2 and loop["override"]["old"] is None
    with open_gradebook(hub.root, RUN) as gb:
        why = {u: gb.find_grade("why-answer", ASSESSMENT, ASSESSMENT, u) for u in LEARNERS}
        assert why["learner1"].manual_score == pts["why-answer"]
        assert why["learner2"].manual_score == pts["why-answer"] / 2
        assert not any(g.needs_manual_grade for g in why.values())
        add = gb.find_grade("add-tests", ASSESSMENT, ASSESSMENT, "learner2")
        assert (add.auto_score, add.manual_score) == (0, pts["add-tests"] / 2)
        chain = evidence.verify_chain(gb.db.connection())
    assert chain.problems == () and chain.unsealed == 0
    manual = [e for e in loop["log"] if e["kind"] == "manual-grade"]
    by_cell = {(e["student"], e["cell"]): e for e in manual}
    assert set(by_cell) == {
        ("learner1", "why-answer"),
        ("learner2", "why-answer"),
        ("learner2", "add-tests"),
    }
    for user in LEARNERS:
        entry = by_cell[(user, "why-answer")]
        assert (entry["actor"], entry["source"]) == (TUTOR, "formgrader")
        assert json.loads(entry["payload"])["new"] == loop["marked"][user]["manual_score"]
    override = by_cell[("learner2", "add-tests")]
    assert (override["actor"], override["source"]) == (TUTOR, "academy")
    assert override["reason"] == REASON
    autograded = {e["student"] for e in loop["log"] if e["kind"] == "autograde"}
    assert autograded == set(LEARNERS)


def totals() -> dict[str, float]:
    pts, want = points(), expected()
    return {
        "learner1": sum(want["learner1"].values()) + pts["why-answer"],
        "learner2": pts["add-tests"] / 2 + pts["mean-tests"] + pts["why-answer"] / 2,
    }


def test_learners_fetch_their_own_feedback_in_the_hub_with_hidden_checks_hidden(
    hub: Hub, loop: dict[str, Any]
) -> None:
    maximum = sum(points().values())
    for user in LEARNERS:
        _path, page = loop["feedback"][user]
        text = plain(page)
        assert f"{ASSESSMENT}(Score:{totals()[user]:.1f}/{maximum:.1f})" in text, user
        for line in HIDDEN_ADD.splitlines():
            assert re.sub(r"\s+", "", line) not in text, (user, line)
        assert "secret-value-1729" not in page and "OFFSET,4" not in text
        assert plain(WRITTEN[user]) in text
    assert "Hiddenchecks:passed" in plain(loop["feedback"]["learner1"][1])
    assert "Hiddenchecks:notpassed" in plain(loop["feedback"]["learner2"][1])
    # learner2 hard-coded add: their page does not reveal the solution (learner1 wrote it).
    assert "returna+b" not in plain(loop["feedback"]["learner2"][1])
    # Nothing of learner1's work shows in learner2's feedback, and their folders are closed.
    assert plain(WRITTEN["learner1"]) not in plain(loop["feedback"]["learner2"][1])
    path1 = loop["feedback"]["learner1"][0]
    for target in (
        f"user/learner1/api/contents/{path1}",
        f"user/learner1/files/{path1}",
        f"user/learner1/api/contents/{RUN}/{ASSESSMENT}/feedback",
    ):
        res = hub.request("GET", hub.url + target, hub.token("learner2"))
        assert res.status in REFUSED, (target, res.status)
        assert WRITTEN["learner1"][:20].encode() not in res.body
        own = hub.request("GET", hub.url + target, hub.token("learner1"))
        assert own.status == 200, (target, own.status)  # the address is right: it is theirs
    # The courses page shows each learner their own released feedback, the same page.
    for user in LEARNERS:
        res = hub.get(f"services/courses/feedback/{RUN}/{ASSESSMENT}/{ASSESSMENT}", user=user)
        assert res.status == 200, res.body[:300]
        assert f"(Score:{totals()[user]:.1f}/" in plain(res.body.decode())


def test_exports_carry_autograde_and_manual_scores(hub: Hub, loop: dict[str, Any]) -> None:
    want = totals()
    maximum = sum(points().values())
    moodle = {r["Username"]: r for r in csv_rows(loop["moodle"])}
    assert {u: float(moodle[u]["Adding up"]) for u in LEARNERS} == want
    canvas = list(csv.reader(io.StringIO(loop["canvas"])))
    assert canvas[0][-1] == f"Adding up ({ASSESSMENT})"
    assert canvas[1][0] == "Points Possible" and float(canvas[1][-1]) == maximum
    assert {r[3]: float(r[-1]) for r in canvas[2:]} == want
    rows = {r["learner"]: r for r in csv_rows(loop["competencies"])}
    for user in LEARNERS:
        row = rows[user]
        assert row["competency"] == "fw:D1" and row["statement"] == "Validates data."
        assert float(row["score"]) == want[user] and float(row["max_score"]) == maximum
        passed = want[user] / maximum >= float(row["pass_mark"])
        assert row["result"] == ("achieved" if passed else "not yet")
        assert re.fullmatch(r"[0-9a-f]{64}", row["evidence"])
    # learner2 reaches the pass mark only through the tutor's override: it is in the export.
    override, pass_mark = points()["add-tests"] / 2, float(rows["learner2"]["pass_mark"])
    assert (want["learner2"] - override) / maximum < pass_mark <= want["learner2"] / maximum
    assert rows["learner2"]["result"] == "achieved"
