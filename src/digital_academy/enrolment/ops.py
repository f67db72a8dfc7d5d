"""Create course runs and change who is in them. Every check runs before any write.

Each operation takes a :class:`~.store.Store`, checks its input against the catalogue and
the current records inside one locked transaction, and either writes all its changes or
raises :class:`EnrolmentError` having written nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from pydantic import ValidationError

from digital_academy.catalog import Catalog
from digital_academy.catalog.diagnostics import field_path

from .csvinput import Row
from .errors import EnrolmentError
from .model import AssignmentPlan, CourseRun, People, Person, Withdrawal
from .store import Snapshot, Store

COURSE_ID = re.compile(r"^(?=.{2,40}$)[a-z0-9]+(?:-[a-z0-9]+)*$")
#: For one run and one tutor: {assignment id: submissions whose marking is still open}.
OpenMarking = Callable[[CourseRun, str], Mapping[str, int]]


@dataclass(frozen=True)
class Change:
    """What one command did to one course run, for the summary table."""

    course: str
    added: dict[str, tuple[str, ...]] = field(default_factory=dict)
    removed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    unchanged: tuple[str, ...] = ()
    registered: tuple[str, ...] = ()


def _unknown_error(
    names: list[str], course_id: str, role: str, creating: bool = False
) -> EnrolmentError:
    """Names no one registered has; ``role`` as asked for (learner or tutor)."""
    listed = ", ".join(repr(n) for n in names)
    first = "create the run without them, then " if creating else ""
    return EnrolmentError(
        f"unknown {role}(s) {listed}: nobody of that name is registered with the academy; "
        f"{first}enrol them from a CSV that gives their details (`academy course enrol "
        f"{course_id} --csv FILE`) or check the spelling; nothing was changed"
    )


def _check_academy(catalog: Catalog, academy: str) -> None:
    if academy not in catalog.academies:
        known = ", ".join(sorted(catalog.academies)) or "none"
        raise EnrolmentError(f"unknown academy {academy!r}; known academies: {known}")


def _check_assessment(catalog: Catalog, academy: str, plan: AssignmentPlan) -> None:
    assessment = catalog.assessments.get(plan.id)
    if assessment is None:
        known = ", ".join(sorted(catalog.assessments)) or "none"
        raise EnrolmentError(
            f"unknown assessment {plan.id!r}; known assessments: {known} (graders/assessments/)"
        )
    location = catalog.locations.get(assessment.module)
    if location is None or location.course not in catalog.academies[academy].courses:
        raise EnrolmentError(
            f"assessment {plan.id!r} evidences module {assessment.module!r}, which is not "
            f"taught in academy {academy!r}; set assessments of that academy's courses only"
        )


def _check_due(course: CourseRun, plan: AssignmentPlan) -> None:
    if plan.due is None:
        return
    day = plan.due.astimezone(dt.UTC).date()
    if not course.starts <= day <= course.ends:
        raise EnrolmentError(
            f"assignment {plan.id!r} is due {day}, outside the run ({course.starts} to "
            f"{course.ends}); give a due date within the run"
        )


def _revise(course: CourseRun, **changes: object) -> CourseRun:
    """A validated copy of ``course`` with ``changes`` (model_copy alone would not validate)."""
    data = {**course.model_dump(), **changes}
    try:
        return CourseRun.model_validate(data)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise EnrolmentError(f"course run {course.id!r}: {_first(exc)}") from exc


def _first(exc: ValueError) -> str:
    if isinstance(exc, ValidationError):
        error = exc.errors(include_url=False)[0]
        where = field_path(tuple(error["loc"]))
        message = str(error["msg"]).removeprefix("Value error, ")
        return message if where == "(top level)" else f"field {where}: {message}"
    return str(exc)


def create_course(
    store: Store,
    catalog: Catalog,
    known: Iterable[str],
    *,
    course_id: str,
    academy: str,
    title: str,
    starts: dt.date,
    ends: dt.date,
    tutors: Iterable[str] = (),
    assignments: Iterable[AssignmentPlan] = (),
) -> CourseRun:
    """A new course run; refuses a duplicate id, an unknown academy, tutor or assessment."""
    tutors = tuple(tutors)
    plans = tuple(assignments)
    if not COURSE_ID.match(course_id):
        raise EnrolmentError(
            f"course run id {course_id!r} must be lower-case words joined by hyphens, 2 to "
            "40 characters, for example 'spc-autumn-2026' (it names hub groups and folders)"
        )
    _check_academy(catalog, academy)
    for plan in plans:
        _check_assessment(catalog, academy, plan)
    with store.transaction() as snap:
        if course_id in snap.courses:
            existing = snap.courses[course_id]
            raise EnrolmentError(
                f"course run {course_id!r} already exists ({existing.title}, {existing.starts} "
                f"to {existing.ends}); choose a new id, for example {course_id}-2"
            )
        strangers = sorted(set(tutors) - _known(snap, known))
        if strangers:
            raise _unknown_error(strangers, course_id, "tutor", creating=True)
        try:
            course = CourseRun(
                id=course_id,
                academy=academy,
                title=title,
                starts=starts,
                ends=ends,
                tutors=tutors,
                assignments=plans,
            )
        except ValueError as exc:
            raise EnrolmentError(f"course run {course_id!r}: {_first(exc)}") from exc
        for plan in plans:
            _check_due(course, plan)
        snap.put_course(course)
    return course


def _known(snap: Snapshot, known: Iterable[str]) -> set[str]:
    return set(snap.people.by_name()) | set(known)


def _register(snap: Snapshot, people: Iterable[Person]) -> tuple[str, ...]:
    """Add new people and refresh the details of known ones; returns the new names."""
    register = snap.people.by_name()
    new = tuple(p.username for p in people if p.username not in register)
    changed = False
    for person in people:
        old = register.get(person.username)
        if old is None or (
            old.model_dump(exclude={"source"}) != person.model_dump(exclude={"source"})
        ):
            register[person.username] = (
                person if old is None else person.model_copy(update={"source": old.source})
            )
            changed = True
    if changed:
        ordered = tuple(register[n] for n in sorted(register))
        snap.put_people(People(people=ordered))
    return new


def enrol(
    store: Store,
    course_id: str,
    known: Iterable[str],
    *,
    usernames: Iterable[str] = (),
    role: str = "learner",
    rows: Iterable[Row] = (),
) -> Change:
    """Enrol known people by name, or people (with their details) read from a CSV."""
    rows = list(rows)
    wanted = [(name, role) for name in usernames] + [(r.person.username, r.role) for r in rows]
    if not wanted:
        raise EnrolmentError("name at least one person, or give --csv / --cohort")
    with store.transaction() as snap:
        course = snap.course(course_id)
        registered = set(snap.people.by_name()) | set(known) | {r.person.username for r in rows}
        # A CSV's people are registered by it, so strangers come from names given with `role`.
        strangers = sorted({n for n, _ in wanted if n not in registered})
        if strangers:
            raise _unknown_error(strangers, course_id, role)
        clashes = [
            f"{n} (a {course.role_of(n)} of {course_id}, asked to be a {r})"
            for n, r in wanted
            if course.role_of(n) in ("tutor", "learner") and course.role_of(n) != r
        ]
        if clashes:
            raise EnrolmentError(
                f"cannot enrol {', '.join(clashes)}: one person has one role in a run; "
                f"unenrol them from the other role first; nothing was changed"
            )
        learners, tutors = list(course.learners), list(course.tutors)
        withdrawn = {w.username: w for w in course.withdrawn}
        added: dict[str, list[str]] = {"learner": [], "tutor": []}
        unchanged: list[str] = []
        for name, as_role in wanted:
            target = learners if as_role == "learner" else tutors
            if name in target:
                unchanged.append(name)
                continue
            target.append(name)
            withdrawn.pop(name, None)
            added[as_role].append(name)
        new_people = _register(snap, [r.person for r in rows])
        updated = _revise(
            course,
            learners=learners,
            tutors=tutors,
            withdrawn=[w.model_dump() for w in withdrawn.values()],
        )
        if updated != course:
            snap.put_course(updated)
    return Change(
        course_id,
        {f"{k}s": tuple(v) for k, v in added.items() if v},
        {},
        tuple(unchanged),
        new_people,
    )


def unenrol(
    store: Store,
    course_id: str,
    usernames: Iterable[str],
    *,
    role: str = "learner",
    today: dt.date,
    reason: str = "",
    open_marking: OpenMarking | None = None,
    reassign_to: str | None = None,
) -> Change:
    """Withdraw learners (their work and grades stay) or remove tutors with no open marking."""
    names = list(dict.fromkeys(usernames))
    if not names:
        raise EnrolmentError("name at least one person to unenrol")
    with store.transaction() as snap:
        course = snap.course(course_id)
        if role == "learner":
            updated = _withdraw(course, names, today, reason)
        else:
            updated = _remove_tutors(course, names, open_marking, reassign_to)
        snap.put_course(updated)
    return Change(course_id, {}, {f"{role}s": tuple(names)})


def _withdraw(course: CourseRun, names: list[str], today: dt.date, reason: str) -> CourseRun:
    gone = {w.username: w.on for w in course.withdrawn}
    for name in names:
        if name in gone:
            raise EnrolmentError(f"{name} was already withdrawn from {course.id} on {gone[name]}")
        if name not in course.learners:
            where = " (a tutor: use --role tutor)" if name in course.tutors else ""
            raise EnrolmentError(
                f"{name} is not a learner of {course.id}{where}; nothing was changed"
            )
    kept = tuple(n for n in course.learners if n not in names)
    leaving = tuple(Withdrawal(username=n, on=today, reason=reason) for n in names)
    return _revise(
        course, learners=kept, withdrawn=[w.model_dump() for w in course.withdrawn + leaving]
    )


def _remove_tutors(
    course: CourseRun, names: list[str], open_marking: OpenMarking | None, reassign_to: str | None
) -> CourseRun:
    for name in names:
        if name not in course.tutors:
            raise EnrolmentError(f"{name} is not a tutor of {course.id}; nothing was changed")
    if reassign_to is not None and (reassign_to not in course.tutors or reassign_to in names):
        raise EnrolmentError(
            f"--reassign-to {reassign_to}: must be another tutor of "
            f"{course.id} who stays ({', '.join(course.tutors)})"
        )
    if reassign_to is None and open_marking is not None:
        for name in names:
            busy = {a: n for a, n in open_marking(course, name).items() if n}
            if busy:
                listed = ", ".join(f"{a} ({n} submission(s))" for a, n in sorted(busy.items()))
                raise EnrolmentError(
                    f"{name} has grades in progress in {course.id}: {listed} still need manual "
                    "grading; finish that marking in the course's formgrader, or pass "
                    "--reassign-to ANOTHER_TUTOR; nothing was changed"
                )
    tutors = tuple(t for t in course.tutors if t not in names)
    plans = []
    for plan in course.assignments:
        markers = tuple(m for m in plan.markers if m not in names)
        if plan.markers and not markers:
            markers = (reassign_to,) if reassign_to else ()
        elif reassign_to and set(plan.markers) & set(names) and reassign_to not in markers:
            markers += (reassign_to,)
        plans.append({**plan.model_dump(), "markers": markers})
    return _revise(course, tutors=tutors, assignments=plans)


def set_assignment(store: Store, catalog: Catalog, course_id: str, plan: AssignmentPlan) -> Change:
    """Set (add or update) an assessment in a run, with its due date and markers."""
    with store.transaction() as snap:
        course = snap.course(course_id)
        _check_assessment(catalog, course.academy, plan)
        _check_due(course, plan)
        plans = [p for p in course.assignments if p.id != plan.id] + [plan]
        order = {p.id: i for i, p in enumerate(course.assignments)}
        plans.sort(key=lambda p: order.get(p.id, len(order)))
        updated = _revise(course, assignments=[p.model_dump() for p in plans])
        snap.put_course(updated)
    return Change(course_id, {"assignments": (plan.id,)})
