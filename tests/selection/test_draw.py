"""The public draw, the reserve list and the fairness arithmetic."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import pytest

from digital_academy.selection.draw import DENOMINATOR, HashStream, distribution, draw, quantise
from digital_academy.selection.fairness import summarise_baseline, wilson
from digital_academy.selection.grouping import merge_types, quota_rows
from digital_academy.selection.maximin import Limits, solve_maximin
from digital_academy.selection.polytope import Problem
from digital_academy.selection.reserves import meets_quotas, replacement
from digital_academy.selection.synthetic import generate_pool, proportional_quotas


def test_hash_stream_is_reproducible_and_roughly_uniform() -> None:
    b = HashStream(7, "pool", "x")
    draws = [b.below(6) for _ in range(6000)]
    again = HashStream(7, "pool", "x")
    assert draws == [again.below(6) for _ in range(6000)]
    counts = Counter(draws)
    assert set(counts) == set(range(6))
    chi2 = sum((c - 1000) ** 2 / 1000 for c in counts.values())
    assert chi2 < 25  # 5 degrees of freedom: p < 0.001 beyond this
    assert HashStream(8, "pool", "x").below(2**40) != HashStream(7, "pool", "x").below(2**40)
    with pytest.raises(ValueError):
        b.below(0)


def test_shuffle_is_a_permutation_that_depends_on_the_seed() -> None:
    items = [f"A{i}" for i in range(50)]
    one = HashStream(1, "c", "s").shuffled(items)
    assert sorted(one) == sorted(items)
    assert one == HashStream(1, "c", "s").shuffled(items)
    assert one != HashStream(2, "c", "s").shuffled(items)


def test_quantised_weights_sum_exactly_and_stay_close() -> None:
    probs = [1 / 3, 1 / 3, 1 / 3 - 1e-13, 1e-13]
    weights = quantise(probs)
    assert sum(weights) == DENOMINATOR
    assert all(
        abs(w / DENOMINATOR - p) <= 1 / DENOMINATOR + 1e-15
        for w, p in zip(weights, probs, strict=True)
    )


def test_drawn_cohort_follows_the_lottery_and_meets_quotas() -> None:
    pool = generate_pool(90, seed=12)
    quotas = proportional_quotas(pool, 9)
    typed = merge_types(pool)
    problem = Problem(typed.sizes, quota_rows(typed, quotas), 9)
    outcome = solve_maximin(problem, Limits(time_budget=None))
    lottery = distribution(outcome.committees, outcome.probabilities)
    seen: Counter[int] = Counter()
    for seed in range(1, 41):
        drawn = draw(typed, lottery, seed, "ctx")
        seen[drawn.committee_index] += 1
        assert len(drawn.selected) == 9
        assert meets_quotas(pool, quotas, set(drawn.selected))
        counts = lottery.committees[drawn.committee_index]
        type_of = typed.type_of()
        assert Counter(type_of[a] for a in drawn.selected) == Counter(
            {t: x for t, x in enumerate(counts) if x}
        )
        assert set(drawn.selected).isdisjoint(drawn.reserves)
        assert len(drawn.reserves) == pool.size - 9
    assert draw(typed, lottery, 3, "ctx") == draw(typed, lottery, 3, "ctx")
    assert draw(typed, lottery, 3, "ctx") != draw(typed, lottery, 3, "other pool")
    assert len(seen) > 1


def test_a_replacement_keeps_every_quota() -> None:
    pool = generate_pool(90, seed=13)
    quotas = proportional_quotas(pool, 9)
    typed = merge_types(pool)
    problem = Problem(typed.sizes, quota_rows(typed, quotas), 9)
    outcome = solve_maximin(problem, Limits(time_budget=None))
    drawn = draw(typed, distribution(outcome.committees, outcome.probabilities), 99, "ctx")
    for leaving in drawn.selected:
        chosen = replacement(pool, quotas, drawn.selected, drawn.reserves, leaving)
        if chosen is None:
            continue
        cohort = (set(drawn.selected) - {leaving}) | {chosen}
        assert meets_quotas(pool, quotas, cohort)
        # No earlier reserve would have kept the quotas.
        earlier = drawn.reserves[: drawn.reserves.index(chosen)]
        assert not any(
            meets_quotas(pool, quotas, (set(drawn.selected) - {leaving}) | {r}) for r in earlier
        )
    with pytest.raises(ValueError):
        replacement(pool, quotas, drawn.selected, drawn.reserves, drawn.reserves[0])


def test_baseline_summary_pools_identical_applicants() -> None:
    sizes = (1, 4, 5)
    # 100 runs; type 0 picked 2 times, type 1 picked 40 times (of 400 chances), type 2 picked 100.
    summary = summarise_baseline(sizes, [2, 40, 100], runs=100, failures=0, maximin_min=0.05)
    assert summary.min_probability == pytest.approx(0.02)
    assert summary.applicants_below == 1
    assert summary.applicants_below_half == 1
    # Greedy's true minimum is at most the lowest upper limit: here type 0's (2 of 100).
    assert summary.min_upper_95 == pytest.approx(wilson(2, 100)[1])
    assert 0.02 < summary.min_upper_95 < wilson(40, 400)[1]
    assert summary.mean_probability == pytest.approx(142 / 1000)
    low, high = wilson(0, 50)
    assert low == 0.0 and 0.05 < high < 0.1
    failed = summarise_baseline(sizes, [0, 0, 0], runs=5, failures=5, maximin_min=0.05)
    assert failed.min_probability == 0.0


def test_type_probabilities_are_exact_fractions() -> None:
    lottery = distribution([(1, 0, 2), (0, 1, 2)], [0.25, 0.75])
    probs = lottery.type_probabilities((1, 1, 4))
    assert probs == (Fraction(1, 4), Fraction(3, 4), Fraction(1, 2))
