"""The catalogue site at the root of the published site: pure builders of HTML and JSON."""

from __future__ import annotations

import json
from collections.abc import Collection
from html import escape
from typing import Any

from digital_academy.catalog import Module
from digital_academy.catalog.model import split_ref

from .pages import COVERAGE_DOC, hours
from .plan import (
    CATALOGUE_JSON,
    CATALOGUE_SCHEMA_VERSION,
    SitePlan,
    package_url,
    relative,
    stable_url,
)
from .settings import launch_url, licence_name, licence_url


def _hours(minutes: int) -> float:
    return round(minutes / 60, 2)


def module_record(plan: SitePlan, module: Module) -> dict[str, Any]:
    cat = plan.catalog
    _, page = plan.home_of(module.id)
    url = plan.module_url(module.id)
    return {
        **module.model_dump(mode="json", exclude={"competencies"}),
        "notional_hours": _hours(module.minutes),
        "competencies": [
            {
                "ref": ref,
                "framework": split_ref(ref)[0],
                "code": split_ref(ref)[1],
                "statement": cat.competency_statement(ref),
            }
            for ref in module.competencies
        ],
        "review_due": module.review_due().isoformat(),
        "course": page.course,
        "academies": [a.id for a in cat.academies_of_module(module.id)],
        "accredited_assessments": [a.id for a in cat.module_assessments(module.id)],
        "licence_url": licence_url(module.licence),
        "url": url,
        "stable_url": stable_url(module.id),
        "embed_url": f"{url}?embed=1",
        "package_url": package_url(module.id),
        "launch_url": launch_url(plan.settings, module.id, page.repo_path),
    }


def catalogue_json(plan: SitePlan) -> dict[str, Any]:
    """The machine-readable catalogue. URLs are relative to catalogue.json itself."""
    cat = plan.catalog
    academies = []
    for book in plan.books:
        a = book.academy
        academies.append(
            {
                "id": a.id,
                "title": a.title,
                "summary": a.summary,
                "audience": a.audience,
                "url": f"{a.id}/index.html",
                "coverage_url": f"{a.id}/{COVERAGE_DOC}.html",
                "frameworks": list(a.frameworks),
                "courses": list(a.courses),
                "modules": [p.module.id for p in book.pages],
                "notional_hours": _hours(sum(p.module.minutes for p in book.pages)),
                "pathways": [
                    {
                        **p.model_dump(mode="json"),
                        "url": f"{a.id}/pathways/{p.id}.html",
                        "notional_hours": _hours(
                            sum(cat.modules[m].minutes for m in p.modules if m in cat.modules)
                        ),
                    }
                    for p in a.pathways
                ],
            }
        )
    published = {p.module.id for b in plan.books for p in b.pages}
    return {
        "schema_version": CATALOGUE_SCHEMA_VERSION,
        "title": plan.settings.site_title,
        "licence": {"content": plan.settings.site_licence, "code": plan.settings.code_licence},
        "academies": academies,
        "modules": [module_record(plan, m) for m in cat.modules.values() if m.id in published],
        "frameworks": [
            {
                "id": f.id,
                "name": f.name,
                "source": f.source,
                "version": f.version,
                "url": f.url,
                "competencies": [
                    {
                        "ref": f"{f.id}:{c.code}",
                        "code": c.code,
                        "domain": d.name,
                        "statement": c.statement,
                    }
                    for d in f.domains
                    for c in d.competencies
                ],
            }
            for f in cat.frameworks.values()
        ],
        "roles": [r.model_dump(mode="json") for r in cat.roles.values()],
    }


def _page(title: str, body: str, *, depth: int = 0, head: str = "") -> str:
    up = "../" * depth
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        f'<link rel="stylesheet" href="{up}assets/catalogue.css">\n{head}</head>\n'
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def _footer(plan: SitePlan) -> str:
    s = plan.settings
    return (
        '<footer class="site-footer"><p>'
        f"{escape(s.site_title)}. Content is licensed under "
        f'<a rel="license" href="{escape(licence_url(s.site_licence))}">'
        f"{escape(licence_name(s.site_licence))}</a> unless a module says otherwise; code "
        f'under <a href="{escape(licence_url(s.code_licence))}">'
        f"{escape(licence_name(s.code_licence))}</a>. Examples use synthetic data only."
        "</p></footer>"
    )


def _options(pairs: list[tuple[str, str]]) -> str:
    return "".join(f'<option value="{escape(v)}">{escape(label)}</option>' for v, label in pairs)


