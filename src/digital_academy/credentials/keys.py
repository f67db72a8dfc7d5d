"""The issuer's Ed25519 keys: generated, stored outside the repository, rotated.

Layout of the key folder (mode 0700)::

    keyring.json     public keys with status (active / retired) and dates
    <kid>.pem        one private key each, PKCS#8, mode 0600
                     (encrypted when ACADEMY_KEY_PASSPHRASE is set)

The folder is ``$ACADEMY_KEYS_DIR``, else ``$XDG_CONFIG_HOME/digital-academy/issuer-keys``
(``~/.config/...``). A key id (``kid``) is the RFC 7638 thumbprint of the public key.
Rotation makes a new active key and retires the old one: retired keys still verify
credentials signed before their retirement, and nothing after it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .jws import b64url, unb64url

KEYS_ENV = "ACADEMY_KEYS_DIR"
PASSPHRASE_ENV = "ACADEMY_KEY_PASSPHRASE"
KEYRING = "keyring.json"


class KeyStoreError(ValueError):
    """The key store is missing, unsafe or inconsistent; the message says how to fix it."""


def default_keys_dir() -> Path:
    configured = os.environ.get(KEYS_ENV)
    if configured:
        return Path(configured).expanduser().resolve()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base).expanduser().resolve() / "digital-academy" / "issuer-keys"


def thumbprint(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    canonical = json.dumps(
        {"crv": "Ed25519", "kty": "OKP", "x": b64url(raw)}, separators=(",", ":")
    )
    return b64url(hashlib.sha256(canonical.encode()).digest())


@dataclass(frozen=True)
class PublicKey:
    kid: str
    x: str
    created: dt.datetime
    retired: dt.datetime | None = None

    @property
    def status(self) -> str:
        return "retired" if self.retired else "active"

    def key(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(unb64url(self.x, "public key"))

    def jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": self.x,
            "kid": self.kid,
            "alg": "EdDSA",
            "use": "sig",
            "created": self.created.isoformat(),
            "status": self.status,
        }
        if self.retired:
            jwk["retired"] = self.retired.isoformat()
        return jwk

    @classmethod
    def from_jwk(cls, jwk: dict[str, Any]) -> PublicKey:
        try:
            if jwk["kty"] != "OKP" or jwk["crv"] != "Ed25519":
                raise KeyStoreError(f"key {jwk.get('kid')}: only Ed25519 (OKP) keys are supported")
            key = cls(
                kid=str(jwk["kid"]),
                x=str(jwk["x"]),
                created=dt.datetime.fromisoformat(jwk["created"]),
                retired=dt.datetime.fromisoformat(jwk["retired"]) if jwk.get("retired") else None,
            )
            if key.created.tzinfo is None or (key.retired and key.retired.tzinfo is None):
                raise KeyStoreError(f"key {key.kid}: created and retired need a time zone")
            if thumbprint(key.key()) != key.kid:
                raise KeyStoreError(f"key {key.kid}: kid is not the thumbprint of its public key")
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, KeyStoreError):
                raise
            raise KeyStoreError(f"a public key entry is malformed ({exc!r})") from exc
        return key


def public_keys(keyset: dict[str, Any]) -> dict[str, PublicKey]:
    """Keys from a JWKS-style ``{"keys": [...]}`` document (the keyring or an export)."""
    entries = keyset.get("keys") if isinstance(keyset, dict) else None
    if not isinstance(entries, list):
        raise KeyStoreError('a key set must be a JSON object {"keys": [...]}')
    keys = [PublicKey.from_jwk(e) for e in entries]
    return {k.kid: k for k in keys}


class KeyStore:
    def __init__(self, folder: Path, repo_root: Path | None = None) -> None:
        self.folder = folder.expanduser().resolve()
        if repo_root is not None and self.folder.is_relative_to(repo_root.resolve()):
            raise KeyStoreError(
                f"refusing to keep issuer keys in the repository ({self.folder}); set "
                f"{KEYS_ENV} to a folder outside it, e.g. ~/.config/digital-academy/issuer-keys"
            )

    @property
    def ring_path(self) -> Path:
        return self.folder / KEYRING

    def exists(self) -> bool:
        return self.ring_path.exists()

    def _check_private(self, path: Path) -> None:
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeyStoreError(
                f"{path} is readable by others (mode {stat.filemode(mode)}); "
                f"run `chmod {'700' if path.is_dir() else '600'} {path}`"
            )

    def keys(self) -> dict[str, PublicKey]:
        if not self.exists():
            raise KeyStoreError(
                f"no issuer keys in {self.folder}; run `academy credentials keys generate`"
            )
        self._check_private(self.folder)
        try:
            data = json.loads(self.ring_path.read_text("utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise KeyStoreError(f"{self.ring_path} is unreadable or not JSON ({exc})") from exc
        return public_keys(data)

    def active(self) -> PublicKey:
        live = [k for k in self.keys().values() if k.retired is None]
        if len(live) != 1:
            raise KeyStoreError(
                f"{self.ring_path} must have exactly one active key, has {len(live)}"
            )
        return live[0]

    def signing_key(self) -> tuple[str, Ed25519PrivateKey]:
        public = self.active()
        path = self.folder / f"{public.kid}.pem"
        if not path.exists():
            raise KeyStoreError(f"the private key of active key {public.kid} is missing: {path}")
        self._check_private(path)
        passphrase = os.environ.get(PASSPHRASE_ENV)
        try:
            key = serialization.load_pem_private_key(
                path.read_bytes(), passphrase.encode() if passphrase else None
            )
        except (TypeError, ValueError) as exc:
            raise KeyStoreError(
                f"cannot read {path}: wrong or missing {PASSPHRASE_ENV}, or not a PEM key"
            ) from exc
        if not isinstance(key, Ed25519PrivateKey) or thumbprint(key.public_key()) != public.kid:
            raise KeyStoreError(f"{path} does not hold the Ed25519 key {public.kid}")
        return public.kid, key

    def _write_ring(self, keys: list[PublicKey]) -> None:
        tmp = self.ring_path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"keys": [k.jwk() for k in keys]}, indent=2), "utf-8")
        tmp.chmod(0o600)
        tmp.replace(self.ring_path)

    def _new_key(self, now: dt.datetime) -> PublicKey:
        private = Ed25519PrivateKey.generate()
        public = private.public_key()
        kid = thumbprint(public)
        passphrase = os.environ.get(PASSPHRASE_ENV)
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(passphrase.encode())
            if passphrase
            else serialization.NoEncryption()
        )
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )
        fd = os.open(self.folder / f"{kid}.pem", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return PublicKey(kid, b64url(raw), now)

    def generate(self, now: dt.datetime) -> PublicKey:
        """The first key. Refuses if a key ring exists: rotate instead."""
        if self.exists():
            raise KeyStoreError(
                f"{self.folder} already holds issuer keys; use `academy credentials keys rotate`"
            )
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.folder.chmod(0o700)
        key = self._new_key(now)
        self._write_ring([key])
        return key

    def rotate(self, now: dt.datetime) -> tuple[PublicKey, PublicKey]:
        """A new active key; the old one is retired (it still verifies older credentials)."""
        old = self.active()
        keys = [k for k in self.keys().values() if k.kid != old.kid]
        retired = PublicKey(old.kid, old.x, old.created, now)
        new = self._new_key(now)
        self._write_ring([*keys, retired, new])
        return retired, new

    def export(self) -> dict[str, Any]:
        """Public keys only, for verifiers: a JWKS-style document."""
        return {"keys": [k.jwk() for k in self.keys().values()]}
