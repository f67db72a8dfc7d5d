"""Fixtures for the selection tests: pools generated from seeds (never hand-picked), written as
the CSV files a programme manager would hand to ``academy cohort select``."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from digital_academy.selection.model import Pool, QuotaSet
from digital_academy.selection.synthetic import (
    generate_pool,
    pool_rows,
    proportional_quotas,
    tight_quotas,
)

REPO = Path(__file__).resolve().parents[2]


def write_pool(folder: Path, pool: Pool, quotas: QuotaSet) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    applicants, quota_file = folder / "applicants.csv", folder / "quotas.csv"
    rows = pool_rows(pool)
    with applicants.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with quota_file.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["feature", "value", "min", "max"])
        for q in quotas.quotas:
            out.writerow([q.feature, q.value, q.min, q.max])
    return applicants, quota_file


@pytest.fixture
def pool_files(tmp_path: Path) -> Callable[..., tuple[Path, Path, Pool, QuotaSet]]:
    """Generate a pool and its quotas and write both as CSV files."""

    def make(
        size: int, capacity: int, seed: int, kind: str = "proportional", name: str = "input"
    ) -> tuple[Path, Path, Pool, QuotaSet]:
        pool = generate_pool(size, seed)
        quotas = (tight_quotas if kind == "tight" else proportional_quotas)(pool, capacity)
        applicants, quota_file = write_pool(tmp_path / name, pool, quotas)
        return applicants, quota_file, pool, quotas

    return make


def academy(
    *args: str, hash_seed: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real ``academy`` CLI in a fresh process (optionally with a given hash seed)."""
    environment = {**os.environ, **(env or {})}
    if hash_seed is not None:
        environment["PYTHONHASHSEED"] = hash_seed
    return subprocess.run(
        [sys.executable, "-m", "digital_academy.cli.main", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=REPO,
        timeout=900,
        check=False,
    )
