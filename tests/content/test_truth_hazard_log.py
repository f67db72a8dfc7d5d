"""Hazard log entries and rules, and the hazard-logs module's copy of the risk matrix."""

from __future__ import annotations

from collections.abc import Callable
from itertools import product
from typing import Any

import pytest

Ref = Callable[[str], dict[str, Any]]

# Typed again, column by column this time (consequence -> ratings from Very high down to
# Very low), so these tests do not lean on the other truth test's table.
BY_CONSEQUENCE: dict[str, list[int]] = {
    "Minor": [3, 2, 2, 1, 1],
    "Significant": [4, 3, 2, 2, 1],
    "Considerable": [4, 3, 3, 2, 2],
    "Major": [5, 4, 3, 3, 2],
    "Catastrophic": [5, 5, 4, 4, 3],
}
LIKELIHOODS = ["Very high", "High", "Medium", "Low", "Very low"]
EXPECTED = {
    (lik, con): ratings[i]
    for con, ratings in BY_CONSEQUENCE.items()
    for i, lik in enumerate(LIKELIHOODS)
}


@pytest.fixture
def hazards(reference: Ref) -> dict[str, Any]:
    return reference("hazard-logs")


@pytest.fixture
def module_one(reference: Ref) -> dict[str, Any]:
    return reference("clinical-risk-matrix")


def make(ns: dict[str, Any], **changes: Any) -> Any:
    fields: dict[str, Any] = {
        "hazard_id": "T-01",
        "hazard": "Test hazard",
        "cause": "Test cause",
        "effect": "Test effect",
        "existing_controls": ("Existing control",),
        "initial_likelihood": "High",
        "initial_consequence": "Major",
        "additional_controls": ("Additional control",),
        "residual_likelihood": "Low",
        "residual_consequence": "Major",
        "status": "open",
    }
    fields.update(changes)
    return ns["HazardEntry"](**fields)


# --- the matrix must not drift between the two notebooks ---------------------------------


def test_matrix_identical_to_module_one(
    hazards: dict[str, Any], module_one: dict[str, Any]
) -> None:
    assert hazards["RISK_MATRIX"] == module_one["RISK_MATRIX"]
    assert hazards["LIKELIHOODS"] == module_one["LIKELIHOODS"]
    assert hazards["CONSEQUENCES"] == module_one["CONSEQUENCES"]
    assert hazards["ACCEPTABILITY"] == module_one["ACCEPTABILITY"]


@pytest.mark.parametrize(("likelihood", "consequence"), sorted(EXPECTED))
def test_matrix_matches_the_standard_in_both_notebooks(
    hazards: dict[str, Any], module_one: dict[str, Any], likelihood: str, consequence: str
) -> None:
    expected = EXPECTED[likelihood, consequence]
    assert hazards["risk_rating"](likelihood, consequence) == expected
    assert module_one["risk_rating"](likelihood, consequence) == expected


def test_acceptability_agrees_with_module_one(
    hazards: dict[str, Any], module_one: dict[str, Any]
) -> None:
    for rating in range(1, 6):
        assert hazards["acceptability"](rating) == module_one["acceptability"](rating)
    with pytest.raises(ValueError):
        hazards["acceptability"](0)


# --- entries -----------------------------------------------------------------------------


def test_entry_scores_initial_and_residual_risk(hazards: dict[str, Any]) -> None:
    entry = make(hazards)  # High x Major, then Low x Major
    assert entry.initial_risk == 4
    assert entry.residual_risk == 3
    entry = make(
        hazards,
        initial_likelihood="Medium",
        initial_consequence="Catastrophic",
        residual_likelihood="Very low",
        residual_consequence="Considerable",
    )
    assert (entry.initial_risk, entry.residual_risk) == (4, 2)


@pytest.mark.parametrize(
    "changes",
    [
        {"initial_likelihood": "Hgih"},
        {"initial_consequence": "Severe"},
        {"residual_likelihood": "Major"},
        {"residual_consequence": ""},
    ],
)
def test_unknown_labels_are_refused_when_scored(
    hazards: dict[str, Any], changes: dict[str, Any]
) -> None:
    entry = make(hazards, **changes)
    with pytest.raises(ValueError, match="unknown"):
        hazards["entry_problems"](entry)
    with pytest.raises(ValueError, match="unknown"):
        hazards["summarise"]([entry])


@pytest.mark.parametrize("status", ["Closed-ish", "resolved", "", "OPEN"])
def test_invalid_status_is_a_problem(hazards: dict[str, Any], status: str) -> None:
    assert hazards["entry_problems"](make(hazards, status=status)) == [hazards["INVALID_STATUS"]]


def test_entries_cannot_be_changed_in_place(hazards: dict[str, Any]) -> None:
    entry = make(hazards)
    with pytest.raises(AttributeError):
        entry.status = "closed"


# --- rules -------------------------------------------------------------------------------


def test_residual_above_initial_is_flagged(hazards: dict[str, Any]) -> None:
    # Low x Minor = 1 initially; Very high x Minor = 3 afterwards.
    entry = make(
        hazards,
        initial_likelihood="Low",
        initial_consequence="Minor",
        residual_likelihood="Very high",
        residual_consequence="Minor",
    )
    assert hazards["RESIDUAL_ABOVE_INITIAL"] in hazards["entry_problems"](entry)


def test_equal_risk_is_not_flagged(hazards: dict[str, Any]) -> None:
    # Different categories, same rating: Medium x Considerable = 3 = Low x Major.
    entry = make(
        hazards,
        initial_likelihood="Medium",
        initial_consequence="Considerable",
        additional_controls=(),
        residual_likelihood="Low",
        residual_consequence="Major",
    )
    assert hazards["entry_problems"](entry) == []


def test_reduction_needs_additional_controls(hazards: dict[str, Any]) -> None:
    without = make(hazards, additional_controls=())
    assert hazards["entry_problems"](without) == [hazards["REDUCED_WITHOUT_CONTROLS"]]
    assert hazards["entry_problems"](make(hazards)) == []


@pytest.mark.parametrize(
    ("likelihood", "consequence", "rating"),
    [("High", "Major", 4), ("Low", "Catastrophic", 4), ("High", "Catastrophic", 5)],
)
def test_closed_at_4_or_5_is_flagged(
    hazards: dict[str, Any], likelihood: str, consequence: str, rating: int
) -> None:
    entry = make(
        hazards,
        initial_likelihood="Very high",
        initial_consequence="Catastrophic",
        residual_likelihood=likelihood,
        residual_consequence=consequence,
        status="closed",
    )
    assert entry.residual_risk == rating
    assert hazards["entry_problems"](entry) == [hazards["CLOSED_AT_HIGH_RISK"]]
    still_open = make(
        hazards,
        initial_likelihood="Very high",
        initial_consequence="Catastrophic",
        residual_likelihood=likelihood,
        residual_consequence=consequence,
        status="open",
    )
    assert hazards["entry_problems"](still_open) == []


def test_high_initial_risk_without_controls_cannot_be_closed(hazards: dict[str, Any]) -> None:
    entry = make(
        hazards,
        additional_controls=(),
        residual_likelihood="High",
        residual_consequence="Major",
        status="closed",
    )
    assert hazards["entry_problems"](entry) == [hazards["CLOSED_AT_HIGH_RISK"]]


def test_closed_at_3_or_below_is_allowed_by_the_rules(hazards: dict[str, Any]) -> None:
    for likelihood, consequence in [("Low", "Major"), ("Very low", "Major"), ("Very low", "Minor")]:
        entry = make(
            hazards,
            residual_likelihood=likelihood,
            residual_consequence=consequence,
            status="closed",
        )
        assert hazards["entry_problems"](entry) == []


def test_rules_against_an_independent_statement(hazards: dict[str, Any]) -> None:
    """Every pair of scores, with and without controls, open and closed."""
    cells = sorted(EXPECTED)
    for (il, ic), (rl, rc), controls, status in product(
        cells[::2], cells, [(), ("a control",)], ["open", "closed"]
    ):
        initial, residual = EXPECTED[il, ic], EXPECTED[rl, rc]
        expected = set()
        if residual > initial:
            expected.add("above")
        if residual < initial and not controls:
            expected.add("unsupported")
        if status == "closed" and residual in (4, 5):
            expected.add("closed")
        entry = make(
            hazards,
            initial_likelihood=il,
            initial_consequence=ic,
            additional_controls=controls,
            residual_likelihood=rl,
            residual_consequence=rc,
            status=status,
        )
        names = {
            hazards["RESIDUAL_ABOVE_INITIAL"]: "above",
            hazards["REDUCED_WITHOUT_CONTROLS"]: "unsupported",
            hazards["CLOSED_AT_HIGH_RISK"]: "closed",
        }
        found = {names[p] for p in hazards["entry_problems"](entry)}
        assert found == expected, (il, ic, rl, rc, controls, status)


# --- summary table -----------------------------------------------------------------------


def test_summary_table(hazards: dict[str, Any]) -> None:
    log = [
        make(hazards, hazard_id="A"),  # 4 -> 3, fine
        make(
            hazards,
            hazard_id="B",
            additional_controls=(),
            residual_likelihood="High",
            status="closed",
        ),  # 4 -> 4 closed
        make(hazards, hazard_id="A", residual_likelihood="Very low"),  # duplicate ID, 4 -> 2
    ]
    table = hazards["summarise"](log)
    assert list(table.columns) == [
        "ID",
        "Hazard",
        "Initial risk",
        "Residual risk",
        "Residual risk means",
        "Status",
        "Problems",
    ]
    assert list(table["ID"]) == ["A", "B", "A"]
    assert list(table["Initial risk"]) == [4, 4, 4]
    assert list(table["Residual risk"]) == [3, 4, 2]
    assert list(table["Residual risk means"]) == [
        "Undesirable",
        "Mandatory elimination or control",
        "Acceptable if further risk reduction is disproportionate",
    ]
    assert list(table["Status"]) == ["open", "closed", "open"]
    assert table["Problems"][0] == hazards["DUPLICATE_ID"]
    assert table["Problems"][1] == hazards["CLOSED_AT_HIGH_RISK"]
    assert table["Problems"][2] == hazards["DUPLICATE_ID"]


def test_summary_of_a_clean_log_reports_no_problems(hazards: dict[str, Any]) -> None:
    log = [make(hazards, hazard_id=f"H-{i}") for i in range(3)]
    assert set(hazards["summarise"](log)["Problems"]) == {"none"}
