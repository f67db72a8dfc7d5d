"""Errors of the applied-learning capability, phrased for the person who has to act on them."""

from __future__ import annotations

from digital_academy.catalog import Diagnostic


class AppliedError(Exception):
    """Bad input or a refused action: the message says what, where and what to do.

    Raised *before* anything is written, so a refused action changes nothing.
    """


class AccessDenied(AppliedError):
    """The acting identity may not see or change this record."""


class RubricError(AppliedError):
    """A capstone's files are invalid; ``diagnostics`` names each file, field and fix."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        first = diagnostics[0]
        more = f" (and {len(diagnostics) - 1} more; run `academy capstone check`)" * (
            len(diagnostics) > 1
        )
        super().__init__(
            f"{first.file}: field {first.field}: {first.message}; fix: {first.fix}{more}"
        )
