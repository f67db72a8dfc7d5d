"""The pack as a PDF, drawn offline with matplotlib's PDF back end.

matplotlib is already a dependency of the journeys extra and writes PDF with no
network and no system libraries, so no PDF-specific package is needed. Pages are A4
portrait; tables wrap their cells and flow onto new pages with the header repeated.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .coverage import Pack
from .render import TABLES, rows

A4 = (8.27, 11.69)
MARGIN = 0.06
FONT = 6.5
LINE = 0.0105  # height of one text line, as a fraction of the page
#: Columns of each table to print (the CSV files keep them all) and their widths in chars.
COLUMNS: dict[str, dict[str, int]] = {
    "coverage": {
        "competency": 13,
        "statement": 25,
        "outcome": 30,
        "module": 20,
        "assessment": 19,
        "evidence": 32,
    },
    "modules": {
        "module": 24,
        "title": 34,
        "minutes": 7,
        "hours": 6,
        "credits": 7,
        "assessment": 11,
        "last_reviewed": 11,
        "review_due": 11,
        "review_status": 9,
    },
    "pathways": {
        "pathway": 24,
        "title": 30,
        "role": 18,
        "career_step": 24,
        "minutes": 7,
        "hours": 6,
        "credits": 7,
    },
    "assessments": {
        "assessment": 22,
        "module": 22,
        "competencies": 28,
        "methods": 40,
        "pass_mark": 8,
    },
    "gaps": {"competency": 16, "statement": 50, "kind": 13, "detail": 50},
}


class _Writer:
    def __init__(self, pdf: PdfPages, title: str) -> None:
        self.pdf = pdf
        self.title = title
        self.page = 0
        self.fig: Figure | None = None
        self.y = 0.0

    def new_page(self) -> None:
        self.flush()
        self.page += 1
        self.fig = Figure(figsize=A4)
        self.fig.text(MARGIN, 0.025, f"{self.title} - page {self.page}", fontsize=FONT, color="0.4")
        self.y = 1 - MARGIN

    def flush(self) -> None:
        if self.fig is not None:
            self.pdf.savefig(self.fig)  # type: ignore[no-untyped-call]  # untyped in matplotlib
            self.fig = None

    def text(
        self, value: str, size: float = FONT, weight: str = "normal", gap: float = 1.0
    ) -> None:
        lines = textwrap.wrap(value, width=int(150 * FONT / size)) or [""]
        need = LINE * size / FONT * len(lines) * gap
        if self.fig is None or self.y - need < MARGIN + 0.02:
            self.new_page()
        assert self.fig is not None
        self.fig.text(MARGIN, self.y, "\n".join(lines), fontsize=size, weight=weight, va="top")
        self.y -= need + LINE * 0.5

    def table(
        self, header: Sequence[str], body: Sequence[Sequence[Any]], widths: Sequence[int]
    ) -> None:
        scale = (1 - 2 * MARGIN) / sum(widths)
        xs = [MARGIN + scale * sum(widths[:i]) for i in range(len(widths))]

        def draw(cells: Sequence[str], bold: bool) -> None:
            wrapped = [textwrap.wrap(c, w) or [""] for c, w in zip(cells, widths, strict=True)]
            height = LINE * max(len(w) for w in wrapped) + LINE * 0.4
            if self.fig is None or self.y - height < MARGIN + 0.02:
                self.new_page()
                if not bold:
                    draw(header, True)
            assert self.fig is not None
            for x, lines in zip(xs, wrapped, strict=True):
                self.fig.text(
                    x,
                    self.y,
                    "\n".join(lines),
                    fontsize=FONT,
                    va="top",
                    weight="bold" if bold else "normal",
                    linespacing=1.15,
                )
            self.y -= height
            self.fig.add_artist(_rule(self.y + LINE * 0.2))

        draw([h.replace("_", " ") for h in header], True)
        for row in body:
            draw([str(c) for c in row], False)
        self.y -= LINE


def _rule(y: float) -> Line2D:
    return Line2D([MARGIN, 1 - MARGIN], [y, y], linewidth=0.3, color="0.7")


def write_pdf(pack: Pack, path: Path) -> None:
    a = pack.academy
    with PdfPages(
        path, metadata={"Title": f"Accreditation pack: {a.title}", "CreationDate": None}
    ) as pdf:
        w = _Writer(pdf, f"Accreditation pack: {a.title}")
        w.text(f"Accreditation pack: {a.title}", size=14, weight="bold", gap=1.3)
        w.text(a.summary)
        w.text(f"Audience: {a.audience}")
        w.text(
            f"Generated {pack.generated}. Notional learning hours {pack.hours:.1f} "
            f"({pack.minutes} min) in {len(pack.modules)} modules; UK credits "
            f"{pack.credits:.2f} (10 notional hours = 1 credit). "
            f"Gaps: {len(pack.gaps)}. Next module review due: {pack.next_review or 'none'}."
        )
        for fid, name, source in pack.frameworks:
            w.text(f"Framework {fid}: {name} - {source}")
        for title, attribute in TABLES.values():
            w.text(title, size=10, weight="bold", gap=1.4)
            header, body = rows(pack, attribute)
            keep = COLUMNS[attribute]
            index = [header.index(c) for c in keep]
            w.table(list(keep), [[r[i] for i in index] for r in body], list(keep.values()))
        w.flush()
