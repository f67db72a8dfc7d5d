"""The one error enrolment raises for people to fix: what, where, and what to do."""

from __future__ import annotations


class EnrolmentError(Exception):
    """Bad input or state; the message names the file, line or field and the fix.

    Raised before anything is written, so a refused command changes nothing.
    """
