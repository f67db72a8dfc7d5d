"""Checks run before anything starts, so bad input never leaves a half-running academy."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from digital_academy.catalog import Catalog, check
from digital_academy.paths import site_dir

from .builders import SINGLEUSER_CONFIG_DIR, all_ports, service_ports
from .settings import SETTINGS_FILE, HubSettings


class PreflightError(Exception):
    """Why the academy cannot start, and what to do about it."""


@dataclass(frozen=True)
class Ready:
    catalog: Catalog
    warnings: tuple[str, ...]


def port_free(ip: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((ip, port))
        except OSError:
            return False
    return True


def _port_names(settings: HubSettings) -> dict[int, str]:
    net = settings.network
    names = {
        net.port: "network.port (public)",
        net.hub_api_port: "network.hub_api_port",
        net.proxy_api_port: "network.proxy_api_port",
    }
    ports = service_ports(settings)
    names[ports.books] = "the books service (network.service_ports_start)"
    for course, port in ports.formgraders.items():
        names[port] = f"the {course} formgrader (network.service_ports_start + offset)"
    return names


def check_ports(settings: HubSettings) -> None:
    ports = all_ports(settings)
    if len(set(ports)) != len(ports):
        raise PreflightError(
            f"{SETTINGS_FILE}: network.service_ports_start overlaps the hub's own ports; "
            "choose a range clear of network.port, hub_api_port and proxy_api_port"
        )
    names = _port_names(settings)
    for port in ports:
        ip = settings.network.ip if port == settings.network.port else "127.0.0.1"
        if not port_free(ip, port):
            raise PreflightError(
                f"port {port} on {ip}, for {names[port]}, is already in use: stop whatever "
                f"uses it or choose another port in {SETTINGS_FILE}"
            )


def _world_reachable(path: Path) -> bool:
    """True when any OS user can read ``path`` and traverse every folder above it."""
    for folder in [path, *path.parents]:
        mode = folder.stat().st_mode
        need = stat.S_IROTH if folder == path else 0
        need |= stat.S_IXOTH if folder.is_dir() else 0
        if mode & need != need:
            return False
    return True


def check_system_users(root: Path) -> None:
    if os.geteuid() != 0:
        raise PreflightError(
            "spawner.kind 'system-users' creates one OS user per learner and must run as root; "
            "run `sudo academy up`, or use spawner.kind 'demo' for a single-person demo"
        )
    if shutil.which("useradd") is None:
        raise PreflightError("spawner.kind 'system-users' needs `useradd` (package passwd)")
    package = Path(__file__).resolve().parent
    for needed, why in (
        (Path(sys.executable).resolve(), "the Python that runs learners' servers"),
        (Path(sys.base_prefix).resolve(), "the Python standard library"),
        (package, "the academy package"),
        (root / SINGLEUSER_CONFIG_DIR, "learners' server configuration"),
    ):
        if needed.exists() and not _world_reachable(needed):
            raise PreflightError(
                f"{needed} ({why}) is not readable by learners' OS users; make it and every "
                "folder above it readable/traversable by others (chmod o+rx), or install the "
                "academy in a shared location such as /opt"
            )


def preflight(root: Path, settings: HubSettings, running_pid: int | None) -> Ready:
    """Everything ``academy up`` needs, checked before a single file or process is made."""
    if running_pid is not None:
        raise PreflightError(
            f"the academy is already running (hub pid {running_pid}); "
            "see `academy status`, or stop it with `academy down`"
        )
    result = check(root)
    if result.errors:
        raise PreflightError(
            f"the catalogue has {len(result.errors)} error(s), e.g. {result.errors[0].file}: "
            f"{result.errors[0].message}; run `academy check` and fix them first"
        )
    if not result.catalog.modules:
        raise PreflightError(
            "no course modules found under courses/: there is nothing for learners to open; "
            "add modules (`academy new module`) or run from the academy repository"
        )
    site = site_dir(root)
    if not (site / "index.html").is_file():
        raise PreflightError(
            f"the books are not built ({site.relative_to(root)}/index.html is missing): "
            "build them first with `academy build`"
        )
    if shutil.which("git") is None:
        raise PreflightError("`git` is needed to deliver course content; install git")
    warnings = []
    if not any((root / "graders" / "source").glob("*/*.ipynb")):
        warnings.append("no assessment sources in graders/source/: tutors have nothing to release")
    if settings.spawner.kind == "system-users":
        check_system_users(root)
    check_ports(settings)
    return Ready(result.catalog, tuple(warnings))
