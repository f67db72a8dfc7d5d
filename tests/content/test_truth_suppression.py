"""Small-number suppression (HES/ECDS style) and k-anonymity, against the rule as stated.

Below national level: 0 stays 0, 1-7 becomes "*", 8 or more is rounded to the nearest 5.
The course rounds exact halves (12.5, 17.5, ...) up.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import pytest

Ref = Callable[[str], dict[str, Any]]


@pytest.fixture
def sup(reference: Ref) -> dict[str, Any]:
    return reference("small-number-suppression")


def _publish(n: int) -> int | str:
    """A second statement of the rule, in integer arithmetic: half-up is floor((2n + 5) / 10)."""
    if n == 0:
        return 0
    if n < 8:
        return "*"
    return 5 * ((2 * n + 5) // 10)


@pytest.mark.parametrize(
    ("count", "published"),
    [
        (0, 0),
        (1, "*"),
        (2, "*"),
        (6, "*"),
        (7, "*"),
        (8, 10),
        (9, 10),
        (10, 10),
        (11, 10),
        (12, 10),
        (13, 15),
        (14, 15),
        (15, 15),
        (17, 15),
        (18, 20),
        (22, 20),
        (23, 25),
        (100, 100),
        (102, 100),
        (103, 105),
        (1_000_002, 1_000_000),
        (1_000_003, 1_000_005),
    ],
)
def test_rule_boundaries(sup: dict[str, Any], count: int, published: int | str) -> None:
    result = sup["suppress_count"](count)
    assert result == published
    assert type(result) is type(published)


def test_rounding_is_to_the_nearest_multiple_of_five(sup: dict[str, Any]) -> None:
    for n in range(8, 2000):
        nearest = min(range(0, n + 10, 5), key=lambda m: abs(n - m))
        assert sup["suppress_count"](n) == nearest


def test_second_formulation_agrees(sup: dict[str, Any]) -> None:
    for n in range(0, 2000):
        assert sup["suppress_count"](n) == _publish(n)


def test_five_is_never_published_and_the_smallest_rounded_value_is_ten(
    sup: dict[str, Any],
) -> None:
    published = {sup["suppress_count"](n) for n in range(0, 500)}
    assert 5 not in published
    assert min(v for v in published if isinstance(v, int) and v > 0) == 10


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        (2.5, 5),
        (7.5, 10),
        (12.5, 15),
        (17.5, 20),
        (22.5, 25),
        (102.5, 105),
        (Fraction(25, 2), 15),
        (Decimal("17.5"), 20),
        (12.49, 10),
        (12.51, 15),
        (12, 10),
        (13, 15),
        (0, 0),
    ],
)
def test_exact_halves_round_up(sup: dict[str, Any], value: Any, rounded: int) -> None:
    assert sup["round_to_nearest_5"](value) == rounded


def test_halves_round_up_consistently_unlike_builtin_round(sup: dict[str, Any]) -> None:
    for k in range(0, 400):
        assert sup["round_to_nearest_5"](5 * k + 2.5) == 5 * (k + 1)
    # Python's round() sends halves to even: it would give 10 for 12.5 but 20 for 17.5.
    assert 5 * round(12.5 / 5) == 10
    assert sup["round_to_nearest_5"](12.5) == 15


@pytest.mark.parametrize("bad", [-1, -8])
def test_negative_counts_are_refused(sup: dict[str, Any], bad: int) -> None:
    with pytest.raises(ValueError):
        sup["suppress_count"](bad)
    with pytest.raises(ValueError):
        sup["round_to_nearest_5"](bad)


@pytest.mark.parametrize("bad", [12.5, 3.0, True, "12"])
def test_only_whole_number_counts_are_suppressed(sup: dict[str, Any], bad: Any) -> None:
    with pytest.raises(TypeError):
        sup["suppress_count"](bad)


def test_numpy_integers_from_a_dataframe_are_accepted(sup: dict[str, Any]) -> None:
    assert sup["suppress_count"](np.int64(13)) == 15
    assert sup["suppress_count"](np.int64(4)) == "*"


def test_suppress_counts_applies_the_rule_to_each_cell(sup: dict[str, Any]) -> None:
    assert sup["suppress_counts"]({"a": 0, "b": 5, "c": 8, "d": 12, "e": 13}) == {
        "a": 0,
        "b": "*",
        "c": 10,
        "d": 10,
        "e": 15,
    }


def test_a_single_hidden_cell_is_recovered_from_an_exact_total(sup: dict[str, Any]) -> None:
    published = {"A": 12, "B": 9, "C": "*", "D": 17}
    assert sup["recover_by_differencing"](41, published) == 3
    with pytest.raises(ValueError):
        sup["recover_by_differencing"](41, {"A": 12, "B": "*", "C": "*", "D": 17})


def test_secondary_suppression_hides_the_next_smallest_cell(sup: dict[str, Any]) -> None:
    counts = {"A": 12, "B": 9, "C": 3, "D": 17, "E": 0}
    assert sup["with_secondary_suppression"](counts) == {
        "A": 12,
        "B": "*",
        "C": "*",
        "D": 17,
        "E": 0,
    }
    # Two primary cells already: nothing more to hide. No small cell: nothing hidden.
    assert sup["with_secondary_suppression"]({"A": 2, "B": 5, "C": 20}) == {
        "A": "*",
        "B": "*",
        "C": 20,
    }
    assert sup["with_secondary_suppression"]({"A": 8, "B": 20}) == {"A": 8, "B": 20}


@pytest.mark.parametrize(
    ("value", "expected"),
    [("*", range(1, 8)), (0, range(0, 1)), (10, range(8, 13)), (15, range(13, 18))],
)
def test_published_range(sup: dict[str, Any], value: int | str, expected: range) -> None:
    assert list(sup["published_range"](value)) == list(expected)
    assert all(_publish(n) == value for n in expected)


@pytest.mark.parametrize("value", [5, 12, 3, -10])
def test_values_the_rule_never_publishes_are_refused(sup: dict[str, Any], value: int) -> None:
    with pytest.raises(ValueError):
        sup["published_range"](value)


def _brute_force_feasible(published: list[int | str], total: int | str) -> list[list[int]]:
    """For each cell, its values in every true table (cells 0..30) publishing these figures."""
    found: list[set[int]] = [set() for _ in published]
    for values in itertools.product(range(31), repeat=len(published)):
        if [_publish(v) for v in values] == published and _publish(sum(values)) == total:
            for cell, value in enumerate(values):
                found[cell].add(value)
    return [sorted(cell) for cell in found]


def test_rounding_can_still_leak_a_hidden_cell(sup: dict[str, Any]) -> None:
    # True 8, 8, 1 (total 17) publishes 10, 10, *, total 15: the hidden cell must be 1.
    published = {"W1": 10, "W2": 10, "W3": "*"}
    assert sup["feasible_values"](15, published, "W3") == [1]
    assert _brute_force_feasible([10, 10, "*"], 15)[2] == [1]


def test_feasible_values_agree_with_brute_force(sup: dict[str, Any]) -> None:
    rng = random.Random(4231)
    for _ in range(12):
        true = [rng.choice([0, 1, 3, 6, 7, 8, 9, 12, 13, 17, 22]) for _ in range(3)]
        published = [_publish(v) for v in true]
        total = _publish(sum(true))
        named = dict(zip(["x", "y", "z"], published, strict=True))
        expected = _brute_force_feasible(published, total)
        for i, name in enumerate(named):
            assert true[i] in expected[i]
            assert sup["feasible_values"](total, named, name) == expected[i]


def _extract() -> pd.DataFrame:
    rows = [
        ("r1", "40-49", "F", "LS6"),
        ("r2", "40-49", "F", "LS6"),
        ("r3", "40-49", "F", "LS6"),
        ("r4", "40-49", "M", "LS6"),
        ("r5", "40-49", "M", "LS6"),
        ("r6", "90+", "M", "WF2"),
        ("r7", "40-49", "F", "LS7"),
        ("r8", "40-49", "F", "LS6"),
    ]
    return pd.DataFrame(rows, columns=["record", "age_band", "sex", "district"])


QI = ["age_band", "sex", "district"]


def test_equivalence_class_sizes_by_hand(sup: dict[str, Any]) -> None:
    sizes = sup["equivalence_class_sizes"](_extract(), QI)
    assert list(sizes) == [4, 4, 4, 2, 2, 1, 1, 4]


def test_k_is_the_smallest_class(sup: dict[str, Any]) -> None:
    df = _extract()
    assert sup["k_anonymity"](df, QI) == 1
    assert sup["k_anonymity"](df, ["age_band", "sex"]) == 1  # the 90+ male is still alone
    assert sup["k_anonymity"](df, ["sex"]) == 3
    assert sup["k_anonymity"](df[df["record"].isin(["r1", "r2", "r3", "r8"])], QI) == 4
    with pytest.raises(ValueError):
        sup["k_anonymity"](df.iloc[0:0], QI)


@pytest.mark.parametrize(
    ("k", "breaking"),
    [
        (1, []),
        (2, ["r6", "r7"]),
        (3, ["r4", "r5", "r6", "r7"]),
        (5, ["r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8"]),
    ],
)
def test_records_breaking_k(sup: dict[str, Any], k: int, breaking: list[str]) -> None:
    assert list(sup["records_breaking_k"](_extract(), QI, k)["record"]) == breaking


@pytest.mark.parametrize(
    ("age", "width", "top", "band"),
    [
        (0, 10, 90, "0-9"),
        (9, 10, 90, "0-9"),
        (10, 10, 90, "10-19"),
        (89, 10, 90, "80-89"),
        (90, 10, 90, "90+"),
        (104, 10, 90, "90+"),
        (39, 20, 80, "20-39"),
        (40, 20, 80, "40-59"),
        (79, 20, 80, "60-79"),
        (80, 20, 80, "80+"),
    ],
)
def test_age_band(sup: dict[str, Any], age: int, width: int, top: int, band: str) -> None:
    assert sup["age_band"](age, width=width, top=top) == band


@pytest.mark.parametrize(
    ("district", "area"), [("LS17", "LS"), ("LS6", "LS"), ("B1", "B"), ("wf2", "WF"), ("M60", "M")]
)
def test_postcode_area(sup: dict[str, Any], district: str, area: str) -> None:
    assert sup["postcode_area"](district) == area


def test_postcode_area_refuses_non_districts(sup: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        sup["postcode_area"]("17LS")
