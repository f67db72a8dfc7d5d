"""One grading job: a rebuilt submission in, per-cell outputs and check results out.

:func:`run_job` is what every back end runs (a local worker process, a Dask worker).
Its input and output are plain JSON-able data, so it needs no gradebook, no course
folder and no nbgrader: the same sandboxed job runs anywhere.

Order of work, and why:

1. learner cells run in the jail's kernel, in the released order; tutor setup cells run
   there *and* in the grader's own namespace;
2. public parts of each test run in the grader at their place in the notebook; before a
   hidden part, the kernel is *snapshotted* (forked, frozen);
3. when every cell has run, the kernel is stopped, and only then do hidden parts run,
   each against its snapshot. Nothing a learner sees in feedback was produced after any
   hidden input entered the sandbox, so feedback cannot leak hidden test data.
"""

from __future__ import annotations

import atexit
import base64
import datetime as dt
import os
import signal
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from . import names
from .outputs import clean, limit_seen
from .runner import Outcome, TrustedRunner, copy_namespace, fresh_namespace
from .sandbox.client import Endpoint, Jail, SandboxLimit, Zygote
from .sandbox.limits import Limits

JAIL_ENV = {
    "HOME": "/home/learner",
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "TMPDIR": "/tmp",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    "MPLCONFIGDIR": "/home/learner/.config/matplotlib",
    "NBGRADER_EXECUTION": "autograde",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
}


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


class Worker:
    """Per-process state: one zygote, and one jail kept warm for the next job."""

    def __init__(self, mode: str, limits: Limits) -> None:
        self.key = (mode, limits)
        self.zygote = Zygote(mode, limits)
        self.preloaded: set[str] = set()
        self.warm: Jail | None = None
        self.identity = f"{socket.gethostname()}:{os.getpid()}:slot{self.zygote.slot}"

    def jail(self, seed: int) -> Jail:
        jail, self.warm = self.warm, None
        if jail is None or jail.spec.get("seed") != seed:
            if jail is not None:
                jail.close()
            jail = self.zygote.spawn(JAIL_ENV, seed)
        self.warm = self.zygote.spawn(JAIL_ENV, seed)  # builds while this job runs
        return jail

    def close(self) -> None:
        if self.warm is not None:
            self.warm.close()
        self.zygote.close()


_WORKER: Worker | None = None


def worker(mode: str, limits: Limits) -> Worker:
    global _WORKER  # noqa: PLW0603 - one zygote per worker process, reused across jobs
    if _WORKER is None or _WORKER.key != (mode, limits):
        if _WORKER is not None:
            _WORKER.close()
        _WORKER = Worker(mode, limits)
        atexit.register(_WORKER.close)
    return _WORKER


def _place_files(jail: Jail, files: dict[str, str]) -> None:
    root = jail.scratch
    uid = jail.spec.get("uid")
    for rel, data in files.items():
        path = PurePosixPath(rel)
        if path.is_absolute() or ".." in path.parts:
            continue
        target = root / Path(*path.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(data))
        if uid is not None and os.geteuid() == 0:
            for p in (target, *target.relative_to(root).parents):
                os.chown(root / p, uid, uid)


@dataclass
class _Hidden:
    index: int
    part: int
    snapshot: Endpoint
    ns: dict[str, Any]
    last: bool
    source: str
    label: str


