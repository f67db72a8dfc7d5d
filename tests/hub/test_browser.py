"""A learner and a tutor in a real browser (Debian's chromium, driven by Playwright)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.support_hub import chromium

from digital_academy.hub.auth import USER_PASSWORD

from .conftest import LiveHub
from .factory import ASSIGNMENT, MODULE_ID, SELF_CHECK_RIGHT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    yield from chromium()


def _login(browser: object, hub: LiveHub, user: str) -> object:
    context = browser.new_context(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(90_000)
    page.goto(hub.url + "hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", hub.secrets[USER_PASSWORD])
    page.click("#login_submit")
    return page


def test_learner_journey(browser: object, live_hub: LiveHub) -> None:
    live_hub.release(ASSIGNMENT)
    page = _login(browser, live_hub, "learner2")
    # After login the hub starts the learner's server and opens their academy folder.
    page.wait_for_url("**/user/learner2/lab/tree/academy**", timeout=120_000)
    page.goto(live_hub.url + f"hub/user-redirect/academy/open?module={MODULE_ID}")
    page.wait_for_url(f"**/lab/tree/academy/course-a/01-{MODULE_ID}.ipynb")
    page.wait_for_selector(".jp-Notebook .jp-Cell")
    page.wait_for_selector("text=Python 3 (ipykernel) | Idle", timeout=90_000)
    page.click("li.lm-MenuBar-item:has-text('Run')")
    page.click("li.lm-Menu-item:has-text('Run All Cells')")
    page.wait_for_selector("text=total is 4")
    # The self-check widget answers in the browser.
    page.get_by_label(SELF_CHECK_RIGHT).check()
    page.wait_for_selector("text=Yes: two and two make four.")
    assert page.locator("text=Correct.").first.is_visible()

    # The nbgrader assignment list: fetch, then submit.
    page.click("li.lm-MenuBar-item:has-text('Nbgrader')")
    page.click("li.lm-Menu-item:has-text('Assignment List')")
    released = page.locator("#released_assignments_list")
    released.locator(f"text={ASSIGNMENT}").first.wait_for()
    released.locator("button:has-text('Fetch')").click()
    fetched = page.locator("#fetched_assignments_list")
    fetched.locator(f"text={ASSIGNMENT}").first.wait_for()
    fetched.locator("button:has-text('Submit')").click()
    page.locator("#submitted_assignments_list").locator(f"text={ASSIGNMENT}").first.wait_for()
    inbound = live_hub.root / ".academy/exchange/demo/inbound"
    assert any(p.name.startswith(f"learner2+{ASSIGNMENT}+") for p in inbound.iterdir())
    # No tutor tools and no news pop-up for learners.
    assert page.locator("li.lm-MenuBar-item:has-text('Nbgrader')").count() == 1
    page.click("li.lm-MenuBar-item:has-text('Nbgrader')")
    assert page.locator("li.lm-Menu-item:has-text('Formgrader')").count() == 0
    assert page.locator("text=official Jupyter news").count() == 0
    page.context.close()


def test_tutor_sees_formgrader_and_learner_is_refused(browser: object, live_hub: LiveHub) -> None:
    tutor = _login(browser, live_hub, "tutor1")
    tutor.wait_for_url("**/user/tutor1/**", timeout=120_000)
    tutor.goto(live_hub.url + "services/formgrader-demo/formgrader/manage_assignments")
    tutor.wait_for_selector("text=Manage Assignments")
    tutor.locator(f"text={ASSIGNMENT}").first.wait_for()  # the released assignment
    tutor.context.close()

    learner = _login(browser, live_hub, "learner1")
    learner.wait_for_url("**/user/learner1/**", timeout=120_000)
    response = learner.goto(live_hub.url + "services/formgrader-demo/formgrader")
    assert response is not None and response.status == 403
    assert learner.locator("text=Manage Assignments").count() == 0
    learner.context.close()
