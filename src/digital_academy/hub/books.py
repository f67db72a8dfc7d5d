"""The ``books`` hub service: the published site, served from the hub at /services/books/.

Started by the hub (``python -m digital_academy.hub.books``), which tells it its address and
prefix. The books are open content, so the service serves them to anyone who reaches the hub.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from tornado import web
from tornado.ioloop import IOLoop


class BookFiles(web.StaticFileHandler):
    def set_extra_headers(self, path: str) -> None:
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Cache-Control", "no-cache")


def make_app(site: Path, prefix: str) -> web.Application:
    prefix = "/" + prefix.strip("/") + "/"
    handlers: list[Any] = [
        (prefix.rstrip("/"), web.RedirectHandler, {"url": prefix}),
        (prefix + "(.*)", BookFiles, {"path": str(site), "default_filename": "index.html"}),
    ]
    return web.Application(handlers)


def main() -> None:
    site = Path(os.environ["ACADEMY_SITE_DIR"])
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/books/")
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:8100"))
    make_app(site, prefix).listen(url.port or 8100, url.hostname or "127.0.0.1")
    loop = IOLoop.current()
    signal.signal(signal.SIGTERM, lambda *_: loop.add_callback_from_signal(loop.stop))
    loop.start()


if __name__ == "__main__":
    main()
