"""The nbgrader exchange where learners share no filesystem identity (Kubernetes).

Learner pods each write only to ``<course>/inbound-by-learner/<hub user>/`` (see ``helm.py``).
:func:`gather_inbound` moves those submissions into nbgrader's flat ``<course>/inbound/``,
trusting the folder (assigned by the hub) rather than the name a learner gave the submission.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

# nbgrader's submission folder name: <student>+<assignment>+<timestamp>[+<random>]
_SUBMISSION = re.compile(r"^(?P<student>[^+]+)\+(?P<assignment>[^+]+)\+(?P<stamp>[^+]+)(\+.*)?$")


@dataclass(frozen=True)
class Gathered:
    copied: tuple[str, ...]
    refused: tuple[str, ...]


def gather_inbound(course_exchange: Path) -> Gathered:
    """Copy each learner's new submissions into nbgrader's inbound; refuse impersonation."""
    source = course_exchange / "inbound-by-learner"
    inbound = course_exchange / "inbound"
    inbound.mkdir(exist_ok=True)
    copied: list[str] = []
    refused: list[str] = []
    if not source.is_dir():
        return Gathered((), ())
    for learner in sorted(p for p in source.iterdir() if p.is_dir()):
        for submission in sorted(p for p in learner.iterdir() if p.is_dir()):
            match = _SUBMISSION.match(submission.name)
            if match is None or match["student"] != learner.name:
                refused.append(f"{learner.name}/{submission.name}")
                continue
            target = inbound / submission.name
            if not target.exists():
                shutil.copytree(submission, target)
                copied.append(submission.name)
    return Gathered(tuple(copied), tuple(refused))
