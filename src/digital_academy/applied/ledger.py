"""An append-only, hash-chained JSON-lines log: the evidence behind marks and coaching records.

Each line holds one entry and the SHA-256 of the entry before it, so editing, deleting or
re-ordering any line breaks the chain and is reported on the next read. Appends take an
exclusive lock, re-read and verify the whole chain, run the caller's check against that
state, and only then write and fsync one line: a refused action writes nothing, and two
tutors marking at once cannot interleave. A line cut short by a crash was never
acknowledged; it is ignored on read and removed by the next append.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import AppliedError

GENESIS = "0" * 64

#: What a caller appends: (kind, acting identity, data).
Item = tuple[str, str, dict[str, Any]]


class LedgerError(AppliedError):
    """The log on disk is damaged; nothing further is written until it is restored."""


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _digest(body: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(body).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Entry:
    seq: int
    time: str
    kind: str
    actor: str
    data: dict[str, Any]
    prev: str
    hash: str

    def body(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "time": self.time,
            "kind": self.kind,
            "actor": self.actor,
            "data": self.data,
            "prev": self.prev,
        }


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Ledger:
    def __init__(self, path: Path, now: Callable[[], dt.datetime] = _utc_now) -> None:
        self.path = path
        self._now = now

    # ---- reading ---------------------------------------------------------------------

    def _lines(self) -> tuple[list[bytes], int]:
        """Complete lines, and the byte length they occupy (a torn tail lies beyond it)."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return [], 0
        end = raw.rfind(b"\n") + 1
        return raw[:end].splitlines(), end

    def entries(self) -> list[Entry]:
        """Every entry, after checking the whole chain."""
        lines, _ = self._lines()
        return self._verify(lines)

    def _verify(self, lines: list[bytes]) -> list[Entry]:
        found: list[Entry] = []
        prev = GENESIS
        for number, line in enumerate(lines, start=1):
            where = f"evidence log {self.path.name}, line {number}"
            try:
                raw = json.loads(line)
                entry = Entry(**raw)
            except (ValueError, TypeError) as exc:
                raise LedgerError(
                    f"{where} is not a log entry ({exc}); restore the file from backup"
                ) from exc
            if entry.seq != number or entry.prev != prev:
                raise LedgerError(
                    f"{where}: the chain is broken (an entry was removed, added or re-ordered); "
                    "restore the file from backup"
                )
            if _digest(entry.body()) != entry.hash:
                raise LedgerError(
                    f"{where} was changed after it was written (its hash does not match); "
                    "restore the file from backup"
                )
            found.append(entry)
            prev = entry.hash
        return found

    # ---- writing ---------------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock = self.path.with_name(self.path.name + ".lock")
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def append(self, plan: Callable[[list[Entry]], list[Item]]) -> list[Entry]:
        """Append the items ``plan(current entries)`` returns, all under one lock.

        ``plan`` sees the verified state and decides what to write; it raises to refuse,
        and then nothing is written.
        """
        with self._locked():
            lines, end = self._lines()
            current = self._verify(lines)
            items = plan(current)
            if not items:
                return []
            prev = current[-1].hash if current else GENESIS
            seq = len(current)
            time = self._now().isoformat(timespec="seconds")
            written: list[Entry] = []
            for kind, actor, data in items:
                seq += 1
                body: dict[str, Any] = {
                    "seq": seq,
                    "time": time,
                    "kind": kind,
                    "actor": actor,
                    "data": data,
                    "prev": prev,
                }
                entry = Entry(**body, hash=_digest(body))
                written.append(entry)
                prev = entry.hash
            payload = "".join(canonical({**e.body(), "hash": e.hash}) + "\n" for e in written)
            self._write_at(end, payload.encode("utf-8"))
            return written

    def _write_at(self, end: int, payload: bytes) -> None:
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            os.ftruncate(fd, end)  # drop a torn, never-acknowledged tail
            os.lseek(fd, end, os.SEEK_SET)
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
