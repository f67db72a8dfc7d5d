"""A learner in JupyterLab in the hub, driven in Debian's chromium (never a downloaded browser).

The browser may reach 127.0.0.1 only: every other request is refused and recorded.
"""

from __future__ import annotations

import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from tests.enrolment.live import Hub
from tests.support_hub import CHROMIUM, CHROMIUM_ARGS

from digital_academy.hub.auth import USER_PASSWORD
from digital_academy.hub.state import load_secrets


@dataclass
class LabVisit:
    seconds: float = 0.0
    blocked: list[str] = field(default_factory=list)  # requests for anything off loopback
    submitted: str = ""  # the assignment list's "Submitted assignments" text afterwards


def _loopback_only(visit: LabVisit) -> Any:
    def route(request_route: Any) -> None:
        url = request_route.request.url
        if urllib.parse.urlsplit(url).hostname == "127.0.0.1":
            request_route.continue_()
        else:
            visit.blocked.append(url)
            request_route.abort()

    return route


def _replace(page: Any, cell: Any, text: str) -> None:
    """Select a cell's whole text and put ``text`` in its place, as a paste would."""
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(text)


def submit_in_lab(hub: Hub, user: str, codes: list[str], written: str) -> LabVisit:
    """Log in, open Nbgrader > Assignment List, Fetch, answer the code cells (in notebook
    order) and the written answer, save, and click Submit."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - slow import

    visit, started = LabVisit(), time.monotonic()
    with sync_playwright() as play:
        browser = play.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.route("**/*", _loopback_only(visit))
            page = context.new_page()
            page.set_default_timeout(90_000)
            page.goto(hub.url + "hub/login?next=" + urllib.parse.quote(f"/user/{user}/lab"))
            page.fill("#username_input", user)
            page.fill("#password_input", load_secrets(hub.root)[USER_PASSWORD])
            page.click("#login_submit")
            page.wait_for_selector("#jp-main-dock-panel")
            page.get_by_role("menuitem", name="Nbgrader").click()
            page.get_by_text("Assignment List").click()
            panel = page.locator("#nbgrader-assignment-list")
            panel.locator("#released_assignments_list").get_by_role("button", name="Fetch").click()
            fetched = panel.locator("#fetched_assignments_list")
            fetched.get_by_role("button", name="Submit").wait_for()
            fetched.locator("a.assignment-notebooks-link").click()
            fetched.locator(".nested_list_item a").first.click()
            notebook = page.locator(".jp-NotebookPanel:visible")
            for code in codes:  # each time, the first answer cell still unanswered
                unanswered = notebook.locator(".jp-CodeCell", has_text="raise NotImplementedError")
                _replace(page, unanswered.first, code)
            answer = notebook.locator(".jp-MarkdownCell", has_text="YOUR ANSWER HERE").first
            answer.dblclick()
            _replace(page, answer, written)
            page.keyboard.press("Control+Enter")  # render it; adds no cell
            page.keyboard.press("Control+s")
            page.locator(".jp-mod-dirty").wait_for(state="detached")  # saved
            page.get_by_role("tab", name="Assignments").click()
            fetched.get_by_role("button", name="Submit").click()
            submitted = panel.locator("#submitted_assignments_list .list_item")
            submitted.first.wait_for()
            visit.submitted = panel.locator("#submitted_assignments_list").inner_text()
            context.close()
        finally:
            browser.close()
    visit.seconds = time.monotonic() - started
    return visit
