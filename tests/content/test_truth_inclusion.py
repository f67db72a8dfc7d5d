"""Digital inclusion: NHS England's five domains and the exclusion calculations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

Ref = Callable[[str], dict[str, Any]]

# NHS England, Inclusive digital healthcare: a framework for NHS action on digital inclusion
# (2023), as listed in the academy's domain facts.
FRAMEWORK_DOMAINS = [
    "access to devices and data",
    "accessibility and ease of use",
    "skills and capability",
    "beliefs and trust",
    "leadership and partnerships",
]

BARRIERS = ["no_device_or_data", "hard_to_use", "not_confident", "would_not_use"]


@pytest.fixture
def inc(reference: Ref) -> dict[str, Any]:
    return reference("digital-inclusion")


def _survey() -> pd.DataFrame:
    """Eight hand-made respondents; the comments give who is excluded and why."""
    rows = [
        # age band, quintile, device, hard to use, not confident, would not use
        ("16-34", 1, False, False, False, False),  # included
        ("16-34", 5, False, False, False, False),  # included
        ("16-34", 1, False, False, False, True),  # excluded: trust alone is enough
        ("75+", 1, True, False, True, False),  # excluded: two barriers, counted once
        ("75+", 1, False, True, False, False),  # excluded: accessibility
        ("75+", 5, False, False, False, False),  # included
        ("75+", 5, False, False, True, False),  # excluded: skills
        ("75+", 1, True, True, True, True),  # excluded: every barrier
    ]
    columns = ["age_band", "imd_quintile", *BARRIERS]
    return pd.DataFrame(rows, columns=columns)


def test_five_domains_in_the_framework(inc: dict[str, Any]) -> None:
    assert [d.lower() for d in inc["DOMAINS"]] == FRAMEWORK_DOMAINS


def test_each_survey_barrier_maps_to_a_distinct_person_level_domain(inc: dict[str, Any]) -> None:
    mapping = {k: v.lower() for k, v in inc["BARRIER_DOMAIN"].items()}
    assert set(mapping) == set(BARRIERS)
    assert mapping["no_device_or_data"] == "access to devices and data"
    assert mapping["hard_to_use"] == "accessibility and ease of use"
    assert mapping["not_confident"] == "skills and capability"
    assert mapping["would_not_use"] == "beliefs and trust"
    # Leadership and partnerships is organisational: no patient answer measures it.
    assert "leadership and partnerships" not in mapping.values()


def test_any_one_barrier_excludes(inc: dict[str, Any]) -> None:
    flags = inc["excluded"](_survey())
    assert flags.tolist() == [False, False, True, True, True, False, True, True]


def test_exclusion_table_by_age_band(inc: dict[str, Any]) -> None:
    table = inc["exclusion_table"](_survey(), "age_band")
    # 16-34: 1 of 3 excluded; 75+: 4 of 5. Excluded in total: 5.
    assert table.loc["16-34", "respondents"] == 3
    assert table.loc["16-34", "excluded"] == 1
    assert table.loc["16-34", "rate"] == pytest.approx(1 / 3)
    assert table.loc["75+", "respondents"] == 5
    assert table.loc["75+", "excluded"] == 4
    assert table.loc["75+", "rate"] == pytest.approx(4 / 5)
    assert table["share of all excluded"].tolist() == pytest.approx([1 / 5, 4 / 5])


def test_exclusion_table_by_age_and_quintile(inc: dict[str, Any]) -> None:
    table = inc["exclusion_table"](_survey(), ["age_band", "imd_quintile"])
    # 16-34 Q1: 1 of 2; 16-34 Q5: 0 of 1; 75+ Q1: 3 of 3; 75+ Q5: 1 of 2.
    assert table.loc[("16-34", 1), "rate"] == pytest.approx(0.5)
    assert table.loc[("16-34", 5), "rate"] == pytest.approx(0.0)
    assert table.loc[("75+", 1), "rate"] == pytest.approx(1.0)
    assert table.loc[("75+", 5), "rate"] == pytest.approx(0.5)
    assert table["respondents"].sum() == 8
    assert table["excluded"].sum() == 5


def test_barrier_rates_by_group(inc: dict[str, Any]) -> None:
    rates = inc["barrier_rates"](_survey(), "age_band")
    rates.columns = [c.lower() for c in rates.columns]
    # 75+: device 2/5, hard to use 2/5, not confident 3/5, would not use 1/5.
    assert rates.loc["75+"].tolist() == pytest.approx([0.4, 0.4, 0.6, 0.2])
    # 16-34: only the trust barrier, 1/3.
    assert rates.loc["16-34"].tolist() == pytest.approx([0.0, 0.0, 0.0, 1 / 3])
    assert list(rates.columns) == FRAMEWORK_DOMAINS[:4]
