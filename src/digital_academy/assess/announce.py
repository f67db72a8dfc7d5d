"""An nbgrader preprocessor for the released notebook: say what a passing visible check means.

Runs in ``generate_assignment`` after the gradebook has saved the full tests and before
hidden tests are cut out, so only learners' copies change. A visible check that passes
prints "public checks passed, hidden checks run at grading" (or "public checks passed"
when the cell has no hidden tests): never "all tests passed", which would be untrue.
"""

from __future__ import annotations

from typing import Any

from nbgrader.preprocessors import NbGraderPreprocessor

from .master import BEGIN_HIDDEN
from .settings import PUBLIC_PASSED, PUBLIC_PASSED_ONLY


class AnnouncePublicChecks(NbGraderPreprocessor):  # type: ignore[misc]
    def preprocess_cell(self, cell: Any, resources: Any, index: int) -> tuple[Any, Any]:
        nbgrader = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and nbgrader.get("grade") and not nbgrader.get("solution"):
            message = PUBLIC_PASSED if BEGIN_HIDDEN in cell.source else PUBLIC_PASSED_ONLY
            cell.source = f"{cell.source.rstrip()}\nprint({message!r})"
        return cell, resources
