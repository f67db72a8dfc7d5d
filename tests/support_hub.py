"""Helpers shared by the tests that start a real hub or drive a browser, imported as
``tests.support_hub``: notebook cells, a small HTTP client's parts, spawning a server, and
Debian's chromium (never a downloaded browser)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tests.support import write_yaml

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # tests run as root
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
#: For tests that release feedback with nbgrader through a hub.
NBGRADER_FEEDBACK_WARNINGS = [
    # nbgrader 0.9.6's release_feedback passes ``authentictor=`` (sic) to the exchange, which
    # traitlets reports as a DeprecationWarning; nbgrader's own bug, harmless here.
    pytest.mark.filterwarnings(
        r"ignore:Passing unrecognized arguments to super\(ExchangeReleaseFeedback\)"
        ":DeprecationWarning"
    ),
    # ... and opens each feedback folder's timestamp.txt without closing it.
    pytest.mark.filterwarnings(
        r"ignore:unclosed file <_io.TextIOWrapper name='.*timestamp.txt':ResourceWarning"
    ),
]


def cell(kind: str, source: str, ident: str, **metadata: Any) -> dict[str, Any]:
    """One notebook cell; ``metadata`` as given (for example ``nbgrader={...}``)."""
    made: dict[str, Any] = {"cell_type": kind, "id": ident, "metadata": metadata, "source": source}
    if kind == "code":
        made |= {"execution_count": None, "outputs": []}
    return made


def notebook(cells: list[dict[str, Any]], metadata: dict[str, Any]) -> str:
    """A Python 3 notebook's text with ``cells`` and extra notebook ``metadata``."""
    return json.dumps(
        {
            "cells": cells,
            "metadata": {
                "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                **metadata,
            },
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    )


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def send(request: urllib.request.Request, timeout: float) -> Response:
    """``request`` as sent, redirects not followed, HTTP errors returned as responses."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as res:
            return Response(res.status, res.read(), dict(res.headers))
    except urllib.error.HTTPError as exc:
        return Response(exc.code, exc.read(), dict(exc.headers))


def spawn(api: Callable[[str, str], Response], user: str, timeout: float) -> None:
    """Start ``user``'s server through the hub API (``api(method, path)``) and wait for it."""
    res = api("POST", f"users/{user}/server")
    assert res.status in (201, 202, 400), res.body  # 400: already running
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        model = api("GET", f"users/{user}").json()
        if model["server"] and not model["pending"]:
            return
        if not model["pending"] and not model["server"]:
            raise AssertionError(f"{user}'s server failed to start: {model}")
        time.sleep(0.5)
    raise AssertionError(f"{user}'s server did not start in {timeout} s")


def chromium() -> Iterator[Any]:
    """Debian's chromium through Playwright, for a fixture to ``yield from``; skips without it."""
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only if chromium exists

    with sync_playwright() as play:
        launched = play.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def write_books_and_settings(
    root: Path, heading: str, settings: dict[str, Any] | None, network: dict[str, int] | None
) -> None:
    """What a test academy needs besides its catalogue to start a hub: a built books page
    (headed ``heading``) and ``hub_config/academy.yml`` (``network`` as its ports)."""
    site = root / "book/_build/site"
    site.mkdir(parents=True, exist_ok=True)
    (site / "index.html").write_text(f"<!doctype html><title>Books</title><h1>{heading}</h1>")
    data: dict[str, Any] = dict(settings or {})
    if network:
        data["network"] = network
    write_yaml(root / "hub_config/academy.yml", data)


def network_settings(ports: list[int]) -> dict[str, int]:
    """The hub settings' ``network`` from four free ports (the last with room for services)."""
    public, api, proxy, services = ports
    return {
        "port": public,
        "hub_api_port": api,
        "proxy_api_port": proxy,
        "service_ports_start": services,
    }
