"""Progress records, the import format, summaries and the cohort dashboard."""

from __future__ import annotations

import base64
import html.parser
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.support import run

from digital_academy.catalog import load_valid
from digital_academy.journeys.importer import import_results
from digital_academy.journeys.progress import ProgressError, load_records, records_path
from digital_academy.journeys.summary import cohort, learner_summary

from .factory import module_meta, write_catalog

RESULTS = [
    {
        "learner": "learner1",
        "assessment": "check-a",
        "score": 8,
        "max_score": 10,
        "graded_at": "2026-11-20T10:00:00Z",
        "course_run": "demo",
        "minutes": 20,
    },
    {
        "learner": "learner2",
        "assessment": "check-a",
        "score": 5,
        "max_score": 10,
        "graded_at": "2026-11-20T11:00:00Z",
        "course_run": "demo",
    },
]


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ACADEMY_STATE_DIR", str(tmp_path / "state"))
    modules = [
        module_meta("mod-a", 20, ["C1", "C2"], assessment="accredited"),
        module_meta("mod-b", 30, ["C3"], prerequisites=["mod-a"]),
        module_meta("mod-c", 10, ["C4"]),
    ]
    pathways = [{"id": "path-a", "role": "analyst", "modules": ["mod-a", "mod-b"]}]
    assessments = [{"id": "check-a", "module": "mod-a", "competencies": ["C1"]}]
    return write_catalog(tmp_path / "repo", modules, pathways=pathways, assessments=assessments)


def state(root: Path) -> Path:
    return root.parent / "state"


def write_results(path: Path) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in RESULTS), "utf-8")
    return path


def test_import_decides_pass_from_the_catalogue_and_is_idempotent(
    root: Path, tmp_path: Path
) -> None:
    results = write_results(tmp_path / "results.jsonl")
    code, out, _ = run("progress", "import", "--root", str(root), str(results))
    assert code == 0 and "imported 2 new result(s) of 2 (1 passed)" in out
    code, out, _ = run("progress", "import", "--root", str(root), str(results))
    assert "imported 0 new" in out
    records = load_records(state(root))
    assert [(r.learner, r.score, r.passed) for r in records] == [
        ("learner1", 0.8, True),
        ("learner2", 0.5, False),  # pass mark 0.6
    ]


def test_csv_import(root: Path, tmp_path: Path) -> None:
    path = tmp_path / "results.csv"
    path.write_text(
        "learner,assessment,score,max_score,graded_at\nlearner3,check-a,6,10,2026-11-21T09:00:00+00:00\n",
        "utf-8",
    )
    records = import_results(load_valid(root), path)
    assert [(r.learner, r.module, r.passed) for r in records] == [("learner3", "mod-a", True)]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"assessment": "nope"}, "unknown assessment 'nope'"),
        ({"score": 11}, "need 0 <= score <= max_score"),
        ({"score": "lots"}, "score 'lots' is not a number"),
        ({"graded_at": "2026-11-20T10:00:00"}, "graded_at needs a time zone"),
        ({"learner": "Bad Name"}, "field learner"),
        ({"max_score": None}, "missing max_score"),
    ],
)
def test_bad_import_rows_name_the_line(
    root: Path, tmp_path: Path, row: dict[str, object], message: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        json.dumps(RESULTS[0]) + "\n" + json.dumps({**RESULTS[1], **row}) + "\n", "utf-8"
    )
    with pytest.raises(ProgressError, match=message) as info:
        import_results(load_valid(root), path)
    assert "line 2" in str(info.value)
    code, _, err = run("progress", "import", "--root", str(root), str(path))
    assert code == 1 and "line 2" in err
    assert not records_path(state(root)).exists()  # nothing half-imported


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda t: t + "{not json\n", "line 3: not valid JSON"),
        (lambda t: t + '{"v": 1}\n', "line 3: field id"),
        (lambda t: t[:-10], "cut short"),
        (lambda t: t.replace('"learner1"', '"LEARNER 1"', 1), "line 1: field learner"),
    ],
)
def test_corrupted_progress_file_is_reported_and_left_alone(
    root: Path, tmp_path: Path, damage: Callable[[str], str], message: str
) -> None:
    run("progress", "import", "--root", str(root), str(write_results(tmp_path / "r.jsonl")))
    path = records_path(state(root))
    broken = damage(path.read_text("utf-8"))
    path.write_text(broken, "utf-8")
    r = ["--root", str(root)]
    for args in (
        ["progress", "show", *r, "--learner", "learner1"],
        ["progress", "record", *r, "--learner", "learner1", "--module", "mod-c"],
        ["progress", "dashboard", *r],
        ["plan", *r, "--role", "analyst", "--learner", "learner1"],
    ):
        code, _, err = run(*args)
        assert code == 1, args
        assert message in err and str(path) in err.replace("\n", "")
    assert path.read_text("utf-8") == broken  # never rewritten


def test_progress_per_pathway_and_competency(root: Path, tmp_path: Path) -> None:
    run("progress", "import", "--root", str(root), str(write_results(tmp_path / "r.jsonl")))
    code, _, _ = run(
        "progress",
        "record",
        "--root",
        str(root),
        "--learner",
        "learner1",
        "--module",
        "mod-b",
        "--minutes",
        "30",
        "--at",
        "2026-11-22T10:00:00Z",
    )
    assert code == 0
    code, out, _ = run(
        "progress", "show", "--root", str(root), "--learner", "learner1", "--format", "json"
    )
    data = json.loads(out)
    assert data["modules"] == {"mod-a": "passed", "mod-b": "completed"}
    assert data["minutes"] == 50
    (path,) = data["pathways"]
    assert (path["done"], path["required"], path["passed"], path["accredited"]) == (2, 2, 1, 1)
    states = {c["ref"]: c["state"] for c in data["competencies"]}
    # C1 is assessed by check-a; C2 is on mod-a but not in the assessment
    assert states == {
        "fw:C1": "assessed",
        "fw:C2": "self-checked",
        "fw:C3": "self-checked",
        "fw:C4": "not yet",
    }
    learner2 = learner_summary(load_valid(root), load_records(state(root)), "learner2")
    assert learner2.modules["mod-a"].state == "not yet passed"


class _Images(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.images.append(dict(attrs))


def test_cohort_dashboard_has_three_accessible_plots(root: Path, tmp_path: Path) -> None:
    run("progress", "import", "--root", str(root), str(write_results(tmp_path / "r.jsonl")))
    out = tmp_path / "dash.html"
    code, _, _ = run(
        "progress", "dashboard", "--root", str(root), "--out", str(out), "--course-run", "demo"
    )
    assert code == 0
    parser = _Images()
    page = out.read_text("utf-8")
    parser.feed(page)
    assert len(parser.images) == 3
    for image in parser.images:
        src = image["src"] or ""
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
        assert image["alt"] and len(image["alt"]) > 30
    assert "mod-a 2 done, 1 passed" not in page  # learner2 failed: not done
    assert "mod-a 1 done, 1 passed" in page
    assert "fw:C1 50% assessed" in page
    group = cohort(load_valid(root), load_records(state(root)), course_run="demo")
    assert group.learners == ("learner1", "learner2")
    code, _, err = run("progress", "dashboard", "--root", str(root), "--course-run", "other")
    assert code == 1 and "no progress records for this cohort" in err
