"""Length-prefixed JSON messages over a Unix socket, optionally carrying file descriptors.

The grader reads what a sandbox sends as data only: every message is size-limited and
parsed with the standard JSON decoder; anything malformed ends the conversation.
"""

from __future__ import annotations

import array
import contextlib
import json
import os
import select
import socket
import struct
import time
from dataclasses import dataclass, field
from typing import Any

HEADER = struct.Struct("!I")
#: Largest message either side accepts; bigger ones are a protocol error.
MAX_MESSAGE = 32 * 1024 * 1024
MAX_FDS = 2
_CHUNK = 256 * 1024
_ANCILLARY = socket.CMSG_SPACE(MAX_FDS * array.array("i").itemsize)


class ChannelClosed(EOFError):
    """The other side hung up (or died)."""


class ChannelTimeout(TimeoutError):
    """No complete message before the deadline."""


class ProtocolError(ValueError):
    """The other side sent something that is not a well-formed message."""


@dataclass
class Message:
    body: dict[str, Any]
    fds: list[int] = field(default_factory=list)


def _dumps(body: dict[str, Any]) -> bytes:
    data = json.dumps(body, separators=(",", ":"), allow_nan=False).encode("utf-8")
    if len(data) > MAX_MESSAGE:
        raise ProtocolError(f"message of {len(data)} bytes is over the {MAX_MESSAGE} limit")
    return HEADER.pack(len(data)) + data


class Channel:
    """One end of a socket pair. Not thread-safe; one conversation at a time."""

    def __init__(self, sock: socket.socket, max_message: int = MAX_MESSAGE) -> None:
        self.sock = sock
        self.max_message = max_message
        self._buffer = bytearray()
        # one receive buffer, reused: a fresh 256 KB bytes object per message costs an
        # mmap/munmap pair, more than the rest of a small request put together
        self._chunk = bytearray(_CHUNK)
        self._view = memoryview(self._chunk)
        self._fds: list[int] = []
        self._rcvtimeo: float | None = None

    @classmethod
    def from_fd(cls, fd: int) -> Channel:
        return cls(socket.socket(fileno=fd))

    def fileno(self) -> int:
        return self.sock.fileno()

    def close(self) -> None:
        for fd in self._fds:
            _close_quietly(fd)
        self._fds.clear()
        self.sock.close()

    def send(self, body: dict[str, Any], fds: list[int] | None = None) -> None:
        data = _dumps(body)
        if fds:
            self.sock.sendmsg(
                [data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds).tobytes())]
            )
        else:
            self.sock.sendall(data)

    def recv(self, timeout: float | None = None) -> Message:
        """The next message; raises ChannelTimeout, ChannelClosed or ProtocolError."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            message = self._take()
            if message is not None:
                return message
            self._fill(deadline)

    def poll(self, interval: float) -> Message | None:
        """A message if one arrives within ``interval`` seconds, else None.

        One blocking ``recvmsg`` with a kernel-side timeout (SO_RCVTIMEO): the fast path
        for the many small request/reply pairs of a test calling learner code.
        """
        message = self._take()
        if message is not None:
            return message
        interval = max(0.001, interval)
        if self._rcvtimeo != interval:
            seconds = int(interval)
            value = struct.pack("ll", seconds, int((interval - seconds) * 1_000_000))
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, value)
            self._rcvtimeo = interval
        while True:
            try:
                self._read()
            except (BlockingIOError, TimeoutError):
                return None
            message = self._take()
            if message is not None:
                return message

    def _take(self) -> Message | None:
        if len(self._buffer) < HEADER.size:
            return None
        (length,) = HEADER.unpack_from(self._buffer)
        if length > self.max_message:
            raise ProtocolError(f"message of {length} bytes is over the limit")
        end = HEADER.size + length
        if len(self._buffer) < end:
            return None
        raw = bytes(self._buffer[HEADER.size : end])
        del self._buffer[:end]
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            raise ProtocolError(f"not JSON: {exc}") from None
        if not isinstance(body, dict):
            raise ProtocolError("a message must be a JSON object")
        fds, self._fds = self._fds, []
        return Message(body, fds)

    def _fill(self, deadline: float | None) -> None:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ChannelTimeout("no reply before the time limit")
            ready, _, _ = select.select([self.sock], [], [], remaining)
            if not ready:
                raise ChannelTimeout("no reply before the time limit")
        self._read()

    def _read(self) -> None:
        try:
            size, ancdata, _flags, _addr = self.sock.recvmsg_into([self._view], _ANCILLARY)
        except ConnectionResetError:
            raise ChannelClosed("connection reset") from None
        for level, kind, payload in ancdata:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds = array.array("i")
                fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
                self._fds.extend(fds)
        if len(self._fds) > MAX_FDS:
            for fd in self._fds:
                _close_quietly(fd)
            self._fds.clear()
            raise ProtocolError("too many file descriptors")
        if not size:
            raise ChannelClosed("the other side closed the channel")
        self._buffer.extend(self._view[:size])
        if len(self._buffer) > self.max_message + HEADER.size:
            raise ProtocolError("message over the size limit")


def _close_quietly(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)


def pair() -> tuple[socket.socket, socket.socket]:
    """A connected pair of Unix stream sockets, not inherited across exec."""
    return socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
