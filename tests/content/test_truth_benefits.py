"""Discounting, NPV and payback, against the HM Treasury Green Book conventions.

The Green Book discounts real-terms values at the social time preference rate of 3.5% a
year for the first 30 years, with year 0 (the present) undiscounted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

Ref = Callable[[str], dict[str, Any]]


@pytest.fixture
def ben(reference: Ref) -> dict[str, Any]:
    return reference("benefits-realisation")


def test_standard_rate_is_three_and_a_half_percent(ben: dict[str, Any]) -> None:
    assert ben["GREEN_BOOK_RATE"] == pytest.approx(0.035)


def test_discount_factors_by_hand(ben: dict[str, Any]) -> None:
    factor = ben["discount_factor"]
    assert factor(0) == 1.0
    # 1 / 1.035, 1 / 1.071225, 1 / 1.108717875, 1 / 1.147523000625 (powers of 1.035 by hand)
    assert factor(1) == pytest.approx(0.9661835749, abs=1e-9)
    assert factor(2) == pytest.approx(0.9335107004, abs=1e-9)
    assert factor(3) == pytest.approx(0.9019427057, abs=1e-9)
    assert factor(4) == pytest.approx(0.8714422277, abs=1e-9)
    # Any rate can be passed: 10% over 2 years is 1 / 1.21.
    assert factor(2, 0.10) == pytest.approx(1 / 1.21)
    with pytest.raises(ValueError):
        factor(-1)


def test_npv_of_the_module_case_at_three_and_a_half_percent(ben: dict[str, Any]) -> None:
    # Net flows of the eObs case in £k, years 0-4. Present values by hand:
    # -450, 75/1.035 = 72.4638, 205/1.071225 = 191.3697, 265/1.108718 = 239.0148,
    # 265/1.147523 = 230.9322; total 283.7805.
    flows = [-450, 75, 205, 265, 265]
    assert ben["net_present_value"](flows) == pytest.approx(283.7805, abs=1e-3)
    assert ben["present_values"](flows) == pytest.approx(
        [-450.0, 72.4638, 191.3697, 239.0148, 230.9322], abs=1e-3
    )


def test_npv_zero_when_return_equals_the_rate(ben: dict[str, Any]) -> None:
    # Lending 100 at 3.5% for one year returns 103.5: present value exactly break-even.
    assert ben["net_present_value"]([-100, 103.5]) == pytest.approx(0.0, abs=1e-9)
    # An annuity of 1 for years 1-4 at 3.5%: (1 - 1.035**-4) / 0.035, a second formulation.
    annuity = (1 - 1.035**-4) / 0.035
    assert ben["net_present_value"]([0, 1, 1, 1, 1]) == pytest.approx(annuity)
    assert annuity == pytest.approx(3.6730797, abs=1e-6)


def test_undiscounted_npv_is_the_plain_sum(ben: dict[str, Any]) -> None:
    assert ben["net_present_value"]([-450, 75, 205, 265, 265], 0.0) == 360


def test_payback_year_of_the_module_case(ben: dict[str, Any]) -> None:
    # Cumulative discounted: -450, -377.5, -186.2, +52.8, +283.8 -> year 3.
    assert ben["payback_year"]([-450, 75, 205, 265, 265]) == 3
    # Cumulative undiscounted: -450, -375, -170, +95 -> also year 3.
    assert ben["payback_year"]([-450, 75, 205, 265, 265], 0.0) == 3


def test_payback_never_reached(ben: dict[str, Any]) -> None:
    # The module's cash-only view: running costs exceed the cash released.
    assert ben["payback_year"]([-450, -35, -25, -25, -25]) is None


def test_discounting_can_delay_or_prevent_payback(ben: dict[str, Any]) -> None:
    # Undiscounted: -100, -50, +2 -> year 2. Discounted: 50/1.035 + 52/1.071225 = 96.85 < 100.
    flows = [-100, 50, 52]
    assert ben["payback_year"](flows, 0.0) == 2
    assert ben["payback_year"](flows) is None
    # Undiscounted -100, -40, 0 -> year 2; discounted the cumulative sum is still -4.69
    # at year 2 and reaches +49.4 only in year 3.
    assert ben["payback_year"]([-100, 60, 40, 60], 0.0) == 2
    assert ben["payback_year"]([-100, 60, 40, 60]) == 3


def test_exact_break_even_counts_as_payback(ben: dict[str, Any]) -> None:
    assert ben["payback_year"]([-100, 103.5]) == 1
    assert ben["payback_year"]([0, -5]) == 0


def test_realisation_rate_and_rag(ben: dict[str, Any]) -> None:
    assert ben["realisation_rate"]([10, 10, 20], [5, 10, 15]) == pytest.approx(30 / 40)
    with pytest.raises(ValueError):
        ben["realisation_rate"]([0, 0], [1, 1])
    rag = ben["rag_status"]
    assert [rag(r) for r in (1.2, 0.9, 0.89, 0.75, 0.74, 0.0)] == [
        "green",
        "green",
        "amber",
        "amber",
        "red",
        "red",
    ]
