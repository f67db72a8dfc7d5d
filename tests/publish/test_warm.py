"""Warm kernels: forked from the build's zygote, yet each notebook's own fresh kernel.

Every real module is executed both ways and must give the same outputs; kernels must
not share state or outlive the build; a course's own module must win over a preloaded
package of the same name; timeouts still cut a cell off.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import nbformat
import psutil
import pytest

from digital_academy.publish.execute import ExecJob, execute_modules, preload_modules

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
_WIDGET_ID = re.compile(r"[0-9a-f]{32}")
#: The pseudonymisation module times a hash loop and prints the rate it measured.
_MEASURED = re.compile(r"(hashes about|would take about) [\d,]+")


def _job(notebook: Path, timeout: int = 120) -> ExecJob:
    module_id = json.loads(notebook.read_text("utf-8"))["metadata"]["academy"]["id"]
    return ExecJob(module_id, notebook, notebook.name, notebook.parent, timeout)


def _comparable(nb: dict[str, Any]) -> list[str]:
    """Each code cell's outputs, without what differs between any two runs: widget ids,
    how a stream happened to be split into messages, and a measured speed."""
    cells = []
    for cell in (c for c in nb["cells"] if c["cell_type"] == "code"):
        outputs: list[dict[str, Any]] = []
        for raw in cell["outputs"]:
            output = {k: v for k, v in raw.items() if k != "execution_count"}
            last = outputs[-1] if outputs else None
            if output["output_type"] == "stream" and last and last.get("name") == output["name"]:
                last["text"] += output["text"]
                continue
            outputs.append(output)
        text = _WIDGET_ID.sub("ID", json.dumps(outputs, sort_keys=True))
        cells.append(_MEASURED.sub(r"\1 N", text))
    return cells


def test_every_real_module_gives_the_same_outputs_warm_and_stock(tmp_path: Path) -> None:
    jobs = [_job(nb) for nb in sorted((REPO / "courses").glob("*/*.ipynb"))]
    stock = execute_modules(tmp_path / "stock", jobs, workers=2, warm=False)
    warm = execute_modules(tmp_path / "warm", jobs, workers=2, warm=True)
    assert stock.failures == {} and warm.failures == {}
    assert len(warm.executed) == len(jobs) >= 16
    for job in jobs:
        assert _comparable(warm.notebooks[job.module_id]) == _comparable(
            stock.notebooks[job.module_id]
        ), job.module_id
        widgets = "application/vnd.jupyter.widget-state+json"
        if widgets in stock.notebooks[job.module_id]["metadata"].get("widgets", {}):
            assert len(warm.notebooks[job.module_id]["metadata"]["widgets"][widgets]["state"]) > 0


def _notebook(folder: Path, name: str, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.metadata["academy"] = {"id": name}
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def _stdout(nb: dict[str, Any]) -> str:
    return "".join(
        o.get("text", "") for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]
    )


def _ours() -> set[int]:
    """Processes below this one, less multiprocessing's resource tracker: Python starts
    that helper once per process and keeps it until the process ends."""
    found = set()
    for p in psutil.Process().children(recursive=True):
        try:
            if "multiprocessing.resource_tracker" not in " ".join(p.cmdline()):
                found.add(p.pid)
        except psutil.ZombieProcess:
            found.add(p.pid)  # not reaped yet: still ours
        except psutil.NoSuchProcess:
            continue
    return found


def test_each_notebook_gets_its_own_fresh_kernel_and_none_outlives_the_build(
    tmp_path: Path,
) -> None:
    course = tmp_path / "course"
    course.mkdir()
    probe = "import os, numpy\nprint('pid', os.getpid(), 'leak', hasattr(numpy, 'LEAK'))\n"
    jobs = [
        _job(_notebook(course, f"m{i}", probe, "numpy.LEAK = 1\nprint(numpy.random.rand())"))
        for i in range(4)
    ]
    before = _ours()
    result = execute_modules(tmp_path / "cache", jobs, workers=2)
    assert result.failures == {} and len(result.executed) == 4
    outputs = [_stdout(result.notebooks[j.module_id]) for j in jobs]
    assert all("leak False" in out for out in outputs)  # no module state crosses notebooks
    assert len({out.split()[1] for out in outputs}) == 4  # four kernel processes
    assert len({out.split("\n")[1] for out in outputs}) == 4  # each draws its own random seed
    assert _ours() <= before


def test_a_courses_own_module_wins_over_a_preloaded_package(tmp_path: Path) -> None:
    course = tmp_path / "course"
    course.mkdir()
    (course / "pandas.py").write_text("SOURCE = 'the course folder'\n")
    jobs = [
        _job(_notebook(course, f"m{i}", "import pandas\nprint(pandas.SOURCE)")) for i in range(2)
    ]
    assert "pandas" not in preload_modules(jobs)
    result = execute_modules(tmp_path / "cache", jobs, workers=2)
    assert result.failures == {}
    assert all("the course folder" in _stdout(result.notebooks[j.module_id]) for j in jobs)


def test_a_warm_kernel_is_cut_off_at_the_cell_timeout(tmp_path: Path) -> None:
    course = tmp_path / "course"
    course.mkdir()
    slow = _job(_notebook(course, "slow", "import numpy\nwhile True:\n    pass"), timeout=2)
    quick = _job(_notebook(course, "quick", "import numpy\nprint(numpy.arange(3).sum())"))
    before = _ours()
    result = execute_modules(tmp_path / "cache", [slow, quick], workers=2)
    assert result.failures["slow"].error == "the cell ran longer than 2 s"
    assert "3" in _stdout(result.notebooks["quick"])
    assert _ours() <= before
