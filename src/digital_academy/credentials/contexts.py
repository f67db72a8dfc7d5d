"""An offline JSON-LD document loader over the contexts shipped in this package.

It never touches the network: a URL that is not shipped is an error. Files are pinned
by SHA-256, so a context edited on disk is refused rather than trusted.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

#: URL -> (file in ``contexts/``, SHA-256 of its bytes).
SHIPPED: dict[str, tuple[str, str]] = {
    VC_V2: (
        "credentials-v2.jsonld",
        "8a9f494a89ecc51db093e90e84713e07e84d6d9204364a9b3c7868b21751236f",
    ),
    OB_V3: (
        "ob-v3p0-context-3.0.3.json",
        "ef2fa9c7846dce233cc166b43639027278be4ee44f00bb1d45c75de2dd0cd761",
    ),
}


class ContextError(ValueError):
    """A context cannot be resolved offline, or a shipped file was altered."""


@cache
def load_document(url: str) -> dict[str, Any]:
    """The context document for ``url``, from the package; never from the network."""
    if url not in SHIPPED:
        raise ContextError(
            f"context {url} cannot be resolved offline: only {', '.join(SHIPPED)} are shipped"
        )
    name, digest = SHIPPED[url]
    data = resources.files(__package__).joinpath("contexts", name).read_bytes()
    if hashlib.sha256(data).hexdigest() != digest:
        raise ContextError(f"shipped context file {name} was altered (SHA-256 mismatch)")
    document: dict[str, Any] = json.loads(data)
    return document


def _terms(context: Any, found: set[str]) -> None:
    if isinstance(context, dict):
        for key, value in context.items():
            if not key.startswith("@"):
                found.add(key)
            if isinstance(value, dict) and "@context" in value:
                _terms(value["@context"], found)
    elif isinstance(context, list):
        for item in context:
            _terms(item, found)


@cache
def defined_terms(urls: tuple[str, ...]) -> frozenset[str]:
    """Every term any of the contexts defines, at any scope (a safe-mode approximation)."""
    found: set[str] = set()
    for url in urls:
        _terms(load_document(url)["@context"], found)
    return frozenset(found)


def undefined_terms(document: Any, terms: frozenset[str], path: str = "") -> list[str]:
    """Paths of keys (and ``type`` values) that no shipped context defines.

    JSON-LD processors silently drop undefined terms, so a signed claim could carry
    text nobody's software understands; we refuse such credentials instead.
    """
    bad: list[str] = []
    if isinstance(document, dict):
        for key, value in document.items():
            where = f"{path}.{key}" if path else key
            if key == "@context":
                continue
            if not key.startswith("@") and key not in terms:
                bad.append(where)
            if key == "type":
                kinds = value if isinstance(value, list) else [value]
                bad += [f"{where}={k}" for k in kinds if isinstance(k, str) and k not in terms]
            else:
                bad += undefined_terms(value, terms, where)
    elif isinstance(document, list):
        for i, item in enumerate(document):
            bad += undefined_terms(item, terms, f"{path}[{i}]")
    return bad