@dataclass
class _Run:
    spec: dict[str, Any]
    jail: Jail
    limits: Limits
    deadline: float
    endpoint: Endpoint
    cells: dict[int, dict[str, Any]] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)

    def timeout(self) -> float:
        return max(0.0, min(self.limits.cell_seconds, self.deadline - time.monotonic()))

    def request(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.jail.request(self.endpoint, body, self.timeout())


def run_job(spec: dict[str, Any]) -> dict[str, Any]:
    """Grade one rebuilt submission in a fresh jail (see the module docstring)."""
    started, t0 = _now(), time.monotonic()
    limits = Limits.from_dict(spec["limits"])
    w = worker(str(spec.get("mode", "auto")), limits)
    modules = sorted(set(spec.get("preload", [])) - w.preloaded)
    if modules:
        w.zygote.preload(modules)
        w.preloaded.update(modules)
    jail = w.jail(int(spec.get("seed", 0)))
    try:
        _place_files(jail, spec.get("files", {}))
        jail.wait_ready()
        run = _Run(spec, jail, limits, time.monotonic() + limits.wall_seconds, jail.kernel)
        _grade(run)
    finally:
        jail.close()
    events = list(dict.fromkeys([*jail.limit_events, *run.events]))
    return {
        "cells": {str(k): v for k, v in run.cells.items()},
        "limits": events,
        "notes": jail.notes,
        "versions": w.zygote.versions,
        "mode": w.zygote.mode,
        "worker": w.identity,
        "uid": jail.spec.get("uid"),
        "started": started,
        "finished": _now(),
        "seconds": round(time.monotonic() - t0, 3),
    }


def _grade(run: _Run) -> None:
    spec = run.spec
    free = frozenset(spec.get("free", []))
    runner = TrustedRunner(free, frozenset(spec.get("modules", [])), run.request)
    ns = fresh_namespace()
    hidden: list[_Hidden] = []
    tests = {int(k): v for k, v in spec.get("tests", {}).items()}
    for index, (cell, role) in enumerate(zip(spec["cells"], spec["roles"], strict=True)):
        if cell.get("cell_type") != "code":
            continue
        label = f"{cell.get('metadata', {}).get('nbgrader', {}).get('grade_id', index)}"
        if role == "test":
            _public(run, runner, ns, index, tests[index]["segments"], label, hidden)
            continue
        _kernel_cell(run, index, cell["source"], label)
        if role == "setup":
            outcome = runner.run(cell["source"], f"setup {label}", ns, show_result=False)
            if outcome.status != "passed":  # let tests read these names from the kernel instead
                runner.free = runner.free | names.scan(names.to_python(cell["source"])).assigned
                run.events.append(
                    f"setup cell {label} could not run in the grader; its names "
                    "were read from the learner's kernel"
                )
    if hidden:
        _hidden(run, runner, hidden)


def _kernel_cell(run: _Run, index: int, source: str, label: str) -> None:
    entry: dict[str, Any] = {"outputs": [], "execution_count": None, "status": "not-run"}
    run.cells[index] = entry
    try:
        reply = run.jail.request(run.jail.kernel, {"op": "execute", "code": source}, run.timeout())
    except SandboxLimit as exc:
        entry.update(status="limit", outputs=[_limit_output(exc.detail)])
        run.events.append(f"cell {label}: {exc.detail}")
        return
    outputs = clean(reply.get("outputs"), run.limits.output_kb * 1024)
    count = reply.get("execution_count")
    entry["execution_count"] = count if type(count) is int else None
    entry["status"] = "error" if reply.get("status") != "ok" else "ok"
    if reply.get("timed_out"):
        outputs.append(_limit_output(f"time limit ({run.limits.cell_seconds:.0f} s per cell)"))
        entry["status"] = "limit"
    seen = limit_seen(outputs)
    if seen:
        run.events.append(f"cell {label}: {seen}")
    entry["outputs"] = outputs


def _limit_output(detail: str) -> dict[str, Any]:
    return {
        "output_type": "error",
        "ename": "GradingLimit",
        "evalue": detail,
        "traceback": [f"GradingLimit: {detail}"],
    }


def _public(
    run: _Run,
    runner: TrustedRunner,
    ns: dict[str, Any],
    index: int,
    segments: list[dict[str, Any]],
    label: str,
    hidden: list[_Hidden],
) -> None:
    results: list[dict[str, Any]] = []
    run.cells[index] = {"segments": results, "status": "ok"}
    failed = False
    for k, seg in enumerate(segments):
        last = k == len(segments) - 1
        entry: dict[str, Any] = {"hidden": bool(seg["hidden"]), "status": "not-run", "outputs": []}
        results.append(entry)
        if failed:
            continue
        if seg["hidden"]:
            try:
                snap = run.jail.snapshot(f"hidden checks of {label}", run.timeout())
            except SandboxLimit as exc:
                entry.update(status="limit", outputs=[_limit_output(exc.detail)])
                failed = True
                continue
            entry["status"] = "pending"
            hidden.append(
                _Hidden(
                    index,
                    k,
                    snap,
                    copy_namespace(ns),
                    last,
                    str(seg["source"]),
                    f"{label} hidden part {k + 1}",
                )
            )
            continue
        run.endpoint = run.jail.kernel
        outcome = runner.run(seg["source"], f"{label} part {k + 1}", ns, show_result=last)
        _record(run, entry, outcome, label)
        failed = outcome.status != "passed"


def _record(run: _Run, entry: dict[str, Any], outcome: Outcome, label: str) -> None:
    entry["status"] = outcome.status
    entry["outputs"] = clean(outcome.outputs, run.limits.output_kb * 1024)
    if outcome.limit:
        run.events.append(f"checks of {label}: {outcome.limit}")


def _hidden(run: _Run, runner: TrustedRunner, queue: list[_Hidden]) -> None:
    jail = run.jail
    if jail.kernel.ns_pid and not jail.kernel.dead:  # visible phase over: stop the kernel
        jail.control.send({"op": "signal", "pid": jail.kernel.ns_pid, "signal": signal.SIGKILL})
        jail.kernel.dead = "stopped before the hidden checks"
    defined: dict[str, Any] = {}
    for item in queue:
        entry = run.cells[item.index]["segments"][item.part]
        ns = item.ns
        ns.update({n: v for n, v in defined.items() if n not in runner.free})
        before = dict(ns)
        run.endpoint = item.snapshot
        outcome = runner.run(item.source, item.label, ns, show_result=item.last)
        _record(run, entry, outcome, item.label)
        for name, value in ns.items():
            if name not in runner.free and (name not in before or before[name] is not value):
                defined[name] = value
        item.snapshot.dead = "finished"
        item.snapshot.chan.close()
