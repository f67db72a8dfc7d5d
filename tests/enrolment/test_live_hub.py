"""Two course runs on one real hub: groups, services, the learner view, sync both ways."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from digital_academy.cli.main import cli
from digital_academy.enrolment import ops
from digital_academy.enrolment.builders import hub_groups
from digital_academy.enrolment.store import Store
from digital_academy.enrolment.sync import sync
from digital_academy.hub.settings import load_settings

from .live import DUE_A, DUE_B, Hub, make_two_runs, start, stop

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    root = make_two_runs(tmp_path_factory.mktemp("two-runs"))
    live = start(root)
    try:
        yield live
    finally:
        stop(root)


def test_hub_groups_and_services_come_from_the_records(hub: Hub) -> None:
    groups = {g["name"]: sorted(g["users"]) for g in hub.api("GET", "groups").json()}
    expected = hub_groups(load_settings(hub.root), Store(hub.root).read_courses())
    assert {k: v for k, v in groups.items() if k in expected} == expected
    services = hub.api("GET", "services").json()
    assert {"formgrader-run-a", "formgrader-run-b", "courses"} <= set(services)
    run = Store(hub.root).snapshot().course("run-a")
    assert run.hub_base is not None and run.hub_base.learners == ("learner1", "learner2")


def test_learner_view_shows_every_enrolled_run_with_due_dates(hub: Hub) -> None:
    both = hub.get("services/courses/api/me", user="learner2")
    assert both.status == 200, both.body
    runs = {r["id"]: r for r in both.json()["runs"]}
    assert set(runs) == {"run-a", "run-b"}
    assert runs["run-a"]["assignments"][0]["due"] == DUE_A.isoformat()
    assert runs["run-b"]["assignments"][0]["due"] == DUE_B.isoformat()
    assert [
        r["id"] for r in hub.get("services/courses/api/me", user="learner1").json()["runs"]
    ] == ["run-a"]
    tutor = hub.get("services/courses/api/me", user="tutor-b").json()["runs"]
    assert [(r["id"], r["role"], r["grading_service"]) for r in tutor] == [
        ("run-b", "tutor", "formgrader-run-b")
    ]
    page = hub.get("services/courses/", user="learner2")
    assert page.status == 200
    assert b"Data analysis, autumn" in page.body and b"Clinical safety, autumn" in page.body
    assert b"2026-10-30 17:00 UTC" in page.body
    assert hub.get("services/courses/api/me").status in (302, 401, 403)  # no identity, no data


def test_sync_both_directions_with_drift_reported(hub: Hub) -> None:
    store = Store(hub.root)
    # A hub admin adds learner3 to run-a directly in the hub: the records adopt it.
    assert hub.api("POST", "groups/learners-run-a/users", {"users": ["learner3"]}).status == 200
    report = sync(hub.root, today=dt.date(2026, 10, 1), course_ids=["run-a"])
    plan = report.runs[0]
    assert plan.drift == ("learner3 added to learners-run-a in the hub: now a learner",)
    assert store.snapshot().course("run-a").learners == ("learner1", "learner2", "learner3")
    # A change in the records reaches the hub: learner3 leaves run-a again.
    ops.unenrol(store, "run-a", ["learner3"], today=dt.date(2026, 10, 2))
    report = sync(hub.root, today=dt.date(2026, 10, 2), course_ids=["run-a"])
    assert report.runs[0].push["learners-run-a"] == ((), ("learner3",))
    members = hub.api("GET", "groups/learners-run-a").json()["users"]
    assert sorted(members) == ["learner1", "learner2"]
    # ... and learner3 is still in run-b, so still in the hub-wide learners group.
    assert "learner3" in hub.api("GET", "groups/learners").json()["users"]
    # Nothing more to do: a second sync changes nothing and reports no drift.
    again = sync(hub.root, today=dt.date(2026, 10, 2))
    assert all(not p.changes_hub and not p.drift for p in again.runs)
    assert all(not a and not r for a, r in again.global_push.values())


def test_course_commands_reach_the_running_hub(hub: Hub) -> None:
    """``academy course enrol`` and ``unenrol`` carry their change to the hub at once."""
    runner = CliRunner()
    root = ["--root", str(hub.root)]
    done = runner.invoke(cli, ["course", "enrol", *root, "run-b", "learner1"])
    assert done.exit_code == 0, done.output
    assert "learner1" in hub.api("GET", "groups/learners-run-b").json()["users"]
    done = runner.invoke(cli, ["course", "unenrol", *root, "run-b", "learner1"])
    assert done.exit_code == 0, done.output
    assert "learner1" not in hub.api("GET", "groups/learners-run-b").json()["users"]
    made = runner.invoke(
        cli,
        [
            "course",
            "create",
            *root,
            "run-c",
            "--academy",
            "data",
            "--title",
            "C",
            "--starts",
            "2026-09-01",
            "--ends",
            "2026-12-01",
        ],
    )
    assert made.exit_code == 0, made.output
    assert "restart the hub" in made.output and "formgrader-run-c" in made.output
