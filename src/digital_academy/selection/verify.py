"""Re-run a selection from its public audit and check that it gives the same cohort."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .inputs import pool_hash
from .model import Pool, Quota, QuotaSet, SelectionInputError
from .report import AUDIT_FORMAT, build_audit
from .runner import OnProgress, Selection, SelectRequest, select


def audit_quotas(audit: dict[str, Any]) -> QuotaSet:
    try:
        return QuotaSet(
            tuple(
                Quota(q["feature"], q["value"], int(q["min"]), int(q["max"]))
                for q in audit["inputs"]["quotas"]
            )
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise SelectionInputError(f"the audit's quotas are unreadable ({exc})") from None


@dataclass(frozen=True)
class Verification:
    selection: Selection
    checks: tuple[tuple[str, bool], ...]

    @property
    def ok(self) -> bool:
        return all(passed for _, passed in self.checks)


def replay_request(audit: dict[str, Any], pool: Pool) -> SelectRequest:
    if audit.get("format") != AUDIT_FORMAT:
        raise SelectionInputError(
            f"not a cohort audit (format {audit.get('format')!r}, expected {AUDIT_FORMAT!r})"
        )
    expected = audit["inputs"]["applicants_sha256"]
    if pool_hash(pool) != expected:
        raise SelectionInputError(
            "the applicants file does not match the audit (its canonical SHA-256 differs); "
            "use the exact pool that was published"
        )
    replay = audit["algorithm"]["replay"]
    return SelectRequest(
        pool=pool,
        quotas=audit_quotas(audit),
        capacity=int(audit["inputs"]["capacity"]),
        seed=int(audit["seed"]),
        algorithm=str(replay["algorithm"]),
        time_budget=None,
        max_steps=int(replay["max_steps"]),
        gap=float(replay["gap"]),
        baseline_runs=0,
    )


def verify(audit: dict[str, Any], pool: Pool, on_progress: OnProgress) -> Verification:
    """Recompute the lottery (same algorithm, same step count, no clock) and redraw."""
    selection = select(replay_request(audit, pool), on_progress)
    again = build_audit(selection, audit["inputs"].get("files_sha256", {}))
    result, redo = audit["result"], again["result"]
    checks = (
        ("same selected cohort", redo["selected"] == result["selected"]),
        ("same ordered reserve list", redo["reserves"] == result["reserves"]),
        ("same lottery", redo["lottery"] == result["lottery"]),
        ("same selection probabilities", again["probabilities"] == audit["probabilities"]),
        ("same minimum probability", redo["minimum_probability"] == result["minimum_probability"]),
    )
    return Verification(selection, checks)
