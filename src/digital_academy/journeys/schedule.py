"""Weeks, capacities and packing modules into a weekly study schedule.

Week ``k`` (from 1) runs for seven days from ``start + 7(k-1)``. With a deadline the
last week may be cut short; its capacity shrinks in proportion to the days left.
A module is never split across weeks: bitesize modules are one sitting each.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from digital_academy.catalog import Module


@dataclass(frozen=True)
class Calendar:
    start: dt.date
    minutes_per_week: int
    by: dt.date | None = None

    @property
    def weeks(self) -> int | None:
        """Weeks until the deadline (the last may be partial); ``None`` with no deadline."""
        if self.by is None:
            return None
        days = (self.by - self.start).days + 1
        return max(0, math.ceil(days / 7))

    def capacity(self, week: int) -> int:
        """Study minutes available in ``week`` (full weeks get ``minutes_per_week``)."""
        if self.by is None:
            return self.minutes_per_week
        days = min(7, (self.by - self.week_start(week)).days + 1)
        if days <= 0:
            return 0
        return self.minutes_per_week * days // 7

    def week_start(self, week: int) -> dt.date:
        return self.start + dt.timedelta(days=7 * (week - 1))

    def week_end(self, week: int) -> dt.date:
        end = self.week_start(week) + dt.timedelta(days=6)
        return min(end, self.by) if self.by else end


def topological(modules: Sequence[Module]) -> list[Module]:
    """Prerequisites first; otherwise keep the given (catalogue) order, for stable output."""
    ids = {m.id for m in modules}
    placed: list[Module] = []
    seen: set[str] = set()
    remaining = list(modules)
    while remaining:
        for m in remaining:
            if all(p in seen or p not in ids for p in m.prerequisites):
                placed.append(m)
                seen.add(m.id)
                remaining.remove(m)
                break
        else:  # a cycle: the catalogue check refuses these, so this is a bug upstream
            raise ValueError(f"prerequisite cycle among {sorted(m.id for m in remaining)}")
    return placed


def pack(
    ordered: Iterable[Module], calendar: Calendar, horizon: int | None = None
) -> dict[str, int] | None:
    """First-fit in prerequisite order: each module goes in the earliest week with room
    that is not before any of its prerequisites. ``None`` if it overruns ``horizon``."""
    if calendar.by is not None and horizon is None:
        horizon = calendar.weeks
    used: dict[int, int] = {}
    week_of: dict[str, int] = {}
    for m in ordered:
        week = max((week_of[p] for p in m.prerequisites if p in week_of), default=1)
        while used.get(week, 0) + m.minutes > calendar.capacity(week):
            week += 1
            if horizon is not None and week > horizon:
                return None
            if horizon is None and m.minutes > calendar.minutes_per_week:
                return None
        used[week] = used.get(week, 0) + m.minutes
        week_of[m.id] = week
    return week_of


def hours_needed(ordered: Sequence[Module], calendar: Calendar, ceiling: float = 80.0) -> float:
    """Smallest hours a week, in half hours, at which ``ordered`` packs before the deadline
    (first-fit; a sufficient answer); ``math.inf`` if not even at ``ceiling`` hours."""
    weeks = calendar.weeks
    if not weeks:
        return math.inf
    half_hours = max(1, math.ceil(calendar.minutes_per_week / 30))
    while half_hours / 2 <= ceiling:
        trial = Calendar(calendar.start, half_hours * 30, calendar.by)
        if pack(ordered, trial, weeks) is not None:
            return half_hours / 2
        half_hours += 1
    return math.inf


def finish(week_of: Mapping[str, int], calendar: Calendar) -> dt.date | None:
    """The last day of the last week used, or ``None`` for an empty schedule."""
    if not week_of:
        return None
    return calendar.week_end(max(week_of.values()))
