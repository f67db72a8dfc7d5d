"""Stops nbgrader's own autograde (e.g. formgrader's button) from running learner code.

nbgrader executes submissions unsandboxed, as the tutor. The course folder's nbgrader
config puts this preprocessor where nbgrader's ``Execute`` was, so the only way to
autograde is ``academy assess autograde``, which runs learner code in the sandbox.
"""

from __future__ import annotations

from typing import Any

from nbgrader.preprocessors import NbGraderPreprocessor

MESSAGE = (
    "nbgrader's autograde runs learner code without a sandbox and is switched off for "
    "this course run; grade with `academy assess autograde` instead"
)


class UseTheSandbox(NbGraderPreprocessor):  # type: ignore[misc]
    def preprocess(self, nb: Any, resources: Any) -> tuple[Any, Any]:
        raise RuntimeError(MESSAGE)
