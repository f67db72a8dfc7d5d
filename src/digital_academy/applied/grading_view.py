"""Marks entered in the grading view (nbgrader's formgrader), read back as rubric levels.

The template gives each criterion a manually graded answer cell whose ``grade_id`` is the
criterion id and whose points span the rubric's scale, so a tutor's score for that cell in
formgrader *is* a level: ``level score = lowest level score + points``. Comments typed in
formgrader become the criterion's comments. Formgrader does not record who graded, so the
tutor importing the scores names themselves (``--as``) and the mark records its source.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from digital_academy.assess.gradebook import open_gradebook

from .capstone import Capstone
from .errors import AppliedError
from .gradebook_link import grading_run


def _notebook(gb: Any, capstone: Capstone, learner: str) -> Any:
    from nbgrader.api import MissingEntry  # noqa: PLC0415 - loaded with the gradebook

    try:
        return gb.find_submission_notebook(capstone.id, capstone.id, learner)
    except MissingEntry:
        raise AppliedError(
            f"{learner}'s {capstone.id!r} is not in the grading view: collect it and run the "
            "assessment's autograde step so formgrader lists it, then grade each criterion there"
        ) from None


def levels_from_grading_view(
    root: Path, course_id: str, capstone: Capstone, learner: str
) -> tuple[dict[str, str], dict[str, str]]:
    """(level id per criterion, comment per criterion) as graded in formgrader."""
    rubric = capstone.rubric
    with open_gradebook(grading_run(root, course_id)) as gb:
        nb = _notebook(gb, capstone, learner)
        grades = {g.name: g for g in nb.grades}
        comments = {c.name: (c.manual_comment or "").strip() for c in nb.comments}
        levels: dict[str, str] = {}
        for criterion in rubric.criteria:
            grade = grades.get(criterion.id)
            if grade is None:
                raise AppliedError(f"the grading view has no cell for criterion {criterion.id!r}")
            points = grade.manual_score
            if points is None and not grade.needs_manual_grade:
                points = grade.auto_score  # an answer left as released scores 0 automatically
            if points is None:
                raise AppliedError(
                    f"criterion {criterion.id!r} of {learner} is not graded in the grading view "
                    "yet; give it a score there (the score is the level: 0 is the lowest)"
                )
            level = rubric.level_of(rubric.min_score + float(points))
            if level is None:
                raise AppliedError(
                    f"the grading view gives criterion {criterion.id!r} of {learner} {points:g} "
                    f"points, which is no level; use whole points from 0 to "
                    f"{rubric.max_score - rubric.min_score}"
                )
            levels[criterion.id] = level.id
    return levels, {k: v for k, v in comments.items() if v and k in levels}
