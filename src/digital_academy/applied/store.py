"""Where applied learning keeps its runtime records (under the shared state folder)."""

from __future__ import annotations

import re
from pathlib import Path

from digital_academy.catalog.model import SLUG_PATTERN
from digital_academy.paths import grading_dir, state_dir

from .errors import AppliedError

#: Hub user names and course ids become file names: keep them to a safe alphabet.
_NAME = r"^[a-z][a-z0-9_-]{0,63}$"


def safe_name(kind: str, value: str) -> str:
    pattern = SLUG_PATTERN if kind in {"course", "capstone"} else _NAME
    if not re.match(pattern, value):
        raise AppliedError(
            f"{kind} {value!r} is not a valid name; use lower-case letters, digits and hyphens"
        )
    return value


def applied_dir(root: Path) -> Path:
    return state_dir(root) / "applied"


def capstone_log(root: Path, course_id: str, capstone_id: str) -> Path:
    """Evidence log of one capstone in one course run: marks, sample, flags, agreed marks."""
    return (
        applied_dir(root)
        / "capstones"
        / safe_name("course", course_id)
        / safe_name("capstone", capstone_id)
        / "evidence.jsonl"
    )


def pairings_log(root: Path) -> Path:
    return applied_dir(root) / "mentoring" / "pairings.jsonl"


def coaching_log(root: Path, learner: str) -> Path:
    """One file per learner, so their records can be kept, moved or erased together."""
    return applied_dir(root) / "coaching" / f"{safe_name('learner', learner)}.jsonl"


def submitted_dir(root: Path, course_id: str, capstone_id: str, learner: str) -> Path:
    """nbgrader's collected submission: ``<course dir>/submitted/<learner>/<assignment>/``."""
    return grading_dir(root, course_id) / "submitted" / learner / capstone_id
