"""Run the hub with every course run from the records (the I/O around ``builders``).

``start`` is the hub capability's ``runner.start`` given (1) the hub settings with their
course runs replaced by the records', so each run gets its groups, its tutor role and its
own formgrader service, (2) enrolment's addition to the generated config: the learner
view service, the server token scope nbgrader's course check needs, and the learner-side
nbgrader lines, (3) the Helm values for the same records (``kubernetes.helm_values``), and
(4) the learner view, to wait for and to check in ``academy status``. The config and the
values name learners and tutors, so they are written under the state folder, never into
the repository's ``hub_config/`` (``personal``). After the start it
applies the exchange layout and syncs groups and gradebooks, so the hub and the records
agree from the first request.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from digital_academy.hub import refs
from digital_academy.hub import runner as hub_runner
from digital_academy.hub.builders import service_ports
from digital_academy.hub.preflight import port_free
from digital_academy.hub.settings import HubSettings
from digital_academy.paths import exchange_dir

from .builders import (
    LEARNER_NBGRADER_ADDITION,
    LEARNER_VIEW_SERVICE,
    ExchangeFolder,
    exchange_layout,
    hub_config_addition,
    hub_settings,
    os_group_members,
    render_addition,
)
from .errors import EnrolmentError
from .kubernetes import helm_values
from .model import CourseRun
from .store import Store, atomic_write
from .sync import SyncReport, sync

SINGLEUSER_ADDITION = "enrolment/singleuser"
Say = Callable[[str], None]


def learner_view_port(settings: HubSettings) -> int:
    """The port after the hub's services (books, one formgrader per run)."""
    ports = service_ports(settings)
    return max([ports.books, *ports.formgraders.values()]) + 1


def prepare(root: Path, base: HubSettings) -> tuple[HubSettings, str]:
    """The settings and the config addition for a hub that serves every recorded run."""
    courses = Store(root).read_courses()
    settings = hub_settings(base, courses)
    port = learner_view_port(settings)
    if not port_free("127.0.0.1", port):
        raise EnrolmentError(
            f"port {port} (the courses service: the port after the hub's services) is in use; "
            "stop whatever uses it or move network.service_ports_start in the hub settings"
        )
    addition = render_addition(hub_config_addition(port), refs.state(SINGLEUSER_ADDITION))
    folder = Path(refs.resolve(refs.state(SINGLEUSER_ADDITION), _where(root)))
    atomic_write(folder / "nbgrader_config.py", LEARNER_NBGRADER_ADDITION)
    for path in (folder, folder.parent):
        path.chmod(0o755)  # learners' servers (other OS users in production) read it
    (folder / "nbgrader_config.py").chmod(0o644)
    return settings, addition


def _where(root: Path) -> refs.Where:
    from digital_academy.paths import state_dir  # noqa: PLC0415

    return refs.Where(root=root, state=state_dir(root), python="", secrets={}, environ={})


@dataclass(frozen=True)
class Started:
    """What ``start`` returns: the hub capability's results, the settings used, the first sync."""

    record: Any  # digital_academy.hub.runner.RunRecord
    secrets: dict[str, str]
    warnings: tuple[str, ...]
    settings: HubSettings
    sync: SyncReport


def has_runs(root: Path) -> bool:
    return bool(Store(root).read_courses())


def start(
    root: Path,
    base: HubSettings,
    say: Say,
    timeout: float = 180,
    extra_config: str = "",
    today: dt.date | None = None,
) -> Started:
    """Start the hub for every recorded run (see the module doc); stops it again on failure."""
    if not has_runs(root):
        raise EnrolmentError("no course runs recorded; create one with `academy course create`")
    settings, addition = prepare(root, base)
    net = settings.network
    view = f"http://{net.ip}:{net.port}/services/{LEARNER_VIEW_SERVICE}/"
    record, secrets, warnings = hub_runner.start(
        root,
        settings,
        say,
        timeout=timeout,
        extra_config=addition + extra_config,
        helm_values=helm_values(base, Store(root).read_courses()),
        extra_services={LEARNER_VIEW_SERVICE: view},
        personal=True,  # the config and values name the runs' people: kept out of the repo
    )
    try:
        apply_exchange(root, Store(root).read_courses(), settings.spawner.kind == "system-users")
        report = sync(root, today=today or dt.datetime.now(dt.UTC).date(), say=say)
    except BaseException:
        hub_runner.stop(root, say=lambda _m: None)
        raise
    return Started(record, secrets, tuple(warnings), settings, report)


def _ensure_os_group(name: str, members: list[str]) -> None:
    if shutil.which("groupadd") is None:
        raise EnrolmentError("`groupadd` is needed for one OS group per run (package passwd)")
    subprocess.run(["groupadd", "-f", name], check=True, capture_output=True, timeout=30)
    existing = [m for m in members if _os_user_exists(m)]
    subprocess.run(
        ["gpasswd", "-M", ",".join(existing), name], check=True, capture_output=True, timeout=30
    )


def _os_user_exists(name: str) -> bool:
    import pwd  # noqa: PLC0415

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def apply_exchange(root: Path, courses: Iterable[CourseRun], system_users: bool) -> None:
    """Create each run's exchange folders with the modes, owners and groups of the layout."""
    import grp  # noqa: PLC0415
    import pwd  # noqa: PLC0415

    courses = list(courses)
    if system_users:
        for group, members in os_group_members(courses).items():
            _ensure_os_group(group, members)
    base = exchange_dir(root)
    for folder in exchange_layout(courses, system_users):
        path = base / folder.path
        path.mkdir(parents=True, exist_ok=True)
        _own(path, folder, pwd, grp)
        path.chmod(folder.mode)


def _own(path: Path, folder: ExchangeFolder, pwd: Any, grp: Any) -> None:
    if folder.owner is None or os.geteuid() != 0:
        return
    try:
        uid = pwd.getpwnam(folder.owner).pw_uid
    except KeyError:
        return  # the hub creates grader users at start; the next start applies this
    gid = grp.getgrnam(folder.group).gr_gid if folder.group else -1
    os.chown(path, uid, gid)
