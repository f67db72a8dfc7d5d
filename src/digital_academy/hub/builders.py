"""Pure builders: typed settings in, JupyterHub and Jupyter server configuration out.

Nothing here touches the disk, the clock or the environment; ``files.py`` writes the results
into ``hub_config/`` and ``runner.py`` starts the processes. Machine-specific values (paths,
the interpreter, secrets) appear as :class:`refs.Ref` so the generated files are portable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import refs
from .auth import Config, build_auth
from .settings import CourseRun, HubSettings

BOOKS_SERVICE = "books"
ADMIN_SERVICE = "academy-cli"
#: Key of the operator's API token in ``.academy/hub/secrets.json``.
ADMIN_TOKEN = "cli_api_token"
LEARNER_HOME_CONTENT = "academy"
SINGLEUSER_CONFIG_DIR = "hub_config/singleuser"
#: Learners' servers: jupyterhub.singleuser, started lean (see ``hub/singleuser.py``).
LEARNER_SERVER_MODULE = "digital_academy.hub.singleuser"
FORMGRADER_CONFIG_DIR = "hub_config/formgrader"
#: Learners' global git config, in the state folder (it names a machine path).
GIT_CONFIG = "content.gitconfig"
#: Every process of one run carries this id, so `academy down` can find them all.
HUB_ID = "ACADEMY_HUB_ID"


def formgrader_service(course_id: str) -> str:
    return f"formgrader-{course_id}"


def grader_user(course_id: str) -> str:
    """The OS user that owns one course run's grading folder (production profile)."""
    return f"grader-{course_id}"[:32]


@dataclass(frozen=True)
class ServicePorts:
    books: int
    formgraders: dict[str, int]


def service_ports(settings: HubSettings) -> ServicePorts:
    start = settings.network.service_ports_start
    return ServicePorts(
        books=start,
        formgraders={c.id: start + 1 + i for i, c in enumerate(settings.courses)},
    )


def all_ports(settings: HubSettings) -> list[int]:
    ports = service_ports(settings)
    net = settings.network
    return [
        net.port,
        net.hub_api_port,
        net.proxy_api_port,
        ports.books,
        *ports.formgraders.values(),
    ]


# --- groups and roles -------------------------------------------------------------------


def build_groups(settings: HubSettings) -> dict[str, dict[str, Any]]:
    """Hub groups: ``learners`` and ``tutors`` globally, and per course run."""
    groups: dict[str, dict[str, Any]] = {
        "learners": {"users": sorted(settings.learners())},
        "tutors": {"users": sorted(settings.tutors())},
    }
    for course in settings.courses:
        groups[f"learners-{course.id}"] = {"users": sorted(course.learners)}
        groups[f"tutors-{course.id}"] = {"users": sorted(course.tutors)}
    return groups


def _course_roles(course: CourseRun) -> list[dict[str, Any]]:
    learners = f"learners-{course.id}"
    service = formgrader_service(course.id)
    return [
        {
            "name": f"tutor-{course.id}",
            "description": f"Tutors of {course.id}: its formgrader and its learners' activity.",
            "scopes": [
                f"access:services!service={service}",
                f"list:users!group={learners}",
                f"read:users:name!group={learners}",
                f"read:users:activity!group={learners}",
            ],
            "groups": [f"tutors-{course.id}"],
        },
        {
            "name": f"{service}-service",
            "description": f"The {course.id} formgrader may read its own roster, nothing else.",
            "scopes": [f"read:groups!group={learners}", f"read:users:name!group={learners}"],
            "services": [service],
        },
    ]


def build_roles(settings: HubSettings) -> list[dict[str, Any]]:
    """RBAC roles. Learners reach only their own server; each course's tutors its formgrader."""
    roles: list[dict[str, Any]] = [
        {
            "name": "academy-learner",
            "description": "A learner: their own server and nothing of anyone else's.",
            "scopes": ["self"],
            "groups": ["learners"],
        },
        {
            "name": "academy-tutor",
            "description": "A tutor: their own server; course access comes from tutor-<course>.",
            "scopes": ["self"],
            "groups": ["tutors"],
        },
        {
            "name": "academy-operator",
            "description": "The `academy` command line: status, and starting/stopping servers.",
            "scopes": [
                "admin:users",
                "admin:servers",
                "tokens",
                "admin:groups",
                "list:services",
                "read:services",
                "read:hub",
                "proxy",
            ],
            "services": [ADMIN_SERVICE],
        },
    ]
    for course in settings.courses:
        roles += _course_roles(course)
    return roles


# --- single-user servers and services --------------------------------------------------


def learner_environment(settings: HubSettings) -> dict[str, Any]:
    """What every learner's server is told: where its config, exchange and content are."""
    content = refs.state("content.git")
    return {
        "JUPYTER_CONFIG_PATH": refs.root(SINGLEUSER_CONFIG_DIR),
        "ACADEMY_EXCHANGE": refs.state("exchange"),
        "ACADEMY_CONTENT_REPO": content,
        "ACADEMY_COURSES": ",".join(c.id for c in settings.courses),
        # Learners clone a repository another OS user owns: this file trusts exactly that one
        # (git reads safe.directory only from global config) and includes ~/.gitconfig.
        "GIT_CONFIG_GLOBAL": refs.state(GIT_CONFIG),
        "JUPYTER_PLATFORM_DIRS": "1",
        HUB_ID: refs.env(HUB_ID),
    }


