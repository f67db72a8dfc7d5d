"""What every selection back end takes and gives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..grouping import quota_rows
from ..maximin import Limits
from ..model import QuotaSet, TypedPool
from ..polytope import Problem

Progress = Callable[[dict[str, Any]], None]


class BackendUnavailableError(RuntimeError):
    """The chosen algorithm needs something that is not installed; never silently replaced."""


@dataclass(frozen=True)
class SolveInput:
    typed: TypedPool
    quotas: QuotaSet
    capacity: int
    seed: int

    def problem(self) -> Problem:
        return Problem(self.typed.sizes, quota_rows(self.typed, self.quotas), self.capacity)


@dataclass
class LotteryResult:
    """A distribution over cohorts (count per type) with float probabilities, and how it went."""

    committees: list[tuple[int, ...]]
    probabilities: list[float]
    achieved: float
    bound: float
    steps: int
    stopped_by: str
    excluded_types: tuple[int, ...] = ()
    notes: list[str] = field(default_factory=list)
    history: list[tuple[int, float, float, float]] = field(default_factory=list)


@dataclass
class BaselineResult:
    """How often each type was selected over repeated greedy runs."""

    runs: int
    failures: int
    selected_per_type: list[int]


class Backend(Protocol):
    name: str
    licence: str

    def check_available(self) -> None: ...

    def versions(self) -> dict[str, str]: ...

    def lottery(self, job: SolveInput, limits: Limits, progress: Progress) -> LotteryResult: ...

    def baseline(self, job: SolveInput, runs: int, progress: Progress) -> BaselineResult: ...
