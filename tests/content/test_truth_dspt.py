"""The DSPT's ten National Data Guardian standards, their grouping, and the CAF objectives A-E."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

Ref = Callable[[str], dict[str, Any]]


@pytest.fixture
def dspt(reference: Ref) -> dict[str, Any]:
    return reference("dspt-standards")


# The leadership obligations of the NDG review: People 1-3, Process 4-6, Technology 7-10.
EXPECTED_GROUP = dict.fromkeys((1, 2, 3), "People")
EXPECTED_GROUP |= dict.fromkeys((4, 5, 6), "Process")
EXPECTED_GROUP |= dict.fromkeys((7, 8, 9, 10), "Technology")


@pytest.mark.parametrize(("number", "group"), sorted(EXPECTED_GROUP.items()))
def test_standard_group(dspt: dict[str, Any], number: int, group: str) -> None:
    assert dspt["standard_group"](number) == group


def test_group_sizes_are_three_three_and_four(dspt: dict[str, Any]) -> None:
    groups = [dspt["standard_group"](n) for n in range(1, 11)]
    assert groups.count("People") == 3
    assert groups.count("Process") == 3
    assert groups.count("Technology") == 4
    assert tuple(dspt["GROUPS"]) == ("People", "Process", "Technology")


@pytest.mark.parametrize("bad", [0, 11, -1, 3.5, "3"])
def test_numbers_outside_one_to_ten_are_refused(dspt: dict[str, Any], bad: Any) -> None:
    with pytest.raises(ValueError):
        dspt["standard_group"](bad)


@pytest.mark.parametrize(
    ("number", "theme"),
    [
        (1, "personal confidential data"),
        (2, "staff responsibilities"),
        (3, "training"),
        (4, "data access"),
        (5, "process review"),
        (6, "incident"),
        (7, "continuity"),
        (8, "unsupported"),
        (9, "it protection"),
        (10, "supplier"),
    ],
)
def test_standards_are_named_for_their_theme(dspt: dict[str, Any], number: int, theme: str) -> None:
    assert theme in dspt["NDG_STANDARDS"][number].lower()


def test_there_are_exactly_ten_standards(dspt: dict[str, Any]) -> None:
    assert sorted(dspt["NDG_STANDARDS"]) == list(range(1, 11))


@pytest.mark.parametrize(
    ("objective", "theme"),
    [
        ("A", "risk"),
        ("B", "protecting"),
        ("C", "detecting"),
        ("D", "impact"),
        ("E", "sharing information"),
    ],
)
def test_caf_objectives_a_to_e(dspt: dict[str, Any], objective: str, theme: str) -> None:
    assert sorted(dspt["CAF_OBJECTIVES"]) == ["A", "B", "C", "D", "E"]
    assert theme in dspt["CAF_OBJECTIVES"][objective].lower()


def test_score_by_group_by_hand(dspt: dict[str, Any]) -> None:
    ratings = [
        (1, "achieved"),
        (3, "not achieved"),  # People: (1 + 0) / 2 = 0.5
        (4, "partially achieved"),
        (6, "achieved"),
        (5, "achieved"),  # Process: (0.5 + 1 + 1) / 3
        (7, "not achieved"),
        (10, "partially achieved"),  # Technology: (0 + 0.5) / 2 = 0.25
    ]
    scores = dspt["score_by_group"](ratings)
    assert list(scores) == ["People", "Process", "Technology"]
    assert scores["People"] == pytest.approx(0.5)
    assert scores["Process"] == pytest.approx(2.5 / 3)
    assert scores["Technology"] == pytest.approx(0.25)


def test_boundary_standards_score_in_the_right_group(dspt: dict[str, Any]) -> None:
    # 3 and 4, and 6 and 7, sit either side of a group boundary.
    scores = dspt["score_by_group"](
        [(3, "achieved"), (4, "not achieved"), (6, "not achieved"), (7, "achieved")]
    )
    assert scores == {"People": 1.0, "Process": 0.0, "Technology": 1.0}


def test_groups_without_ratings_are_left_out_and_case_is_ignored(dspt: dict[str, Any]) -> None:
    assert dspt["score_by_group"]([(8, "Not Achieved"), (9, " Achieved ")]) == {"Technology": 0.5}


def test_unknown_ratings_and_standards_are_refused(dspt: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        dspt["score_by_group"]([(1, "met")])
    with pytest.raises(ValueError):
        dspt["score_by_group"]([(11, "achieved")])
