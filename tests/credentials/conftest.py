"""A small academy with one accredited module, a pathway and a learner who passed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.journeys.factory import module_meta, write_catalog
from tests.support import run


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ACADEMY_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("ACADEMY_KEYS_DIR", str(tmp_path / "home" / "issuer-keys"))
    monkeypatch.delenv("ACADEMY_KEY_PASSPHRASE", raising=False)
    monkeypatch.delenv("ACADEMY_CREDENTIALS_SETTINGS", raising=False)
    modules = [
        module_meta("mod-a", 30, ["C1", "C2"], assessment="accredited"),
        module_meta("mod-b", 20, ["C3"], prerequisites=["mod-a"]),
    ]
    pathways = [{"id": "path-a", "role": "analyst", "modules": ["mod-a", "mod-b"]}]
    assessments = [{"id": "check-a", "module": "mod-a", "competencies": ["C1", "C2"]}]
    repo = write_catalog(tmp_path / "repo", modules, pathways=pathways, assessments=assessments)
    results = tmp_path / "results.jsonl"
    rows = [
        {"learner": "learner1", "assessment": "check-a", "score": 9, "max_score": 10,
         "graded_at": "2026-11-20T10:00:00Z", "course_run": "demo", "minutes": 25},
        {"learner": "learner2", "assessment": "check-a", "score": 3, "max_score": 10,
         "graded_at": "2026-11-20T10:30:00Z", "course_run": "demo"},
    ]  # fmt: skip
    results.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    code, _, err = run("progress", "import", "--root", str(repo), str(results))
    assert code == 0, err
    return repo


@pytest.fixture
def keys_dir(tmp_path: Path) -> Path:
    return tmp_path / "home" / "issuer-keys"
