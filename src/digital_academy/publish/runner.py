"""``academy build``: catalogue -> executed modules -> books -> site, published atomically.

Stages, in order: load the catalogue; execute changed modules in parallel (cached);
generate each book's source and build the changed books in parallel; assemble the
site aside; swap it in. A failing module fails only its own book, whose last good copy
stays published; every other book is still built and published.

Working state lives beside the site in ``book/_build/``: ``cache/`` (jupyter-cache),
``books/<academy>/{src,html,doctrees}`` (each book's source and incremental build) and
``site-manifest.json`` (what the published site was made from).
"""

from __future__ import annotations

import atexit
import json
import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from digital_academy.catalog import CatalogError, load_valid
from digital_academy.paths import site_dir

from ._fast import skip_unused_grammar
from .assemble import engine_versions, fingerprint, site_files, stage, sync_tree, vendor_fingerprint
from .engines import BookEngine, EngineResult, get_engine
from .execute import (
    ExecJob,
    ExecutionResult,
    ModuleFailure,
    asset_files,
    execute_modules,
    start_zygote,
)
from .plan import BookPlan, SitePlan, build_plan
from .settings import PublishSettings
from .swap import BuildLocked, build_lock, publish, recover, staging_dir
from .vendor import VendorError, check_assets
from .warm import Zygote

Events = Callable[[str, str], None]
_MANIFEST = "site-manifest.json"


class PublishError(Exception):
    """The build cannot start; the message says why and what to do."""


