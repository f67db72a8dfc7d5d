"""The published site in Debian's Chromium, with every request off its own origin blocked.

Each test fails if the page asked for anything outside the served site (see conftest).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow
ACADEMY = "sample-academy-1"
MODULE = f"{ACADEMY}/sample-course-1/sample-course-1-module-1.html"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
OpenSite = Callable[..., tuple[Any, Any]]


def _answer(frame: Any) -> None:
    """Answer the self-check wrongly, then rightly, checking the feedback each time."""
    wrong = frame.locator("[role=status]", has_text="the mean is the sum divided by the count")
    right = frame.locator("[role=status]", has_text="half the values lie on each side")
    frame.get_by_label("The mean").check()
    wrong.wait_for(state="visible", timeout=10_000)
    assert not right.is_visible()
    frame.get_by_label("The median").check()
    right.wait_for(state="visible", timeout=10_000)
    assert not wrong.is_visible()


def test_catalogue_to_academy_to_pathway_to_module(built_site: Path, open_site: OpenSite) -> None:
    page, guard = open_site(built_site)
    page.goto(guard.base + "index.html")
    page.get_by_role("link", name="Sample academy 1").first.click()
    page.wait_for_url("**/sample-academy-1/index.html")
    page.locator("article").get_by_role("link", name="Sample pathway").click()
    page.wait_for_url("**/pathways/sample-academy-1-pathway.html")
    page.locator("article").get_by_role("link", name="Sample module 1.1").click()
    page.wait_for_url("**/" + MODULE)
    box = page.locator("section.academy-module-box")
    assert box.get_by_text("Calculate a summary statistic for sample-course-1 data").is_visible()
    assert box.get_by_text("10 minutes").is_visible()
    page.wait_for_load_state("networkidle")
    _answer(page)  # no kernel: the widget is linked in the browser
    assert page.locator("mjx-container").count() >= 1  # maths typeset by the local MathJax
    download = page.request.get(
        box.get_by_role("link", name="Download the notebook").evaluate("a => a.href")
    )
    assert download.ok and download.body()[:2] == b"PK"


def test_catalogue_filters(built_site: Path, open_site: OpenSite) -> None:
    page, guard = open_site(built_site)
    page.goto(guard.base + "index.html")
    count = page.locator("#count")
    cards = page.locator("li.module:visible")
    assert count.text_content() == "4 modules" and cards.count() == 4
    page.get_by_label("Role").select_option("nurse-ahp")
    assert count.text_content() == "2 modules"
    page.get_by_label("Competency").select_option("sample-fw:A1")
    assert count.text_content() == "1 module"
    assert cards.get_by_role("link").text_content() == "Sample module 1.1"
    assert "role=nurse-ahp" in page.url  # the filtered view can be shared
    page.get_by_label("Role").select_option("")
    page.get_by_label("Competency").select_option("")
    page.get_by_label("Search").fill("module 2.2")
    assert count.text_content() == "1 module"
    page.goto(guard.base + "index.html?level=advanced")
    assert count.text_content() == "0 modules"


@pytest.mark.parametrize(
    "path",
    [
        "index.html",
        f"{ACADEMY}/index.html",
        f"{ACADEMY}/pathways/{ACADEMY}-pathway.html",
        f"{ACADEMY}/coverage.html",
        MODULE,
        MODULE + "?embed=1",
        f"{ACADEMY}/search.html?q=median",
        f"{ACADEMY}/genindex.html",
        "modules/sample-course-2-module-1.html",
    ],
)
def test_no_serious_accessibility_violations(
    built_site: Path, open_site: OpenSite, node_modules: Path, path: str
) -> None:
    page, guard = open_site(built_site)
    page.goto(guard.base + path)
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(node_modules / "axe-core" / "axe.min.js"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG
    )
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert serious == []
    assert result["passes"], "axe ran no checks"


def test_embed_mode_in_an_iframe(built_site: Path, open_site: OpenSite, tmp_path: Path) -> None:
    host = tmp_path / "host"
    shutil.copytree(built_site, host / "site")
    (host / "course.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><title>University course</title></head><body>'
        '<main><h1>Week 3</h1><iframe title="Academy module" width="900" height="1200" '
        'src="site/modules/sample-course-1-module-1.html?embed=1"></iframe></main></body></html>'
    )
    page, guard = open_site(host)
    page.goto(guard.base + "course.html")
    frame = page.frame_locator("iframe")
    frame.locator("section.academy-module-box").wait_for(timeout=20_000)
    (inner,) = [f for f in page.frames if f.url.endswith("?embed=1")]
    assert "/sample-academy-1/sample-course-1/" in inner.url  # via the stable address
    inner.wait_for_load_state("networkidle")
    for chrome in (".bd-header", ".bd-sidebar-primary", ".prev-next-area"):
        assert not inner.locator(chrome).first.is_visible(), chrome
    assert inner.locator(".academy-licence").is_visible()
    _answer(inner)
    assert "embed=1" in inner.locator("a.academy-stable").get_attribute("href")


def test_without_javascript_the_self_check_falls_back(
    built_site: Path, open_site: OpenSite
) -> None:
    page, guard = open_site(built_site, java_script_enabled=False)
    page.goto(guard.base + MODULE)
    fallback = page.locator("section.academy-selfcheck")
    assert fallback.is_visible()
    feedback = fallback.get_by_text("the mean is the sum divided by the count")
    assert not feedback.is_visible()
    fallback.locator("summary", has_text="The mean").click()
    assert feedback.is_visible()


def test_the_origin_guard_catches_requests_off_the_origin(
    open_site: OpenSite, tmp_path: Path
) -> None:
    """The check every browser test relies on really sees a request to another origin."""
    (tmp_path / "leaky.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>'
        '<img alt="x" src="http://192.0.2.1/pixel.png"></body></html>'
    )
    page, guard = open_site(tmp_path)
    page.goto(guard.base + "leaky.html")
    page.wait_for_load_state("networkidle")
    assert guard.blocked == ["http://192.0.2.1/pixel.png"]
    guard.blocked.clear()  # seen; do not fail the test at teardown
