"""Parallel, cached execution of module notebooks (runner: processes and files).

Executed notebooks are stored with jupyter-cache, keyed by the notebook's code cells
plus a fingerprint of everything else the outputs depend on (the course's data files
and the self-check renderer). A module whose key is cached is not re-executed. Misses
run in a pool of worker processes, one fresh kernel each, in a temporary folder holding
a copy of the course's files, so a notebook cannot change the repository. Kernels are
forked from a warm zygote (``publish.zygote``) unless ``warm`` is off: the same fresh
kernel per notebook, without paying Python's and the libraries' start-up each time.

Book builds execute course content (reviewed like code), never learners' work.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from digital_academy.catalog.notebooks import imported_packages

from ._fast import skip_unused_grammar
from .warm import Zygote, ZygoteError

_SELFCHECK_DIR = Path(__file__).resolve().parents[1] / "selfcheck"
_SKIP_ASSETS = {"course.yml"}


@dataclass(frozen=True)
class ExecJob:
    module_id: str
    notebook: Path
    #: Repository-relative path, for reports.
    rel: str
    #: Folder whose files (data, images) the notebook may read, copied beside it.
    assets: Path
    timeout: int


@dataclass(frozen=True)
class ModuleFailure:
    """A module that could not be built, said so an author can find and fix it."""

    module_id: str
    file: str
    #: 1-based cell number in the notebook (as Jupyter shows them), if known.
    cell: int | None
    error: str
    detail: str = ""

    def describe(self) -> str:
        where = f"{self.file}, cell {self.cell}" if self.cell else self.file
        return f"{self.module_id} ({where}): {self.error}"


@dataclass
class ExecutionResult:
    notebooks: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: dict[str, ModuleFailure] = field(default_factory=dict)
    executed: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)


def asset_files(folder: Path) -> Iterator[Path]:
    """The files beside a course's notebooks that a notebook may read (data, images)."""
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith((".", "_")) for part in rel.parts):
            continue
        if path.is_file() and path.suffix != ".ipynb" and rel.as_posix() not in _SKIP_ASSETS:
            yield path


