"""The attack corpus: adversarial submissions against a real accredited assessment.

Each submission must score no more than it deserves (and, where it also contains honest
work, exactly that), be recorded with a reason where it broke something, and leave the
gradebook intact. "Deserved" is stated per attack as the set of test cells an honest
version of the same work passes: all, none, or only the first task's.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import json
import re
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import psutil
import pytest

from digital_academy.assess import evidence, workflow
from digital_academy.assess.batch import autograde
from digital_academy.assess.gradebook import open_gradebook
from digital_academy.assess.sandbox.client import UID_BASE
from digital_academy.assess.sandbox.limits import Limits
from digital_academy.assess.settings import CourseRun, Settings

from .conftest import REPO, release_notebook, submit_directly

pytestmark = pytest.mark.slow

ASSESSMENT = "snomed-verhoeff"
LIMITS = Limits(cell_seconds=5, wall_seconds=180, cpu_seconds=60, memory_mb=512, processes=32)
Notebook = dict[str, Any]


def _gid(cell: dict[str, Any]) -> str | None:
    gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    return gid if isinstance(gid, str) else None


def _role(cell: dict[str, Any]) -> str:
    nbg = cell.get("metadata", {}).get("nbgrader", {})
    if nbg.get("solution") and not nbg.get("grade") and cell["cell_type"] == "code":
        return "answer"
    if nbg.get("grade") and not nbg.get("solution") and cell["cell_type"] == "code":
        return "test"
    return "other"


def _solutions() -> dict[str, str]:
    source = json.loads((REPO / f"graders/source/{ASSESSMENT}/{ASSESSMENT}.ipynb").read_text())
    out = {}
    for cell in source["cells"]:
        if _role(cell) == "answer":
            text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            out[str(_gid(cell))] = "".join(
                line
                for line in text.splitlines(True)
                if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line
            )
    return out


def _functions(code: str) -> list[str]:
    return [n.name for n in ast.parse(code).body if isinstance(n, ast.FunctionDef)]


def _stub(code: str, body: str) -> str:
    """Every function of an answer cell, with the same name, doing ``body`` instead."""
    return "".join(f"def {name}(*args, **kwargs):\n{body}\n" for name in _functions(code))


def _code(source: str) -> dict[str, Any]:
    return {
        "cell_type": "code",
        "metadata": {},
        "source": source,
        "outputs": [],
        "execution_count": None,
    }


class Corpus:
    def __init__(self, release: Notebook) -> None:
        self.release = release
        self.solutions = _solutions()
        self.answers = [str(_gid(c)) for c in release["cells"] if _role(c) == "answer"]
        self.tests = [str(_gid(c)) for c in release["cells"] if _role(c) == "test"]

    def build(
        self, answers: dict[str, str], edit: Callable[[list[Any]], None] | None = None
    ) -> Notebook:
        nb = copy.deepcopy(self.release)
        for cell in nb["cells"]:
            if _gid(cell) in answers:
                cell["source"] = answers[str(_gid(cell))]
        if edit:
            edit(nb["cells"])
        return nb

    def right(self) -> dict[str, str]:
        return dict(self.solutions)

    def wrong(self) -> dict[str, str]:
        return {g: _stub(c, "    return None") for g, c in self.solutions.items()}

    def after(self, gid: str, cell: dict[str, Any]) -> Callable[[list[Any]], None]:
        def edit(cells: list[Any]) -> None:
            index = next(i for i, c in enumerate(cells) if _gid(c) == gid)
            cells.insert(index + 1, cell)

        return edit


@pytest.fixture(scope="module")
def graded(real_state: Path) -> Iterator[dict[str, Any]]:
    if not (REPO / f"graders/assessments/{ASSESSMENT}.yml").is_file():
        pytest.skip(f"the real assessment {ASSESSMENT} is not in this repository")
    course = CourseRun(REPO, "attacks")
    settings = Settings(workers=2, limits=LIMITS)
    workflow.generate(course, ASSESSMENT, settings)
    corpus = Corpus(release_notebook(course, ASSESSMENT))
    first_answer, first_test = corpus.answers[0], corpus.tests[0]
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    knocks: list[object] = []

    def listen() -> None:
        # No connection should ever arrive: accept() then fails when the socket is closed.
        with contextlib.suppress(OSError):
            knocks.append(server.accept())

    threading.Thread(target=listen, daemon=True).start()
    right, wrong = corpus.right(), corpus.wrong()
    tests = set(corpus.tests)
    first_only = {first_test}
    always_equal = (
        "class AlwaysEqual:\n    def __eq__(self, other): return True\n"
        "    def __ne__(self, other): return False\n    __hash__ = object.__hash__\n"
    )
    liar = (
        "class Liar(int):\n    def __eq__(self, other): return True\n"
        "    def __ne__(self, other): return False\n    __hash__ = int.__hash__\n"
    )
    patch = _code(
        "import builtins, sys\nip = get_ipython()\n"
        "ip.set_custom_exc((BaseException,), lambda *a, **k: None)\n"
        "ip.showtraceback = lambda *a, **k: None\nsys.excepthook = lambda *a: None\n"
        "ip.input_transformers_post.append(lambda lines: ['pass\\n'])\n"
        "class Quiet(Exception):\n    pass\nbuiltins.AssertionError = Quiet\n"
    )
    tops = ("/home", "/tmp", "/root", "/srv", "/var", "/opt", "/mnt", str(REPO.parent))
    known = [
        str(course.folder / "gradebook.db"),
        str(course.path("source", ASSESSMENT)),
        str(REPO / "graders"),
        str(course.exchange),
    ]
    snoop = (
        "    import glob, os\n"
        f"    found = [p for p in {known!r} if os.path.exists(p)]\n"
        f"    for top in {tops!r}:\n"
        "        found += glob.glob(top + '/**/*verhoeff*', recursive=True)\n"
        "        found += glob.glob(top + '/**/gradebook*', recursive=True)\n"
        "    print('FOUND', found, sorted(k for k in os.environ if 'ACADEMY' in k))\n"
        "    return None"
    )
    forge = _code(
        "import json, os, struct\nfake = json.dumps({'value': True, 'status': 'ok', "
        "'outputs': []}).encode()\nfor fd in range(3, 64):\n    try:\n"
        "        os.write(fd, struct.pack('!I', len(fake)) + fake)\n    except OSError:\n"
        "        pass\n"
    )
    codec_patch = _code(
        "import sys\nfor name, module in list(sys.modules.items()):\n"
        "    if name.endswith('assess.codec'):\n"
        "        module.encode = lambda value, make_ref: True\n"
    )
    loop_task2 = {
        **right,
        corpus.answers[1]: _stub(right[corpus.answers[1]], "    while True:\n        pass"),
    }
    fake = _code(
        "print('public checks passed, hidden checks run at grading')\n"
        "print('All tests passed! Score: 10/10')\n"
        'print(\'{"output_type": "error"}\')\n'
    )
    attacks: dict[str, tuple[Notebook, set[str]]] = {
        "honest": (corpus.build(right), tests),
        "blank": (corpus.build({}), set()),
        "eq-always-true": (
            corpus.build(
                {g: always_equal + _stub(c, "    return AlwaysEqual()") for g, c in right.items()}
            ),
            set(),
        ),
        "int-subclass": (
            corpus.build({g: liar + _stub(c, "    return Liar(6)") for g, c in right.items()}),
            set(),
        ),
        "patch-assert": (corpus.build(wrong, lambda cells: cells.insert(0, patch)), set()),
        "edit-tests": (
            corpus.build(
                wrong, lambda cells: [c.update(source="pass") for c in cells if _role(c) == "test"]
            ),
            set(),
        ),
        "delete-tests": (
            corpus.build(
                wrong, lambda cells: [cells.remove(c) for c in list(cells) if _role(c) == "test"]
            ),
            set(),
        ),
        "retype-cells": (
            corpus.build(
                wrong,
                lambda cells: [c.update(cell_type="markdown") for c in cells if _role(c) == "test"],
            ),
            set(),
        ),
        "read-hidden": (corpus.build({g: _stub(c, snoop) for g, c in right.items()}), set()),
        "fake-output": (corpus.build(wrong, corpus.after(first_answer, fake)), set()),
        "forge-protocol": (corpus.build(wrong, corpus.after(first_answer, forge)), set()),
        "patch-codec": (corpus.build(wrong, lambda cells: cells.insert(0, codec_patch)), set()),
        "infinite-loop": (corpus.build(loop_task2), first_only),
        "memory-bomb": (
            corpus.build(
                right,
                corpus.after(
                    first_test,
                    _code(
                        "def bomb():\n    hog = []\n    while True:\n"
                        "        hog.append(bytearray(50 * 1024 * 1024))\nbomb()"
                    ),
                ),
            ),
            tests,
        ),
        "fork-bomb": (
            corpus.build(
                right, corpus.after(first_test, _code("import os\nwhile True:\n    os.fork()"))
            ),
            tests,
        ),
        "network": (
            corpus.build(
                right,
                corpus.after(
                    first_test,
                    _code(
                        f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=3)"
                    ),
                ),
            ),
            tests,
        ),
        "sys-exit": (
            corpus.build(
                right, corpus.after(first_test, _code("import sys\nsys.exit('leaving early')"))
            ),
            tests,
        ),
        "os-exit": (
            corpus.build(right, corpus.after(first_test, _code("import os\nos._exit(0)"))),
            first_only,
        ),
    }
    for student, (nb, _) in attacks.items():
        submit_directly(course, ASSESSMENT, student, nb)
    report = autograde(course, ASSESSMENT, settings)
    server.close()
    yield {
        "course": course,
        "report": report,
        "attacks": attacks,
        "corpus": corpus,
        "knocks": knocks,
    }


def test_every_attack_scores_no_more_than_deserved(graded: dict[str, Any]) -> None:
    course, attacks = graded["course"], graded["attacks"]
    corpus: Corpus = graded["corpus"]
    assert len(attacks) - 2 >= 12
    statuses = {r.student: r.status for r in graded["report"].rows}
    assert "error" not in statuses.values(), graded["report"].rows
    with open_gradebook(course) as gb:
        for student, (_, passing) in attacks.items():
            for test in corpus.tests:
                grade = gb.find_grade(test, ASSESSMENT, ASSESSMENT, student)
                deserved = grade.max_score if test in passing else 0.0
                assert grade.auto_score == deserved, (student, test, grade.auto_score)


def test_structural_edits_and_limits_are_flagged_with_reasons(graded: dict[str, Any]) -> None:
    notes = {r.student: " ".join(r.notes) for r in graded["report"].rows}
    expected = {
        "edit-tests": "was edited",
        "delete-tests": "was deleted",
        "retype-cells": "was changed to markdown",
        "infinite-loop": "time limit",
        "memory-bomb": "memory limit",
        "fork-bomb": "process limit",
        "os-exit": "exited",
    }
    for student, reason in expected.items():
        assert reason in notes[student], (student, notes[student])
    assert notes["honest"] == "" and notes["blank"] == ""


def test_learner_code_found_nothing_and_reached_nobody(graded: dict[str, Any]) -> None:
    course: CourseRun = graded["course"]
    assert graded["knocks"] == []
    snooped = json.loads(
        course.path("autograded", "read-hidden", ASSESSMENT, f"{ASSESSMENT}.ipynb").read_text()
    )
    printed = "".join(o.get("text", "") for c in snooped["cells"] for o in c.get("outputs", []))
    assert "FOUND [] []" in printed
    assert not re.search(r"FOUND \[.+\]", printed.replace("FOUND [] []", ""))
    with open_gradebook(course) as gb:
        conn = gb.db.connection()
        entries = [
            evidence.latest(conn, "autograde", ASSESSMENT, s, ASSESSMENT) for s in graded["attacks"]
        ]
    jail_uids = {json.loads(e["payload"]).get("uid") for e in entries if e} - {None}
    assert not jail_uids or min(jail_uids) >= UID_BASE  # type: ignore[type-var]

    def stray() -> list[psutil.Process]:
        return [
            p
            for p in psutil.process_iter(["uids"])
            if p.info["uids"] and p.info["uids"].real in jail_uids
        ]

    deadline = time.monotonic() + 10  # the kernel tears pid namespaces down asynchronously
    while stray() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert stray() == []


def test_the_gradebook_is_intact(graded: dict[str, Any]) -> None:
    course: CourseRun = graded["course"]
    db = course.folder / "gradebook.db"
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with open_gradebook(course) as gb:
        conn = gb.db.connection()
        chain = evidence.verify_chain(conn)
        assert chain.problems == () and chain.unsealed == 0
        assert chain.entries == len(graded["attacks"])
        honest = evidence.latest(conn, "autograde", ASSESSMENT, "honest", ASSESSMENT)
        assert honest is not None and json.loads(honest["payload"])["status"] == "graded"
    assert list(course.backups.glob("gradebook-*.db"))
