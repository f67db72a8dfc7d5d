"""Marking against the rubric and moderation, through the library (no nbgrader needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from digital_academy.applied.capstone import Capstone, load_capstone
from digital_academy.applied.errors import AppliedError
from digital_academy.applied.ledger import Ledger
from digital_academy.applied.marking import parse_levels, read_state, record_mark
from digital_academy.applied.moderation import MEAN, SINGLE, THIRD, draw_sample, moderate
from digital_academy.applied.results import results
from digital_academy.applied.store import capstone_log

from .factory import submit, tree

COURSE = "cohort-a"


def _mark(root: Path, cap: Capstone, learner: str, marker: str, a: str, b: str, g: str) -> float:
    mark = record_mark(
        root,
        COURSE,
        cap,
        learner,
        marker,
        {"alpha": a, "beta": b, "gamma": g},
        {"alpha": f"{marker} on alpha"},
        overall="ok",
    )
    return mark.total


def test_a_mark_is_a_level_per_criterion_with_comments(root: Path, state: Path) -> None:
    cap = load_capstone(root, "proj")
    folder = submit(state, COURSE, "learner1")
    mark = record_mark(
        root,
        COURSE,
        cap,
        "learner1",
        "tutor1",
        parse_levels(cap.rubric, ["alpha=great", "beta=1", "gamma=good"]),
        {"beta": "thin evidence"},
        "Solid work.",
    )
    assert mark.role == "first"
    assert mark.levels == {"alpha": "great", "beta": "some", "gamma": "good"}
    assert mark.total == pytest.approx(50 + 10 + 40 / 3)
    assert mark.comments == {"beta": "thin evidence"} and mark.overall == "Solid work."
    assert mark.rubric_sha256 == cap.rubric_sha256
    # The mark names exactly what was marked: changing the submission changes the hash.
    (folder / "proj.ipynb").write_text("{}", "utf-8")
    other = record_mark(
        root, COURSE, cap, "learner1", "tutor1", {"alpha": "great", "beta": "some", "gamma": "good"}
    )
    assert other.role == "first" and other.submission_sha256 != mark.submission_sha256


@pytest.mark.parametrize(
    ("levels", "words"),
    [
        (["alpha=superb", "beta=1", "gamma=2"], "level 'superb' for criterion 'alpha' is not one"),
        (["alpha=7", "beta=1", "gamma=2"], "level '7' for criterion 'alpha'"),
        (["alpha=1", "beta=1"], "missing ['gamma']"),
        (["alpha=1", "beta=1", "gamma=1", "delta=1"], "no criterion 'delta'"),
        (["alpha=1", "alpha=2", "beta=1", "gamma=1"], "given twice"),
        (["alpha", "beta=1", "gamma=1"], "criterion=value"),
    ],
)
def test_marks_outside_the_rubric_are_refused(
    root: Path, state: Path, levels: list[str], words: str
) -> None:
    cap = load_capstone(root, "proj")
    submit(state, COURSE, "learner1")
    record_mark(
        root, COURSE, cap, "learner1", "tutor1", {"alpha": "good", "beta": "good", "gamma": "good"}
    )
    before = tree(state)
    pattern = words.replace("[", r"\[").replace("]", r"\]")
    with pytest.raises(AppliedError, match=pattern):
        parse_levels(cap.rubric, levels)
    as_dict = {k: v for k, _, v in (s.partition("=") for s in levels)}
    if len(as_dict) == len(levels) and all(as_dict.values()):  # expressible through the API
        with pytest.raises(AppliedError, match=pattern):
            record_mark(root, COURSE, cap, "learner1", "tutor1", as_dict)
    assert tree(state) == before


def test_who_may_mark_what(root: Path, state: Path) -> None:
    cap = load_capstone(root, "proj")
    ok = {"alpha": "good", "beta": "good", "gamma": "good"}
    with pytest.raises(AppliedError, match="no collected submission"):
        record_mark(root, COURSE, cap, "learner1", "tutor1", ok)
    submit(state, COURSE, "learner1")
    with pytest.raises(AppliedError, match="is not a tutor of course run"):
        record_mark(root, COURSE, cap, "learner1", "learner2", ok, tutors=frozenset({"tutor1"}))
    with pytest.raises(AppliedError, match="cannot mark their own"):
        record_mark(root, COURSE, cap, "learner1", "learner1", ok)
    with pytest.raises(AppliedError, match="not a valid name"):
        record_mark(root, COURSE, cap, "../etc", "tutor1", ok)
    record_mark(root, COURSE, cap, "learner1", "tutor1", ok)
    with pytest.raises(AppliedError, match="no moderation sample has been drawn"):
        record_mark(root, COURSE, cap, "learner1", "tutor2", ok)


def test_sample_is_reproducible_and_sized_by_policy() -> None:
    people = [f"learner{i}" for i in range(1, 21)]
    first = draw_sample(people, 0.25, 1, seed=7)
    assert first == draw_sample(list(reversed(people)), 0.25, 1, seed=7)
    assert len(first) == 5 and set(first) <= set(people)
    assert draw_sample(people, 0.25, 1, seed=8) != first  # another seed, another sample
    assert len(draw_sample(people, 0.1, 1, seed=7)) == 2  # ceil(0.1 * 20) without float drift
    assert len(draw_sample(people, 0.01, 3, seed=7)) == 3  # the minimum applies
    assert draw_sample(people, "all", 0, seed=7) == sorted(people)
    assert len(draw_sample(people[:2], 0.5, 5, seed=7)) == 2  # never more than there are
    # Across many seeds every learner is sometimes chosen, in roughly the right share.
    counts = dict.fromkeys(people, 0)
    for seed in range(400):
        for p in draw_sample(people, 0.25, 1, seed):
            counts[p] += 1
    assert all(60 <= c <= 140 for c in counts.values()), counts


def test_double_marking_flags_agrees_and_keeps_both_marks(root: Path, state: Path) -> None:
    cap = load_capstone(root, "proj")
    learners = [f"learner{i}" for i in range(1, 7)]
    for learner in learners:
        submit(state, COURSE, learner)
        _mark(root, cap, learner, "tutor1", "good", "good", "good")
    report = moderate(root, COURSE, cap, "moderator")
    sample = report.sample["selected"]
    assert report.sample_drawn_now and len(sample) == 3 and report.sample["seed"] == 7
    assert sample == draw_sample(learners, 0.5, 1, 7)
    outside = [p for p in learners if p not in sample]
    assert {d.learner: d.status for d in report.decisions} == {
        **dict.fromkeys(sample, "awaiting second mark"),
        **dict.fromkeys(outside, "agreed"),
    }
    with pytest.raises(AppliedError, match="not in the moderation sample"):
        _mark(root, cap, outside[0], "tutor2", "good", "good", "good")
    close, wide, late = sample
    # close: one level more on gamma (20 * 1/3 = 6.7 points, tolerance 15): agreed as the mean.
    assert _mark(root, cap, close, "tutor2", "good", "good", "great") == pytest.approx(220 / 3)
    with pytest.raises(AppliedError, match="cannot revise their first mark"):
        _mark(root, cap, close, "tutor1", "good", "good", "good")
    _mark(root, cap, wide, "tutor2", "none", "good", "good")  # alpha 2 levels apart: flagged
    report = moderate(root, COURSE, cap, "moderator")
    status = {d.learner: d.status for d in report.decisions}
    assert status[close] == "agreed" and status[wide] == "flagged: awaiting third marker"
    assert status[late] == "awaiting second mark"
    with pytest.raises(AppliedError, match="flagged for a third marker"):
        _mark(root, cap, wide, "tutor2", "good", "good", "good")
    with pytest.raises(AppliedError, match="agreed marks are final"):
        _mark(root, cap, close, "tutor3", "good", "good", "good")
    _mark(root, cap, wide, "tutor3", "great", "good", "some")
    _mark(root, cap, late, "tutor2", "good", "good", "good")
    with pytest.raises(AppliedError, match="not flagged for a third marker"):
        _mark(root, cap, late, "tutor3", "good", "good", "good")
    report = moderate(root, COURSE, cap, "moderator")
    assert all(d.status == "agreed" for d in report.decisions)
    assert moderate(root, COURSE, cap, "moderator").written == 0  # idempotent

    agreed = read_state(root, COURSE, "proj").learners
    mean = agreed[close].agreed
    assert mean is not None and mean["method"] == MEAN
    assert mean["scores"] == {"alpha": 2.0, "beta": 2.0, "gamma": 2.5}
    assert mean["total"] == pytest.approx(50 * 2 / 3 + 30 * 2 / 3 + 20 * 2.5 / 3)
    assert set(mean["marks"]) == {"first", "second"}
    assert mean["marks"]["first"]["marker"] == "tutor1"
    assert mean["marks"]["second"]["scores"]["gamma"] == 3.0
    third = agreed[wide].agreed
    assert third is not None and third["method"] == THIRD
    assert third["scores"] == {"alpha": 3.0, "beta": 2.0, "gamma": 1.0}
    assert set(third["marks"]) == {"first", "second", "third"}
    assert third["discrepancy"]["criterion_gaps"]["alpha"] == 2.0
    single = agreed[outside[0]].agreed
    assert single is not None and single["method"] == SINGLE and set(single["marks"]) == {"first"}
    with pytest.raises(AppliedError, match="agreed marks are final"):
        _mark(root, cap, close, "tutor1", "none", "none", "none")
    kinds = [e.kind for e in Ledger(capstone_log(root, COURSE, "proj")).entries()]
    assert kinds.count("sample") == 1 and kinds.count("flag") == 1 and kinds.count("agree") == 6


def test_sample_cannot_be_redrawn_and_empty_cohort_is_refused(root: Path, state: Path) -> None:
    cap = load_capstone(root, "proj")
    with pytest.raises(AppliedError, match="nothing to moderate"):
        moderate(root, COURSE, cap, "moderator")
    assert not state.exists()
    submit(state, COURSE, "learner1")
    moderate(root, COURSE, cap, "moderator", sample="all")
    before = tree(state)
    with pytest.raises(AppliedError, match="cannot be redrawn"):
        moderate(root, COURSE, cap, "moderator", sample=0.2)
    with pytest.raises(AppliedError, match="cannot be redrawn"):
        moderate(root, COURSE, cap, "moderator", seed=99)
    assert tree(state) == before


def test_marks_of_different_submission_versions_are_flagged(root: Path, state: Path) -> None:
    cap = load_capstone(root, "proj")
    folder = submit(state, COURSE, "learner1")
    _mark(root, cap, "learner1", "tutor1", "good", "good", "good")
    moderate(root, COURSE, cap, "moderator", sample="all")
    (folder / "proj.ipynb").write_text('{"resubmitted": true}', "utf-8")
    _mark(root, cap, "learner1", "tutor2", "good", "good", "good")
    decision = moderate(root, COURSE, cap, "moderator").decisions[0]
    assert decision.status == "flagged: awaiting third marker"
    assert "different versions of the submission" in decision.detail


def test_results_list_pending_work_with_reasons(root: Path, state: Path) -> None:
    cap = load_capstone(root, "proj")
    for learner in ("learner1", "learner2"):
        submit(state, COURSE, learner)
    _mark(root, cap, "learner1", "tutor1", "great", "great", "great")
    found = results(root, COURSE, cap)
    assert found.marks == []
    assert found.pending == {
        "learner1": "awaiting moderation (no sample drawn yet)",
        "learner2": "awaiting first mark",
    }


def test_changing_the_rubric_after_release_stops_marking(root: Path, state: Path) -> None:
    cap = load_capstone(root, "proj")
    Ledger(capstone_log(root, COURSE, "proj")).append(
        lambda _: [
            (
                "release",
                "tutor1",
                {"template_sha256": cap.template_sha256, "rubric_sha256": "0" * 64},
            )
        ]
    )
    submit(state, COURSE, "learner1")
    with pytest.raises(AppliedError, match="rubric of 'proj' changed after it was released"):
        _mark(root, cap, "learner1", "tutor1", "good", "good", "good")
