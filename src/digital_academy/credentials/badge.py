"""Open Badges 3.0 ``OpenBadgeCredential``: who earns one, and its content.

A credential is earned by passing an accredited module's assessment, or by finishing
every required module of a pathway (passing the accredited ones). The builders are
pure: records and catalogue in, a JSON-LD document out; signing is in :mod:`.issue`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from digital_academy.catalog import AssessmentKind, Catalog, Module
from digital_academy.catalog.model import split_ref
from digital_academy.journeys.progress import Event, ProgressRecord, status_by_module

from .contexts import OB_V3, VC_V2
from .settings import CredentialSettings

HOURS_PER_CREDIT = 10


class IssueError(ValueError):
    """The learner has not earned this credential, or it cannot be made."""


@dataclass(frozen=True)
class Award:
    kind: str  # "module" or "pathway"
    ident: str
    version: str
    name: str
    description: str
    criteria: str
    achievement_type: str
    competencies: tuple[str, ...]
    minutes: int
    evidence: tuple[dict[str, Any], ...]


def _best_pass(records: Sequence[ProgressRecord], learner: str, module: str) -> ProgressRecord:
    passes = [
        r
        for r in records
        if r.learner == learner and r.module == module and r.event is Event.ASSESSMENT and r.passed
    ]
    if not passes:
        raise IssueError(f"learner {learner!r} has not passed the assessment of {module!r}")
    return max(passes, key=lambda r: (r.score or 0.0, r.at))


def _assessment_evidence(catalog: Catalog, record: ProgressRecord) -> dict[str, Any]:
    assessment = catalog.assessments.get(record.assessment or "")
    methods = "; ".join(assessment.methods) if assessment else "graded assessment"
    mark = f" (pass mark {assessment.pass_mark:.0%})" if assessment else ""
    day = record.at.date().isoformat()
    return {
        "type": ["Evidence"],
        "name": f"Assessment {record.assessment}",
        "narrative": f"Passed with {record.score or 0:.0%}{mark} on {day}; assessed by {methods}.",
        "genre": "Assessment result",
    }


def module_award(
    catalog: Catalog, module_id: str, records: Sequence[ProgressRecord], learner: str
) -> Award:
    module = catalog.modules.get(module_id)
    if module is None:
        raise IssueError(f"unknown module {module_id!r}; see `academy list`")
    if module.assessment is not AssessmentKind.ACCREDITED:
        raise IssueError(
            f"module {module_id!r} is not accredited (assessment: {module.assessment.value}); "
            "credentials are issued for accredited modules and for pathways"
        )
    best = _best_pass(records, learner, module_id)
    assessments = catalog.module_assessments(module_id)
    marks = ", ".join(f"{a.id} with at least {a.pass_mark:.0%}" for a in assessments)
    return Award(
        kind="module",
        ident=module.id,
        version=module.version,
        name=module.title,
        description=module.summary,
        criteria=f"Complete the module '{module.title}' and pass its assessment ({marks}). "
        "Outcomes: " + "; ".join(o.text for o in module.outcomes) + ".",
        achievement_type="Competency",
        competencies=module.competencies,
        minutes=module.minutes,
        evidence=(_assessment_evidence(catalog, best),),
    )


def pathway_award(
    catalog: Catalog, pathway_id: str, records: Sequence[ProgressRecord], learner: str
) -> Award:
    found = [(a, p) for a, p in catalog.pathways() if p.id == pathway_id]
    if not found:
        known = sorted(p.id for _, p in catalog.pathways())
        raise IssueError(f"unknown pathway {pathway_id!r}; known: {', '.join(known)}")
    academy, pathway = found[0]
    status = status_by_module(records, learner)
    modules: list[Module] = [catalog.modules[m] for m in pathway.modules]
    missing = [
        m.id
        for m in modules
        if not (
            status.get(m.id)
            and (
                status[m.id].passed
                if m.assessment is AssessmentKind.ACCREDITED
                else status[m.id].done
            )
        )
    ]
    if missing:
        raise IssueError(
            f"learner {learner!r} has not finished pathway {pathway_id!r}: still to complete "
            f"(or pass, if accredited) {', '.join(missing)}"
        )
    evidence = []
    for m in modules:
        if m.assessment is AssessmentKind.ACCREDITED:
            evidence.append(_assessment_evidence(catalog, _best_pass(records, learner, m.id)))
        else:
            last = status[m.id].last
            evidence.append(
                {
                    "type": ["Evidence"],
                    "name": f"Module {m.id}",
                    "narrative": f"Completed the module and its self-checks on "
                    f"{last.date().isoformat() if last else 'record'}.",
                    "genre": "Completion record",
                }
            )
    competencies = tuple(dict.fromkeys(c for m in modules for c in m.competencies))
    return Award(
        kind="pathway",
        ident=pathway.id,
        version="1.0",
        name=f"{pathway.title} ({academy.title})",
        description=pathway.summary,
        criteria=f"Complete every required module of the pathway ({', '.join(pathway.modules)}), "
        "passing the assessment of each accredited module.",
        achievement_type="LearningProgram",
        competencies=competencies,
        minutes=sum(m.minutes for m in modules),
        evidence=tuple(evidence),
    )


def _alignment(catalog: Catalog, settings: CredentialSettings, ref: str) -> dict[str, Any]:
    framework_id, code = split_ref(ref)
    framework = catalog.frameworks[framework_id]
    base = framework.url or f"{settings.base_url}/frameworks/{framework_id}"
    return {
        "type": ["Alignment"],
        "targetName": f"{code}: {catalog.competency_statement(ref)}",
        "targetDescription": catalog.competency_statement(ref) or code,
        "targetFramework": framework.name,
        "targetCode": code,
        "targetType": "ceasn:Competency",
        "targetUrl": f"{base}#{code}",
    }


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def build_credential(
    catalog: Catalog,
    settings: CredentialSettings,
    award: Award,
    learner: str,
    issued: dt.datetime,
    credential_id: str,
    email: str | None = None,
    salt: str | None = None,
) -> dict[str, Any]:
    """The unsigned ``OpenBadgeCredential`` (VC Data Model 2.0 + OB 3.0.3 contexts)."""
    subject: dict[str, Any] = {
        "id": f"{settings.base_url}/learners/{learner}",
        "type": ["AchievementSubject"],
        "achievement": {
            "id": f"{settings.base_url}/achievements/{award.kind}s/{award.ident}/{award.version}",
            "type": ["Achievement"],
            "achievementType": award.achievement_type,
            "name": award.name,
            "description": award.description,
            "criteria": {"narrative": award.criteria},
            "creditsAvailable": round(award.minutes / 60 / HOURS_PER_CREDIT, 2),
            "alignment": [_alignment(catalog, settings, ref) for ref in award.competencies],
        },
    }
    if email:
        if not salt:
            raise IssueError("a hashed e-mail identifier needs a salt")
        digest = hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()
        subject["identifier"] = [
            {
                "type": "IdentityObject",
                "identityHash": f"sha256${digest}",
                "identityType": "emailAddress",
                "hashed": True,
                "salt": salt,
            }
        ]
    until = issued + dt.timedelta(days=settings.valid_days)
    return {
        "@context": [VC_V2, OB_V3],
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": settings.issuer_id, "type": ["Profile"], "name": settings.issuer_name},
        "validFrom": _stamp(issued),
        "validUntil": _stamp(until),
        "name": award.name,
        "credentialSubject": subject,
        "evidence": list(award.evidence),
    }


def jwt_claims(credential: dict[str, Any], issued: dt.datetime) -> dict[str, Any]:
    """VC-JWT claims (OB 3.0 section 8.2): iss, sub, jti, nbf, exp, iat and the vc."""

    def epoch(text: str) -> int:
        return int(dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())

    claims: dict[str, Any] = {
        "iss": credential["issuer"]["id"],
        "sub": credential["credentialSubject"]["id"],
        "jti": credential["id"],
        "nbf": epoch(credential["validFrom"]),
        "iat": int(issued.timestamp()),
        "vc": credential,
    }
    if "validUntil" in credential:
        claims["exp"] = epoch(credential["validUntil"])
    return claims
