"""``academy course sync``: records <-> hub groups, and records -> each run's gradebook.

The plan comes from ``merge.py`` (pure); this module reads the hub and the records, applies
the plan to both under the records' lock, and returns a report. With no hub running, only
the gradebooks are brought in step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from digital_academy.paths import grading_dir

from .builders import build_roster, formgrader_of
from .gradebook import GradebookSync, open_marking, sync_roster
from .hubapi import HubClient, running_hub
from .merge import RunPlan, plan_global, plan_run
from .model import CourseRun, HubBase, People, Person, Withdrawal
from .store import Snapshot, Store

Say = Callable[[str], None]
HUB_REMOVAL_REASON = "removed from the hub group"


@dataclass(frozen=True)
class SyncReport:
    hub: bool
    dry_run: bool
    runs: tuple[RunPlan, ...]
    global_push: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]
    gradebooks: tuple[GradebookSync, ...] = ()
    needs_restart: tuple[str, ...] = field(default=())  # runs whose grading service is missing


def _busy_tutors(root: Path, course: CourseRun, names: Iterable[str]) -> set[str]:
    probe = open_marking(root)
    return {n for n in names if any(probe(course, n).values())}


def _apply_to_record(
    snap: Snapshot, course: CourseRun, plan: RunPlan, today: dt.date, hub: bool
) -> None:
    gone = [n for n in course.learners if n not in plan.learners]
    withdrawn = [w for w in course.withdrawn if w.username not in plan.learners]
    withdrawn += [Withdrawal(username=n, on=today, reason=HUB_REMOVAL_REASON) for n in gone]
    markers_ok = set(plan.tutors)
    plans = [
        {**p.model_dump(), "markers": [m for m in p.markers if m in markers_ok]}
        for p in course.assignments
    ]
    data = {
        **course.model_dump(),
        "learners": plan.learners,
        "tutors": plan.tutors,
        "withdrawn": [w.model_dump() for w in withdrawn],
        "assignments": plans,
    }
    if hub:
        data["hub_base"] = HubBase(learners=plan.learners, tutors=plan.tutors).model_dump()
    updated = CourseRun.model_validate(data)
    if updated != course:
        snap.put_course(updated)


def _register_adopted(snap: Snapshot, plans: Iterable[RunPlan]) -> None:
    register = snap.people.by_name()
    new = {n for p in plans for n in (*p.learners, *p.tutors)} - set(register)
    if new:
        people = [*register.values(), *(Person(username=n, source="hub") for n in new)]
        snap.put_people(People(people=tuple(sorted(people, key=lambda p: p.username))))


def _push(
    client: HubClient,
    plans: Iterable[RunPlan],
    global_push: dict[str, tuple[tuple[str, ...], tuple[str, ...]]],
    remote: dict[str, list[str]],
) -> None:
    pushes = [push for plan in plans for push in plan.push.items()] + list(global_push.items())
    wanted = sorted({n for _, (add, _r) in pushes for n in add})
    client.ensure_users(wanted)
    for group, (add, remove) in pushes:
        if group not in remote:
            client.ensure_group(group)
        client.add(group, list(add))
        client.remove(group, list(remove))


def sync(
    root: Path,
    *,
    today: dt.date,
    course_ids: Iterable[str] | None = None,
    dry_run: bool = False,
    client: HubClient | None = None,
    use_hub: bool = True,
    gradebooks: bool = True,
    say: Say = lambda _m: None,
) -> SyncReport:
    """Bring the hub's groups, the records and the gradebooks in step; see module doc."""
    store = Store(root)
    if use_hub and client is None:
        client = running_hub(root)
    if not use_hub:
        client = None
    with store.transaction() as snap:
        wanted = list(course_ids) if course_ids is not None else sorted(snap.courses)
        courses = [snap.course(c) for c in wanted]
        plans: list[RunPlan] = []
        global_push: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        missing: list[str] = []
        if client is not None:
            say("reading the hub's groups")
            remote = client.groups()
            for course in courses:
                plan = plan_run(course, remote)
                dropped = [t for t in course.tutors if t not in plan.tutors]
                if dropped:
                    plan = plan_run(course, remote, _busy_tutors(root, course, dropped))
                plans.append(plan)
            every = [
                plan_run(c, remote) if c.id not in wanted else None for c in snap.courses.values()
            ]
            untouched = [p for p in every if p is not None]
            global_push = plan_global([*plans, *untouched], remote)
            services = set(client.call("GET", "services") or {})
            missing = [c.id for c in courses if formgrader_of(c.id) not in services]
            if not dry_run:
                say("updating the hub's groups")
                _push(client, plans, global_push, remote)
            for course, plan in zip(courses, plans, strict=True):
                _apply_to_record(snap, course, plan, today, hub=True)
            _register_adopted(snap, plans)
        if dry_run:
            snap.discard()
        current = [snap.courses[c] for c in wanted]
        people = snap.people
    books: list[GradebookSync] = []
    if gradebooks and not dry_run:
        for course in current:
            if grading_dir(root, course.id).is_dir():
                say(f"updating the gradebook of {course.id}")
                books.append(sync_roster(root, build_roster(course, people), course.assignments))
    return SyncReport(
        client is not None, dry_run, tuple(plans), global_push, tuple(books), tuple(missing)
    )
