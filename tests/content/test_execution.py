"""Notebook execution in CI: a failing module is reported by name and cell, the others
still run, and the run exits non-zero (nbval, as the README's test command runs it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def _notebook(path: Path, *sources: str) -> None:
    cells = [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": f"c{i}",
            "metadata": {},
            "outputs": [],
            "source": src,
        }
        for i, src in enumerate(sources)
    ]
    content = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(content), "utf-8")


@pytest.mark.slow
def test_failing_notebook_is_named_with_its_cell_and_the_rest_still_run(tmp_path: Path) -> None:
    _notebook(tmp_path / "01-good.ipynb", "x = 1", "assert x == 1")
    _notebook(tmp_path / "02-broken.ipynb", "y = 2", "raise ValueError('broken on purpose')")
    _notebook(tmp_path / "03-after.ipynb", "z = 3", "print(z)")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval-lax",
            "-p",
            "no:cacheprovider",
            "-q",
            "-rf",
            str(tmp_path),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "02-broken.ipynb::Cell 1" in out
    assert "broken on purpose" in out
    assert "1 failed, 5 passed" in out
