"""Whole builds: what is published, what is rebuilt, and what a failure leaves behind."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from digital_academy.publish.runner import BuildReport, build_site
from digital_academy.publish.settings import PublishSettings

pytestmark = pytest.mark.slow
SETTINGS = PublishSettings()
ACADEMY = "sample-academy-1"
OTHER = "sample-academy-2"


def _build(root: Path, node_modules: Path, **kwargs: object) -> BuildReport:
    return build_site(root, SETTINGS, node_modules=node_modules, jobs=2, **kwargs)  # type: ignore[arg-type]


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _edit(root: Path, module: str, cell_id: str, source: str) -> Path:
    path = next((root / "courses").glob(f"*/*-{module}.ipynb"))
    nb = json.loads(path.read_text())
    next(c for c in nb["cells"] if c["id"] == cell_id)["source"] = source
    path.write_text(json.dumps(nb))
    return path


def test_built_site_layout(built_site: Path) -> None:
    for rel in (
        "index.html",
        "catalogue.json",
        "assets/catalogue.js",
        f"{ACADEMY}/index.html",
        f"{ACADEMY}/coverage.html",
        f"{ACADEMY}/pathways/{ACADEMY}-pathway.html",
        f"{ACADEMY}/sample-course-1/sample-course-1-module-1.html",
        "modules/sample-course-2-module-2.html",
        "packages/sample-course-1-module-1.zip",
        "_vendor/require/require.js",
        "_vendor/widgets/embed-amd.js",
        "_vendor/mathjax/tex-mml-chtml.js",
        "_vendor/mathjax/LICENSE.txt",
    ):
        assert (built_site / rel).is_file(), rel
    pages = sorted(
        p for p in built_site.glob("sample-academy-*/**/*.html") if "_static" not in p.parts
    )
    assert len(pages) >= 10
    for page in pages:
        html = page.read_text("utf-8")
        assert "academy-licence" in html, f"no licence footer on {page}"  # every book page
        assert "cdn.jsdelivr" not in html and "cdnjs" not in html and "unpkg.com" not in html
    archive = zipfile.ZipFile(built_site / "packages" / "sample-course-1-module-1.zip")
    names = set(archive.namelist())
    assert {
        "sample-course-1-module-1/01-sample-course-1-module-1.ipynb",
        "sample-course-1-module-1/data/waits.csv",
        "sample-course-1-module-1/README.md",
        "sample-course-1-module-1/digital_academy/selfcheck/render.py",
    } <= names


def test_noop_and_one_module_edit(make_sample: Callable[..., Path], node_modules: Path) -> None:
    root = make_sample(modules=4, courses=2, academies=2)
    first = _build(root, node_modules)
    assert first.ok and first.published and len(first.executed) == 4
    site = first.site
    before = _digest(site)

    noop = _build(root, node_modules)
    assert (noop.executed, noop.published) == ([], False)
    assert {b.status for b in noop.books} == {"unchanged"}
    assert _digest(site) == before

    _edit(root, "sample-course-2-module-1", "work", "import pandas as pd\n21 * 2")
    edit = _build(root, node_modules)
    assert edit.executed == ["sample-course-2-module-1"] and edit.published
    assert {b.academy: b.status for b in edit.books} == {ACADEMY: "unchanged", OTHER: "built"}
    page = site / OTHER / "sample-course-2" / "sample-course-2-module-1.html"
    assert "42" in page.read_text()
    after = _digest(site)
    assert {k: v for k, v in after.items() if k.startswith(f"{ACADEMY}/")} == {
        k: v for k, v in before.items() if k.startswith(f"{ACADEMY}/")
    }


def test_broken_notebook_fails_its_book_only(
    make_sample: Callable[..., Path], node_modules: Path
) -> None:
    root = make_sample(modules=4, courses=2, academies=2)
    site = _build(root, node_modules).site
    good = _digest(site / ACADEMY)
    _edit(root, "sample-course-1-module-2", "work", "rate = 1 / 0")
    _edit(root, "sample-course-2-module-1", "summary", "## Summary\n\nNew wording published.")
    report = _build(root, node_modules)
    assert not report.ok and report.published
    assert {b.academy: b.status for b in report.books} == {ACADEMY: "failed", OTHER: "built"}
    (failure,) = report.failures
    assert failure.module_id == "sample-course-1-module-2"
    assert failure.file == "courses/sample-course-1/02-sample-course-1-module-2.ipynb"
    assert failure.cell == 2 and failure.error == "ZeroDivisionError: division by zero"
    assert _digest(site / ACADEMY) == good  # the last good book is still published
    assert (
        "New wording published."
        in (site / OTHER / "sample-course-2" / "sample-course-2-module-1.html").read_text()
    )


def test_missing_asset_is_reported_and_keeps_the_last_good_book(
    make_sample: Callable[..., Path], node_modules: Path
) -> None:
    root = make_sample(modules=2, courses=1)
    site = _build(root, node_modules).site
    good = _digest(site / ACADEMY)
    _edit(
        root,
        "sample-course-1-module-1",
        "summary",
        "## Summary\n\n![The chart that was never added](images/missing-chart.png)",
    )
    report = _build(root, node_modules)
    assert not report.ok
    (failure,) = report.failures
    assert failure.module_id == "sample-course-1-module-1"
    assert "image file not readable" in failure.error and "missing-chart.png" in failure.error
    assert _digest(site / ACADEMY) == good


def _academy_cli(
    root: Path, node_modules: Path, *args: str, **kwargs: object
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "digital_academy.cli.main",
            "build",
            "--root",
            str(root),
            "--assets",
            str(node_modules),
            "-j",
            "2",
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,  # type: ignore[call-overload]
    )


def test_cli_reports_failures_by_module_and_cell(
    make_sample: Callable[..., Path], node_modules: Path
) -> None:
    root = make_sample(modules=2, courses=1)
    _edit(root, "sample-course-1-module-2", "work", "undefined_name")
    process = _academy_cli(root, node_modules, "--format", "json")
    out, err = process.communicate(timeout=600)
    assert process.returncode == 1, err
    assert "Traceback" not in err
    data = json.loads(out)
    (book,) = data["books"]
    assert book["status"] == "failed"
    assert book["failures"][0]["module_id"] == "sample-course-1-module-2"
    assert book["failures"][0]["cell"] == 2
    assert book["failures"][0]["error"] == "NameError: name 'undefined_name' is not defined"


def test_interrupted_build_leaves_the_last_good_site(
    make_sample: Callable[..., Path], node_modules: Path, tmp_path: Path
) -> None:
    root = make_sample(modules=2, courses=1)
    site = _build(root, node_modules).site
    good = _digest(site)
    marker = tmp_path / "kernel-is-running"
    _edit(
        root,
        "sample-course-1-module-1",
        "work",
        f"import pathlib, time\npathlib.Path({str(marker)!r}).touch()\ntime.sleep(300)",
    )
    _edit(root, "sample-course-1-module-2", "summary", "## Summary\n\nChanged.")
    # Its own session, so killing the group ends the build, its workers and its kernels;
    # its own temporary folder, so what the killed build leaves is cleared with tmp_path.
    (tmp_path / "tmp").mkdir()
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp")}
    process = _academy_cli(root, node_modules, start_new_session=True, env=env)
    try:
        deadline = time.monotonic() + 300
        while not marker.exists() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
        assert marker.exists() and process.poll() is None, "the build never got going"
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate(timeout=60)
    assert _digest(site) == good
    # The next build clears what the killed one left and publishes normally.
    _edit(root, "sample-course-1-module-1", "work", "import pandas as pd\n'resumed'")
    report = _build(root, node_modules)
    assert report.ok and report.published
    assert (
        "resumed"
        in (site / ACADEMY / "sample-course-1" / "sample-course-1-module-1.html").read_text()
    )
    assert sorted(p.name for p in site.parent.iterdir() if p.name.startswith(".site")) == []
