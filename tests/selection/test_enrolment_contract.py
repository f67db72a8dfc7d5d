"""``cohort.csv`` is what enrolment reads: check the contract against the real reader."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from digital_academy.enrolment.csvinput import read_cohort
from digital_academy.enrolment.errors import EnrolmentError
from digital_academy.selection.model import Pool
from digital_academy.selection.outputs import cohort_csv, reserves_csv
from digital_academy.selection.synthetic import generate_pool


def _with_usernames(pool: Pool) -> Pool:
    return replace(
        pool,
        applicants=tuple(replace(a, hub_username=f"learner{a.id[1:]}") for a in pool.applicants),
    )


def test_enrolment_reads_the_selected_cohort_and_refuses_the_reserves(tmp_path: Path) -> None:
    pool = _with_usernames(generate_pool(40, seed=41))
    selected = tuple(a.id for a in pool.applicants[:6])
    cohort = tmp_path / "cohort.csv"
    cohort.write_text(cohort_csv(pool, selected), encoding="utf-8")
    rows = read_cohort(cohort, "cohort.csv")
    assert sorted(r.person.username for r in rows) == sorted(
        a.hub_username for a in pool.applicants[:6]
    )
    reserves = tmp_path / "reserves.csv"
    reserves.write_text(
        reserves_csv(pool, tuple(a.id for a in pool.applicants[6:])), encoding="utf-8"
    )
    with pytest.raises(EnrolmentError, match="reserve list"):
        read_cohort(reserves, "reserves.csv")


def test_an_applicant_without_a_hub_username_is_named(tmp_path: Path) -> None:
    pool = _with_usernames(generate_pool(20, seed=42))
    first = replace(pool.applicants[0], hub_username="")
    pool = replace(pool, applicants=(first, *pool.applicants[1:]))
    cohort = tmp_path / "cohort.csv"
    cohort.write_text(cohort_csv(pool, (first.id, pool.applicants[1].id)), encoding="utf-8")
    with pytest.raises(EnrolmentError, match=first.id):
        read_cohort(cohort, "cohort.csv")
