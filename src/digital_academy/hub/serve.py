"""Run one of the academy's own hub-managed services (books, the learner view)."""

from __future__ import annotations

import os
import signal
from urllib.parse import urlparse

from tornado import web
from tornado.ioloop import IOLoop


def serve(app: web.Application, default_url: str) -> None:
    """Listen where the hub says (``JUPYTERHUB_SERVICE_URL``) until SIGTERM."""
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", default_url))
    fallback = urlparse(default_url)
    app.listen(url.port or fallback.port or 80, url.hostname or fallback.hostname or "127.0.0.1")
    loop = IOLoop.current()
    signal.signal(signal.SIGTERM, lambda *_: loop.add_callback_from_signal(loop.stop))
    loop.start()
