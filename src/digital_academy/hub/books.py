"""The ``books`` hub service: the published site, served from the hub at /services/books/.

Started by the hub (``python -m digital_academy.hub.books``), which tells it its address and
prefix. The books are open content, so the service serves them to anyone who reaches the hub.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tornado import web

from .serve import serve


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
    serve(make_app(site, prefix), "http://127.0.0.1:8100")


if __name__ == "__main__":
    main()
