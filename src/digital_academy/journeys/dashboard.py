"""A tutor's cohort dashboard: one self-contained HTML page with three plots.

Completion per module, time spent per learner and attainment by competency. Plots
are PNGs embedded in the page with alt text, each followed by the same numbers as a
table, so the page works offline and with a screen reader.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from typing import Any

import jinja2
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from digital_academy.catalog import Catalog

from .summary import Cohort

TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cohort dashboard{{ ' - ' + run if run }}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:70rem;margin:auto;padding:1rem;color:#212b32}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #aeb7bd;padding:.3rem .6rem}
th{background:#e8edee;text-align:left}img{max-width:100%}figcaption{font-weight:600}
</style></head><body>
<h1>Cohort dashboard{{ ' - course run ' + run if run }}</h1>
<p>{{ learners|length }} learner(s); generated {{ generated }}.</p>
{% for fig in figures %}
<figure><figcaption>{{ fig.title }}</figcaption>
<img src="data:image/png;base64,{{ fig.png }}" alt="{{ fig.alt }}"></figure>
<table><caption>{{ fig.title }} (data)</caption>
<tr>{% for h in fig.header %}<th scope="col">{{ h }}</th>{% endfor %}</tr>
{% for row in fig.rows %}<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</table>
{% endfor %}
</body></html>
"""


def _png(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _barh(
    labels: list[str],
    series: list[tuple[str, list[float]]],
    xlabel: str,
    xmax: float | None = None,
    whole: bool = False,
) -> Figure:
    fig = Figure(figsize=(8, max(2.0, 0.4 * len(labels) + 1)))
    ax = fig.add_subplot()
    left = [0.0] * len(labels)
    for (name, values), colour in zip(series, ("#005eb8", "#41b6e6"), strict=False):
        ax.barh(labels, values, left=left, label=name, color=colour)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    if xmax is not None:  # the whole cohort, or 100 %: a bar's length reads as a share
        ax.set_xlim(0, xmax)
    if whole:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if len(series) > 1:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.5 / len(labels)), ncol=2)
    return fig


def figures(catalog: Catalog, cohort: Cohort) -> list[dict[str, Any]]:
    """The plots and their data, in page order."""
    modules = [
        m for m in catalog.modules.values() if any(m.id in s.modules for s in cohort.summaries)
    ]
    labels = [m.id for m in modules]
    counts = [cohort.completion(m) for m in labels]
    passed = [float(p) for _, p in counts]
    completed_only = [float(d - p) for d, p in counts]
    out = [
        {
            "title": "Completion by module",
            "alt": "Bar chart of how many learners completed or passed each module: "
            + "; ".join(
                f"{m} {d} done, {p} passed" for m, (d, p) in zip(labels, counts, strict=True)
            ),
            "png": _png(
                _barh(
                    labels,
                    [("passed", passed), ("completed", completed_only)],
                    "learners",
                    xmax=max(1, len(cohort.learners)),
                    whole=True,
                )
            ),
            "header": ["module", "done", "passed", "of learners"],
            "rows": [
                [m, d, p, len(cohort.learners)] for m, (d, p) in zip(labels, counts, strict=True)
            ],
        }
    ]
    hours = [round(s.minutes / 60, 2) for s in cohort.summaries]
    out.append(
        {
            "title": "Time spent per learner (hours)",
            "alt": "Bar chart of hours spent by each learner: "
            + "; ".join(f"{n} {h} h" for n, h in zip(cohort.learners, hours, strict=True)),
            "png": _png(_barh(list(cohort.learners), [("hours", hours)], "hours")),
            "header": ["learner", "hours", "modules done"],
            "rows": [
                [s.learner, h, sum(1 for st in s.modules.values() if st.done)]
                for s, h in zip(cohort.summaries, hours, strict=True)
            ],
        }
    )
    refs = sorted({r for m in modules for r in m.competencies})
    shares = [cohort.attainment(r) for r in refs]
    out.append(
        {
            "title": "Attainment by competency (% of learners)",
            "alt": "Bar chart of the share of learners with each competency assessed or "
            "self-checked: "
            + "; ".join(
                f"{r} {a:.0%} assessed, {s:.0%} self-checked"
                for r, (a, s) in zip(refs, shares, strict=True)
            ),
            "png": _png(
                _barh(
                    refs,
                    [
                        ("assessed", [100 * a for a, _ in shares]),
                        ("self-checked only", [100 * s for _, s in shares]),
                    ],
                    "% of learners",
                    xmax=100,
                )
            ),
            "header": ["competency", "statement", "assessed", "self-checked only"],
            "rows": [
                [r, catalog.competency_statement(r) or "", f"{a:.0%}", f"{s:.0%}"]
                for r, (a, s) in zip(refs, shares, strict=True)
            ],
        }
    )
    return out


def dashboard_html(
    catalog: Catalog, cohort: Cohort, generated: dt.datetime, run: str | None = None
) -> str:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return env.from_string(TEMPLATE).render(
        figures=figures(catalog, cohort),
        learners=cohort.learners,
        generated=generated.strftime("%Y-%m-%d %H:%M %Z").strip(),
        run=run or "",
    )
