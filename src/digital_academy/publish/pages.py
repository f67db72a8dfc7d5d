"""Book pages generated from the catalogue: academy home, pathways, coverage, module box.

Pure functions returning MyST Markdown (pages) or HTML (the module box). Links inside
a book are MyST links, so Sphinx checks them; links out of the book are relative HTML.
"""

from __future__ import annotations

import re
from html import escape

from digital_academy.catalog import Catalog, Module, Pathway
from digital_academy.catalog.model import split_ref

from .plan import (
    BookPlan,
    ModulePage,
    SitePlan,
    anchor,
    package_url,
    relative,
    stable_url,
)
from .settings import launch_url, licence_name, licence_url

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+|!$~])")
COVERAGE_DOC = "coverage"


def md(text: str) -> str:
    """Escape text for MyST Markdown (``$`` too: dollar maths is on)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def hours(minutes: int) -> str:
    return f"{minutes / 60:.1f} hours" if minutes >= 60 else f"{minutes} minutes"


def _doc_link(book: BookPlan, from_doc: str, plan: SitePlan, module_id: str) -> str:
    """A Markdown link to a module: a checked doc link in this book, else a relative URL."""
    module = plan.catalog.modules[module_id]
    page = book.page(module_id)
    if page is not None:
        return f"[{md(module.title)}]({relative(from_doc, page.docname)}.ipynb)"
    href = relative(f"{book.id}/{from_doc}.html", plan.module_url(module_id))
    return f'<a href="{escape(href)}">{escape(module.title)}</a>'


def _facts(module: Module) -> str:
    return f"{module.minutes} min · {module.level.value} · {module.assessment.value}"


def academy_index(plan: SitePlan, book: BookPlan) -> str:
    a = book.academy
    cat = plan.catalog
    lines = [f"# {md(a.title)}", "", md(a.summary), "", f"**Who it is for:** {md(a.audience)}", ""]
    total = sum(p.module.minutes for p in book.pages)
    lines += [
        f"This academy has {len(book.pages)} modules in {len(book.courses)} courses: "
        f"{hours(total)} of notional learning time.",
        "",
    ]
    if a.pathways:
        lines += ["## Pathways", ""]
        for p in a.pathways:
            role = cat.roles[p.role].title if p.role in cat.roles else p.role
            minutes = sum(cat.modules[m].minutes for m in p.modules if m in cat.modules)
            lines.append(
                f"- [{md(p.title)}](pathways/{p.id}.md): for {md(role)} ({md(p.career_step)}); "
                f"{len(p.modules)} modules, {hours(minutes)}"
            )
        lines.append("")
    lines += ["## Courses", ""]
    for course_id, pages in book.courses:
        course = cat.courses[course_id]
        lines += [f"### {md(course.title)}", "", md(course.summary), ""]
        lines += [
            f"- {_doc_link(book, 'index', plan, p.module.id)}: {_facts(p.module)}" for p in pages
        ]
        if not pages:
            lines.append("- No modules yet.")
        lines.append("")
    catalogue = relative(f"{book.id}/index.html", "index.html")
    lines += [
        "## Competencies",
        "",
        f"The [competency coverage matrix]({COVERAGE_DOC}.md) shows which modules evidence "
        "each competency of this academy's frameworks, and where the gaps are.",
        "",
        "## For universities and partners",
        "",
        "Every module has a stable address, an embeddable version without navigation, and a "
        "downloadable package with its notebook and data. "
        f'The <a href="{escape(catalogue)}">full catalogue</a> lists every academy; '
        f'<a href="{escape(relative(f"{book.id}/index.html", "catalogue.json"))}">'
        "catalogue.json</a> is the same for machines, with notional hours and competency "
        "mappings.",
        "",
    ]
    return "\n".join(lines)


def pathway_page(plan: SitePlan, book: BookPlan, pathway: Pathway) -> str:
    cat = plan.catalog
    doc = f"pathways/{pathway.id}"
    role = cat.roles[pathway.role].title if pathway.role in cat.roles else pathway.role
    required = [cat.modules[m] for m in pathway.modules if m in cat.modules]
    lines = [
        f"# {md(pathway.title)}",
        "",
        md(pathway.summary),
        "",
        f"- **Role:** {md(role)}",
        f"- **Career step:** {md(pathway.career_step)}",
        f"- **Notional time:** {hours(sum(m.minutes for m in required))} "
        f"({len(required)} required modules)",
        "",
        "## Required modules" + (", in order" if pathway.ordered else ""),
        "",
    ]
    marker = "1." if pathway.ordered else "-"
    for m in required:
        pre = ", ".join(cat.modules[p].title for p in m.prerequisites if p in cat.modules)
        extra = f"; first take: {md(pre)}" if pre else ""
        lines.append(f"{marker} {_doc_link(book, doc, plan, m.id)}: {_facts(m)}{extra}")
    if pathway.electives:
        lines += ["", "## Electives", ""]
        lines += [
            f"- {_doc_link(book, doc, plan, e)}: {_facts(cat.modules[e])}"
            for e in pathway.electives
            if e in cat.modules
        ]
    lines.append("")
    return "\n".join(lines)


def coverage_rows(plan: SitePlan, book: BookPlan) -> list[tuple[str, str, list[str], bool]]:
    """(framework, code, evidencing module ids, accredited) for every framework competency."""
    cat = plan.catalog
    module_ids = [p.module.id for p in book.pages]
    rows = []
    for framework_id in book.academy.frameworks:
        framework = cat.frameworks.get(framework_id)
        if framework is None:
            continue
        for code in framework.codes():
            ref = f"{framework_id}:{code}"
            evidence = [m for m in module_ids if ref in cat.modules[m].competencies]
            accredited = any(
                ref in a.competencies and a.module in module_ids for a in cat.assessments.values()
            )
            rows.append((framework_id, code, evidence, accredited))
    return rows


def coverage_page(plan: SitePlan, book: BookPlan) -> str:
    cat = plan.catalog
    rows = coverage_rows(plan, book)
    gaps = [r for r in rows if not r[2]]
    lines = [
        "# Competency coverage",
        "",
        f"Which modules in {md(book.academy.title)} evidence each competency of its frameworks. "
        f"{len(rows) - len(gaps)} of {len(rows)} competencies are covered; "
        f"**{len(gaps)} {'gap' if len(gaps) == 1 else 'gaps'}** "
        "(competencies no module evidences yet) are marked.",
        "",
    ]
    from_page = f"{book.id}/{COVERAGE_DOC}.html"
    for framework_id in book.academy.frameworks:
        framework = cat.frameworks.get(framework_id)
        if framework is None:
            continue
        lines += [
            f"## {md(framework.name)}",
            "",
            f"{md(framework.source)}, version {md(framework.version)}.",
            "",
        ]
        body = []
        for fw, code, evidence, accredited in rows:
            if fw != framework_id:
                continue
            ref = f"{fw}:{code}"
            statement = cat.competency_statement(ref) or ""
            links = "".join(
                f'<li><a href="{escape(relative(from_page, plan.module_url(m, book.id)))}">'
                f"{escape(cat.modules[m].title)}</a></li>"
                for m in evidence
            )
            cell = f"<ul>{links}</ul>" if evidence else '<strong class="academy-gap">Gap</strong>'
            body.append(
                f'<tr id="{anchor(ref)}"{" class=academy-gap-row" if not evidence else ""}>'
                f'<th scope="row"><code>{escape(code)}</code> {escape(statement)}</th>'
                f"<td>{cell}</td><td>{'Yes' if accredited else 'No'}</td></tr>"
            )
        lines += [
            f'<table class="academy-coverage"><caption>{escape(framework.name)}: '
            "competencies and the modules that evidence them</caption>"
            '<thead><tr><th scope="col">Competency</th><th scope="col">Evidenced by</th>'
            '<th scope="col">Accredited assessment</th></tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>",
            "",
        ]
    return "\n".join(lines)


def _coverage_href(plan: SitePlan, book: BookPlan, from_page: str, ref: str) -> str | None:
    framework, _ = split_ref(ref)
    for candidate in (book, *plan.books):
        if framework in candidate.academy.frameworks:
            target = f"{candidate.id}/{COVERAGE_DOC}.html#{anchor(ref)}"
            return relative(from_page, target)
    return None


def _module_links(plan: SitePlan, book: BookPlan, from_page: str, ids: tuple[str, ...]) -> str:
    if not ids:
        return "None"
    cat = plan.catalog
    return ", ".join(
        f'<a href="{escape(relative(from_page, plan.module_url(m, book.id)))}">'
        f"{escape(cat.modules[m].title)}</a>"
        for m in ids
        if m in cat.modules
    )


def _competency_items(plan: SitePlan, book: BookPlan, from_page: str, refs: tuple[str, ...]) -> str:
    items = []
    for ref in refs:
        statement = plan.catalog.competency_statement(ref) or ""
        href = _coverage_href(plan, book, from_page, ref)
        label = f"<code>{escape(ref)}</code> {escape(statement)}"
        items.append(
            f'<li><a href="{escape(href)}">{label}</a></li>' if href else f"<li>{label}</li>"
        )
    return f"<ul>{''.join(items)}</ul>"


def module_box(plan: SitePlan, book: BookPlan, page: ModulePage) -> str:
    """The facts box that opens every module page, made from the module's metadata."""
    m = page.module
    cat: Catalog = plan.catalog
    here = f"{book.id}/{page.docname}.html"
    outcomes = "".join(f"<li>{escape(o.text)}</li>" for o in m.outcomes)
    audiences = ", ".join(escape(cat.roles[r].title) for r in m.audiences if r in cat.roles)
    launch = launch_url(plan.settings, m.id, page.repo_path)
    actions = [
        f'<li><a class="academy-launch" href="{escape(launch)}">Open in the academy hub</a>'
        " (your own copy; your edits are never overwritten)</li>",
        f'<li><a class="academy-download" href="{escape(relative(here, package_url(m.id)))}" '
        f"download>Download the notebook and data (zip)</a></li>",
        f'<li><a class="academy-embed" href="{escape(m.id)}.html?embed=1">Embeddable '
        "version</a> (no navigation, for an iframe)</li>",
        f'<li><a class="academy-stable" href="{escape(relative(here, stable_url(m.id)))}">'
        "Permanent link</a></li>",
    ]
    facts = [
        ("Time", f"{m.minutes} minutes"),
        ("Level", escape(m.level.value.capitalize())),
        ("Assessment", escape(m.assessment.value)),
        ("Prerequisites", _module_links(plan, book, here, m.prerequisites)),
        ("Competencies", _competency_items(plan, book, here, m.competencies)),
        ("Written for", audiences),
        ("Version", escape(m.version)),
        (
            "Last reviewed",
            f"{m.last_reviewed.isoformat()} (next review due {m.review_due().isoformat()})",
        ),
        ("Authors", escape(", ".join(m.authors))),
        (
            "Licence",
            f'<a href="{escape(licence_url(m.licence))}" rel="license">'
            f"{escape(licence_name(m.licence))}</a>",
        ),
    ]
    dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)
    return (
        f'<section class="academy-module-box" aria-labelledby="about-{m.id}" '
        f'data-module="{escape(m.id)}">'
        f'<h2 id="about-{m.id}" class="academy-box-title">About this module</h2>'
        f"<p>{escape(m.summary)}</p>"
        f'<p class="academy-outcomes-title"><strong>By the end you will be able to:</strong></p>'
        f'<ul class="academy-outcomes">{outcomes}</ul>'
        f'<dl class="academy-facts">{dl}</dl>'
        f'<ul class="academy-actions">{"".join(actions)}</ul>'
        "</section>"
    )


def footer_html(plan: SitePlan) -> str:
    """Licence and attribution, shown on every book page (also in embed mode)."""
    s = plan.settings
    return (
        '<p class="academy-licence">'
        f"{escape(s.site_title)}. Content is licensed under "
        f'<a href="{escape(licence_url(s.site_licence))}" rel="license">'
        f"{escape(licence_name(s.site_licence))}</a> unless a module says otherwise (see its "
        "box for authors and licence); code is licensed under "
        f'<a href="{escape(licence_url(s.code_licence))}">{escape(licence_name(s.code_licence))}'
        "</a>. Examples use synthetic data only.</p>"
    )
