"""The records on Kubernetes: Zero to JupyterHub values for many runs on one hub (pure).

Built on the hub capability's Helm values (``digital_academy.hub.helm``) fed the records, so
every run gets its ``formgrader-<id>`` service, its ``tutor-<id>`` role, its groups and
**its exchange mounts by enrolment**: the hub's values give run ``<id>``'s mounts only to
users in ``learners-<id>`` or ``tutors-<id>`` (``KubeSpawner.group_overrides``), so a pod
has no path at all to a run its user is not in. ``academy course`` keeps those groups in step
with the records, and the hub reads them at every spawn. This module adds what many runs need
besides: the ``courses`` learner view and its role, the learner-side nbgrader course check
and the token scope it needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from digital_academy.hub.helm import CONFIG_MOUNT, build_helm_values
from digital_academy.hub.settings import HubSettings

from .builders import (
    LEARNER_NBGRADER_ADDITION,
    LEARNER_VIEW_SERVICE,
    SERVER_TOKEN_SCOPES,
    hub_settings,
    learner_view_role,
)
from .model import CourseRun

ENROLMENT_CONFIG_MOUNT = "/etc/academy/enrolment"


def helm_values(base: HubSettings, courses: Iterable[CourseRun]) -> dict[str, Any]:
    """Zero to JupyterHub values serving every recorded run (see the module doc)."""
    values = build_helm_values(hub_settings(base, courses))
    hub = values["hub"]
    hub["services"][LEARNER_VIEW_SERVICE] = {
        "url": f"http://academy-{LEARNER_VIEW_SERVICE}:8888",
        "display": True,
        "oauth_no_confirm": True,
        "info": {"description": "My courses: assignments, due dates and feedback"},
    }
    role = learner_view_role()
    hub["loadRoles"][role.pop("name")] = role
    hub["config"]["KubeSpawner"]["server_token_scopes"] = list(SERVER_TOKEN_SCOPES)
    single = values["singleuser"]
    single["extraFiles"]["nbgrader-enrolment"] = {
        "mountPath": f"{ENROLMENT_CONFIG_MOUNT}/nbgrader_config.py",
        "stringData": LEARNER_NBGRADER_ADDITION,
    }
    single["extraEnv"]["JUPYTER_CONFIG_PATH"] = f"{ENROLMENT_CONFIG_MOUNT}:{CONFIG_MOUNT}"
    return values
