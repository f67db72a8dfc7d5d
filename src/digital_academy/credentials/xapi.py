"""xAPI 1.0.3 statements from progress records, with cmi5's verbs: pure functions.

launched -> ``launched``; completed or self-check -> ``completed``; a graded assessment
-> ``passed`` or ``failed``. Each statement's id is the record's id (a UUID derived
from its content), so exporting or sending twice never duplicates a statement in a
learning record store. We use cmi5's verbs, not the full cmi5 launch protocol.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from digital_academy.catalog import Catalog
from digital_academy.journeys.progress import Event, ProgressRecord

XAPI_VERSION = "1.0.3"
LANGUAGE = "en-GB"
VERBS: dict[str, str] = {
    "launched": "http://adlnet.gov/expapi/verbs/launched",
    "initialized": "http://adlnet.gov/expapi/verbs/initialized",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
    "abandoned": "https://w3id.org/xapi/adl/verbs/abandoned",
    "waived": "https://w3id.org/xapi/adl/verbs/waived",
    "terminated": "http://adlnet.gov/expapi/verbs/terminated",
    "satisfied": "https://w3id.org/xapi/adl/verbs/satisfied",
}
MODULE_TYPE = "http://adlnet.gov/expapi/activities/module"
ASSESSMENT_TYPE = "http://adlnet.gov/expapi/activities/assessment"
COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"

_IRI = re.compile(r"^[a-z][a-z0-9+.-]*:[^\s]+$", re.IGNORECASE)
_DURATION = re.compile(
    r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$"
)


def verb_of(record: ProgressRecord) -> str:
    if record.event is Event.LAUNCHED:
        return "launched"
    if record.event is Event.ASSESSMENT:
        return "passed" if record.passed else "failed"
    return "completed"


def _activity(ident: str, kind: str, name: str, description: str | None = None) -> dict[str, Any]:
    definition: dict[str, Any] = {"name": {LANGUAGE: name}, "type": kind}
    if description:
        definition["description"] = {LANGUAGE: description}
    return {"objectType": "Activity", "id": ident, "definition": definition}


def statement(catalog: Catalog, record: ProgressRecord, base_url: str) -> dict[str, Any]:
    """One statement for one record."""
    verb = verb_of(record)
    module = catalog.modules.get(record.module)
    title = module.title if module else record.module
    module_iri = f"{base_url}/modules/{record.module}"
    parents = [_activity(module_iri, MODULE_TYPE, title)] if record.assessment else []
    if module is not None and record.module in catalog.locations:
        course = catalog.locations[record.module].course
        course_title = catalog.courses[course].title if course in catalog.courses else course
        parents.append(_activity(f"{base_url}/courses/{course}", COURSE_TYPE, course_title))
    if record.assessment:
        assessment = catalog.assessments.get(record.assessment)
        obj = _activity(
            f"{base_url}/assessments/{record.assessment}",
            ASSESSMENT_TYPE,
            assessment.title if assessment else record.assessment,
        )
    else:
        obj = _activity(module_iri, MODULE_TYPE, title, module.summary if module else None)
    out: dict[str, Any] = {
        "id": str(record.id),
        "version": XAPI_VERSION,
        "actor": {
            "objectType": "Agent",
            "name": record.learner,
            "account": {"homePage": base_url, "name": record.learner},
        },
        "verb": {"id": VERBS[verb], "display": {LANGUAGE: verb}},
        "object": obj,
        "timestamp": record.at.isoformat().replace("+00:00", "Z"),
        "context": {"platform": "Digital Academy", "language": LANGUAGE},
    }
    context_activities: dict[str, Any] = {}
    if parents:
        context_activities["parent"] = parents
    if record.course_run:
        context_activities["grouping"] = [
            _activity(f"{base_url}/runs/{record.course_run}", COURSE_TYPE, record.course_run)
        ]
    if context_activities:
        out["context"]["contextActivities"] = context_activities
    if verb != "launched":
        result: dict[str, Any] = {"completion": True}
        if record.minutes:
            result["duration"] = f"PT{record.minutes}M"
        if record.score is not None:
            result["score"] = {"scaled": round(record.score, 4)}
        if record.event is Event.ASSESSMENT:
            result["success"] = bool(record.passed)
        out["result"] = result
    return out


def statements(
    catalog: Catalog, records: list[ProgressRecord], base_url: str
) -> list[dict[str, Any]]:
    return [statement(catalog, r, base_url) for r in records]


def problems(st: Any) -> list[str]:
    """Structural checks from the xAPI 1.0.3 specification, run before anything is queued."""
    found: list[str] = []
    if not isinstance(st, dict):
        return ["a statement must be a JSON object"]
    for key in ("actor", "verb", "object"):
        if key not in st:
            found.append(f"missing {key}")
    if "id" in st:
        try:
            uuid.UUID(str(st["id"]))
        except ValueError:
            found.append("id is not a UUID")
    actor = st.get("actor", {})
    ifis = [k for k in ("mbox", "mbox_sha1sum", "openid", "account") if k in actor]
    if len(ifis) != 1:
        found.append("actor needs exactly one identifier (mbox, mbox_sha1sum, openid, account)")
    if "account" in actor and not (
        _IRI.match(str(actor["account"].get("homePage", ""))) and actor["account"].get("name")
    ):
        found.append("actor.account needs homePage (an IRL) and name")
    if "mbox" in actor and not str(actor["mbox"]).startswith("mailto:"):
        found.append("actor.mbox must be a mailto: IRI")
    verb = st.get("verb", {})
    if not _IRI.match(str(verb.get("id", ""))):
        found.append("verb.id must be an IRI")
    if not _IRI.match(str(st.get("object", {}).get("id", ""))):
        found.append("object.id must be an IRI")
    result = st.get("result", {})
    scaled = result.get("score", {}).get("scaled")
    if scaled is not None and not (-1 <= scaled <= 1):
        found.append("result.score.scaled must be between -1 and 1")
    if "duration" in result and not _DURATION.match(str(result["duration"])):
        found.append("result.duration must be an ISO 8601 duration")
    return found
