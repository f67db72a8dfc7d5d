"""Adoption metrics: active-user rate, the logistic curve, its fit and lagging wards."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

Ref = Callable[[str], dict[str, Any]]


@pytest.fixture
def ad(reference: Ref) -> dict[str, Any]:
    return reference("digital-adoption-metrics")


def test_week_number_counts_from_go_live(ad: dict[str, Any]) -> None:
    go_live = pd.Timestamp("2026-03-02")
    week = ad["week_number"]
    assert week(go_live, go_live) == 1
    assert week(pd.Timestamp("2026-03-08 23:59"), go_live) == 1  # day 6
    assert week(pd.Timestamp("2026-03-09 00:00"), go_live) == 2  # day 7
    assert week(pd.Timestamp("2026-03-30 12:00"), go_live) == 5  # day 28
    assert week(pd.Timestamp("2026-03-01 23:00"), go_live) == 0  # before go-live


def test_active_user_rate_counts_distinct_rostered_staff(ad: dict[str, Any]) -> None:
    roster = pd.DataFrame(
        {"ward": ["A"] * 4 + ["B"] * 2, "staff_id": ["a1", "a2", "a3", "a4", "b1", "b2"]}
    )
    logs = pd.DataFrame(
        {
            "ward": ["A", "A", "A", "A", "A", "B", "B"],
            # a1 three times in week 1 is one user; x9 is not on ward A's roster;
            # b1 appears in ward A's log but is rostered to B, so it does not count for A.
            "staff_id": ["a1", "a1", "a1", "x9", "b1", "b1", "b2"],
            "week": [1, 1, 1, 1, 1, 3, 3],
        }
    )
    rates = ad["active_user_rate"](logs, roster, [1, 2, 3])
    assert list(rates.index) == ["A", "B"]
    assert list(rates.columns) == [1, 2, 3]
    # Hand counts: A week 1 = 1 of 4; A weeks 2-3 and B weeks 1-2 have no activity -> 0;
    # B week 3 = 2 of 2.
    assert rates.loc["A"].tolist() == pytest.approx([0.25, 0.0, 0.0])
    assert rates.loc["B"].tolist() == pytest.approx([0.0, 0.0, 1.0])
    assert not rates.isna().any().any()


def test_logistic_shape(ad: dict[str, Any]) -> None:
    logistic = ad["logistic"]
    assert logistic(6.0, 0.8, 0.9, 6.0) == pytest.approx(0.4)  # half the ceiling at t0
    # One unit of r*(t - t0) above the midpoint: K * e / (1 + e).
    assert logistic(7.0, 1.0, 1.0, 6.0) == pytest.approx(math.e / (1 + math.e))
    # Symmetry: y(t0 + d) + y(t0 - d) = K.
    assert logistic(9.0, 0.9, 0.5, 6.0) + logistic(3.0, 0.9, 0.5, 6.0) == pytest.approx(0.9)


def _curve(t: np.ndarray, k: float, r: float, t0: float) -> np.ndarray:
    """An independent statement of the logistic curve, K / (1 + exp(-r (t - t0)))."""
    return k / (1 + np.exp(-r * (t - t0)))


def test_fit_recovers_parameters_with_known_ceiling(ad: dict[str, Any]) -> None:
    weeks = np.arange(1, 13, dtype=float)
    rates = _curve(weeks, 0.85, 0.9, 6.0)
    k, r, t0 = ad["fit_logistic"](weeks, rates, ceilings=[0.85])
    assert (k, r, t0) == pytest.approx((0.85, 0.9, 6.0), abs=1e-9)


def test_fit_recovers_parameters_searching_the_ceiling(ad: dict[str, Any]) -> None:
    weeks = np.arange(1, 13, dtype=float)
    rates = _curve(weeks, 0.7, 0.6, 5.0)
    k, r, t0 = ad["fit_logistic"](weeks, rates)
    assert k == pytest.approx(0.7, abs=0.01)
    assert r == pytest.approx(0.6, rel=0.05)
    assert t0 == pytest.approx(5.0, abs=0.1)


def test_fit_ignores_zero_weeks_and_tolerates_noise(ad: dict[str, Any]) -> None:
    weeks = np.arange(1, 17, dtype=float)
    rates = _curve(weeks, 0.9, 0.8, 8.0)
    rates[:2] = 0.0  # nobody in weeks 1-2
    rates = rates + np.random.default_rng(1).normal(0, 0.01, weeks.size) * (rates > 0)
    k, r, t0 = ad["fit_logistic"](weeks, rates)
    assert k == pytest.approx(0.9, abs=0.03)
    assert r == pytest.approx(0.8, rel=0.15)
    assert t0 == pytest.approx(8.0, abs=0.3)


def test_fit_needs_two_active_weeks(ad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        ad["fit_logistic"]([1, 2, 3], [0.0, 0.0, 0.4])


def test_week_reaching_inverts_the_curve(ad: dict[str, Any]) -> None:
    reach = ad["week_reaching"]
    # Half the ceiling is reached at the midpoint.
    assert reach(0.45, 0.9, 0.7, 10.0) == pytest.approx(10.0)
    # K=1, r=1, t0=0: y = 0.8 when e^t = 4, so t = ln 4.
    assert reach(0.8, 1.0, 1.0, 0.0) == pytest.approx(math.log(4))
    # A target at or above the ceiling is never reached.
    assert reach(0.8, 0.62, 0.56, 4.6) is None
    assert reach(0.8, 0.8, 0.56, 4.6) is None


def test_spread_weeks_is_the_10_to_90_percent_time(ad: dict[str, Any]) -> None:
    r = 0.7

    # Independently: y/K = 0.1 at t0 - ln 9 / r and 0.9 at t0 + ln 9 / r; check by bisection.
    def solve(fraction: float) -> float:
        lo, hi = -100.0, 100.0
        for _ in range(200):
            mid = (lo + hi) / 2
            if 1 / (1 + math.exp(-r * mid)) < fraction:
                lo = mid
            else:
                hi = mid
        return lo

    assert ad["spread_weeks"](r) == pytest.approx(solve(0.9) - solve(0.1), abs=1e-9)
    assert ad["spread_weeks"](1.0) == pytest.approx(4.394449, abs=1e-6)


def test_lagging_wards(ad: dict[str, Any]) -> None:
    rates = pd.DataFrame(
        {1: [0.1, 0.2, 0.0], 2: [0.9, 0.5, 0.2], 3: [0.8, 0.7, 0.6]},
        index=["A", "B", "C"],
    )
    # Last two weeks: A 0.85, B 0.60, C 0.40.
    lagging = ad["lagging_wards"](rates, 0.8)
    assert list(lagging.index) == ["C", "B"]
    assert lagging.tolist() == pytest.approx([0.4, 0.6])
    # Last week only: A 0.8 is not below 0.8.
    assert list(ad["lagging_wards"](rates, 0.8, window=1).index) == ["C", "B"]
    assert list(ad["lagging_wards"](rates, 0.81, window=1).index) == ["C", "B", "A"]
