"""Send xAPI statements to a learning record store without ever losing one.

Statements are first written to an on-disk queue, one file each
(``<state>/xapi/queue/<id>.json``, written aside and renamed). A batch leaves the
queue only after the LRS answered 2xx, and its ids are then appended to
``<state>/xapi/delivered.txt`` so they are not queued again. Network errors, 408, 429
and 5xx are retried with exponential back-off; other 4xx stop the run (retrying
cannot help) and the queue is kept. Statement ids are stable, so a batch re-sent after
a crash between "LRS accepted" and "queue emptied" is recognised by the LRS.
"""

from __future__ import annotations

import base64
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .settings import Lrs
from .xapi import XAPI_VERSION, problems

RETRYABLE = {408, 429}


class QueueError(ValueError):
    """A queued statement is unreadable or invalid; the message names the file."""


def queue_dir(state: Path) -> Path:
    return state / "xapi" / "queue"


def delivered_path(state: Path) -> Path:
    return state / "xapi" / "delivered.txt"


def delivered(state: Path) -> set[str]:
    path = delivered_path(state)
    return set(path.read_text("utf-8").split()) if path.exists() else set()


def enqueue(state: Path, statements: Iterable[dict[str, Any]]) -> int:
    """Queue statements not yet queued or delivered; returns how many were added."""
    folder = queue_dir(state)
    folder.mkdir(parents=True, exist_ok=True)
    done = delivered(state)
    added = 0
    for st in statements:
        bad = problems(st)
        if bad:
            raise QueueError(f"statement {st.get('id')} is not valid xAPI: {'; '.join(bad)}")
        target = folder / f"{st['id']}.json"
        if st["id"] in done or target.exists():
            continue
        tmp = folder / f".{st['id']}.tmp"
        with tmp.open("w", encoding="utf-8") as handle:
            json.dump(st, handle)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(target)
        added += 1
    return added


def pending(state: Path) -> list[tuple[Path, dict[str, Any]]]:
    found = []
    folder = queue_dir(state)
    for path in sorted(folder.glob("*.json")) if folder.exists() else []:
        try:
            st = json.loads(path.read_text("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise QueueError(f"{path} is not valid JSON; fix or remove it ({exc})") from exc
        if problems(st):
            raise QueueError(f"{path} is not a valid statement: {'; '.join(problems(st))}")
        found.append((path, st))
    found.sort(key=lambda item: (str(item[1].get("timestamp", "")), item[1]["id"]))
    return found


@dataclass
class SendReport:
    sent: int = 0
    remaining: int = 0
    requests: int = 0
    error: str | None = None


def _post(url: str, body: bytes, auth: str | None, timeout: float) -> int:
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    request.add_header("X-Experience-API-Version", XAPI_VERSION)
    if auth:
        request.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def send(
    state: Path,
    lrs: Lrs,
    auth: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[int, int], None] | None = None,
) -> SendReport:
    """Send every queued statement in batches; stop at the first batch that fails."""
    if lrs.url is None:
        raise QueueError("no LRS configured: set lrs.url in the credentials settings")
    endpoint = lrs.url.rstrip("/") + "/statements"
    queue = pending(state)
    report = SendReport(remaining=len(queue))
    for start in range(0, len(queue), lrs.batch_size):
        batch = queue[start : start + lrs.batch_size]
        body = json.dumps([st for _, st in batch]).encode("utf-8")
        status: int | None = None
        for attempt in range(lrs.attempts):
            if attempt:
                sleep(lrs.backoff_seconds * 2 ** (attempt - 1))
            report.requests += 1
            try:
                status = _post(endpoint, body, auth, lrs.timeout_seconds)
                report.error = None if 200 <= status < 300 else f"LRS answered HTTP {status}"
            except (urllib.error.URLError, OSError) as exc:
                status, report.error = None, f"cannot reach the LRS at {endpoint}: {exc}"
            if status is not None and (
                200 <= status < 300 or (status < 500 and status not in RETRYABLE)
            ):
                break
        if status is None or not 200 <= status < 300:
            return report
        with delivered_path(state).open("a", encoding="utf-8") as log:
            log.write("".join(f"{st['id']}\n" for _, st in batch))
            log.flush()
            os.fsync(log.fileno())
        for path, _ in batch:
            path.unlink()
        report.sent += len(batch)
        report.remaining -= len(batch)
        if progress:
            progress(report.sent, len(queue))
    return report
