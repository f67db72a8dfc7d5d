"""``/academy/open``: a learner's server extension that delivers course content.

``GET /user/<name>/academy/open?module=<module-id>`` (or ``?course=<course-id>``, or nothing)
pulls the academy's content repository into ``~/academy`` with nbgitpuller's ``GitPuller`` and
then opens the module in JupyterLab. Launch links from the books use
``<hub>/hub/user-redirect/academy/open?module=<id>``. GitPuller's merge rules keep every
learner edit: their changes win, and only files they have not touched are updated.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import web

FOLDER = "academy"
_lock = asyncio.Lock()


def pull(repo: str, target: Path) -> None:
    """Clone or merge ``repo`` into ``target`` (blocking; run in a thread)."""
    from nbgitpuller.pull import (  # type: ignore[import-untyped]  # noqa: PLC0415
        GitPuller,  # imported on first use: a lean start-up
    )

    puller = GitPuller(repo, str(target), branch="main")
    for _line in puller.pull():
        pass


def destination(index: dict[str, dict[str, str]], module: str | None, course: str | None) -> str:
    """The path, inside the academy folder, that a launch link asks for."""
    if module:
        if module not in index.get("modules", {}):
            raise web.HTTPError(404, f"no module {module!r} in the academy's content")
        return index["modules"][module]
    if course:
        if course not in index.get("courses", {}):
            raise web.HTTPError(404, f"no course {course!r} in the academy's content")
        return index["courses"][course]
    return ""


class OpenHandler(JupyterHandler):
    @web.authenticated
    async def get(self) -> None:
        repo = os.environ.get("ACADEMY_CONTENT_REPO")
        if not repo:
            raise web.HTTPError(500, "ACADEMY_CONTENT_REPO is not set: start servers via the hub")
        root = Path(self.settings["server_root_dir"]).expanduser()
        target = root / FOLDER
        async with _lock:
            try:
                await asyncio.to_thread(pull, repo, target)
            except Exception as exc:
                self.log.exception("pulling course content failed")
                raise web.HTTPError(500, f"could not update your course content: {exc}") from exc
        index = json.loads((target / "index.json").read_text("utf-8"))
        rel = destination(
            index, self.get_argument("module", None), self.get_argument("course", None)
        )
        path = f"{FOLDER}/{rel}" if rel else FOLDER
        self.redirect(url_path_join(self.base_url, "lab", "tree", path))


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    return [{"module": "digital_academy.hub.content_ext"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    web_app = serverapp.web_app
    route = url_path_join(web_app.settings["base_url"], "academy", "open")
    web_app.add_handlers(".*$", [(route, OpenHandler)])
