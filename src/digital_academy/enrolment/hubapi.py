"""A small client of the running hub's REST API, with the academy's operator token.

The token belongs to the hub service ``academy-cli`` (scopes ``admin:groups``,
``admin:users``); the address comes from the hub's run record. Loopback only.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import EnrolmentError


@dataclass(frozen=True)
class HubClient:
    api_url: str  # ends with /hub/api/
    token: str

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        ok: tuple[int, ...] = (),
        paginated: bool = False,
    ) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.api_url + path.lstrip("/"), data=data, method=method)
        request.add_header("Authorization", f"token {self.token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if paginated:  # JupyterHub then says whether more pages follow
            request.add_header("Accept", "application/jupyterhub-pagination+json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            if exc.code in ok:
                return None
            detail = exc.read()[:300].decode("utf-8", "replace")
            raise EnrolmentError(
                f"the hub refused {method} {path} ({exc.code}: {detail}); check `academy status`"
            ) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise EnrolmentError(
                f"cannot reach the hub at {self.api_url} ({exc}); is it running? (`academy status`)"
            ) from exc
        return json.loads(raw) if raw else None

    def groups(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        offset = 0
        while True:
            page = self.call("GET", f"groups?offset={offset}&limit=200", paginated=True)
            items = page["items"] if isinstance(page, dict) else page
            for group in items:
                found[group["name"]] = sorted(group.get("users", []))
            if not isinstance(page, dict) or not page.get("_pagination", {}).get("next"):
                return found
            offset += len(items)

    def ensure_users(self, names: list[str]) -> None:
        if names:
            self.call("POST", "users", {"usernames": names}, ok=(409,))

    def ensure_group(self, name: str) -> None:
        self.call("POST", f"groups/{urllib.parse.quote(name)}", ok=(409,))

    def add(self, group: str, users: list[str]) -> None:
        if users:
            self.call("POST", f"groups/{urllib.parse.quote(group)}/users", {"users": users})

    def remove(self, group: str, users: list[str]) -> None:
        if users:
            self.call("DELETE", f"groups/{urllib.parse.quote(group)}/users", {"users": users})


def running_hub(root: Path) -> HubClient | None:
    """A client of the academy's hub if it is running here, else None."""
    from digital_academy.hub import runner  # noqa: PLC0415 - psutil only when needed
    from digital_academy.hub.builders import ADMIN_TOKEN  # noqa: PLC0415
    from digital_academy.hub.state import load_secrets  # noqa: PLC0415

    if runner.running_pid(root) is None:
        return None
    record = runner.read_record(root)
    token = load_secrets(root).get(ADMIN_TOKEN)
    if record is None or not token:
        return None
    return HubClient(record.api_url, token)