def inputs_fingerprint(assets: Path) -> str:
    digest = hashlib.sha256(f"python {sys.version_info[:2]}".encode())
    for path in (*asset_files(assets), *sorted(_SELFCHECK_DIR.glob("*.py"))):
        digest.update(path.name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def run_notebook(
    job: ExecJob, fingerprint: str, zygote: str = ""
) -> tuple[str | None, ModuleFailure | None]:
    """Execute one notebook on a fresh kernel (in a worker process). Returns JSON or failure.

    ``zygote`` is the socket of a warm zygote to fork the kernel from ("" for stock start).
    """
    from nbclient import NotebookClient  # noqa: PLC0415 - heavy; only workers need it
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError  # noqa: PLC0415
    from traitlets.config import Config  # noqa: PLC0415

    from .cache import dumps, read  # noqa: PLC0415 - keeps the runner's own start-up light
    from .warm_manager import WarmKernelManager  # noqa: PLC0415

    nb = read(job.notebook, fingerprint)
    current: dict[str, int] = {}

    def on_start(cell: Any, cell_index: int) -> None:
        current["index"] = cell_index

    kernel = nb.metadata.get("kernelspec", {}).get("name", "python3")
    with tempfile.TemporaryDirectory(prefix="academy-exec-") as tmp:
        for path in asset_files(job.assets):
            target = Path(tmp) / path.relative_to(job.assets)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        client = NotebookClient(
            nb,
            timeout=job.timeout,
            kernel_name=kernel,
            resources={"metadata": {"path": tmp}},
            store_widget_state=True,
            on_cell_start=on_start,
            kernel_manager_class=WarmKernelManager,
            config=Config({"WarmKernelManager": {"zygote_socket": zygote}}),
        )

        def cell() -> int | None:  # 1-based, as Jupyter numbers cells for people
            return current["index"] + 1 if "index" in current else None

        try:
            # The kernel's own log (not cell output) would only clutter the build's output.
            client.execute(stderr=subprocess.DEVNULL)
        except CellExecutionError as exc:
            return None, ModuleFailure(
                job.module_id, job.rel, cell(), f"{exc.ename}: {exc.evalue}", str(exc)[-2000:]
            )
        except CellTimeoutError:
            return None, ModuleFailure(
                job.module_id, job.rel, cell(), f"the cell ran longer than {job.timeout} s"
            )
        except DeadKernelError as exc:
            return None, ModuleFailure(job.module_id, job.rel, cell(), f"the kernel died: {exc}")
        except Exception as exc:  # a kernel that cannot start, an unknown kernel name...
            return None, ModuleFailure(
                job.module_id, job.rel, cell(), f"could not execute: {type(exc).__name__}: {exc}"
            )
    return dumps(nb), None


def execute_modules(
    cache_dir: Path,
    jobs: list[ExecJob],
    workers: int,
    on_done: Callable[[str, str], None] | None = None,
    on_misses: Callable[[list[str]], object] | None = None,
    warm: bool = True,
    zygote: Zygote | None = None,
) -> ExecutionResult:
    """Outputs for every job: from the cache, else executed in parallel and then cached.

    ``on_done(module_id, "cached" | "executed" | "failed")`` reports progress;
    ``on_misses(module_ids)`` is called once the modules to execute are known, if any.
    Kernels fork from ``zygote`` if given (the caller's, started early), else from one
    started here for the misses if ``warm``, else start the stock way.
    """
    from .cache import CacheBundleIn, ModuleCache, loads, read  # noqa: PLC0415 - see cache.py

    cache_dir.mkdir(parents=True, exist_ok=True)
    cache = ModuleCache(str(cache_dir))
    if cache.get_cache_limit() < 2 * len(jobs):
        cache.change_cache_limit(max(1000, 2 * len(jobs)))
    result = ExecutionResult()
    misses: list[tuple[ExecJob, str]] = []
    fingerprints: dict[Path, str] = {}  # one per course folder
    for job in jobs:
        if job.assets not in fingerprints:
            fingerprints[job.assets] = inputs_fingerprint(job.assets)
        fingerprint = fingerprints[job.assets]
        nb = read(job.notebook, fingerprint)
        try:
            _, merged = cache.merge_match_into_notebook(nb)
        except KeyError:
            misses.append((job, fingerprint))
            continue
        result.notebooks[job.module_id] = dict(merged)
        result.cached.append(job.module_id)
        if on_done:
            on_done(job.module_id, "cached")
    if not misses:
        return result
    if on_misses:
        on_misses([job.module_id for job, _ in misses])

    def collect(job: ExecJob, text: str | None, failure: ModuleFailure | None) -> None:
        if text is None:
            result.failures[job.module_id] = failure or ModuleFailure(
                job.module_id, job.rel, None, "execution failed"
            )
            status = "failed"
        else:
            executed = loads(text)
            cache.cache_notebook_bundle(
                CacheBundleIn(executed, str(job.notebook)), check_validity=False, overwrite=True
            )
            result.notebooks[job.module_id] = dict(executed)
            result.executed.append(job.module_id)
            status = "executed"
        if on_done:
            on_done(job.module_id, status)

    forks = zygote or (start_zygote([job for job, _ in misses]) if warm else None)
    try:
        _run_misses(misses, workers, _socket(forks), collect)
    finally:
        if forks is not None and forks is not zygote:
            forks.close()
    return result


def preload_modules(jobs: list[ExecJob]) -> list[str]:
    """Packages for the zygote: what the notebooks import, less the courses' own files."""
    sources, local = [], set()
    for job in jobs:
        nb = json.loads(job.notebook.read_text("utf-8"))
        sources += ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
        local |= {p.stem if p.is_file() else p.name for p in job.assets.iterdir()}
    return sorted(imported_packages(sources) - local)


def start_zygote(jobs: list[ExecJob]) -> Zygote | None:
    """A zygote preloading what ``jobs`` import, or None if it cannot start."""
    try:
        return Zygote(preload_modules(jobs))
    except (OSError, ValueError):
        return None  # stock kernels still work: the build is only slower


def _socket(zygote: Zygote | None) -> str:
    try:
        return zygote.ready() if zygote is not None else ""
    except ZygoteError:
        return ""  # stock kernels still work: the build is only slower


def _run_misses(
    misses: list[tuple[ExecJob, str]],
    workers: int,
    zygote: str,
    collect: Callable[[ExecJob, str | None, ModuleFailure | None], None],
) -> None:
    if len(misses) == 1:  # one edited module: a worker process would only add start-up time
        job, fingerprint = misses[0]
        collect(job, *run_notebook(job, fingerprint, zygote))
        return
    context = multiprocessing.get_context("spawn")  # no fork of a threaded parent
    with ProcessPoolExecutor(
        max_workers=max(1, min(workers, len(misses))),
        mp_context=context,
        initializer=skip_unused_grammar,
    ) as pool:
        futures: dict[Future[tuple[str | None, ModuleFailure | None]], ExecJob] = {
            pool.submit(run_notebook, job, fingerprint, zygote): job for job, fingerprint in misses
        }
        for future in as_completed(futures):
            job = futures[future]
            try:
                collect(job, *future.result())
            except Exception as exc:  # the worker process itself died
                failure = ModuleFailure(
                    job.module_id, job.rel, None, f"the build worker failed: {exc}"
                )
                collect(job, None, failure)
