"""``academy cohort select`` and ``verify`` end to end, in fresh processes.

The same seed gives the same cohort bit for bit, whatever Python's hash seed, and the audit
re-runs to the same result."""

from __future__ import annotations

import csv
import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from digital_academy.selection.model import Pool, QuotaSet
from digital_academy.selection.outputs import OUTPUT_FILES
from digital_academy.selection.reserves import meets_quotas

from .conftest import academy

PoolFiles = Callable[..., tuple[Path, Path, Pool, QuotaSet]]


def _select(
    applicants: Path,
    quotas: Path,
    out: Path,
    capacity: int,
    seed: int,
    *extra: str,
    hash_seed: str | None = None,
) -> dict[str, object]:
    done = academy(
        "cohort", "select", "--applicants", str(applicants), "--quotas", str(quotas),
        "--capacity", str(capacity), "--seed", str(seed), "--out", str(out), "--format", "json",
        *extra, hash_seed=hash_seed,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def _verify(
    audit: Path, applicants: Path, *extra: str, hash_seed: str | None = None
) -> subprocess.CompletedProcess[str]:
    args = ("cohort", "verify", "--audit", str(audit), "--applicants", str(applicants))
    return academy(*args, *extra, hash_seed=hash_seed)


@pytest.mark.slow
@pytest.mark.parametrize(("algorithm", "runs"), [("maximin", "40"), ("sortition-maximin", "0")])
def test_same_seed_same_files_across_processes_and_hash_seeds(
    pool_files: PoolFiles, tmp_path: Path, algorithm: str, runs: str
) -> None:
    applicants, quotas, _, _ = pool_files(80, 8, seed=21, kind="tight")
    extra = ("--algorithm", algorithm, "--baseline-runs", runs)
    _select(applicants, quotas, tmp_path / "one", 8, 2024, *extra, hash_seed="1")
    _select(applicants, quotas, tmp_path / "two", 8, 2024, *extra, hash_seed="2")
    for name in OUTPUT_FILES:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), (
            name
        )
    _select(applicants, quotas, tmp_path / "three", 8, 2025, *extra, hash_seed="1")
    one = (tmp_path / "one" / "cohort.csv").read_text(encoding="utf-8")
    three = (tmp_path / "three" / "cohort.csv").read_text(encoding="utf-8")
    assert one != three  # another public seed draws another cohort from the same lottery
    audit = json.loads((tmp_path / "one" / "audit.json").read_text(encoding="utf-8"))
    assert audit["software"]["highspy"]
    if algorithm == "sortition-maximin":
        assert audit["software"]["sortition-algorithms"]


@pytest.mark.slow
def test_outputs_audit_and_verify(pool_files: PoolFiles, tmp_path: Path) -> None:
    applicants, quotas, pool, quota_set = pool_files(100, 10, seed=22)
    out = tmp_path / "out"
    report = _select(applicants, quotas, out, 10, 77, "--baseline-runs", "30")
    assert report["all_quotas_met"] is True

    with (out / "cohort.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    header = ["applicant_id", "hub_username", *pool.features]
    assert list(rows[0]) == header
    selected = {r["applicant_id"] for r in rows}
    assert len(selected) == 10
    assert meets_quotas(pool, quota_set, selected)
    usernames = {a.id: a.hub_username for a in pool.applicants}
    assert all(r["hub_username"] == usernames[r["applicant_id"]] for r in rows)
    with (out / "reserves.csv").open(encoding="utf-8") as f:
        reserves = list(csv.DictReader(f))
    assert [r["rank"] for r in reserves] == [str(i) for i in range(1, 91)]
    assert selected.isdisjoint(r["applicant_id"] for r in reserves)

    audit = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    probabilities = {p["applicant_id"]: p["probability"] for p in audit["probabilities"]}
    assert set(probabilities) == {a.id for a in pool.applicants}
    assert min(probabilities.values()) == pytest.approx(audit["result"]["minimum_probability"])
    assert sum(probabilities.values()) == pytest.approx(10)
    result = audit["result"]
    assert (
        result["minimum_probability"]
        <= result["proven_upper_bound"]
        <= result["ceiling_capacity_over_pool"] + 1e-12
    )
    assert audit["seed"] == 77
    assert audit["inputs"]["files_sha256"]["applicants.csv"]
    assert sorted(result["selected"]) == sorted(selected)
    html = (out / "audit.html").read_text(encoding="utf-8")
    assert all(aid in html for aid in probabilities)
    fairness = json.loads((out / "fairness.json").read_text(encoding="utf-8"))
    assert fairness["baseline"]["runs"] == 30
    assert len(fairness["quotas"]) == len(quota_set.quotas)
    assert "Quota satisfaction" in (out / "fairness.html").read_text(encoding="utf-8")

    verified = _verify(out / "audit.json", applicants, "--format", "json")
    assert verified.returncode == 0, verified.stderr
    assert all(json.loads(verified.stdout)["checks"].values())

    tampered = dict(audit)
    tampered["result"] = {
        **result,
        "selected": sorted({audit["probabilities"][i]["applicant_id"] for i in range(10)}),
    }
    (tmp_path / "tampered.json").write_text(json.dumps(tampered), encoding="utf-8")
    caught = _verify(tmp_path / "tampered.json", applicants)
    assert caught.returncode == 1
    assert "DIFFERENT" in caught.stdout
    assert "does not reproduce" in caught.stderr

    edited = applicants.read_text(encoding="utf-8").splitlines()
    (tmp_path / "fewer.csv").write_text("\n".join(edited[:-1]) + "\n", encoding="utf-8")
    mismatch = _verify(out / "audit.json", tmp_path / "fewer.csv")
    assert mismatch.returncode == 1
    assert "does not match the audit" in mismatch.stderr

    again = academy(
        "cohort",
        "select",
        "--applicants",
        str(applicants),
        "--quotas",
        str(quotas),
        "--capacity",
        "10",
        "--seed",
        "78",
        "--out",
        str(out),
    )
    assert again.returncode == 1
    assert "already holds a selection" in again.stderr
    assert json.loads((out / "audit.json").read_text(encoding="utf-8"))["seed"] == 77  # untouched


@pytest.mark.slow
def test_stopped_by_the_time_budget_the_audit_still_replays(
    pool_files: PoolFiles, tmp_path: Path
) -> None:
    applicants, quotas, _, _ = pool_files(400, 40, seed=23, kind="tight")
    out = tmp_path / "out"
    _select(applicants, quotas, out, 40, 5, "--time-budget", "1", "--baseline-runs", "0")
    audit = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    assert audit["algorithm"]["stopped_by"] == "time budget"
    assert audit["result"]["minimum_probability"] <= audit["result"]["proven_upper_bound"]
    verified = _verify(out / "audit.json", applicants, hash_seed="3")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "DIFFERENT" not in verified.stdout


@pytest.mark.slow
def test_the_library_is_stopped_at_the_budget_with_a_clear_message(
    pool_files: PoolFiles, tmp_path: Path
) -> None:
    applicants, quotas, _, _ = pool_files(300, 30, seed=24, kind="tight")
    done = academy(
        "cohort", "select", "--applicants", str(applicants), "--quotas", str(quotas),
        "--capacity", "30", "--seed", "9", "--out", str(tmp_path / "out"),
        "--algorithm", "sortition-maximin", "--time-budget", "2", "--baseline-runs", "0",
    )  # fmt: skip
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "did not finish within 2 s" in done.stderr
    assert "choose --algorithm maximin" in done.stderr
    assert not (tmp_path / "out").exists()
