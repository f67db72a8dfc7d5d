"""Maximin lotteries by column generation over types, on HiGHS (our own implementation).

Written from the published method (Flanigan, Gölz, Gupta, Hennig & Procaccia, Nature 596, 2021):
a restricted master LP picks probabilities for the cohorts found so far to maximise the lowest
selection probability; its dual weights price a new cohort (an integer program over the quota
polytope). Working over types instead of applicants keeps both problems small.

It is an anytime method. Every master solve gives a lottery (``achieved``); the LP relaxation of
the quotas and every pricing solve prove upper bounds on what any lottery can give (``bound``). It
stops when the two meet, when the time budget runs out, or after a fixed number of steps (one step
= one pricing solve). The step count is recorded: replaying with that count and no clock gives
the same lottery bit for bit, because nothing else depends on time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .polytope import (
    Problem,
    _highspy,
    add_cohort_constraints,
    is_optimal,
    lp_ceiling,
    new_highs,
    status_name,
)

Progress = Callable[[dict[str, Any]], None]
PROBABILITY_FLOOR = 1e-12
PRICING_GAP = 0.05  # a cohort within 5% of the best is good enough to add as a column
EXACT_GAP = 1e-6
Cohort = tuple[int, ...]


@dataclass(frozen=True)
class Limits:
    """When to stop: a wall-clock budget (anytime) and/or a step cap (deterministic replay)."""

    time_budget: float | None = 300.0
    max_steps: int | None = None
    gap: float = 2e-3  # stop when achieved >= bound * (1 - gap)
    warmup_rounds: int | None = None  # default: min(types, 60)
    smoothing: float = 0.8  # Wentges dual smoothing; 0 turns it off


@dataclass
class Outcome:
    committees: list[Cohort]
    probabilities: list[float]
    achieved: float
    bound: float
    steps: int
    stopped_by: str
    excluded_types: tuple[int, ...]
    seconds: float
    history: list[tuple[int, float, float, float]] = field(default_factory=list)


class _Pricer:
    """The cohort integer program, re-solved for each new weight vector."""

    def __init__(self, problem: Problem) -> None:
        hp = _highspy()
        self.problem = problem
        self.h = new_highs()
        self.h.setOptionValue("presolve", "off")  # a small model, re-solved many times
        add_cohort_constraints(self.h, problem, integer=True)
        self.h.changeObjectiveSense(hp.ObjSense.kMaximize)
        self.cols = list(range(problem.types))

    def best(self, weights: list[float], exact: bool = False) -> tuple[Cohort, float]:
        """A cohort (near-)maximising ``sum weights[t] * x[t]``, and a proven bound on that."""
        scale = max(weights) or 1.0
        self.h.changeColsCost(len(self.cols), self.cols, [w / scale for w in weights])
        self.h.setOptionValue("mip_rel_gap", EXACT_GAP if exact else PRICING_GAP)
        self.h.run()
        if not is_optimal(self.h):
            raise RuntimeError(f"HiGHS failed on a pricing problem: {status_name(self.h)}")
        values = self.h.getSolution().col_value
        cohort = tuple(round(v) for v in values[: self.problem.types])
        value = sum(w * x for w, x in zip(weights, cohort, strict=True))
        return cohort, max(self.h.getInfo().mip_dual_bound * scale, value)


class _Master:
    """The restricted maximin LP, solved in its dual form (one row per cohort found so far).

    min z  s.t.  sum_t y_t * x_ct / n_t <= z  for each cohort c,  sum_t y_t = 1,  y >= 0.
    Its optimum is the best lottery's minimum probability over the cohorts found; the row duals
    are that lottery and ``y`` weights the next pricing. A new cohort is a new row: the old basis
    stays dual feasible, so dual simplex restarts from it.
    """

    def __init__(self, problem: Problem, covered: list[int]) -> None:
        hp = _highspy()
        self.inf = hp.kHighsInf
        self.problem = problem
        self.covered = covered
        self.h = new_highs()
        self.h.changeObjectiveSense(hp.ObjSense.kMinimize)
        m = len(covered)
        self.h.addVars(m, [0.0] * m, [1.0] * m)
        # z is free, so its reduced cost 1 - sum(lambda) is zero: the row duals form a lottery
        # even when z = 0 (few cohorts found yet).
        self.h.addVar(-hp.kHighsInf, hp.kHighsInf)
        self.z = m
        self.h.changeColCost(m, 1.0)
        self.h.addRow(1.0, 1.0, m, list(range(m)), [1.0] * m)
        self.rows = 0

    def add(self, cohort: Cohort) -> None:
        index, value = [self.z], [-1.0]
        for col, t in enumerate(self.covered):
            if cohort[t]:
                index.append(col)
                value.append(cohort[t] / self.problem.sizes[t])
        self.h.addRow(-self.inf, 0.0, len(index), index, value)
        self.rows += 1

    def solve(self) -> tuple[float, list[float], list[float]]:
        """(min probability, cohort probabilities, per-applicant pricing weight of every type)."""
        self.h.run()
        if not is_optimal(self.h):
            raise RuntimeError(f"HiGHS failed on the maximin master problem: {status_name(self.h)}")
        solution = self.h.getSolution()
        lam = [abs(v) for v in solution.row_dual[1 : 1 + self.rows]]
        total = sum(lam) or 1.0
        y = [max(0.0, v) for v in solution.col_value[: self.z]]
        y_total = sum(y) or 1.0
        weights = [0.0] * self.problem.types
        for v, t in zip(y, self.covered, strict=True):
            weights[t] = v / y_total / self.problem.sizes[t]
        return float(solution.col_value[self.z]), [v / total for v in lam], weights


class _Search:
    """One column-generation run: counts steps, watches the clock, remembers cohorts."""

    def __init__(self, problem: Problem, limits: Limits, progress: Progress | None) -> None:
        self.problem = problem
        self.limits = limits
        self.notify: Progress = progress or (lambda _event: None)
        self.start = time.monotonic()
        self.pricer = _Pricer(problem)
        self.steps = 0
        self.columns: list[Cohort] = []
        self.seen: set[Cohort] = set()
        self.history: list[tuple[int, float, float, float]] = []

    def add(self, cohort: Cohort) -> bool:
        if cohort in self.seen:
            return False
        self.seen.add(cohort)
        self.columns.append(cohort)
        return True

    def price(self, weights: list[float], exact: bool = False) -> tuple[Cohort, float]:
        self.steps += 1
        return self.pricer.best(weights, exact)

    def out_of_budget(self) -> bool:
        limits = self.limits
        if limits.max_steps is not None and self.steps >= limits.max_steps:
            return True
        elapsed = time.monotonic() - self.start
        return limits.time_budget is not None and elapsed >= limits.time_budget

    def warm_up(self) -> bool:
        """Multiplicative weights: a diverse first set of cohorts. False if out of budget."""
        n = self.problem.types
        sizes = self.problem.sizes
        self.add(self.pricer.best([1.0] * n)[0])
        # Distinct, deterministic starting weights break ties between equal types.
        weights = [1.0 + ((t * 0.6180339887) % 1.0) * 1e-3 for t in range(n)]
        rounds = self.limits.warmup_rounds
        rounds = min(n, 60) if rounds is None else rounds
        for r in range(rounds):
            if self.out_of_budget():
                return False
            cohort, _ = self.price(weights)
            if self.add(cohort):
                weights = [
                    w * (1.0 - 0.2 * x / s) for w, x, s in zip(weights, cohort, sizes, strict=True)
                ]
            else:
                weights = [0.9 * w + 0.1 for w in weights]
            total = sum(weights)
            weights = [w * n / total for w in weights]
            self.notify({"phase": "warm-up", "step": r + 1, "total": rounds})
        return True

    def cover(self) -> tuple[list[int], bool]:
        """Find a cohort for every type some cohort can include; the rest are excluded."""
        n = self.problem.types
        uncovered = set(range(n)) - {t for c in self.columns for t, x in enumerate(c) if x}
        # First many at once: weight only the uncovered types.
        while uncovered:
            if self.out_of_budget():
                return [], False
            cohort, _ = self.price([1.0 if t in uncovered else 0.0 for t in range(n)])
            newly = {t for t in uncovered if cohort[t]}
            if not newly:
                break
            self.add(cohort)
            uncovered -= newly
        # Then one by one, exactly: a type no cohort includes is excluded.
        excluded: list[int] = []
        for t in sorted(uncovered):
            if t not in uncovered:
                continue  # an earlier cohort of this loop included it
            if self.out_of_budget():
                return excluded, False
            only = [0.0] * n
            only[t] = 1.0
            cohort, _ = self.price(only, exact=True)
            if cohort[t]:
                self.add(cohort)
                uncovered -= {s for s, x in enumerate(cohort) if x}
            else:
                excluded.append(t)
        return excluded, True

    def optimise(self, master: _Master, bound: float) -> tuple[float, list[float], float, str]:
        """Column generation with Wentges dual smoothing, until converged or out of budget."""
        center: list[float] | None = None
        center_bound = float("inf")
        mispriced = 0
        while True:
            achieved, probs, current = master.solve()
            if self.out_of_budget():
                return achieved, probs, bound, "budget"
            alpha = self.limits.smoothing if center is not None and not mispriced else 0.0
            sep = current
            if center is not None and alpha:
                sep = [alpha * c + (1.0 - alpha) * w for c, w in zip(center, current, strict=True)]
            cohort, price_bound = self.price(sep, exact=mispriced > 0)
            if price_bound < center_bound:
                center, center_bound = sep, price_bound
            bound = min(bound, price_bound)
            self.history.append((self.steps, time.monotonic() - self.start, achieved, bound))
            self.notify(
                {"phase": "maximin", "step": self.steps, "achieved": achieved, "bound": bound}
            )
            if achieved >= bound * (1.0 - self.limits.gap):
                return achieved, probs, bound, "converged"
            value = sum(w * x for w, x in zip(current, cohort, strict=True))
            if value > achieved * (1.0 + 1e-9) and self.add(cohort):
                master.add(cohort)
                mispriced = 0
            elif mispriced >= 2:  # exact pricing at the master's own weights found nothing better
                return achieved, probs, bound, "converged"
            else:
                mispriced += 1


def _min_probability(
    problem: Problem, committees: list[Cohort], probs: list[float], covered: list[int]
) -> float:
    if not covered:
        return 0.0
    marg = [0.0] * problem.types
    for cohort, p in zip(committees, probs, strict=True):
        for t, x in enumerate(cohort):
            marg[t] += p * x
    return min(marg[t] / problem.sizes[t] for t in covered)


def solve_maximin(problem: Problem, limits: Limits, progress: Progress | None = None) -> Outcome:
    """The anytime maximin lottery over cohorts of types. Deterministic for a given step count.

    The quotas must be feasible (``feasibility.diagnose`` says why not).
    """
    search = _Search(problem, limits, progress)
    in_budget = search.warm_up()
    excluded: list[int] = []
    if in_budget:
        excluded, in_budget = search.cover()
    covered = [t for t in range(problem.types) if t not in excluded]
    master = _Master(problem, covered)
    for cohort in search.columns:
        master.add(cohort)
    # The LP relaxation bound often meets the lottery long before pricing bounds do.
    bound = lp_ceiling(problem) if not excluded else 1.0
    if in_budget:
        _, probs, bound, stopped_by = search.optimise(master, bound)
    else:
        _, probs, _ = master.solve()
        stopped_by = "budget"
    if stopped_by == "budget":
        capped = limits.max_steps is not None and search.steps >= limits.max_steps
        stopped_by = "step limit" if capped else "time budget"
    keep = [i for i, p in enumerate(probs) if p > PROBABILITY_FLOOR]
    committees = [search.columns[i] for i in keep]
    total = sum(probs[i] for i in keep)
    kept = [probs[i] / total for i in keep]
    return Outcome(
        committees=committees,
        probabilities=kept,
        achieved=_min_probability(problem, committees, kept, covered),
        bound=min(bound, 1.0),
        steps=search.steps,
        stopped_by=stopped_by,
        excluded_types=tuple(excluded),
        seconds=time.monotonic() - search.start,
        history=search.history,
    )
