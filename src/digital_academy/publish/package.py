"""Downloadable module packages: notebook, data, licence and a README, as one zip.

Deterministic: the same inputs give byte-identical archives, so an unchanged module's
package never looks changed.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping
from pathlib import Path

from .pages import hours
from .plan import ModulePage, SitePlan, stable_url
from .settings import launch_url, licence_name, licence_url

_EPOCH = (1980, 1, 1, 0, 0, 0)
#: The self-check helper, shipped so that a package's notebook runs in any Jupyter.
SELFCHECK = Path(__file__).resolve().parents[1] / "selfcheck"


def readme(plan: SitePlan, page: ModulePage, notebook_name: str) -> str:
    m = page.module
    cat = plan.catalog
    outcomes = "\n".join(f"- {o.text}" for o in m.outcomes)
    competencies = "\n".join(
        f"- {ref}: {cat.competency_statement(ref) or ''}" for ref in m.competencies
    )
    launch = launch_url(plan.settings, m.id, page.repo_path)
    lines = [
        f"# {m.title}",
        "",
        m.summary,
        "",
        f"- Notional time: {hours(m.minutes)}; level: {m.level.value}; "
        f"assessment: {m.assessment.value}",
        f"- Version {m.version}, last reviewed {m.last_reviewed.isoformat()}",
        f"- Module id: `{m.id}` (permanent); page: {stable_url(m.id)} on the academy site",
        "",
        "## Outcomes",
        "",
        outcomes,
        "",
        "## Competencies",
        "",
        competencies,
        "",
        "## Using it",
        "",
        f"Open `{notebook_name}` in Jupyter from this folder: it reads its data from `data/` "
        "beside it. Self-checks need `ipywidgets` 8 and `pydantic` 2; the `digital_academy/` "
        "folder holds the small self-check helper the notebook imports. All data are "
        "synthetic.",
        "",
    ]
    lines += [
        f"Or open it in the academy hub: {launch}",
        "",
        "## Licence and attribution",
        "",
        f"{m.title}, by {', '.join(m.authors)}, {plan.settings.site_title}. "
        f"Licensed under {licence_name(m.licence)} ({licence_url(m.licence)}). "
        f"The self-check helper code is licensed under "
        f"{licence_name(plan.settings.code_licence)}.",
        "",
    ]
    return "\n".join(lines)


def module_json(plan: SitePlan, page: ModulePage) -> str:
    data = {
        **page.module.model_dump(mode="json"),
        "course": page.course,
        "review_due": page.module.review_due().isoformat(),
        "notional_hours": round(page.module.minutes / 60, 2),
        "stable_url": stable_url(page.module.id),
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def module_package(plan: SitePlan, page: ModulePage, files: Mapping[str, bytes]) -> bytes:
    """The zip: ``files`` (archive path -> bytes: the notebook and its data) plus README,
    module.json and the self-check helper, all under one ``<module-id>/`` folder."""
    m = page.module
    notebook_name = page.source.name
    entries = dict(files)
    entries["README.md"] = readme(plan, page, notebook_name).encode("utf-8")
    entries["module.json"] = module_json(plan, page).encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(f"{m.id}/{name}", date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, entries[name])
    return buffer.getvalue()
