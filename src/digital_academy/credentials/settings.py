"""Issuer identity and learning record store settings, with embedded defaults.

Read from ``$ACADEMY_CREDENTIALS_SETTINGS`` or ``<root>/hub_config/credentials.yml`` when
present; a fresh clone works with the defaults (an example issuer and no LRS).
Secrets never go in the file: the LRS credentials are read from the environment
variable it names.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

SETTINGS_ENV = "ACADEMY_CREDENTIALS_SETTINGS"
SETTINGS_FILE = Path("hub_config") / "credentials.yml"

HttpUrl = Annotated[str, Field(pattern=r"^https?://[^\s/]+(/[^\s]*)?$")]


class SettingsError(ValueError):
    """The settings file is unusable; the message names the field and the fix."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Lrs(_Model):
    """A learning record store that accepts xAPI statements (optional)."""

    url: HttpUrl | None = Field(
        default=None, description="xAPI endpoint; statements are POSTed to <url>/statements."
    )
    auth_env: str = Field(
        default="ACADEMY_LRS_AUTH",
        description="Environment variable holding 'key:secret' for HTTP Basic auth.",
    )
    attempts: int = Field(default=5, ge=1, le=20, description="Tries per batch before giving up.")
    backoff_seconds: float = Field(default=1.0, ge=0, le=60, description="First retry delay.")
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    batch_size: int = Field(default=50, ge=1, le=1000)


class CredentialSettings(_Model):
    issuer_id: HttpUrl = Field(
        default="https://academy.example/issuer", description="The issuer profile's id (a URL)."
    )
    issuer_name: str = Field(default="Digital Academy", min_length=1)
    base_url: HttpUrl = Field(
        default="https://academy.example",
        description="Base of achievement, learner and xAPI activity identifiers.",
    )
    valid_days: int = Field(
        default=3 * 365, ge=1, le=20 * 365, description="How long a credential is valid."
    )
    lrs: Lrs = Lrs()


def load_settings(root: Path) -> CredentialSettings:
    configured = os.environ.get(SETTINGS_ENV)
    path = Path(configured) if configured else root / SETTINGS_FILE
    if not path.exists():
        if configured:
            raise SettingsError(f"{SETTINGS_ENV} names {path}, which does not exist")
        return CredentialSettings()
    try:
        data = yaml.safe_load(path.read_text("utf-8")) or {}
    except yaml.YAMLError as exc:
        raise SettingsError(f"{path}: not valid YAML ({exc})") from exc
    try:
        return CredentialSettings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise SettingsError(f"{path}: field {field}: {first['msg']}") from exc
