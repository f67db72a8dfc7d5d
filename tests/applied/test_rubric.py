"""Capstones and rubrics as data: loading, validation with clear errors, and the arithmetic."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from digital_academy.applied.capstone import check_all, load_capstone
from digital_academy.applied.errors import RubricError
from digital_academy.applied.rubric import competency_fractions, total_percent
from digital_academy.catalog import check as check_catalog
from digital_academy.cli.main import cli

from .factory import CAPSTONE, CRITERIA, rubric_data, template, write_capstone


def _problems(root: Path) -> list[tuple[str, str, str]]:
    _, found = check_all(root)
    return [(d.file, d.field, d.message) for d in found]


def test_the_small_capstone_is_valid(root: Path) -> None:
    capstone = load_capstone(root, "proj")
    assert [c.id for c in capstone.rubric.criteria] == ["alpha", "beta", "gamma"]
    assert capstone.rubric.competencies() == ("fw:D1", "fw:D2", "fw:D3")
    assert len(capstone.rubric_sha256) == 64


def test_weighted_total_and_competencies_by_hand(root: Path) -> None:
    rubric = load_capstone(root, "proj").rubric
    scores = {"alpha": 3.0, "beta": 1.0, "gamma": 2.0}
    # 50 * 3/3 + 30 * 1/3 + 20 * 2/3 = 50 + 10 + 13.33...
    assert total_percent(rubric, scores) == pytest.approx(50 + 10 + 40 / 3)
    fractions = competency_fractions(rubric, scores)
    # D1 is evidenced by alpha (50) and gamma (20): (50 * 1 + 20 * 2/3) / 70
    assert fractions["fw:D1"] == pytest.approx((50 + 40 / 3) / 70)
    assert fractions["fw:D2"] == pytest.approx(1 / 3)
    assert fractions["fw:D3"] == pytest.approx(2 / 3)


def test_weights_that_do_not_sum_to_100_are_refused(root: Path) -> None:
    bad = copy.deepcopy(CRITERIA)
    bad[2]["weight"] = 15
    write_capstone(root, rubric=rubric_data(bad))
    found = _problems(root)
    assert found == [
        (
            "graders/capstones/proj/rubric.yml",
            "criteria[*].weight",
            "criterion weights sum to 95 (alpha 50, beta 30, gamma 15); they must sum to 100 "
            "because each is a percentage of the mark",
        )
    ]
    with pytest.raises(RubricError, match=r"rubric.yml: field criteria\[\*\]\.weight.*fix: "):
        load_capstone(root, "proj")


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (
            lambda r: r["criteria"][0]["descriptors"].pop("good"),
            "criteria[0].descriptors",
            "no descriptor for level(s) ['good']",
        ),
        (
            lambda r: r["criteria"][1]["descriptors"].update(superb="x"),
            "criteria[1].descriptors",
            "unknown level(s) ['superb']",
        ),
        (lambda r: r["levels"].reverse(), "levels", "not distinct and rising"),
        (
            lambda r: r["criteria"][0].update(competencies=["fw:D9"]),
            "criteria[0].competencies[0]",
            "competency 'fw:D9' is not in the frameworks",
        ),
        (
            lambda r: r["criteria"][0].update(competencies=["other:D1"]),
            "criteria[0].competencies[0]",
            "framework 'other' is not one of academy 'acad'",
        ),
        (
            lambda r: r["criteria"][0].update(competencies=["D1"]),
            "criteria[0].competencies[0]",
            "is not a competency reference",
        ),
        (
            lambda r: r["criteria"][1].update(id="alpha"),
            "criteria[1].id",
            "criterion 'alpha' repeats",
        ),
        (lambda r: r["criteria"][0].update(weight=-5), "criteria[0].weight", "greater than 0"),
        (lambda r: r.update(levels=r["levels"][:1]), "levels", "at least 2 items"),
    ],
)
def test_rubric_mistakes_name_file_field_and_problem(
    root: Path, change: Any, field: str, words: str
) -> None:
    rubric = rubric_data()
    change(rubric)
    write_capstone(root, rubric=rubric)
    found = _problems(root)
    assert any(f == field and words in m for _, f, m in found), found
    assert all(file.startswith("graders/capstones/proj/") for file, _, _ in found)


def test_template_must_give_each_criterion_an_answer_cell(root: Path) -> None:
    write_capstone(root, notebook=template(["alpha", "beta"]))
    assert _problems(root) == [
        ("graders/capstones/proj/template.ipynb", "cells", "no answer cell for criterion 'gamma'")
    ]
    write_capstone(root, notebook=template(["alpha", "beta", "gamma"], points=10))
    fields = {f for _, f, _ in _problems(root)}
    assert "cells[grade_id=alpha].metadata.nbgrader.points" in fields


def test_spec_mistakes(root: Path) -> None:
    write_capstone(root, spec={**CAPSTONE, "pass_mark": 2})
    assert [f for _, f, _ in _problems(root)] == ["pass_mark"]
    write_capstone(root, spec={**CAPSTONE, "id": "other-id"})
    assert _problems(root) == [
        (
            "graders/capstones/proj/capstone.yml",
            "id",
            "id 'other-id' does not match its folder 'proj'",
        )
    ]
    write_capstone(root, spec={**CAPSTONE, "academy": "nope"})
    assert _problems(root) == [
        ("graders/capstones/proj/capstone.yml", "academy", "no academy 'nope' in the catalogue")
    ]


def test_broken_yaml_is_reported_with_its_line(root: Path) -> None:
    (root / "graders/capstones/proj/rubric.yml").write_text("levels: [\n  - a\n", "utf-8")
    found = _problems(root)
    assert len(found) == 1
    assert found[0][0] == "graders/capstones/proj/rubric.yml"
    assert found[0][1].startswith("line ")


def test_cli_check_exits_1_with_a_table_and_marking_changes_nothing(
    root: Path, state: Path
) -> None:
    bad = copy.deepcopy(CRITERIA)
    bad[0]["weight"] = 40
    write_capstone(root, rubric=rubric_data(bad))
    runner = CliRunner()
    result = runner.invoke(cli, ["capstone", "check", "--root", str(root)])
    assert result.exit_code == 1
    assert "FAILED: 0 valid capstone(s), 1 error(s)" in result.output
    result = runner.invoke(cli, ["capstone", "check", "--root", str(root), "--format", "json"])
    payload = json.loads(result.output)
    assert payload["ok"] is False
    assert payload["diagnostics"][0]["field"] == "criteria[*].weight"
    result = runner.invoke(
        cli,
        [
            "capstone",
            "mark",
            "proj",
            "--root",
            str(root),
            "--course",
            "demo",
            "--as",
            "tutor1",
            "--learner",
            "learner1",
            "--level",
            "alpha=good",
        ],
    )
    assert result.exit_code == 1
    assert result.output.startswith("error: graders/capstones/proj/rubric.yml: field")
    assert "Traceback" not in result.output
    assert not state.exists()


def test_the_real_capstone_is_valid_and_evidences_real_competencies(repo: Path) -> None:
    loaded, found = check_all(repo)
    assert found == []
    capstone = next(c for c in loaded if c.id == "digital-change-project")
    catalog = check_catalog(repo).catalog
    academy = catalog.academies[capstone.spec.academy]
    assert sum(c.weight for c in capstone.rubric.criteria) == 100
    for ref in capstone.rubric.competencies():
        assert catalog.competency_statement(ref), ref
        assert ref.split(":")[0] in academy.frameworks
    # Every competency of the academy's pathway modules that leading change needs is covered.
    assert {"fci-core:D6.1", "fci-core:D4.1", "fci-core:D4.2"} <= set(
        capstone.rubric.competencies()
    )


def test_real_template_tells_learners_the_rubric_it_is_marked_by(repo: Path) -> None:
    capstone = load_capstone(repo, "digital-change-project")
    nb = json.loads(capstone.template.read_text("utf-8"))
    intro = nb["cells"][0]["source"]
    for c in capstone.rubric.criteria:
        row = f"| {c.title} | {c.weight:g}% | {', '.join(c.competencies)} |"
        assert row in intro, f"the template's table is out of date for {c.id}"
        prompt = next(cell["source"] for cell in nb["cells"] if cell["id"] == f"{c.id}-prompt")
        assert " ".join(c.descriptors["competent"].split()) in prompt