@dataclass
class BookOutcome:
    academy: str
    #: built | unchanged | failed (last good copy kept, if there was one) | kept (not asked)
    status: str
    failures: list[ModuleFailure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class BuildReport:
    site: Path
    books: list[BookOutcome]
    executed: list[str]
    cached: list[str]
    published: bool
    seconds: float = 0.0

    @property
    def failures(self) -> list[ModuleFailure]:
        return [f for b in self.books for f in b.failures]

    @property
    def ok(self) -> bool:
        return not any(b.status == "failed" for b in self.books)


def build_site(
    root: Path,
    settings: PublishSettings,
    *,
    academies: Sequence[str] = (),
    jobs: int | None = None,
    node_modules: Path | None = None,
    force: bool = False,
    on_event: Events | None = None,
    keep: Workers | None = None,
) -> BuildReport:
    """Build and publish the site under ``root``; see the module docstring for the stages.

    ``keep`` holds processes that outlive this build (``academy build --watch``): the
    zygote and the book workers are taken from it, or started into it, and left running.

    ``on_event(kind, detail)`` reports progress: ``stage`` (``execute:N``, ``books:N``,
    ``publish``, ``up-to-date``), ``executed``/``cached``/``failed`` (module id) and
    ``book`` (``academy:status``).
    """
    started = time.perf_counter()
    try:
        catalog = load_valid(root)
    except CatalogError as exc:
        first = exc.diagnostics[0] if exc.diagnostics else None
        where = f" (first: {first.file}: {first.message})" if first else ""
        raise PublishError(f"{exc}{where}; books are built only from a valid catalogue") from exc
    modules_dir = node_modules or root / "node_modules"
    try:
        check_assets(modules_dir)
        engine = get_engine(settings.engine)
    except (VendorError, KeyError) as exc:
        raise PublishError(str(exc).strip("'\"")) from exc
    unknown = [a for a in academies if a not in catalog.academies]
    if unknown:
        known = ", ".join(catalog.academies)
        raise PublishError(f"unknown academy {unknown[0]!r}; known: {known}")
    build = _Build(
        plan=build_plan(catalog, settings),
        engine=engine,
        site=site_dir(root),
        node_modules=modules_dir,
        workers=max(1, jobs or os.cpu_count() or 1),
        force=force,
        emit=on_event or (lambda kind, detail: None),
        keep=keep,
    )
    try:
        with build_lock(build.work):
            recover(build.site)
            report = build.run([b for b in build.plan.books if not academies or b.id in academies])
    except BuildLocked as exc:
        raise PublishError(str(exc)) from exc
    report.seconds = time.perf_counter() - started
    return report


def _build_book(engine: str, source: Path, out: Path, work: Path, full: bool) -> EngineResult:
    """In a worker process: one book through its engine."""
    return get_engine(engine).build(source, out, work, full=full)


def _book_worker(engine: str) -> None:
    """Start-up of a book worker: the engine's imports, done while modules execute."""
    skip_unused_grammar()
    get_engine(engine).warm_up()
    # Its results are sent before it is told to stop, so at exit there is nothing left to
    # save: end at once rather than tear down the whole Sphinx stack (0.2 s or more).
    atexit.register(os._exit, 0)


def _ready() -> None:
    """A no-op task: submitting one per worker starts (and so warms) every worker."""


@dataclass
class Workers:
    """Processes one build can leave running for the next (``academy build --watch``).

    The zygote forks each module's fresh kernel, so keeping it reuses no kernel. The book
    builder keeps the Sphinx stack imported and warm; each build still writes only the
    changed pages. ``close`` stops both.
    """

    zygote: Zygote | None = None
    pool: ProcessPoolExecutor | None = None

    def close(self) -> None:
        if self.zygote is not None:
            self.zygote.close()
            self.zygote = None
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


@dataclass
class _Build:
    plan: SitePlan
    engine: BookEngine
    site: Path
    node_modules: Path
    workers: int
    force: bool
    emit: Events
    keep: Workers | None = None
    outcomes: dict[str, BookOutcome] = field(default_factory=dict)
    book_pool: ProcessPoolExecutor | None = None
    fingerprints: dict[str, str] = field(default_factory=dict)
    versions: str = field(default_factory=engine_versions)

    @property
    def work(self) -> Path:
        return self.site.parent

    def book_dir(self, book: BookPlan) -> Path:
        return self.work / "books" / book.id

    def run(self, chosen: list[BookPlan]) -> BuildReport:
        if self.keep is not None:  # warm for the next build even if this one builds nothing
            self.start_book_pool(1)
        try:
            executed = self.execute(chosen)
            full = self.prepare(chosen, executed)
            self.build_books(full)
        finally:
            if self.book_pool is not None and self.keep is None:
                # Idle workers exit while the site is assembled.
                self.book_pool.shutdown(wait=False, cancel_futures=True)
        return self.publish(executed)

    def start_book_pool(self, size: int) -> ProcessPoolExecutor:
        """Book workers, started early so their imports overlap the execution of modules."""
        if self.book_pool is None and self.keep is not None and self.keep.pool is not None:
            self.book_pool = self.keep.pool
        if self.book_pool is None:
            # Kept: one builder, so every book is rebuilt in a process that has built
            # before (a process's first Sphinx build costs about twice its later ones).
            size = 1 if self.keep is not None else size
            self.book_pool = ProcessPoolExecutor(
                max_workers=max(1, min(self.workers, size)),
                mp_context=multiprocessing.get_context("spawn"),  # no fork of a threaded parent
                initializer=_book_worker,
                initargs=(self.engine.name,),
            )
            for _ in range(max(1, min(self.workers, size))):
                self.book_pool.submit(_ready)
            if self.keep is not None:
                self.keep.pool = self.book_pool
        return self.book_pool

    def execute(self, chosen: list[BookPlan]) -> ExecutionResult:
        jobs: dict[str, ExecJob] = {}
        timeout = self.plan.settings.cell_timeout
        for page in (p for b in chosen for p in b.pages):
            jobs.setdefault(
                page.module.id,
                ExecJob(page.module.id, page.source, page.repo_path, page.source.parent, timeout),
            )
        self.emit("stage", f"execute:{len(jobs)}")
        # Started before the cache is even opened: an edit's one kernel is then ready as
        # soon as it is known to be needed. With nothing to execute it is stopped unused,
        # unless it is kept for the next build.
        warm = self.plan.settings.warm_kernels
        zygote = self.keep.zygote if self.keep is not None else None
        if zygote is None and warm:
            zygote = start_zygote(list(jobs.values()))
            if self.keep is not None:
                self.keep.zygote = zygote
        try:
            return execute_modules(
                self.work / "cache",
                list(jobs.values()),
                self.workers,
                lambda module_id, status: self.emit(status, module_id),
                lambda misses: self.start_book_pool(
                    sum(1 for b in chosen if any(b.page(m) for m in misses))
                ),
                warm=False,
                zygote=zygote,
            )
        finally:
            if zygote is not None and self.keep is None:
                zygote.close()

    def prepare(self, chosen: list[BookPlan], executed: ExecutionResult) -> dict[str, bool]:
        """Write each book's source; returns the books to build, each with "rebuild all?"."""
        full: dict[str, bool] = {}
        for book in chosen:
            failed = [
                executed.failures[p.module.id]
                for p in book.pages
                if p.module.id in executed.failures
            ]
            if failed:
                self.outcomes[book.id] = BookOutcome(book.id, "failed", failed)
                continue
            project = self.engine.project(self.plan, book, executed.notebooks)
            copies = {
                f"{p.course}/{a.relative_to(p.source.parent).as_posix()}": a
                for p in book.pages
                for a in asset_files(p.source.parent)
            }
            sync_tree(self.book_dir(book) / "src", project.files, copies)
            files = {**project.files, **{k: v.read_bytes() for k, v in copies.items()}}
            self.fingerprints[book.id] = fingerprint(
                {**files, "(engine)": f"{self.engine.name} {self.versions}".encode()}
            )
            stamp_path = self.book_dir(book) / "stamp.json"
            stamp = json.loads(stamp_path.read_text()) if stamp_path.is_file() else {}
            built = (self.book_dir(book) / "html" / "index.html").is_file()
            if built and not self.force and stamp.get("content") == self.fingerprints[book.id]:
                self.outcomes[book.id] = BookOutcome(book.id, "unchanged")
                self.emit("book", f"{book.id}:unchanged")
                continue
            # Sphinx rewrites only changed pages; new engine code or assets need them all.
            full[book.id] = self.force or not built or stamp.get("engine") != self.versions
            stamp_path.unlink(missing_ok=True)
        return full

    def build_books(self, full: dict[str, bool]) -> None:
        self.emit("stage", f"books:{len(full)}")
        if not full:
            return
        books = [self.plan.book(academy_id) for academy_id in full]
        pool = self.start_book_pool(len(books))
        futures = {
            book.id: pool.submit(
                _build_book,
                self.engine.name,
                self.book_dir(book) / "src",
                self.book_dir(book) / "html",
                self.book_dir(book),
                full[book.id],
            )
            for book in books
        }
        for book in books:
            try:
                result = futures[book.id].result()
            except Exception as exc:  # the worker process itself died
                result = EngineResult(False, crash=f"the build worker failed: {exc}")
            self.record(book, result)

    def record(self, book: BookPlan, result: EngineResult) -> None:
        failures = _book_failures(book, result)
        warnings = [
            f"{m.docname or '(book)'}: {m.message}" for m in result.messages if m.level == "warning"
        ]
        status = "failed" if failures else "built"
        self.outcomes[book.id] = BookOutcome(book.id, status, failures, warnings)
        if not failures:
            (self.book_dir(book) / "stamp.json").write_text(
                json.dumps({"content": self.fingerprints[book.id], "engine": self.versions})
            )
        self.emit("book", f"{book.id}:{status}")

    def publish(self, executed: ExecutionResult) -> BuildReport:
        """Assemble aside and swap in, unless the published site is already exactly this."""
        manifest_path = self.work / _MANIFEST
        manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
        published: dict[str, str] = manifest.get("books", {}) if self.site.is_dir() else {}
        books: dict[str, str] = {}
        sources: dict[str, Path] = {}
        for book in self.plan.books:
            outcome = self.outcomes.get(book.id)
            if outcome is not None and outcome.status in {"built", "unchanged"}:
                books[book.id] = self.fingerprints[book.id]
                sources[book.id] = self.book_dir(book) / "html"
            elif (self.site / book.id / "index.html").is_file() and book.id in published:
                books[book.id] = published[book.id]  # the last good copy stays
                sources[book.id] = self.site / book.id
                self.outcomes.setdefault(book.id, BookOutcome(book.id, "kept"))
        files = site_files(self.plan, set(sources))
        state = {
            "books": books,
            "site": fingerprint(files),
            "vendor": vendor_fingerprint(self.node_modules),
        }
        report = BuildReport(
            self.site,
            [self.outcomes[b.id] for b in self.plan.books if b.id in self.outcomes],
            executed.executed,
            executed.cached,
            published=False,
        )
        rebuilt = any(o.status == "built" for o in self.outcomes.values())
        if state == manifest and self.site.is_dir() and not rebuilt and not self.force:
            self.emit("stage", "up-to-date")
            return report
        self.emit("stage", "publish")
        staging = staging_dir(self.site)
        stage(staging, self.site, sources, files, self.node_modules)
        publish(staging, self.site)
        # Written after the swap: a build killed before it never claims an unpublished site.
        manifest_path.write_text(json.dumps(state, indent=1))
        report.published = True
        return report


def _book_failures(book: BookPlan, result: EngineResult) -> list[ModuleFailure]:
    by_doc = {p.docname: p for p in book.pages}
    failures = []
    for m in result.messages:
        if m.level != "error":
            continue
        page = by_doc.get(m.docname or "")
        if page is not None:
            failures.append(ModuleFailure(page.module.id, page.repo_path, None, m.message))
        else:
            failures.append(ModuleFailure(f"({book.id})", m.docname or "(book)", None, m.message))
    if result.crash or (not result.ok and not failures):
        failures.append(
            ModuleFailure(f"({book.id})", "(book)", None, result.crash or "the book build failed")
        )
    return failures
