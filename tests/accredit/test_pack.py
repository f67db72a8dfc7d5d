"""The accreditation pack: numbers checked by hand on a small catalogue, and every
academy of the real repository built through the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from tests.journeys.factory import module_meta, write_catalog
from tests.support import run

from digital_academy.accredit.coverage import build_pack
from digital_academy.catalog import load_valid

TODAY = dt.date(2027, 3, 1)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    modules = [
        # 45 + 30 + 45 = 120 minutes = 2 notional hours = 0.2 credits
        module_meta("mod-a", 45, ["C1", "C2"], assessment="accredited", last_reviewed="2026-01-15"),
        module_meta("mod-b", 30, ["C2"], prerequisites=["mod-a"], last_reviewed="2026-04-10"),
        module_meta("mod-c", 45, ["C3"], assessment="none", last_reviewed="2026-12-01"),
    ]
    pathways = [
        {"id": "core", "role": "analyst", "modules": ["mod-a", "mod-b"], "electives": ["mod-c"]}
    ]
    assessments = [
        {
            "id": "check-a",
            "module": "mod-a",
            "competencies": ["C1"],
            "pass_mark": 0.7,
            "methods": ["autograded code", "marked short answer"],
        }
    ]
    return write_catalog(
        tmp_path / "repo",
        modules,
        codes=["C1", "C2", "C3", "C4"],
        pathways=pathways,
        assessments=assessments,
    )


def test_pack_numbers(root: Path) -> None:
    pack = build_pack(load_valid(root), "acad", TODAY)
    assert pack.minutes == 120
    assert pack.hours == 2.0
    assert pack.credits == pytest.approx(0.2)
    (path,) = pack.pathways
    assert (path.minutes, path.elective_minutes, path.credits) == (75, 45, pytest.approx(0.125))
    trail = {(r.competency, r.module, r.assessment) for r in pack.coverage}
    assert trail == {
        ("fw:C1", "mod-a", "check-a"),
        ("fw:C2", "mod-a", "self-check"),
        ("fw:C2", "mod-b", "self-check"),
        ("fw:C3", "mod-c", "none"),
    }
    c1 = next(r for r in pack.coverage if r.competency == "fw:C1")
    assert c1.outcome == "Apply C1"
    assert "pass mark 70%" in c1.evidence
    assert c1.methods == "autograded code; marked short answer"
    gaps = {(g.competency, g.kind) for g in pack.gaps}
    assert gaps == {
        ("fw:C2", "not assessed"),
        ("fw:C3", "not assessed"),
        ("fw:C4", "not evidenced"),
    }
    status = {m.module: (m.review_due, m.review_status) for m in pack.modules}
    assert status == {
        "mod-a": ("2027-01-15", "overdue"),
        "mod-b": ("2027-04-10", "due soon"),
        "mod-c": ("2027-12-01", "current"),
    }
    assert pack.next_review == "2027-01-15"


def test_cli_writes_html_csv_json_and_pdf(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "packs"
    code, _, _ = run(
        "accredit", "--root", str(root), "acad", "--out", str(out), "--today", "2027-03-01"
    )
    assert code == 0
    folder = out / "acad"
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "assessments.csv",
        "coverage.csv",
        "gaps.csv",
        "index.html",
        "modules.csv",
        "pack.json",
        "pack.pdf",
        "pathways.csv",
    ]
    with (folder / "modules.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["module"], r["minutes"], r["credits"]) for r in rows] == [
        ("mod-a", "45", "0.07"),
        ("mod-b", "30", "0.05"),
        ("mod-c", "45", "0.07"),
    ]
    with (folder / "gaps.csv").open(encoding="utf-8") as handle:
        assert {r["competency"] for r in csv.DictReader(handle)} == {"fw:C2", "fw:C3", "fw:C4"}
    page = (folder / "index.html").read_text("utf-8")
    assert "2.0 h (120 min)" in page and "0.20" in page
    assert "3 of 4: 1\n by graded assessment, 2 by self-checks only;\n 1 not evidenced" in page
    data = json.loads((folder / "pack.json").read_text("utf-8"))
    assert data["uk_credits"] == 0.2 and len(data["coverage"]) == 4
    pdf = (folder / "pack.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type /Page\b", pdf)) >= 1
    # rebuilding replaces the folder whole: no stale files, no staging left behind
    (folder / "stale.txt").write_text("old", "utf-8")
    code, _, _ = run("accredit", "--root", str(root), "acad", "--out", str(out), "--no-pdf")
    assert code == 0
    assert not (folder / "stale.txt").exists() and not (folder / "pack.pdf").exists()
    assert sorted(p.name for p in out.iterdir()) == ["acad"]


def test_unknown_academy(root: Path) -> None:
    code, _, err = run("accredit", "--root", str(root), "nope")
    assert code == 1 and "unknown academy 'nope'; known: acad" in err
    code, _, err = run("accredit", "--root", str(root))
    assert code == 1 and "--all" in err


@pytest.mark.slow
def test_pack_for_every_academy_in_the_repository(repo: Path, tmp_path: Path) -> None:
    catalog = load_valid(repo)
    code, _, err = run("accredit", "--root", str(repo), "--all", "--out", str(tmp_path))
    assert code == 0, err
    for academy in catalog.academies.values():
        folder = tmp_path / academy.id
        data = json.loads((folder / "pack.json").read_text("utf-8"))
        modules = {m.id for m in catalog.academy_modules(academy.id)}
        modules |= {m for p in academy.pathways for m in (*p.modules, *p.electives)}
        assert {m["module"] for m in data["modules"]} == modules
        minutes = sum(catalog.modules[m].minutes for m in modules)
        assert data["minutes"] == minutes
        assert data["uk_credits"] == round(minutes / 600, 2)
        # every framework competency is either covered or reported as a gap
        refs = {
            f"{fid}:{code}"
            for fid in academy.frameworks
            for code in catalog.frameworks[fid].codes()
        }
        covered = {r["competency"] for r in data["coverage"]}
        unevidenced = {g["competency"] for g in data["gaps"] if g["kind"] == "not evidenced"}
        assert covered | unevidenced == refs and not covered & unevidenced
        assert (folder / "pack.pdf").read_bytes().startswith(b"%PDF-")
