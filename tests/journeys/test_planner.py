"""The planner is optimal: checked against brute force on small generated catalogues."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from typing import Any

import pytest

from digital_academy.catalog import Catalog
from digital_academy.journeys.planner import Plan, plan
from digital_academy.journeys.schedule import Calendar
from digital_academy.journeys.targets import PlanError, Targets

from .factory import memory_catalog, module_meta

START = dt.date(2026, 1, 5)


def random_modules(rng: random.Random, n: int, codes: list[str]) -> list[dict[str, Any]]:
    modules = []
    for i in range(n):
        ident = f"m{i}"
        comps = rng.sample(codes, rng.randint(1, min(3, len(codes))))
        earlier = [f"m{j}" for j in range(i)]
        prereqs = [p for p in earlier if rng.random() < 0.25]
        minutes = rng.choice(range(5, 46, 5))
        modules.append(module_meta(ident, minutes, comps, prereqs))
    return modules


def targets_for(catalog: Catalog, rng: random.Random, codes: list[str]) -> Targets:
    covered = sorted({c for m in catalog.modules.values() for c in m.competencies})
    wanted = rng.sample(covered, rng.randint(1, len(covered)))
    done = [m for m in catalog.modules if rng.random() < 0.15]
    return Targets(tuple(sorted(wanted)), frozenset(done), "test")


def feasible_sets(catalog: Catalog, targets: Targets) -> list[tuple[int, frozenset[str]]]:
    """Every prerequisite-closed set of modules that covers the targets, with its minutes."""
    free = [m for m in catalog.modules.values() if m.id not in targets.done]
    have = {c for d in targets.done for c in catalog.modules[d].competencies}
    found = []
    for r in range(len(free) + 1):
        for combo in itertools.combinations(free, r):
            ids = {m.id for m in combo}
            if any(p not in ids and p not in targets.done for m in combo for p in m.prerequisites):
                continue
            got = have | {c for m in combo for c in m.competencies}
            if set(targets.competencies) <= got:
                found.append((sum(m.minutes for m in combo), frozenset(ids)))
    return found


def check_plan_is_valid(catalog: Catalog, targets: Targets, result: Plan) -> None:
    ids = [i.module.id for i in result.items]
    assert len(ids) == len(set(ids))
    assert not set(ids) & targets.done
    got = {c for m in ids for c in catalog.modules[m].competencies}
    got |= {c for d in targets.done for c in catalog.modules[d].competencies}
    assert set(targets.competencies) <= got
    position = {m: i for i, m in enumerate(ids)}
    for item in result.items:
        for p in item.module.prerequisites:
            assert p in targets.done or position[p] < position[item.module.id]
            if item.week is not None and p in position:
                assert result.items[position[p]].week <= item.week  # type: ignore[operator]


@pytest.mark.parametrize("seed", range(40))
def test_least_total_time_matches_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    codes = [f"C{i}" for i in range(1, rng.randint(3, 6) + 1)]
    catalog = memory_catalog(random_modules(rng, rng.randint(4, 10), codes), codes)
    targets = targets_for(catalog, rng, codes)
    best = min(feasible_sets(catalog, targets), key=lambda x: x[0])[0]
    result = plan(catalog, targets)
    assert result.proof.optimal
    assert result.minutes == best
    assert result.proof.bound is not None and result.proof.bound == pytest.approx(best)
    assert result.proof.gap == pytest.approx(0)
    check_plan_is_valid(catalog, targets, result)


def capacity(minutes_per_week: int, by: dt.date, week: int) -> int:
    """Written out again here (not imported) so the test checks the documented rule."""
    first = START + dt.timedelta(days=7 * (week - 1))
    days = min(7, (by - first).days + 1)
    return minutes_per_week * days // 7 if days > 0 else 0


def schedulable(
    catalog: Catalog, ids: frozenset[str], weeks: int, per_week: int, by: dt.date
) -> bool:
    mods = [catalog.modules[m] for m in sorted(ids)]
    caps = [capacity(per_week, by, k) for k in range(1, weeks + 1)]
    for weeks_of in itertools.product(range(weeks), repeat=len(mods)):
        load = [0] * weeks
        for m, w in zip(mods, weeks_of, strict=True):
            load[w] += m.minutes
        if any(a > b for a, b in zip(load, caps, strict=True)):
            continue
        week = {m.id: w for m, w in zip(mods, weeks_of, strict=True)}
        if all(week[p] <= week[m.id] for m in mods for p in m.prerequisites if p in week):
            return True
    return False


@pytest.mark.parametrize("seed", range(30))
def test_deadline_verdict_matches_brute_force(seed: int) -> None:
    rng = random.Random(1000 + seed)
    codes = [f"C{i}" for i in range(1, 5)]
    catalog = memory_catalog(random_modules(rng, rng.randint(3, 6), codes), codes)
    targets = targets_for(catalog, rng, codes)
    per_week = rng.choice([45, 60, 90])
    by = START + dt.timedelta(days=rng.randint(6, 20))
    weeks = -(-((by - START).days + 1) // 7)
    options = [
        (minutes, ids)
        for minutes, ids in feasible_sets(catalog, targets)
        if schedulable(catalog, ids, weeks, per_week, by)
    ]
    result = plan(catalog, targets, Calendar(START, per_week, by))
    assert result.deadline is not None
    assert result.deadline.met == bool(options)
    if options:
        assert result.minutes == min(m for m, _ in options)
        check_plan_is_valid(catalog, targets, result)
        for week in {i.week for i in result.items}:
            assert week is not None and 1 <= week <= weeks
            load = sum(i.module.minutes for i in result.items if i.week == week)
            assert load <= capacity(per_week, by, week)
    else:
        assert "cannot meet" in result.deadline.message


def test_cheaper_pair_beats_one_big_module_until_a_prerequisite_tips_it() -> None:
    codes = ["C1", "C2"]
    modules = [
        module_meta("big", 40, ["C1", "C2"]),
        module_meta("small-1", 15, ["C1"]),
        module_meta("small-2", 15, ["C2"]),
    ]
    targets = Targets(("fw:C1", "fw:C2"), frozenset(), "test")
    result = plan(memory_catalog(modules, codes), targets)
    assert sorted(i.module.id for i in result.items) == ["small-1", "small-2"]
    assert result.minutes == 30

    modules = [
        module_meta("pre", 20, ["C3"]),
        module_meta("big", 40, ["C1", "C2"]),
        module_meta("small-1", 15, ["C1"]),
        module_meta("small-2", 15, ["C2"], prerequisites=["pre"]),
    ]
    result = plan(memory_catalog(modules, [*codes, "C3"]), targets)
    assert [i.module.id for i in result.items] == ["big"]
    # ... unless the prerequisite is already done
    done = Targets(("fw:C1", "fw:C2"), frozenset({"pre"}), "test")
    result = plan(memory_catalog(modules, [*codes, "C3"]), done)
    assert sorted(i.module.id for i in result.items) == ["small-1", "small-2"]


def test_first_fit_fails_but_the_deadline_program_finds_the_packing() -> None:
    # Capacity 60 a week for 2 weeks; 25+25 | 35 | 35 overflows with first-fit in
    # order, while 25+35 | 25+35 fits: only the time-indexed program sees it.
    codes = ["C1", "C2", "C3", "C4"]
    modules = [
        module_meta("aa", 25, ["C1"]),
        module_meta("bb", 25, ["C2"]),
        module_meta("cc", 35, ["C3"]),
        module_meta("dd", 35, ["C4"]),
    ]
    targets = Targets(tuple(f"fw:{c}" for c in codes), frozenset(), "test")
    by = START + dt.timedelta(days=13)
    result = plan(memory_catalog(modules, codes), targets, Calendar(START, 60, by))
    assert result.deadline is not None and result.deadline.met
    assert result.proof.optimal and result.proof.variables == 8  # 4 modules x 2 weeks
    loads = sorted(sum(i.module.minutes for i in result.items if i.week == w) for w in (1, 2))
    assert loads == [60, 60]


def test_impossible_deadline_is_proved_and_explained() -> None:
    codes = ["C1", "C2"]
    modules = [module_meta("aa", 45, ["C1"]), module_meta("bb", 45, ["C2"], prerequisites=["aa"])]
    targets = Targets(("fw:C1", "fw:C2"), frozenset(), "test")
    by = START + dt.timedelta(days=6)  # one week of 60 minutes for 90 minutes of study
    result = plan(memory_catalog(modules, codes), targets, Calendar(START, 60, by))
    assert result.deadline is not None and not result.deadline.met
    assert result.deadline.proof is not None and result.deadline.proof.infeasible
    assert (
        result.proof.optimal and result.minutes == 90
    )  # the quickest plan, unscheduled by the date
    assert "set --by 2026-01-18 or later" in result.deadline.message
    assert result.deadline.hours_per_week_needed == 1.5
    assert [i.week for i in result.items] == [1, 2]


def test_hours_too_few_for_any_module_is_a_plan_error() -> None:
    codes = ["C1"]
    targets = Targets(("fw:C1",), frozenset(), "test")
    with pytest.raises(PlanError, match="raise --hours-per-week"):
        plan(memory_catalog([module_meta("aa", 45, ["C1"])], codes), targets, Calendar(START, 30))


def test_targets_met_by_done_modules_give_an_empty_plan() -> None:
    codes = ["C1"]
    targets = Targets(("fw:C1",), frozenset({"aa"}), "test")
    result = plan(memory_catalog([module_meta("aa", 20, ["C1"])], codes), targets)
    assert result.items == () and result.already_evidenced == ("fw:C1",)
