"""Building one jail: namespaces, a private root filesystem, limits, an unprivileged user.

Runs in processes forked from the zygote (never in the grader)::

    A  unshare(mount, network, pid, ipc, uts [, user]); fork B; report B's pid; exit
    B  pid 1 of the new pid namespace: build the root, fork K, supervise; when B exits the
       kernel kills every process left in the namespace (fork bombs included)
    K  the learner's kernel: limits, drop to the jail user, serve requests (kernel.py)
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import socket
import sys
from pathlib import Path
from typing import Any

from . import linux
from .channel import Channel, ChannelClosed, ProtocolError
from .limits import Limits, apply

HOME = "/home/learner"
DEVICES = ("null", "zero", "full", "random", "urandom")
TOP_LEVEL = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")


def default_binds() -> list[str]:
    """Read-only paths the kernel needs: the OS's /usr and /etc and this Python's prefixes."""
    wanted = {"/usr", "/etc"}
    for path in (sys.base_prefix, sys.prefix, sys.exec_prefix, sys.base_exec_prefix):
        wanted.add(str(Path(path).resolve()))
    for entry in sys.path:
        if entry and "site-packages" in entry and Path(entry).is_dir():
            wanted.add(str(Path(entry).resolve()))
    kept: list[str] = []
    for path in sorted(wanted, key=len):
        if Path(path).is_dir() and not any(path == k or path.startswith(k + "/") for k in kept):
            kept.append(path)
    return kept


def run_a(
    spec: dict[str, Any], kernel_sock: socket.socket, control: socket.socket, shell: Any
) -> None:
    flags = (
        linux.CLONE_NEWNS
        | linux.CLONE_NEWNET
        | linux.CLONE_NEWPID
        | linux.CLONE_NEWIPC
        | linux.CLONE_NEWUTS
    )
    userns = spec["mode"] == "userns"
    outer = (os.getuid(), os.getgid())
    if spec["mode"] != "none":
        linux.unshare(flags | (linux.CLONE_NEWUSER if userns else 0))
    if userns:
        linux.write_id_maps(*outer)
    pid = os.fork()
    if pid == 0:
        _run_b(spec, kernel_sock, control, shell)
        os._exit(0)
    Channel(control).send({"event": "supervisor", "pid": pid})
    os._exit(0)


def _run_b(
    spec: dict[str, Any], kernel_sock: socket.socket, control: socket.socket, shell: Any
) -> None:
    chan = Channel(control)
    try:
        if spec["mode"] == "none":  # no isolation: one process group, killed as a whole
            os.setsid()
            notes = ["no isolation: only resource limits apply"]
        else:
            notes = build_root(spec)
            socket.sethostname("sandbox")
        linux.prctl(linux.PR_SET_DUMPABLE, 0)
    except Exception as exc:
        chan.send({"event": "failed", "error": f"could not build the jail: {exc}"})
        os._exit(1)
    kernel = os.fork()
    if kernel == 0:
        control.close()
        _run_k(spec, kernel_sock, shell)
        os._exit(0)
    kernel_sock.close()
    chan.send({"event": "ready", "kernel": kernel, "notes": notes})
    _supervise(chan, kernel)


def _bind(source: str, target: Path, *, writable: bool = False) -> None:
    if Path(source).is_dir():
        target.mkdir(parents=True, exist_ok=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.touch()
    linux.mount(source, str(target), None, linux.MS_BIND | linux.MS_REC)
    flags = linux.MS_BIND | linux.MS_REMOUNT | linux.MS_NOSUID | linux.mount_flags(source)
    if not writable:
        flags |= linux.MS_RDONLY
    linux.mount(None, str(target), None, flags | linux.MS_NODEV)


def _tmpfs(target: Path, options: str) -> None:
    target.mkdir(parents=True, exist_ok=True)
    linux.mount("tmpfs", str(target), "tmpfs", linux.MS_NOSUID | linux.MS_NODEV, options)


def build_root(spec: dict[str, Any]) -> list[str]:
    """A fresh root holding only read-only system paths, a scratch home and empty /tmp."""
    notes: list[str] = []
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
    root = Path(spec["mountpoint"])
    linux.mount("tmpfs", str(root), "tmpfs", linux.MS_NOSUID | linux.MS_NODEV, "size=4m,mode=755")
    for path in spec["binds"]:
        _bind(path, root / path.lstrip("/"))
    for name in TOP_LEVEL:
        host = Path("/") / name
        if host.is_symlink():
            (root / name).symlink_to(host.readlink())
        elif host.is_dir() and not (root / name).exists():
            _bind(str(host), root / name)
    dev = root / "dev"
    _tmpfs(dev, "size=64k,mode=755")
    for name in DEVICES:
        target = dev / name
        target.touch()
        linux.mount(f"/dev/{name}", str(target), None, linux.MS_BIND)
    for name, link in (
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ):
        (dev / name).symlink_to(link)
    _tmpfs(dev / "shm", "size=64m,mode=1777")
    _tmpfs(root / "tmp", "size=64m,mode=1777")
    (root / "proc").mkdir()
    try:
        linux.mount(
            "proc", str(root / "proc"), "proc", linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC
        )
    except OSError as exc:  # some container runtimes refuse a fresh /proc in a user namespace
        notes.append(f"no /proc in the jail: {exc.strerror}")
    _bind(spec["scratch"], root / HOME.lstrip("/"), writable=True)
    old = root / ".old-root"
    old.mkdir()
    linux.pivot_root(str(root), str(old))
    os.chdir("/")
    linux.umount("/.old-root", linux.MNT_DETACH)
    Path("/.old-root").rmdir()
    linux.mount(
        None, "/", None, linux.MS_REMOUNT | linux.MS_RDONLY | linux.MS_NOSUID | linux.MS_NODEV
    )
    return notes


def _run_k(spec: dict[str, Any], kernel_sock: socket.socket, shell: Any) -> None:
    from . import kernel  # noqa: PLC0415 - already imported by the zygote

    keep = kernel_sock.fileno()
    devnull = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.closerange(3, keep)
    os.closerange(keep + 1, 65536)
    apply(Limits.from_dict(spec["limits"]), int(spec.get("nproc_base", 0)))
    if spec.get("uid") is not None and os.geteuid() == 0:
        os.setgroups([])
        os.setgid(int(spec["gid"]))
        os.setuid(int(spec["uid"]))
    elif spec["mode"] == "userns":
        linux.drop_capabilities()
    linux.prctl(linux.PR_SET_NO_NEW_PRIVS, 1)
    os.chdir(spec["scratch"] if spec["mode"] == "none" else HOME)
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in spec["env"].items()})
    _seed(int(spec.get("seed", 0)))
    kernel.serve(keep, shell)


def _seed(seed: int) -> None:
    """The same submission must behave the same on every run."""
    import random  # noqa: PLC0415

    random.seed(seed)
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed(seed)


def _supervise(chan: Channel, kernel: int) -> None:
    """Reap children, forward interrupts, report the kernel's end; exit when the grader goes."""
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    while True:
        ready, _, _ = select.select([chan.sock.fileno(), wake_r], [], [])
        if wake_r in ready:
            with contextlib.suppress(BlockingIOError):
                os.read(wake_r, 512)
            _reap(chan, kernel)
        if chan.sock.fileno() in ready:
            try:
                body = chan.recv(timeout=1).body
            except (ChannelClosed, ProtocolError, TimeoutError, OSError):
                os._exit(0)
            _command(body, kernel)


def _reap(chan: Channel, kernel: int) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid == kernel:
            chan.send(
                {
                    "event": "kernel-exit",
                    "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                    "code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                }
            )


def _command(body: dict[str, Any], kernel: int) -> None:
    """``signal`` a jail process; ``reset`` kills everything except the kernel and snapshots."""
    if body.get("op") == "signal":
        with contextlib.suppress(ProcessLookupError, PermissionError, TypeError, ValueError):
            os.kill(int(body["pid"]), int(body["signal"]))
    elif body.get("op") == "reset":
        keep = {1, kernel, *(int(p) for p in body.get("keep", []))}
        proc = Path("/proc")
        for entry in proc.iterdir() if (proc / "1").is_dir() else []:
            if entry.name.isdigit() and int(entry.name) not in keep:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(int(entry.name), signal.SIGKILL)
