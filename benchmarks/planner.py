"""Planner benchmark: the HiGHS integer program against exhaustive search (the baseline).

Run: .venv/bin/python benchmarks/planner.py
Both find the least total learning time on the same random catalogues (18 modules,
8 competencies, random prerequisites); the script checks they agree and prints the
time of each and the speed-up of the integer program over exhaustive search.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

from digital_academy.catalog import Catalog, CompetencyFramework, Module, ModuleLocation
from digital_academy.journeys.planner import plan
from digital_academy.journeys.targets import Targets

MODULES = 18
CODES = [f"C{i}" for i in range(1, 9)]
RUNS = 5


def catalogue(rng: random.Random) -> Catalog:
    framework = CompetencyFramework.model_validate(
        {
            "id": "fw", "name": "Bench", "source": "Bench (2026)", "version": "1",
            "domains": [{"id": "dd", "name": "D", "competencies": [
                {"code": c, "statement": f"Does {c}."} for c in CODES
            ]}],
        }
    )  # fmt: skip
    modules = []
    for i in range(MODULES):
        comps = rng.sample(CODES, rng.randint(1, 3))
        modules.append(
            Module.model_validate(
                {
                    "id": f"m{i:02d}",
                    "title": f"M{i}",
                    "summary": "S.",
                    "minutes": rng.choice(range(5, 46, 5)),
                    "level": "foundation",
                    "outcomes": [{"text": "Apply it"}],
                    "prerequisites": [f"m{j:02d}" for j in range(i) if rng.random() < 0.15],
                    "competencies": [f"fw:{c}" for c in comps],
                    "audiences": ["all"],
                    "assessment": "none",
                    "version": "1.0",
                    "authors": ["B"],
                    "last_reviewed": "2026-01-01",
                }
            )
        )
    return Catalog(
        root=Path(),
        frameworks={"fw": framework},
        roles={},
        academies={},
        courses={},
        modules={m.id: m for m in modules},
        locations={m.id: ModuleLocation("c", Path(m.id)) for m in modules},
        assessments={},
    )


def exhaustive(catalog: Catalog, targets: set[str]) -> int:
    mods = list(catalog.modules.values())
    best = sys.maxsize
    for mask in range(1 << len(mods)):
        chosen = [m for i, m in enumerate(mods) if mask >> i & 1]
        ids = {m.id for m in chosen}
        minutes = sum(m.minutes for m in chosen)
        if minutes >= best or any(p not in ids for m in chosen for p in m.prerequisites):
            continue
        if targets <= {c for m in chosen for c in m.competencies}:
            best = minutes
    return best


def main() -> None:
    rng = random.Random(7)
    ilp_time = brute_time = 0.0
    for run in range(RUNS):
        catalog = catalogue(rng)
        targets = sorted({c for m in catalog.modules.values() for c in m.competencies})
        started = time.perf_counter()
        result = plan(catalog, Targets(tuple(targets), frozenset(), "bench"))
        ilp_time += time.perf_counter() - started
        started = time.perf_counter()
        best = exhaustive(catalog, set(targets))
        brute_time += time.perf_counter() - started
        assert result.minutes == best, (run, result.minutes, best)
        print(f"run {run}: optimum {best} min, HiGHS {result.proof.status}, agrees")
    print(f"integer program: {ilp_time / RUNS * 1000:.1f} ms per plan")
    print(f"exhaustive search (baseline): {brute_time / RUNS * 1000:.1f} ms per plan")
    print(f"ratio baseline / integer program: {brute_time / ilp_time:.1f}x")


if __name__ == "__main__":
    main()
