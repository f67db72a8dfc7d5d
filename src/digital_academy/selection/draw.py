"""The public draw: from a lottery over cohorts to named applicants, reproducible by anyone.

Randomness comes from SHA-256 in counter mode, keyed by the public seed, the pool hash and a label,
so the draw does not depend on Python's ``random`` (whose algorithms may change between versions),
on hash seeds or on the machine. Probabilities are integers over a fixed denominator, so the
draw is exact.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from .model import Distribution, TypedPool

DENOMINATOR = 2**48


class HashStream:
    """Uniform integers from SHA-256(seed | context | label | counter), by rejection sampling."""

    def __init__(self, seed: int, context: str, label: str) -> None:
        self._prefix = f"{seed}|{context}|{label}|".encode()
        self._counter = 0

    def _block(self) -> int:
        digest = hashlib.sha256(self._prefix + str(self._counter).encode()).digest()
        self._counter += 1
        return int.from_bytes(digest, "big")

    def below(self, n: int) -> int:
        """A uniform integer in [0, n)."""
        if n <= 0:
            raise ValueError("n must be positive")
        span = 2**256
        limit = span - span % n
        while True:
            value = self._block()
            if value < limit:
                return value % n

    def shuffled(self, items: Sequence[str]) -> list[str]:
        """A uniform permutation (Fisher-Yates, last position first)."""
        out = list(items)
        for i in range(len(out) - 1, 0, -1):
            j = self.below(i + 1)
            out[i], out[j] = out[j], out[i]
        return out


def quantise(probabilities: Sequence[float], denominator: int = DENOMINATOR) -> tuple[int, ...]:
    """Integer weights summing to ``denominator``, as close as possible (largest remainder)."""
    total = sum(probabilities)
    if total <= 0:
        raise ValueError("a lottery needs positive probabilities")
    scaled = [p / total * denominator for p in probabilities]
    weights = [int(s) for s in scaled]
    short = denominator - sum(weights)
    order = sorted(range(len(scaled)), key=lambda i: (-(scaled[i] - weights[i]), i))
    for i in order[:short]:
        weights[i] += 1
    return tuple(weights)


def distribution(
    committees: Sequence[tuple[int, ...]], probabilities: Sequence[float]
) -> Distribution:
    """A quantised lottery; cohorts with zero weight after quantising are dropped."""
    weights = quantise(probabilities)
    kept = [(c, w) for c, w in zip(committees, weights, strict=True) if w > 0]
    return Distribution(
        committees=tuple(c for c, _ in kept),
        weights=tuple(w for _, w in kept),
        denominator=DENOMINATOR,
    )


@dataclass(frozen=True)
class Draw:
    """Which cohort of the lottery was drawn, who is in it, and the ordered reserve list."""

    committee_index: int
    ticket: int
    selected: tuple[str, ...]
    reserves: tuple[str, ...]


def draw(typed: TypedPool, lottery: Distribution, seed: int, context: str) -> Draw:
    """Draw a cohort (a count per type), then that many members of each type, then the reserves."""
    ticket = HashStream(seed, context, "cohort").below(lottery.denominator)
    cumulative = 0
    index = len(lottery.weights) - 1
    for i, weight in enumerate(lottery.weights):
        cumulative += weight
        if ticket < cumulative:
            index = i
            break
    counts = lottery.committees[index]
    members = HashStream(seed, context, "members")
    selected: list[str] = []
    for t, ids in enumerate(typed.members):
        if counts[t]:
            selected.extend(members.shuffled(ids)[: counts[t]])
    chosen = set(selected)
    rest = [a.id for a in typed.pool.applicants if a.id not in chosen]
    reserves = HashStream(seed, context, "reserves").shuffled(rest)
    return Draw(index, ticket, tuple(sorted(selected)), tuple(reserves))
