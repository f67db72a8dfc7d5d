"""Fixtures for applied-learning tests: a private state folder and a small academy."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from digital_academy.cli.main import cli

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


@pytest.fixture
def academy(repo: Path) -> Callable[..., str]:
    """``academy ARGS --root <the real repository>``: its output, after asserting exit 0
    unless called with ``ok=False``."""

    def run(*args: str, ok: bool = True) -> str:
        result = CliRunner().invoke(cli, [*args, "--root", str(repo)])
        if ok:
            assert result.exit_code == 0, result.output
        return result.output

    return run
