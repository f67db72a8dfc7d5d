"""SPC the NHS 'Making Data Count' way: XmR limits, the four special-cause rules, assurance."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

Ref = Callable[[str], dict[str, Any]]


@pytest.fixture
def spc(reference: Ref) -> dict[str, Any]:
    return reference("spc-making-data-count")


def make_limits(spc: dict[str, Any], mean: float = 0.0, width: float = 3.0) -> Any:
    """Limits built by hand: process limits at mean +/- width, near-limits two thirds out."""
    near = width * 2 / 3
    return spc["Limits"](
        mean=mean,
        mean_moving_range=width / 2.66,
        lower=mean - width,
        upper=mean + width,
        lower_near=mean - near,
        upper_near=mean + near,
    )


# --- limits -------------------------------------------------------------------------------


def test_limits_from_a_hand_computed_series(spc: dict[str, Any]) -> None:
    # 10, 12, 11, 14, 13: mean 60/5 = 12; moving ranges 2, 1, 3, 1 -> mean 7/4 = 1.75;
    # 2.66 * 1.75 = 4.655; two thirds of that = 3.10333...
    lim = spc["xmr_limits"]([10, 12, 11, 14, 13])
    assert spc["moving_ranges"]([10, 12, 11, 14, 13]) == [2, 1, 3, 1]
    assert lim.mean == pytest.approx(12.0)
    assert lim.mean_moving_range == pytest.approx(1.75)
    assert lim.lower == pytest.approx(7.345)
    assert lim.upper == pytest.approx(16.655)
    assert lim.lower_near == pytest.approx(12 - 3.103333333)
    assert lim.upper_near == pytest.approx(12 + 3.103333333)


def test_limits_of_an_alternating_series(spc: dict[str, Any]) -> None:
    # 10, 12, 10, 12, ...: mean 11, every moving range 2 -> limits 11 +/- 5.32.
    lim = spc["xmr_limits"]([10, 12] * 10)
    assert (lim.mean, lim.mean_moving_range) == pytest.approx((11.0, 2.0))
    assert (lim.lower, lim.upper) == pytest.approx((5.68, 16.32))
    assert (lim.lower_near, lim.upper_near) == pytest.approx((11 - 3.54666667, 11 + 3.54666667))


def test_limits_use_the_moving_range_not_the_standard_deviation(spc: dict[str, Any]) -> None:
    # A step from 0 to 10 has a huge standard deviation but only one large moving range:
    # mean 5, moving ranges nine 0s and one 10 over 19 ranges -> mean 10/19.
    lim = spc["xmr_limits"]([0.0] * 10 + [10.0] * 10)
    assert lim.mean_moving_range == pytest.approx(10 / 19)
    assert lim.upper == pytest.approx(5 + 2.66 * 10 / 19)


def test_a_single_point_has_no_limits(spc: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        spc["xmr_limits"]([5.0])


# --- rule 1: beyond a limit ------------------------------------------------------------------


def test_only_points_strictly_beyond_a_limit_are_flagged(spc: dict[str, Any]) -> None:
    lim = make_limits(spc)  # limits -3 and 3
    assert spc["beyond_limits"]([0.0, 3.0, 3.01, -3.0, -3.01, 2.5], lim) == [
        None,
        None,
        "high",
        None,
        "low",
        None,
    ]


# --- rule 2: trend ---------------------------------------------------------------------------


def test_seven_rising_points_are_a_trend(spc: dict[str, Any]) -> None:
    lim = make_limits(spc, width=100.0)  # wide limits: only the trend rule can fire
    series = [1.0, 2, 3, 4, 5, 6, 7]
    assert spc["trend"](series) == ["high"] * 7
    assert [s.rule for s in spc["special_cause"](series, lim)] == ["trend"] * 7


def test_six_rising_points_do_not_trigger(spc: dict[str, Any]) -> None:
    lim = make_limits(spc, width=100.0)
    series = [1.0, 2, 3, 4, 5, 6]
    assert spc["trend"](series) == [None] * 6
    assert spc["special_cause"](series, lim) == [None] * 6


def test_seven_falling_points_are_a_downward_trend(spc: dict[str, Any]) -> None:
    assert spc["trend"]([7.0, 6, 5, 4, 3, 2, 1]) == ["low"] * 7


def test_an_equal_neighbour_breaks_a_trend(spc: dict[str, Any]) -> None:
    assert spc["trend"]([1.0, 2, 3, 3, 4, 5, 6, 7]) == [None] * 8


def test_a_trend_inside_a_longer_series_flags_only_its_points(spc: dict[str, Any]) -> None:
    series = [5.0, 1, 2, 3, 4, 5, 6, 7, 3]
    assert spc["trend"](series) == [None] + ["high"] * 7 + [None]


# --- rule 3: two of three beyond a near-limit ----------------------------------------------


def test_two_of_three_beyond_the_upper_near_limit(spc: dict[str, Any]) -> None:
    lim = make_limits(spc)  # near-limits -2 and 2
    assert spc["two_of_three"]([0.0, 2.5, 1.0, 2.5, 0.0], lim) == [
        None,
        "high",
        None,
        "high",
        None,
    ]


def test_two_of_three_beyond_the_lower_near_limit(spc: dict[str, Any]) -> None:
    lim = make_limits(spc)
    assert spc["two_of_three"]([0.0, -2.5, -2.1, 0.0], lim) == [None, "low", "low", None]


def test_two_of_three_needs_the_same_side(spc: dict[str, Any]) -> None:
    lim = make_limits(spc)
    # One point beyond each near-limit inside a window of three is not a signal.
    assert spc["two_of_three"]([0.0, 2.5, -2.5, 0.0, 0.0], lim) == [None] * 5


def test_two_beyond_but_not_within_three_points_do_not_trigger(spc: dict[str, Any]) -> None:
    lim = make_limits(spc)
    assert spc["two_of_three"]([2.5, 0.0, 0.0, 2.5], lim) == [None] * 4


def test_a_point_on_the_near_limit_is_not_beyond_it(spc: dict[str, Any]) -> None:
    lim = make_limits(spc)
    assert spc["two_of_three"]([2.0, 2.0, 2.0], lim) == [None] * 3


def test_a_point_beyond_the_process_limit_counts_towards_two_of_three(
    spc: dict[str, Any],
) -> None:
    lim = make_limits(spc)
    assert spc["two_of_three"]([2.5, 0.0, 3.5], lim) == ["high", None, "high"]
    # ... but the whole pattern reports the beyond-limit point under rule 1.
    rules = [s.rule if s else None for s in spc["special_cause"]([2.5, 0.0, 3.5], lim)]
    assert rules == ["two of three", None, "beyond limit"]


# --- rule 4: shift (7 points on one side of the mean) ----------------------------------------


def test_seven_points_below_the_mean_are_a_shift(spc: dict[str, Any]) -> None:
    lim = make_limits(spc)
    series = [-1.0, -0.5, -1.5, -0.2, -1.0, -0.8, -0.1]
    assert spc["shift"](series, lim) == ["low"] * 7
    assert [s.rule for s in spc["special_cause"](series, lim)] == ["shift"] * 7


def test_six_points_on_one_side_are_not_a_shift(spc: dict[str, Any]) -> None:
    lim = make_limits(spc)
    assert spc["shift"]([1.0, 0.5, 1.5, 0.2, 1.0, 0.8, -0.1], lim) == [None] * 7


def test_a_point_on_the_mean_breaks_a_seven_point_run(spc: dict[str, Any]) -> None:
    lim = make_limits(spc)
    # Eight points, all above the mean except the fourth, which is exactly on it: runs of 3 and 4.
    series = [1.0, 0.5, 1.5, 0.0, 1.0, 0.8, 0.1, 0.4]
    assert spc["shift"](series, lim) == [None] * 8
    assert spc["special_cause"](series, lim) == [None] * 8
    # The same eight points with the fourth just above the mean form a shift.
    series[3] = 0.01
    assert spc["shift"](series, lim) == ["high"] * 8


def test_a_shift_keeps_counting_past_seven(spc: dict[str, Any]) -> None:
    lim = make_limits(spc)
    series = [0.5] + [-0.5] * 9 + [0.5]
    assert spc["shift"](series, lim) == [None] + ["low"] * 9 + [None]


# --- priority, direction and a second formulation ------------------------------------------


def test_each_point_reports_its_highest_priority_rule(spc: dict[str, Any]) -> None:
    lim = make_limits(spc)
    # A shift below the mean containing one point beyond the lower limit.
    series = [-1.0, -1.0, -1.0, -4.0, -1.0, -1.0, -1.0]
    signals = spc["special_cause"](series, lim)
    assert [s.rule for s in signals] == ["shift"] * 3 + ["beyond limit"] + ["shift"] * 3
    assert {s.side for s in signals} == {"low"}
    assert spc["RULES"] == ("beyond limit", "trend", "two of three", "shift")


def test_a_trend_outranks_two_of_three_and_shift(spc: dict[str, Any]) -> None:
    lim = make_limits(spc)
    # Rising inside the upper near-limit band and above the mean: trend beats the others.
    series = [0.1, 0.2, 0.3, 0.4, 2.1, 2.2, 2.3]
    assert [s.rule for s in spc["special_cause"](series, lim)] == ["trend"] * 7


def test_direction_depends_on_polarity(spc: dict[str, Any]) -> None:
    signal = spc["Signal"](rule="beyond limit", side="high")
    assert spc["variation"](signal, True) == "special cause improvement"
    assert spc["variation"](signal, False) == "special cause concern"
    assert spc["variation"](None, True) == "common cause"


def independent_flags(values: list[float], lim: Any) -> list[set[str]]:
    """A second statement of the rules: for each point, which rules include it."""
    n = len(values)
    found: list[set[str]] = [set() for _ in range(n)]
    for i, v in enumerate(values):
        if v > lim.upper or v < lim.lower:
            found[i].add("beyond limit")
        # trend: some window of 7 consecutive points containing i is strictly monotonic
        for s in range(max(0, i - 6), min(i, n - 7) + 1):
            w = values[s : s + 7]
            if w == sorted(set(w)) or w == sorted(set(w), reverse=True):
                found[i].add("trend")
        # two of three: i is beyond a near-limit and some 3-window holding i has another
        for s in range(max(0, i - 2), min(i, n - 3) + 1):
            w = values[s : s + 3]
            if v > lim.upper_near and sum(x > lim.upper_near for x in w) >= 2:
                found[i].add("two of three")
            if v < lim.lower_near and sum(x < lim.lower_near for x in w) >= 2:
                found[i].add("two of three")
        # shift: some window of 7 containing i lies strictly on one side of the mean
        for s in range(max(0, i - 6), min(i, n - 7) + 1):
            w = values[s : s + 7]
            if all(x > lim.mean for x in w) or all(x < lim.mean for x in w):
                found[i].add("shift")
    return found


def test_rules_agree_with_an_independent_formulation(spc: dict[str, Any]) -> None:
    lim = make_limits(spc)
    rng = random.Random(20261101)
    priority = ["beyond limit", "trend", "two of three", "shift"]
    for _ in range(400):
        # Integers in -4..4 (so ties and points on the mean happen) with occasional drifts.
        drift = rng.choice([-1, 0, 0, 1])
        values = [
            float(rng.randint(-4, 4) if drift == 0 else drift * rng.randint(0, 3))
            for _ in range(30)
        ]
        if rng.random() < 0.3:
            start = rng.randrange(0, 20)
            values[start : start + 8] = [float(x) * 0.5 for x in range(-4, 4)]
        expected = independent_flags(values, lim)
        got = spc["special_cause"](values, lim)
        for i in range(len(values)):
            want = next((rule for rule in priority if rule in expected[i]), None)
            assert (got[i].rule if got[i] else None) == want, (values, i)


# --- assurance ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "higher_is_better", "expected"),
    [
        (60.0, True, "consistently pass"),  # below the lower limit, higher is better
        (95.0, True, "consistently fail"),  # above the upper limit, higher is better
        (95.0, False, "consistently pass"),  # above the upper limit, lower is better
        (60.0, False, "consistently fail"),  # below the lower limit, lower is better
        (75.0, True, "inconsistent"),
        (75.0, False, "inconsistent"),
        (70.0, True, "inconsistent"),  # exactly on a limit is not outside it
        (80.0, False, "inconsistent"),
    ],
)
def test_assurance(
    spc: dict[str, Any], target: float, higher_is_better: bool, expected: str
) -> None:
    lim = make_limits(spc, mean=75.0, width=5.0)  # process limits 70 and 80
    assert spc["assurance"](target, lim, higher_is_better) == expected
