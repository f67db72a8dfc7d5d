"""The process Jupyter starts as a warm kernel: asks the zygote for one, stands in for it.

Run as ``python -I -S kernel_shim.py SOCKET CONNECTION_FILE`` (standard library only, so
it starts in milliseconds). It hands the zygote its working folder, environment and
standard streams; the zygote forks a fresh kernel from them. The shim then lives exactly
as long as that kernel: it forwards the signals Jupyter sends (interrupt, terminate) and
exits when the kernel does. If the shim is killed, the zygote kills the kernel.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import sys
from pathlib import Path

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)


def main(socket_path: str, connection_file: str) -> int:
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(socket_path)
    request = {"connection_file": connection_file, "cwd": str(Path.cwd()), "env": dict(os.environ)}
    socket.send_fds(conn, [json.dumps(request).encode() + b"\n"], [0, 1, 2])
    reply = b""
    while not reply.endswith(b"\n"):
        chunk = conn.recv(4096)
        if not chunk:
            sys.stderr.write("warm kernel: the zygote closed the connection\n")
            return 1
        reply += chunk
    answer = json.loads(reply)
    if "error" in answer:
        sys.stderr.write(f"warm kernel: {answer['error']}\n")
        return 1
    kernel = os.pidfd_open(answer["pid"])

    def forward(signum: int, frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            signal.pidfd_send_signal(kernel, signum)

    for signum in FORWARDED:
        signal.signal(signum, forward)
    while True:  # the pidfd becomes readable when the kernel exits
        try:
            if select.select([kernel], [], [])[0]:
                return 0
        except InterruptedError:
            continue


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
