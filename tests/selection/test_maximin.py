"""The maximin lottery: every cohort meets every quota, the bounds are proven, and it matches the
Sortition Foundation library (the reference) on small generated pools."""

from __future__ import annotations

from collections import Counter

import pytest

from digital_academy.selection.backends import SolveInput, load
from digital_academy.selection.draw import distribution
from digital_academy.selection.grouping import merge_types, quota_rows
from digital_academy.selection.maximin import Limits, solve_maximin
from digital_academy.selection.model import Quota, QuotaSet
from digital_academy.selection.polytope import Problem, feasible, lp_ceiling
from digital_academy.selection.synthetic import (
    PREFER_NOT,
    generate_pool,
    proportional_quotas,
    tight_quotas,
)


def _problem(size: int, capacity: int, seed: int, kind: str) -> tuple[SolveInput, Problem]:
    pool = generate_pool(size, seed)
    quotas = (tight_quotas if kind == "tight" else proportional_quotas)(pool, capacity)
    job = SolveInput(merge_types(pool), quotas, capacity, seed=11)
    return job, job.problem()


def _assert_valid_lottery(
    problem: Problem, committees: list[tuple[int, ...]], probs: list[float]
) -> None:
    assert committees
    assert abs(sum(probs) - 1.0) < 1e-9
    assert all(p > 0 for p in probs)
    for cohort in committees:
        assert sum(cohort) == problem.capacity
        assert all(0 <= x <= n for x, n in zip(cohort, problem.sizes, strict=True))
        for members, low, high in zip(
            problem.rows.members, problem.rows.lower, problem.rows.upper, strict=True
        ):
            assert low <= sum(cohort[t] for t in members) <= high


def test_synthetic_pools_have_a_realistic_shape() -> None:
    pool = generate_pool(1727, seed=2021)
    assert pool.size == 1727
    assert len({a.id for a in pool.applicants}) == 1727
    counts = {f: Counter(pool.value_of(a, f) for a in pool.applicants) for f in pool.features}
    assert counts["profession"].most_common(1)[0][0] == "Nursing and midwifery"
    for feature in ("gender", "ethnicity", "disability", "age_band"):
        assert counts[feature][PREFER_NOT] > 0, feature
    nurses = [
        a for a in pool.applicants if pool.value_of(a, "profession") == "Nursing and midwifery"
    ]
    women = sum(pool.value_of(a, "gender") == "Woman" for a in nurses) / len(nurses)
    assert 0.8 < women < 0.95
    assert generate_pool(50, seed=1) == generate_pool(50, seed=1) != generate_pool(50, seed=2)
    # Many applicants share a type, which is what makes the type encoding pay.
    assert len(merge_types(pool).keys) < 0.7 * pool.size


@pytest.mark.parametrize(
    ("size", "capacity", "seed", "kind"),
    [(80, 8, 1, "proportional"), (80, 8, 2, "tight"), (150, 15, 3, "tight")],
)
def test_every_cohort_meets_every_quota_and_bounds_hold(
    size: int, capacity: int, seed: int, kind: str
) -> None:
    _, problem = _problem(size, capacity, seed, kind)
    assert feasible(problem)
    outcome = solve_maximin(problem, Limits(time_budget=None))
    _assert_valid_lottery(problem, outcome.committees, outcome.probabilities)
    assert outcome.stopped_by == "converged"
    ceiling = lp_ceiling(problem)
    assert outcome.achieved <= outcome.bound + 1e-9
    assert outcome.bound <= ceiling + 1e-9
    assert ceiling <= capacity / size + 1e-9
    assert outcome.achieved >= outcome.bound * (1 - Limits().gap) - 1e-9
    # Quantised for the draw, the lottery keeps its minimum (to 1e-9) and its quotas.
    lottery = distribution(outcome.committees, outcome.probabilities)
    assert sum(lottery.weights) == lottery.denominator
    assert abs(float(min(lottery.type_probabilities(problem.sizes))) - outcome.achieved) < 1e-9


@pytest.mark.parametrize(
    ("size", "capacity", "seed", "kind"), [(80, 8, 1, "proportional"), (80, 8, 2, "tight")]
)
def test_matches_the_library_maximin_within_one_percent(
    size: int, capacity: int, seed: int, kind: str
) -> None:
    job, problem = _problem(size, capacity, seed, kind)
    ours = load("maximin").lottery(job, Limits(time_budget=None), lambda _e: None)
    reference = load("sortition-maximin").lottery(job, Limits(), lambda _e: None)
    _assert_valid_lottery(problem, reference.committees, reference.probabilities)
    assert abs(ours.achieved - reference.achieved) <= 0.01 * reference.achieved
    # Our upper bound is proven: the library's lottery cannot beat it.
    assert reference.achieved <= ours.bound + 1e-9


def test_stopped_early_it_keeps_the_best_lottery_so_far_and_replays_exactly() -> None:
    _, problem = _problem(150, 15, 4, "tight")
    early = solve_maximin(problem, Limits(time_budget=None, max_steps=35, warmup_rounds=10))
    later = solve_maximin(problem, Limits(time_budget=None, max_steps=60, warmup_rounds=10))
    assert early.stopped_by == "step limit"
    assert early.history  # it got as far as column generation
    _assert_valid_lottery(problem, early.committees, early.probabilities)
    # The later run extends the same deterministic search, so it can only do better, and the
    # early run's proven bound holds for the later lottery too.
    assert early.achieved <= later.achieved + 1e-12
    assert early.bound >= later.achieved - 1e-9
    again = solve_maximin(problem, Limits(time_budget=None, max_steps=35, warmup_rounds=10))
    assert (again.committees, again.probabilities, again.bound) == (
        early.committees,
        early.probabilities,
        early.bound,
    )


def test_a_tiny_time_budget_still_returns_a_valid_lottery() -> None:
    _, problem = _problem(300, 30, 5, "tight")
    outcome = solve_maximin(problem, Limits(time_budget=0.01))
    assert outcome.stopped_by == "time budget"
    _assert_valid_lottery(problem, outcome.committees, outcome.probabilities)


def test_applicants_no_cohort_can_include_are_excluded_not_a_zero_minimum() -> None:
    pool = generate_pool(80, seed=6)
    base = proportional_quotas(pool, 8)
    # No disabled applicant may be selected: they are excluded; the minimum is over everyone else.
    quotas = QuotaSet(
        tuple(
            Quota(q.feature, q.value, 0, 0) if (q.feature, q.value) == ("disability", "Yes") else q
            for q in base.quotas
        )
    )
    typed = merge_types(pool)
    problem = Problem(typed.sizes, quota_rows(typed, quotas), 8)
    outcome = solve_maximin(problem, Limits(time_budget=None))
    column = pool.features.index("disability")
    assert {typed.keys[t][column] for t in outcome.excluded_types} == {"Yes"}
    assert outcome.achieved > 0
