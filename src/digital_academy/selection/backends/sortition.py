"""THE licence boundary: the only module that imports ``sortition_algorithms`` (GPL-3.0).

It is imported only when someone chooses a ``sortition-*`` algorithm (by name, through the
registry), and runs in the selection worker process. Nothing else in the package may import the
library; a test enforces it. Without the ``selection`` extra these algorithms say so clearly and
nothing falls back to another algorithm.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import importlib.util
import logging
from typing import Any

from ..maximin import Limits
from ..polytope import highs_available, highs_version
from .base import BackendUnavailableError, BaselineResult, LotteryResult, Progress, SolveInput

LIBRARY = "sortition-algorithms"
LIBRARY_TOLERANCE = 0.0005
MISSING = (
    "the algorithm '{name}' needs the Sortition Foundation's sortition-algorithms library "
    "(GPL-3.0), which is not installed; install the optional extra with "
    "pip install 'digital-academy[selection]', or choose --algorithm maximin"
)


def _installed() -> bool:
    try:
        return importlib.util.find_spec("sortition_algorithms") is not None
    except (ImportError, ValueError):  # a broken or blocked installation counts as absent
        return False


def _library() -> Any:
    return importlib.import_module("sortition_algorithms")


class _Reporter:
    """Forwards the library's progress events (phases, iterations) to our progress callback."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.phase = ""

    def start_phase(
        self, name: str, total: int | None = None, *, message: str | None = None
    ) -> None:
        self.phase = name
        self.progress({"phase": name, "total": total, "message": message or name})

    def update(self, current: int, *, message: str | None = None) -> None:
        self.progress({"phase": self.phase, "step": current, "message": message or ""})

    def end_phase(self) -> None:
        self.phase = ""


class _LibraryBackend:
    name = "sortition"
    licence = "GPL-3.0 (sortition-algorithms) on HiGHS (MIT)"

    def check_available(self) -> None:
        if not _installed() or not highs_available():
            raise BackendUnavailableError(MISSING.format(name=self.name))

    def versions(self) -> dict[str, str]:
        return {LIBRARY: importlib.metadata.version(LIBRARY), "highspy": highs_version()}

    def _inputs(self, job: SolveInput, algorithm: str) -> tuple[Any, Any]:
        """The library's features and people, built in canonical (sorted) order."""
        sa = _library()
        # The library logs every step to stdout; the worker reports progress itself.
        for name in ("sortition_algorithms", "sortition_algorithms_user"):
            logging.getLogger(name).setLevel(logging.ERROR)
        features, _, _ = sa.read_in_features(
            ["feature", "value", "min", "max"],
            [
                {"feature": q.feature, "value": q.value, "min": str(q.min), "max": str(q.max)}
                for q in job.quotas.quotas
            ],
        )
        settings = sa.Settings(
            id_column="applicant_id",
            columns_to_keep=[],
            selection_algorithm=algorithm,
            solver_backend="highspy",
            random_number_seed=job.seed,
        )
        pool = job.typed.pool
        rows = [
            {"applicant_id": a.id, **dict(zip(pool.features, a.values, strict=True))}
            for a in pool.applicants
        ]
        people, _ = sa.read_in_people(["applicant_id", *pool.features], rows, features, settings)
        return features, people

    def lottery(self, job: SolveInput, limits: Limits, progress: Progress) -> LotteryResult:
        raise NotImplementedError(f"'{self.name}' does not produce a lottery")

    def baseline(self, job: SolveInput, runs: int, progress: Progress) -> BaselineResult:
        raise NotImplementedError(f"'{self.name}' is not a baseline")


class LibraryMaximin(_LibraryBackend):
    """The library's maximin, run to completion (it has no time limit of its own)."""

    name = "sortition-maximin"

    def lottery(self, job: SolveInput, limits: Limits, progress: Progress) -> LotteryResult:
        generation = importlib.import_module("sortition_algorithms.committee_generation")
        utils = importlib.import_module("sortition_algorithms.utils")
        features, people = self._inputs(job, "maximin")
        utils.set_random_provider(job.seed)
        committees, probabilities, _report = generation.find_distribution_maximin(
            features, people, job.capacity, [], "highspy", progress_reporter=_Reporter(progress)
        )
        committees, probabilities = generation.standardize_distribution(committees, probabilities)
        type_of = job.typed.type_of()
        sizes = job.typed.sizes
        per_applicant: dict[str, float] = dict.fromkeys(type_of, 0.0)
        counted: list[tuple[int, ...]] = []
        for committee, p in zip(committees, probabilities, strict=True):
            counts = [0] * len(sizes)
            for aid in committee:
                counts[type_of[aid]] += 1
                per_applicant[aid] += p
            counted.append(tuple(counts))
        # Identical applicants are interchangeable: averaging within types keeps every quota and
        # never lowers the minimum. Merge cohorts that became the same count vector.
        merged: dict[tuple[int, ...], float] = {}
        for counts_, p in zip(counted, probabilities, strict=True):
            merged[counts_] = merged.get(counts_, 0.0) + p
        marg = [0.0] * len(sizes)
        for counts_, p in merged.items():
            for t, x in enumerate(counts_):
                marg[t] += p * x
        # Applicants no quota-meeting cohort can include are left out of the minimum, as the
        # library itself does.
        excluded = tuple(t for t in range(len(sizes)) if marg[t] <= 0.0)
        achieved = min((marg[t] / sizes[t] for t in range(len(sizes)) if marg[t] > 0), default=0.0)
        library_min = min((p for p in per_applicant.values() if p > 0), default=0.0)
        return LotteryResult(
            committees=list(merged),
            probabilities=list(merged.values()),
            achieved=achieved,
            # The library stops when no cohort beats its lottery by more than 0.0005 (absolute).
            bound=achieved + LIBRARY_TOLERANCE,
            steps=len(committees),
            stopped_by="converged",
            excluded_types=excluded,
            notes=[
                f"library minimum per applicant {library_min:.6f}; after merging identical "
                f"applicants {achieved:.6f}"
            ],
        )


class LibraryLegacy(_LibraryBackend):
    """The library's greedy algorithm, run many times to estimate selection probabilities."""

    name = "sortition-legacy"

    def baseline(self, job: SolveInput, runs: int, progress: Progress) -> BaselineResult:
        sa = _library()
        utils = importlib.import_module("sortition_algorithms.utils")
        features, people = self._inputs(job, "legacy")
        type_of = job.typed.type_of()
        selected = [0] * len(job.typed.sizes)
        failures = 0
        for r in range(runs):
            digest = hashlib.sha256(f"{job.seed}|legacy|{r}".encode()).digest()
            utils.set_random_provider(1 + int.from_bytes(digest[:8], "big") % (2**62))
            try:
                panels, _ = sa.find_random_sample(
                    features,
                    people,
                    job.capacity,
                    [],
                    selection_algorithm="legacy",
                    max_attempts=100,
                )
            except sa.SelectionError:
                failures += 1
                continue
            for aid in panels[0]:
                selected[type_of[aid]] += 1
            progress({"phase": "baseline", "step": r + 1, "total": runs})
        return BaselineResult(runs=runs, failures=failures, selected_per_type=selected)
