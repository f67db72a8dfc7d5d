"""The pack as CSV tables and one HTML page: pure functions from :class:`Pack` to text."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Sequence
from typing import Any

import jinja2

from .coverage import AssessmentInfo, CoverageRow, Gap, ModuleHours, Pack, PathwayHours

#: CSV file name -> (title, attribute of Pack). Order is the order of the HTML page.
TABLES: dict[str, tuple[str, str]] = {
    "coverage.csv": ("Competency coverage: outcome, module, assessment, evidence", "coverage"),
    "modules.csv": ("Modules: notional hours, credits and review dates", "modules"),
    "pathways.csv": ("Pathways: hours and credits", "pathways"),
    "assessments.csv": ("Assessment methods", "assessments"),
    "gaps.csv": ("Gaps", "gaps"),
}
_KINDS: dict[str, type] = {
    "coverage": CoverageRow,
    "modules": ModuleHours,
    "pathways": PathwayHours,
    "assessments": AssessmentInfo,
    "gaps": Gap,
}
_DERIVED = {"modules": ("hours", "credits"), "pathways": ("hours", "credits")}


def rows(pack: Pack, attribute: str) -> tuple[list[str], list[list[Any]]]:
    items: Sequence[Any] = getattr(pack, attribute)
    header = [f.name for f in dataclasses.fields(_KINDS[attribute])]
    extra = list(_DERIVED.get(attribute, ()))
    body = [
        [getattr(item, h) for h in header] + [round(getattr(item, e), 2) for e in extra]
        for item in items
    ]
    return header + extra, body


def to_csv(pack: Pack, attribute: str) -> str:
    header, body = rows(pack, attribute)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(body)
    return out.getvalue()


TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Accreditation pack: {{ a.title }}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:80rem;margin:auto;padding:1rem;color:#212b32}
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}
th,td{border:1px solid #aeb7bd;padding:.3rem .5rem;vertical-align:top}
th{background:#e8edee;text-align:left}.gap{color:#8a1538;font-weight:600}
dt{font-weight:600}
</style></head><body>
<h1>Accreditation pack: {{ a.title }}</h1>
<p>{{ a.summary }}</p>
<dl>
<dt>Audience</dt><dd>{{ a.audience }}</dd>
<dt>Generated</dt><dd>{{ pack.generated }}</dd>
<dt>Notional learning hours</dt><dd>{{ '%.1f'|format(pack.hours) }} h ({{ pack.minutes }} min)
 in {{ pack.modules|length }} modules</dd>
<dt>UK credits (10 notional hours = 1 credit)</dt><dd>{{ '%.2f'|format(pack.credits) }}</dd>
<dt>Competencies evidenced</dt><dd>{{ covered }} of {{ total }}: {{ covered - unassessed }}
 by graded assessment, {{ unassessed }} by self-checks only;
 {{ total - covered }} not evidenced</dd>
<dt>Next module review due</dt><dd>{{ pack.next_review or 'none' }}</dd>
</dl>
<h2>Frameworks</h2>
<ul>{% for fid, name, source in pack.frameworks %}<li><strong>{{ name }}</strong> ({{ fid }}):
 {{ source }}</li>{% endfor %}</ul>
{% for title, header, body in tables %}
<h2>{{ title }}</h2>
{% if body %}<table><tr>{% for h in header %}<th scope="col">{{ h|replace('_', ' ') }}</th>
{% endfor %}</tr>
{% for row in body %}<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</table>{% else %}<p>None.</p>{% endif %}
{% endfor %}
</body></html>
"""


def to_html(pack: Pack) -> str:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    tables = [(title, *rows(pack, attribute)) for title, attribute in TABLES.values()]
    covered = len({r.competency for r in pack.coverage})
    total = covered + sum(1 for g in pack.gaps if g.kind == "not evidenced")
    unassessed = sum(1 for g in pack.gaps if g.kind == "not assessed")
    return env.from_string(TEMPLATE).render(
        a=pack.academy,
        pack=pack,
        tables=tables,
        covered=covered,
        total=total,
        unassessed=unassessed,
    )