def index_html(plan: SitePlan, available: Collection[str]) -> str:
    """The catalogue page: academies, then every module with search and filters.

    Everything is in the HTML, so it reads without JavaScript; the script only filters.
    """
    cat = plan.catalog
    modules = [m for m in cat.modules.values() if any(b.page(m.id) for b in plan.books)]
    total = sum(m.minutes for m in modules)
    academy_items = []
    for book in plan.books:
        a = book.academy
        minutes = sum(p.module.minutes for p in book.pages)
        title = (
            f'<a href="{escape(a.id)}/index.html">{escape(a.title)}</a>'
            if a.id in available
            else f"{escape(a.title)} (not published yet)"
        )
        pathways = ", ".join(
            f'<a href="{escape(a.id)}/pathways/{escape(p.id)}.html">{escape(p.title)}</a>'
            if a.id in available
            else escape(p.title)
            for p in a.pathways
        )
        academy_items.append(
            f'<li class="academy"><h3>{title}</h3><p>{escape(a.summary)}</p>'
            f"<p><strong>For:</strong> {escape(a.audience)}</p>"
            f"<p>{len(book.pages)} modules, {hours(minutes)}."
            + (f" Pathways: {pathways}." if pathways else "")
            + "</p></li>"
        )
    used = sorted({ref for m in modules for ref in m.competencies})
    roles = sorted({r for m in modules for r in m.audiences})
    comp_groups = []
    for framework in cat.frameworks.values():
        refs = [r for r in used if split_ref(r)[0] == framework.id]
        if refs:
            opts = _options(
                [(r, f"{split_ref(r)[1]}: {cat.competency_statement(r) or ''}") for r in refs]
            )
            comp_groups.append(f'<optgroup label="{escape(framework.name)}">{opts}</optgroup>')
    cards = []
    for m in modules:
        url = plan.module_url(m.id)
        search = " ".join(
            [m.id, m.title, m.summary, *(o.text for o in m.outcomes), *m.competencies]
        ).lower()
        comps = "".join(
            f"<li><code>{escape(r)}</code> {escape(cat.competency_statement(r) or '')}</li>"
            for r in m.competencies
        )
        role_titles = ", ".join(escape(cat.roles[r].title) for r in m.audiences if r in cat.roles)
        cards.append(
            f'<li class="module" data-roles="{escape(" ".join(m.audiences))}" '
            f'data-competencies="{escape(" ".join(m.competencies))}" '
            f'data-level="{m.level.value}" data-search="{escape(search)}">'
            f'<h3><a href="{escape(url)}">{escape(m.title)}</a></h3>'
            f"<p>{escape(m.summary)}</p>"
            f'<p class="facts">{m.minutes} minutes · {m.level.value} · {m.assessment.value}'
            f" · for {role_titles}</p>"
            f"<details><summary>Competencies</summary><ul>{comps}</ul></details></li>"
        )
    role_opts = _options([(r, cat.roles[r].title) for r in roles if r in cat.roles])
    body = f"""<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header"><p class="site-name">{escape(plan.settings.site_title)}</p></header>
<main id="main">
<h1>Course catalogue</h1>
<p>{len(modules)} bitesize modules in {len(plan.books)} specialist academies: {hours(total)}
of notional learning time. Every example uses synthetic data.</p>
<section aria-labelledby="academies-heading">
<h2 id="academies-heading">Specialist academies</h2>
<ul class="academies">{"".join(academy_items)}</ul>
</section>
<section aria-labelledby="modules-heading">
<h2 id="modules-heading">Find a module</h2>
<form id="filters" class="filters" role="search" aria-label="Filter modules" hidden>
<div><label for="q">Search</label><input id="q" name="q" type="search" autocomplete="off"></div>
<div><label for="role">Role</label><select id="role" name="role">
<option value="">Any role</option>{role_opts}</select></div>
<div><label for="competency">Competency</label><select id="competency" name="competency">
<option value="">Any competency</option>{"".join(comp_groups)}</select></div>
<div><label for="level">Level</label><select id="level" name="level">
<option value="">Any level</option>{
        _options([(v, v) for v in ("foundation", "intermediate", "advanced")])
    }</select></div>
</form>
<p id="count" role="status">{len(modules)} modules</p>
<ul id="modules" class="modules">{"".join(cards)}</ul>
</section>
<section aria-labelledby="machines-heading">
<h2 id="machines-heading">For universities and machines</h2>
<p><a href="{CATALOGUE_JSON}">catalogue.json</a> lists every academy, pathway and module
with notional hours, competency mappings and stable, embeddable and download addresses.</p>
</section>
</main>
{_footer(plan)}"""
    return _page(
        f"{plan.settings.site_title}: course catalogue",
        body,
        head='<script src="assets/catalogue.js" defer></script>\n',
    )


def redirect_html(plan: SitePlan, module_id: str) -> str:
    """The stable address of a module: forwards to its book page, keeping ?embed=1."""
    here = stable_url(module_id)
    target = relative(here, plan.module_url(module_id))
    title = plan.catalog.modules[module_id].title
    head = (
        f'<link rel="canonical" href="{escape(target)}">\n'
        f"<script>window.location.replace({json.dumps(target)} + window.location.search + "
        "window.location.hash);</script>\n"
        f'<meta http-equiv="refresh" content="0; url={escape(target)}">\n'
    )
    body = (
        f'<main id="main"><h1>{escape(title)}</h1>'
        f'<p>This module is at <a href="{escape(target)}">{escape(target)}</a>.</p></main>'
        f"{_footer(plan)}"
    )
    return _page(title, body, depth=1, head=head)
