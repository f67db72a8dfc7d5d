"""``academy build`` from the command line: bad input gets one clear line and exit 1."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path


def _build(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "digital_academy.cli.main", "build", "--root", str(root), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_invalid_catalogue(make_sample: Callable[..., Path], node_modules: Path) -> None:
    root = make_sample(modules=2, courses=1)
    academy = root / "specialist_academies" / "sample-academy-1.yml"
    academy.write_text(academy.read_text().replace("sample-course-1", "no-such-course"))
    line = _one_error_line(_build(root, "--assets", str(node_modules)))
    assert "run `academy check`" in line and "valid catalogue" in line
    assert not (root / "book" / "_build" / "site").exists()


def test_missing_browser_assets(make_sample: Callable[..., Path], tmp_path: Path) -> None:
    root = make_sample(modules=2, courses=1)
    line = _one_error_line(_build(root, "--assets", str(tmp_path / "empty")))
    assert "browser assets missing" in line and "npm ci" in line


def test_unknown_academy_and_bad_settings(
    make_sample: Callable[..., Path], node_modules: Path
) -> None:
    root = make_sample(modules=2, courses=1)
    assets = ("--assets", str(node_modules))
    line = _one_error_line(_build(root, *assets, "--academy", "nope"))
    assert "unknown academy 'nope'; known: sample-academy-1" in line
    line = _one_error_line(_build(root, *assets, "--hub-url", "hub.example.org"))
    assert "not an http(s) URL" in line
    line = _one_error_line(_build(root, *assets, "--engine", "jupyter-book-2"))
    assert "unknown book engine 'jupyter-book-2'" in line
