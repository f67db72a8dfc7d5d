"""The Zero to JupyterHub values validate against the real chart's schema, as Helm does it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from digital_academy.hub.helm import build_helm_values, deep_merge, learner_mounts
from digital_academy.hub.settings import HubSettings

REPO = Path(__file__).resolve().parents[2]
CHART = REPO.parent / "shared" / "data" / "z2jh"

needs_chart = pytest.mark.skipif(
    not (CHART / "values.schema.yaml").exists(),
    reason="the Zero to JupyterHub chart schema (../shared/data/z2jh beside the repository) "
    "is not present on this machine",
)


def _validate(values: dict[str, Any]) -> None:
    schema = yaml.safe_load((CHART / "values.schema.yaml").read_text("utf-8"))
    defaults = yaml.safe_load((CHART / "values.yaml").read_text("utf-8"))
    merged = deep_merge(defaults, values)
    jsonschema.Draft7Validator(schema).validate(merged)


def test_deep_merge_is_helms() -> None:
    base = {"a": {"b": 1, "c": [1, 2]}, "d": 1}
    assert deep_merge(base, {"a": {"c": [3]}, "e": 2}) == {"a": {"b": 1, "c": [3]}, "d": 1, "e": 2}


@needs_chart
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


@needs_chart
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
