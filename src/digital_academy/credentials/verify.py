"""Issue and verify credentials as VC-JWT (compact JWS, EdDSA / Ed25519), offline.

Why VC-JWT and not a ``DataIntegrityProof`` (``eddsa-rdfc-2022``): that cryptosuite
signs the RDF Dataset Canonicalization (RDFC-1.0) of the document, and no library we
ship implements RDFC-1.0 offline. Open Badges 3.0 allows either proof format; a JWS
signs the exact bytes, so *any* change to any field breaks the signature.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from digital_academy.catalog import Catalog

from . import jws
from .badge import Award, build_credential, jwt_claims
from .contexts import OB_V3, VC_V2, ContextError, defined_terms, load_document, undefined_terms
from .keys import KeyStore, PublicKey
from .settings import CredentialSettings

ENVELOPE_PREFIX = "data:application/vc+jwt,"


def issue_token(
    catalog: Catalog,
    settings: CredentialSettings,
    store: KeyStore,
    award: Award,
    learner: str,
    now: dt.datetime,
    email: str | None = None,
) -> tuple[str, dict[str, Any]]:
    """Sign a new credential with the store's active key; returns (VC-JWT, credential)."""
    kid, key = store.signing_key()
    credential = build_credential(
        catalog,
        settings,
        award,
        learner,
        now,
        f"urn:uuid:{uuid.uuid4()}",
        email=email,
        salt=secrets.token_hex(8) if email else None,
    )
    return jws.sign(jwt_claims(credential, now), key, kid), credential


def read_token(text: str) -> str:
    """A compact VC-JWT, or one wrapped as a VC 2.0 ``EnvelopedVerifiableCredential``."""
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise jws.JwsError(f"the file is neither a JWT nor JSON ({exc.msg})") from exc
        ident = data.get("id", "") if isinstance(data, dict) else ""
        if not (isinstance(ident, str) and ident.startswith(ENVELOPE_PREFIX)):
            raise jws.JwsError(
                "a JSON credential must be an EnvelopedVerifiableCredential whose id is "
                f"'{ENVELOPE_PREFIX}<jwt>'; unsigned JSON cannot be verified"
            )
        return ident[len(ENVELOPE_PREFIX) :]
    return stripped


def envelope(token: str) -> dict[str, Any]:
    return {
        "@context": VC_V2,
        "id": ENVELOPE_PREFIX + token,
        "type": "EnvelopedVerifiableCredential",
    }


@dataclass
class Verification:
    ok: bool = False
    reason: str = ""
    kid: str | None = None
    key_status: str | None = None
    credential: dict[str, Any] | None = None
    passed: list[str] = field(default_factory=list)

    def fail(self, reason: str) -> Verification:
        self.ok, self.reason = False, reason
        return self


def _get(data: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


REQUIRED = (
    "id",
    "issuer.id",
    "issuer.name",
    "validFrom",
    "name",
    "credentialSubject.achievement.id",
    "credentialSubject.achievement.name",
    "credentialSubject.achievement.description",
    "credentialSubject.achievement.criteria.narrative",
)
TYPES = {
    "type": "OpenBadgeCredential",
    "issuer.type": "Profile",
    "credentialSubject.type": "AchievementSubject",
    "credentialSubject.achievement.type": "Achievement",
}


def _time(text: Any, name: str) -> dt.datetime:
    if not isinstance(text, str):
        raise ValueError(f"{name} is missing")
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"{name} has no time zone")
    return moment


