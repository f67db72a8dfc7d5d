"""The evidence log: append-only, hash-chained, tamper-evident, safe under concurrent writers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from digital_academy.applied.errors import AppliedError
from digital_academy.applied.ledger import GENESIS, Entry, Ledger, LedgerError


def _add(log: Ledger, n: int, actor: str = "tutor1") -> None:
    for i in range(n):
        log.append(lambda _e, i=i: [("note", actor, {"i": i})])


def test_entries_chain_from_genesis(tmp_path: Path) -> None:
    log = Ledger(tmp_path / "log.jsonl")
    assert log.entries() == []
    _add(log, 3)
    entries = log.entries()
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev == GENESIS
    assert [e.prev for e in entries[1:]] == [e.hash for e in entries[:-1]]
    assert [e.data["i"] for e in entries] == [0, 1, 2]
    assert (tmp_path / "log.jsonl").stat().st_mode & 0o777 == 0o600


def test_plan_sees_current_state_and_a_refusal_writes_nothing(tmp_path: Path) -> None:
    log = Ledger(tmp_path / "log.jsonl")
    _add(log, 2)
    before = log.path.read_bytes()
    seen: list[int] = []

    def refuse(entries: list[Entry]) -> list[tuple[str, str, dict[str, object]]]:
        seen.append(len(entries))
        raise AppliedError("no")

    with pytest.raises(AppliedError):
        log.append(refuse)
    assert seen == [2]
    assert log.path.read_bytes() == before


@pytest.mark.parametrize("how", ["edit", "delete", "swap", "garbage"])
def test_tampering_is_detected_and_blocks_further_writes(tmp_path: Path, how: str) -> None:
    log = Ledger(tmp_path / "log.jsonl")
    _add(log, 4)
    lines = log.path.read_text("utf-8").splitlines(keepends=True)
    if how == "edit":
        record = json.loads(lines[1])
        record["data"]["i"] = 99
        lines[1] = json.dumps(record) + "\n"
    elif how == "delete":
        del lines[2]
    elif how == "swap":
        lines[1], lines[2] = lines[2], lines[1]
    else:
        lines[3] = "{not json\n"
    log.path.write_text("".join(lines), "utf-8")
    tampered = log.path.read_bytes()
    with pytest.raises(LedgerError, match="restore the file from backup"):
        log.entries()
    with pytest.raises(LedgerError):
        _add(log, 1)
    assert log.path.read_bytes() == tampered


def test_a_torn_last_line_is_ignored_then_replaced(tmp_path: Path) -> None:
    log = Ledger(tmp_path / "log.jsonl")
    _add(log, 2)
    with log.path.open("ab") as handle:
        handle.write(b'{"seq": 3, "half a rec')  # a crash in the middle of a write
    assert len(log.entries()) == 2
    _add(log, 1)
    entries = log.entries()
    assert [e.seq for e in entries] == [1, 2, 3]
    assert log.path.read_bytes().endswith(b"}\n")


_WRITER = """
import sys
from pathlib import Path
from digital_academy.applied.ledger import Ledger
log = Ledger(Path(sys.argv[1]))
for i in range(int(sys.argv[3])):
    log.append(lambda e, i=i: [("note", sys.argv[2], {"i": i, "seen": len(e)})])
"""


def test_concurrent_writers_never_interleave_or_fork_the_chain(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    writers = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(path), f"w{k}", "40"])
        for k in range(3)
    ]
    for proc in writers:
        assert proc.wait(timeout=120) == 0
    entries = Ledger(path).entries()
    assert len(entries) == 120
    # Each writer saw exactly the entries before its own: decisions were made under the lock.
    assert [e.data["seen"] for e in entries] == list(range(120))
