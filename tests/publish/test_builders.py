"""Pure builders: catalogue -> Jupyter Book config/TOC, pages, catalogue JSON and HTML."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from digital_academy.catalog import load_valid
from digital_academy.publish import pages
from digital_academy.publish.engines import get_engine
from digital_academy.publish.jb1 import book_config, book_toc, parse_warnings
from digital_academy.publish.notebook import add_noscript_fallbacks, insert_box
from digital_academy.publish.package import module_package
from digital_academy.publish.plan import SitePlan, build_plan, relative
from digital_academy.publish.settings import PublishSettings, SettingsError, launch_url
from digital_academy.publish.site import catalogue_json, index_html, redirect_html

SETTINGS = PublishSettings()


class Links(HTMLParser):
    """Every href/src, and the text of each element with an id."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"href", "src"} and value is not None:
                self.urls.append(value)
            if name == "id" and value:
                self.ids.append(value)


def links(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


@pytest.fixture
def plan(make_sample: Callable[..., Path]) -> SitePlan:
    root = make_sample(modules=4, courses=2, academies=2)
    return build_plan(load_valid(root), SETTINGS)


def test_toc_is_generated_from_the_catalogue(plan: SitePlan) -> None:
    book = plan.book("sample-academy-1")
    assert book_toc(book) == {
        "format": "jb-book",
        "root": "index",
        "parts": [
            {"caption": "Pathways", "chapters": [{"file": "pathways/sample-academy-1-pathway"}]},
            {
                "caption": "sample-course-1",
                "chapters": [
                    {"file": "sample-course-1/sample-course-1-module-1"},
                    {"file": "sample-course-1/sample-course-1-module-2"},
                ],
            },
            {"caption": "Reference", "chapters": [{"file": "coverage"}]},
        ],
    }


def test_config_is_valid_jupyter_book_config_with_no_cdn(plan: SitePlan) -> None:
    from jupyter_book.config import validate_yaml  # noqa: PLC0415

    config = book_config(plan, plan.books[0], execute=False)
    validate_yaml(config, raise_on_errors=True)
    sphinx = config["sphinx"]["config"]
    assets = [sphinx["mathjax_path"], *sphinx["nb_ipywidgets_js"]]
    assert all("://" not in a and a.startswith("../../_vendor/") for a in assets)
    cdn = sphinx["nb_ipywidgets_js"]["../../_vendor/widgets/embed-amd.js"]
    assert cdn["data-jupyter-widgets-cdn"].startswith("../../_vendor/")
    assert config["execute"] == {"execute_notebooks": "off"}
    assert "Creative Commons" in config["html"]["extra_footer"]
    stock = book_config(plan, plan.books[0], execute=True, cache="/c")
    assert stock["execute"]["execute_notebooks"] == "cache"


def test_project_files(plan: SitePlan) -> None:
    book = plan.book("sample-academy-1")
    notebook = {
        "cells": [{"cell_type": "markdown", "metadata": {}, "source": "# T\n\nIntro"}],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    project = get_engine("jupyter-book-1").project(
        plan, book, {"sample-course-1-module-1": notebook}
    )
    assert sorted(project.files) == [
        "_config.yml",
        "_toc.yml",
        "coverage.md",
        "index.md",
        "pathways/sample-academy-1-pathway.md",
        "sample-course-1/sample-course-1-module-1.ipynb",
    ]
    toc = yaml.safe_load(project.files["_toc.yml"])
    assert toc["parts"][1]["caption"] == "Sample course 1"


def test_unknown_engine_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match="unknown book engine 'jupyter-book-2'; known: "):
        get_engine("jupyter-book-2")


def test_module_box_shows_the_metadata_with_relative_links(plan: SitePlan) -> None:
    book = plan.book("sample-academy-1")
    page = book.pages[1]  # module 2: prerequisite module 1
    box = pages.module_box(plan, book, page)
    m = page.module
    for text in (
        m.outcomes[0].text,
        f"{m.minutes} minutes",
        "Foundation",
        f"{m.last_reviewed.isoformat()} (next review due {m.review_due().isoformat()})",
        "Sample author",
        "Creative Commons Attribution 4.0",
        "Sample competency",
    ):
        assert text in box
    urls = links(box).urls
    assert "sample-course-1-module-1.html" in urls  # prerequisite, same folder
    assert "../coverage.html#sample-fw-a2" in urls  # competency
    assert "../../packages/sample-course-1-module-2.zip" in urls
    assert "../../modules/sample-course-1-module-2.html" in urls
    assert "sample-course-1-module-2.html?embed=1" in urls


def test_launch_links() -> None:
    academy = urlsplit(launch_url(SETTINGS, "m-1", "courses/c/01-m-1.ipynb"))
    assert (academy.scheme, academy.netloc, academy.path, academy.query) == (
        "http",
        "127.0.0.1:8000",
        "/hub/user-redirect/academy/open",
        "module=m-1",
    )
    puller = PublishSettings(
        launch="nbgitpuller",
        content_repo="https://git.example.org/a.git",
        hub_url="https://hub.example.ac.uk/base",
    )
    parts = urlsplit(launch_url(puller, "m-1", "courses/c/01-m-1.ipynb"))
    assert (parts.netloc, parts.path) == ("hub.example.ac.uk", "/base/hub/user-redirect/git-pull")
    assert parse_qs(parts.query) == {
        "repo": ["https://git.example.org/a.git"],
        "branch": ["main"],
        "targetpath": ["academy"],
        "urlpath": ["lab/tree/academy/courses/c/01-m-1.ipynb"],
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hub_url": "hub.example"}, "not an http"),
        ({"cell_timeout": 0}, "at least 1"),
        ({"clone_dir": "../x"}, "one plain folder"),
    ],
)
def test_bad_settings_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        PublishSettings(**kwargs)  # type: ignore[arg-type]


