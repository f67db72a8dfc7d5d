"""Zero to JupyterHub Helm values from the same settings that run the local academy.

KubeSpawner, PostgreSQL, a volume per learner, profiles and the idle culler. Secrets never
enter the values: they come from the Kubernetes Secret ``academy-secrets`` through
``hub.extraEnv`` and a short ``hub.extraConfig`` snippet. The database URL is given at install
time (``--set hub.db.url=...``).

**The nbgrader exchange without a shared filesystem.** Every learner pod runs as the same
uid (jovyan), so file ownership cannot tell learners apart and a shared ``inbound`` folder
would let them read each other's submissions. Instead, a pod mounts from the ReadWriteMany
exchange claim, for each course run its user is in, only the run's ``outbound`` and
``feedback`` (read-only) and *its own* ``inbound/<username>`` sub-folder (``subPath`` with
KubeSpawner's ``{username}``); identity is the hub user (``JUPYTERHUB_USER``). The grader pod
mounts everything and runs :func:`digital_academy.hub.exchange.gather_inbound`, which copies
each learner's submissions into nbgrader's flat ``inbound`` only when the submission names
the learner whose folder it is in. That function runs here, and is tested here.

**Mounts by course membership.** The run's mounts are given per hub group with
JupyterHub's ``Spawner.group_overrides`` (``hub.config.KubeSpawner.group_overrides``): at
each spawn, a user in ``learners-<id>`` or ``tutors-<id>`` gets run ``<id>``'s mounts, and
nobody else does, so a pod has no path at all to a run its user is not in. This is data, not
code: JupyterHub applies it, the hub's groups decide it at every spawn (an enrolment change
needs no new values; a new run does, for its grading service anyway), and it leaves
``pre_spawn_hook`` free for the operator. Overrides *merge* into ``volume_mounts`` only when
it is a dict, as the chart for JupyterHub 5 makes it; ``VOLUME_MOUNTS_AS_DICT`` converts an
older chart's list first, so the home volume is never replaced.
"""

from __future__ import annotations

from typing import Any

from . import refs
from .auth import build_auth
from .builders import (
    BOOKS_SERVICE,
    LEARNER_SERVER_MODULE,
    build_groups,
    build_roles,
    formgrader_service,
)
from .serverconfig import (
    FORMGRADER_DISABLED_PLUGINS,
    LEARNER_DISABLED_PLUGINS,
    LEARNER_NBGRADER,
    learner_server_config,
)
from .settings import HubSettings

EXCHANGE_MOUNT = "/srv/academy/exchange"
CONFIG_MOUNT = "/etc/academy/singleuser"
SECRET_NAME = "academy-secrets"
EXCHANGE_KEY = "academy-exchange"
#: ``hub.extraConfig``: an older chart sets ``volume_mounts`` as a list, which a group
#: override would replace whole (home included); as a dict it is merged into. A no-op on the
#: chart for JupyterHub 5, which already uses a dict.
VOLUME_MOUNTS_AS_DICT = """\
if isinstance(c.KubeSpawner.volume_mounts, list):
    c.KubeSpawner.volume_mounts = {
        f"{i:02d}-{m['name']}": m for i, m in enumerate(c.KubeSpawner.volume_mounts)
    }
"""
_ = FORMGRADER_DISABLED_PLUGINS  # the grader deployment uses the same files as locally


def _secrets_out(
    config: dict[str, dict[str, Any]],
) -> tuple[dict[str, Any], list[str], dict[str, Any]]:
    """Split refs out of a config fragment: plain config, extraConfig lines, extraEnv."""
    plain: dict[str, Any] = {}
    lines: list[str] = []
    extra_env: dict[str, Any] = {}
    for section, values in config.items():
        for trait, value in values.items():
            if isinstance(value, refs.Ref):
                var = "ACADEMY_" + value.value.upper().replace("-", "_")
                extra_env[var] = {
                    "valueFrom": {
                        "secretKeyRef": {"name": SECRET_NAME, "key": value.value.replace("_", "-")}
                    }
                }
                lines.append(f"c.{section}.{trait} = os.environ[{var!r}]")
            else:
                plain.setdefault(section, {})[trait] = value
    return plain, lines, extra_env


def _roles(settings: HubSettings) -> dict[str, Any]:
    return {
        role.pop("name"): role
        for role in (dict(r) for r in build_roles(settings))
        if role["name"] != "academy-operator"
    }


def _services(settings: HubSettings) -> dict[str, Any]:
    services: dict[str, Any] = {
        BOOKS_SERVICE: {"url": "http://academy-books:80", "display": True},
    }
    for course in settings.courses:
        name = formgrader_service(course.id)
        services[name] = {
            "url": f"http://{name}:8888",
            "oauth_no_confirm": True,
            "display": True,
            "info": {"description": f"Grading for {course.id}, tutors only"},
        }
    return services


