"""The jail itself: real namespaces, real limits, real kernels (Linux; root or user namespaces)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from digital_academy.assess.job import JAIL_ENV
from digital_academy.assess.sandbox.client import (
    UID_BASE,
    Jail,
    SandboxError,
    SandboxLimit,
    Zygote,
    resolve_mode,
)
from digital_academy.assess.sandbox.limits import Limits

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
LIMITS = Limits(cell_seconds=3, wall_seconds=60, cpu_seconds=2, memory_mb=200, processes=12)


def _mode() -> str:
    try:
        return resolve_mode("auto")
    except SandboxError as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"this machine cannot isolate learner code: {exc}")


@pytest.fixture(scope="module")
def zygote() -> Iterator[Zygote]:
    z = Zygote(_mode(), LIMITS)
    yield z
    z.close()


def _run(jail: Jail, code: str, timeout: float = 5) -> dict[str, Any]:
    return jail.request(jail.kernel, {"op": "execute", "code": code}, timeout)


def _text(reply: dict[str, Any]) -> str:
    parts = []
    for o in reply["outputs"]:
        parts.append(
            o.get("text")
            or o.get("data", {}).get("text/plain", "")
            or f"{o.get('ename')}: {o.get('evalue')}"
        )
    return "".join(parts)


@pytest.fixture
def jail(zygote: Zygote) -> Iterator[Jail]:
    j = zygote.spawn(JAIL_ENV)
    j.wait_ready()
    yield j
    j.close()


def test_learner_code_sees_no_network_no_host_files_and_no_privileges(
    jail: Jail, tmp_path: Path
) -> None:
    secret = tmp_path / "gradebook.db"
    secret.write_text("grades")
    connections: list[object] = []
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    threading.Thread(target=lambda: connections.append(server.accept()), daemon=True).start()
    reply = _run(
        jail,
        f"""
import os, socket, pathlib
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=2)
    print("CONNECTED")
except OSError as exc:
    print("no network:", exc.errno)
for path in [{str(secret)!r}, {str(REPO / "pyproject.toml")!r}, {str(REPO / "graders")!r},
             "/root/.ssh", "/var/lib", "/home"]:
    print(path, os.path.exists(path) and path != "/home")
print("uid", os.getuid(), "pid", os.getpid(), "cwd", os.getcwd())
print("tmp", sorted(os.listdir("/tmp")))
pathlib.Path("mine.txt").write_text("ok")
for target in ["/usr/evil", "/evil", "/etc/evil"]:
    try:
        open(target, "w")
        print("WROTE", target)
    except OSError:
        pass
""",
    )
    out = _text(reply)
    server.close()
    assert "CONNECTED" not in out and "no network" in out and not connections
    assert f"{secret} False" in out and f"{REPO / 'graders'} False" in out
    assert f"{REPO / 'pyproject.toml'} False" in out
    assert "WROTE" not in out and "tmp []" in out and "cwd /home/learner" in out
    if jail.spec["mode"] == "root":
        assert jail.spec["uid"] >= UID_BASE and f"uid {jail.spec['uid']} " in out
    assert (jail.scratch / "mine.txt").read_text() == "ok"


def test_every_jail_is_a_fresh_kernel(zygote: Zygote) -> None:
    first, second = zygote.spawn(JAIL_ENV), zygote.spawn(JAIL_ENV)
    try:
        first.wait_ready()
        second.wait_ready()
        _run(first, "leftover = 'from another learner'\nimport sys\nsys.modules['os'].x = 1")
        out = _text(_run(second, "print('leftover' in dir(), hasattr(__import__('os'), 'x'))"))
        assert out.strip() == "False False"
        assert first.scratch != second.scratch
    finally:
        first.close()
        second.close()
    assert not first.scratch.exists() and not second.scratch.exists()


def test_limits_cut_off_runaway_code_and_are_recorded(zygote: Zygote) -> None:
    jail = zygote.spawn(JAIL_ENV)
    try:
        jail.wait_ready()
        assert "MemoryError" in _text(_run(jail, "x = bytearray(400 * 1024 * 1024)"))
        out = _text(
            _run(
                jail,
                """
import os, time
children = 0
try:
    while True:
        if os.fork() == 0:
            time.sleep(60)
            os._exit(0)
        children += 1
except OSError as exc:
    print("stopped after", children, exc.errno)
""",
            )
        )
        assert "stopped after" in out and int(out.split()[2]) < LIMITS.processes
        reply = _run(jail, "while True:\n    pass", timeout=1.5)
        assert reply["timed_out"] and "KeyboardInterrupt" in _text(reply)
        assert "time limit" in jail.limit_events[0]
        assert _text(_run(jail, "print('still alive')")).strip() == "still alive"
        with pytest.raises(SandboxLimit, match="CPU time limit"):
            _run(
                jail,
                "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                "while True:\n    pass",
                timeout=10,
            )
    finally:
        jail.close()
    uids = {jail.spec["uid"]} if jail.spec["uid"] is not None else set()

    def leftovers() -> list[psutil.Process]:
        return [
            p
            for p in psutil.process_iter(["uids"])
            if p.info["uids"] and p.info["uids"].real in uids
        ]

    deadline = time.monotonic() + 10  # the kernel tears a pid namespace down asynchronously
    while leftovers() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert leftovers() == []


def test_a_kernel_that_ignores_interrupts_is_killed_at_the_time_limit(zygote: Zygote) -> None:
    jail = zygote.spawn(JAIL_ENV)
    try:
        jail.wait_ready()
        with pytest.raises(SandboxLimit, match="time limit"):
            _run(
                jail,
                "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\ntime.sleep(30)",
                timeout=1,
            )
        with pytest.raises(SandboxLimit):
            _run(jail, "print(1)")
    finally:
        jail.close()


def test_snapshots_are_frozen_copies_and_os_exit_is_detected(jail: Jail) -> None:
    _run(jail, "state = ['before']\ndef peek():\n    return list(state)")
    snap = jail.snapshot("test", 5)
    _run(jail, "state.append('after')")

    def peek(endpoint: Any) -> object:
        values = jail.request(endpoint, {"op": "lookup", "names": ["peek"]}, 5)["values"]
        return jail.request(endpoint, {"op": "call", "id": values["peek"]["id"]}, 5)["value"]

    assert peek(snap) == ["before"]
    assert peek(jail.kernel) == ["before", "after"]
    # a reference made in the kernel after the snapshot means nothing to the snapshot
    later = jail.request(jail.kernel, {"op": "lookup", "names": ["peek"]}, 5)["values"]["peek"]
    assert "fault" in jail.request(snap, {"op": "call", "id": later["id"]}, 5)
    with pytest.raises(SandboxLimit, match="exited"):
        _run(jail, "import os\nos._exit(3)")
    assert peek(snap) == ["before"]


@pytest.mark.skipif(os.geteuid() != 0, reason="forcing user namespaces is tested as root here")
def test_user_namespace_mode_isolates_too() -> None:
    z = Zygote("userns", LIMITS)
    try:
        jail = z.spawn(JAIL_ENV)
        jail.wait_ready()
        out = _text(
            _run(
                jail,
                f"""
import os, socket
try:
    socket.create_connection(("127.0.0.1", 22), timeout=1)
except OSError as exc:
    print("no network", exc.errno)
print(os.path.exists({str(REPO / "pyproject.toml")!r}), os.getcwd())
""",
            )
        )
        jail.close()
    finally:
        z.close()
    assert "no network" in out and "False /home/learner" in out
