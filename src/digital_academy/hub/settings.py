"""The hub's one typed settings model, read from ``hub_config/academy.yml``.

Every field has an embedded default, so a fresh clone runs with no settings file at all.
Authentication and spawner back ends are chosen by name (``kind``); see ``auth.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from digital_academy.catalog.diagnostics import field_path

SETTINGS_FILE = "hub_config/academy.yml"

#: Hub and OS user names: lower-case, start with a letter, safe as POSIX user names.
UserName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,30}$")]
CourseId = Annotated[str, Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=40)]
Port = Annotated[int, Field(ge=1024, le=65535)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Network(_Model):
    """Where the hub listens. All ports must be free; `academy up` checks before starting."""

    ip: str = Field(default="127.0.0.1", description="Public address (loopback by default).")
    port: Port = Field(default=8000, description="Public port learners open in the browser.")
    hub_api_port: Port = Field(default=8081, description="The hub's internal API port.")
    proxy_api_port: Port = Field(default=8001, description="The proxy's control port.")
    service_ports_start: Port = Field(
        default=8100, description="First port for hub services (books, one formgrader per course)."
    )

    @model_validator(mode="after")
    def _distinct(self) -> Network:
        fixed = [self.port, self.hub_api_port, self.proxy_api_port]
        if len(set(fixed)) != len(fixed):
            raise ValueError("port, hub_api_port and proxy_api_port must all differ")
        return self


class SharedPasswordAuth(_Model):
    """Local demo: named accounts sharing one generated password (admins have their own)."""

    kind: Literal["shared-password"] = "shared-password"


class EntraIdAuth(_Model):
    """An organisation's identity provider through OAuth (Microsoft Entra ID / Azure AD)."""

    kind: Literal["entra-id"]
    tenant_id: str = Field(min_length=1)
    client_id: str = Field(min_length=1)
    client_secret_env: str = Field(
        default="ACADEMY_OAUTH_CLIENT_SECRET",
        description="Name of the environment variable holding the client secret (never the "
        "secret itself: settings files are committed).",
    )
    callback_url: str = Field(
        pattern=r"^https?://", description="https://<hub>/hub/oauth_callback, as registered."
    )
    username_claim: str = "preferred_username"
    allowed_groups: tuple[str, ...] = Field(
        default=(), description="Entra group ids whose members may log in (empty: all users)."
    )


class Lti13Auth(_Model):
    """Universities' learning platforms (Moodle, Canvas, Blackboard) through LTI 1.3."""

    kind: Literal["lti13"]
    issuer: str = Field(pattern=r"^https://")
    client_ids: tuple[str, ...] = Field(min_length=1)
    authorize_url: str = Field(pattern=r"^https://")
    jwks_endpoint: str = Field(pattern=r"^https://")
    username_key: str = "email"


AuthSettings = Annotated[SharedPasswordAuth | EntraIdAuth | Lti13Auth, Field(discriminator="kind")]


class SpawnerSettings(_Model):
    """How learners' servers start. ``demo``: one OS user; ``system-users``: one OS user each."""

    kind: Literal["demo", "system-users"] = "demo"
    start_timeout: int = Field(
        default=300, ge=10, description="Seconds a server may take to start."
    )
    concurrent_spawn_limit: int = Field(
        default=100, ge=1, description="Spawns in flight at once (a burst queues beyond this)."
    )
    demo_home_root: str = Field(
        default="homes",
        description="demo only: learners' folders, relative to the state folder.",
    )


class CourseRun(_Model):
    """One course run: its tutors and learners become hub groups and roles."""

    id: CourseId
    title: str = "Demo course run"
    tutors: tuple[UserName, ...] = ()
    learners: tuple[UserName, ...] = ()


class KubernetesSettings(_Model):
    """What the Zero to JupyterHub Helm values need beyond the shared settings."""

    image: str = Field(default="quay.io/jupyter/scipy-notebook", description="Learner image.")
    image_tag: str = "2025-01-06"
    storage_capacity: str = Field(default="2Gi", pattern=r"^\d+(Mi|Gi)$")
    exchange_claim: str = Field(
        default="academy-exchange",
        description="ReadWriteMany claim holding the nbgrader exchange (no shared disk otherwise).",
    )
    content_repo_url: str = Field(
        default="http://academy-content/content.git",
        description="Where learner pods clone course content from (a git HTTP service).",
    )
    cull_idle_minutes: int = Field(default=60, ge=5)
    memory_guarantee: str = Field(default="256M", pattern=r"^\d+[MG]$")
    memory_limit: str = Field(default="1G", pattern=r"^\d+[MG]$")


class HubSettings(_Model):
    """The whole hub, for one machine or a Kubernetes cluster."""

    network: Network = Network()
    auth: AuthSettings = SharedPasswordAuth()
    spawner: SpawnerSettings = SpawnerSettings()
    admins: tuple[UserName, ...] = ("admin",)
    courses: tuple[CourseRun, ...] = Field(
        default=(CourseRun(id="demo", tutors=("tutor1",), learners=("learner1", "learner2")),),
        min_length=1,
    )
    kubernetes: KubernetesSettings = KubernetesSettings()

    @model_validator(mode="after")
    def _consistent(self) -> HubSettings:
        ids = [c.id for c in self.courses]
        if len(set(ids)) != len(ids):
            raise ValueError(f"course ids must be unique; got {ids}")
        for course in self.courses:
            both = set(course.tutors) & set(course.learners)
            if both:
                raise ValueError(f"course {course.id}: {sorted(both)} are both tutor and learner")
        return self

    def users(self) -> tuple[str, ...]:
        """Every named account, admins first, without repeats."""
        names = list(self.admins)
        for course in self.courses:
            names += [*course.tutors, *course.learners]
        return tuple(dict.fromkeys(names))

    def learners(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(u for c in self.courses for u in c.learners))

    def tutors(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(u for c in self.courses for u in c.tutors))


class SettingsError(Exception):
    """The settings file is wrong: names the file, the field and what to do."""


def load_settings(root: Path, path: Path | None = None) -> HubSettings:
    """Read the settings file (default ``hub_config/academy.yml``); absent means all defaults."""
    file = path or root / SETTINGS_FILE
    shown = file.relative_to(root).as_posix() if file.is_relative_to(root) else str(file)
    if not file.exists():
        if path is not None:
            raise SettingsError(f"{shown}: no such settings file")
        return HubSettings()
    try:
        data = yaml.safe_load(file.read_text("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{shown}: not valid YAML ({exc}); fix the syntax") from exc
    if data is None:
        return HubSettings()
    if not isinstance(data, dict):
        raise SettingsError(f"{shown}: expected a mapping of settings at the top level")
    try:
        return HubSettings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = field_path(tuple(first["loc"]))
        message = str(first["msg"]).removeprefix("Value error, ")
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise SettingsError(
            f"{shown}: field {where}: {message}{more}; fix it or delete the field to use the "
            "default (see docs/hub.md)"
        ) from exc
