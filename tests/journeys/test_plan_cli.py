"""``academy plan`` end to end on catalogues on disk, and on the real repository."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from icalendar import Calendar
from tests.support import run

from digital_academy.catalog import load_valid

from .factory import module_meta, write_catalog


def plan(root: Path, *args: str) -> tuple[int, str, str]:
    return run("plan", "--root", str(root), *args)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    modules = [
        module_meta("intro", 20, ["C1"]),
        module_meta("deep-dive", 40, ["C2", "C3"], prerequisites=["intro"]),
        module_meta("quick-c2", 15, ["C2"]),
        module_meta("quick-c3", 30, ["C3"]),
        module_meta("extra", 10, ["C4"]),
    ]
    pathways = [{"id": "analyst-path", "role": "analyst", "modules": ["intro", "deep-dive"]}]
    return write_catalog(tmp_path, modules, pathways=pathways)


def test_role_plan_as_json_is_optimal_and_explained(root: Path) -> None:
    code, out, _ = plan(root, "--role", "analyst", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["targets"] == ["fw:C1", "fw:C2", "fw:C3"]
    # the pathway takes 60 min; intro + quick-c2 + quick-c3 = 65; intro + deep-dive = 60
    assert data["total_minutes"] == 60
    assert [p["module"] for p in data["plan"]] == ["intro", "deep-dive"]
    assert data["optimality"]["status"] == "Optimal"
    assert data["optimality"]["gap"] == 0
    why = data["plan"][0]["why"]
    assert why == ["evidences fw:C1 (Does C1.)", "prerequisite of deep-dive"]


def test_targets_and_done_modules(root: Path) -> None:
    code, out, _ = plan(root, "--target", "fw:C2,fw:C4", "--done", "intro", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [p["module"] for p in data["plan"]] == ["quick-c2", "extra"]
    assert data["total_minutes"] == 25


def test_weekly_schedule_and_icalendar(root: Path, tmp_path: Path) -> None:
    ics = tmp_path / "plan.ics"
    code, out, _ = plan(
        root,
        "--role",
        "analyst",
        "--hours-per-week",
        "0.75",
        "--start",
        "2027-01-04",
        "--by",
        "2027-02-01",
        "--ics",
        str(ics),
        "--format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    assert [(w["week"], w["modules"]) for w in data["schedule"]["weeks"]] == [
        (1, ["intro"]),
        (2, ["deep-dive"]),
    ]
    assert data["deadline"]["met"] is True
    events = Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == [
        "Study: Module intro (20 min)",
        "Study: Module deep-dive (40 min)",
    ]
    assert [e.decoded("dtstart").isoformat() for e in events] == ["2027-01-04", "2027-01-11"]


def test_half_an_hour_a_week_rules_out_a_40_minute_module(root: Path) -> None:
    code, out, _ = plan(root, "--role", "analyst", "--hours-per-week", "0.5", "--format", "json")
    assert code == 0
    modules = [p["module"] for p in json.loads(out)["plan"]]
    assert "deep-dive" not in modules and set(modules) == {"intro", "quick-c2", "quick-c3"}


def test_impossible_deadline_exits_non_zero_with_advice(root: Path) -> None:
    code, out, err = plan(
        root,
        "--role",
        "analyst",
        "--hours-per-week",
        "1",
        "--start",
        "2027-01-04",
        "--by",
        "2027-01-08",
    )
    # five days of a 60-minute week leave 42 minutes; the quickest plan needs 60
    assert code == 1
    assert "cannot meet 2027-01-08" in err
    assert "set --by 2027-01-10 or later" in err
    assert "study 1.5 hours a week" in err
    assert "intro" in out  # the quickest plan is still shown


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "surgeon"], "unknown role 'surgeon'"),
        (["--role", "nurse"], "no pathway prepares for role 'nurse'"),
        (["--target", "fw:C9"], "unknown competency 'fw:C9'"),
        (["--target", "fw:C1", "--done", "nope"], "unknown module 'nope'"),
        (["--target", "fw:C1", "--by", "2027-01-01"], "--by needs --hours-per-week"),
        (["--target", "fw:C1", "--hours-per-week", "1", "--by", "soon"], "is not a date"),
        ([], "--role ROLE or --target"),
    ],
)
def test_bad_input_is_one_clear_line(root: Path, args: list[str], message: str) -> None:
    code, _, err = plan(root, *args)
    assert code == 1
    assert message in err


def test_competency_no_module_evidences(tmp_path: Path) -> None:
    root = write_catalog(tmp_path, [module_meta("intro", 20, ["C1"])], codes=["C1", "C2"])
    code, _, err = plan(root, "--target", "fw:C2")
    assert code == 1
    assert "no module in the catalogue evidences fw:C2" in err


def test_every_role_with_a_pathway_in_the_real_catalogue_plans_optimally(repo: Path) -> None:
    catalog = load_valid(repo)
    roles = sorted({p.role for _, p in catalog.pathways()})
    assert roles
    for role in roles:
        code, out, _ = plan(repo, "--role", role, "--format", "json")
        assert code == 0, role
        data = json.loads(out)
        assert data["optimality"]["status"] == "Optimal"
        required = {m for _, p in catalog.pathways() if p.role == role for m in p.modules}
        # never worse than simply taking the pathways' required modules
        assert data["total_minutes"] <= sum(catalog.modules[m].minutes for m in required)
