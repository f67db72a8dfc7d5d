"""Runs solver jobs in the pinned worker process and puts a whole selection together."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from . import backends
from .backends import BackendUnavailableError
from .draw import Draw, distribution, draw
from .fairness import BaselineSummary, summarise_baseline
from .feasibility import Diagnosis, arithmetic_problems
from .grouping import merge_types
from .inputs import pool_hash
from .model import Distribution, Pool, QuotaSet, SelectionInputError, TypedPool
from .worker import PINNED_HASH_SEED, decode_diagnosis, encode_pool, encode_quotas

OnProgress = Callable[[str, dict[str, Any]], None]
WORKER_GRACE = (
    120.0  # seconds the native solver may overrun its budget (final solves) before we stop it
)


class InfeasibleQuotasError(Exception):
    """No cohort can meet every quota; ``diagnosis`` says which ones conflict and by how much."""

    def __init__(self, diagnosis: Diagnosis) -> None:
        super().__init__(diagnosis.summary())
        self.diagnosis = diagnosis


class SelectionRunError(RuntimeError):
    """The selection could not finish (budget exceeded by a library, solver failure)."""


@dataclass(frozen=True)
class SelectRequest:
    pool: Pool
    quotas: QuotaSet
    capacity: int
    seed: int
    algorithm: str = "maximin"
    time_budget: float | None = 300.0
    max_steps: int | None = None
    gap: float = 2e-3
    baseline_runs: int = 200


@dataclass
class Selection:
    """Everything a selection produced: the lottery, the draw, the bounds and the baseline."""

    request: SelectRequest
    typed: TypedPool
    lottery: Distribution
    type_probabilities: tuple[Fraction, ...]
    achieved: float
    upper_bound: float
    lp_ceiling: float
    steps: int
    stopped_by: str
    excluded_types: tuple[int, ...]
    drawn: Draw
    versions: dict[str, str]
    seconds: float
    baseline: BaselineSummary | None = None
    baseline_runs_detail: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    history: list[tuple[int, float, float, float]] = field(default_factory=list)

    @property
    def pool_sha256(self) -> str:
        return pool_hash(self.request.pool)

    def applicant_probabilities(self) -> dict[str, Fraction]:
        return {
            aid: self.type_probabilities[t]
            for t, ids in enumerate(self.typed.members)
            for aid in ids
        }


def run_worker(
    job: dict[str, Any], on_progress: OnProgress, stage: str, timeout: float | None
) -> dict[str, Any]:
    """Run one job in a fresh worker process with its hash seed pinned."""
    env = {**os.environ, "PYTHONHASHSEED": PINNED_HASH_SEED}
    with tempfile.TemporaryDirectory(prefix="academy-select-") as folder:
        job_path, result_path = Path(folder) / "job.json", Path(folder) / "result.json"
        job_path.write_text(json.dumps(job), encoding="utf-8")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "digital_academy.selection.worker",
                str(job_path),
                str(result_path),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        other: list[str] = []

        def pump() -> None:
            assert process.stderr is not None
            for line in process.stderr:
                try:
                    event = json.loads(line)["progress"]
                except (ValueError, KeyError, TypeError):
                    other.append(line)
                    continue
                on_progress(stage, event)

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise SelectionRunError(
                f"{stage} did not finish within {timeout:.0f} s and was stopped"
            ) from None
        except BaseException:  # interrupted: never leave the worker running
            process.kill()
            process.wait()
            raise
        finally:
            reader.join(timeout=5)
        if not result_path.exists():
            detail = "".join(other[-5:]).strip() or f"exit status {process.returncode}"
            raise SelectionRunError(f"the selection worker failed during {stage}: {detail}")
        result: dict[str, Any] = json.loads(result_path.read_text(encoding="utf-8"))
    if "error" in result:
        error = result["error"]
        if error["kind"] == "unavailable":
            raise BackendUnavailableError(error["message"])
        raise SelectionRunError(f"{stage} failed: {error['message']}")
    ok: dict[str, Any] = result["ok"]
    return ok


def _job(request: SelectRequest, kind: str, **extra: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "pool": encode_pool(request.pool),
        "quotas": encode_quotas(request.quotas),
        "capacity": request.capacity,
        "seed": request.seed,
        **extra,
    }


def check_request(request: SelectRequest) -> None:
    """Refuse what cannot be run before starting any solver."""
    info = backends.BACKENDS.get(request.algorithm)
    if info is None or info.kind != "lottery":
        raise SelectionInputError(
            f"unknown algorithm {request.algorithm!r}; choose from "
            + ", ".join(backends.names("lottery"))
        )
    if request.capacity < 1:
        raise SelectionInputError("capacity must be at least 1")
    backends.load(request.algorithm)  # BackendUnavailableError if its library is missing
    if request.baseline_runs:
        try:
            backends.load("sortition-legacy")
        except BackendUnavailableError as exc:
            raise BackendUnavailableError(
                f"the fairness comparison runs the greedy baseline: {exc}; or pass "
                "--baseline-runs 0 to select without the comparison"
            ) from None


def select(request: SelectRequest, on_progress: OnProgress) -> Selection:
    """Diagnose, solve (anytime, budgeted), draw, and estimate the greedy baseline."""
    check_request(request)
    started = time.monotonic()
    problems = arithmetic_problems(request.pool, request.quotas, request.capacity)
    if problems:
        raise InfeasibleQuotasError(Diagnosis(problems=tuple(problems)))
    analysis = run_worker(_job(request, "diagnose"), on_progress, "checking the quotas", None)
    if not analysis["feasible"]:
        raise InfeasibleQuotasError(decode_diagnosis(analysis["diagnosis"]))
    limits = {
        "time_budget": request.time_budget,
        "max_steps": request.max_steps,
        "gap": request.gap,
    }
    native = request.algorithm == "maximin"
    timeout = None
    if request.time_budget is not None:
        timeout = request.time_budget + WORKER_GRACE if native else request.time_budget
    try:
        solved = run_worker(
            _job(request, "lottery", algorithm=request.algorithm, limits=limits),
            on_progress,
            f"the {request.algorithm} lottery",
            timeout,
        )
    except SelectionRunError as exc:
        if native:
            raise
        raise SelectionRunError(
            f"{exc}: '{request.algorithm}' has no time limit of its own and did not finish "
            f"within --time-budget; raise the budget or choose --algorithm maximin, which "
            "stops with its best lottery so far"
        ) from None
    typed = merge_types(request.pool)
    committees = [tuple(c) for c in solved["committees"]]
    lottery = distribution(committees, solved["probabilities"])
    type_prob = lottery.type_probabilities(typed.sizes)
    excluded = tuple(solved["excluded_types"])
    eligible = [p for t, p in enumerate(type_prob) if t not in excluded]
    achieved = float(min(eligible)) if eligible else 0.0
    versions = dict(solved["versions"])
    drawn = draw(typed, lottery, request.seed, pool_hash(request.pool))
    selection = Selection(
        request=request,
        typed=typed,
        lottery=lottery,
        type_probabilities=type_prob,
        achieved=achieved,
        upper_bound=min(solved["bound"], analysis["lp_ceiling"]),
        lp_ceiling=analysis["lp_ceiling"],
        steps=solved["steps"],
        stopped_by=solved["stopped_by"],
        excluded_types=excluded,
        drawn=drawn,
        versions=versions,
        seconds=0.0,
        notes=list(solved["notes"]),
        history=[(int(s), float(t), float(a), float(b)) for s, t, a, b in solved["history"]],
    )
    if excluded:
        count = sum(typed.sizes[t] for t in excluded)
        selection.notes.append(
            f"{count} applicant(s) cannot be in any cohort that meets the quotas (for example a "
            "maximum of 0) and have probability 0; the minimum is over everyone else"
        )
    if request.baseline_runs:
        base = run_worker(
            _job(request, "baseline", algorithm="sortition-legacy", runs=request.baseline_runs),
            on_progress,
            "the greedy baseline",
            None,
        )
        versions.update(base["versions"])
        selection.baseline = summarise_baseline(
            typed.sizes, base["selected_per_type"], base["runs"], base["failures"], achieved
        )
        selection.baseline_runs_detail = base
    selection.seconds = time.monotonic() - started
    return selection
