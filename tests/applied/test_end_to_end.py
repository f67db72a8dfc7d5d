"""A real capstone, end to end: released through the assessment workflow (real nbgrader),
fetched and submitted by learners through nbgrader's real exchange, collected, double
marked, moderated with a third marker, and exported as per-competency results.

Learners act here through nbgrader's exchange classes in-process, which is what the
"Assignments" tab of their hub server calls; the hub itself is not started.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from digital_academy.applied.capstone import load_capstone
from digital_academy.applied.gradebook_link import grading_run
from digital_academy.applied.ledger import Ledger
from digital_academy.applied.marking import read_state
from digital_academy.applied.rubric import competency_fractions
from digital_academy.applied.store import capstone_log
from digital_academy.assess import evidence
from digital_academy.assess.gradebook import open_gradebook
from digital_academy.paths import exchange_dir

from .factory import course_run, submit_answers, tree

CAPSTONE = "digital-change-project"
COURSE = "leaders-e2e"
TUTORS = ("tutor1", "tutor2", "tutor3")
LEARNERS = tuple(f"learner{i}" for i in range(1, 7))
LEVEL_NAMES = ("not-evidenced", "emerging", "developing", "competent", "exemplary")


def _levels(scores: dict[str, int]) -> list[str]:
    out = []
    for criterion, score in scores.items():
        out += ["--level", f"{criterion}={LEVEL_NAMES[score]}"]
    return out


@pytest.mark.slow
def test_capstone_released_submitted_double_marked_moderated_exported(
    repo: Path, state: Path, tmp_path: Path, academy: Callable[..., str]
) -> None:
    def mark(marker: str, learner: str, *levels: str, ok: bool = True) -> str:
        args = ("capstone", "mark", CAPSTONE, "--course", COURSE, "--as", marker)
        return academy(*args, "--learner", learner, *levels, ok=ok)

    def moderate() -> Any:
        args = ("capstone", "moderate", CAPSTONE, "--course", COURSE, "--as", "tutor3")
        return json.loads(academy(*args, "--format", "json"))

    # The cohort: a course run of the leadership academy, through enrolment's own API.
    course_run(repo, COURSE, TUTORS, LEARNERS, "Leaders 2026")

    academy("capstone", "release", CAPSTONE, "--course", COURSE, "--as", "tutor1")
    outbound = exchange_dir(repo) / COURSE / "outbound" / CAPSTONE / f"{CAPSTONE}.ipynb"
    released = json.loads(outbound.read_text("utf-8"))
    answers = [c for c in released["cells"] if c["metadata"].get("nbgrader", {}).get("solution")]
    assert len(answers) == 6 and all("YOUR ANSWER HERE" in "".join(c["source"]) for c in answers)

    submit_answers(repo, COURSE, CAPSTONE, tmp_path / "homes", LEARNERS)

    out = academy("capstone", "collect", CAPSTONE, "--course", COURSE, "--as", "tutor1")
    for learner in LEARNERS:
        assert learner in out

    cap = load_capstone(repo, CAPSTONE)
    criteria = [c.id for c in cap.rubric.criteria]
    first = {p: dict.fromkeys(criteria, 3) for p in LEARNERS}
    first["learner6"] = dict.fromkeys(criteria, 1)  # a fail
    for learner, scores in first.items():
        mark(
            "tutor1",
            learner,
            *_levels(scores),
            "--comment",
            f"{criteria[0]}=Clear benefits case",
            "--overall",
            "Well argued.",
        )

    # Bad input on the way: a level outside the rubric, a stranger marking; nothing changes.
    before = tree(state / "applied")
    out = mark(
        "tutor2",
        "learner1",
        *_levels(first["learner1"])[:-2],
        "--level",
        f"{criteria[-1]}=outstanding",
        ok=False,
    )
    assert out.startswith("error: level 'outstanding' for criterion 'reflection'")
    out = mark("intruder", "learner1", *_levels(first["learner1"]), ok=False)
    assert "intruder is not a tutor of course run 'leaders-e2e'" in out
    assert tree(state / "applied") == before

    report = moderate()
    sample = report["sample"]["selected"]
    assert len(sample) == 2  # 25% of 6 rounds up to 2; the policy's minimum is also 2
    # Second marks: one close to the first, one two levels apart on a criterion.
    close, wide = sample
    second = {
        close: {**first[close], criteria[1]: first[close][criteria[1]] - 1},
        wide: {**first[wide], criteria[0]: first[wide][criteria[0]] - 2},
    }
    for learner, scores in second.items():
        mark("tutor2", learner, *_levels(scores))
    report = moderate()
    status = {d["learner"]: d["status"] for d in report["decisions"]}
    assert status[wide] == "flagged: awaiting third marker"
    assert list(status.values()).count("agreed") == 5
    third = {**first[wide], criteria[0]: 2}
    mark("tutor3", wide, *_levels(third))
    report = moderate()
    assert {d["status"] for d in report["decisions"]} == {"agreed"}
    assert report["agreement"]["double_marked"] == 2
    assert report["agreement"]["flagged_for_third_marker"] == 1

    exports = tmp_path / "exports"
    academy("capstone", "export", CAPSTONE, "--course", COURSE, "--out", str(exports))
    stem = f"{CAPSTONE}-{COURSE}"
    with (exports / f"{stem}-marks.csv").open(encoding="utf-8") as handle:
        marks = {row["learner"]: row for row in csv.DictReader(handle)}
    assert set(marks) == set(LEARNERS)
    assert marks["learner6"]["passed"] == "False" and marks["learner1"]["passed"] == "True"
    assert marks[wide]["third_marker"] == "tutor3" and marks[close]["second_marker"] == "tutor2"
    results = json.loads((exports / f"{stem}-competencies.json").read_text("utf-8"))
    assert results["pending"] == {}
    rows = {(r["learner"], r["competency"]): r for r in results["results"]}
    assert len(rows) == len(LEARNERS) * len(cap.rubric.competencies())
    # Recompute what the agreed marks mean, independently of the export code.
    agreed_scores = {
        **{p: first[p] for p in LEARNERS},
        close: {c: (first[close][c] + second[close][c]) / 2 for c in criteria},
        wide: third,
    }
    for learner, scores in agreed_scores.items():
        for ref, fraction in competency_fractions(cap.rubric, scores).items():
            row = rows[(learner, ref)]
            assert float(row["percent"]) == pytest.approx(100 * fraction, abs=0.05)
            assert row["result"] == ("achieved" if fraction >= 0.75 - 1e-9 else "not yet")
            assert row["assessment"] == CAPSTONE and row["pass_mark"] == "0.75"
            assert row["evidence"] == marks[learner]["evidence"]
    assert rows[("learner6", "fci-core:D6.1")]["result"] == "not yet"
    assert rows[("learner1", "fci-core:D6.1")]["result"] == "achieved"
    assert rows[("learner1", "fci-core:D6.1")]["statement"].startswith("Builds and tracks")
    # The same columns as the assessment capability's per-competency export.
    with (exports / f"{stem}-competencies.csv").open(encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert header == [
        "learner",
        "assessment",
        "competency",
        "framework",
        "code",
        "statement",
        "score",
        "max_score",
        "percent",
        "pass_mark",
        "result",
        "evidence",
    ]
    moodle = (exports / f"{stem}-moodle.csv").read_text("utf-8").splitlines()
    assert moodle[0].startswith("Username,ID number,Email address,First name,Last name,Capstone")
    assert moodle[1].startswith("learner1,")

    # The evidence: intact chain; agreed marks carry the original marks and the exact files.
    entries = Ledger(capstone_log(repo, COURSE, CAPSTONE)).entries()
    assert results["evidence_log_head"] == entries[-1].hash
    kinds = [e.kind for e in entries]
    assert kinds[:2] == ["release", "collect"] and kinds.count("agree") == 6
    state_now = read_state(repo, COURSE, CAPSTONE)
    collected = entries[1].data["submissions"]
    for learner in LEARNERS:
        record = state_now.learners[learner]
        assert record.marks["first"].submission_sha256 == collected[learner]
    agreed = state_now.learners[wide].agreed
    assert agreed is not None
    assert {r: m["marker"] for r, m in agreed["marks"].items()} == {
        "first": "tutor1",
        "second": "tutor2",
        "third": "tutor3",
    }

    # The same evidence sits in the gradebook's evidence log (the assessment capability's),
    # in one verified chain with autograding, once per entry however often it is copied.
    out = academy("capstone", "verify", CAPSTONE, "--course", COURSE)
    assert "OK: evidence verified" in out
    with open_gradebook(grading_run(repo, COURSE)) as gb, gb.engine.begin() as conn:
        table = evidence.evidence
        copied = conn.execute(
            select(table.c.kind, table.c.student, table.c.payload).where(
                table.c.assignment == CAPSTONE
            )
        ).all()
    assert len(copied) == len(entries)
    agreed_rows = [
        json.loads(p) for kind, student, p in copied if kind == "capstone-agree" and student == wide
    ]
    assert len(agreed_rows) == 1
    assert set(agreed_rows[0]["data"]["marks"]) == {"first", "second", "third"}

    # Tampering with the capstone log is caught, and nothing more is written to it.
    log = capstone_log(repo, COURSE, CAPSTONE)
    lines = log.read_text("utf-8").splitlines(keepends=True)
    lines[3] = lines[3].replace('"tutor1"', '"tutor9"', 1)
    log.write_text("".join(lines), "utf-8")
    out = academy("capstone", "verify", CAPSTONE, "--course", COURSE, ok=False)
    assert out.startswith("error: evidence log evidence.jsonl, line 4 was changed after it")
    out = academy("capstone", "moderate", CAPSTONE, "--course", COURSE, "--as", "tutor3", ok=False)
    assert "restore the file from backup" in out
