"""``academy build --watch``: the real command rebuilds on each saved change, keeps going
after a broken edit, and leaves no process behind when stopped."""

from __future__ import annotations

import json
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pytest

pytestmark = pytest.mark.slow
ACADEMY = Path(sys.executable).with_name("academy")


def _next_report(proc: subprocess.Popen[str], timeout: float = 180) -> dict[str, Any]:
    """The next line the watcher prints: one JSON report per build."""
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    assert ready, "no build report in time"
    line = proc.stdout.readline()
    assert line, f"the watcher ended: {proc.stderr.read() if proc.stderr else ''}"
    report: dict[str, Any] = json.loads(line)
    return report


def _edit(notebook: Path, code: str) -> None:
    nb = json.loads(notebook.read_text("utf-8"))
    next(c for c in nb["cells"] if c["cell_type"] == "code")["source"] = code
    notebook.write_text(json.dumps(nb), "utf-8")


def test_watch_rebuilds_each_change_and_stops_cleanly(
    make_sample: Callable[..., Path], node_modules: Path
) -> None:
    root = make_sample(modules=3, courses=1, academies=1)
    command = [str(ACADEMY), "build", "--root", str(root), "--assets", str(node_modules)]
    proc = subprocess.Popen(
        [*command, "--watch", "--interval", "0.1", "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen: set[int] = set()
    try:
        first = _next_report(proc)
        assert first["ok"] and first["published"] and len(first["executed"]) == 3

        notebook = sorted((root / "courses").glob("*/*.ipynb"))[0]
        module_id = json.loads(notebook.read_text("utf-8"))["metadata"]["academy"]["id"]
        _edit(notebook, "import pandas as pd\nprint('answer', 6 * 7)")
        edit = _next_report(proc)
        assert edit["ok"] and edit["published"] and edit["executed"] == [module_id]
        site = root / "book" / "_build" / "site"
        page = next(p for p in site.rglob(f"{module_id}.html") if p.parent.name != "modules")
        assert "answer 42" in page.read_text("utf-8")
        seen |= {p.pid for p in psutil.Process(proc.pid).children(recursive=True)}
        assert seen  # the zygote and the book workers stay up between builds

        # A broken catalogue is reported and the watcher carries on.
        course = notebook.parent / "course.yml"
        good = course.read_text("utf-8")
        course.write_text("title: [unclosed\n", "utf-8")
        broken = _next_report(proc)
        assert broken["ok"] is False and "course.yml" in broken["error"]
        course.write_text(good, "utf-8")
        fixed = _next_report(proc)
        assert fixed["ok"] and fixed["executed"] == []
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            assert proc.wait(timeout=60) == 0
        finally:
            proc.kill()
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
    # Helpers end on their own once the watcher has gone (multiprocessing's resource
    # tracker, for one, when its pipe closes): give them a moment, then none may be left.
    deadline = time.monotonic() + 15
    while any(_alive(p) for p in seen) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [p for p in seen if _alive(p)] == []


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
