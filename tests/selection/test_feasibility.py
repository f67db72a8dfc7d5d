"""Infeasible quotas are explained in a programme manager's terms, never a crash."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from digital_academy.selection.feasibility import diagnose
from digital_academy.selection.model import Pool, Quota, QuotaSet
from digital_academy.selection.synthetic import generate_pool

from .conftest import academy, write_pool

NURSING = ("profession", "Nursing and midwifery")
WOMAN = ("gender", "Woman")


def _loose(pool: Pool, capacity: int) -> dict[tuple[str, str], Quota]:
    values = {(f, pool.value_of(a, f)) for a in pool.applicants for f in pool.features}
    return {(f, v): Quota(f, v, 0, capacity) for f, v in sorted(values)}


def _conflict(pool: Pool, capacity: int, excess: int) -> tuple[QuotaSet, int]:
    """Loose quotas except: at least m nurses but at most w women, with too few men nurses."""
    others = sum(
        1
        for a in pool.applicants
        if pool.value_of(a, "profession") == NURSING[1] and pool.value_of(a, "gender") != WOMAN[1]
    )
    women_max = capacity // 2
    nurses_min = women_max + others + excess
    quotas = _loose(pool, capacity)
    quotas[NURSING] = Quota(*NURSING, nurses_min, capacity)
    quotas[WOMAN] = Quota(*WOMAN, 0, women_max)
    return QuotaSet(tuple(quotas.values())), excess


def test_cross_feature_conflict_names_the_quotas_and_the_smallest_fix() -> None:
    pool = generate_pool(120, seed=8)
    quotas, excess = _conflict(pool, 30, excess=3)
    diagnosis = diagnose(pool, quotas, 30)
    assert not diagnosis.feasible
    assert not diagnosis.problems  # the totals alone look fine
    assert {(q.feature, q.value) for q in diagnosis.conflicting} == {NURSING, WOMAN}
    assert sum(abs(c.new - c.old) for c in diagnosis.changes) == excess
    assert "conflict by 3 place(s)" in diagnosis.summary()
    # Applying the suggested change makes the quotas possible.
    changed = {(c.quota.feature, c.quota.value): c for c in diagnosis.changes}
    fixed = QuotaSet(
        tuple(
            Quota(q.feature, q.value, changed[(q.feature, q.value)].new, q.max)
            if (q.feature, q.value) in changed and changed[(q.feature, q.value)].bound == "min"
            else Quota(q.feature, q.value, q.min, changed[(q.feature, q.value)].new)
            if (q.feature, q.value) in changed
            else q
            for q in quotas.quotas
        )
    )
    assert diagnose(pool, fixed, 30).feasible
    sentences = [c.sentence() for c in diagnosis.changes]
    assert all(s.startswith(("lower the minimum", "raise the maximum")) for s in sentences)


def test_totals_that_cannot_work_are_explained_without_a_solver() -> None:
    pool = generate_pool(60, seed=9)
    quotas = _loose(pool, 10)
    region = [k for k in quotas if k[0] == "region"]
    for key in region:
        quotas[key] = Quota(*key, 2, 3)
    smallest = min(
        region, key=lambda k: sum(pool.value_of(a, "region") == k[1] for a in pool.applicants)
    )
    have = sum(pool.value_of(a, "region") == smallest[1] for a in pool.applicants)
    quotas[smallest] = Quota(*smallest, have + 2, have + 2)
    problems = diagnose(pool, QuotaSet(tuple(quotas.values())), 10).problems
    assert any("the minimums for region add up to" in p and "only 10 places" in p for p in problems)
    assert any(f"only {have} applicant(s) have it: lower the minimum by 2" in p for p in problems)
    assert (
        diagnose(pool, QuotaSet(tuple(_loose(pool, 10).values())), 61)
        .problems[0]
        .startswith("there are 61 places but only 60 applicants")
    )


def test_the_command_explains_and_exits_1_without_a_traceback(tmp_path: Path) -> None:
    pool = generate_pool(120, seed=8)
    quotas, _ = _conflict(pool, 30, excess=2)
    applicants, quota_file = write_pool(tmp_path, pool, quotas)
    base = ["cohort", "select", "--applicants", str(applicants), "--quotas", str(quota_file)]
    base += [
        "--capacity",
        "30",
        "--seed",
        "5",
        "--out",
        str(tmp_path / "out"),
        "--baseline-runs",
        "0",
    ]
    done = academy(*base)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "these quotas conflict" in done.stdout
    assert "Nursing and midwifery" in done.stdout
    assert "smallest change" in done.stdout
    assert "no cohort can meet every quota" in done.stderr
    as_json = academy(*base, "--format", "json")
    assert as_json.returncode == 1
    report = json.loads(as_json.stdout)
    assert {(q["feature"], q["value"]) for q in report["conflicting_quotas"]} == {NURSING, WOMAN}
    assert sum(abs(c["to"] - c["from"]) for c in report["smallest_change"]) == 2
    assert not (tmp_path / "out").exists()


def test_generated_quotas_are_feasible(
    pool_files: Callable[..., tuple[Path, Path, Pool, QuotaSet]],
) -> None:
    for seed, kind in [(1, "proportional"), (2, "tight"), (3, "tight")]:
        _, _, pool, quotas = pool_files(150, 15, seed, kind, name=f"p{seed}")
        assert diagnose(pool, quotas, 15).feasible, (seed, kind)
