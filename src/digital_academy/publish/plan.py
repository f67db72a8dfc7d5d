"""The site plan: which books hold which module pages, and every page's stable address.

Pure: a catalogue and settings in, plain frozen data out. All addresses are
site-relative POSIX paths; pages link to each other with relative URLs only, so the
site works wherever it is served (for example under the hub's ``/services/books/``).

Site layout::

    index.html                       catalogue: search and role/competency filters
    catalogue.json                   the same, for machines
    modules/<module>.html            stable per-module address (redirects to its book page)
    packages/<module>.zip            notebook + data + licence, for download
    _vendor/                         widget, RequireJS and MathJax files (no CDN)
    <academy>/index.html             one book per specialist academy
    <academy>/pathways/<pathway>.html
    <academy>/coverage.html          competency coverage matrix
    <academy>/<course>/<module>.html module pages
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from digital_academy.catalog import Academy, Catalog, Module

from .settings import PublishSettings

VENDOR_DIR = "_vendor"
PACKAGES_DIR = "packages"
STABLE_DIR = "modules"
CATALOGUE_JSON = "catalogue.json"
CATALOGUE_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class ModulePage:
    """A module as a page of one book."""

    module: Module
    course: str
    #: The notebook in the repository.
    source: Path
    #: Its repository-relative path (for launch links).
    repo_path: str

    @property
    def docname(self) -> str:
        """Inside the book: ``<course>/<module>``, named by id so reordering keeps URLs."""
        return f"{self.course}/{self.module.id}"


@dataclass(frozen=True)
class BookPlan:
    academy: Academy
    #: Course id -> its module pages in teaching order; courses in the academy's order.
    courses: tuple[tuple[str, tuple[ModulePage, ...]], ...]

    @property
    def id(self) -> str:
        return self.academy.id

    @property
    def pages(self) -> tuple[ModulePage, ...]:
        return tuple(p for _, pages in self.courses for p in pages)

    def page(self, module_id: str) -> ModulePage | None:
        return next((p for p in self.pages if p.module.id == module_id), None)


@dataclass(frozen=True)
class SitePlan:
    catalog: Catalog
    settings: PublishSettings
    books: tuple[BookPlan, ...]

    def book(self, academy_id: str) -> BookPlan:
        return next(b for b in self.books if b.id == academy_id)

    def home_of(self, module_id: str) -> tuple[str, ModulePage]:
        """The module's canonical book (the first academy that teaches it) and page."""
        for book in self.books:
            page = book.page(module_id)
            if page is not None:
                return book.id, page
        raise KeyError(module_id)

    def module_url(self, module_id: str, academy_id: str | None = None) -> str:
        """Site-relative address of a module's page, in ``academy_id``'s book if it has it."""
        if academy_id is not None:
            page = self.book(academy_id).page(module_id)
            if page is not None:
                return f"{academy_id}/{page.docname}.html"
        home, page = self.home_of(module_id)
        return f"{home}/{page.docname}.html"


def build_plan(catalog: Catalog, settings: PublishSettings) -> SitePlan:
    """One book per academy, with every module of the academy's courses."""
    books = []
    for academy in catalog.academies.values():
        courses = []
        for course_id in academy.courses:
            pages = tuple(
                ModulePage(
                    module=m,
                    course=course_id,
                    source=catalog.locations[m.id].path,
                    repo_path=catalog.relpath(catalog.locations[m.id].path),
                )
                for m in catalog.course_modules(course_id)
            )
            courses.append((course_id, pages))
        books.append(BookPlan(academy=academy, courses=tuple(courses)))
    return SitePlan(catalog=catalog, settings=settings, books=tuple(books))


def stable_url(module_id: str) -> str:
    return f"{STABLE_DIR}/{module_id}.html"


def package_url(module_id: str) -> str:
    return f"{PACKAGES_DIR}/{module_id}.zip"


def relative(from_page: str, to: str) -> str:
    """The relative URL from one site-relative page to another site-relative path."""
    fragment = ""
    if "#" in to:
        to, fragment = to.split("#", 1)
        fragment = "#" + fragment
    start = posixpath.dirname(from_page) or "."
    return posixpath.relpath(to, start) + fragment


def anchor(competency_ref: str) -> str:
    """An HTML id for a competency: ``fci-core:D1.2`` -> ``fci-core-d1-2``."""
    return re.sub(r"[^a-z0-9]+", "-", competency_ref.lower()).strip("-")
