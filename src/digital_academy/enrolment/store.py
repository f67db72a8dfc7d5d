"""Course-run records on disk: one JSON file per run, written atomically under a lock.

Layout under the state folder (``digital_academy.paths.state_dir``)::

    enrolment/lock                 flock(2) target: one writer at a time, readers share
    enrolment/people.json          the people register
    enrolment/courses/<id>.json    one course run each

Every write goes to a temporary file in the same folder, is flushed to disk, then renamed
over the old file (``os.replace``), so a reader sees the old or the new file, never half of
one, even if the writer is killed. A transaction stages all its writes and applies them only
when its body finished without error, so a refused command changes nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel, ValidationError

from digital_academy.paths import state_dir

from .errors import EnrolmentError
from .model import CourseRun, People

FOLDER = "enrolment"


def enrolment_dir(root: Path) -> Path:
    return state_dir(root) / FOLDER


def atomic_write(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so that no reader ever sees a partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    # The rename itself must survive a power cut too.
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _dump(model: BaseModel) -> str:
    return json.dumps(model.model_dump(mode="json"), indent=2, sort_keys=False) + "\n"


class Snapshot:
    """A consistent view of every record, read under the shared lock."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.people = store.read_people()
        self.courses = {c.id: c for c in store.read_courses()}
        self._staged: dict[Path, str] = {}

    def course(self, course_id: str) -> CourseRun:
        try:
            return self.courses[course_id]
        except KeyError:
            known = ", ".join(sorted(self.courses)) or "none yet"
            raise EnrolmentError(
                f"no course run {course_id!r} (known: {known}); create it with "
                "`academy course create`"
            ) from None

    def put_course(self, course: CourseRun) -> None:
        self.courses[course.id] = course
        self._staged[self._store.course_path(course.id)] = _dump(course)

    def put_people(self, people: People) -> None:
        self.people = people
        self._staged[self._store.people_path] = _dump(people)

    def discard(self) -> None:
        """Forget staged writes (a dry run)."""
        self._staged.clear()

    def commit(self) -> list[Path]:
        # The register first: a crash between the two leaves extra known people, never a
        # course run naming someone the register lacks.
        order = sorted(self._staged, key=lambda p: p != self._store.people_path)
        for path in order:
            atomic_write(path, self._staged[path])
        written = list(order)
        self._staged.clear()
        return written


class Store:
    """The enrolment records of one academy."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.folder = enrolment_dir(root)

    @property
    def people_path(self) -> Path:
        return self.folder / "people.json"

    def course_path(self, course_id: str) -> Path:
        return self.folder / "courses" / f"{course_id}.json"

    def _shown(self, path: Path) -> str:
        return f"{FOLDER}/{path.relative_to(self.folder).as_posix()}"

    @contextlib.contextmanager
    def _locked(self, mode: int) -> Iterator[None]:
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / "lock").open("a") as handle:
            fcntl.flock(handle.fileno(), mode)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Snapshot]:
        """Exclusive: read everything, stage changes, write them only if no error escaped."""
        with self._locked(fcntl.LOCK_EX):
            # Holding the only write lock: any temporary file is from a writer that died.
            for stale in self.folder.rglob(".*.tmp"):
                stale.unlink(missing_ok=True)
            snapshot = Snapshot(self)
            yield snapshot
            snapshot.commit()

    def snapshot(self) -> Snapshot:
        """A read-only, consistent view (taken under the shared lock)."""
        with self._locked(fcntl.LOCK_SH):
            return Snapshot(self)

    def _parse(self, model: type[CourseRun] | type[People], path: Path) -> BaseModel:
        try:
            data = json.loads(path.read_text("utf-8"))
            return model.model_validate(data)
        except (ValueError, ValidationError) as exc:
            raise EnrolmentError(
                f"{self._shown(path)} in the state folder is damaged ({str(exc).splitlines()[0]}); "
                "restore it from a backup, or delete it to forget that record"
            ) from exc

    def read_people(self) -> People:
        if not self.people_path.exists():
            return People()
        people = self._parse(People, self.people_path)
        assert isinstance(people, People)
        return people

    def read_courses(self) -> list[CourseRun]:
        folder = self.folder / "courses"
        found: list[CourseRun] = []
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            course = self._parse(CourseRun, path)
            assert isinstance(course, CourseRun)
            if course.id != path.stem:
                raise EnrolmentError(
                    f"{self._shown(path)} holds course run {course.id!r}; the file name must "
                    "match the id (rename the file back)"
                )
            found.append(course)
        return found
