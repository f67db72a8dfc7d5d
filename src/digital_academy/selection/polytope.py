"""The set of quota-satisfying cohorts, over types, as HiGHS models (highspy, MIT licence).

A cohort is a count ``x[t]`` per type with ``0 <= x[t] <= size[t]``, ``sum x = capacity`` and every
quota's count inside ``[min, max]``. Everything here is deterministic: fixed solver seed, models
built in canonical type order, no wall-clock limits inside a solve.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .grouping import QuotaRows

if TYPE_CHECKING:
    import highspy

MISSING_HIGHS = (
    "the HiGHS solver (highspy) is not installed; install the selection extra: "
    "pip install 'digital-academy[selection]'"
)


class SolverUnavailableError(RuntimeError):
    """A solver or optional library the chosen algorithm needs is not installed."""


def highs_available() -> bool:
    return importlib.util.find_spec("highspy") is not None


def _highspy() -> Any:
    if not highs_available():
        raise SolverUnavailableError(MISSING_HIGHS)
    return importlib.import_module("highspy")


def highs_version() -> str:
    hp = _highspy()
    return f"{hp.HIGHS_VERSION_MAJOR}.{hp.HIGHS_VERSION_MINOR}.{hp.HIGHS_VERSION_PATCH}"


def new_highs() -> highspy._core._Highs:
    # The bare core class: the Python wrapper prints a banner on stdout when first constructed.
    hp = _highspy()
    h: highspy._core._Highs = hp._core._Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", 0)
    return h


@dataclass(frozen=True)
class Problem:
    """Sizes of the types, quota rows over them, and the capacity."""

    sizes: tuple[int, ...]
    rows: QuotaRows
    capacity: int

    @property
    def types(self) -> int:
        return len(self.sizes)


def add_cohort_constraints(
    h: highspy._core._Highs,
    problem: Problem,
    *,
    integer: bool,
    lower: tuple[int, ...] | None = None,
    upper: tuple[int, ...] | None = None,
    skip: frozenset[int] = frozenset(),
) -> None:
    """Columns 0..T-1 are the type counts; rows: capacity then each quota not in ``skip``."""
    n = problem.types
    h.addVars(n, [0.0] * n, [float(s) for s in problem.sizes])
    if integer and n:
        h.changeColsIntegrality(n, list(range(n)), integrality(n))
    h.addRow(float(problem.capacity), float(problem.capacity), n, list(range(n)), [1.0] * n)
    lows = problem.rows.lower if lower is None else lower
    highs = problem.rows.upper if upper is None else upper
    for q, members in enumerate(problem.rows.members):
        if q in skip:
            continue
        h.addRow(float(lows[q]), float(highs[q]), len(members), list(members), [1.0] * len(members))


def integrality(count: int) -> Any:
    """HiGHS's "integer" marker for ``count`` columns."""
    numpy = importlib.import_module("numpy")
    kind = _highspy().HighsVarType.kInteger.value
    return numpy.array([kind] * count, dtype=numpy.uint8)


def status_name(h: highspy._core._Highs) -> str:
    return h.modelStatusToString(h.getModelStatus())


def is_optimal(h: highspy._core._Highs) -> bool:
    return bool(h.getModelStatus() == _highspy().HighsModelStatus.kOptimal)


def is_infeasible(h: highspy._core._Highs) -> bool:
    return bool(h.getModelStatus() == _highspy().HighsModelStatus.kInfeasible)


def feasible(problem: Problem, skip: frozenset[int] = frozenset()) -> bool:
    """Whether any cohort meets every quota (except those in ``skip``)."""
    h = new_highs()
    add_cohort_constraints(h, problem, integer=True, skip=skip)
    h.run()
    if is_infeasible(h):
        return False
    if not is_optimal(h):
        raise RuntimeError(f"HiGHS could not decide feasibility: {status_name(h)}")
    return True


def any_cohort(problem: Problem) -> tuple[int, ...] | None:
    h = new_highs()
    add_cohort_constraints(h, problem, integer=True)
    h.run()
    if not is_optimal(h):
        return None
    return tuple(round(v) for v in h.getSolution().col_value[: problem.types])


def lp_ceiling(problem: Problem) -> float:
    """The LP relaxation bound on the maximin probability (never above capacity / pool size).

    Any lottery's expected counts lie in the LP relaxation of the cohort polytope, so
    ``max p`` with ``E[x_t] >= p * size_t`` there bounds what any lottery can give everyone.
    """
    hp = _highspy()
    h = new_highs()
    add_cohort_constraints(h, problem, integer=False)
    n = problem.types
    h.addVar(0.0, 1.0)  # column n: p
    for t, size in enumerate(problem.sizes):
        h.addRow(0.0, hp.kHighsInf, 2, [t, n], [1.0, -float(size)])
    h.changeColCost(n, 1.0)
    h.changeObjectiveSense(hp.ObjSense.kMaximize)
    h.run()
    if not is_optimal(h):
        raise RuntimeError(f"HiGHS could not bound the maximin probability: {status_name(h)}")
    return float(h.getSolution().col_value[n])
