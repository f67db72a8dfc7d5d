"""Benchmark: ``academy build`` against stock ``jupyter-book build`` on the same content.

Run: .venv/bin/python benchmarks/build.py [--only full|generated] [--modules 60] [--jobs N]

For two corpora (the repository's full catalogue, copied aside, and a generated academy
of 60 modules) it measures, in this one run and on this machine:

- cold build (no caches, no previous output);
- a one-module edit (one code cell of one module changed), then rebuild;
- a no-op rebuild;
- (academy only: stock has no watch mode) a one-module edit under ``academy build --watch``,
  from saving the notebook to the rebuild's report.

The baseline builds the very same generated Jupyter Book projects (same _config.yml,
_toc.yml, pages and module notebooks with their metadata boxes) with stock
``jupyter-book build``, one book after another, executing with MyST-NB's jupyter-cache
mode. Wall time and the peak resident memory of the whole process tree are reported,
with the ratios the issue sets as goals: cold speed-up >= 1.8x; edit <= 10% of cold. Memory
is reported as PSS (shared pages split between the processes sharing them, the real cost
of a build whose kernels are forked from one zygote) and as summed RSS.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
console = Console(width=170)  # wide enough for the table in a log file


@dataclass
class Run:
    seconds: float
    #: Peak of the process tree's summed RSS: counts pages that forked kernels share with
    #: their zygote once per process, so it overstates a forking build.
    peak_mb: float
    ok: bool
    #: CPU seconds (user + system) of the process tree: less sensitive to other load.
    cpu: float = 0.0
    #: 1-minute load average when the run started (this machine is shared).
    load: float = 0.0
    #: Peak of the summed PSS (shared pages split between their sharers): the real cost.
    peak_pss_mb: float = 0.0


def measure(cmd: list[str], cwd: Path | None = None) -> Run:
    """Wall time and peak RSS and PSS summed over the process and all its descendants."""
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    peak = peak_pss = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        try:
            root = psutil.Process(proc.pid)
        except psutil.NoSuchProcess:
            return
        while not done.is_set():
            rss = pss = 0
            try:
                for p in [root, *root.children(recursive=True)]:
                    with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                        full = p.memory_full_info()
                        rss += full.rss
                        pss += full.pss
            except psutil.NoSuchProcess:
                break
            peak = max(peak, rss / 2**20)
            peak_pss = max(peak_pss, pss / 2**20)
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    done.set()
    sampler.join()
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        console.print(f"[red]command failed[/] ({proc.returncode}): {' '.join(cmd)}\n{err[-2000:]}")
    return Run(seconds, peak, proc.returncode == 0, cpu, load, peak_pss)


def _edit_code(path: Path) -> None:
    nb = json.loads(path.read_text("utf-8"))
    cell = next(c for c in nb["cells"] if c["cell_type"] == "code")
    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    cell["source"] = source + "\n# benchmark edit"
    path.write_text(json.dumps(nb, indent=1), "utf-8")


def academy_command(root: Path, jobs: int) -> list[str]:
    return [
        str(BIN / "academy"),
        "build",
        "--root",
        str(root),
        "--assets",
        str(REPO / "node_modules"),
        "-j",
        str(jobs),
        "--format",
        "json",
    ]


def stock_projects(root: Path, out: Path) -> list[Path]:
    """The same books, as stock Jupyter Book projects that execute their notebooks."""
    sys.path.insert(0, str(REPO / "src"))
    from digital_academy.catalog import load_valid  # noqa: PLC0415
    from digital_academy.publish.assemble import sync_tree  # noqa: PLC0415
    from digital_academy.publish.engines import get_engine  # noqa: PLC0415
    from digital_academy.publish.execute import asset_files  # noqa: PLC0415
    from digital_academy.publish.plan import build_plan  # noqa: PLC0415
    from digital_academy.publish.settings import PublishSettings  # noqa: PLC0415

    plan = build_plan(load_valid(root), PublishSettings())
    engine = get_engine("jupyter-book-1")
    books = []
    for book in plan.books:
        raw = {p.module.id: json.loads(p.source.read_text("utf-8")) for p in book.pages}
        project = engine.project(plan, book, raw, execute=True, cache=str(out / ".jupyter_cache"))
        copies = {
            f"{p.course}/{a.relative_to(p.source.parent).as_posix()}": a
            for p in book.pages
            for a in asset_files(p.source.parent)
        }
        sync_tree(out / book.id, project.files, copies)
        books.append(out / book.id)
    return books


def stock_build(books: list[Path]) -> Run:
    """Stock Jupyter Book builds one book per command: all the books, one after another."""
    runs = [measure([str(BIN / "jupyter-book"), "build", str(b), "--quiet"]) for b in books]
    return Run(
        sum(r.seconds for r in runs),
        max(r.peak_mb for r in runs),
        all(r.ok for r in runs),
        sum(r.cpu for r in runs),
        runs[0].load,
        max(r.peak_pss_mb for r in runs),
    )


def interleaved(
    root: Path, jobs: int, books: list[Path], edits: tuple[Path, Path]
) -> tuple[dict[str, Run], dict[str, Run]]:
    """Each kind of run, academy then stock back to back, so both meet similar load."""
    academy: dict[str, Run] = {}
    stock: dict[str, Run] = {}
    for run in ("cold", "edit", "no-op"):
        if run == "edit":
            _edit_code(edits[0])
            _edit_code(edits[1])
        console.print(f"  {run}: academy build")
        academy[run] = measure(academy_command(root, jobs))
        console.print(f"  {run}: stock jupyter-book build")
        stock[run] = stock_build(books)
    return academy, stock


def watch_edits(root: Path, jobs: int, notebook: Path, edits: int = 5) -> Run:
    """``academy build --watch``: seconds from saving an edit to its rebuild's report
    (median of ``edits``), detection included (it looks every 0.1 s, then waits 0.1 s
    for the content to settle)."""
    cmd = [*academy_command(root, jobs), "--watch", "--interval", "0.1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    times = []
    try:
        proc.stdout.readline()  # the first build: the site is already up to date
        for _ in range(edits):
            _edit_code(notebook)
            start = time.perf_counter()
            report = json.loads(proc.stdout.readline())
            times.append(time.perf_counter() - start)
            if not report.get("ok"):
                console.print(f"[red]watch rebuild failed[/]: {report}")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        proc.stdout.close()
    times.sort()
    return Run(times[len(times) // 2], 0.0, True)


def corpus(name: str, work: Path, modules: int) -> tuple[Path, str]:
    """Returns the content root and the id of the module the edit touches."""
    root = work / name / "content"
    if name == "full":
        for folder in ("courses", "specialist_academies", "graders"):
            shutil.copytree(REPO / folder, root / folder)
    else:
        sys.path.insert(0, str(REPO / "src"))
        from digital_academy.publish.sample import write_sample  # noqa: PLC0415

        root.mkdir(parents=True)
        write_sample(root, modules=modules, courses=max(1, modules // 10), academies=1)
    first = sorted((root / "courses").glob("*/*.ipynb"))[0]
    module_id = json.loads(first.read_text("utf-8"))["metadata"]["academy"]["id"]
    return root, module_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["full", "generated"])
    parser.add_argument("--modules", type=int, default=60)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", type=Path, help="Also write the results here.")
    args = parser.parse_args()
    results: dict[str, dict[str, dict[str, Run]]] = {}
    with tempfile.TemporaryDirectory(prefix="academy-bench-") as tmp:
        work = Path(tmp)
        for name in [args.only] if args.only else ["full", "generated"]:
            root, module_id = corpus(name, work, args.modules)
            count = len(list((root / "courses").glob("*/*.ipynb")))
            console.print(f"[bold]{name}[/]: {count} modules, {args.jobs} jobs")
            path = next((root / "courses").glob(f"*/*-{module_id}.ipynb"))
            books = stock_projects(root, work / name / "stock")
            stock_nb = next(p for b in books for p in b.glob(f"*/{module_id}.ipynb"))
            academy, stock = interleaved(root, args.jobs, books, (path, stock_nb))
            console.print("  edit: academy build --watch")
            academy["watch edit"] = watch_edits(root, args.jobs, path)
            results[name] = {"academy": academy, "stock": stock}
            report(name, count, academy, stock)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    n: {k: {s: r.__dict__ for s, r in v.items()} for k, v in d.items()}
                    for n, d in results.items()
                },
                indent=2,
            )
        )


def report(name: str, count: int, academy: dict[str, Run], stock: dict[str, Run]) -> None:
    table = Table(title=f"{name} catalogue ({count} modules)")
    columns = (
        "run",
        "academy s",
        "stock s",
        "speed-up",
        "academy CPU s",
        "stock CPU s",
        "academy peak PSS / RSS MB",
        "stock peak PSS / RSS MB",
        "load at start",
    )
    for column in columns:
        table.add_column(column, justify="right")
    for run in ("cold", "edit", "no-op"):
        a, s = academy[run], stock[run]
        flag = "" if a.ok and s.ok else " [red](failed)[/]"
        table.add_row(
            run + flag,
            f"{a.seconds:.1f}",
            f"{s.seconds:.1f}",
            f"{s.seconds / a.seconds:.2f}x",
            f"{a.cpu:.1f}",
            f"{s.cpu:.1f}",
            f"{a.peak_pss_mb:.0f} / {a.peak_mb:.0f}",
            f"{s.peak_pss_mb:.0f} / {s.peak_mb:.0f}",
            f"{a.load:.1f} / {s.load:.1f}",
        )
    console.print(table)
    cold = stock["cold"].seconds / academy["cold"].seconds
    edit = academy["edit"].seconds / academy["cold"].seconds
    watched = academy["watch edit"].seconds / academy["cold"].seconds
    console.print(
        f"ratio cold speed-up (stock/academy): {cold:.2f}x (goal >= 1.8) "
        f"{'[green]met[/]' if cold >= 1.8 else '[red]not met[/]'}\n"
        f"ratio one-module edit / cold (academy): {edit:.1%} (goal <= 10%) "
        f"{'[green]met[/]' if edit <= 0.10 else '[red]not met[/]'}\n"
        f"ratio one-module edit with --watch / cold (academy): {watched:.1%} "
        f"({academy['watch edit'].seconds:.1f} s from save to published; goal <= 10%) "
        f"{'[green]met[/]' if watched <= 0.10 else '[red]not met[/]'}\n"
        f"ratio no-op / cold (academy): {academy['no-op'].seconds / academy['cold'].seconds:.1%}"
        f"\nratio one-module edit / cold (stock): "
        f"{stock['edit'].seconds / stock['cold'].seconds:.1%}\n"
        "(wall times on a shared machine: compare runs made at similar load)"
    )


if __name__ == "__main__":
    main()
