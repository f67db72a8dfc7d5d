"""The records on Kubernetes: Helm values validate against the real chart; the spawn hook
mounts each learner only the exchange folders of runs they are in (run here, for real)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jsonschema
import pytest
import yaml

from digital_academy.enrolment.kubernetes import helm_values, pre_spawn_hook
from digital_academy.enrolment.model import CourseRun
from digital_academy.hub.helm import deep_merge, learner_mounts
from digital_academy.hub.settings import CourseRun as HubCourseRun
from digital_academy.hub.settings import HubSettings

CHART = Path(__file__).resolve().parents[3] / "shared" / "data" / "z2jh"
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
    assert values["singleuser"]["storage"]["extraVolumeMounts"] == []
    assert "academy-enrolment" in values["hub"]["extraConfig"]


@pytest.mark.skipif(
    not (CHART / "values.schema.yaml").exists(),
    reason="the Zero to JupyterHub chart schema is not beside the repository",
)
def test_values_validate_against_the_chart_as_helm_does() -> None:
    schema = yaml.safe_load((CHART / "values.schema.yaml").read_text("utf-8"))
    defaults = yaml.safe_load((CHART / "values.yaml").read_text("utf-8"))
    values = yaml.safe_load(yaml.safe_dump(helm_values(HubSettings(), RUNS)))  # as written
    jsonschema.Draft7Validator(schema).validate(deep_merge(defaults, values))


def _spawn(groups: list[str]) -> list[dict[str, Any]]:
    """Run the generated hook the way the hub would, against a stand-in spawner."""
    config = SimpleNamespace(KubeSpawner=SimpleNamespace())
    namespace: dict[str, Any] = {"c": config}
    exec(compile(pre_spawn_hook(), "extraConfig/academy-enrolment", "exec"), namespace)
    hook = config.KubeSpawner.pre_spawn_hook
    user = SimpleNamespace(groups=[SimpleNamespace(name=g) for g in groups])
    spawner = SimpleNamespace(user=user, volume_mounts=[{"name": "home", "mountPath": "/h"}])
    hook(spawner)
    mounts: list[dict[str, Any]] = spawner.volume_mounts
    return mounts


def test_a_pod_mounts_only_the_runs_its_user_is_in() -> None:
    mounts = _spawn(["learners", "learners-run-a"])
    expected = learner_mounts(HubSettings(courses=(HubCourseRun(id="run-a"),)))
    assert mounts == [{"name": "home", "mountPath": "/h"}, *expected]
    assert not any("run-b" in m["mountPath"] or "run-b" in m["subPath"] for m in mounts[1:])
    both = _spawn(["learners-run-b", "learners-run-a"])
    assert {m["subPath"].split("/")[0] for m in both[1:]} == {"run-a", "run-b"}
    assert _spawn(["learners"]) == [{"name": "home", "mountPath": "/h"}]
    own = [m for m in mounts if m["mountPath"].endswith("/inbound")]
    assert own == [
        {
            "name": "exchange",
            "mountPath": "/srv/academy/exchange/run-a/inbound",
            "subPath": "run-a/inbound-by-learner/{username}",
        }
    ]
