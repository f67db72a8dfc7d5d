"""``academy build --watch``: rebuild whenever the content changes, with warm processes.

Each rebuild is an ordinary incremental build. What watching adds is that the processes
a build starts (the zygote and the book workers, see ``runner.Workers``) stay up between
builds, so an edit pays for its own work only: its module's execution in a fresh kernel
and the changed pages of its book.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

#: The folders the catalogue is read from; anything else under the root is not content.
CONTENT = ("courses", "specialist_academies", "graders")
_SKIP = {"__pycache__", ".ipynb_checkpoints"}

State = frozenset[tuple[str, int, int]]


def content_state(root: Path) -> State:
    """Every content file with its modification time and size: cheap to take, and any
    saved edit, new file or deletion changes it."""
    found = set()
    for folder in CONTENT:
        for path in (root / folder).rglob("*"):
            rel = path.relative_to(root)
            if any(part in _SKIP or part.startswith(".") for part in rel.parts):
                continue
            try:
                info = path.stat()
            except FileNotFoundError:  # removed while we looked
                continue
            if path.is_file():
                found.add((rel.as_posix(), info.st_mtime_ns, info.st_size))
    return frozenset(found)


def watch(
    root: Path,
    rebuild: Callable[[], object],
    interval: float,
    stop: threading.Event,
    built: State,
) -> None:
    """Call ``rebuild`` after every change to the content since ``built`` (the state the
    last build started from), until ``stop`` is set.

    A change is acted on once the content has stayed the same for one interval, so an
    editor's save in several steps (or a ``git checkout``) gives one rebuild, not several.
    """
    while not stop.wait(interval):
        now = content_state(root)
        if now == built:
            continue
        while not stop.wait(interval):
            settled = content_state(root)
            if settled == now:
                break
            now = settled
        if stop.is_set():
            return
        built = now
        rebuild()
