"""Quadratic weighted kappa: a hand-worked example and an independent formula."""

from __future__ import annotations

import random
from fractions import Fraction
from pathlib import Path

import pytest

from digital_academy.applied.agreement import agreement, quadratic_weighted_kappa
from digital_academy.applied.capstone import load_capstone
from digital_academy.applied.marking import read_state, record_mark
from digital_academy.applied.moderation import moderate

from .factory import submit


def test_hand_computed_example() -> None:
    """A: 0 1 2 2, B: 0 2 2 1 on levels 0-2.

    Observed cells (each 1/4): (0,0) (1,2) (2,2) (2,1); weighted disagreement
    = 1/4 * 1 + 1/4 * 1 = 1/2. Marginals are 1/4, 1/4, 1/2 for both markers, so the chance
    disagreement is sum (i-j)^2 r_i c_j = 1/16 + 1/2 + 1/16 + 1/8 + 1/2 + 1/8 = 11/8.
    kappa = 1 - (1/2) / (11/8) = 7/11.
    """
    assert quadratic_weighted_kappa([0, 1, 2, 2], [0, 2, 2, 1], [0, 1, 2]) == pytest.approx(
        7 / 11, abs=1e-12
    )


def _lins_ccc(x: list[int], y: list[int]) -> float:
    """Quadratic weighted kappa equals Lin's concordance coefficient with 1/n moments:
    2 cov(x, y) / (var x + var y + (mean x - mean y)^2), computed here in exact fractions."""
    n = len(x)
    mx, my = Fraction(sum(x), n), Fraction(sum(y), n)
    vx = sum((Fraction(a) - mx) ** 2 for a in x) / n
    vy = sum((Fraction(b) - my) ** 2 for b in y) / n
    cov = sum((Fraction(a) - mx) * (Fraction(b) - my) for a, b in zip(x, y, strict=True)) / n
    return float(2 * cov / (vx + vy + (mx - my) ** 2))


def test_agrees_with_an_independent_formula_on_random_markings() -> None:
    rng = random.Random(2026)
    for _ in range(300):
        k = rng.randint(2, 6)
        n = rng.randint(2, 40)
        x = [rng.randrange(k) for _ in range(n)]
        # Second marker: mostly close to the first, sometimes far, sometimes biased.
        y = [min(k - 1, max(0, a + rng.choice([-2, -1, 0, 0, 0, 1, 1]))) for a in x]
        expected = None if len(set(x)) == 1 and x == y else _lins_ccc(x, y)
        got = quadratic_weighted_kappa(x, y, list(range(k)))
        if expected is None:
            assert got is None
        else:
            assert got == pytest.approx(expected, abs=1e-9)


def test_edge_cases() -> None:
    assert quadratic_weighted_kappa([0, 1, 2, 3], [0, 1, 2, 3], range(4)) == pytest.approx(1)
    assert quadratic_weighted_kappa([0, 1, 2, 3], [3, 2, 1, 0], range(4)) == pytest.approx(-1)
    assert quadratic_weighted_kappa([2, 2, 2], [2, 2, 2], range(4)) is None  # no variation
    assert quadratic_weighted_kappa([], [], range(4)) is None
    with pytest.raises(ValueError, match="same items"):
        quadratic_weighted_kappa([1], [1, 2], range(4))


def test_statistics_per_cohort_from_real_marks(root: Path, state: Path) -> None:
    cap = load_capstone(root, "proj")
    ok = {"alpha": "good", "beta": "good", "gamma": "good"}
    pairs = {
        "learner1": (
            {"alpha": "great", "beta": "good", "gamma": "some"},
            {"alpha": "great", "beta": "great", "gamma": "some"},
        ),
        "learner2": (
            {"alpha": "some", "beta": "none", "gamma": "good"},
            {"alpha": "good", "beta": "none", "gamma": "good"},
        ),
    }
    for course in ("north", "south"):
        for learner, (first, _) in pairs.items():
            submit(state, course, learner)
            record_mark(root, course, cap, learner, "tutor1", first)
        moderate(root, course, cap, "lead", sample="all")
        if course == "north":
            for learner, (_, second) in pairs.items():
                record_mark(root, course, cap, learner, "tutor2", second)
        else:
            for learner in pairs:
                record_mark(root, course, cap, learner, "tutor2", ok)
        moderate(root, course, cap, "lead")
    north = agreement("north", cap.rubric, read_state(root, "north", "proj"))
    # Six criterion ratings per marker: first 3 2 1 1 0 2, second 3 3 1 2 0 2.
    assert north.submissions == 2 and north.ratings == 6
    assert north.kappa == pytest.approx(_lins_ccc([3, 2, 1, 1, 0, 2], [3, 3, 1, 2, 0, 2]))
    assert north.exact == pytest.approx(4 / 6) and north.adjacent == 1.0
    assert north.per_criterion["gamma"] == pytest.approx(1.0)
    south = agreement("south", cap.rubric, read_state(root, "south", "proj"))
    assert south.kappa == pytest.approx(_lins_ccc([3, 2, 1, 1, 0, 2], [2, 2, 2, 2, 2, 2]))
    assert south.kappa != north.kappa
