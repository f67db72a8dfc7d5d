"""The hub's runtime state folder: secrets, exchange, grading folders, content, permissions.

Everything here is I/O, done by ``academy up`` after the preflight checks pass.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import stat
from collections.abc import Callable
from pathlib import Path

from digital_academy.catalog import Catalog
from digital_academy.paths import exchange_dir, grading_dir, hub_dir, state_dir

from .auth import ADMIN_PASSWORD, USER_PASSWORD
from .builders import ADMIN_TOKEN, GIT_CONFIG, grader_user
from .content import publish_content
from .settings import HubSettings
from .spawners import ensure_system_user

SECRETS_FILE = "secrets.json"


def load_secrets(root: Path) -> dict[str, str]:
    path = hub_dir(root) / SECRETS_FILE
    data: dict[str, str] = json.loads(path.read_text("utf-8")) if path.exists() else {}
    return data


def ensure_secrets(root: Path) -> dict[str, str]:
    """Demo passwords and the operator's API token, made once and kept private (0600)."""
    path = hub_dir(root) / SECRETS_FILE
    data = load_secrets(root)
    wanted: dict[str, Callable[[], str]] = {
        USER_PASSWORD: lambda: secrets.token_urlsafe(9),
        ADMIN_PASSWORD: lambda: secrets.token_urlsafe(32),
        ADMIN_TOKEN: lambda: secrets.token_hex(32),
    }
    missing = {k: make() for k, make in wanted.items() if k not in data}
    if missing or not path.exists():
        data |= missing
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.touch(mode=0o600)
        tmp.write_text(json.dumps(data, indent=2), "utf-8")
        tmp.replace(path)
    path.chmod(0o600)
    return data


def seed_course_dir(root: Path, course_id: str) -> Path:
    """An nbgrader course folder for one course run; sources copied only if it has none."""
    course = grading_dir(root, course_id)
    source = course / "source"
    if not source.exists():
        source.mkdir(parents=True)
        for folder in sorted((root / "graders" / "source").glob("*/")):
            if folder.is_dir():
                shutil.copytree(folder, source / folder.name)
    return course


def _exchange_course(root: Path, course_id: str) -> Path:
    exchange = exchange_dir(root)
    exchange.mkdir(parents=True, exist_ok=True)
    # nbgrader wants a world-writable exchange root; the sticky bit stops anyone removing
    # or replacing a course folder they do not own.
    exchange.chmod(0o1777)
    course = exchange / course_id
    course.mkdir(exist_ok=True)
    course.chmod(0o755)
    return course


def prepare_state(root: Path, settings: HubSettings, catalog: Catalog) -> dict[str, str]:
    """Create or refresh everything the hub reads at start; returns the secrets."""
    hub = hub_dir(root)
    (hub / "logs").mkdir(parents=True, exist_ok=True)
    hub.chmod(0o700)
    found = ensure_secrets(root)
    state = state_dir(root)
    publish_content(catalog, state / "content.git", state / "content-stage")
    gitconfig = state / GIT_CONFIG
    gitconfig.write_text(
        f"[safe]\n\tdirectory = {state / 'content.git'}\n[include]\n\tpath = ~/.gitconfig\n",
        "utf-8",
    )
    gitconfig.chmod(0o644)
    for course in settings.courses:
        seed_course_dir(root, course.id)
        _exchange_course(root, course.id)
    if settings.spawner.kind == "demo":
        (state / settings.spawner.demo_home_root).mkdir(exist_ok=True)
    else:
        secure_for_system_users(root, settings)
    return found


def _chown_tree(path: Path, uid: int, gid: int) -> None:
    os.chown(path, uid, gid)
    for item in path.rglob("*"):
        os.chown(item, uid, gid, follow_symlinks=False)


def secure_for_system_users(root: Path, settings: HubSettings) -> None:
    """Production profile: each course's grading folder private to its grader user,
    the state folder traversable but not listable, and the course sources closed to learners.
    """
    state = state_dir(root)
    state.chmod(0o711)
    (state / "grading").chmod(0o711)
    graders = root / "graders"
    if graders.exists():
        graders.chmod(graders.stat().st_mode & ~(stat.S_IRWXO | stat.S_IRWXG))
    for course in settings.courses:
        user = ensure_system_user(grader_user(course.id))
        folder = grading_dir(root, course.id)
        _chown_tree(folder, user.pw_uid, user.pw_gid)
        folder.chmod(0o700)
        exchange = exchange_dir(root) / course.id
        _chown_tree(exchange, user.pw_uid, user.pw_gid)
    content = state / "content.git"
    for item in [content, *content.rglob("*")]:
        item.chmod(0o755 if item.is_dir() else 0o644)
