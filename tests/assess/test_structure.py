"""Pure pieces of grading: master copies, rebuilding edited notebooks, names tests need."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from digital_academy.assess import master, names
from digital_academy.assess.structure import UnreadableSubmission, rebuild
from digital_academy.catalog.notebooks import imported_packages

from .factory import HIDDEN_ADD, source_notebook


def _master() -> master.MasterNotebook:
    """The factory's assignment as nbgrader would store it (full tests) and release it."""
    source = source_notebook()
    stored, released = {}, copy.deepcopy(source)
    for cell in released["cells"]:
        nbg = cell["metadata"].get("nbgrader", {})
        gid = nbg.get("grade_id")
        locked = bool(nbg.get("locked")) or (bool(nbg.get("grade")) and not nbg.get("solution"))
        stored[gid] = {
            "source": cell["source"],
            "cell_type": cell["cell_type"],
            "locked": locked,
            "checksum": f"sum-{gid}",
        }
        if nbg.get("grade") and not nbg.get("solution") and cell["cell_type"] == "code":
            cell["source"] = cell["source"].split("### BEGIN HIDDEN TESTS")[0]
    released["_name"] = "quiz-one"
    return master.build("quiz-one", released, stored)


def _submission(m: master.MasterNotebook) -> dict[str, Any]:
    return {
        "nbformat": 4,
        "cells": [
            {
                "cell_type": c.cell_type,
                "source": c.release_source,
                "metadata": copy.deepcopy(c.metadata),
            }
            for c in m.cells
        ],
    }


def _ids(rebuilt: Any) -> list[str | None]:
    return [c["metadata"].get("nbgrader", {}).get("grade_id") for c in rebuilt.cells]


def test_master_keeps_full_tests_and_splits_hidden_parts() -> None:
    m = _master()
    tests = m.by_id()["add-tests"]
    assert tests.role == "test" and tests.points == 2 and tests.has_hidden
    assert [s.hidden for s in tests.segments] == [False, True]
    assert tests.segments[1].source == HIDDEN_ADD
    assert "HIDDEN" not in tests.release_source
    assert m.by_id()["add-answer"].role == "answer"
    assert m.by_id()["why-answer"].role == "manual-answer"
    assert m.by_id()["setup"].role == "setup"
    assert m.max_score() == 5
    assert m.by_id()["add-answer"].metadata["nbgrader"]["checksum"] == "sum-add-answer"


def test_suite_hash_changes_with_any_test_source() -> None:
    m = _master()
    other = master.build("quiz-one", {"cells": [], "_name": "quiz-one"}, {})
    assert m.suite_hash() == _master().suite_hash() != other.suite_hash()


def test_segments_handle_several_hidden_blocks() -> None:
    text = (
        "a = 1\n### BEGIN HIDDEN TESTS\nb = 2\n### END HIDDEN TESTS\nc = 3\n"
        "### BEGIN HIDDEN TESTS\nd = 4\n### END HIDDEN TESTS\n"
    )
    assert [(s.hidden, s.source) for s in master.split_segments(text)] == [
        (False, "a = 1\n"),
        (True, "b = 2\n"),
        (False, "c = 3\n"),
        (True, "d = 4\n"),
    ]


def test_an_untouched_submission_is_rebuilt_unchanged_and_unflagged() -> None:
    m = _master()
    rebuilt = rebuild(m, _submission(m))
    assert rebuilt.flags == []
    assert _ids(rebuilt) == [c.grade_id for c in m.cells]
    assert rebuilt.cells[3]["source"].endswith(HIDDEN_ADD + "### END HIDDEN TESTS\n")


def test_added_deleted_retyped_moved_cells_are_graded_in_released_order() -> None:
    m = _master()
    sub = _submission(m)
    cells = sub["cells"]
    helper = {"cell_type": "code", "source": "def helper():\n    return 1\n", "metadata": {}}
    answer = cells[2]
    answer["source"] = "def add(a, b):\n    return helper() + a + b - 1\n"
    answer["cell_type"] = "markdown"  # retyped answer
    cells.insert(3, helper)  # added after the add answer
    del cells[1]  # the tutor's setup cell deleted
    tests = next(
        c for c in cells if c["metadata"].get("nbgrader", {}).get("grade_id") == "add-tests"
    )
    tests["source"] = "pass  # all tests passed"  # edited test cell
    mean_tests = next(
        c for c in cells if c["metadata"].get("nbgrader", {}).get("grade_id") == "mean-tests"
    )
    cells.remove(mean_tests)
    cells.insert(0, mean_tests)  # moved to the top
    rebuilt = rebuild(m, sub)
    assert _ids(rebuilt)[:5] == ["intro", "setup", "add-answer", None, "add-tests"]
    assert rebuilt.cells[2]["cell_type"] == "code"
    assert rebuilt.cells[3]["source"].startswith("def helper")
    assert rebuilt.cells[4]["source"] == m.by_id()["add-tests"].source
    text = " | ".join(rebuilt.flags)
    for expected in (
        "moved",
        "'setup' was deleted",
        "'add-answer' was changed from code",
        "'add-tests' was edited",
    ):
        assert expected in text


def test_duplicates_unknown_ids_and_missing_answers_are_flagged() -> None:
    m = _master()
    sub = _submission(m)
    sub["cells"].append(copy.deepcopy(sub["cells"][2]))
    sub["cells"].append(
        {"cell_type": "code", "source": "x = 1", "metadata": {"nbgrader": {"grade_id": "made-up"}}}
    )
    sub["cells"] = [
        c
        for c in sub["cells"]
        if c["metadata"].get("nbgrader", {}).get("grade_id") != "mean-answer"
    ]
    rebuilt = rebuild(m, sub)
    text = " | ".join(rebuilt.flags)
    assert "'add-answer' appears more than once" in text
    assert "'made-up' is not part of this assignment" in text
    assert "'mean-answer' was deleted" in text
    assert (
        rebuilt.cells[_ids(rebuilt).index("mean-answer")]["source"]
        == m.by_id()["mean-answer"].release_source
    )


@pytest.mark.parametrize(
    "broken",
    [
        [],
        "text",
        {"nbformat": 3, "cells": []},
        {"nbformat": 4},
        {"nbformat": 4, "cells": [1]},
        {"nbformat": 4, "cells": [{"source": 5}]},
    ],
)
def test_unreadable_submissions_are_refused_with_a_reason(broken: object) -> None:
    with pytest.raises(UnreadableSubmission):
        rebuild(_master(), json.loads(json.dumps(broken)))


def test_free_names_are_what_tests_read_but_never_define() -> None:
    sources = [
        "OFFSET = 3\nimport math as m\n",
        "assert add(1, 2) == 3\nfor i in range(3):\n    assert mean([i]) == i\n",
        "def check():\n    return helper(m.pi) + OFFSET\n[x for x in data]\n",
    ]
    assert names.free_names(sources) == {"add", "mean", "helper", "data"}
    assert imported_packages(
        [
            "import numpy as np, os.path\nfrom pandas.api import types\n",
            "from . import x\n",
            "%matplotlib inline\n",  # not plain Python: skipped, not an error
        ]
    ) == {"numpy", "os", "pandas"}
    assert "run_line_magic" in names.to_python("%matplotlib inline\nx = 1\n")
