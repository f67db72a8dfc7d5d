"""Referral to treatment: waits from referral to census, the 92% within 18 weeks standard, tails."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

Ref = Callable[[str], dict[str, Any]]
CENSUS = date(2026, 3, 31)


@pytest.fixture
def rtt(reference: Ref) -> dict[str, Any]:
    return reference("rtt-waiting-lists")


@pytest.mark.parametrize(
    ("referral", "days"),
    [
        (date(2026, 3, 31), 0),
        (date(2026, 3, 1), 30),
        (date(2025, 11, 25), 126),  # 5 + 31 + 31 + 28 + 31
        (date(2025, 11, 24), 127),
        (date(2025, 3, 31), 365),
        (date(2024, 3, 31), 730),  # two years, neither containing a 29 February
    ],
)
def test_wait_in_days_from_referral_to_census(
    rtt: dict[str, Any], referral: date, days: int
) -> None:
    assert rtt["wait_days"](referral, CENSUS) == days


def test_a_leap_day_counts(rtt: dict[str, Any]) -> None:
    # 28 Feb 2024 -> 1 Mar 2024 passes 29 Feb: 2 days.
    assert rtt["wait_days"](date(2024, 2, 28), date(2024, 3, 1)) == 2


def test_referral_after_census_is_an_error(rtt: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        rtt["wait_days"](date(2026, 4, 1), CENSUS)


def test_weeks_are_days_over_seven(rtt: dict[str, Any]) -> None:
    assert rtt["wait_weeks"](126) == pytest.approx(18.0)
    assert rtt["wait_weeks"](130) == pytest.approx(18.5714, abs=1e-4)


@pytest.mark.parametrize(
    ("days", "band"), [(0, 0), (1, 1), (7, 1), (8, 2), (126, 18), (127, 19), (364, 52), (365, 53)]
)
def test_weekly_bands_run_from_more_than_k_minus_1_to_k_weeks(
    rtt: dict[str, Any], days: int, band: int
) -> None:
    assert rtt["week_band"](days) == band


def test_eighteen_week_boundary(rtt: dict[str, Any]) -> None:
    # "No more than 18 weeks": 126 days is exactly 18 weeks and is within; 127 is not.
    assert rtt["within_weeks"](126, 18)
    assert not rtt["within_weeks"](127, 18)


@pytest.mark.parametrize(("weeks", "last_day_not_over"), [(52, 364), (65, 455), (78, 546)])
def test_tail_boundaries(rtt: dict[str, Any], weeks: int, last_day_not_over: int) -> None:
    assert not rtt["over_weeks"](last_day_not_over, weeks)
    assert rtt["over_weeks"](last_day_not_over + 1, weeks)


def test_constants_state_the_standard(rtt: dict[str, Any]) -> None:
    assert rtt["STANDARD_WEEKS"] == 18
    assert rtt["STANDARD_PERCENT"] == 92
    assert tuple(rtt["TAIL_WEEKS"]) == (52, 65, 78)


def test_summary_of_a_hand_built_list(rtt: dict[str, Any]) -> None:
    # 10 pathways: 7 within 18 weeks (<= 126 days), 3 beyond; 2 over 52, 1 over 65, 1 over 78.
    days = [0, 10, 30, 60, 90, 120, 126, 127, 400, 600]
    s = rtt["rtt_summary"](days)
    assert s["list_size"] == 10
    assert s["within_18_weeks"] == 7
    assert s["percent_within_18_weeks"] == pytest.approx(70.0)
    assert s["meets_standard"] is False
    # Median of ten: mean of the 5th and 6th waits (90 and 120 days) = 105 days = 15 weeks.
    assert s["median_weeks"] == pytest.approx(15.0)
    assert (s["over_52_weeks"], s["over_65_weeks"], s["over_78_weeks"]) == (2, 1, 1)


def test_odd_list_median(rtt: dict[str, Any]) -> None:
    assert rtt["rtt_summary"]([7, 700, 14])["median_weeks"] == pytest.approx(2.0)


def test_tails_are_nested(rtt: dict[str, Any]) -> None:
    days = [365, 456, 547, 548, 1000]  # just over 52, 65, 78 weeks, then two far beyond
    s = rtt["rtt_summary"](days)
    assert (s["over_52_weeks"], s["over_65_weeks"], s["over_78_weeks"]) == (5, 4, 3)


def test_exactly_92_percent_meets_the_standard(rtt: dict[str, Any]) -> None:
    # 23 of 25 = 92% exactly; 22 of 25 = 88%; 91 of 99 = 91.9%.
    assert rtt["rtt_summary"]([50] * 23 + [200] * 2)["meets_standard"] is True
    assert rtt["rtt_summary"]([50] * 22 + [200] * 3)["meets_standard"] is False
    assert rtt["rtt_summary"]([50] * 91 + [200] * 8)["meets_standard"] is False
    assert rtt["rtt_summary"]([126] * 92 + [127] * 8)["meets_standard"] is True


def test_empty_list_is_an_error(rtt: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        rtt["rtt_summary"]([])


def test_pathways_to_clear(rtt: dict[str, Any]) -> None:
    # 25 pathways, 20 within 18 weeks: removing x long waiters needs 20 / (25 - x) >= 0.92,
    # so 25 - x <= 21.74 -> x = 4 (20/21 = 95.2%); x = 3 gives 20/22 = 90.9%.
    assert rtt["pathways_to_clear"]([50] * 20 + [200] * 5) == 4
    assert rtt["pathways_to_clear"]([50] * 23 + [200] * 2) == 0
    assert rtt["pathways_to_clear"]([50] * 92 + [200] * 8) == 0
    assert rtt["pathways_to_clear"]([50] * 91 + [200] * 9) == 2  # 91/99 = 91.9%, 91/98 = 92.9%


def test_summary_agrees_with_an_independent_calculation_on_dates(rtt: dict[str, Any]) -> None:
    referrals = [CENSUS - timedelta(days=d) for d in range(0, 800, 3)]
    weeks = [(CENSUS - r).days / 7 for r in referrals]
    s = rtt["rtt_summary"]([rtt["wait_days"](r, CENSUS) for r in referrals])
    assert s["list_size"] == len(referrals)
    assert s["within_18_weeks"] == sum(w <= 18 for w in weeks)
    assert s["over_52_weeks"] == sum(w > 52 for w in weeks)
    assert s["over_65_weeks"] == sum(w > 65 for w in weeks)
    assert s["over_78_weeks"] == sum(w > 78 for w in weeks)
    assert s["median_weeks"] == pytest.approx(statistics.median(weeks))
