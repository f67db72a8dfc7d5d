"""Small parsers and look-ups shared by the command line and the Python API."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .errors import EnrolmentError


def parse_day(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise EnrolmentError(f"{option} {text!r} is not a date; use YYYY-MM-DD") from None


def parse_due(text: str, option: str = "due date") -> dt.datetime:
    """``YYYY-MM-DD`` (end of that day, UTC) or an ISO date-time (UTC unless it names a zone)."""
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            return dt.datetime.combine(day, dt.time(23, 59), tzinfo=dt.UTC)
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise EnrolmentError(
            f"{option} {text!r} is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def parse_assignment(text: str) -> tuple[str, dt.datetime | None]:
    """``ASSESSMENT`` or ``ASSESSMENT@DUE``."""
    name, _, due = text.partition("@")
    return name.strip(), parse_due(due.strip(), f"--assignment {text}:") if due else None


def hub_accounts(root: Path) -> set[str]:
    """Accounts the hub settings name (admins, demo tutors and learners): always known."""
    from digital_academy.hub.settings import SettingsError, load_settings  # noqa: PLC0415

    try:
        return set(load_settings(root).users())
    except SettingsError as exc:
        raise EnrolmentError(str(exc)) from exc
