"""Fixtures for the publishing tests: generated catalogues, a built site, a served site,
and Debian's Chromium with every request off the site's own origin blocked and recorded."""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.support_hub import CHROMIUM, CHROMIUM_ARGS

from digital_academy.publish.sample import write_sample

REPO = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO / "node_modules"


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """The browser assets from npm; the build refuses to run without them."""
    if not (NODE_MODULES / "axe-core" / "axe.min.js").is_file():
        pytest.fail("browser assets are not installed: run `npm ci` at the repository root")
    return NODE_MODULES


@pytest.fixture
def make_sample(tmp_path: Path) -> Callable[..., Path]:
    """``make_sample(modules=4, courses=2, academies=2)`` -> a content root in tmp_path."""

    def make(name: str = "content", **kwargs: Any) -> Path:
        root = tmp_path / name
        root.mkdir()
        write_sample(root, **kwargs)
        return root

    return make


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory, node_modules: Path) -> Path:
    """A site built once per session from a generated two-academy catalogue."""
    from digital_academy.publish.runner import build_site  # noqa: PLC0415
    from digital_academy.publish.settings import PublishSettings  # noqa: PLC0415

    root = tmp_path_factory.mktemp("site-content")
    write_sample(root, modules=4, courses=2, academies=2)
    report = build_site(root, PublishSettings(), node_modules=node_modules, jobs=2)
    assert report.ok, [f.describe() for f in report.failures]
    return report.site


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 at a free port; yields the base URL (ends with /)."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    if not CHROMIUM.is_file():
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class OriginGuard:
    """Lets requests to ``base`` through; aborts and records every other one."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.blocked: list[str] = []
        self.failed: list[str] = []

    def route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(self.base) or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def response(self, response: Any) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.status} {response.url}")


@pytest.fixture
def open_site(browser: Any) -> Iterator[Callable[..., tuple[Any, OriginGuard]]]:
    """``open_site(folder, **context_options)`` -> (page, guard) on a served copy of folder.

    At the end, the test fails if any request left the origin or any asset was missing.
    """
    stack = contextlib.ExitStack()
    guards: list[OriginGuard] = []

    def open_(folder: Path, **options: Any) -> tuple[Any, OriginGuard]:
        base = stack.enter_context(serve(folder))
        context = browser.new_context(**options)
        stack.callback(context.close)
        guard = OriginGuard(base)
        context.route("**/*", guard.route)
        page = context.new_page()
        page.on("response", guard.response)
        guards.append(guard)
        return page, guard

    yield open_
    stack.close()
    for guard in guards:
        assert guard.blocked == [], f"requests left the site's origin: {guard.blocked}"
        assert guard.failed == [], f"missing or failing assets: {guard.failed}"
