"""The grader's side of the sandbox: a zygote per worker, one jail per submission.

Everything a jail says is data. When a jail misbehaves (too slow, dead, garbled), the
grader raises :class:`SandboxLimit`, a ``BaseException``: a test's ``except Exception``
cannot swallow it and turn a limit into a pass.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .channel import Channel, ChannelClosed, ChannelTimeout, Message, ProtocolError, pair
from .jail import default_binds
from .limits import Limits
from .zygote import ZYGOTE_ENV

MODES = ("auto", "root", "userns", "none")
#: First uid of the jail users; worker slot ``n`` uses ``UID_BASE + 2n`` and ``+ 2n + 1``.
UID_BASE = 61000
MAX_SLOTS = 256
GRACE_SECONDS = 2.0
#: How often a waiting grader checks whether the kernel died (e.g. os._exit in a child-held
#: socket) while it waits for a reply.
POLL_SECONDS = 0.25


class SandboxLimit(BaseException):
    """Learner code hit a limit or broke the sandbox; ``kind`` says which."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


class SandboxError(RuntimeError):
    """The sandbox itself cannot work here (a problem for the operator, not the learner)."""


@functools.cache
def _userns_works() -> bool:
    probe = (
        "import sys; sys.path[:0] = %r\n"
        "from digital_academy.assess.sandbox import linux\n"
        "linux.unshare(linux.CLONE_NEWUSER | linux.CLONE_NEWNET | linux.CLONE_NEWNS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe % [p for p in sys.path if p]],
        capture_output=True,
        timeout=30,
        check=False,
    )
    return result.returncode == 0


def resolve_mode(requested: str) -> str:
    """The isolation this machine gives: ``root`` (namespaces + own uid), ``userns`` or ``none``."""
    if requested not in MODES:
        raise SandboxError(f"unknown sandbox mode {requested!r}; choose one of {', '.join(MODES)}")
    if sys.platform != "linux":
        if requested == "none":
            return "none"
        raise SandboxError(
            "the grading sandbox needs Linux; use --sandbox none only for trusted test runs"
        )
    if requested == "none":
        return "none"
    if requested in ("auto", "root") and os.geteuid() == 0:
        return "root"
    if requested == "root":
        raise SandboxError("--sandbox root needs the grader to run as root (in a container)")
    if _userns_works():
        return "userns"
    raise SandboxError(
        "this machine allows neither root namespaces nor unprivileged user namespaces, so "
        "learner code cannot be isolated; run the grader as root in a container, enable "
        "user namespaces (sysctl kernel.unprivileged_userns_clone=1), or pass --sandbox none "
        "for trusted test runs only"
    )


def _base() -> Path:
    base = Path(tempfile.gettempdir()) / f"academy-sandbox-{os.geteuid()}"
    base.mkdir(mode=0o711, exist_ok=True)
    (base / "slots").mkdir(mode=0o700, exist_ok=True)
    (base / "mnt").mkdir(mode=0o755, exist_ok=True)
    return base


def _claim_slot(base: Path) -> tuple[int, IO[str]]:
    """A worker slot no other live worker on this machine holds (so jail uids never mix)."""
    for slot in range(MAX_SLOTS):
        handle = (base / "slots" / f"{slot}.lock").open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        return slot, handle
    raise SandboxError(f"more than {MAX_SLOTS} grading workers on one machine")


def _count_processes(uid: int) -> int:
    count = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                count += entry.stat().st_uid == uid
    return count


@dataclass
class Endpoint:
    """A kernel, or a frozen snapshot of one, that the grader can send requests to."""

    chan: Channel
    ns_pid: int
    label: str
    dead: str | None = None


