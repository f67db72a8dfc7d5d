"""Cached parallel execution on real kernels: what runs, what is reused, what is reported."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from digital_academy.publish.execute import ExecJob, execute_modules

pytestmark = pytest.mark.slow


def _jobs(root: Path) -> list[ExecJob]:
    jobs = []
    for nb in sorted((root / "courses").glob("*/*.ipynb")):
        module_id = nb.stem.split("-", 1)[1]
        jobs.append(ExecJob(module_id, nb, nb.relative_to(root).as_posix(), nb.parent, 60))
    return jobs


def _edit_code(path: Path, cell_id: str, source: str) -> None:
    nb = json.loads(path.read_text())
    next(c for c in nb["cells"] if c["id"] == cell_id)["source"] = source
    path.write_text(json.dumps(nb))


def test_executes_in_parallel_then_reuses_the_cache(
    make_sample: Callable[..., Path], tmp_path: Path
) -> None:
    root = make_sample(modules=3, courses=1)
    jobs = _jobs(root)
    first = execute_modules(tmp_path / "cache", jobs, workers=2)
    assert sorted(first.executed) == sorted(j.module_id for j in jobs)
    assert first.failures == {}
    nb = first.notebooks[jobs[0].module_id]
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    assert any("text/html" in o.get("data", {}) for o in outputs)  # the describe() table
    assert "application/vnd.jupyter.widget-state+json" in nb["metadata"]["widgets"]

    again = execute_modules(tmp_path / "cache", jobs, workers=2)
    assert again.executed == [] and sorted(again.cached) == sorted(first.executed)
    assert again.notebooks[jobs[0].module_id]["cells"][1]["outputs"] == nb["cells"][1]["outputs"]

    # Markdown edits do not re-execute; a code edit re-executes that module only.
    _edit_code(jobs[0].notebook, "summary", "## Summary\n\nReworded.")
    _edit_code(jobs[1].notebook, "work", "import pandas as pd\npd.read_csv('data/waits.csv').shape")
    third = execute_modules(tmp_path / "cache", jobs, workers=2)
    assert third.executed == [jobs[1].module_id]

    # Data the notebooks read is part of the key: changing it re-executes them all.
    data = root / "courses" / "sample-course-1" / "data" / "waits.csv"
    data.write_text(data.read_text() + "999,7\n")
    fourth = execute_modules(tmp_path / "cache", jobs, workers=2)
    assert sorted(fourth.executed) == sorted(j.module_id for j in jobs)


def test_failures_name_the_module_and_cell(
    make_sample: Callable[..., Path], tmp_path: Path
) -> None:
    root = make_sample(modules=2, courses=1)
    broken, missing = _jobs(root)
    _edit_code(broken.notebook, "work", "total = 1\ntotal / 0")
    _edit_code(missing.notebook, "work", "open('data/not-there.csv').read()")
    result = execute_modules(tmp_path / "cache", [broken, missing], workers=2)
    assert result.executed == [] and set(result.failures) == {broken.module_id, missing.module_id}
    zero = result.failures[broken.module_id]
    assert (zero.file, zero.cell) == (broken.rel, 2)  # the second cell of the notebook
    assert zero.error == "ZeroDivisionError: division by zero"
    absent = result.failures[missing.module_id]
    assert absent.cell == 2 and absent.error.startswith("FileNotFoundError")
    assert "not-there.csv" in absent.error
    assert f"{broken.module_id} ({broken.rel}, cell 2): ZeroDivisionError" in zero.describe()
    # A failure is not cached: fixed, the module executes again.
    _edit_code(broken.notebook, "work", "total = 1")
    assert execute_modules(tmp_path / "cache", [broken], workers=1).executed == [broken.module_id]
