"""Spawners the hub loads by name (``digital_academy.hub.spawners.DemoSpawner``).

Both add **the real cause of a failed start** to JupyterHub's local spawners: each server's
output goes to ``<state>/hub/logs/<user>.log``; if the process exits before it listens, the
spawn fails with the log's last meaningful lines instead of the hub's generic "500: Spawner
failed". (Lean starts come from the server command, ``digital_academy.hub.singleuser``, and
the server config: see ``singleuser`` and ``serverconfig``.)
"""

from __future__ import annotations

import asyncio
import os
import pwd
import re
import socket
import subprocess
from pathlib import Path
from typing import Any

from jupyterhub.spawner import (  # type: ignore[import-untyped]
    LocalProcessSpawner,
    SimpleLocalProcessSpawner,
)
from tornado import web
from traitlets import Bool, Integer

_CAUSE = re.compile(r"error|exception|refus|denied|not recommended|no such|cannot|fatal", re.I)


def state_dir() -> Path:
    return Path(os.environ.get("ACADEMY_STATE_DIR", ".academy")).resolve()


def log_path(user: str) -> Path:
    return state_dir() / "hub" / "logs" / f"{user}.log"


def explain_exit(user: str, status: int | None, log: str) -> str:
    """One readable sentence from a dead server's log: its last lines that name a cause."""
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    causes = [line for line in lines if _CAUSE.search(line)] or lines
    tail = " | ".join(causes[-3:]) or "it printed nothing"
    return (
        f"{user}'s server exited while starting (exit status {status}): {tail} "
        f"(full log: hub/logs/{user}.log in the academy state folder)"
    )


class AcademySpawner(LocalProcessSpawner):  # type: ignore[misc]
    """Log to a file per user, wait for the port, and report the real cause of a failure."""

    ready_poll_ms = Integer(200, config=True, help="How often to check a starting server.")
    popen_kwargs: dict[str, Any]  # a traitlet of the base class; annotated for mypy only

    async def _wait_listening(self) -> None:
        """Return once the server accepts connections; raise with its cause if it died."""
        host = self.ip or "127.0.0.1"
        while True:
            status = self.proc.poll()
            if status is not None:
                text = log_path(self.user.name).read_text("utf-8", errors="replace")
                message = explain_exit(self.user.name, status, text[-20000:])
                self.log.error(message)
                reason = message[:200].encode("ascii", "replace").decode()
                raise web.HTTPError(500, "%s", message, reason=reason)
            try:
                with socket.create_connection((host, self.port), timeout=0.5):
                    return
            except OSError:
                await asyncio.sleep(self.ready_poll_ms / 1000)

    async def start(self) -> tuple[str, int]:
        path = log_path(self.user.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as log:  # a new log per start: the cause is always at the end
            kwargs: dict[str, Any] = dict(self.popen_kwargs)
            self.popen_kwargs = {**kwargs, "stdout": log, "stderr": subprocess.STDOUT}
            result: tuple[str, int] = await super().start()
        await self._wait_listening()
        return result


class DemoSpawner(AcademySpawner, SimpleLocalProcessSpawner):  # type: ignore[misc]
    """Every learner's server runs as the hub's own OS user: a single-person demo only."""

    allow_root = Bool(
        True,
        config=True,
        help="Pass --ServerApp.allow_root when the hub runs as root (one OS user for all).",
    )

    def get_args(self) -> list[str]:
        args: list[str] = super().get_args()
        if self.allow_root and os.geteuid() == 0:
            args.append("--ServerApp.allow_root=True")
        return args


def ensure_system_user(name: str, home_mode: int = 0o700) -> pwd.struct_passwd:
    """The OS user for a hub user, created on first start with a private home folder."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        subprocess.run(
            ["useradd", "--create-home", "--user-group", "--shell", "/usr/sbin/nologin", name],
            check=True,
            capture_output=True,
            timeout=30,
        )
        entry = pwd.getpwnam(name)
    Path(entry.pw_dir).chmod(home_mode)
    return entry


class SystemUserSpawner(AcademySpawner):
    """One OS user per learner: homes are private (0700), processes cannot touch each other."""

    create_users = Bool(True, config=True, help="Create missing OS users (the hub runs as root).")

    async def start(self) -> tuple[str, int]:
        if self.create_users:
            await asyncio.to_thread(ensure_system_user, self.user.name)
        result: tuple[str, int] = await super().start()
        return result
