"""Who is in a course run's cohort: from a CSV file or from the hub group ``learners-<course>``."""

from __future__ import annotations

import csv
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

FIELDS = ("id", "first_name", "last_name", "email", "lms_user_id")
_USER = re.compile(r"^[A-Za-z0-9._@-]{1,128}$")


class RosterError(ValueError):
    """A roster problem, naming the file, line and field."""


@dataclass(frozen=True)
class Learner:
    id: str
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    lms_user_id: str | None = None


def check_id(user: str, where: str) -> str:
    if not _USER.match(user):
        raise RosterError(
            f"{where}: learner id {user!r} is not a hub user name (letters, digits, "
            "'.', '_', '@' or '-'); fix it in the roster"
        )
    return user


def from_csv(path: Path) -> list[Learner]:
    """A roster CSV with a header row: ``id`` required; first_name, last_name, email optional."""
    try:
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RosterError(f"{path}: cannot read the roster ({exc})") from None
    reader = csv.DictReader(text.splitlines())
    header = reader.fieldnames or []
    if "id" not in header:
        raise RosterError(
            f"{path}: line 1 needs an 'id' column (the hub user name); found "
            f"{', '.join(header) or 'nothing'}"
        )
    unknown = sorted(set(header) - set(FIELDS))
    if unknown:
        raise RosterError(
            f"{path}: line 1 has unknown column(s) {', '.join(unknown)}; "
            f"allowed: {', '.join(FIELDS)}"
        )
    learners: list[Learner] = []
    seen: set[str] = set()
    for number, row in enumerate(reader, start=2):
        user = check_id((row.get("id") or "").strip(), f"{path}: line {number}, field 'id'")
        if user in seen:
            raise RosterError(f"{path}: line {number}: learner {user!r} is listed twice")
        seen.add(user)
        learners.append(Learner(user, *((row.get(f) or "").strip() or None for f in FIELDS[1:])))
    return learners


def from_hub(api_url: str, token: str, course_id: str) -> list[Learner]:
    """Members of the hub group ``learners-<course_id>`` (needs a token with read:groups)."""
    group = f"learners-{course_id}"
    url = f"{api_url.rstrip('/')}/groups/{urllib.parse.quote(group)}"
    if urllib.parse.urlparse(url).scheme not in ("http", "https"):
        raise RosterError(f"hub API URL {api_url!r} must start with http:// or https://")
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            data = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise RosterError(
            f"the hub refused {url} ({exc.code}); check the group {group!r} exists "
            "and the token may read groups"
        ) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise RosterError(f"cannot read {url}: {exc}") from None
    users = data.get("users") if isinstance(data, dict) else None
    if not isinstance(users, list):
        raise RosterError(f"{url} did not return a group")
    return [Learner(check_id(str(u), f"hub group {group}")) for u in sorted(users)]
