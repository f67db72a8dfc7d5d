"""Malformed content: each case gives a clear message (file, field, fix), exit 1, no traceback,
and leaves every file untouched."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.support import write_yaml

from digital_academy.cli import context
from digital_academy.cli.main import cli

from .factory import make_catalog, module_meta, notebook, snapshot

COURSE = "courses/course-a"
NB1 = f"{COURSE}/01-mod-1.ipynb"
NB2 = f"{COURSE}/02-mod-2.ipynb"
ACADEMY = "specialist_academies/acad.yml"


def _set_meta(rel: str, **changes: object) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        path = root / rel
        content = json.loads(path.read_text("utf-8"))
        content["metadata"]["academy"].update(changes)
        path.write_text(json.dumps(content), "utf-8")

    return mutate


def _write(rel: str, data: bytes | str) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, "utf-8")

    return mutate


def _truncate(root: Path) -> None:
    path = root / NB1
    path.write_bytes(path.read_bytes()[:150])


def _edit_academy(**changes: object) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        import yaml  # noqa: PLC0415

        data = yaml.safe_load((root / ACADEMY).read_text("utf-8"))
        data.update(changes)
        write_yaml(root / ACADEMY, data)

    return mutate


def _image_cell(source: str) -> Callable[[Path], None]:
    cells = [{"cell_type": "markdown", "id": "a", "metadata": {}, "source": source}]
    return _write(f"{COURSE}/04-mod-4.ipynb", notebook(module_meta("mod-4"), cells))


PLOT_CELL = {
    "cell_type": "code",
    "id": "p",
    "metadata": {},
    "execution_count": None,
    "outputs": [],
    "source": "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()",
}

# (name, mutation, expected code, file in the message, field fragment)
CASES: list[tuple[str, Callable[[Path], None], str, str, str]] = [
    ("truncated JSON", _truncate, "not-a-notebook", NB1, "line"),
    ("minutes of the wrong type", _set_meta(NB1, minutes="twenty"), "schema", NB1, "minutes"),
    ("no outcomes", _set_meta(NB1, outcomes=[]), "schema", NB1, "outcomes"),
    (
        "outcome not measurable",
        _set_meta(NB1, outcomes=[{"text": "Understand data"}]),
        "schema",
        NB1,
        "outcomes[0].text",
    ),
    (
        "prerequisite cycle",
        _set_meta(NB1, prerequisites=["mod-3"]),
        "prerequisite-cycle",
        NB1,
        "prerequisites",
    ),
    (
        "self prerequisite",
        _set_meta(NB2, prerequisites=["mod-2"]),
        "prerequisite-cycle",
        NB2,
        "prerequisites",
    ),
    (
        "unknown competency code",
        _set_meta(NB1, competencies=["fw:D9"], outcomes=[{"text": "Calculate a thing"}]),
        "unknown-competency",
        NB1,
        "competencies[0]",
    ),
    (
        "unknown framework",
        _set_meta(NB1, competencies=["nope:D1"], outcomes=[{"text": "Calculate a thing"}]),
        "unknown-framework",
        NB1,
        "competencies[0]",
    ),
    (
        "competency not written framework:code",
        _set_meta(NB1, competencies=["D1"]),
        "schema",
        NB1,
        "competencies[0]",
    ),
    (
        "duplicate module id",
        _write(f"{COURSE}/04-copy.ipynb", notebook(module_meta("mod-1"))),
        "duplicate-id",
        f"{COURSE}/04-copy.ipynb",
        "id",
    ),
    ("non-UTF-8 notebook", _write(NB1, b'{"cells": "\xff\xfe"}'), "encoding", NB1, "(file)"),
    (
        "notebook with no cells",
        _write(f"{COURSE}/04-mod-4.ipynb", notebook(module_meta("mod-4"), [])),
        "empty-notebook",
        f"{COURSE}/04-mod-4.ipynb",
        "cells",
    ),
    ("zero-byte notebook", _write(NB1, b""), "not-a-notebook", NB1, "(file)"),
    (
        "nbformat 3 notebook",
        _write(NB1, json.dumps({"nbformat": 3, "worksheets": []})),
        "not-a-notebook",
        NB1,
        "nbformat",
    ),
    (
        "unknown prerequisite",
        _set_meta(NB2, prerequisites=["ghost"]),
        "unknown-module",
        NB2,
        "prerequisites",
    ),
    ("over-long module", _set_meta(NB1, minutes=90), "over-long", NB1, "minutes"),
    (
        "module in no academy",
        _write("courses/loose/course.yml", "id: loose\ntitle: L\nsummary: S\n"),
        "orphan-module",
        "courses/loose/01-x.ipynb",
        "(course)",
    ),
    (
        "markdown image without alt text",
        _image_cell("![](chart.png)"),
        "alt-text",
        f"{COURSE}/04-mod-4.ipynb",
        "cells[0]",
    ),
    (
        "HTML image without alt text",
        _image_cell('<img src="a.png">'),
        "alt-text",
        f"{COURSE}/04-mod-4.ipynb",
        "cells[0]",
    ),
    (
        "figure cell without alt text",
        _write(f"{COURSE}/04-mod-4.ipynb", notebook(module_meta("mod-4"), [PLOT_CELL])),
        "alt-text",
        f"{COURSE}/04-mod-4.ipynb",
        "mystnb.image.alt",
    ),
    ("no module metadata", _write(NB1, notebook(None)), "no-metadata", NB1, "metadata.academy"),
    ("unknown role", _set_meta(NB1, audiences=["astronaut"]), "unknown-role", NB1, "audiences"),
    (
        "unknown course in academy",
        _edit_academy(courses=["course-a", "ghost"]),
        "unknown-course",
        ACADEMY,
        "courses",
    ),
    ("invalid YAML", _write(ACADEMY, "id: acad\ntitle: [unclosed\n"), "yaml", ACADEMY, "line"),
    ("unknown metadata field", _set_meta(NB1, duration=20), "schema", NB1, "duration"),
    ("id does not match file name", _edit_academy(id="other"), "file-name", ACADEMY, "id"),
    (
        "pathway out of order",
        _edit_academy(
            pathways=[
                {
                    "id": "path-b",
                    "title": "P",
                    "role": "analyst",
                    "career_step": "x",
                    "summary": "s",
                    "modules": ["mod-2", "mod-1"],
                }
            ]
        ),
        "pathway-order",
        ACADEMY,
        "modules",
    ),
    (
        "accredited without assessment",
        _set_meta(NB1, assessment="accredited"),
        "assessment-missing",
        NB1,
        "assessment",
    ),
    ("impossible date", _set_meta(NB1, last_reviewed="2026-13-01"), "schema", NB1, "last_reviewed"),
    (
        "course folder without course.yml",
        _write("courses/bare/01-x.ipynb", "{}"),
        "missing-file",
        "courses/bare",
        "course.yml",
    ),
]


def _add_loose_module(root: Path) -> None:
    (root / "courses/loose/01-x.ipynb").write_text(notebook(module_meta("loose-x")), "utf-8")


@pytest.mark.parametrize(
    ("name", "mutate", "code", "file", "field"), CASES, ids=[c[0] for c in CASES]
)
def test_malformed_content_is_reported_clearly(
    tmp_path: Path,
    name: str,
    mutate: Callable[[Path], None],
    code: str,
    file: str,
    field: str,
) -> None:
    root = make_catalog(tmp_path)
    mutate(root)
    if name == "module in no academy":
        _add_loose_module(root)
    before = snapshot(root)

    result = CliRunner().invoke(cli, ["check", "--root", str(root), "--format", "json"])

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    report = json.loads(result.output)
    matches = [d for d in report["diagnostics"] if d["code"] == code and d["file"] == file]
    assert matches, f"no {code!r} finding for {file}: {report['diagnostics']}"
    assert any(field in d["field"] for d in matches), matches
    assert all(d["fix"] and d["message"] for d in report["diagnostics"])
    assert snapshot(root) == before


def test_at_least_twenty_malformed_cases() -> None:
    assert len(CASES) >= 20


def test_table_output_names_file_field_and_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(context.console, "width", 200)
    root = make_catalog(tmp_path)
    _set_meta(NB1, minutes=90)(root)
    result = CliRunner().invoke(cli, ["check", "--root", str(root)])
    assert result.exit_code == 1
    assert "01-mod-1.ipynb" in result.output
    assert "metadata.academy.minutes" in result.output
    assert "split it into two modules" in result.output
    assert "FAILED" in result.output
