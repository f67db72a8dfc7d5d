"""Open Badges 3.0 credentials round-trip, and every kind of tampering fails clearly."""

from __future__ import annotations

import copy
import datetime as dt
import json
import socket
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from tests.support import run

from digital_academy.credentials import contexts
from digital_academy.credentials.jws import b64url, parse, sign
from digital_academy.credentials.keys import KeyStore, KeyStoreError
from digital_academy.credentials.verify import envelope, verify

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def issue(root: Path, tmp_path: Path, *extra: str) -> Path:
    out = tmp_path / "badge.jwt"
    code, _, err = run(
        "credentials", "issue", "--root", str(root), "--learner", "learner1", "--out", str(out),
        *extra,
    )  # fmt: skip
    assert code == 0, err
    return out


@pytest.fixture
def badge(root: Path, tmp_path: Path) -> Path:
    code, _, err = run("credentials", "keys", "generate", "--root", str(root))
    assert code == 0, err
    return issue(root, tmp_path, "--module", "mod-a")


def keys_of(keys_dir: Path) -> dict[str, Any]:
    return KeyStore(keys_dir).keys()


def test_round_trip(root: Path, badge: Path, keys_dir: Path) -> None:
    code, out, _ = run("credentials", "verify", "--root", str(root), str(badge), "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["valid"] is True and report["key_status"] == "active"
    vc = report["credential"]
    assert vc["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    achievement = vc["credentialSubject"]["achievement"]
    assert [a["targetCode"] for a in achievement["alignment"]] == ["C1", "C2"]
    assert achievement["creditsAvailable"] == 0.05  # 30 minutes
    assert "Passed with 90% (pass mark 60%) on 2026-11-20" in vc["evidence"][0]["narrative"]
    token = parse(badge.read_text("utf-8"))
    assert token.header == {"alg": "EdDSA", "typ": "JWT", "kid": report["kid"]}
    assert token.payload["jti"] == vc["id"] and token.payload["iss"] == vc["issuer"]["id"]


def leaves(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from leaves(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from leaves(value, (*path, i))
    else:
        yield path


def altered(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    return f"{value}x"


def forge(
    token_text: str, header: dict[str, Any] | None = None, payload: dict[str, Any] | None = None
) -> str:
    """Replace header or payload but keep the original signature."""
    h, p, s = token_text.strip().split(".")
    if header is not None:
        h = b64url(json.dumps(header).encode())
    if payload is not None:
        p = b64url(json.dumps(payload).encode())
    return f"{h}.{p}.{s}"


def test_tampering_with_any_field_fails(badge: Path, keys_dir: Path) -> None:
    text = badge.read_text("utf-8")
    keys = keys_of(keys_dir)
    assert verify(text, keys, NOW).ok
    payload = parse(text).payload
    paths = list(leaves(payload))
    assert len(paths) > 40
    for path in paths:
        changed = copy.deepcopy(payload)
        target = changed
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = altered(target[path[-1]])
        result = verify(forge(text, payload=changed), keys, NOW)
        assert not result.ok, path
        assert result.reason.startswith("signature does not match"), (path, result.reason)
    # adding a field is tampering too
    extra = copy.deepcopy(payload)
    extra["vc"]["credentialSubject"]["achievement"]["creditsAvailable"] = 120
    assert "signature does not match" in verify(forge(text, payload=extra), keys, NOW).reason


def test_header_attacks(badge: Path, keys_dir: Path) -> None:
    text = badge.read_text("utf-8")
    keys = keys_of(keys_dir)
    header = parse(text).header
    result = verify(forge(text, header={**header, "alg": "none"}), keys, NOW)
    assert "algorithm 'none' refused" in result.reason
    result = verify(forge(text, header={**header, "kid": "someone-else"}), keys, NOW)
    assert "does not know (kid 'someone-else')" in result.reason
    for broken, reason in [
        ("abc", "expected 3 dot-separated parts"),
        (text.replace(".", ".!", 1), "not base64url"),
        ('{"id": "x"}', "EnvelopedVerifiableCredential"),
    ]:
        assert reason in verify(broken, keys, NOW).reason


def test_signed_by_another_key(root: Path, badge: Path, keys_dir: Path, tmp_path: Path) -> None:
    other = KeyStore(tmp_path / "other-issuer")
    other.generate(NOW)
    kid, private = other.signing_key()
    payload = parse(badge.read_text("utf-8")).payload
    stranger = tmp_path / "stranger.jwt"
    stranger.write_text(sign(payload, private, kid), "utf-8")
    code, _, err = run("credentials", "verify", "--root", str(root), str(stranger))
    assert code == 1
    assert "NOT valid: signed by a key this verifier does not know" in err
    # the same key claiming to be ours: the signature gives it away
    ours = next(iter(keys_of(keys_dir)))
    impostor = tmp_path / "impostor.jwt"
    impostor.write_text(sign(payload, private, ours), "utf-8")
    code, _, err = run("credentials", "verify", "--root", str(root), str(impostor))
    assert code == 1 and "signature does not match" in err


def test_expiry_and_not_yet_valid(root: Path, badge: Path) -> None:
    vc = parse(badge.read_text("utf-8")).payload["vc"]
    until = dt.datetime.fromisoformat(vc["validUntil"].replace("Z", "+00:00"))
    start = dt.datetime.fromisoformat(vc["validFrom"].replace("Z", "+00:00"))
    later = (until + dt.timedelta(seconds=1)).isoformat()
    code, _, err = run("credentials", "verify", "--root", str(root), str(badge), "--now", later)
    assert code == 1 and f"expired on {vc['validUntil']}" in err
    earlier = (start - dt.timedelta(days=1)).isoformat()
    code, _, err = run("credentials", "verify", "--root", str(root), str(badge), "--now", earlier)
    assert code == 1 and "not valid until" in err


def test_rotation_keeps_old_credentials_valid(
    root: Path, badge: Path, keys_dir: Path, tmp_path: Path
) -> None:
    (old_kid,) = keys_of(keys_dir)
    old_pem = (keys_dir / f"{old_kid}.pem").read_bytes()
    code, out, _ = run("credentials", "keys", "rotate", "--root", str(root))
    assert code == 0 and f"retired {old_kid}" in out
    code, out, _ = run("credentials", "keys", "list", "--root", str(root), "--format", "json")
    listed = {k["kid"]: k["status"] for k in json.loads(out)["keys"]}
    assert listed[old_kid] == "retired" and list(listed.values()).count("active") == 1
    code, out, _ = run("credentials", "verify", "--root", str(root), str(badge), "--format", "json")
    assert code == 0 and json.loads(out)["key_status"] == "retired"
    new_badge = tmp_path / "new.jwt"
    code, _, _ = run(
        "credentials", "issue", "--root", str(root), "--learner", "learner1", "--module", "mod-a",
        "--out", str(new_badge),
    )  # fmt: skip
    assert code == 0
    assert parse(new_badge.read_text("utf-8")).header["kid"] != old_kid
    # a leaked retired key cannot mint new credentials
    private = serialization.load_pem_private_key(old_pem, None)
    payload = parse(new_badge.read_text("utf-8")).payload
    payload["iat"] = int(dt.datetime.now(dt.UTC).timestamp()) + 60
    late = sign(payload, private, old_kid)  # type: ignore[arg-type]
    result = verify(late, keys_of(keys_dir), dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2))
    assert not result.ok and "after it was retired" in result.reason
    # verifiers elsewhere use the exported public keys
    exported = tmp_path / "issuer-keys.json"
    run("credentials", "keys", "export", "--root", str(root), str(exported))
    assert "PRIVATE" not in exported.read_text("utf-8") and '"d"' not in exported.read_text("utf-8")
    code, _, _ = run(
        "credentials",
        "verify",
        "--root",
        str(root),
        str(badge),
        "--keys",
        str(exported),
        "--keys-dir",
        str(tmp_path / "nowhere"),
    )
    assert code == 0


def signed(keys_dir: Path, vc: dict[str, Any], claims: dict[str, Any] | None = None) -> str:
    kid, private = KeyStore(keys_dir).signing_key()
    start = dt.datetime.fromisoformat(vc["validFrom"].replace("Z", "+00:00"))
    payload = {
        "iss": vc["issuer"]["id"], "sub": vc["credentialSubject"]["id"], "jti": vc["id"],
        "nbf": int(start.timestamp()), "iat": int(start.timestamp()), "vc": vc,
    }  # fmt: skip
    if "validUntil" in vc:
        payload["exp"] = int(
            dt.datetime.fromisoformat(vc["validUntil"].replace("Z", "+00:00")).timestamp()
        )
    return sign({**payload, **(claims or {})}, private, kid)


def test_properly_signed_but_malformed_credentials_fail(badge: Path, keys_dir: Path) -> None:
    keys = keys_of(keys_dir)
    vc = parse(badge.read_text("utf-8")).payload["vc"]
    assert verify(signed(keys_dir, vc), keys, NOW).ok
    cases: list[tuple[dict[str, Any], dict[str, Any], str]] = [
        (
            {"favouriteColour": "blue"},
            {},
            "undefined term(s) not in the credential's contexts: favouriteColour",
        ),
        (
            {"@context": [*vc["@context"], "https://example.org/ctx.json"]},
            {},
            "cannot be resolved offline",
        ),
        ({"@context": vc["@context"][:1]}, {}, "@context must start with"),
        ({"type": ["VerifiableCredential"]}, {}, "type must include 'OpenBadgeCredential'"),
        ({"name": ""}, {}, "required field name is missing"),
        ({}, {"jti": "urn:uuid:someone-else"}, "JWT claim jti"),
        ({}, {"vc": None}, "no 'vc' claim"),
        ({}, {"iat": None}, "no integer iat"),
    ]
    for change, claims, reason in cases:
        result = verify(signed(keys_dir, {**vc, **change}, claims), keys, NOW)
        assert not result.ok and reason in result.reason, (change, result.reason)


def test_verification_never_uses_the_network(
    badge: Path, keys_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    contexts.load_document.cache_clear()
    contexts.defined_terms.cache_clear()

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network used during verification")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert verify(badge.read_text("utf-8"), keys_of(keys_dir), NOW).ok


def test_altered_shipped_context_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    contexts.load_document.cache_clear()
    name, _ = contexts.SHIPPED[contexts.OB_V3]
    monkeypatch.setitem(contexts.SHIPPED, contexts.OB_V3, (name, "0" * 64))
    with pytest.raises(contexts.ContextError, match="was altered"):
        contexts.load_document(contexts.OB_V3)
    contexts.load_document.cache_clear()


def test_enveloped_form_verifies(badge: Path, keys_dir: Path) -> None:
    wrapped = json.dumps(envelope(badge.read_text("utf-8").strip()))
    assert verify(wrapped, keys_of(keys_dir), NOW).ok


def test_who_may_get_a_credential(root: Path, tmp_path: Path) -> None:
    run("credentials", "keys", "generate", "--root", str(root))
    base = ["credentials", "issue", "--root", str(root)]
    cases = [
        (
            ["--learner", "learner2", "--module", "mod-a"],
            "has not passed the assessment of 'mod-a'",
        ),
        (
            ["--learner", "learner1", "--module", "mod-b"],
            "is not accredited (assessment: self-check)",
        ),
        (
            ["--learner", "learner1", "--pathway", "path-a"],
            "still to complete (or pass, if accredited) mod-b",
        ),
        (["--learner", "learner1", "--pathway", "nope"], "unknown pathway 'nope'"),
        (["--learner", "learner1"], "exactly one of --module or --pathway"),
    ]
    for args, message in cases:
        code, _, err = run(*base, *args)
        assert code == 1 and message in err, (args, err)
    code, _, _ = run(
        "progress", "record", "--root", str(root), "--learner", "learner1", "--module", "mod-b"
    )
    assert code == 0
    out = issue(root, tmp_path, "--pathway", "path-a", "--email", "Learner1@Example.org")
    vc = parse(out.read_text("utf-8")).payload["vc"]
    assert vc["credentialSubject"]["achievement"]["achievementType"] == "LearningProgram"
    assert [e["genre"] for e in vc["evidence"]] == ["Assessment result", "Completion record"]
    identity = vc["credentialSubject"]["identifier"][0]
    assert identity["hashed"] is True and "learner1@example.org" not in json.dumps(vc).lower()
    code, _, _ = run("credentials", "verify", "--root", str(root), str(out))
    assert code == 0


def test_keys_live_outside_the_repository_with_private_permissions(
    root: Path, keys_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(KeyStoreError, match="refusing to keep issuer keys in the repository"):
        KeyStore(root / "keys", repo_root=root)
    monkeypatch.setenv("ACADEMY_KEYS_DIR", str(root / ".keys"))
    code, _, err = run("credentials", "keys", "generate", "--root", str(root))
    assert code == 1 and "refusing to keep issuer keys in the repository" in err
    monkeypatch.setenv("ACADEMY_KEYS_DIR", str(keys_dir))
    assert run("credentials", "keys", "generate", "--root", str(root))[0] == 0
    code, _, err = run("credentials", "keys", "generate", "--root", str(root))
    assert code == 1 and "keys rotate" in err
    assert stat.S_IMODE(keys_dir.stat().st_mode) == 0o700
    (pem,) = keys_dir.glob("*.pem")
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    pem.chmod(0o644)
    code, _, err = run(
        "credentials", "issue", "--root", str(root), "--learner", "learner1", "--module", "mod-a"
    )
    assert code == 1 and "is readable by others" in err and "chmod 600" in err


def test_passphrase_protected_key(
    root: Path, keys_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACADEMY_KEY_PASSPHRASE", "correct horse")
    assert run("credentials", "keys", "generate", "--root", str(root))[0] == 0
    (pem,) = keys_dir.glob("*.pem")
    assert b"ENCRYPTED" in pem.read_bytes()
    monkeypatch.setenv("ACADEMY_KEY_PASSPHRASE", "wrong")
    code, _, err = run(
        "credentials", "issue", "--root", str(root), "--learner", "learner1", "--module", "mod-a"
    )
    assert code == 1 and "wrong or missing ACADEMY_KEY_PASSPHRASE" in err