def test_coverage_matrix_shows_gaps(plan: SitePlan) -> None:
    book = plan.book("sample-academy-1")
    rows = pages.coverage_rows(plan, book)
    by_code = {code: evidence for _, code, evidence, _ in rows}
    assert by_code["A1"] == ["sample-course-1-module-1"]
    assert by_code["C1"] == []  # the sample never covers C1
    html = pages.coverage_page(plan, book)
    assert "sample-fw-c1" in links(html).ids
    assert 'id="sample-fw-c1" class=academy-gap-row' in html
    gaps = sum(1 for e in by_code.values() if not e)
    assert f"{len(rows) - gaps} of {len(rows)} competencies are covered" in html


def test_pathway_page_lists_modules_in_order(plan: SitePlan) -> None:
    book = plan.book("sample-academy-1")
    text = pages.pathway_page(plan, book, book.academy.pathways[0])
    first = text.index("1. [Sample module 1.1](../sample-course-1/sample-course-1-module-1.ipynb)")
    second = text.index("1. [Sample module 1.2](../sample-course-1/sample-course-1-module-2.ipynb)")
    assert first < second
    assert "**Notional time:** 25 minutes (2 required modules)" in text


def test_catalogue_json_has_hours_competencies_and_relative_urls(plan: SitePlan) -> None:
    data = catalogue_json(plan)
    assert data["schema_version"] == 1
    modules = {m["id"]: m for m in data["modules"]}
    assert set(modules) == set(plan.catalog.modules)
    m = modules["sample-course-2-module-1"]
    assert m["notional_hours"] == round(m["minutes"] / 60, 2)
    assert m["competencies"][0] == {
        "ref": "sample-fw:A3",
        "framework": "sample-fw",
        "code": "A3",
        "statement": "Sample competency A3",
    }
    assert m["url"] == "sample-academy-2/sample-course-2/sample-course-2-module-1.html"
    assert m["embed_url"].endswith("?embed=1")
    assert m["package_url"] == "packages/sample-course-2-module-1.zip"
    assert m["launch_url"] == (
        "http://127.0.0.1:8000/hub/user-redirect/academy/open?module=sample-course-2-module-1"
    )
    academy = data["academies"][0]
    assert academy["notional_hours"] == round(
        sum(modules[i]["minutes"] for i in academy["modules"]) / 60, 2
    )
    assert (
        academy["pathways"][0]["url"] == "sample-academy-1/pathways/sample-academy-1-pathway.html"
    )