def _structure(vc: Any, result: Verification) -> str | None:
    if not isinstance(vc, dict):
        return "the JWT has no 'vc' claim holding the credential"
    contexts = vc.get("@context")
    if not isinstance(contexts, list) or contexts[:2] != [VC_V2, OB_V3]:
        return f"@context must start with {VC_V2} and {OB_V3}"
    try:
        for url in contexts:
            if not isinstance(url, str):
                return "@context may only hold URLs of shipped contexts"
            load_document(url)
    except ContextError as exc:
        return str(exc)
    result.passed.append("contexts resolve offline")
    unknown = undefined_terms(vc, defined_terms(tuple(contexts)))
    if unknown:
        return f"undefined term(s) not in the credential's contexts: {', '.join(unknown[:5])}"
    for path in REQUIRED:
        if _get(vc, path) in (None, ""):
            return f"required field {path} is missing"
    for path, kind in TYPES.items():
        value = _get(vc, path)
        if not (isinstance(value, list) and kind in value):
            return f"{path} must include {kind!r}"
    if "VerifiableCredential" not in vc["type"]:
        return "type must include 'VerifiableCredential'"
    result.passed.append("Open Badges 3.0 structure")
    return None


def _claims(claims: dict[str, Any], vc: dict[str, Any]) -> str | None:
    pairs = {
        "iss": vc["issuer"]["id"],
        "jti": vc["id"],
        "sub": _get(vc, "credentialSubject.id"),
        "nbf": int(_time(vc["validFrom"], "validFrom").timestamp()),
    }
    if "validUntil" in vc:
        pairs["exp"] = int(_time(vc["validUntil"], "validUntil").timestamp())
    for claim, expected in pairs.items():
        if expected is not None and claims.get(claim) != expected:
            return f"JWT claim {claim} ({claims.get(claim)!r}) disagrees with the credential"
    return None


def verify(token_text: str, keys: Mapping[str, PublicKey], now: dt.datetime) -> Verification:
    """Every check, in order; the first failure is the reason. Never touches the network."""
    result = Verification()
    try:
        token = jws.parse(read_token(token_text))
    except jws.JwsError as exc:
        return result.fail(f"not a VC-JWT: {exc}")
    header, claims = token.header, token.payload
    if header.get("alg") != jws.ALGORITHM:
        return result.fail(f"algorithm {header.get('alg')!r} refused: only EdDSA (Ed25519)")
    kid = header.get("kid")
    result.kid = kid if isinstance(kid, str) else None
    if result.kid is None or result.kid not in keys:
        return result.fail(
            f"signed by a key this verifier does not know (kid {kid!r}): not one of the "
            "issuer's keys; get them with `academy credentials keys export`"
        )
    public = keys[result.kid]
    result.key_status = public.status
    if not token.verify(public.key()):
        return result.fail(
            "signature does not match: the credential was changed after signing, "
            "or it was signed by another key"
        )
    result.passed.append(f"Ed25519 signature by key {public.kid} ({public.status})")
    vc = claims.get("vc")
    result.credential = vc if isinstance(vc, dict) else None
    problem = _structure(vc, result)
    if problem:
        return result.fail(problem)
    assert isinstance(vc, dict)
    try:
        problem = _claims(claims, vc)
        if problem:
            return result.fail(problem)
        valid_from = _time(vc["validFrom"], "validFrom")
        valid_until = _time(vc["validUntil"], "validUntil") if "validUntil" in vc else None
        if not isinstance(claims.get("iat"), int):
            raise ValueError("the JWT has no integer iat (issued at) claim")
        # the later of iat and nbf: a token cannot pass as older than its validity
        issued = dt.datetime.fromtimestamp(max(claims["iat"], claims["nbf"]), dt.UTC)
    except (ValueError, TypeError, OverflowError, OSError) as exc:
        return result.fail(f"bad date: {exc}")
    result.passed.append("JWT claims match the credential")
    if public.retired is not None and issued > public.retired:
        return result.fail(
            f"signed with key {public.kid} at {issued.isoformat()}, after it was retired on "
            f"{public.retired.isoformat()}"
        )
    if now < valid_from:
        return result.fail(f"not valid until {vc['validFrom']}")
    if valid_until is not None and now > valid_until:
        return result.fail(f"expired on {vc['validUntil']}")
    result.passed.append("within its validity period")
    result.ok, result.reason = True, "valid"
    return result
