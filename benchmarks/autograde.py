"""Benchmark: stock ``nbgrader autograde`` against ``academy assess autograde`` (sandbox on).

Generates a small academy and an assessment in a temporary folder, then 100 submissions
(right, wrong, slow and broken), and grades them twice in separate course runs made from
the same source: once with nbgrader's own CLI in one process (the baseline), once with
``academy assess autograde``. Prints the throughput ratio, checks every submission got the
same score from both, and times the Dask back end with 1 and 2 workers.

Run: ``.venv/bin/python benchmarks/autograde.py [--submissions 100]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.table import Table

ASSESSMENT = "bench-quiz"
console = Console()

TASKS = {
    "bmi": (
        "def bmi(weight_kg, height_m):\n    return round(weight_kg / height_m ** 2, 1)\n",
        "assert bmi(70, 1.75) == 22.9\n",
        "for w in range(40, 140, 5):\n    for h in (1.5, 1.6, 1.7, 1.8, 1.9):\n"
        "        assert bmi(w, h) == round(w / h ** 2, 1)\n",
    ),
    "band": (
        "def band(systolic):\n    if systolic < 90:\n        return 'low'\n"
        "    if systolic < 140:\n        return 'normal'\n    return 'high'\n",
        "assert band(120) == 'normal'\n",
        "assert [band(s) for s in (60, 89, 90, 139, 140, 200)] == "
        "['low', 'low', 'normal', 'normal', 'high', 'high']\n",
    ),
    "rolling": (
        "def rolling(values, window):\n"
        "    return [sum(values[i - window + 1:i + 1]) / window\n"
        "            for i in range(window - 1, len(values))]\n",
        "assert rolling([1, 2, 3], 2) == [1.5, 2.5]\n",
        "assert rolling(list(range(10)), 5) == [2.0, 3.0, 4.0, 5.0, 6.0, 7.0]\n"
        "assert rolling([4], 1) == [4.0]\n",
    ),
}
WRONG = {
    "bmi": "def bmi(weight_kg, height_m):\n    return round(weight_kg / height_m, 1)\n",
    "band": "def band(systolic):\n    return 'normal'\n",
    "rolling": "def rolling(values, window):\n    return [sum(values) / len(values)]\n",
}


def _cell(kind: str, source: str, gid: str, **nbg: Any) -> dict[str, Any]:
    cell: dict[str, Any] = {
        "cell_type": kind,
        "id": gid,
        "source": source,
        "metadata": {
            "nbgrader": {
                "grade": False,
                "grade_id": gid,
                "locked": False,
                "schema_version": 3,
                "solution": False,
                "task": False,
                **nbg,
            }
        },
    }
    if kind == "code":
        cell.update(outputs=[], execution_count=None)
    return cell


def source_notebook() -> dict[str, Any]:
    cells = [_cell("markdown", "# Benchmark quiz", "intro", locked=True)]
    for name, (solution, visible, hidden) in TASKS.items():
        body = "\n".join(f"    {line}" for line in solution.splitlines()[1:])
        cells.append(
            _cell(
                "code",
                solution.splitlines()[0]
                + "\n    ### BEGIN SOLUTION\n"
                + body
                + "\n    ### END SOLUTION\n",
                f"{name}-answer",
                solution=True,
            )
        )
        cells.append(
            _cell(
                "code",
                visible + "### BEGIN HIDDEN TESTS\n" + hidden + "### END HIDDEN TESTS\n",
                f"{name}-tests",
                grade=True,
                locked=True,
                points=2,
            )
        )
    cells.append(_cell("markdown", "YOUR ANSWER HERE", "why", grade=True, solution=True, points=2))
    return {
        "cells": cells,
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    }


def make_academy(root: Path) -> None:
    def write(rel: str, data: Any) -> None:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")

    write(
        "specialist_academies/frameworks/fw.yml",
        {
            "id": "fw",
            "name": "Bench",
            "source": "Bench (2026)",
            "version": "1",
            "domains": [
                {
                    "id": "data",
                    "name": "Data",
                    "competencies": [{"code": "C1", "statement": "Computes."}],
                }
            ],
        },
    )
    write(
        "specialist_academies/roles.yml",
        [{"id": "analyst", "title": "Analyst", "description": "Analyses."}],
    )
    write(
        "specialist_academies/acad.yml",
        {
            "id": "acad",
            "title": "Bench",
            "audience": "All.",
            "summary": "Bench.",
            "courses": ["course-a"],
            "frameworks": ["fw"],
        },
    )
    write("courses/course-a/course.yml", {"id": "course-a", "title": "A", "summary": "A."})
    meta = {
        "id": "mod-one",
        "title": "Module",
        "summary": "M.",
        "minutes": 20,
        "level": "foundation",
        "outcomes": [{"text": "Calculate things"}],
        "competencies": ["fw:C1"],
        "audiences": ["analyst"],
        "assessment": "accredited",
        "version": "1.0.0",
        "authors": ["Bench"],
        "last_reviewed": "2026-06-01",
    }
    (root / "courses/course-a/01-mod-one.ipynb").write_text(
        json.dumps(
            {
                "cells": [{"cell_type": "markdown", "id": "a", "metadata": {}, "source": "# M"}],
                "metadata": {"academy": meta},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        ),
        "utf-8",
    )
    write(
        f"graders/assessments/{ASSESSMENT}.yml",
        {
            "id": ASSESSMENT,
            "title": "Benchmark quiz",
            "module": "mod-one",
            "competencies": ["fw:C1"],
            "pass_mark": 0.5,
            "methods": ["autograded code"],
        },
    )
    source = root / f"graders/source/{ASSESSMENT}"
    source.mkdir(parents=True)
    (source / f"{ASSESSMENT}.ipynb").write_text(json.dumps(source_notebook(), indent=1))


def submissions(n: int) -> dict[str, dict[str, str]]:
    """Learner -> answers: 40% right, 30% wrong, 15% slow (right but slow), 15% broken."""
    out = {}
    for i in range(n):
        kind = (
            "right",
            "right",
            "wrong",
            "right",
            "wrong",
            "slow",
            "broken",
            "right",
            "wrong",
            "right",
            "slow",
            "broken",
            "wrong",
            "right",
            "right",
            "slow",
            "broken",
            "wrong",
            "right",
            "wrong",
        )[i % 20]
        answers = {f"{t}-answer": TASKS[t][0] for t in TASKS}
        if kind == "wrong":
            answers[f"{('bmi', 'band', 'rolling')[i % 3]}-answer"] = WRONG[
                ("bmi", "band", "rolling")[i % 3]
            ]
        elif kind == "slow":
            delay = (
                "import time\ntime.sleep(0.5)\n"
                if i % 2
                else "x = 0\nfor _ in range(3_000_000):\n    x += 1\n"
            )
            answers["bmi-answer"] = delay + answers["bmi-answer"]
        elif kind == "broken":
            answers[("band-answer", "rolling-answer", "bmi-answer")[i % 3]] = (
                "def band(systolic):\n    return 'normal'\n  oops\n",
                "def rolling(values, window):\n    raise RuntimeError('not done')\n",
                "raise ValueError('I gave up')\n",
            )[i % 3]
        out[f"learner{i:03d}"] = answers
    return out


def submit(course_dir: Path, release: dict[str, Any], answers: dict[str, dict[str, str]]) -> None:
    for learner, mine in answers.items():
        nb = json.loads(json.dumps(release))
        for cell in nb["cells"]:
            gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
            if gid in mine:
                cell["source"] = mine[gid]
        folder = course_dir / "submitted" / learner / ASSESSMENT
        folder.mkdir(parents=True)
        (folder / f"{ASSESSMENT}.ipynb").write_text(json.dumps(nb))
        (folder / "timestamp.txt").write_text("2026-11-20 10:00:00.000000 UTC")


def scores(course_dir: Path) -> dict[tuple[str, str], float | None]:
    with closing(sqlite3.connect(course_dir / "gradebook.db")) as conn:
        rows = conn.execute(
            "SELECT student.id, base_cell.name, grade.auto_score FROM grade "
            "JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id "
            "JOIN submitted_assignment ON submitted_notebook.assignment_id = "
            "submitted_assignment.id JOIN student ON submitted_assignment.student_id = "
            "student.id JOIN base_cell ON grade.cell_id = base_cell.id"
        ).fetchall()
    return {(s, c): a for s, c, a in rows}


def stock_config(course_dir: Path, course_id: str, exchange: Path) -> None:
    """nbgrader's own pipeline (the course run's config refuses unsandboxed autograde)."""
    (course_dir / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course_dir)!r}\n"
        f"c.CourseDirectory.course_id = {course_id!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
        "c.Execute.timeout = 60\n"
    )


def prepare(root: Path, n: int, with_dask: bool) -> dict[str, Any]:
    """Four course runs made from the same source, each holding the same submissions."""
    from digital_academy.assess import workflow  # noqa: PLC0415 - after the state folder is set
    from digital_academy.assess.settings import CourseRun, Settings  # noqa: PLC0415

    make_academy(root)
    answers = submissions(n)
    runs = {}
    for name in ("stock", "academy", "local-1", "dask-1", "dask-2"):
        if not with_dask and name.startswith("dask"):
            continue
        course = CourseRun(root, f"bench-{name}")
        workflow.generate(course, ASSESSMENT, Settings(), selfcheck=name == "academy")
        release = json.loads(
            (course.folder / "release" / ASSESSMENT / f"{ASSESSMENT}.ipynb").read_text()
        )
        submit(course.folder, release, answers)
        runs[name] = course
    return runs


def run_stock(course: Any, env: dict[str, str]) -> float:
    stock_config(course.folder, course.course_id, course.exchange)
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", "autograde", ASSESSMENT, "--force"],
        cwd=course.folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        console.print(f"[yellow]nbgrader autograde exited {done.returncode}[/]")
    return time.perf_counter() - t0


def run_academy(
    root: Path, course: Any, env: dict[str, str], extra: list[str]
) -> tuple[float, dict[str, Any]]:
    t0 = time.perf_counter()
    ours = subprocess.run(
        [
            sys.executable,
            "-m",
            "digital_academy.cli.main",
            "assess",
            "autograde",
            ASSESSMENT,
            "--course",
            course.course_id,
            "--root",
            str(root),
            "--format",
            "json",
            *extra,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - t0
    if ours.returncode != 0:
        raise SystemExit(f"academy assess autograde failed:\n{ours.stderr[-2000:]}")
    return seconds, json.loads(ours.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument("--no-dask", action="store_true", help="Skip the Dask scaling runs.")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="academy-autograde-bench-"))
    os.environ["ACADEMY_STATE_DIR"] = str(work / "state")
    scripts = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": os.pathsep.join([scripts, os.environ.get("PATH", "")])}
    n = args.submissions
    try:
        root = work / "academy"
        runs = prepare(root, n, not args.no_dask)
        console.print(f"{n} submissions generated; load average {os.getloadavg()[0]:.1f}")
        stock_seconds = run_stock(runs["stock"], env)
        timings, reports = {}, {}
        for name, extra in (
            ("academy", []),
            ("local-1", ["--workers", "1"]),
            ("dask-1", ["--backend", "dask", "--workers", "1"]),
            ("dask-2", ["--backend", "dask", "--workers", "2"]),
        ):
            if name in runs:
                timings[name], reports[name] = run_academy(root, runs[name], env, extra)
        show(n, stock_seconds, timings, reports["academy"])
        base, mine = scores(runs["stock"].folder), scores(runs["academy"].folder)
        differ = sorted({s for (s, c), v in base.items() if mine.get((s, c)) != v})
        if differ:
            console.print(f"[red]scores differ for {len(differ)} submission(s): {differ[:10]}[/]")
            raise SystemExit(1)
        console.print(
            f"[green]identical scores[/] for all {len({s for s, _ in base})} "
            f"submissions ({len(base)} graded cells)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def show(n: int, stock_seconds: float, timings: dict[str, float], report: dict[str, Any]) -> None:
    table = Table(title=f"Autograding {n} submissions on {os.cpu_count()} cores")
    for column in ("run", "seconds", "per submission", "vs stock"):
        table.add_column(column, justify="left" if column == "run" else "right")
    table.add_row(
        "stock nbgrader autograde (1 process)",
        f"{stock_seconds:.1f}",
        f"{stock_seconds / n:.3f}",
        "1.0x",
    )
    labels = {
        "academy": f"academy assess autograde (sandbox {report['mode']}, "
        f"{report['workers']} local workers)",
        "local-1": "academy, local pool, 1 worker",
        "dask-1": "academy, Dask LocalCluster, 1 worker",
        "dask-2": "academy, Dask LocalCluster, 2 workers",
    }
    for name, seconds in timings.items():
        table.add_row(
            labels[name], f"{seconds:.1f}", f"{seconds / n:.3f}", f"{stock_seconds / seconds:.1f}x"
        )
    console.print(table)
    console.print(
        f"throughput ratio academy/stock: [bold]{stock_seconds / timings['academy']:.2f}x"
        "[/] (goal >= 3x)"
    )
    console.print(
        f"local pool scaling 1 -> {report['workers']} workers: "
        f"{timings['local-1'] / timings['academy']:.2f}x"
    )
    if "dask-2" in timings:
        console.print(f"Dask scaling 1 -> 2 workers: {timings['dask-1'] / timings['dask-2']:.2f}x")


if __name__ == "__main__":
    main()
