"""The NHS number modulus 11 check, against the rules of the NHS Data Dictionary."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

Ref = Callable[[str], dict[str, Any]]


@pytest.fixture
def nhs(reference: Ref) -> dict[str, Any]:
    return reference("nhs-number-validation")


def test_known_valid_number(nhs: dict[str, Any]) -> None:
    assert nhs["is_valid_nhs_number"]("9434765919")
    assert nhs["is_valid_nhs_number"]("943 476 5919")
    assert nhs["is_valid_nhs_number"]("943-476-5919")


def test_format_example_is_invalid_because_its_check_digit_is_2(nhs: dict[str, Any]) -> None:
    assert not nhs["is_valid_nhs_number"]("9876544321")
    assert nhs["check_digit"]("987654432") == 2
    assert nhs["is_valid_nhs_number"]("9876544322")


@pytest.mark.parametrize("value", ["", "943476591", "94347659190", "94347659I9", "9434 7659 1X"])
def test_malformed_numbers_are_invalid(nhs: dict[str, Any], value: str) -> None:
    assert not nhs["is_valid_nhs_number"](value)


def test_remainder_zero_gives_check_digit_zero(nhs: dict[str, Any]) -> None:
    # 000000000 sums to 0: 11 - 0 = 11, which becomes 0.
    assert nhs["check_digit"]("000000000") == 0


def test_result_ten_means_never_issued(nhs: dict[str, Any]) -> None:
    # 11 - (sum % 11) == 10 exactly when the weighted sum leaves remainder 1; with only
    # the eighth (weight 3) and ninth (weight 2) digits set, enumerate every such prefix.
    hits = [f"0000000{a}{b}" for a in range(10) for b in range(10) if (3 * a + 2 * b) % 11 == 1]
    assert hits
    for first_nine in hits:
        assert nhs["check_digit"](first_nine) is None
        assert not any(nhs["is_valid_nhs_number"](first_nine + str(d)) for d in range(10))


def test_independent_definition_agrees_on_the_test_range(nhs: dict[str, Any]) -> None:
    """Compare with a second, differently written statement of the Data Dictionary rule."""
    for n in range(9990000000, 9990002000):
        digits = [int(c) for c in str(n)]
        total = sum(d * (10 - i) for i, d in enumerate(digits[:9]))
        expected = {11: 0, 10: None}.get(11 - total % 11, 11 - total % 11)
        assert nhs["is_valid_nhs_number"](str(n)) == (expected == digits[9])


def test_every_single_substitution_and_transposition_is_detected(nhs: dict[str, Any]) -> None:
    number = "9434765919"
    for i in range(10):
        for d in "0123456789":
            if d != number[i]:
                assert not nhs["is_valid_nhs_number"](number[:i] + d + number[i + 1 :])
    for i in range(9):
        if number[i] != number[i + 1]:
            swapped = number[:i] + number[i + 1] + number[i] + number[i + 2 :]
            assert not nhs["is_valid_nhs_number"](swapped)
