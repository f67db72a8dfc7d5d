"""The records on Kubernetes: Zero to JupyterHub values for many runs on one hub (pure).

Built on the hub capability's Helm values (``digital_academy.hub.helm``), with what many
runs need on a cluster:

- every run's ``formgrader-<id>`` service and ``tutor-<id>`` role (from the hub's builders
  fed the records), plus the ``courses`` learner view and its role;
- the learner-side nbgrader course check and the token scope it needs;
- **exchange mounts by enrolment.** The hub's values mount every run's exchange into every
  learner pod. Here a ``pre_spawn_hook`` mounts, at each spawn, only the runs whose
  ``learners-<id>``/``tutors-<id>`` group holds the user: a pod has no path at all to a run
  it is not in. The mount layout is the hub's own (``helm.learner_mounts``), used as a
  template, so both stay one design.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from digital_academy.hub.helm import CONFIG_MOUNT, build_helm_values, learner_mounts
from digital_academy.hub.settings import CourseRun as HubCourseRun
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
PLACEHOLDER = "course-run-placeholder"


def mount_template() -> list[dict[str, Any]]:
    """The hub's per-run learner mounts, for a placeholder run id."""
    one = HubSettings(courses=(HubCourseRun(id=PLACEHOLDER),))
    return learner_mounts(one)


def pre_spawn_hook() -> str:
    """``hub.extraConfig`` code: mount only the runs the spawning user is in."""
    template = json.dumps(mount_template())
    return f'''\
import json

ACADEMY_MOUNTS = {template!r}


def academy_enrolled_mounts(spawner):
    """Exchange mounts for the runs whose learners-/tutors- group holds this user."""
    runs = sorted({{g.name.split("-", 1)[1] for g in spawner.user.groups
                   if g.name.startswith(("learners-", "tutors-"))}})
    mounts = [m for run in runs
              for m in json.loads(ACADEMY_MOUNTS.replace({PLACEHOLDER!r}, run))]
    spawner.volume_mounts = list(spawner.volume_mounts) + mounts


c.KubeSpawner.pre_spawn_hook = academy_enrolled_mounts
'''


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
    hub["config"].setdefault("KubeSpawner", {})["server_token_scopes"] = list(SERVER_TOKEN_SCOPES)
    hub["extraConfig"] = {**hub.get("extraConfig", {}), "academy-enrolment": pre_spawn_hook()}
    single = values["singleuser"]
    single["storage"]["extraVolumeMounts"] = []  # mounted per user by the hook instead
    single["extraFiles"]["nbgrader-enrolment"] = {
        "mountPath": f"{ENROLMENT_CONFIG_MOUNT}/nbgrader_config.py",
        "stringData": LEARNER_NBGRADER_ADDITION,
    }
    single["extraEnv"]["JUPYTER_CONFIG_PATH"] = f"{ENROLMENT_CONFIG_MOUNT}:{CONFIG_MOUNT}"
    return values
