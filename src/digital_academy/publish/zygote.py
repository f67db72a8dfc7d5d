"""The build's zygote: a process that imports the kernel stack once and forks kernels.

Most of a short module's execution time is start-up: the kernel machinery and the
libraries the notebooks import (pandas, matplotlib...). The zygote imports them once,
runs no notebook code, and forks a fresh kernel for each notebook, so each kernel starts
as a copy of that clean state in milliseconds. No kernel is reused: each notebook gets
its own process, as with a stock kernel. Outputs are the same as from a stock kernel
(tested on every module).

Run as ``python -m digital_academy.publish.zygote SOCKET PACKAGE...``; it writes
``listening`` to standard output, imports what it may of the packages, then serves ``kernel_shim``
requests until its standard input closes (its parent's end of a pipe) or it gets SIGTERM,
and kills its kernels then.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import json
import os
import random
import select
import signal
import socket
import sys
import traceback
from collections.abc import Callable
from typing import Any

#: Imported before any module (the kernel itself), whatever the notebooks import.
KERNEL_MODULES = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.comm")


def _pandas_in_a_kernel() -> None:
    # pandas picks ``display.max_columns`` at import, from whether it runs in a kernel.
    pandas = importlib.import_module("pandas")
    in_terminal = importlib.import_module("pandas.core.config_init").is_terminal()
    pandas.set_option("display.max_columns", 0 if in_terminal else 20)


def _ipywidgets_in_a_kernel() -> None:
    # ipywidgets registers its comm target at import, if a shell exists by then.
    importlib.import_module("ipywidgets")._handle_ipython()


#: What may be preloaded, by the top-level package a notebook imports: the modules to
#: import, and what their import would have done differently inside a kernel, redone in
#: each kernel once its shell exists. Only libraries checked to give the same outputs
#: preloaded as imported by the notebook (``tests/publish/test_warm.py``) belong here;
#: anything else a notebook imports is imported by the notebook, as usual.
PRELOADABLE: dict[str, tuple[tuple[str, ...], Callable[[], None] | None]] = {
    "numpy": (("numpy",), None),
    "pandas": (("pandas",), _pandas_in_a_kernel),
    # Not pyplot: it binds to the running shell at import.
    "matplotlib": (("matplotlib", "matplotlib.figure", "matplotlib.backends.backend_agg"), None),
    "ipywidgets": (("ipywidgets",), _ipywidgets_in_a_kernel),
    "digital_academy": (("digital_academy.selfcheck",), None),
}


def preload(packages: list[str]) -> list[Callable[[], None]]:
    """Import the kernel and the preloadable ``packages``; returns their fix-ups."""
    fixups = []
    for name in KERNEL_MODULES:
        importlib.import_module(name)
    for package in packages:
        modules, fixup = PRELOADABLE.get(package, ((), None))
        try:
            for name in modules:
                importlib.import_module(name)
        except Exception:  # the notebook's own import fails (or not) as usual
            continue
        if fixup is not None:
            fixups.append(fixup)
    return fixups


def _receive(conn: socket.socket) -> tuple[dict[str, Any], list[int]]:
    data, fds, _, _ = socket.recv_fds(conn, 1 << 20, 3)
    while not data.endswith(b"\n"):
        more = conn.recv(1 << 20)
        if not more:
            raise ConnectionError("the kernel shim went away")
        data += more
    return json.loads(data), fds


def _become_kernel(
    request: dict[str, Any], fds: list[int], start_dir: str, fixups: list[Callable[[], None]]
) -> None:
    """In the forked child: look like a freshly started kernel, then run one."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for target, fd in enumerate(fds):  # the shim's stdin, stdout, stderr
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    if sys.path and sys.path[0] == start_dir:  # as ipykernel_launcher does with the cwd
        del sys.path[0]
    random.seed()  # a fresh process would draw fresh seeds
    numpy_random = sys.modules.get("numpy.random")
    if numpy_random is not None:
        numpy_random.seed()
    from ipykernel.kernelapp import IPKernelApp  # noqa: PLC0415 - preloaded

    sys.argv = ["ipykernel_launcher", "-f", request["connection_file"]]
    # ipykernel read JPY_PARENT_PID when the zygote imported it; give it this kernel's.
    parent = request["env"].get("JPY_PARENT_PID", "0")
    app = IPKernelApp.instance()
    app.initialize([*sys.argv[1:], f"--IPKernelApp.parent_handle={parent}"])  # type: ignore[no-untyped-call]  # ipykernel is untyped
    shell = app.shell
    assert shell is not None  # initialize() made it
    with shell.builtin_trap:  # as during a cell, where the notebook's import runs
        for fixup in fixups:
            fixup()
    app.start()  # type: ignore[no-untyped-call]


def _kernel_process(
    request: dict[str, Any], fds: list[int], start_dir: str, fixups: list[Callable[[], None]]
) -> int:
    """The forked child's whole life; it never returns into the zygote's loop."""
    code = 0
    try:
        _become_kernel(request, fds, start_dir, fixups)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException:
        traceback.print_exc()
        code = 1
    atexit._run_exitfuncs()  # as at the end of a stock kernel's process
    return code


def _reap(block: bool = False) -> None:
    """Wait for ended kernels (so their CPU time counts as the build's, as it should)."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, 0 if block else os.WNOHANG)[0]:
            pass


#: Shim connection -> pidfd of its kernel, for every kernel still running.
_KERNELS: dict[socket.socket, int] = {}


def _stop(*_: object) -> None:
    """On SIGTERM (the build is over) or end of input: kill every kernel, reap, exit."""
    for pidfd in _KERNELS.values():
        with contextlib.suppress(ProcessLookupError):
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)
    _reap(block=True)
    # It holds nothing to flush: skip tearing down the imported modules.
    os._exit(0)


def serve(listener: socket.socket, start_dir: str, fixups: list[Callable[[], None]]) -> None:
    kernels = _KERNELS
    while True:
        ready = select.select([sys.stdin, listener, *kernels], [], [])[0]
        _reap()
        if sys.stdin in ready and not os.read(sys.stdin.fileno(), 1024):
            break  # the build is over (or died)
        for conn in [c for c in ready if c in kernels]:
            if not conn.recv(1):  # the shim is gone, so is the kernel
                with contextlib.suppress(ProcessLookupError):
                    signal.pidfd_send_signal(kernels[conn], signal.SIGKILL)
                os.close(kernels.pop(conn))
                conn.close()
        if listener in ready:
            conn, _ = listener.accept()
            try:
                request, fds = _receive(conn)
            except (OSError, ValueError) as exc:
                with contextlib.suppress(OSError):
                    conn.sendall(json.dumps({"error": str(exc)}).encode() + b"\n")
                conn.close()
                continue
            pid = os.fork()
            if pid == 0:
                listener.close()
                for other, pidfd in kernels.items():
                    other.close()
                    os.close(pidfd)
                kernels.clear()
                os._exit(_kernel_process(request, fds, start_dir, fixups))
            for fd in fds:
                os.close(fd)
            kernels[conn] = os.pidfd_open(pid)  # not reaped before this: it cannot be reused
            conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")


def main(socket_path: str, packages: list[str]) -> None:
    start_dir = sys.path[0]
    signal.signal(signal.SIGTERM, _stop)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    listener.listen(64)
    # Listening already: kernel requests wait in the backlog while the modules import.
    sys.stdout.write("listening\n")
    sys.stdout.flush()
    serve(listener, start_dir, preload(packages))
    _stop()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
