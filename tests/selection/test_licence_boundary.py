"""The GPL-3.0 library stays behind one module, and everything else works without it.

"Without it" is simulated by blocking the import in every process (the CLI and its workers):
the library is installed here, so this is the one place a real absence cannot be arranged.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from digital_academy.selection.model import Pool, QuotaSet

from .conftest import REPO, academy

PACKAGE = REPO / "src" / "digital_academy"
BOUNDARY = PACKAGE / "selection" / "backends" / "sortition.py"

BLOCKER = """
import importlib.abc, sys

class _Absent(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "sortition_algorithms" or name.startswith("sortition_algorithms."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, _Absent())
"""


def test_only_the_boundary_module_names_the_library() -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path != BOUNDARY and "sortition_algorithms" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
    assert "import sortition_algorithms" not in BOUNDARY.read_text(encoding="utf-8").split('"""')[0]


def test_importing_the_package_and_cli_does_not_load_the_library() -> None:
    code = (
        "import sys, digital_academy.selection, digital_academy.cli.cohort_cmds, "
        "digital_academy.selection.backends as b; b.load('maximin'); "
        "print('sortition_algorithms' in sys.modules)"
    )
    done = pytest.importorskip("subprocess").run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert done.stdout.strip() == "False"


@pytest.fixture
def without_library(tmp_path: Path) -> dict[str, str]:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(BLOCKER, encoding="utf-8")
    return {"PYTHONPATH": str(site)}


@pytest.mark.slow
def test_without_the_extra_maximin_works_and_library_algorithms_say_why_not(
    without_library: dict[str, str],
    pool_files: Callable[..., tuple[Path, Path, Pool, QuotaSet]],
    tmp_path: Path,
) -> None:
    check = academy("cohort", "select", "--help", env=without_library)
    assert check.returncode == 0
    applicants, quotas, _, _ = pool_files(60, 6, seed=31)
    base = ["cohort", "select", "--applicants", str(applicants), "--quotas", str(quotas)]
    base += ["--capacity", "6", "--seed", "4", "--quiet"]

    library = academy(
        *base, "--out", str(tmp_path / "a"), "--algorithm", "sortition-maximin", env=without_library
    )
    assert library.returncode == 1
    assert "Traceback" not in library.stderr
    assert "GPL-3.0" in library.stderr
    assert "pip install 'digital-academy[selection]'" in library.stderr
    assert not (tmp_path / "a").exists()  # nothing else was run instead

    baseline = academy(*base, "--out", str(tmp_path / "b"), env=without_library)
    assert baseline.returncode == 1
    assert "--baseline-runs 0" in baseline.stderr

    native = academy(
        *base,
        "--out",
        str(tmp_path / "c"),
        "--baseline-runs",
        "0",
        "--format",
        "json",
        env=without_library,
    )
    assert native.returncode == 0, native.stderr
    report = json.loads(native.stdout)
    assert report["all_quotas_met"] is True
    audit = json.loads((tmp_path / "c" / "audit.json").read_text(encoding="utf-8"))
    assert "sortition-algorithms" not in audit["software"]
    assert audit["algorithm"]["name"] == "maximin"
