"""Pure builders, tested by equality: records in, hub groups/roles, rosters, folders out."""

from __future__ import annotations

import datetime as dt

from digital_academy.enrolment import builders
from digital_academy.enrolment.builders import ExchangeFolder, Roster, Student
from digital_academy.enrolment.model import (
    AssignmentPlan,
    CourseRun,
    People,
    Person,
    Withdrawal,
)
from digital_academy.hub import refs
from digital_academy.hub.settings import HubSettings

A = CourseRun(
    id="run-a",
    academy="data",
    title="Data run",
    starts=dt.date(2026, 9, 1),
    ends=dt.date(2026, 12, 18),
    tutors=("tutor-a",),
    learners=("learner1", "learner2"),
    withdrawn=(Withdrawal(username="learner9", on=dt.date(2026, 10, 1)),),
    assignments=(AssignmentPlan(id="add-up"),),
)
B = CourseRun(
    id="run-b",
    academy="safety",
    title="Safety run",
    starts=dt.date(2026, 9, 1),
    ends=dt.date(2026, 12, 18),
    tutors=("tutor-b",),
    learners=("learner2", "learner3"),
)


def test_groups_per_run_and_global() -> None:
    assert builders.hub_groups(HubSettings(), [B, A]) == {
        "learners": ["learner1", "learner2", "learner3"],
        "learners-run-a": ["learner1", "learner2"],
        "learners-run-b": ["learner2", "learner3"],
        "tutors": ["tutor-a", "tutor-b"],
        "tutors-run-a": ["tutor-a"],
        "tutors-run-b": ["tutor-b"],
    }


def test_no_records_keeps_the_hub_settings() -> None:
    base = HubSettings()
    assert builders.hub_settings(base, []) is base
    assert [c.id for c in builders.hub_settings(base, [A]).courses] == ["run-a"]


def test_each_runs_grading_service_is_reachable_by_its_tutors_only() -> None:
    roles = {r["name"]: r for r in builders.hub_roles(HubSettings(), [A, B])}
    assert roles["tutor-run-a"] == {
        "name": "tutor-run-a",
        "description": "Tutors of run-a: its formgrader and its learners' activity.",
        "scopes": [
            "access:services!service=formgrader-run-a",
            "list:users!group=learners-run-a",
            "read:users:name!group=learners-run-a",
            "read:users:activity!group=learners-run-a",
        ],
        "groups": ["tutors-run-a"],
    }
    assert roles["formgrader-run-b-service"]["scopes"] == [
        "read:groups!group=learners-run-b",
        "read:users:name!group=learners-run-b",
    ]
    assert roles[builders.LEARNER_VIEW_ROLE] == {
        "name": "academy-courses-view",
        "description": "Learners and tutors open the course list; it shows each only their own.",
        "scopes": ["access:services!service=courses"],
        "groups": ["learners", "tutors"],
    }
    # No role grants one run's grading service to anyone outside that run's tutors.
    for name, role in roles.items():
        for scope in role["scopes"]:
            if scope.startswith("access:services!service=formgrader-"):
                run = scope.removeprefix("access:services!service=formgrader-")
                assert role.get("groups") == [f"tutors-{run}"], name


def test_roster_keeps_withdrawn_learners_inactive() -> None:
    people = People(
        people=(
            Person(
                username="learner1",
                first_name="Asha",
                last_name="Patel",
                email="asha@example.org",
                lms_user_id="u-1",
            ),
        )
    )
    assert builders.build_roster(A, people) == Roster(
        course_id="run-a",
        students=(
            Student("learner1", "Asha", "Patel", "asha@example.org", "u-1", active=True),
            Student("learner2", "", "", "", "", active=True),
            Student("learner9", "", "", "", "", active=False),
        ),
        instructors=("tutor-a",),
    )


def test_nbgrader_settings_give_each_run_its_own_folder_and_gradebook() -> None:
    assert builders.nbgrader_course_config("run-b") == {
        "CourseDirectory": {
            "course_id": "run-b",
            "root": refs.state("grading/run-b"),
            "db_url": refs.state("grading/run-b/gradebook.db", prefix="sqlite:///"),
        },
        "Exchange": {"root": refs.state("exchange")},
    }


def test_exchange_layout_demo_and_system_users() -> None:
    assert builders.exchange_layout([A], system_users=False) == [
        ExchangeFolder(".", 0o1777, None, None),
        ExchangeFolder("run-a", 0o755, None, None),
        ExchangeFolder("run-a/outbound", 0o755, None, None),
        ExchangeFolder("run-a/inbound", 0o2733, None, None),
        ExchangeFolder("run-a/feedback", 0o711, None, None),
    ]
    secure = builders.exchange_layout([B, A], system_users=True)
    assert [f.path for f in secure][1::4] == ["run-a", "run-b"]
    assert secure[5] == ExchangeFolder("run-b", 0o2750, "grader-run-b", "learners-run-b")
    assert builders.os_group_members([A, B]) == {
        "learners-run-a": ["learner1", "learner2"],
        "learners-run-b": ["learner2", "learner3"],
    }


def test_os_group_names_fit_posix() -> None:
    long_id = "a-very-long-course-run-identifier-2026"
    name = builders.os_group(long_id)
    assert len(name) <= 32 and name.startswith("learners-a-very-long-c")
    assert name != builders.os_group(long_id + "x")
    assert builders.os_group("run-a") == "learners-run-a"


def test_hub_config_addition_and_its_rendering() -> None:
    addition = builders.hub_config_addition(learner_view_port=9100)
    assert addition["Spawner"] == {
        "server_token_scopes": [
            "users:activity!user",
            "access:servers!server",
            "read:users:groups!user",
        ]
    }
    service = addition["JupyterHub"]["services"][0]
    assert service["name"] == "courses" and service["url"] == "http://127.0.0.1:9100"
    text = builders.render_addition(addition, refs.state("enrolment/singleuser"))
    assert "c.JupyterHub.services = list(c.JupyterHub.services) + [" in text
    assert "c.JupyterHub.load_roles = list(c.JupyterHub.load_roles) + [" in text
    assert (
        "c.Spawner.environment['JUPYTER_CONFIG_PATH'] = str(STATE / 'enrolment/singleuser')"
        " + os.pathsep + c.Spawner.environment['JUPYTER_CONFIG_PATH']"
    ) in text
    compile(text, "addition", "exec")  # valid Python
