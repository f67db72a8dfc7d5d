"""Keep the records and the hub's groups in step in both directions (pure planning).

For each run and role, a three-way merge of sets: the records (``local``), the hub's group
(``remote``) and the members both agreed on at the last sync (``base``). An addition or a
removal made on either side since then carries to the other; nothing is silently dropped.
Changes adopted from the hub are reported as *drift*, so a person sees what moved outside
``academy course``. On a first sync (no base) the two sides are united: nobody is removed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .builders import learners_group, tutors_group
from .model import CourseRun


@dataclass(frozen=True)
class SetMerge:
    merged: frozenset[str]
    adopted_add: frozenset[str]  # added in the hub: now in the records
    adopted_remove: frozenset[str]  # removed in the hub: now out of the records
    push_add: frozenset[str]  # to add to the hub group
    push_remove: frozenset[str]  # to remove from the hub group


def three_way(
    base: Iterable[str] | None, local: Iterable[str], remote: Iterable[str] | None
) -> SetMerge:
    """Merge set changes since ``base``; ``remote`` None means the hub has no such group."""
    here = frozenset(local)
    if remote is None:
        return SetMerge(here, frozenset(), frozenset(), here, frozenset())
    there = frozenset(remote)
    was = frozenset(base) if base is not None else here & there
    merged = (was | (here - was) | (there - was)) - (was - here) - (was - there)
    return SetMerge(
        merged=merged,
        adopted_add=(there - was) - here,
        adopted_remove=(was - there) & here,
        push_add=merged - there,
        push_remove=there - merged,
    )


@dataclass(frozen=True)
class RunPlan:
    """One run after merging: its new members, what changes where, and what needs a person."""

    course_id: str
    learners: tuple[str, ...]
    tutors: tuple[str, ...]
    push: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]  # group -> (add, remove)
    drift: tuple[str, ...]  # hub-side changes adopted into the records
    conflicts: tuple[str, ...] = field(default=())  # hub-side changes NOT adopted, and why

    @property
    def changes_hub(self) -> bool:
        return any(add or remove for add, remove in self.push.values())


def plan_run(
    course: CourseRun, remote: Mapping[str, Iterable[str]], busy_tutors: Iterable[str] = ()
) -> RunPlan:
    """Merge one run with the hub's groups ``{group: members}``.

    ``busy_tutors`` have marking in progress: their removal in the hub is not adopted.
    """
    base = course.hub_base
    lg, tg = learners_group(course.id), tutors_group(course.id)
    learners = three_way(base.learners if base else None, course.learners, remote.get(lg))
    tutors = three_way(base.tutors if base else None, course.tutors, remote.get(tg))
    drift: list[str] = []
    conflicts: list[str] = []
    keep_tutors = set(tutors.merged)
    for name in sorted(tutors.adopted_remove & set(busy_tutors)):
        keep_tutors.add(name)
        conflicts.append(
            f"{name} was removed from {tg} in the hub but has grades in progress; "
            "kept as tutor (finish or reassign their marking, then unenrol them)"
        )
    keep_learners = set(learners.merged)
    for name in sorted(keep_learners & keep_tutors):
        # One role per person: the records' role wins over a conflicting hub change.
        if name in course.tutors:
            keep_learners.discard(name)
            conflicts.append(
                f"{name} was added to {lg} in the hub but is a tutor of the run; "
                "not enrolled as learner"
            )
        else:
            keep_tutors.discard(name)
            conflicts.append(
                f"{name} was added to {tg} in the hub but is a learner of the run; not made tutor"
            )
    for label, merge in (("learner", learners), ("tutor", tutors)):
        group = lg if label == "learner" else tg
        drift += [
            f"{n} added to {group} in the hub: now a {label}"
            for n in sorted(merge.adopted_add)
            if n in (keep_learners | keep_tutors)
        ]
        drift += [
            f"{n} removed from {group} in the hub: no longer a {label}"
            for n in sorted(merge.adopted_remove)
            if n not in keep_tutors
        ]
    order_l = [n for n in course.learners if n in keep_learners]
    order_t = [n for n in course.tutors if n in keep_tutors]
    new_l = order_l + sorted(keep_learners - set(order_l))
    new_t = order_t + sorted(keep_tutors - set(order_t))
    remote_l = set(remote.get(lg, ()))
    remote_t = set(remote.get(tg, ()))
    push = {
        lg: (tuple(sorted(set(new_l) - remote_l)), tuple(sorted(remote_l - set(new_l)))),
        tg: (tuple(sorted(set(new_t) - remote_t)), tuple(sorted(remote_t - set(new_t)))),
    }
    return RunPlan(course.id, tuple(new_l), tuple(new_t), push, tuple(drift), tuple(conflicts))


def plan_global(
    plans: Iterable[RunPlan], remote: Mapping[str, Iterable[str]]
) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """The hub-wide ``learners`` and ``tutors`` groups: exactly everyone in some run."""
    plans = list(plans)
    wanted = {
        "learners": {n for p in plans for n in p.learners},
        "tutors": {n for p in plans for n in p.tutors},
    }
    out = {}
    for group, members in wanted.items():
        have = set(remote.get(group, ()))
        out[group] = (tuple(sorted(members - have)), tuple(sorted(have - members)))
    return out
