"""Reading applicants and quotas: bad input gets a clear error naming file, row, column and fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from digital_academy.cli.main import cli
from digital_academy.selection.inputs import (
    missing_prefer_not,
    parse_applicants,
    parse_quotas,
    parse_seed,
    pool_hash,
)
from digital_academy.selection.model import SelectionInputError
from digital_academy.selection.synthetic import generate_pool, pool_rows, proportional_quotas

QUOTAS = (
    "feature,value,min,max\nregion,North,1,3\nregion,South,0,3\n"
    "profession,Nurse,0,4\nprofession,Doctor,1,4\n"
)


def test_quotas_parse_in_file_order() -> None:
    quotas = parse_quotas(QUOTAS, "q.csv")
    assert quotas.features == ("region", "profession")
    assert [(q.value, q.min, q.max) for q in quotas.of("region")] == [
        ("North", 1, 3),
        ("South", 0, 3),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("feature,value,min\nregion,North,1\n", "missing column(s) max"),
        (
            "feature,value,min,max\nregion,North,one,3\n",
            "row 2 (region = North): min 'one' is not a whole number",
        ),
        ("feature,value,min,max\nregion,North,4,3\n", "min 4 is more than max 3"),
        ("feature,value,min,max\nregion,North,-1,3\n", "must not be negative"),
        (
            "feature,value,min,max\nregion,North,1,3\nRegion,north,1,2\n",
            "row 3: Region = north is already given on row 2",
        ),
        ("feature,value,min,max\n", "no quota rows"),
        ("", "the file is empty"),
    ],
)
def test_bad_quotas_are_explained(text: str, expected: str) -> None:
    with pytest.raises(SelectionInputError) as info:
        parse_quotas(text, "q.csv")
    assert str(info.value).startswith("q.csv: ")
    assert expected in str(info.value)


def test_applicants_match_values_case_insensitively_and_keep_hub_usernames() -> None:
    quotas = parse_quotas(QUOTAS)
    pool = parse_applicants(
        "applicant_id,hub_username,region,profession,notes\nb2,,south,NURSE,x\na1,u1,North,Doctor,y\n",
        quotas,
    )
    assert [a.id for a in pool.applicants] == ["a1", "b2"]
    assert pool.applicants[1].values == ("South", "Nurse")
    assert pool.applicants[0].hub_username == "u1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id,region,profession\n1,North,Nurse\n", "no 'applicant_id' column"),
        ("applicant_id,region\n1,North\n", "no column for feature(s) profession"),
        (
            "applicant_id,region,profession\n1,North,Nurse\n1,South,Nurse\n",
            "row 3: applicant_id 1 is already used on row 2",
        ),
        (
            "applicant_id,region,profession\n1,East,Nurse\n",
            "row 2 (1): region 'East' has no quota row; add 'region,East,0,<capacity>'",
        ),
        (
            "applicant_id,region,profession\n1,,Nurse\n",
            "region is empty; record 'Prefer not to say'",
        ),
        ("applicant_id,region,profession\n,North,Nurse\n", "row 2: applicant_id is empty"),
        ("applicant_id,region,profession\n", "no applicants"),
        ("applicant_id,region,profession\n1,North,Nurse,extra\n", "more cells than the header"),
    ],
)
def test_bad_applicants_are_explained(text: str, expected: str) -> None:
    with pytest.raises(SelectionInputError) as info:
        parse_applicants(text, parse_quotas(QUOTAS), "a.csv")
    assert str(info.value).startswith("a.csv: ")
    assert expected in str(info.value)


def test_many_problems_are_summarised() -> None:
    rows = "".join(f"{i},East,Nurse\n" for i in range(9))
    with pytest.raises(SelectionInputError) as info:
        parse_applicants("applicant_id,region,profession\n" + rows, parse_quotas(QUOTAS), "a.csv")
    assert "and 4 more" in str(info.value)


def test_seed_zero_and_nonsense_are_refused() -> None:
    assert parse_seed("20260701") == 20260701
    with pytest.raises(SelectionInputError, match="seed 0 is refused"):
        parse_seed("0")
    with pytest.raises(SelectionInputError, match="not a whole number"):
        parse_seed("lucky")
    with pytest.raises(SelectionInputError, match="out of range"):
        parse_seed("-4")


def test_pool_hash_ignores_file_layout_but_not_content() -> None:
    pool = generate_pool(40, seed=3)
    quotas = proportional_quotas(pool, 5)
    rows = pool_rows(pool)
    header = "applicant_id,hub_username," + ",".join(pool.features)

    def text(selected: list[dict[str, str]]) -> str:
        return (
            header + "\n" + "".join(",".join(f'"{v}"' for v in r.values()) + "\n" for r in selected)
        )

    forward = parse_applicants(text(rows), quotas)
    backward = parse_applicants(text(rows[::-1]).replace("\n", "\r\n"), quotas)
    assert pool_hash(forward) == pool_hash(backward) == pool_hash(pool)
    changed = [dict(r) for r in rows]
    changed[0]["region"] = next(
        q.value for q in quotas.of("region") if q.value != rows[0]["region"]
    )
    assert pool_hash(parse_applicants(text(changed), quotas)) != pool_hash(pool)


def test_self_declared_features_need_prefer_not_to_say() -> None:
    quotas = parse_quotas(
        "feature,value,min,max\nregion,North,0,3\nethnicity,White,0,3\n"
        "disability,Yes,0,2\ndisability,Prefer not to say,0,2\n"
    )
    assert missing_prefer_not(quotas) == ["ethnicity"]


def test_cli_reports_bad_input_as_one_line_with_exit_1(tmp_path: Path) -> None:
    (tmp_path / "q.csv").write_text(QUOTAS, encoding="utf-8")
    (tmp_path / "a.csv").write_text(
        "applicant_id,region,profession\n1,East,Nurse\n", encoding="utf-8"
    )
    base = [
        "cohort",
        "select",
        "--quotas",
        str(tmp_path / "q.csv"),
        "--capacity",
        "1",
        "--out",
        str(tmp_path / "out"),
    ]
    runner = CliRunner()
    result = runner.invoke(cli, [*base, "--applicants", str(tmp_path / "a.csv"), "--seed", "7"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "region 'East' has no quota row" in result.output
    result = runner.invoke(cli, [*base, "--applicants", str(tmp_path / "a.csv"), "--seed", "0"])
    assert result.exit_code == 1
    assert "seed 0 is refused" in result.output
    result = runner.invoke(
        cli, [*base, "--applicants", str(tmp_path / "missing.csv"), "--seed", "7"]
    )
    assert result.exit_code == 1
    assert "no such applicants file" in result.output
    (tmp_path / "latin1.csv").write_bytes(
        "applicant_id,region,profession\n1,Nörth,Nurse\n".encode("latin-1")
    )
    result = runner.invoke(
        cli, [*base, "--applicants", str(tmp_path / "latin1.csv"), "--seed", "7"]
    )
    assert result.exit_code == 1
    assert "not UTF-8" in result.output
    assert not (tmp_path / "out").exists()
