"""The real catalogue: a run per academy, each setting the assessments of its own courses."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from digital_academy.catalog import load_valid
from digital_academy.enrolment import ops
from digital_academy.enrolment.errors import EnrolmentError
from digital_academy.enrolment.model import AssignmentPlan
from digital_academy.enrolment.store import Store


def test_every_assessment_can_be_set_in_its_own_academys_run(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACADEMY_STATE_DIR", str(tmp_path / "state"))  # never the repo's
    catalog = load_valid(repo)
    store = Store(repo)
    by_academy: dict[str, list[str]] = {a: [] for a in catalog.academies}
    for assessment in catalog.assessments.values():
        course = catalog.locations[assessment.module].course
        for academy in catalog.academies.values():
            if course in academy.courses:
                by_academy[academy.id].append(assessment.id)
    assert sum(map(len, by_academy.values())) >= len(catalog.assessments)
    for academy, assessments in by_academy.items():
        run = ops.create_course(
            store,
            catalog,
            {"tutor1"},
            course_id=f"{academy}-autumn"[:40].rstrip("-"),
            academy=academy,
            title=f"{academy} autumn",
            starts=dt.date(2026, 9, 7),
            ends=dt.date(2026, 12, 18),
            tutors=("tutor1",),
            assignments=[AssignmentPlan(id=a) for a in sorted(assessments)],
        )
        assert [p.id for p in run.assignments] == sorted(assessments)
        others = sorted(set(catalog.assessments) - set(assessments))
        if others:
            with pytest.raises(EnrolmentError, match="not taught in academy"):
                ops.set_assignment(store, catalog, run.id, AssignmentPlan(id=others[0]))
    assert len(store.read_courses()) == len(catalog.academies)
    written = sorted(p.name for p in (tmp_path / "state/enrolment/courses").iterdir())
    assert written == sorted(f"{a}-autumn.json" for a in catalog.academies)
