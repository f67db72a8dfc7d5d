"""Start, stop and inspect the local academy hub: the only part here that runs processes.

The hub and everything it starts (proxy, services, learners' servers, their kernels) carry
``ACADEMY_HUB_ID`` in their environment, so ``academy down`` can prove none is left behind
even if the hub itself was killed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil

from digital_academy.paths import generated_dir, hub_dir, state_dir

from .builders import ADMIN_TOKEN, HUB_ID, formgrader_service, service_ports
from .files import HELM_VALUES, HUB_CONFIG, PERSONAL, generated_files, write_generated
from .preflight import preflight
from .settings import HubSettings
from .state import load_secrets, prepare_state

RUN_FILE = "run.json"
HUB_ID_ENV = HUB_ID
Say = Callable[[str], None]
#: Hubs this process launched, kept so they are reaped (never left as zombies) on stop.
_launched: dict[int, subprocess.Popen[bytes]] = {}


class HubError(Exception):
    """The hub failed to start or stop; the message says why and where the log is."""


@dataclass(frozen=True)
class RunRecord:
    pid: int
    hub_id: str
    url: str
    api_url: str
    started: float
    services: dict[str, str] = field(default_factory=dict)
    #: Where this start wrote the hub config it runs and the Helm values for a cluster.
    hub_config: str = ""
    helm_values: str = ""


def _run_file(root: Path) -> Path:
    return hub_dir(root) / RUN_FILE


def read_record(root: Path) -> RunRecord | None:
    path = _run_file(root)
    if not path.exists():
        return None
    return RunRecord(**json.loads(path.read_text("utf-8")))


def running_pid(root: Path) -> int | None:
    """The live hub's pid, or None (a stale record from a crash is ignored)."""
    record = read_record(root)
    if record is None or not psutil.pid_exists(record.pid):
        return None
    try:
        env = psutil.Process(record.pid).environ()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None
    return record.pid if env.get(HUB_ID_ENV) == record.hub_id else None


