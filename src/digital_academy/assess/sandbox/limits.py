"""Resource limits for one submission, and how they are applied to the learner's process."""

from __future__ import annotations

import resource
import signal
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Limits:
    """What one submission may use. Time limits are enforced by the grader, the rest by the OS."""

    cell_seconds: float = 60.0
    wall_seconds: float = 300.0
    cpu_seconds: int = 120
    memory_mb: int = 1024
    processes: int = 64
    file_mb: int = 64
    open_files: int = 256
    output_kb: int = 512

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Limits:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown limit(s) {sorted(unknown)}; known: {sorted(known)}")
        return cls(**data)


def _address_space() -> int:
    """Bytes already mapped: the memory limit is on top of the (shared) preloaded libraries."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * resource.getpagesize()


def apply(limits: Limits, nproc_base: int = 0) -> None:
    """Set the OS limits on this process (inherited by everything it starts). Irreversible.

    ``nproc_base`` is how many processes the same user already runs: RLIMIT_NPROC counts
    per user, so it only means "this submission's processes" under a user of its own.
    """
    cpu = max(1, int(limits.cpu_seconds))
    memory = _address_space() + limits.memory_mb * 1024 * 1024
    processes = nproc_base + limits.processes
    for kind, soft, hard in (
        (resource.RLIMIT_CPU, cpu, cpu + 2),
        (resource.RLIMIT_AS, memory, memory),
        (resource.RLIMIT_NPROC, processes, processes),
        (resource.RLIMIT_FSIZE, limits.file_mb * 1024 * 1024, limits.file_mb * 1024 * 1024),
        (resource.RLIMIT_NOFILE, limits.open_files, limits.open_files),
        (resource.RLIMIT_CORE, 0, 0),
    ):
        resource.setrlimit(kind, (soft, hard))
    # Writing past the file-size limit fails with an error instead of killing the kernel.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
