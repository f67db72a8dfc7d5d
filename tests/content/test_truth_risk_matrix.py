"""The DCB0129/DCB0160 clinical risk matrix and acceptability bands, cell by cell."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from itertools import product
from typing import Any

import pytest

Ref = Callable[[str], dict[str, Any]]

# Typed independently from the table in the standards (as given in the project's domain
# facts), in its published layout: one row per likelihood, columns Minor .. Catastrophic.
PUBLISHED_TABLE = """
| Likelihood \\ Consequence | Minor | Significant | Considerable | Major | Catastrophic |
|---|---|---|---|---|---|
| Very high | 3 | 4 | 4 | 5 | 5 |
| High | 2 | 3 | 3 | 4 | 5 |
| Medium | 2 | 2 | 3 | 3 | 4 |
| Low | 1 | 2 | 2 | 3 | 4 |
| Very low | 1 | 1 | 2 | 2 | 3 |
"""


def parse_table(text: str) -> dict[tuple[str, str], int]:
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in text.strip().splitlines()
    ]
    header, body = rows[0], rows[2:]
    consequences = header[1:]
    return {
        (row[0], consequence): int(value)
        for row in body
        for consequence, value in zip(consequences, row[1:], strict=True)
    }


EXPECTED = parse_table(PUBLISHED_TABLE)
LIKELIHOOD_ORDER = ["Very high", "High", "Medium", "Low", "Very low"]
CONSEQUENCE_ORDER = ["Minor", "Significant", "Considerable", "Major", "Catastrophic"]


@pytest.fixture
def matrix(reference: Ref) -> dict[str, Any]:
    return reference("clinical-risk-matrix")


def test_expected_table_has_25_cells() -> None:
    assert len(EXPECTED) == 25
    assert {lik for lik, _ in EXPECTED} == set(LIKELIHOOD_ORDER)
    assert {con for _, con in EXPECTED} == set(CONSEQUENCE_ORDER)


def test_category_labels_and_order(matrix: dict[str, Any]) -> None:
    assert list(matrix["LIKELIHOODS"]) == LIKELIHOOD_ORDER
    assert list(matrix["CONSEQUENCES"]) == CONSEQUENCE_ORDER


@pytest.mark.parametrize(("likelihood", "consequence"), sorted(EXPECTED))
def test_every_cell_of_the_matrix(
    matrix: dict[str, Any], likelihood: str, consequence: str
) -> None:
    expected = EXPECTED[likelihood, consequence]
    assert matrix["risk_rating"](likelihood, consequence) == expected
    assert matrix["RISK_MATRIX"][likelihood][consequence] == expected


def test_matrix_data_has_no_extra_cells(matrix: dict[str, Any]) -> None:
    cells = {
        (lik, con): rating
        for lik, row in matrix["RISK_MATRIX"].items()
        for con, rating in row.items()
    }
    assert cells == EXPECTED


def test_hand_counted_band_sizes(matrix: dict[str, Any]) -> None:
    # Counted by hand from the published table: 3 ones, 7 twos, 7 threes, 5 fours, 3 fives.
    counted = Counter(
        matrix["risk_rating"](lik, con) for lik, con in product(LIKELIHOOD_ORDER, CONSEQUENCE_ORDER)
    )
    assert counted == {1: 3, 2: 7, 3: 7, 4: 5, 5: 3}


def test_symmetric_and_monotone(matrix: dict[str, Any]) -> None:
    """Properties of the published table: equal weight to both axes, never decreasing."""
    rate = matrix["risk_rating"]
    likelihood_up = LIKELIHOOD_ORDER[::-1]  # Very low .. Very high
    for i, j in product(range(5), repeat=2):
        assert rate(likelihood_up[i], CONSEQUENCE_ORDER[j]) == rate(
            likelihood_up[j], CONSEQUENCE_ORDER[i]
        )
        if i < 4:
            assert rate(likelihood_up[i], CONSEQUENCE_ORDER[j]) <= rate(
                likelihood_up[i + 1], CONSEQUENCE_ORDER[j]
            )
        if j < 4:
            assert rate(likelihood_up[i], CONSEQUENCE_ORDER[j]) <= rate(
                likelihood_up[i], CONSEQUENCE_ORDER[j + 1]
            )


def test_corners_and_worked_example(matrix: dict[str, Any]) -> None:
    rate = matrix["risk_rating"]
    assert rate("Very low", "Minor") == 1
    assert rate("Very high", "Catastrophic") == 5
    assert rate("Very high", "Minor") == 3
    assert rate("Very low", "Catastrophic") == 3
    assert rate("Low", "Major") == 3
    assert rate("High", "Major") == 4


def test_labels_are_matched_ignoring_case_and_spacing(matrix: dict[str, Any]) -> None:
    rate = matrix["risk_rating"]
    assert rate("very HIGH", "catastrophic") == 5
    assert rate("  Very   low ", " Minor") == 1


@pytest.mark.parametrize(
    ("likelihood", "consequence"),
    [
        ("Major", "High"),  # the wrong way round
        ("Hgih", "Major"),
        ("High", "Severe"),
        ("", "Minor"),
        ("High", ""),
        ("Verylow", "Minor"),
        (None, "Minor"),
        ("High", 3),
        (3, 3),
    ],
)
def test_invalid_labels_are_rejected(
    matrix: dict[str, Any], likelihood: Any, consequence: Any
) -> None:
    with pytest.raises(ValueError, match="unknown"):
        matrix["risk_rating"](likelihood, consequence)


@pytest.mark.parametrize(
    ("rating", "must_contain", "must_not_contain"),
    [
        (1, ["acceptable"], ["unacceptable", "disproportionate", "undesirable"]),
        (2, ["acceptable", "disproportionate"], ["unacceptable"]),
        (3, ["undesirable"], ["acceptable"]),
        (4, ["mandatory", "elimination", "control"], ["acceptable"]),
        (5, ["unacceptable"], ["disproportionate", "mandatory"]),
    ],
)
def test_every_acceptability_band(
    matrix: dict[str, Any], rating: int, must_contain: list[str], must_not_contain: list[str]
) -> None:
    meaning = matrix["acceptability"](rating).lower()
    for word in must_contain:
        assert word in meaning
    for word in must_not_contain:
        assert word not in meaning


def test_acceptability_bands_are_distinct_and_complete(matrix: dict[str, Any]) -> None:
    assert set(matrix["ACCEPTABILITY"]) == {1, 2, 3, 4, 5}
    assert len({matrix["acceptability"](r) for r in range(1, 6)}) == 5
    assert matrix["acceptability"](1) == "Acceptable"
    assert matrix["acceptability"](5) == "Unacceptable"


@pytest.mark.parametrize("rating", [0, 6, -1, 10, 3.0, "3", None, True, False])
def test_invalid_ratings_are_rejected(matrix: dict[str, Any], rating: Any) -> None:
    with pytest.raises(ValueError, match="1 to 5"):
        matrix["acceptability"](rating)