def test_catalogue_page_has_labelled_filters_and_only_relative_links(plan: SitePlan) -> None:
    html = index_html(plan, {"sample-academy-1", "sample-academy-2"})
    for control in ("q", "role", "competency", "level"):
        assert f'<label for="{control}">' in html and f'id="{control}"' in html
    assert '<option value="sample-fw:A1">A1: Sample competency A1</option>' in html
    assert 'data-roles="analyst nurse-ahp"' in html
    external = [u for u in links(html).urls if "://" in u or u.startswith("/")]
    assert all(
        u.startswith(("https://creativecommons.org/", "https://opensource.org/")) for u in external
    ), external
    unpublished = index_html(plan, {"sample-academy-2"})
    assert "Sample academy 1 (not published yet)" in unpublished


def test_stable_module_address_redirects_relatively(plan: SitePlan) -> None:
    html = redirect_html(plan, "sample-course-2-module-1")
    target = "../sample-academy-2/sample-course-2/sample-course-2-module-1.html"
    assert f'content="0; url={target}"' in html
    assert f'window.location.replace("{target}" + window.location.search' in html


def test_relative() -> None:
    assert relative("a/b/c.html", "a/coverage.html#x") == "../coverage.html#x"
    assert relative("index.html", "a/b.html") == "a/b.html"
    assert relative("a/b/c.html", "packages/m.zip") == "../../packages/m.zip"


def test_box_goes_under_the_title_and_fallback_follows_widgets() -> None:
    nb = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": "# Title\n\nIntro."},
            {
                "cell_type": "code",
                "metadata": {},
                "source": "x",
                "outputs": [
                    {
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {
                            "application/vnd.jupyter.widget-view+json": {"model_id": "1"},
                            "text/html": '<section class="academy-selfcheck">Q</section>',
                        },
                    }
                ],
            },
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    out = add_noscript_fallbacks(insert_box(nb, "Title", "<section>BOX</section>"))
    assert [c["source"] for c in out["cells"][:3]] == [
        "# Title",
        "<section>BOX</section>",
        "Intro.",
    ]
    outputs = out["cells"][3]["outputs"]
    assert outputs[1]["data"] == {
        "text/html": '<noscript><section class="academy-selfcheck">Q</section></noscript>'
    }
    untitled = insert_box({"cells": [nb["cells"][1]]}, "Title", "BOX")
    assert [c["source"] for c in untitled["cells"][:2]] == ["# Title", "BOX"]
    assert nb["cells"][0]["source"] == "# Title\n\nIntro."  # input untouched


def test_package_is_deterministic_with_notebook_data_and_attribution(plan: SitePlan) -> None:
    page = plan.book("sample-academy-1").pages[0]
    files = {page.source.name: page.source.read_bytes(), "data/waits.csv": b"patient,days\n"}
    first = module_package(plan, page, files)
    assert first == module_package(plan, page, files)
    archive = zipfile.ZipFile(io.BytesIO(first))
    names = archive.namelist()
    assert names == sorted(
        f"sample-course-1-module-1/{n}" for n in [*files, "README.md", "module.json"]
    )
    readme = archive.read("sample-course-1-module-1/README.md").decode()
    assert "by Sample author, Digital Academy" in readme
    assert "Creative Commons Attribution 4.0" in readme


def test_sphinx_warnings_are_tied_to_documents(tmp_path: Path) -> None:
    text = (
        f"{tmp_path}/c/m.ipynb:5: WARNING: image file not readable: c/x.png [image.not_readable]\n"
        f"{tmp_path}/index.md:3: WARNING: something cosmetic\n"
        "WARNING: no location\n"
    )
    messages = parse_warnings(text, tmp_path)
    assert [(m.level, m.docname, m.line) for m in messages] == [
        ("error", "c/m", 5),
        ("warning", "index", 3),
        ("warning", None, None),
    ]
