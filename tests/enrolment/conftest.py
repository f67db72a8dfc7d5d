"""Fixtures for enrolment tests: an academy in tmp_path with its own state folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from .factory import make_academy


@pytest.fixture(autouse=True)
def _own_state_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each test academy keeps its state beside it, never in a developer's configured folder.
    monkeypatch.delenv("ACADEMY_STATE_DIR", raising=False)


@pytest.fixture
def academy(tmp_path: Path) -> Iterator[Path]:
    root = make_academy(tmp_path / "academy")
    old = Path.cwd()
    os.chdir(root)
    try:
        yield root
    finally:
        os.chdir(old)
