"""The zygote: a clean, pre-warmed process that forks one fresh jail per submission.

It imports IPython and the assignment's libraries once, and never runs learner code, so
every jail starts as an identical copy in milliseconds: kernel start-up costs almost
nothing and no kernel is ever reused. Started by a grading worker with
``python -m digital_academy.assess.sandbox.zygote <fd>``; it dies with its worker.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import platform
import signal
import sys
from typing import Any

from . import jail, kernel, linux
from .channel import Channel, ChannelClosed, ProtocolError, pair

#: Environment every zygote runs with: reproducible hashing, single-threaded maths
#: libraries (fork-safe, and fair between parallel jails), inline figures.
ZYGOTE_ENV = {
    "PYTHONHASHSEED": "0",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
}


def versions(modules: list[str]) -> dict[str, str]:
    """Versions of Python, the platform and the distributions that provide ``modules``."""
    found = {"python": platform.python_version(), "platform": platform.platform()}
    owners = importlib.metadata.packages_distributions()
    for module in sorted({"IPython", *modules}):
        for dist in owners.get(module.split(".")[0], []):
            try:
                found[dist] = importlib.metadata.version(dist)
            except importlib.metadata.PackageNotFoundError:
                continue
    return found


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _spawn(chan: Channel, spec: dict[str, Any], shell: Any) -> None:
    kernel_mine, kernel_theirs = pair()
    control_mine, control_theirs = pair()
    pid = os.fork()
    if pid == 0:
        try:
            chan.sock.close()
            kernel_mine.close()
            control_mine.close()
            jail.run_a(spec, kernel_theirs, control_theirs, shell)
        except BaseException as exc:
            try:
                Channel(control_theirs).send({"event": "failed", "error": str(exc)})
            finally:
                os._exit(1)
        os._exit(0)
    kernel_theirs.close()
    control_theirs.close()
    chan.send({"ok": True, "pid": pid}, fds=[kernel_mine.fileno(), control_mine.fileno()])
    kernel_mine.close()
    control_mine.close()


def _preload(modules: list[str]) -> dict[str, Any]:
    loaded, failed = [], {}
    for name in modules:
        try:
            importlib.import_module(name)
            loaded.append(name)
        except Exception as exc:
            failed[name] = f"{type(exc).__name__}: {exc}"
    return {"loaded": loaded, "failed": failed, "versions": versions(loaded)}


def main(fd: int) -> None:
    linux.prctl(linux.PR_SET_PDEATHSIG, signal.SIGKILL)
    linux.prctl(linux.PR_SET_CHILD_SUBREAPER, 1)
    shell = kernel.make_shell()
    chan = Channel.from_fd(fd)
    chan.send({"event": "ready", "versions": versions([])})
    while True:
        try:
            body = chan.recv().body
        except (ChannelClosed, ProtocolError, OSError):
            os._exit(0)
        _reap()
        op = body.get("op")
        if op == "spawn":
            _spawn(chan, body["spec"], shell)
        elif op == "preload":
            chan.send(_preload([str(m) for m in body.get("modules", [])]))
        else:
            chan.send({"ok": False, "error": f"unknown request {op!r}"})


if __name__ == "__main__":  # pragma: no cover - the worker starts this as a process
    main(int(sys.argv[1]))
