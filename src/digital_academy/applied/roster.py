"""Who is in a course run: read from enrolment's records, else from the hub settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from digital_academy.enrolment.errors import EnrolmentError
from digital_academy.enrolment.store import Store
from digital_academy.hub.settings import SettingsError, load_settings

from .errors import AppliedError


@dataclass(frozen=True)
class Roster:
    course_id: str
    tutors: frozenset[str]
    learners: frozenset[str]
    #: Where it came from, for messages: "enrolment" or "hub settings".
    source: str
    academy: str | None = None
    markers: frozenset[str] | None = None


def course_roster(root: Path, course_id: str, assignment: str | None = None) -> Roster | None:
    """The course run's tutors and learners, or ``None`` when no record names the run.

    Enrolment (``academy course ...``) is the source of truth once a run is recorded there;
    the hub settings' course runs are the fallback for the single-course demo. When the run
    lists ``assignment`` with named markers, only they may mark it.
    """
    try:
        snapshot = Store(root).snapshot()
    except EnrolmentError as exc:
        raise AppliedError(str(exc)) from exc
    run = snapshot.courses.get(course_id)
    if run is not None:
        plan = next((a for a in run.assignments if a.id == assignment), None)
        return Roster(
            course_id=run.id,
            tutors=frozenset(run.tutors),
            learners=frozenset(run.learners) | frozenset(run.withdrawn_names()),
            source="enrolment",
            academy=run.academy,
            markers=frozenset(run.markers_of(plan)) if plan is not None else None,
        )
    try:
        settings = load_settings(root)
    except SettingsError as exc:
        raise AppliedError(str(exc)) from exc
    for course in settings.courses:
        if course.id == course_id:
            return Roster(
                course_id=course.id,
                tutors=frozenset(course.tutors),
                learners=frozenset(course.learners),
                source="hub settings",
            )
    return None


def require_roster(root: Path, course_id: str, assignment: str | None = None) -> Roster:
    """The course run's roster, or a clear error when no record names the run."""
    roster = course_roster(root, course_id, assignment)
    if roster is None:
        raise AppliedError(
            f"no course run {course_id!r}: create it with `academy course create` (or list it "
            "under courses in the hub settings for the single-course demo)"
        )
    return roster
