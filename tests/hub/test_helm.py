"""The Zero to JupyterHub values validate against the real chart's schema, as Helm does it,
and real KubeSpawner turns them into pods that mount only their user's runs' exchange."""

from __future__ import annotations

import asyncio
import copy
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jsonschema
import pytest
import yaml
from kubernetes_asyncio.config import kube_config
from kubespawner import KubeSpawner
from traitlets.config import Config

from digital_academy.hub.helm import (
    VOLUME_MOUNTS_AS_DICT,
    build_helm_values,
    deep_merge,
    learner_mounts,
)
from digital_academy.hub.settings import HubSettings

REPO = Path(__file__).resolve().parents[2]
#: The chart's schema and defaults, kept in the repository (see its SOURCE.md).
CHART = REPO / "tests" / "data" / "z2jh"


def _validate(values: dict[str, Any]) -> None:
    schema = yaml.safe_load((CHART / "values.schema.yaml").read_text("utf-8"))
    defaults = yaml.safe_load((CHART / "values.yaml").read_text("utf-8"))
    merged = deep_merge(defaults, values)
    jsonschema.Draft7Validator(schema).validate(merged)


def test_deep_merge_is_helms() -> None:
    base = {"a": {"b": 1, "c": [1, 2]}, "d": 1}
    assert deep_merge(base, {"a": {"c": [3]}, "e": 2}) == {"a": {"b": 1, "c": [3]}, "d": 1, "e": 2}


@pytest.mark.parametrize("auth", ["shared-password", "entra-id", "lti13"])
def test_values_validate_against_the_chart(auth: str) -> None:
    extra: dict[str, Any] = {
        "shared-password": {},
        "entra-id": {
            "tenant_id": "t",
            "client_id": "c",
            "callback_url": "https://hub.example/hub/oauth_callback",
        },
        "lti13": {
            "issuer": "https://lms.example",
            "client_ids": ["x"],
            "authorize_url": "https://lms.example/a",
            "jwks_endpoint": "https://lms.example/j",
        },
    }[auth]
    values = build_helm_values(HubSettings.model_validate({"auth": {"kind": auth, **extra}}))
    _validate(values)
    assert values["hub"]["db"]["type"] == "postgres"
    assert values["cull"]["enabled"] is True
    assert values["singleuser"]["storage"]["type"] == "dynamic"
    # Pods start learners' servers as lean as the local hub does.
    assert values["singleuser"]["cmd"] == ["python", "-m", "digital_academy.hub.singleuser"]
    assert "secret" not in yaml.safe_dump(values["hub"]["config"]).lower() or auth == "entra-id"


def test_a_wrong_value_is_caught() -> None:
    values = build_helm_values(HubSettings())
    values["singleuser"]["storage"]["type"] = "floppy-disk"
    with pytest.raises(jsonschema.ValidationError):
        _validate(values)
    del values["singleuser"]["storage"]["type"]
    values["hub"]["db"] = {"type": "postgres", "colour": "blue"}
    with pytest.raises(jsonschema.ValidationError):
        _validate(values)


def test_secrets_come_from_a_kubernetes_secret() -> None:
    values = build_helm_values(HubSettings())
    config = values["hub"]["config"]
    assert "user_password" not in config.get("SharedPasswordAuthenticator", {})
    assert (
        "SharedPasswordAuthenticator.user_password = os.environ"
        in values["hub"]["extraConfig"]["academy-secrets"]
    )
    env = values["hub"]["extraEnv"]["ACADEMY_DEMO_USER_PASSWORD"]
    assert env["valueFrom"]["secretKeyRef"]["name"] == "academy-secrets"


def test_each_learner_mounts_only_their_own_inbound() -> None:
    mounts = learner_mounts(HubSettings())
    inbound = next(m for m in mounts if m["mountPath"].endswith("/inbound"))
    assert inbound["subPath"] == "demo/inbound-by-learner/{username}"
    assert all(m.get("readOnly") for m in mounts if not m["mountPath"].endswith("/inbound"))


# --- pods, from the values, by real KubeSpawner ------------------------------------------

#: KubeSpawner reads a cluster's address at start; it is never contacted to build a pod.
KUBECONFIG = """\
apiVersion: v1
kind: Config
clusters: [{name: none, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: none, user: {token: none}}]
contexts: [{name: none, context: {cluster: none, user: none, namespace: academy}}]
current-context: none
"""
HOME = ("volume-{username}", "/home/jovyan", None, None)


