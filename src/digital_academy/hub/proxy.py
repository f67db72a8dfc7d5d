"""The hub's proxy: the Python ``configurable-http-proxy``, with room for a burst.

It forwards through tornado's ``AsyncHTTPClient``, which by default keeps at most 10 requests
in flight and fails the rest with "503 Timeout in request queue" after 20 s. Fifty learners
logging in at once on two cores queue far longer than that, so the limit is raised before the
proxy starts. Run by the hub as ``python -m digital_academy.hub.proxy <proxy options>``.
"""

from __future__ import annotations

import os

from configurable_http_proxy.cli import main as proxy_main  # type: ignore[import-untyped]
from tornado.httpclient import AsyncHTTPClient

MAX_CLIENTS = int(os.environ.get("ACADEMY_PROXY_MAX_CLIENTS", "1000"))


def main() -> None:
    AsyncHTTPClient.configure(None, max_clients=MAX_CLIENTS)
    proxy_main()


if __name__ == "__main__":
    main()
