"""How long ``academy check`` takes on generated catalogues of 250, 500 and 1,000 modules.

Run: python benchmarks/check_catalog.py

Goal (issue 2): at most 2 s for 1,000 modules on a 2-core machine, growing linearly.
Baseline, measured in the same run on the same files: reading and validating every
notebook with ``nbformat`` (what a tool that parses notebooks the usual way would pay
before checking a single cross-reference).
"""

from __future__ import annotations

import itertools
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
EXEMPLAR = REPO / "courses/health-data-standards/01-nhs-number-validation.ipynb"
SIZES = (250, 500, 1000)
COURSE_SIZE = 10  # modules per course
REPEATS = 3


def generate(root: Path, modules: int) -> None:
    """A catalogue shaped like the real one: real module cells, chains of prerequisites."""
    template = json.loads(EXEMPLAR.read_text("utf-8"))
    meta = template["metadata"]["academy"]
    for rel in ("specialist_academies/frameworks", "specialist_academies"):
        (root / rel).mkdir(parents=True, exist_ok=True)
    for name in ("fci-core", "hee-dcf", "dart-ed-ai"):
        src = REPO / f"specialist_academies/frameworks/{name}.yml"
        (root / f"specialist_academies/frameworks/{name}.yml").write_bytes(src.read_bytes())
    (root / "specialist_academies/roles.yml").write_bytes(
        (REPO / "specialist_academies/roles.yml").read_bytes()
    )
    courses = []
    for c in range(modules // COURSE_SIZE):
        course = f"course-{c:03d}"
        courses.append(course)
        folder = root / "courses" / course
        folder.mkdir(parents=True)
        (folder / "course.yml").write_text(
            yaml.safe_dump({"id": course, "title": f"Course {c}", "summary": "Generated."})
        )
        for m in range(COURSE_SIZE):
            ident = f"m-{c:03d}-{m:02d}"
            module = {
                **meta,
                "id": ident,
                "assessment": "self-check",
                "prerequisites": [f"m-{c:03d}-{m - 1:02d}"] if m else [],
            }
            nb = {**template, "metadata": {**template["metadata"], "academy": module}}
            (folder / f"{m:02d}-{ident}.ipynb").write_text(json.dumps(nb), "utf-8")
    academy = {
        "id": "generated",
        "title": "Generated academy",
        "audience": "Benchmarks.",
        "summary": "Generated.",
        "courses": courses,
        "frameworks": ["fci-core"],
    }
    (root / "specialist_academies/generated.yml").write_text(yaml.safe_dump(academy))


def time_check(root: Path, modules: int) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "digital_academy.cli.main",
            "check",
            "--root",
            str(root),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    report = json.loads(proc.stdout)
    if proc.returncode != 0:
        raise SystemExit(f"generated catalogue failed check: {report['diagnostics'][:3]}")
    if report["counts"]["modules"] != modules:
        raise SystemExit(f"expected {modules} modules, check saw {report['counts']['modules']}")
    return elapsed


def time_nbformat(root: Path) -> float:
    code = (
        "import sys, pathlib, nbformat\n"
        "for p in sorted(pathlib.Path(sys.argv[1]).rglob('*.ipynb')):\n"
        "    nbformat.validate(nbformat.read(p, as_version=4))\n"
    )
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(root)], check=True)
    return time.perf_counter() - start


def main() -> None:
    rows = []
    for size in SIZES:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            generate(root, size)
            check = statistics.median(time_check(root, size) for _ in range(REPEATS))
            baseline = statistics.median(time_nbformat(root) for _ in range(REPEATS))
        rows.append((size, check, baseline))
        print(
            f"{size:>5} modules: academy check {check:.2f} s | nbformat read+validate "
            f"{baseline:.2f} s | ratio baseline/check {baseline / check:.1f}x",
            flush=True,
        )
    small, large = rows[0], rows[-1]
    # Start-up (interpreter and imports) is a constant; linear growth means a constant
    # cost per module, so compare the marginal cost between the sizes.
    per_module = [(b[1] - a[1]) / (b[0] - a[0]) * 1000 for a, b in itertools.pairwise(rows)]
    print(
        "marginal cost per module: "
        + ", ".join(f"{ms:.2f} ms" for ms in per_module)
        + f" (250->500, 500->1000); time grew {large[1] / small[1]:.2f}x for 4x modules"
    )
    verdict = "meets" if large[1] <= 2.0 else "MISSES"
    print(f"1,000 modules in {large[1]:.2f} s: {verdict} the 2 s goal")


if __name__ == "__main__":
    main()
