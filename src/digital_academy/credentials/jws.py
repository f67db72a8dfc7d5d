"""Compact JWS with EdDSA (Ed25519), as VC-JWT uses it: RFC 7515 and RFC 8037.

Small on purpose: one algorithm, no ``none``, no key from the token itself.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALGORITHM = "EdDSA"
_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")


class JwsError(ValueError):
    """The token is not a well-formed compact JWS; the message says what is wrong."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str, part: str) -> bytes:
    if not _B64URL.match(text) or len(text) % 4 == 1:
        raise JwsError(f"the {part} is not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise JwsError(f"the {part} is not base64url") from exc


def _json(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign(payload: dict[str, Any], key: Ed25519PrivateKey, kid: str) -> str:
    header = {"alg": ALGORITHM, "typ": "JWT", "kid": kid}
    signing_input = f"{b64url(_json(header))}.{b64url(_json(payload))}"
    signature = key.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url(signature)}"


@dataclass(frozen=True)
class Token:
    header: dict[str, Any]
    payload: dict[str, Any]
    signing_input: bytes
    signature: bytes

    def verify(self, key: Ed25519PublicKey) -> bool:
        try:
            key.verify(self.signature, self.signing_input)
        except InvalidSignature:
            return False
        return True


def parse(token: str) -> Token:
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise JwsError(
            f"expected 3 dot-separated parts (header.payload.signature), got {len(parts)}"
        )
    decoded = []
    for text, part in zip(parts[:2], ("header", "payload"), strict=True):
        try:
            value = json.loads(unb64url(text, part))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise JwsError(f"the {part} is not JSON") from exc
        if not isinstance(value, dict):
            raise JwsError(f"the {part} is not a JSON object")
        decoded.append(value)
    signature = unb64url(parts[2], "signature")
    return Token(decoded[0], decoded[1], f"{parts[0]}.{parts[1]}".encode("ascii"), signature)
