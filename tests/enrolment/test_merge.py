"""The three-way merge that keeps records and hub groups in step, both directions."""

from __future__ import annotations

import datetime as dt

from digital_academy.enrolment.merge import plan_global, plan_run, three_way
from digital_academy.enrolment.model import CourseRun, HubBase


def run(
    learners: tuple[str, ...], tutors: tuple[str, ...] = ("t1",), base: HubBase | None = None
) -> CourseRun:
    return CourseRun(
        id="r",
        academy="data",
        title="R",
        starts=dt.date(2026, 1, 1),
        ends=dt.date(2026, 2, 1),
        learners=learners,
        tutors=tutors,
        hub_base=base,
    )


def test_three_way_carries_changes_from_both_sides() -> None:
    merged = three_way(base={"a", "b", "c"}, local={"a", "b", "d"}, remote={"a", "c", "e"})
    # local removed c and added d; the hub removed b and added e
    assert merged.merged == {"a", "d", "e"}
    assert merged.adopted_add == {"e"} and merged.adopted_remove == {"b"}
    assert merged.push_add == {"d"} and merged.push_remove == {"c"}


def test_first_sync_unites_and_removes_nobody() -> None:
    merged = three_way(base=None, local={"a", "b"}, remote={"b", "x"})
    assert merged.merged == {"a", "b", "x"} and merged.push_remove == frozenset()
    missing = three_way(base={"a"}, local={"a", "b"}, remote=None)
    assert missing.merged == {"a", "b"} and missing.push_add == {"a", "b"}


def test_plan_reports_drift_adopted_from_the_hub() -> None:
    course = run(("l1", "l2"), base=HubBase(learners=("l1", "l2"), tutors=("t1",)))
    plan = plan_run(course, {"learners-r": ["l1", "l3"], "tutors-r": ["t1"]})
    assert plan.learners == ("l1", "l3")
    assert plan.drift == (
        "l3 added to learners-r in the hub: now a learner",
        "l2 removed from learners-r in the hub: no longer a learner",
    )
    assert plan.push == {"learners-r": ((), ()), "tutors-r": ((), ())}
    assert not plan.changes_hub


def test_plan_pushes_record_changes_to_the_hub() -> None:
    course = run(("l1", "l4"), base=HubBase(learners=("l1", "l2"), tutors=("t1",)))
    plan = plan_run(course, {"learners-r": ["l1", "l2"]})
    assert plan.push == {"learners-r": (("l4",), ("l2",)), "tutors-r": (("t1",), ())}
    assert plan.drift == ()


def test_busy_tutor_removed_in_the_hub_is_kept() -> None:
    course = run(("l1",), tutors=("t1", "t2"), base=HubBase(learners=("l1",), tutors=("t1", "t2")))
    remote = {"learners-r": ["l1"], "tutors-r": ["t2"]}
    assert plan_run(course, remote).tutors == ("t2",)
    kept = plan_run(course, remote, busy_tutors={"t1"})
    assert kept.tutors == ("t1", "t2")
    assert kept.push["tutors-r"] == (("t1",), ())
    assert kept.conflicts[0].startswith("t1 was removed from tutors-r in the hub but has grades")


def test_one_role_per_person_survives_hub_changes() -> None:
    course = run(("l1",), base=HubBase(learners=("l1",), tutors=("t1",)))
    plan = plan_run(course, {"learners-r": ["l1", "t1"], "tutors-r": ["t1"]})
    assert plan.learners == ("l1",) and plan.tutors == ("t1",)
    assert plan.push["learners-r"] == ((), ("t1",))
    assert "is a tutor of the run" in plan.conflicts[0]


def test_global_groups_are_everyone_in_some_run() -> None:
    a = plan_run(run(("l1", "l2")), {})
    assert plan_global([a], {"learners": ["l1", "old"], "tutors": []}) == {
        "learners": (("l2",), ("old",)),
        "tutors": (("t1",), ()),
    }
