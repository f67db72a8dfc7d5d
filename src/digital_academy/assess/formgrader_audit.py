"""Who marked what in formgrader: the hub user behind each manual grade and comment.

A Jupyter server extension loaded into each course run's formgrader service. nbgrader's
grade and comment API handlers commit the tutor's change, and the gradebook's triggers
add an evidence entry for it; right after the handler, in the same request, this seals
that entry naming the hub user who made it (source ``formgrader``). Handlers run one at a
time on the server's event loop, so the entries sealed are the ones the request added.
Without this extension (or for a direct database edit) entries are sealed later as
"unattributed".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .gradebook import seal_pending


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": __name__}]


def hub_user(handler: Any) -> str:
    """The name of the hub user a Jupyter server request is made by."""
    user = handler.current_user
    if isinstance(user, dict):
        return str(user.get("name") or user.get("username"))
    return str(getattr(user, "username", None) or getattr(user, "name", user))


def _attributed(put: Callable[..., Any]) -> Callable[..., Any]:
    def attributed_put(handler: Any, *args: Any) -> None:
        put(handler, *args)  # nbgrader's own checks and change; raises when it refuses
        seal_pending(handler.gradebook, actor=hub_user(handler), source="formgrader")

    attributed_put.academy_attributed = True  # type: ignore[attr-defined]
    return attributed_put


def _load_jupyter_server_extension(serverapp: Any) -> None:
    from nbgrader.server_extensions.formgrader import apihandlers  # noqa: PLC0415

    for handler in (apihandlers.GradeHandler, apihandlers.CommentHandler):
        if not getattr(handler.put, "academy_attributed", False):
            handler.put = _attributed(handler.put)
    serverapp.log.info("academy: formgrader marks are logged with the hub user who made them")
