"""Our own maximin on HiGHS (MIT): no GPL code, and the only back end with a time budget."""

from __future__ import annotations

from ..maximin import Limits, solve_maximin
from ..polytope import MISSING_HIGHS, highs_available, highs_version
from .base import BackendUnavailableError, BaselineResult, LotteryResult, Progress, SolveInput


class NativeMaximin:
    name = "maximin"
    licence = "BSD-3-Clause (this project) on HiGHS (MIT)"

    def check_available(self) -> None:
        if not highs_available():
            raise BackendUnavailableError(f"algorithm 'maximin' needs HiGHS: {MISSING_HIGHS}")

    def versions(self) -> dict[str, str]:
        return {"highspy": highs_version()}

    def lottery(self, job: SolveInput, limits: Limits, progress: Progress) -> LotteryResult:
        outcome = solve_maximin(job.problem(), limits, progress)
        return LotteryResult(
            committees=outcome.committees,
            probabilities=outcome.probabilities,
            achieved=outcome.achieved,
            bound=outcome.bound,
            steps=outcome.steps,
            stopped_by=outcome.stopped_by,
            excluded_types=outcome.excluded_types,
            history=outcome.history,
        )

    def baseline(self, job: SolveInput, runs: int, progress: Progress) -> BaselineResult:
        raise NotImplementedError("'maximin' is a lottery, not a greedy baseline")
