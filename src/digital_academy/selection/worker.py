"""The selection worker: one solver job per process, with Python's hash seed pinned.

The parent (``runner``) starts ``python -m digital_academy.selection.worker JOB RESULT`` with
``PYTHONHASHSEED=0``, so set and dict orders inside any library are the same in every run; the
inputs arrive sorted. Progress goes to stderr as JSON lines; the result is written to RESULT.
Running the solver in a child also lets the parent stop a library that has no time limit.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any

from .backends import BackendUnavailableError, SolveInput, load
from .feasibility import Change, Diagnosis, diagnose
from .grouping import merge_types, quota_rows
from .maximin import Limits
from .model import Applicant, Pool, Quota, QuotaSet
from .polytope import Problem, lp_ceiling

PINNED_HASH_SEED = "0"


def encode_pool(pool: Pool) -> dict[str, Any]:
    return {
        "features": list(pool.features),
        "applicants": [[a.id, a.hub_username, *a.values] for a in pool.applicants],
    }


def decode_pool(data: dict[str, Any]) -> Pool:
    return Pool(
        tuple(data["features"]),
        tuple(Applicant(row[0], tuple(row[2:]), row[1]) for row in data["applicants"]),
    )


def encode_quotas(quotas: QuotaSet) -> list[list[Any]]:
    return [[q.feature, q.value, q.min, q.max] for q in quotas.quotas]


def decode_quotas(data: list[list[Any]]) -> QuotaSet:
    return QuotaSet(tuple(Quota(f, v, int(lo), int(hi)) for f, v, lo, hi in data))


def encode_diagnosis(d: Diagnosis) -> dict[str, Any]:
    return {
        "problems": list(d.problems),
        "conflicting": encode_quotas(QuotaSet(d.conflicting)),
        "changes": [[*encode_quotas(QuotaSet((c.quota,)))[0], c.bound, c.new] for c in d.changes],
    }


def decode_diagnosis(data: dict[str, Any]) -> Diagnosis:
    return Diagnosis(
        problems=tuple(data["problems"]),
        conflicting=decode_quotas(data["conflicting"]).quotas,
        changes=tuple(
            Change(Quota(f, v, lo, hi), bound, new) for f, v, lo, hi, bound, new in data["changes"]
        ),
    )


def _progress(event: dict[str, Any]) -> None:
    sys.stderr.write(json.dumps({"progress": event}) + "\n")
    sys.stderr.flush()


def run_job(job: dict[str, Any]) -> dict[str, Any]:
    pool = decode_pool(job["pool"])
    quotas = decode_quotas(job["quotas"])
    capacity = int(job["capacity"])
    kind = job["kind"]
    if kind == "diagnose":
        diagnosis = diagnose(pool, quotas, capacity)
        if not diagnosis.feasible:
            return {"feasible": False, "diagnosis": encode_diagnosis(diagnosis)}
        typed = merge_types(pool)
        ceiling = lp_ceiling(Problem(typed.sizes, quota_rows(typed, quotas), capacity))
        return {"feasible": True, "lp_ceiling": ceiling, "types": len(typed.keys)}
    backend = load(job["algorithm"])
    solve = SolveInput(merge_types(pool), quotas, capacity, int(job["seed"]))
    if kind == "lottery":
        limits = Limits(**job["limits"])
        result = backend.lottery(solve, limits, _progress)
        return {
            "committees": [list(c) for c in result.committees],
            "probabilities": result.probabilities,
            "achieved": result.achieved,
            "bound": result.bound,
            "steps": result.steps,
            "stopped_by": result.stopped_by,
            "excluded_types": list(result.excluded_types),
            "notes": result.notes,
            "history": [list(h) for h in result.history],
            "versions": backend.versions(),
        }
    if kind == "baseline":
        baseline = backend.baseline(solve, int(job["runs"]), _progress)
        return {
            "runs": baseline.runs,
            "failures": baseline.failures,
            "selected_per_type": baseline.selected_per_type,
            "versions": backend.versions(),
        }
    raise ValueError(f"unknown job kind {kind!r}")


def main(argv: list[str]) -> int:
    job_path, result_path = Path(argv[0]), Path(argv[1])
    if os.environ.get("PYTHONHASHSEED") != PINNED_HASH_SEED:
        result: dict[str, Any] = {
            "error": {"kind": "internal", "message": "the worker must run with PYTHONHASHSEED=0"}
        }
    else:
        try:
            result = {"ok": run_job(json.loads(job_path.read_text(encoding="utf-8")))}
        except BackendUnavailableError as exc:
            result = {"error": {"kind": "unavailable", "message": str(exc)}}
        except Exception as exc:  # reported to the parent, which decides how to show it
            result = {
                "error": {
                    "kind": "internal",
                    "message": f"{type(exc).__name__}: {exc}",
                    "traceback": traceback.format_exc(),
                }
            }
    result_path.write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover - exercised through the runner in tests
    sys.exit(main(sys.argv[1:]))
