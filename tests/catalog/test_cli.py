"""The catalogue commands on valid content, and the model's own rules."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from digital_academy.catalog import check, load_valid
from digital_academy.catalog.model import BITESIZE_MAX_MINUTES, Module
from digital_academy.catalog.scaffold import ScaffoldError, new_module
from digital_academy.catalog.schema import KINDS, json_schema
from digital_academy.catalog.validate import find_cycles
from digital_academy.cli.main import cli

from .factory import make_catalog, module_meta, snapshot


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_valid_catalogue_passes(tmp_path: Path) -> None:
    root = make_catalog(tmp_path)
    code, out = run("check", "--root", str(root), "--format", "json", "--today", "2026-07-01")
    report = json.loads(out)
    assert code == 0
    assert report["ok"] is True
    assert report["counts"]["modules"] == 3
    assert report["diagnostics"] == []


def test_overdue_review_is_a_warning_and_strict_makes_it_fail(tmp_path: Path) -> None:
    root = make_catalog(tmp_path)
    code, out = run("check", "--root", str(root), "--format", "json", "--today", "2027-07-01")
    report = json.loads(out)
    assert code == 0
    assert {d["code"] for d in report["diagnostics"]} == {"review-overdue"}
    assert all(d["severity"] == "warning" for d in report["diagnostics"])
    code, _ = run("check", "--root", str(root), "--strict", "--today", "2027-07-01")
    assert code == 1


def test_review_due_date() -> None:
    module = Module.model_validate(module_meta("m1", last_reviewed="2026-03-31"))
    assert module.review_due() == dt.date(2027, 3, 28)
    quarterly = Module.model_validate(
        module_meta("m1", last_reviewed="2026-11-15", review_every_months=3)
    )
    assert quarterly.review_due() == dt.date(2027, 2, 15)


def test_bitesize_bound_is_enforced_at_the_documented_limit() -> None:
    Module.model_validate(module_meta("m1", minutes=BITESIZE_MAX_MINUTES))
    with pytest.raises(ValueError, match="less than or equal to 45"):
        Module.model_validate(module_meta("m1", minutes=BITESIZE_MAX_MINUTES + 1))


def test_cycles_are_printed_as_a_path() -> None:
    graph = {"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"], "e": []}
    assert find_cycles(graph) == [["a", "b", "c", "a"]]
    assert find_cycles({"a": ["b"], "b": []}) == []


def test_list_and_show(tmp_path: Path) -> None:
    root = make_catalog(tmp_path)
    code, out = run("list", "--root", str(root), "--format", "json")
    assert code == 0
    listing = json.loads(out)
    assert [m["id"] for m in listing["modules"]] == ["mod-1", "mod-2", "mod-3"]
    assert listing["modules"][1]["prerequisites"] == ["mod-1"]
    code, out = run("show", "--root", str(root), "mod-2", "--format", "json")
    assert code == 0
    shown = json.loads(out)
    assert shown["kind"] == "module"
    assert shown["academies"] == ["acad"]
    code, out = run("show", "--root", str(root), "path-a", "--format", "json")
    assert json.loads(out)["academy"] == "acad"
    code, out = run("list", "--root", str(root))
    assert code == 0
    assert "Test academy" in out


def test_show_unknown_id_and_list_unknown_academy_fail_clearly(tmp_path: Path) -> None:
    root = make_catalog(tmp_path)
    code, out = run("show", "--root", str(root), "nothing")
    assert code == 1
    assert "nothing in the catalogue has the id 'nothing'" in out
    code, out = run("list", "--root", str(root), "--academy", "nope")
    assert code == 1
    assert "unknown academy 'nope'" in out


def test_commands_refuse_a_broken_catalogue(tmp_path: Path) -> None:
    root = make_catalog(tmp_path)
    (root / "courses/course-a/01-mod-1.ipynb").write_text("{", "utf-8")
    code, out = run("list", "--root", str(root))
    assert code == 1
    assert "run `academy check`" in out


def test_missing_root_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ACADEMY_ROOT", raising=False)
    code, out = run("check")
    assert code == 1
    assert "no academy content found" in out


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_schema_is_valid_json_schema(kind: str) -> None:
    code, out = run("schema", kind)
    assert code == 0
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema == json_schema(kind)


def test_module_schema_accepts_valid_and_rejects_invalid_metadata() -> None:
    validator = jsonschema.Draft202012Validator(json_schema("module"))
    assert not list(validator.iter_errors(module_meta("m1")))
    assert list(validator.iter_errors(module_meta("m1", minutes=BITESIZE_MAX_MINUTES + 1)))
    assert list(validator.iter_errors(module_meta("m1", outcomes=[])))


def test_published_schemas_are_current(repo: Path) -> None:
    for kind in KINDS:
        published = json.loads((repo / "docs/schema" / f"{kind}.json").read_text("utf-8"))
        assert published == json_schema(kind), (
            f"run: academy schema {kind} > docs/schema/{kind}.json"
        )


def test_new_module_passes_check_at_once(tmp_path: Path) -> None:
    root = make_catalog(tmp_path)
    new = ("new", "module", "--root", str(root), "--course", "course-a")
    code, out = run(*new, "--title", "Reading run charts", "--author", "A. Author")
    assert code == 0, out
    created = root / "courses/course-a/04-reading-run-charts.ipynb"
    assert created.exists()
    result = check(root)
    assert result.diagnostics == []
    assert result.catalog.modules["reading-run-charts"].authors == ("A. Author",)
    # The same command again must not overwrite the author's work.
    before = snapshot(root)
    code, out = run(*new, "--title", "Reading run charts")
    assert code == 1
    assert "is taken by" in out
    assert snapshot(root) == before


def test_new_module_refuses_unknown_course(tmp_path: Path) -> None:
    catalog = load_valid(make_catalog(tmp_path))
    with pytest.raises(ScaffoldError, match="unknown course 'ghost'"):
        new_module(catalog, "ghost", "T", "A", dt.date(2026, 1, 1))


def test_scaffold_is_a_pure_builder(tmp_path: Path) -> None:
    catalog = load_valid(make_catalog(tmp_path))
    first = new_module(catalog, "course-a", "Run charts", "A", dt.date(2026, 1, 1))
    second = new_module(catalog, "course-a", "Run charts", "A", dt.date(2026, 1, 1))
    assert first == second
    path, notebook = first
    assert path.name == "04-run-charts.ipynb"
    assert notebook["metadata"]["academy"]["competencies"] == ["fw:D1"]
    assert notebook["metadata"]["academy"]["last_reviewed"] == "2026-01-01"


def test_the_installed_command_prints_no_traceback(tmp_path: Path) -> None:
    root = make_catalog(tmp_path)
    (root / "courses/course-a/01-mod-1.ipynb").write_bytes(b"\xff\xfe")
    proc = subprocess.run(
        [sys.executable, "-m", "digital_academy.cli.main", "check", "--root", str(root)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "not UTF-8" in proc.stdout


def test_repository_catalogue_is_green(repo: Path) -> None:
    result = check(repo)
    assert result.errors == [], "\n".join(f"{d.file} {d.field}: {d.message}" for d in result.errors)
    catalog = result.catalog
    assert len(catalog.academies) >= 3
    assert len(catalog.pathways()) >= 6
    assert len(catalog.modules) >= 15
    frameworks = {ref.split(":")[0] for m in catalog.modules.values() for ref in m.competencies}
    assert len(frameworks) >= 2