def pod_mounts(
    values: dict[str, Any], user: str, groups: list[str], list_chart: bool = False
) -> list[tuple[str, str, str | None, bool | None]]:
    """The volume mounts of ``user``'s pod: ``(volume, mountPath, subPath, readOnly)``.

    The chart's own start-up code is not run here (it needs the chart's files and a
    cluster); its two steps that matter are: the home volume goes into
    ``KubeSpawner.volume_mounts`` (a dict in the chart for JupyterHub 5, a list in older
    ones), then ``hub.config`` and ``hub.extraConfig`` are loaded. From there it is
    JupyterHub's own ``apply_group_overrides`` and KubeSpawner's own pod manifest.
    """
    config = Config()
    home = {
        "name": "volume-{username}",
        "mountPath": values["singleuser"]["storage"]["homeMountPath"],
    }
    config.KubeSpawner.volume_mounts = [home] if list_chart else {"00-home": home}
    for section, traits in copy.deepcopy(values["hub"]["config"]).items():
        config[section].update(traits)
    exec(values["hub"]["extraConfig"]["academy-volume-mounts-as-dict"], {"c": config})
    person = SimpleNamespace(
        name=user, id=1, url=f"/user/{user}/", groups=[SimpleNamespace(name=g) for g in groups]
    )

    async def build() -> Any:
        spawner = KubeSpawner(config=config, _mock=True, user=person)
        await spawner.apply_group_overrides()
        return await spawner.get_pod_manifest()

    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as patch:
        (Path(tmp) / "config").write_text(KUBECONFIG, "utf-8")
        patch.setattr(kube_config, "KUBE_CONFIG_DEFAULT_LOCATION", str(Path(tmp) / "config"))
        pod = asyncio.run(build())
    return [
        (m.name, m.mount_path, m.sub_path, m.read_only)
        for m in pod.spec.containers[0].volume_mounts
    ]


def run_mounts(run: str, user: str) -> list[tuple[str, str, str | None, bool | None]]:
    base = f"/srv/academy/exchange/{run}"
    return [
        ("exchange", f"{base}/outbound", f"{run}/outbound", True),
        ("exchange", f"{base}/inbound", f"{run}/inbound-by-learner/{user}", None),
        ("exchange", f"{base}/feedback", f"{run}/feedback", True),
    ]


TWO_RUNS = HubSettings.model_validate(
    {
        "courses": [
            {"id": "run-a", "tutors": ["tutor-a"], "learners": ["learner1", "learner2"]},
            {"id": "run-b", "tutors": ["tutor-b"], "learners": ["learner2", "learner3"]},
        ]
    }
)


def test_a_pod_mounts_only_the_runs_its_user_is_in() -> None:
    values = build_helm_values(TWO_RUNS)
    assert "extraVolumeMounts" not in values["singleuser"]["storage"]  # nothing for everyone
    home = ("volume-learner1", "/home/jovyan", None, None)
    assert pod_mounts(values, "learner1", ["learners", "learners-run-a"]) == [
        home,
        *run_mounts("run-a", "learner1"),
    ]
    both = pod_mounts(values, "learner2", ["learners", "learners-run-a", "learners-run-b"])
    assert both[1:] == [*run_mounts("run-a", "learner2"), *run_mounts("run-b", "learner2")]
    # In no run (a hub user, or one just withdrawn): the home folder and nothing else.
    assert pod_mounts(values, "learner9", ["learners"]) == [("volume-learner9", *HOME[1:])]
    # A tutor gets their own runs' folders, as their learners see them; never another run's.
    assert pod_mounts(values, "tutor-b", ["tutors", "tutors-run-b"])[1:] == run_mounts(
        "run-b", "tutor-b"
    )


def test_an_older_charts_list_of_mounts_keeps_the_home_volume() -> None:
    values = build_helm_values(TWO_RUNS)
    mounts = pod_mounts(values, "learner3", ["learners-run-b"], list_chart=True)
    assert mounts == [("volume-learner3", *HOME[1:]), *run_mounts("run-b", "learner3")]
    # Without the conversion, a group override would have replaced the list, home and all.
    config = Config()
    config.KubeSpawner.volume_mounts = [{"name": "home", "mountPath": "/h"}]
    exec(VOLUME_MOUNTS_AS_DICT, {"c": config})
    assert config.KubeSpawner.volume_mounts == {"00-home": {"name": "home", "mountPath": "/h"}}


def test_many_runs_validate_against_the_chart() -> None:
    _validate(yaml.safe_load(yaml.safe_dump(build_helm_values(TWO_RUNS))))