def _demo_spawner(settings: HubSettings) -> Config:
    return {
        "JupyterHub": {"spawner_class": "digital_academy.hub.spawners.DemoSpawner"},
        "DemoSpawner": {
            "home_dir_template": refs.state(f"{settings.spawner.demo_home_root}/{{username}}"),
        },
    }


def _system_spawner(settings: HubSettings) -> Config:
    return {
        "JupyterHub": {"spawner_class": "digital_academy.hub.spawners.SystemUserSpawner"},
        "SystemUserSpawner": {"create_users": True},
    }


SPAWNER_PROFILES: dict[str, Callable[[HubSettings], Config]] = {
    "demo": _demo_spawner,
    "system-users": _system_spawner,
}


def _formgrader(settings: HubSettings, course: CourseRun, port: int) -> dict[str, Any]:
    name = formgrader_service(course.id)
    service: dict[str, Any] = {
        "name": name,
        "url": f"http://127.0.0.1:{port}",
        "display": True,
        "info": {"description": f"Grading for {course.title} ({course.id}), tutors only"},
        "oauth_no_confirm": True,
        "command": [refs.python(), "-m", "jupyterhub.singleuser", "--ServerApp.allow_root=True"],
        "cwd": refs.state(f"grading/{course.id}"),
        "environment": {
            "JUPYTER_CONFIG_PATH": refs.root(FORMGRADER_CONFIG_DIR),
            "ACADEMY_COURSE_ID": course.id,
            "ACADEMY_COURSE_DIR": refs.state(f"grading/{course.id}"),
            "ACADEMY_EXCHANGE": refs.state("exchange"),
            "JUPYTERHUB_DEFAULT_URL": "/formgrader",
            "JUPYTER_PLATFORM_DIRS": "1",
            HUB_ID: refs.env(HUB_ID),
        },
    }
    if settings.spawner.kind == "system-users":
        service["user"] = grader_user(course.id)
        service["command"] = service["command"][:-1]  # never root there
    return service


def build_services(settings: HubSettings) -> list[dict[str, Any]]:
    ports = service_ports(settings)
    services: list[dict[str, Any]] = [
        {
            "name": BOOKS_SERVICE,
            "url": f"http://127.0.0.1:{ports.books}",
            "display": True,
            "info": {"description": "The specialist academies' books"},
            "command": [refs.python(), "-m", "digital_academy.hub.books"],
            "environment": {
                "ACADEMY_SITE_DIR": refs.root("book/_build/site"),
                HUB_ID: refs.env(HUB_ID),
            },
        },
        {"name": ADMIN_SERVICE, "api_token": refs.secret(ADMIN_TOKEN)},
    ]
    services += [_formgrader(settings, c, ports.formgraders[c.id]) for c in settings.courses]
    return services


def _merge(into: Config, extra: Config) -> Config:
    for section, values in extra.items():
        into.setdefault(section, {}).update(values)
    return into


def build_hub_config(settings: HubSettings) -> Config:
    """The whole JupyterHub configuration as ``{Section: {trait: value}}``."""
    net = settings.network
    timeout = settings.spawner.start_timeout
    config: Config = {
        "JupyterHub": {
            "ip": net.ip,
            "port": net.port,
            "hub_ip": "127.0.0.1",
            "hub_port": net.hub_api_port,
            "base_url": "/",
            "db_url": refs.state("hub/jupyterhub.sqlite", prefix="sqlite:///"),
            "cookie_secret_file": refs.state("hub/jupyterhub_cookie_secret"),
            "concurrent_spawn_limit": settings.spawner.concurrent_spawn_limit,
            "active_server_limit": 0,
            "cleanup_servers": True,
            "cleanup_proxy": True,
            "load_groups": build_groups(settings),
            "load_roles": build_roles(settings),
            "services": build_services(settings),
        },
        "ConfigurableHTTPProxy": {
            "command": [
                refs.python(),
                "-m",
                "digital_academy.hub.proxy",
                "--proxy-timeout",
                "600000",
            ],
            "api_url": f"http://127.0.0.1:{net.proxy_api_port}",
            "should_start": True,
        },
        "Spawner": {
            "cmd": [refs.python(), "-m", LEARNER_SERVER_MODULE],
            "default_url": "/academy/open",
            "start_timeout": timeout,
            "http_timeout": timeout,
            "environment": learner_environment(settings),
        },
    }
    _merge(config, build_auth(settings))
    _merge(config, SPAWNER_PROFILES[settings.spawner.kind](settings))
    return config


HEADER = '''\
"""JupyterHub configuration GENERATED by `academy up` from hub_config/academy.yml.

Do not edit: change the settings file and run `academy up` again. With course runs recorded,
`academy up` writes the copy it runs under the state folder instead (it names learners), so
the repository's root comes from ACADEMY_ROOT, which `academy up` sets.
"""

import json
import os
import sys
from pathlib import Path

c = get_config()  # type: ignore[name-defined]  # noqa: F821 - injected by traitlets
ROOT = Path(os.environ.get("ACADEMY_ROOT") or Path(__file__).resolve().parent.parent).resolve()
STATE = Path(os.environ.get("ACADEMY_STATE_DIR") or ROOT / ".academy").resolve()
PYTHON = sys.executable
BIN = Path(sys.executable).parent
SECRETS = json.loads((STATE / "hub" / "secrets.json").read_text("utf-8"))
'''


def render_hub_config(config: Config) -> str:
    """The generated ``jupyterhub_config.py``: one assignment per trait."""
    lines = [HEADER]
    for section in config:
        lines.append("")
        for trait, value in config[section].items():
            lines.append(f"c.{section}.{trait} = {refs.render(value)}")
    return "\n".join(lines) + "\n"
