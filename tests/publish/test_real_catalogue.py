"""The real catalogue, built offline into a temporary copy, checked in the browser."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from digital_academy.catalog import check
from digital_academy.publish.runner import build_site
from digital_academy.publish.settings import PublishSettings

pytestmark = pytest.mark.slow
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def test_real_catalogue_builds_and_every_page_is_accessible(
    repo: Path,
    tmp_path: Path,
    node_modules: Path,
    open_site: Callable[..., tuple[Any, Any]],
) -> None:
    result = check(repo)
    assert not result.errors, "the real catalogue has errors; run `academy check`"
    root = tmp_path / "repo"
    for folder in ("courses", "specialist_academies", "graders"):
        shutil.copytree(repo / folder, root / folder)
    report = build_site(
        root,
        PublishSettings(),
        node_modules=node_modules,
    )
    assert report.ok, "\n".join(f.describe() for f in report.failures)
    site = report.site
    catalogue = json.loads((site / "catalogue.json").read_text())
    assert {m["id"] for m in catalogue["modules"]} == set(result.catalog.modules)
    pages = []
    for module in catalogue["modules"]:
        assert (site / module["url"]).is_file()
        assert (site / module["package_url"]).is_file()
        assert (site / module["stable_url"]).is_file()
        pages.append(module["url"])
    for academy in catalogue["academies"]:
        pages += [academy["url"], academy["coverage_url"], *(p["url"] for p in academy["pathways"])]

    page, guard = open_site(site)
    problems = []
    for path in ["index.html", *pages]:
        page.goto(guard.base + path)
        page.wait_for_load_state("networkidle")
        page.add_script_tag(path=str(node_modules / "axe-core" / "axe.min.js"))
        violations = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
            ".then(r => r.violations)",
            WCAG,
        )
        problems += [
            f"{path}: {v['id']} ({v['impact']}) at {v['nodes'][0]['target']}"
            for v in violations
            if v["impact"] in {"serious", "critical"}
        ]
    assert problems == []
