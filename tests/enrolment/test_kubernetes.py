"""The records on Kubernetes: Helm values validate against the real chart, and real
KubeSpawner gives each pod only the exchange folders of the runs its user is in."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jsonschema
import yaml
from tests.hub.test_helm import pod_mounts, run_mounts

from digital_academy.enrolment.kubernetes import helm_values
from digital_academy.enrolment.model import CourseRun
from digital_academy.hub.helm import deep_merge
from digital_academy.hub.settings import HubSettings

CHART = Path(__file__).resolve().parents[1] / "data" / "z2jh"  # the chart's schema, vendored
RUNS = [
    CourseRun(
        id="run-a",
        academy="data",
        title="A",
        starts=dt.date(2026, 9, 1),
        ends=dt.date(2026, 12, 1),
        tutors=("tutor-a",),
        learners=("learner1", "learner2"),
    ),
    CourseRun(
        id="run-b",
        academy="safety",
        title="B",
        starts=dt.date(2026, 9, 1),
        ends=dt.date(2026, 12, 1),
        tutors=("tutor-b",),
        learners=("learner2", "learner3"),
    ),
]


def test_values_carry_every_run_and_the_learner_view() -> None:
    values = helm_values(HubSettings(), RUNS)
    services = values["hub"]["services"]
    assert {"formgrader-run-a", "formgrader-run-b", "courses", "books"} == set(services)
    roles = values["hub"]["loadRoles"]
    assert roles["tutor-run-b"]["scopes"][0] == "access:services!service=formgrader-run-b"
    assert roles["tutor-run-b"]["groups"] == ["tutors-run-b"]
    assert roles["academy-courses-view"]["groups"] == ["learners", "tutors"]
    groups = values["hub"]["config"]["JupyterHub"]["load_groups"]
    assert groups["learners-run-b"] == {"users": ["learner2", "learner3"]}
    assert "extraVolumeMounts" not in values["singleuser"]["storage"]
    overrides = values["hub"]["config"]["KubeSpawner"]["group_overrides"]
    assert {k: v["groups"] for k, v in overrides.items()} == {
        "academy-exchange-run-a": ["learners-run-a", "tutors-run-a"],
        "academy-exchange-run-b": ["learners-run-b", "tutors-run-b"],
    }


def test_values_validate_against_the_chart_as_helm_does() -> None:
    schema = yaml.safe_load((CHART / "values.schema.yaml").read_text("utf-8"))
    defaults = yaml.safe_load((CHART / "values.yaml").read_text("utf-8"))
    values = yaml.safe_load(yaml.safe_dump(helm_values(HubSettings(), RUNS)))  # as written
    jsonschema.Draft7Validator(schema).validate(deep_merge(defaults, values))


def test_a_pod_mounts_only_the_runs_its_user_is_in() -> None:
    values = helm_values(HubSettings(), RUNS)
    groups = values["hub"]["config"]["JupyterHub"]["load_groups"]

    def mounts(user: str) -> list[tuple[str, str, str | None, bool | None]]:
        # The user's groups as the records make them, as the hub holds them at spawn.
        return pod_mounts(values, user, sorted(g for g, v in groups.items() if user in v["users"]))

    home = ("volume-learner1", "/home/jovyan", None, None)
    assert mounts("learner1") == [home, *run_mounts("run-a", "learner1")]
    assert mounts("learner2")[1:] == [
        *run_mounts("run-a", "learner2"),
        *run_mounts("run-b", "learner2"),
    ]
    assert mounts("learner3")[1:] == run_mounts("run-b", "learner3")
    assert mounts("tutor-a")[1:] == run_mounts("run-a", "tutor-a")
    assert mounts("someone-else") == [("volume-someone-else", "/home/jovyan", None, None)]
    # Withdrawn from run-a: `academy course` takes learner1 out of the hub group, and the next
    # spawn, with the same values (none regenerated), has none of run-a's folders.
    left = [RUNS[0].model_copy(update={"learners": ("learner2",)}), RUNS[1]]
    now = helm_values(HubSettings(), left)["hub"]["config"]["JupyterHub"]["load_groups"]
    learner1_groups = sorted(g for g, v in now.items() if "learner1" in v["users"])
    assert "learners-run-a" not in learner1_groups
    assert pod_mounts(values, "learner1", learner1_groups) == [home]
