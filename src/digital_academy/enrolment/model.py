"""Course runs and the people in them: typed, immutable records (one JSON file per run).

A *course run* is one delivery of teaching from one academy of the catalogue to one cohort:
its tutors, its learners, its dates and the accredited assessments it sets. Everything the
hub and nbgrader need per course (groups, roles, rosters, exchange folders, gradebooks) is
built from these records by the pure functions in ``builders.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from digital_academy.hub.settings import CourseId, UserName

SCHEMA_VERSION = 1
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Optional = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Person(_Frozen):
    """Someone the academy knows by their hub user name (the nbgrader student id too)."""

    username: UserName
    first_name: Optional = ""
    last_name: Optional = ""
    email: Optional = ""
    lms_user_id: Optional = Field(default="", description="Their id in the learning platform.")
    source: Optional = Field(default="", description="Where they were registered from.")


class People(_Frozen):
    """The people register: who may be enrolled. Kept apart from runs so details live once."""

    schema_version: Literal[1] = 1
    people: tuple[Person, ...] = ()

    def by_name(self) -> dict[str, Person]:
        return {p.username: p for p in self.people}


class Withdrawal(_Frozen):
    """A learner taken off a run. Their submissions and grades are kept, never deleted."""

    username: UserName
    on: dt.date
    reason: Optional = ""


class AssignmentPlan(_Frozen):
    """An accredited assessment (``Catalog.assessments`` id) set in this run."""

    id: Slug = Field(description="The assessment id; also the nbgrader assignment name.")
    due: dt.datetime | None = Field(default=None, description="Due date and time (UTC).")
    markers: tuple[UserName, ...] = Field(
        default=(), description="Tutors who mark it; empty means every tutor of the run."
    )

    @model_validator(mode="after")
    def _utc(self) -> AssignmentPlan:
        if self.due is not None and self.due.utcoffset() is None:
            raise ValueError("due must carry a time zone (it is stored in UTC)")
        return self


class HubBase(_Frozen):
    """Group members as last agreed with the hub: the base of the three-way sync."""

    learners: tuple[UserName, ...] = ()
    tutors: tuple[UserName, ...] = ()


class CourseRun(_Frozen):
    """One course run: an academy's teaching to one cohort, with its tutors and assessments."""

    schema_version: Literal[1] = 1
    id: CourseId
    academy: Slug = Field(description="The specialist academy (catalogue id) it belongs to.")
    title: Text
    starts: dt.date
    ends: dt.date
    tutors: tuple[UserName, ...] = ()
    learners: tuple[UserName, ...] = ()
    withdrawn: tuple[Withdrawal, ...] = ()
    assignments: tuple[AssignmentPlan, ...] = ()
    hub_base: HubBase | None = Field(
        default=None, description="Memberships at the last sync with the hub (None: never)."
    )

    @model_validator(mode="after")
    def _consistent(self) -> CourseRun:
        if self.ends < self.starts:
            raise ValueError(f"ends ({self.ends}) is before starts ({self.starts})")
        for label, names in (("tutors", self.tutors), ("learners", self.learners)):
            repeated = sorted({n for n in names if names.count(n) > 1})
            if repeated:
                raise ValueError(f"{label} lists {repeated} more than once")
        both = sorted(set(self.tutors) & set(self.learners))
        if both:
            raise ValueError(f"{both} cannot be both tutor and learner of one run")
        back = sorted({w.username for w in self.withdrawn} & set(self.learners))
        if back:
            raise ValueError(f"{back} are listed as learners and as withdrawn")
        ids = [a.id for a in self.assignments]
        if len(set(ids)) != len(ids):
            raise ValueError(f"assignments repeat an id: {ids}")
        for plan in self.assignments:
            strangers = sorted(set(plan.markers) - set(self.tutors))
            if strangers:
                raise ValueError(f"assignment {plan.id}: markers {strangers} are not tutors")
        return self

    def markers_of(self, plan: AssignmentPlan) -> tuple[str, ...]:
        return plan.markers or self.tutors

    def withdrawn_names(self) -> tuple[str, ...]:
        return tuple(w.username for w in self.withdrawn)

    def role_of(self, username: str) -> str | None:
        if username in self.tutors:
            return "tutor"
        if username in self.learners:
            return "learner"
        return "withdrawn" if username in self.withdrawn_names() else None
