"""A synthetic academy, generated: for benchmarks, tests and trying the publisher.

``write_sample(root, modules=60)`` writes a complete, valid content tree (roles,
framework, academy with pathways, courses, module notebooks, data files) that
``academy check`` accepts. Each module does a little numpy/pandas work on a data file,
shows maths and a figure referenced from Markdown, and ends with a self-check.
"""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path
from typing import Any

import yaml

FRAMEWORK = "sample-fw"
CODES = ("A1", "A2", "A3", "B1", "B2", "B3", "C1")  # C1 is left uncovered: a coverage gap


def _png(width: int = 8, height: int = 8) -> bytes:
    """A small valid PNG (solid NHS blue), so Markdown images have a real file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    rows = b"".join(b"\x00" + b"\x00\x5e\xb8" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _cell(kind: str, source: str, cell_id: str, **meta: Any) -> dict[str, Any]:
    cell: dict[str, Any] = {"cell_type": kind, "id": cell_id, "metadata": meta, "source": source}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def module_notebook(
    module_id: str,
    title: str,
    course: str,
    index: int,
    prerequisites: list[str],
    *,
    image: bool = True,
    extra_code: str = "",
) -> dict[str, Any]:
    codes = [
        f"{FRAMEWORK}:{CODES[index % (len(CODES) - 1)]}",
        f"{FRAMEWORK}:{CODES[(index + 1) % (len(CODES) - 1)]}",
    ]
    meta = {
        "id": module_id,
        "title": title,
        "summary": f"A short synthetic module ({title.lower()}) used to exercise the publisher.",
        "minutes": 10 + index % 4 * 5,
        "level": "foundation",
        "outcomes": [
            {"text": f"Calculate a summary statistic for {course} data", "competencies": codes[:1]}
        ],
        "prerequisites": prerequisites,
        "competencies": codes,
        "audiences": ["analyst"] if index % 2 else ["analyst", "nurse-ahp"],
        "assessment": "self-check",
        "version": "1.0.0",
        "authors": ["Sample author"],
        "licence": "CC-BY-4.0",
        "last_reviewed": "2026-01-15",
    }
    intro = (
        f"# {title}\n\nWe summarise synthetic waiting times. The mean is "
        "$\\bar{x} = \\frac{1}{n}\\sum_i x_i$.\n"
    )
    if image:
        intro += "\n![A solid blue square standing in for a chart](images/square.png)\n"
    cells = [
        _cell("markdown", intro, "intro"),
        _cell(
            "code",
            "import numpy as np\nimport pandas as pd\n\n"
            "waits = pd.read_csv('data/waits.csv')\n"
            f"waits['weeks'] = np.round(waits['days'] / 7, 1) + {index}\n"
            "waits.describe()" + extra_code,
            "work",
        ),
        _cell("markdown", "## Check your understanding", "check-title"),
        _cell(
            "code",
            "from digital_academy.selfcheck import self_check\n\n"
            "self_check('Which statistic is the middle value of sorted data?', [\n"
            "    ('The median', True, 'Right: half the values lie on each side.'),\n"
            "    ('The mean', False, 'No: the mean is the sum divided by the count.'),\n"
            "])",
            "check",
        ),
        _cell("markdown", "## Summary\n\nSynthetic data let us practise safely.", "summary"),
    ]
    return {
        "cells": cells,
        "metadata": {
            "academy": meta,
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _dump(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def write_sample(
    root: Path,
    *,
    modules: int = 6,
    courses: int = 2,
    academies: int = 1,
) -> dict[str, list[str]]:
    """Write the content tree; returns academy id -> its module ids."""
    _dump(
        root / "specialist_academies" / "roles.yml",
        [
            {"id": "analyst", "title": "Data analyst", "description": "Analyses service data."},
            {"id": "nurse-ahp", "title": "Nurse or AHP", "description": "Leads digital practice."},
        ],
    )
    _dump(
        root / "specialist_academies" / "frameworks" / f"{FRAMEWORK}.yml",
        {
            "id": FRAMEWORK,
            "name": "Sample competency framework",
            "source": "Generated, 2026",
            "version": "1.0",
            "domains": [
                {
                    "id": "data",
                    "name": "Data",
                    "competencies": [
                        {"code": c, "statement": f"Sample competency {c}"} for c in CODES
                    ],
                }
            ],
        },
    )
    per_course = max(1, modules // courses)
    result: dict[str, list[str]] = {}
    made = 0
    for c in range(courses):
        academy = f"sample-academy-{c % academies + 1}"
        course = f"sample-course-{c + 1}"
        folder = root / "courses" / course
        _dump(
            folder / "course.yml",
            {
                "id": course,
                "title": f"Sample course {c + 1}",
                "summary": "Generated content for the publisher.",
            },
        )
        rows = "\n".join(f"{i},{(i * 37) % 120 + 1}" for i in range(200))
        (folder / "data").mkdir(parents=True, exist_ok=True)
        (folder / "data" / "waits.csv").write_text(f"patient,days\n{rows}\n", encoding="utf-8")
        (folder / "images").mkdir(exist_ok=True)
        (folder / "images" / "square.png").write_bytes(_png())
        count = per_course if c < courses - 1 else modules - made
        previous: list[str] = []
        for i in range(count):
            module_id = f"{course}-module-{i + 1}"
            nb = module_notebook(
                module_id,
                f"Sample module {c + 1}.{i + 1}",
                course,
                made,
                previous[-1:],
                image=i == 0,
            )
            (folder / f"{i + 1:02d}-{module_id}.ipynb").write_text(
                json.dumps(nb, indent=1), encoding="utf-8"
            )
            result.setdefault(academy, []).append(module_id)
            previous.append(module_id)
            made += 1
    courses_of: dict[str, list[str]] = {}
    for c in range(courses):
        courses_of.setdefault(f"sample-academy-{c % academies + 1}", []).append(
            f"sample-course-{c + 1}"
        )
    for academy, module_ids in result.items():
        _dump(
            root / "specialist_academies" / f"{academy}.yml",
            {
                "id": academy,
                "title": f"Sample academy {academy[-1]}",
                "audience": "Analysts trying the publisher.",
                "summary": "A generated academy.",
                "courses": courses_of[academy],
                "frameworks": [FRAMEWORK],
                "pathways": [
                    {
                        "id": f"{academy}-pathway",
                        "title": "Sample pathway",
                        "role": "analyst",
                        "career_step": "new to role",
                        "summary": "The first modules, in order.",
                        "modules": module_ids[:3],
                    }
                ],
            },
        )
    return result
