"""Where the academy keeps runtime state: one folder, never committed."""

from __future__ import annotations

import os
from pathlib import Path

STATE_ENV = "ACADEMY_STATE_DIR"


def state_dir(root: Path) -> Path:
    """``$ACADEMY_STATE_DIR`` if set, else ``<root>/.academy``."""
    configured = os.environ.get(STATE_ENV)
    return Path(configured).resolve() if configured else root / ".academy"


def hub_dir(root: Path) -> Path:
    return state_dir(root) / "hub"


def generated_dir(root: Path) -> Path:
    """The hub config and Helm values ``academy up`` writes when they name learners or tutors."""
    return state_dir(root) / "generated"


def exchange_dir(root: Path) -> Path:
    return state_dir(root) / "exchange"


def grading_dir(root: Path, course_id: str) -> Path:
    return state_dir(root) / "grading" / course_id


def site_dir(root: Path) -> Path:
    """The published static site: the catalogue at its root, one folder per academy book."""
    return root / "book" / "_build" / "site"
