"""Course runs as records: create, enrol, unenrol, assign; refusals change nothing."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from digital_academy.catalog import Catalog, load_valid
from digital_academy.enrolment import ops
from digital_academy.enrolment.csvinput import read_cohort, read_roster
from digital_academy.enrolment.errors import EnrolmentError
from digital_academy.enrolment.model import AssignmentPlan, CourseRun
from digital_academy.enrolment.store import Store, enrolment_dir

from .factory import snapshot

KNOWN = {"tutor1", "tutor2", "learner1", "learner2", "learner3", "admin"}
DUE = dt.datetime(2026, 10, 31, 23, 59, tzinfo=dt.UTC)


@pytest.fixture
def catalog(academy: Path) -> Catalog:
    return load_valid(academy)


def create(root: Path, catalog: Catalog, course_id: str = "run-a", **changes: object) -> CourseRun:
    args: dict[str, object] = {
        "course_id": course_id,
        "academy": "data",
        "title": "Data run",
        "starts": dt.date(2026, 9, 1),
        "ends": dt.date(2026, 12, 18),
        "tutors": ("tutor1",),
        "assignments": (AssignmentPlan(id="add-up", due=DUE),),
    }
    args.update(changes)
    return ops.create_course(Store(root), catalog, KNOWN, **args)  # type: ignore[arg-type]


def test_create_writes_one_file_per_run_and_reads_back(academy: Path, catalog: Catalog) -> None:
    created = create(academy, catalog)
    create(
        academy, catalog, "run-b", academy="safety", assignments=(AssignmentPlan(id="times-two"),)
    )
    files = sorted(p.name for p in (enrolment_dir(academy) / "courses").iterdir())
    assert files == ["run-a.json", "run-b.json"]
    data = json.loads((enrolment_dir(academy) / "courses/run-a.json").read_text())
    assert data["assignments"] == [{"id": "add-up", "due": "2026-10-31T23:59:00Z", "markers": []}]
    assert Store(academy).snapshot().course("run-a") == created
    assert not list((enrolment_dir(academy) / "courses").glob("*.tmp"))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"academy": "nope"}, "unknown academy 'nope'; known academies: data, safety"),
        ({"assignments": (AssignmentPlan(id="nope"),)}, "unknown assessment 'nope'"),
        ({"assignments": (AssignmentPlan(id="times-two"),)}, "not taught in academy 'data'"),
        ({"tutors": ("stranger",)}, "unknown tutor(s) 'stranger'"),
        ({"ends": dt.date(2026, 8, 1)}, "ends (2026-08-01) is before starts (2026-09-01)"),
        (
            {"assignments": (AssignmentPlan(id="add-up", due=DUE.replace(year=2027)),)},
            "is due 2027-10-31, outside the run",
        ),
    ],
)
def test_bad_create_is_refused_and_changes_nothing(
    academy: Path, catalog: Catalog, changes: dict[str, object], message: str
) -> None:
    create(academy, catalog)
    before = snapshot(enrolment_dir(academy))
    with pytest.raises(EnrolmentError, match=None) as caught:
        create(academy, catalog, "run-x", **changes)
    assert message in str(caught.value)
    assert snapshot(enrolment_dir(academy)) == before


@pytest.mark.parametrize("bad", ["Bad Id", "x", "a" * 41, "-lead", "two--hyphens"])
def test_bad_course_ids(academy: Path, catalog: Catalog, bad: str) -> None:
    with pytest.raises(EnrolmentError, match="lower-case words joined by hyphens"):
        create(academy, catalog, bad)
    assert not (enrolment_dir(academy) / "courses").exists()


def test_duplicate_course_id_is_refused(academy: Path, catalog: Catalog) -> None:
    create(academy, catalog)
    before = snapshot(enrolment_dir(academy))
    with pytest.raises(EnrolmentError, match="course run 'run-a' already exists"):
        create(academy, catalog, title="Another")
    assert snapshot(enrolment_dir(academy)) == before


def test_enrol_by_name_and_unknown_learner(academy: Path, catalog: Catalog) -> None:
    create(academy, catalog)
    store = Store(academy)
    change = ops.enrol(store, "run-a", KNOWN, usernames=["learner1", "learner2"])
    assert change.added == {"learners": ("learner1", "learner2")}
    again = ops.enrol(store, "run-a", KNOWN, usernames=["learner1"])
    assert again.unchanged == ("learner1",) and again.added == {}
    before = snapshot(enrolment_dir(academy))
    with pytest.raises(EnrolmentError, match=r"unknown learner\(s\) 'ghost'.*nothing was changed"):
        ops.enrol(store, "run-a", KNOWN, usernames=["learner3", "ghost"])
    assert snapshot(enrolment_dir(academy)) == before
    with pytest.raises(EnrolmentError, match="no course run 'run-z'"):
        ops.enrol(store, "run-z", KNOWN, usernames=["learner3"])


def test_one_role_per_person(academy: Path, catalog: Catalog) -> None:
    create(academy, catalog)
    store = Store(academy)
    with pytest.raises(EnrolmentError, match="tutor1 \\(a tutor of run-a, asked to be a learner"):
        ops.enrol(store, "run-a", KNOWN, usernames=["tutor1"])


def test_enrol_from_roster_csv_registers_people(academy: Path, catalog: Catalog) -> None:
    create(academy, catalog)
    csv = academy / "roster.csv"
    csv.write_text(
        "username,role,first_name,last_name,email\n"
        "newbie,learner,Asha,Patel,asha.patel@example.org\n"
        "tutor9,tutor,Sam,Jones,\n",
        "utf-8",
    )
    store = Store(academy)
    change = ops.enrol(store, "run-a", KNOWN, rows=read_roster(csv, "roster.csv"))
    assert change.added == {"learners": ("newbie",), "tutors": ("tutor9",)}
    assert change.registered == ("newbie", "tutor9")
    snap = store.snapshot()
    assert snap.course("run-a").tutors == ("tutor1", "tutor9")
    person = snap.people.by_name()["newbie"]
    assert (person.first_name, person.email, person.source) == (
        "Asha",
        "asha.patel@example.org",
        "roster roster.csv",
    )
    # Once registered, a person can be enrolled in another run by name.
    create(academy, catalog, "run-b", academy="safety", assignments=())
    ops.enrol(store, "run-b", KNOWN, usernames=["newbie"])
    assert store.snapshot().course("run-b").learners == ("newbie",)


def test_bad_csv_row_names_file_line_and_field_and_changes_nothing(
    academy: Path, catalog: Catalog
) -> None:
    create(academy, catalog)
    ops.enrol(Store(academy), "run-a", KNOWN, usernames=["learner1"])
    before = snapshot(enrolment_dir(academy))
    csv = academy / "bad.csv"
    csv.write_text(
        "username,role,email\nfine,learner,\nlearner9,learner,not-an-email\n"
        "fine,tutor,\nx y,learner,\n,learner,\nsomeone,teacher,\n",
        "utf-8",
    )
    with pytest.raises(EnrolmentError) as caught:
        read_roster(csv, "bad.csv")
    message = str(caught.value)
    assert message.startswith(
        "bad.csv has 5 problems: line 3, field email: 'not-an-email' is not an email address;"
    )
    for part in (
        "line 4, field username: 'fine' is already on line 2",
        "line 5, field username: 'x y' is not a hub user name",
        "line 6, field username: is empty",
        "line 7, field role: 'teacher' is not learner or tutor",
        "nothing was changed",
    ):
        assert part in message
    assert snapshot(enrolment_dir(academy)) == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("user,role\nx,learner\n", "bad.csv, line 1: no 'username' column"),
        ("username,age\nx,3\n", "bad.csv, line 1: unknown column(s) age"),
        ("username\n", "bad.csv has a header but no people"),
        ("", "bad.csv is empty"),
        ("username,role\nlearner1\n", "line 2, field (row): has 1 cells but the header has 2"),
    ],
)
def test_malformed_roster_files(academy: Path, text: str, message: str) -> None:
    csv = academy / "bad.csv"
    csv.write_text(text, "utf-8")
    with pytest.raises(EnrolmentError) as caught:
        read_roster(csv, "bad.csv")
    assert message in str(caught.value)


def test_roster_file_not_utf8(academy: Path) -> None:
    csv = academy / "latin.csv"
    csv.write_bytes("username,first_name\nlearner1,Zo\xeb\n".encode("latin-1"))
    with pytest.raises(EnrolmentError, match=r"latin.csv: not UTF-8 \(byte 31\); save it as UTF-8"):
        read_roster(csv, "latin.csv")


def test_selected_cohort_csv_keeps_no_characteristics(academy: Path, catalog: Catalog) -> None:
    create(academy, catalog)
    cohort = academy / "selected.csv"
    cohort.write_text(
        "applicant_id,hub_username,profession,region,ethnicity\n"
        "A17,cohort-one,nurse,north,prefer not to say\n"
        "A03,cohort-two,analyst,london,White\n",
        "utf-8",
    )
    store = Store(academy)
    change = ops.enrol(store, "run-a", KNOWN, rows=read_cohort(cohort, "selected.csv"))
    assert change.added == {"learners": ("cohort-one", "cohort-two")}
    stored = "".join(p.read_text() for p in enrolment_dir(academy).rglob("*.json"))
    for private in ("nurse", "london", "White", "prefer not to say", "A17"):
        assert private not in stored


def test_selected_cohort_without_user_name(academy: Path) -> None:
    cohort = academy / "selected.csv"
    cohort.write_text("applicant_id,hub_username,region\nA17,,north\nA18,ok-user,south\n")
    with pytest.raises(EnrolmentError, match="line 2, field hub_username: A17 has no hub user"):
        read_cohort(cohort, "selected.csv")
    cohort.write_text("applicant_id,region\nA17,north\n")
    with pytest.raises(EnrolmentError, match="no 'hub_username' column"):
        read_cohort(cohort, "selected.csv")


def test_unenrol_keeps_a_withdrawal_and_reenrol_clears_it(academy: Path, catalog: Catalog) -> None:
    create(academy, catalog)
    store = Store(academy)
    ops.enrol(store, "run-a", KNOWN, usernames=["learner1", "learner2"])
    day = dt.date(2026, 10, 1)
    ops.unenrol(store, "run-a", ["learner2"], today=day, reason="moved trust")
    run = store.snapshot().course("run-a")
    assert run.learners == ("learner1",)
    assert [(w.username, w.on, w.reason) for w in run.withdrawn] == [
        ("learner2", day, "moved trust")
    ]
    with pytest.raises(
        EnrolmentError, match="learner2 was already withdrawn from run-a on 2026-10-01"
    ):
        ops.unenrol(store, "run-a", ["learner2"], today=day)
    with pytest.raises(EnrolmentError, match="learner3 is not a learner of run-a"):
        ops.unenrol(store, "run-a", ["learner3"], today=day)
    ops.enrol(store, "run-a", KNOWN, usernames=["learner2"])
    run = store.snapshot().course("run-a")
    assert run.learners == ("learner1", "learner2") and run.withdrawn == ()


def test_removing_a_tutor_with_grades_in_progress_is_refused(
    academy: Path, catalog: Catalog
) -> None:
    create(academy, catalog, tutors=("tutor1", "tutor2"))
    store = Store(academy)
    open_work = {"tutor1": {"add-up": 2}, "tutor2": {"add-up": 0}}

    def probe(run: CourseRun, tutor: str) -> dict[str, int]:
        assert run.id == "run-a"
        return open_work[tutor]

    before = snapshot(enrolment_dir(academy))
    with pytest.raises(
        EnrolmentError,
        match=r"tutor1 has grades in progress in run-a: add-up "
        r"\(2 submission\(s\)\)",
    ):
        ops.unenrol(
            store, "run-a", ["tutor1"], role="tutor", today=dt.date(2026, 10, 1), open_marking=probe
        )
    assert snapshot(enrolment_dir(academy)) == before
    ops.unenrol(
        store, "run-a", ["tutor2"], role="tutor", today=dt.date(2026, 10, 1), open_marking=probe
    )
    assert store.snapshot().course("run-a").tutors == ("tutor1",)


def test_reassigning_marking_lets_a_busy_tutor_go(academy: Path, catalog: Catalog) -> None:
    create(
        academy,
        catalog,
        tutors=("tutor1", "tutor2"),
        assignments=(AssignmentPlan(id="add-up", markers=("tutor1",)),),
    )
    store = Store(academy)
    with pytest.raises(EnrolmentError, match="--reassign-to learner1: must be another tutor"):
        ops.unenrol(
            store,
            "run-a",
            ["tutor1"],
            role="tutor",
            today=dt.date(2026, 10, 1),
            reassign_to="learner1",
        )
    ops.unenrol(
        store,
        "run-a",
        ["tutor1"],
        role="tutor",
        today=dt.date(2026, 10, 1),
        open_marking=lambda _r, _t: {"add-up": 3},
        reassign_to="tutor2",
    )
    run = store.snapshot().course("run-a")
    assert run.tutors == ("tutor2",)
    assert run.assignments[0].markers == ("tutor2",)


def test_set_assignment_adds_and_updates(academy: Path, catalog: Catalog) -> None:
    create(academy, catalog, assignments=())
    store = Store(academy)
    ops.set_assignment(store, catalog, "run-a", AssignmentPlan(id="add-up", due=DUE))
    later = DUE + dt.timedelta(days=7)
    ops.set_assignment(store, catalog, "run-a", AssignmentPlan(id="add-up", due=later))
    assert store.snapshot().course("run-a").assignments == (AssignmentPlan(id="add-up", due=later),)
    with pytest.raises(EnrolmentError, match="markers \\['tutor7'\\] are not tutors"):
        ops.set_assignment(
            store, catalog, "run-a", AssignmentPlan(id="add-up", markers=("tutor7",))
        )


def test_a_damaged_record_is_reported_not_trusted(academy: Path, catalog: Catalog) -> None:
    create(academy, catalog)
    path = enrolment_dir(academy) / "courses/run-a.json"
    path.write_text(path.read_text()[:40])
    with pytest.raises(
        EnrolmentError, match=r"enrolment/courses/run-a\.json in the state folder is damaged"
    ):
        Store(academy).snapshot()


def test_enrol_from_the_selection_capabilitys_own_files(academy: Path, catalog: Catalog) -> None:
    """The cohort file exactly as ``academy cohort select`` writes it (its own writer)."""
    from digital_academy.selection.model import Applicant, Pool  # noqa: PLC0415
    from digital_academy.selection.outputs import _csv  # noqa: PLC0415

    pool = Pool(
        features=("profession", "region"),
        applicants=(
            Applicant("A01", ("nurse", "north"), hub_username="sel-one"),
            Applicant("A02", ("analyst", "prefer not to say"), hub_username="sel-two"),
            Applicant("A03", ("doctor", "south"), hub_username="sel-three"),
        ),
    )
    create(academy, catalog)
    cohort = academy / "cohort.csv"
    cohort.write_text(_csv(pool, ("A01", "A02"), ranked=False), "utf-8")
    change = ops.enrol(Store(academy), "run-a", KNOWN, rows=read_cohort(cohort, "cohort.csv"))
    assert change.added == {"learners": ("sel-one", "sel-two")}
    reserves = academy / "reserves.csv"
    reserves.write_text(_csv(pool, ("A03",), ranked=True), "utf-8")
    with pytest.raises(EnrolmentError, match="this is the reserve list"):
        read_cohort(reserves, "reserves.csv")
