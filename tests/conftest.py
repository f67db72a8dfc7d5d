"""Fixtures shared by every test package."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Jupyter tools start helpers by name (nbgrader runs `alembic`, the hub runs
# `jupyterhub-singleuser`): put this interpreter's scripts first on PATH.
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"


@pytest.fixture(scope="session")
def repo() -> Path:
    """The repository root, holding the real catalogue."""
    return REPO
