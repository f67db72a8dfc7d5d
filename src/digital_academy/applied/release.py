"""Release and collect a capstone through the assessment workflow (the runner; does I/O).

A capstone becomes an ordinary nbgrader assignment of the course run, driven through
``digital_academy.assess`` (its nbgrader settings, generate preprocessors, release with the
cohort in the gradebook, and collect): the template is copied to
``<course dir>/source/<id>/<id>.ipynb``, generated and released to
``<exchange>/<course_id>/outbound/<id>/``; learners fetch and submit it from the hub like
any assignment; ``collect`` copies submissions to ``<course dir>/submitted/<learner>/<id>/``.
Both steps are recorded in the capstone's evidence log with content hashes.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from digital_academy.assess import nbgrader_api, workflow
from digital_academy.assess.batch import AssessError
from digital_academy.assess.roster import Learner
from digital_academy.paths import exchange_dir

from .capstone import Capstone, sha256_file
from .errors import AppliedError
from .gradebook_link import grading_run
from .ledger import Entry, Item, Ledger
from .marking import replay, submission_digest
from .moderation import collected_learners
from .roster import require_roster
from .store import capstone_log, safe_name, submitted_dir


@contextmanager
def _assess_errors(step: str) -> Iterator[None]:
    try:
        yield
    except (AssessError, RuntimeError) as exc:
        raise AppliedError(f"{step}: {exc}") from exc


@dataclass(frozen=True)
class Released:
    course_id: str
    capstone: str
    outbound: Path
    template_sha256: str
    already: bool


def release(root: Path, course_id: str, capstone: Capstone, actor: str) -> Released:
    """Generate and release the template to the course run's learners."""
    safe_name("course", course_id)
    roster = require_roster(root, course_id)
    log = Ledger(capstone_log(root, course_id, capstone.id))
    earlier = replay(log.entries()).releases
    if earlier and earlier[-1]["template_sha256"] != capstone.template_sha256:
        raise AppliedError(
            f"{capstone.id!r} was released to {course_id!r} with a different template "
            f"(sha256 {earlier[-1]['template_sha256'][:12]}); learners may already hold it, so "
            "restore that template or release the change as a new capstone id"
        )
    exchange = exchange_dir(root)
    outbound = exchange / course_id / "outbound" / capstone.id
    released = outbound / f"{capstone.id}.ipynb"
    if earlier and released.is_file():
        return Released(course_id, capstone.id, outbound, capstone.template_sha256, True)
    course = grading_run(root, course_id)
    source = course.path("source", capstone.id)
    source.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(capstone.template, source / f"{capstone.id}.ipynb")
    cohort = [Learner(name) for name in sorted(roster.learners)]
    with _assess_errors(f"releasing {capstone.id}"):
        nbgrader_api.write_course_config(course)
        nbgrader_api.check(
            nbgrader_api.api(course).generate_assignment(capstone.id), f"generate {capstone.id}"
        )
        workflow.release(course, capstone.id, cohort)

    def plan(entries: list[Entry]) -> list[Item]:
        return [
            (
                "release",
                actor,
                {
                    "course_id": course_id,
                    "template_sha256": capstone.template_sha256,
                    "released_sha256": sha256_file(released),
                    "rubric_sha256": capstone.rubric_sha256,
                },
            )
        ]

    log.append(plan)
    return Released(course_id, capstone.id, outbound, capstone.template_sha256, bool(earlier))


def collect(root: Path, course_id: str, capstone: Capstone, actor: str) -> dict[str, str]:
    """Collect submissions from the exchange; return each learner's submission hash."""
    if not replay(Ledger(capstone_log(root, course_id, capstone.id)).entries()).releases:
        raise AppliedError(
            f"{capstone.id!r} has not been released to course run {course_id!r}; "
            "run `academy capstone release` first"
        )
    with _assess_errors(f"collecting {capstone.id}"):
        workflow.collect(grading_run(root, course_id), capstone.id)
    digests = {
        learner: submission_digest(submitted_dir(root, course_id, capstone.id, learner))
        for learner in collected_learners(root, course_id, capstone.id)
    }
    Ledger(capstone_log(root, course_id, capstone.id)).append(
        lambda _: [("collect", actor, {"submissions": digests})]
    )
    return digests
