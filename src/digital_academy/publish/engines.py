"""Book engines, chosen by name: one interface, so another engine can be added beside JB1.

An engine turns a planned book into a source project (pure) and builds that project
into a static HTML folder (runner, called in a worker process). Jupyter Book 2 cannot
build offline today (its theme is downloaded at build time); when it can, a
``jupyter-book-2`` engine implements this protocol and registers here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .plan import BookPlan, SitePlan


@dataclass(frozen=True)
class Project:
    """A book's source tree: generated files and files copied from the repository."""

    files: Mapping[str, bytes]
    copies: Mapping[str, Path] = field(default_factory=dict)


@dataclass(frozen=True)
class BuildMessage:
    level: str  # "warning" or "error"
    docname: str | None
    line: int | None
    message: str


@dataclass(frozen=True)
class EngineResult:
    ok: bool
    messages: tuple[BuildMessage, ...] = ()
    crash: str = ""


class BookEngine(Protocol):
    name: str

    def project(
        self,
        plan: SitePlan,
        book: BookPlan,
        notebooks: Mapping[str, dict[str, Any]],
        *,
        execute: bool = False,
        cache: str = "",
    ) -> Project:
        """The source project. ``notebooks`` maps module id -> notebook to render.

        ``execute=True`` asks the engine to execute the notebooks itself, caching in
        ``cache`` (the stock baseline for benchmarks); the academy runner always passes
        executed notebooks.
        """
        ...

    def warm_up(self) -> None:
        """Import the engine's heavy modules, in a fresh worker, while modules execute."""
        ...

    def build(self, source: Path, out: Path, work: Path, *, full: bool = False) -> EngineResult:
        """Build ``source`` into static HTML in ``out``; ``work`` keeps incremental state.

        ``full`` rebuilds every page (the engine, theme or our extension changed)."""
        ...


def engines() -> dict[str, BookEngine]:
    from .jb1 import JupyterBook1  # noqa: PLC0415 - engines load on demand

    return {JupyterBook1.name: JupyterBook1()}


def get_engine(name: str) -> BookEngine:
    known = engines()
    if name not in known:
        raise KeyError(f"unknown book engine {name!r}; known: {', '.join(sorted(known))}")
    return known[name]
