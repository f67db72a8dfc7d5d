"""A small 0-1 integer program on HiGHS, with the proof of optimality it reports.

Only what the planner needs: binary variables, linear rows, minimise a linear cost.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import highspy
import numpy as np

_VERSION = importlib.metadata.version("highspy")


class SolverError(RuntimeError):
    """HiGHS failed in a way that is not an answer (no model status)."""


@dataclass(frozen=True)
class Proof:
    """What the solver proved: status, objective, best bound and the relative gap."""

    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    nodes: int
    variables: int
    constraints: int
    seconds: float

    @property
    def optimal(self) -> bool:
        return self.status == "Optimal"

    @property
    def infeasible(self) -> bool:
        return self.status == "Infeasible"

    def as_dict(self) -> dict[str, object]:
        return {
            "solver": f"HiGHS {_VERSION}",
            "status": self.status,
            "objective_minutes": self.objective,
            "best_bound_minutes": self.bound,
            "gap": self.gap,
            "branch_and_bound_nodes": self.nodes,
            "variables": self.variables,
            "constraints": self.constraints,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class BinaryProgram:
    """``minimise cost·x`` subject to ``lower <= A·x <= upper``, ``x`` in {0, 1}."""

    cost: list[float] = field(default_factory=list)
    rows: list[tuple[float, float, dict[int, float]]] = field(default_factory=list)

    def variable(self, cost: float) -> int:
        self.cost.append(cost)
        return len(self.cost) - 1

    def row(self, terms: dict[int, float], lower: float = -np.inf, upper: float = np.inf) -> None:
        self.rows.append((lower, upper, terms))

    def solve(self, time_limit: float = 30.0) -> tuple[Proof, list[int]]:
        """Solve; return the proof and the chosen variables (empty unless feasible)."""
        with _quiet_stdout():
            h = highspy.Highs()  # type: ignore[no-untyped-call]  # highspy leaves __init__ bare
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        h.setOptionValue("random_seed", 0)
        h.setOptionValue("time_limit", float(time_limit))
        n = len(self.cost)
        inf = highspy.kHighsInf
        if n:
            h.addVars(n, np.zeros(n), np.ones(n))
            h.changeColsIntegrality(
                n, np.arange(n, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * n)
            )
            h.changeColsCost(n, np.arange(n, dtype=np.int32), np.array(self.cost, dtype=float))
        for lower, upper, terms in self.rows:
            idx = np.array(sorted(terms), dtype=np.int32)
            vals = np.array([terms[i] for i in sorted(terms)], dtype=float)
            h.addRow(max(lower, -inf), min(upper, inf), len(idx), idx, vals)
        started = time.perf_counter()
        h.run()
        seconds = time.perf_counter() - started
        status = h.modelStatusToString(h.getModelStatus())
        info = h.getInfo()
        feasible = status == "Optimal" or (
            int(info.primal_solution_status) == 2 and status != "Infeasible"
        )
        chosen: list[int] = []
        objective = bound = gap = None
        if feasible and n:
            values = h.getSolution().col_value
            chosen = [i for i in range(n) if values[i] > 0.5]
            objective = float(info.objective_function_value)
            bound = float(info.mip_dual_bound)
            gap = float(info.mip_gap)
        elif feasible:
            objective = bound = gap = 0.0
        proof = Proof(
            status=status,
            objective=objective,
            bound=bound,
            gap=gap,
            nodes=int(info.mip_node_count),
            variables=n,
            constraints=len(self.rows),
            seconds=seconds,
        )
        return proof, chosen


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """HiGHS prints a banner from C++ on first construction: keep it out of JSON output."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no real stdout (embedded use): nothing to protect
        yield
        return
    try:
        with Path(os.devnull).open("wb") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