def academy_processes(hub_id: str) -> list[psutil.Process]:
    """Every process the hub started (and their children), found by the id they inherit."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get(HUB_ID_ENV) == hub_id:
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def http_status(url: str, token: str | None = None, timeout: float = 5) -> int:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"token {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (urllib.error.URLError, OSError):
        return 0


def api_get(record: RunRecord, path: str, token: str) -> Any:
    request = urllib.request.Request(record.api_url + path.lstrip("/"))
    request.add_header("Authorization", f"token {token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def log_tail(root: Path, lines: int = 15) -> str:
    path = hub_dir(root) / "hub.log"
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text("utf-8", errors="replace").splitlines()[-lines:])


def _wait_ready(
    root: Path, proc: subprocess.Popen[bytes], record: RunRecord, timeout: float, say: Say
) -> None:
    deadline = time.monotonic() + timeout
    pending = {"hub": record.url + "hub/health", **record.services}
    while pending:
        if proc.poll() is not None:
            raise HubError(
                f"the hub exited during start (status {proc.returncode}); "
                f"last lines of {hub_dir(root) / 'hub.log'}:\n{log_tail(root)}"
            )
        if time.monotonic() > deadline:
            raise HubError(
                f"the hub did not become ready in {timeout:.0f} s "
                f"(waiting for {', '.join(pending)}); see {hub_dir(root) / 'hub.log'}"
            )
        for name, url in list(pending.items()):
            if http_status(url, timeout=2) == 200:
                say(f"{name} is up")
                del pending[name]
        time.sleep(0.3)


def write_files(root: Path, files: Mapping[str, str], personal: bool, say: Say) -> dict[str, Path]:
    """Write the generated files; return where each of :data:`PERSONAL` is.

    The repository's copies are its committed defaults, built from the settings file alone.
    With records in them (``personal``) those two files name learners and tutors, so they go
    to the state folder (never committed, private to this user) and the repository's copies
    stay exactly as they are.
    """
    shared = {rel: text for rel, text in files.items() if not personal or rel not in PERSONAL}
    for rel in write_generated(root, shared):
        say(f"wrote {rel}")
    if not personal:
        return {rel: root / rel for rel in PERSONAL}
    folder = generated_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    own = {rel.removeprefix("hub_config/"): files[rel] for rel in PERSONAL}
    for rel in write_generated(folder, own):
        say(f"wrote {folder / rel}")
    return {rel: folder / rel.removeprefix("hub_config/") for rel in PERSONAL}


def start(
    root: Path,
    settings: HubSettings,
    say: Say,
    timeout: float = 180,
    extra_config: str = "",
    *,
    helm_values: Mapping[str, Any] | None = None,
    extra_services: Mapping[str, str] | None = None,
    personal: bool = False,
) -> tuple[RunRecord, dict[str, str], tuple[str, ...]]:
    """Check, generate, prepare and launch; return once the hub and its services answer.

    What a capability built on the hub adds to this start (enrolment does, for its course
    runs; tests use ``extra_config`` to change one setting):

    - ``extra_config``: Python lines appended to the generated ``jupyterhub_config.py``;
    - ``helm_values``: the Helm values to write instead of those built from ``settings``;
    - ``extra_services``: ``{name: URL through the proxy}`` of services that config adds,
      waited for here and checked by ``status`` like the hub's own;
    - ``personal``: the settings or values hold course-run records (people's names), so the
      hub config and Helm values go under the state folder (see ``write_files``).
    """
    ready = preflight(root, settings, running_pid(root))
    files = generated_files(settings, helm_values)
    if extra_config:
        files[HUB_CONFIG] += "\n# --- extra config for this run ---\n" + extra_config
    written = write_files(root, files, personal, say)
    say("preparing course content, exchange and grading folders")
    secrets = prepare_state(root, settings, ready.catalog)
    net = settings.network
    ports = service_ports(settings)
    url = f"http://{net.ip}:{net.port}/"
    services = {"books": f"{url}services/books/"}
    for course in ports.formgraders:
        # Through the proxy: answers 200 (the login page) only once its route is in place.
        services[formgrader_service(course)] = f"{url}services/{formgrader_service(course)}/"
    services.update(extra_services or {})
    record = RunRecord(
        pid=0,
        hub_id=uuid.uuid4().hex,
        url=url,
        api_url=f"http://127.0.0.1:{net.hub_api_port}/hub/api/",
        started=time.time(),
        services=services,
        hub_config=str(written[HUB_CONFIG]),
        helm_values=str(written[HELM_VALUES]),
    )
    env = {
        **os.environ,
        "ACADEMY_ROOT": str(root.resolve()),  # the config may run from the state folder
        "ACADEMY_STATE_DIR": str(state_dir(root)),
        HUB_ID_ENV: record.hub_id,
    }
    hub = hub_dir(root)
    with (hub / "hub.log").open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", record.hub_config],
            cwd=hub,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    _launched[proc.pid] = proc
    record = RunRecord(**{**asdict(record), "pid": proc.pid})
    _run_file(root).write_text(json.dumps(asdict(record), indent=2), "utf-8")
    say(f"hub starting (pid {proc.pid})")
    try:
        _wait_ready(root, proc, record, timeout, say)
    except BaseException:
        stop(root, say=lambda _m: None)
        raise
    return record, secrets, ready.warnings


def _terminate(procs: list[psutil.Process], grace: float) -> int:
    for proc in procs:
        try:
            proc.terminate()
        except psutil.NoSuchProcess:
            continue
    _gone, alive = psutil.wait_procs(procs, timeout=grace)
    for proc in alive:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            continue
    psutil.wait_procs(alive, timeout=5)
    return len(alive)


def stop(root: Path, say: Say, grace: float = 20) -> bool:
    """Stop the hub (it stops its servers), then sweep anything of this run still alive.

    Returns False when no academy was running.
    """
    record = read_record(root)
    if record is None:
        return False
    if psutil.pid_exists(record.pid):
        try:
            os.kill(record.pid, signal.SIGTERM)
            say(f"stopping the hub (pid {record.pid}) and learners' servers")
            psutil.Process(record.pid).wait(timeout=grace)
        except (ProcessLookupError, psutil.NoSuchProcess):
            pass
        except psutil.TimeoutExpired:
            say("the hub did not stop in time; killing it")
            os.kill(record.pid, signal.SIGKILL)
    child = _launched.pop(record.pid, None)
    if child is not None:
        child.wait(timeout=10)
    leftovers = academy_processes(record.hub_id)
    if leftovers:
        say(f"stopping {len(leftovers)} leftover process(es) of this academy")
        _terminate(leftovers, grace=5)
    remaining = academy_processes(record.hub_id)
    if remaining:
        raise HubError(f"could not stop processes {[p.pid for p in remaining]}; stop them by hand")
    _run_file(root).unlink(missing_ok=True)
    return True


@dataclass(frozen=True)
class Status:
    running: bool
    record: RunRecord | None
    checks: dict[str, bool]
    users: list[dict[str, Any]]
    processes: int
    memory_mb: float


def status(root: Path) -> Status:
    record = read_record(root)
    pid = running_pid(root)
    if record is None or pid is None:
        return Status(False, record, {}, [], 0, 0.0)
    checks = {"hub process": True, "hub health": http_status(record.url + "hub/health") == 200}
    for name, url in record.services.items():
        checks[f"service {name}"] = http_status(url) == 200
    users: list[dict[str, Any]] = []
    token = load_secrets(root).get(ADMIN_TOKEN)
    try:
        users = api_get(record, "users", token or "")
        checks["hub API"] = True
    except (urllib.error.URLError, OSError, ValueError):
        checks["hub API"] = False
    procs = academy_processes(record.hub_id)
    memory = 0.0
    for proc in procs:
        try:
            memory += proc.memory_info().rss / 2**20
        except psutil.Error:
            continue
    return Status(all(checks.values()), record, checks, users, len(procs), memory)


def wait_foreground(root: Path, say: Say) -> int:
    """Block until Ctrl-C / SIGTERM (then stop cleanly) or until the hub dies on its own."""
    record = read_record(root)
    assert record is not None
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        while psutil.pid_exists(record.pid) and psutil.Process(record.pid).status() != "zombie":
            time.sleep(0.5)
        say(f"the hub exited on its own; last lines of its log:\n{log_tail(root)}")
        stop(root, say)
        return 1
    except KeyboardInterrupt:
        stop(root, say)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


def _raise_interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt
