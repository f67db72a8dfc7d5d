"""The Digital Technology Assessment Criteria: four pass/fail areas and one rated area."""

from __future__ import annotations

from collections.abc import Callable
from itertools import product
from typing import Any

import pytest

Ref = Callable[[str], dict[str, Any]]

PASS_FAIL = ["Clinical safety", "Data protection", "Technical security", "Interoperability"]


@pytest.fixture
def dtac(reference: Ref) -> dict[str, Any]:
    return reference("dtac-assessment")


def all_met(dtac: dict[str, Any]) -> dict[str, dict[str, bool]]:
    return {area: dict.fromkeys(dtac["CRITERIA"][area], True) for area in PASS_FAIL}


def test_the_four_pass_fail_areas_and_the_rated_area(dtac: dict[str, Any]) -> None:
    assert list(dtac["PASS_FAIL_AREAS"]) == PASS_FAIL
    assert set(dtac["CRITERIA"]) == set(PASS_FAIL)
    assert dtac["RATED_AREA"] == "Usability and accessibility"
    assert dtac["RATED_AREA"] not in dtac["PASS_FAIL_AREAS"]
    for area in PASS_FAIL:
        assert dtac["CRITERIA"][area], f"{area} has no criteria"


def test_clinical_safety_asks_for_the_dcb0129_evidence(dtac: dict[str, Any]) -> None:
    text = " ".join(dtac["CRITERIA"]["Clinical safety"].values())
    for phrase in ["Clinical Safety Officer", "DCB0129", "Safety Case Report", "Hazard Log"]:
        assert phrase in text


@pytest.mark.parametrize("results", list(product([True, False], repeat=4)))
def test_overall_fails_if_any_pass_fail_area_fails(
    dtac: dict[str, Any], results: tuple[bool, ...]
) -> None:
    outcome = dtac["overall_outcome"](dict(zip(PASS_FAIL, results, strict=True)))
    # Written as a count, not with all(): only the 1 combination of 16 with no failure passes.
    assert outcome == ("Pass" if results.count(False) == 0 else "Fail")


@pytest.mark.parametrize(
    "results",
    [
        {},
        {"Clinical safety": True, "Data protection": True, "Technical security": True},
        {**dict.fromkeys(PASS_FAIL, True), "Usability and accessibility": True},
        {**dict.fromkeys(PASS_FAIL[:3], True), "Interop": True},
    ],
)
def test_overall_needs_exactly_the_four_areas(
    dtac: dict[str, Any], results: dict[str, bool]
) -> None:
    with pytest.raises(ValueError):
        dtac["overall_outcome"](results)


def test_truthy_non_boolean_results_do_not_pass(dtac: dict[str, Any]) -> None:
    results: dict[str, Any] = {**dict.fromkeys(PASS_FAIL, True), "Interoperability": "yes"}
    assert dtac["overall_outcome"](results) == "Fail"


def test_area_passes_only_when_every_criterion_is_met(dtac: dict[str, Any]) -> None:
    for area in PASS_FAIL:
        keys = list(dtac["CRITERIA"][area])
        assert dtac["area_passes"](area, dict.fromkeys(keys, True))
        for missing in keys:
            answers = {k: k != missing for k in keys}
            assert not dtac["area_passes"](area, answers)
            assert dtac["unmet_criteria"](area, answers) == [missing]
            unanswered = {k: True for k in keys if k != missing}
            assert dtac["unmet_criteria"](area, unanswered) == [missing]
        assert dtac["unmet_criteria"](area, {}) == keys


@pytest.mark.parametrize("bad", ["yes", 1, 0, None, "True"])
def test_answers_must_be_true_or_false(dtac: dict[str, Any], bad: Any) -> None:
    with pytest.raises(ValueError):
        dtac["area_passes"]("Technical security", {"pen_test": bad})


def test_unknown_areas_and_criteria_are_refused(dtac: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        dtac["area_passes"]("Usability and accessibility", {})
    with pytest.raises(ValueError):
        dtac["area_passes"]("Technical security", {"pen_tset": True})
    with pytest.raises(ValueError):
        dtac["assess"]({**all_met(dtac), "Security": {}}, {})


def test_usability_rating_by_hand(dtac: dict[str, Any]) -> None:
    keys = list(dtac["USABILITY_CRITERIA"])
    assert len(keys) == 5  # so 10 points are available
    rate = dtac["usability_rating"]
    assert rate(dict.fromkeys(keys, 2)) == pytest.approx(100.0)
    assert rate(dict.fromkeys(keys, 0)) == pytest.approx(0.0)
    assert rate({}) == pytest.approx(0.0)
    assert rate(dict.fromkeys(keys, 1)) == pytest.approx(50.0)
    # 2 + 2 + 1 + 0 + (unanswered) = 5 of 10 points.
    assert rate({keys[0]: 2, keys[1]: 2, keys[2]: 1, keys[3]: 0}) == pytest.approx(50.0)
    # 2 + 1 + 2 + 1 + 2 = 8 of 10 points.
    assert rate(dict(zip(keys, [2, 1, 2, 1, 2], strict=True))) == pytest.approx(80.0)
    assert rate({keys[4]: 1}) == pytest.approx(10.0)


@pytest.mark.parametrize("bad", [3, -1, 1.5, "2", None, True])
def test_usability_scores_must_be_0_1_or_2(dtac: dict[str, Any], bad: Any) -> None:
    key = next(iter(dtac["USABILITY_CRITERIA"]))
    with pytest.raises(ValueError):
        dtac["usability_rating"]({key: bad})
    with pytest.raises(ValueError):
        dtac["usability_rating"]({"not_a_criterion": 1})


def test_usability_rating_never_changes_the_outcome(dtac: dict[str, Any]) -> None:
    keys = list(dtac["USABILITY_CRITERIA"])
    best, worst = dict.fromkeys(keys, 2), dict.fromkeys(keys, 0)

    passing = dtac["assess"](all_met(dtac), worst).set_index("Area")["Result"]
    assert passing["Overall"] == "Pass"
    assert passing["Usability and accessibility"] == "0%"

    failing_answers = all_met(dtac)
    failing_answers["Data protection"] = {
        **failing_answers["Data protection"],
        next(iter(dtac["CRITERIA"]["Data protection"])): False,
    }
    failing = dtac["assess"](failing_answers, best).set_index("Area")["Result"]
    assert failing["Overall"] == "Fail"
    assert failing["Data protection"] == "Fail"
    assert failing["Usability and accessibility"] == "100%"


def test_summary_table_layout(dtac: dict[str, Any]) -> None:
    answers = all_met(dtac)
    del answers["Interoperability"]  # an area left blank fails
    first_key = next(iter(dtac["USABILITY_CRITERIA"]))
    table = dtac["assess"](answers, {first_key: 2})
    assert list(table.columns) == ["Area", "Type", "Result", "Not met"]
    assert list(table["Area"]) == [*PASS_FAIL, "Usability and accessibility", "Overall"]
    assert list(table["Type"]) == ["pass/fail"] * 4 + ["rated", "outcome"]
    assert list(table["Result"]) == ["Pass", "Pass", "Pass", "Fail", "20%", "Fail"]
    interop = table.set_index("Area").loc["Interoperability", "Not met"]
    assert interop == ", ".join(dtac["CRITERIA"]["Interoperability"])