def course_mounts(course_id: str) -> dict[str, dict[str, Any]]:
    """One run's exchange mounts, keyed (KubeSpawner sorts dict mounts by key): outbound and
    feedback read-only, and only this user's own inbound folder."""
    base = f"{EXCHANGE_MOUNT}/{course_id}"
    key = f"{EXCHANGE_KEY}-{course_id}"
    return {
        f"{key}-1-outbound": {
            "name": "exchange",
            "mountPath": f"{base}/outbound",
            "readOnly": True,
            "subPath": f"{course_id}/outbound",
        },
        f"{key}-2-inbound": {
            "name": "exchange",
            "mountPath": f"{base}/inbound",
            "subPath": f"{course_id}/inbound-by-learner/{{username}}",
        },
        f"{key}-3-feedback": {
            "name": "exchange",
            "mountPath": f"{base}/feedback",
            "readOnly": True,
            "subPath": f"{course_id}/feedback",
        },
    }


def learner_mounts(settings: HubSettings) -> list[dict[str, Any]]:
    """Every run's mounts in one list (what a user in every run gets)."""
    return [m for course in settings.courses for m in course_mounts(course.id).values()]


def exchange_overrides(settings: HubSettings) -> dict[str, dict[str, Any]]:
    """``KubeSpawner.group_overrides``: each run's mounts for its learners and tutors only."""
    return {
        f"{EXCHANGE_KEY}-{course.id}": {
            "groups": [f"learners-{course.id}", f"tutors-{course.id}"],
            "spawner_override": {"volume_mounts": course_mounts(course.id)},
        }
        for course in settings.courses
    }


def build_helm_values(settings: HubSettings) -> dict[str, Any]:
    k8s = settings.kubernetes
    auth, auth_lines, auth_env = _secrets_out(build_auth(settings))
    hub_config: dict[str, Any] = {
        **auth,
        "JupyterHub": {
            **auth.get("JupyterHub", {}),
            "load_groups": build_groups(settings),
            "cleanup_servers": False,  # pods outlive hub restarts on Kubernetes
        },
        "KubeSpawner": {
            "default_url": "/academy/open",
            "group_overrides": exchange_overrides(settings),
        },
    }
    server = learner_server_config()
    page = {"disabledExtensions": dict.fromkeys(LEARNER_DISABLED_PLUGINS, True)}
    return {
        "hub": {
            "db": {"type": "postgres", "upgrade": True},
            "config": hub_config,
            "concurrentSpawnLimit": settings.spawner.concurrent_spawn_limit,
            "loadRoles": _roles(settings),
            "services": _services(settings),
            "extraEnv": auth_env,
            "extraConfig": {
                **(
                    {"academy-secrets": "import os\n" + "\n".join(auth_lines) + "\n"}
                    if auth_lines
                    else {}
                ),
                "academy-volume-mounts-as-dict": VOLUME_MOUNTS_AS_DICT,
            },
        },
        "singleuser": {
            "image": {"name": k8s.image, "tag": k8s.image_tag},
            "cmd": ["python", "-m", LEARNER_SERVER_MODULE],  # lean start, as locally
            "defaultUrl": "/academy/open",
            "startTimeout": settings.spawner.start_timeout,
            "memory": {"guarantee": k8s.memory_guarantee, "limit": k8s.memory_limit},
            "storage": {
                "type": "dynamic",
                "capacity": k8s.storage_capacity,
                "homeMountPath": "/home/jovyan",
                "extraVolumes": [
                    {"name": "exchange", "persistentVolumeClaim": {"claimName": k8s.exchange_claim}}
                ],
                # No mounts for everyone: each run's come with its groups (group_overrides).
            },
            "extraEnv": {
                "JUPYTER_CONFIG_PATH": CONFIG_MOUNT,
                "ACADEMY_EXCHANGE": EXCHANGE_MOUNT,
                "ACADEMY_COURSES": ",".join(c.id for c in settings.courses),
                "ACADEMY_CONTENT_REPO": k8s.content_repo_url,
            },
            "extraFiles": {
                "server-config": {
                    "mountPath": f"{CONFIG_MOUNT}/jupyter_server_config.json",
                    "data": server,
                },
                "lab-page-config": {
                    "mountPath": f"{CONFIG_MOUNT}/labconfig/page_config.json",
                    "data": page,
                },
                "nbgrader-config": {
                    "mountPath": f"{CONFIG_MOUNT}/nbgrader_config.py",
                    "stringData": LEARNER_NBGRADER,
                },
            },
            "profileList": [
                {
                    "display_name": "Learner",
                    "slug": "learner",
                    "default": True,
                    "description": f"Course notebooks; up to {k8s.memory_limit} of memory.",
                },
                {
                    "display_name": "Tutor",
                    "slug": "tutor",
                    "description": "More memory, for preparing and checking assignments.",
                    "kubespawner_override": {"mem_limit": "2G", "mem_guarantee": "512M"},
                },
            ],
        },
        "cull": {"enabled": True, "timeout": k8s.cull_idle_minutes * 60, "every": 300},
    }


def deep_merge(base: Any, over: Any) -> Any:
    """Helm's merge of values over chart defaults: maps merge key by key, all else replaces."""
    if isinstance(base, dict) and isinstance(over, dict):
        merged = dict(base)
        for key, value in over.items():
            merged[key] = deep_merge(base[key], value) if key in base else value
        return merged
    return over
