"""A plan as plain data (JSON) and as an iCalendar file: pure functions."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from icalendar import Calendar as ICalendar
from icalendar import Event

from digital_academy.catalog import Catalog

from .planner import Plan, PlannedModule

PRODID = "-//Digital Academy//learning plan//EN"


def reasons(catalog: Catalog, item: PlannedModule) -> list[str]:
    """Why a module is in the plan, in words."""
    found = [
        f"evidences {ref} ({catalog.competency_statement(ref) or 'no statement'})"
        for ref in item.evidences
    ]
    if item.prerequisite_of:
        found.append(f"prerequisite of {', '.join(item.prerequisite_of)}")
    return found


def plan_json(catalog: Catalog, plan: Plan) -> dict[str, Any]:
    calendar = plan.calendar
    items = []
    for i, item in enumerate(plan.items, start=1):
        m = item.module
        entry: dict[str, Any] = {
            "step": i,
            "module": m.id,
            "title": m.title,
            "minutes": m.minutes,
            "level": m.level.value,
            "assessment": m.assessment.value,
            "course": catalog.locations[m.id].course,
            "prerequisites": list(m.prerequisites),
            "evidences": list(item.evidences),
            "prerequisite_of": list(item.prerequisite_of),
            "why": reasons(catalog, item),
        }
        if calendar is not None and item.week is not None:
            entry["week"] = item.week
            entry["week_starts"] = calendar.week_start(item.week).isoformat()
        items.append(entry)
    weeks: list[dict[str, Any]] = []
    if calendar is not None:
        for week in sorted({i.week for i in plan.items if i.week is not None}):
            mods = [i.module for i in plan.items if i.week == week]
            weeks.append(
                {
                    "week": week,
                    "starts": calendar.week_start(week).isoformat(),
                    "ends": calendar.week_end(week).isoformat(),
                    "minutes": sum(m.minutes for m in mods),
                    "capacity_minutes": calendar.capacity(week),
                    "modules": [m.id for m in mods],
                }
            )
    return {
        "targets": list(plan.targets.competencies),
        "target_source": plan.targets.source,
        "done": sorted(plan.targets.done),
        "already_evidenced": list(plan.already_evidenced),
        "total_minutes": plan.minutes,
        "total_hours": round(plan.minutes / 60, 2),
        "optimality": plan.proof.as_dict(),
        "plan": items,
        "schedule": {
            "start": calendar.start.isoformat(),
            "hours_per_week": calendar.minutes_per_week / 60,
            "weeks": weeks,
        }
        if calendar is not None
        else None,
        "deadline": None
        if plan.deadline is None
        else {
            "by": plan.deadline.by,
            "met": plan.deadline.met,
            "weeks_available": plan.deadline.weeks_available,
            "message": plan.deadline.message,
            "earliest_finish": plan.deadline.earliest_finish,
            "hours_per_week_needed": plan.deadline.hours_per_week_needed,
            "schedule_proof": plan.deadline.proof.as_dict() if plan.deadline.proof else None,
        },
    }


def plan_ical(catalog: Catalog, plan: Plan, stamp: dt.datetime) -> bytes:
    """One all-day event per module, spread over the weekdays of its week.

    ``stamp`` (the DTSTAMP) is a parameter so that the same plan gives the same bytes.
    """
    if plan.calendar is None:
        raise ValueError("a calendar needs a schedule: plan with --hours-per-week")
    cal = ICalendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Learning plan")
    digest = hashlib.sha256(",".join(plan.targets.competencies).encode()).hexdigest()[:12]
    slot: dict[int, int] = {}
    for item in plan.items:
        if item.week is None:
            continue
        offset = slot.get(item.week, 0)
        slot[item.week] = offset + 1
        day = plan.calendar.week_start(item.week) + dt.timedelta(days=min(offset, 6))
        m = item.module
        event = Event()
        event.add("uid", f"{digest}-{m.id}@digital-academy")
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + dt.timedelta(days=1))
        event.add("summary", f"Study: {m.title} ({m.minutes} min)")
        event.add(
            "description",
            f"Module {m.id}, week {item.week}. Why: " + "; ".join(reasons(catalog, item)),
        )
        event.add("categories", ["learning"])
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data