@dataclass
class Jail:
    zygote: Zygote
    spec: dict[str, Any]
    control: Channel
    kernel: Endpoint
    scratch: Path
    supervisor: int = 0
    notes: list[str] = field(default_factory=list)
    limit_events: list[str] = field(default_factory=list)
    snapshots: list[Endpoint] = field(default_factory=list)
    kernel_exit: dict[str, Any] | None = None

    def wait_ready(self, timeout: float = 30.0) -> None:
        while not self.kernel.ns_pid:
            body = self._control_event(timeout)
            if body is None:
                raise SandboxError("the jail did not start in time")

    def _control_event(self, timeout: float) -> dict[str, Any] | None:
        try:
            body = self.control.recv(timeout).body
        except ChannelTimeout:
            return None
        except (ChannelClosed, ProtocolError, OSError) as exc:
            raise SandboxError(f"the jail's supervisor is gone: {exc}") from None
        event = body.get("event")
        if event == "failed":
            raise SandboxError(str(body.get("error", "the jail could not start")))
        if event == "supervisor":
            self.supervisor = int(body["pid"])
        elif event == "ready":
            self.kernel.ns_pid = int(body["kernel"])
            self.notes = [str(n) for n in body.get("notes", [])]
        elif event == "kernel-exit":
            self.kernel_exit = body
        return body

    def request(self, endpoint: Endpoint, body: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Send one request and wait for its reply; limits raise :class:`SandboxLimit`."""
        message = self._exchange(endpoint, body, timeout)
        for fd in message.fds:
            os.close(fd)
        return message.body

    def _exchange(self, endpoint: Endpoint, body: dict[str, Any], timeout: float) -> Message:
        if endpoint.dead:
            raise SandboxLimit("dead", endpoint.dead)
        deadline = time.monotonic() + max(timeout, 0.001)
        try:
            endpoint.chan.send(body)
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return Message(self._interrupt(endpoint, timeout))
                message = endpoint.chan.poll(min(POLL_SECONDS, remaining))
                if message is not None:
                    return message
                if select.select([self.control.sock], [], [], 0)[0]:
                    self._control_event(0.5)
                    if endpoint is self.kernel and self.kernel_exit is not None:
                        raise ChannelClosed("the kernel exited")
        except (ChannelClosed, ProtocolError, ChannelTimeout, OSError, SandboxError) as exc:
            endpoint.dead = self._why(endpoint, exc)
            raise SandboxLimit("dead", endpoint.dead) from None

    def _interrupt(self, endpoint: Endpoint, timeout: float) -> dict[str, Any]:
        self.limit_events.append(f"time limit ({timeout:.0f} s) in {endpoint.label}")
        with contextlib.suppress(OSError):
            self.control.send({"op": "signal", "pid": endpoint.ns_pid, "signal": signal.SIGINT})
            self.control.send({"op": "reset", "keep": [e.ns_pid for e in self._live()]})
        try:
            reply = endpoint.chan.recv(GRACE_SECONDS).body
        except (ChannelTimeout, ChannelClosed, ProtocolError, OSError):
            endpoint.dead = f"stopped after the time limit ({timeout:.0f} s) in {endpoint.label}"
            if endpoint is self.kernel:
                self.close()
            raise SandboxLimit("time", endpoint.dead) from None
        reply["timed_out"] = True
        return reply

    def _live(self) -> list[Endpoint]:
        return [e for e in (self.kernel, *self.snapshots) if not e.dead]

    def _why(self, endpoint: Endpoint, exc: BaseException) -> str:
        if isinstance(exc, ProtocolError):
            return f"{endpoint.label} sent a malformed reply ({exc})"
        if endpoint is self.kernel:
            with contextlib.suppress(SandboxError):
                while self.kernel_exit is None and self._control_event(1.0) is not None:
                    pass
            if self.kernel_exit is not None:
                sig, code = self.kernel_exit.get("signal"), self.kernel_exit.get("code")
                if sig == signal.SIGXCPU:
                    self.limit_events.append("CPU time limit")
                    return "stopped at the CPU time limit"
                if sig is not None:
                    return f"the kernel was killed by {signal.Signals(sig).name}"
                return f"the kernel exited (code {code}), e.g. os._exit() in learner code"
        return f"{endpoint.label} ended unexpectedly"

    def snapshot(self, label: str, timeout: float) -> Endpoint:
        """A frozen copy of the kernel as it is now, for checks whose inputs stay secret."""
        message = self._exchange(self.kernel, {"op": "snapshot"}, timeout)
        body, fds = message.body, message.fds
        if not body.get("snapshot") or len(fds) != 1:
            for fd in fds:
                os.close(fd)
            raise SandboxLimit("dead", "the kernel did not hand over a snapshot")
        endpoint = Endpoint(Channel.from_fd(fds[0]), int(body.get("pid", 0)), label)
        self.snapshots.append(endpoint)
        return endpoint

    def close(self) -> None:
        if self.supervisor:
            target = -self.supervisor if self.spec["mode"] == "none" else self.supervisor
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(target, signal.SIGKILL)
            self.supervisor = 0
        for endpoint in (self.kernel, *self.snapshots):
            endpoint.dead = endpoint.dead or "closed"
            with contextlib.suppress(OSError):
                endpoint.chan.close()
        with contextlib.suppress(OSError):
            self.control.close()
        shutil.rmtree(self.scratch, ignore_errors=True)


class Zygote:
    """A worker's zygote process and the jails it forks."""

    def __init__(self, mode: str = "auto", limits: Limits | None = None) -> None:
        self.mode = resolve_mode(mode)
        self.limits = limits or Limits()
        self.base = _base()
        self.slot, self._slot_lock = _claim_slot(self.base)
        for stale in self.base.glob(f"jail-{self.slot}-*"):  # left by a killed worker
            shutil.rmtree(stale, ignore_errors=True)
        self._parity = 0
        self._seq = 0
        self.binds = default_binds()
        mine, theirs = pair()
        env = {k: v for k, v in os.environ.items() if not k.startswith("ACADEMY_")}
        env.update(
            ZYGOTE_ENV, IPYTHONDIR=str(self.base / "ipython"), MPLCONFIGDIR=str(self.base / "mpl")
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "digital_academy.assess.sandbox.zygote", str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            env=env,
            stdin=subprocess.DEVNULL,
            cwd=self.base,
        )
        theirs.close()
        self.chan = Channel(mine)
        try:
            ready = self.chan.recv(60).body
        except (ChannelTimeout, ChannelClosed, ProtocolError) as exc:
            self.close()
            raise SandboxError(f"the grading zygote did not start: {exc}") from None
        self.versions: dict[str, str] = dict(ready.get("versions", {}))

    def preload(self, modules: list[str]) -> dict[str, Any]:
        self.chan.send({"op": "preload", "modules": modules})
        reply = self.chan.recv(300).body
        self.versions.update(reply.get("versions", {}))
        return reply

    def spawn(self, env: dict[str, str], seed: int = 0) -> Jail:
        """Ask for a fresh jail; it builds in the background until :meth:`Jail.wait_ready`."""
        self._seq += 1
        self._parity ^= 1
        uid = UID_BASE + 2 * self.slot + self._parity
        scratch = Path(tempfile.mkdtemp(prefix=f"jail-{self.slot}-{self._seq}-", dir=self.base))
        if self.mode in ("root", "none") and os.geteuid() == 0:
            os.chown(scratch, uid, uid)
        spec = {
            "mode": self.mode,
            "uid": uid if os.geteuid() == 0 and self.mode != "userns" else None,
            "gid": uid,
            "scratch": str(scratch),
            "mountpoint": str(self.base / "mnt"),
            "binds": self.binds,
            "limits": self.limits.as_dict(),
            "env": env,
            "seed": seed,
            "nproc_base": 0 if self.mode == "root" else _count_processes(os.getuid()),
        }
        self.chan.send({"op": "spawn", "spec": spec})
        message = self.chan.recv(60)
        if not message.body.get("ok") or len(message.fds) != 2:
            for fd in message.fds:
                os.close(fd)
            raise SandboxError(f"the zygote could not fork a jail: {message.body}")
        kernel = Endpoint(Channel.from_fd(message.fds[0]), 0, "the learner's kernel")
        return Jail(self, spec, Channel.from_fd(message.fds[1]), kernel, scratch)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.chan.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._slot_lock.close()
