"""Selection algorithms, chosen by name.

Each back end lives in its own module and is imported only when chosen, so the GPL-3.0 library
behind ``sortition-*`` is never imported unless asked for (see docs/selection.md).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from .base import Backend, BackendUnavailableError, LotteryResult, SolveInput

__all__ = [
    "BACKENDS",
    "Backend",
    "BackendInfo",
    "BackendUnavailableError",
    "LotteryResult",
    "SolveInput",
    "load",
]


@dataclass(frozen=True)
class BackendInfo:
    target: str  # "module:attribute"
    kind: str  # "lottery" (a distribution with every probability) or "baseline" (one cohort)
    summary: str


BACKENDS: dict[str, BackendInfo] = {
    "maximin": BackendInfo(
        "digital_academy.selection.backends.native:NativeMaximin",
        "lottery",
        "maximin by column generation over types on HiGHS (anytime, time budget)",
    ),
    "sortition-maximin": BackendInfo(
        "digital_academy.selection.backends.sortition:LibraryMaximin",
        "lottery",
        "the Sortition Foundation library's maximin on HiGHS (GPL-3.0, no time budget)",
    ),
    "sortition-legacy": BackendInfo(
        "digital_academy.selection.backends.sortition:LibraryLegacy",
        "baseline",
        "the Sortition Foundation library's greedy 'legacy' algorithm (GPL-3.0)",
    ),
}


def names(kind: str) -> list[str]:
    return [name for name, info in BACKENDS.items() if info.kind == kind]


def load(name: str) -> Backend:
    """The back end called ``name``; raises BackendUnavailableError if it cannot run here."""
    info = BACKENDS.get(name)
    if info is None:
        raise KeyError(f"unknown algorithm {name!r}; choose from {', '.join(sorted(BACKENDS))}")
    module_name, attribute = info.target.split(":")
    backend: Backend = getattr(importlib.import_module(module_name), attribute)()
    backend.check_available()
    return backend
