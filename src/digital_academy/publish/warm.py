"""Warm kernels for book builds: the handle on the build's zygote.

``Zygote`` runs ``publish.zygote`` for the length of a build; ``warm_manager`` has the
kernel manager that asks it for kernels.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

#: Single-threaded maths libraries in the zygote: forking a process with threads is
#: unsafe, and parallel kernels on few cores gain nothing from threads of their own.
ZYGOTE_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    # What ipykernel sets at start-up, before any notebook can import matplotlib.
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
}


class ZygoteError(RuntimeError):
    pass


class Zygote:
    """The zygote process of one build, with its socket in a private folder.

    Starting one does not wait for it: it imports while the build does other work, and
    ``ready`` waits only when a kernel is wanted.
    """

    def __init__(self, modules: list[str]) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="academy-zygote-")
        Path(self._dir.name).chmod(0o700)  # whoever can connect can start a kernel
        self.socket = str(Path(self._dir.name) / "zygote.sock")
        empty = Path(self._dir.name) / "cwd"
        empty.mkdir()
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "digital_academy.publish.zygote", self.socket, *modules],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=empty,
            env={**os.environ, **ZYGOTE_ENV},
        )
        self._listening = False

    def ready(self) -> str:
        """The socket to ask for kernels, once the zygote listens on it."""
        if not self._listening:
            assert self._proc.stdout is not None
            if self._proc.stdout.readline().strip() != b"listening":
                raise ZygoteError("the warm-kernel process did not start")
            self._listening = True
        return self.socket

    def close(self) -> None:
        """Stop the zygote (it kills any kernel still running), even mid-import."""
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        self._proc.terminate()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._dir.cleanup()

    def __enter__(self) -> Zygote:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
