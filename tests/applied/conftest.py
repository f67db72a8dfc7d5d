"""Fixtures for applied-learning tests: a private state folder and a small academy."""

from __future__ import annotations

from pathlib import Path

import pytest

from .factory import make_root


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Runtime state in a temporary folder (the shared ACADEMY_STATE_DIR contract)."""
    folder = tmp_path / "state"
    monkeypatch.setenv("ACADEMY_STATE_DIR", str(folder))
    monkeypatch.delenv("ACADEMY_USER", raising=False)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    return folder


@pytest.fixture
def root(tmp_path: Path, state: Path) -> Path:
    """A small catalogue with one valid capstone, ``proj`` (rubric levels 0-3)."""
    return make_root(tmp_path / "repo")
