"""Cleaning outputs that came out of a jail before they go into a notebook (pure)."""

from __future__ import annotations

import json
import re
from typing import Any

_TYPES = ("stream", "display_data", "execute_result", "error")
#: Outputs run in whoever views them (tutors in formgrader, learners in feedback): learner
#: code must not ship scripts. These types are dropped; HTML and SVG are kept only if inert.
ACTIVE_TYPES = (
    "application/javascript",
    "text/javascript",
    "application/ecmascript",
    "application/vnd.jupyter.widget-view+json",
)
ACTIVE_HTML = re.compile(
    r"<\s*(script|iframe|object|embed|link|meta|base|form)\b|javascript:"
    r"|\son[a-z]+\s*=|srcdoc\s*=",
    re.IGNORECASE,
)


def clean(outputs: object, limit_bytes: int) -> list[dict[str, Any]]:
    """Only well-formed nbformat outputs, truncated to ``limit_bytes`` in total."""
    if not isinstance(outputs, list):
        return []
    out: list[dict[str, Any]] = []
    budget = limit_bytes
    for raw in outputs[:1000]:
        item = _one(raw)
        if item is None:
            continue
        size = len(json.dumps(item))
        if size > budget:
            out.append(
                {
                    "output_type": "stream",
                    "name": "stderr",
                    "text": f"[output truncated: more than {limit_bytes // 1024} KB]\n",
                }
            )
            break
        budget -= size
        out.append(item)
    return out


def _one(raw: object) -> dict[str, Any] | None:
    if not isinstance(raw, dict) or raw.get("output_type") not in _TYPES:
        return None
    kind = raw["output_type"]
    if kind == "stream":
        name = "stderr" if raw.get("name") == "stderr" else "stdout"
        return {"output_type": "stream", "name": name, "text": str(raw.get("text", ""))}
    if kind == "error":
        tb = raw.get("traceback")
        return {
            "output_type": "error",
            "ename": str(raw.get("ename", "Error")),
            "evalue": str(raw.get("evalue", "")),
            "traceback": [str(t) for t in tb[:200]] if isinstance(tb, list) else [],
        }
    data = raw.get("data")
    if not isinstance(data, dict):
        return None
    clean_data = {
        str(k): v if isinstance(v, str) else json.loads(json.dumps(v, default=str))
        for k, v in data.items()
        if isinstance(k, str) and "/" in k and k not in ACTIVE_TYPES and not _active(k, v)
    }
    metadata = raw.get("metadata")
    item: dict[str, Any] = {
        "output_type": kind,
        "data": clean_data,
        "metadata": metadata if isinstance(metadata, dict) else {},
    }
    if kind == "execute_result":
        count = raw.get("execution_count")
        item["execution_count"] = count if type(count) is int else None
    return item


def _active(mime: str, value: object) -> bool:
    if mime not in ("text/html", "image/svg+xml", "text/markdown"):
        return False
    text = "".join(value) if isinstance(value, list) else str(value)
    return bool(ACTIVE_HTML.search(text))


def limit_seen(outputs: list[dict[str, Any]]) -> str | None:
    """Which resource limit (if any) these outputs show learner code running into."""
    for output in outputs:
        if output.get("output_type") != "error":
            continue
        ename, evalue = output.get("ename"), str(output.get("evalue", ""))
        if ename == "MemoryError":
            return "memory limit"
        if ename in ("BlockingIOError", "OSError") and "Resource temporarily unavailable" in evalue:
            return "process limit"
        if ename == "GradingLimit":
            return evalue
    return None
