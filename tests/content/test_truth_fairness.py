"""Group fairness metrics from hand-computed confusion matrices."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

Ref = Callable[[str], dict[str, Any]]


@pytest.fixture
def fair(reference: Ref) -> dict[str, Any]:
    return reference("ai-fairness-metrics")


def cm(fair: dict[str, Any], tp: int, fp: int, fn: int, tn: int) -> Any:
    return fair["Confusion"](tp=tp, fp=fp, fn=fn, tn=tn)


def test_confusion_matrix_from_labels(fair: dict[str, Any]) -> None:
    y_true = [1, 1, 1, 0, 0, 0, 0, 1, 0, 1]
    y_pred = [1, 0, 1, 1, 0, 0, 1, 1, 0, 0]
    # pairs: (1,1) x3 at 0, 2, 7; (1,0) x2 at 1, 9; (0,1) x2 at 3, 6; (0,0) x3 at 4, 5, 8.
    assert tuple(fair["confusion"](y_true, y_pred)) == (3, 2, 2, 3)


def test_confusion_needs_matching_lengths(fair: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        fair["confusion"]([1, 0], [1])


def test_rates_of_one_group(fair: dict[str, Any]) -> None:
    c = cm(fair, tp=30, fp=20, fn=10, tn=140)  # 200 people, 40 with the outcome
    assert fair["selection_rate"](c) == pytest.approx(50 / 200)
    assert fair["true_positive_rate"](c) == pytest.approx(30 / 40)
    assert fair["false_positive_rate"](c) == pytest.approx(20 / 160)


def test_undefined_rates_raise(fair: dict[str, Any]) -> None:
    nobody_positive = cm(fair, tp=0, fp=3, fn=0, tn=7)
    with pytest.raises(ValueError):
        fair["true_positive_rate"](nobody_positive)
    nobody_negative = cm(fair, tp=3, fp=0, fn=7, tn=0)
    with pytest.raises(ValueError):
        fair["false_positive_rate"](nobody_negative)


def test_equal_error_rates_but_unequal_selection(fair: dict[str, Any]) -> None:
    # A: 50 of 100 with the outcome; B: 20 of 100. Same TPR 0.8 and FPR 0.2 in both.
    groups = {"A": cm(fair, 40, 10, 10, 40), "B": cm(fair, 16, 16, 4, 64)}
    assert fair["demographic_parity_difference"](groups) == pytest.approx(0.50 - 0.32)
    assert fair["equal_opportunity_difference"](groups) == pytest.approx(0.0)
    assert fair["equalised_odds_difference"](groups) == pytest.approx(0.0)
    assert fair["selection_rate_ratio"](groups) == pytest.approx(0.64)
    assert fair["passes_four_fifths"](groups) is False


def test_equal_selection_but_unequal_opportunity(fair: dict[str, Any]) -> None:
    # A: selection 50/100, TPR 30/50 = 0.6, FPR 20/50 = 0.4.
    # B: selection 50/100, TPR 20/20 = 1.0, FPR 30/80 = 0.375.
    groups = {"A": cm(fair, 30, 20, 20, 30), "B": cm(fair, 20, 30, 0, 50)}
    assert fair["demographic_parity_difference"](groups) == pytest.approx(0.0)
    assert fair["selection_rate_ratio"](groups) == pytest.approx(1.0)
    assert fair["passes_four_fifths"](groups) is True
    assert fair["equal_opportunity_difference"](groups) == pytest.approx(0.4)
    assert fair["equalised_odds_difference"](groups) == pytest.approx(0.4)


def test_equalised_odds_takes_the_larger_gap(fair: dict[str, Any]) -> None:
    # TPR: 45/50 = 0.9 vs 40/50 = 0.8 (gap 0.1); FPR: 5/50 = 0.1 vs 20/50 = 0.4 (gap 0.3).
    groups = {"A": cm(fair, 45, 5, 5, 45), "B": cm(fair, 40, 20, 10, 30)}
    assert fair["equal_opportunity_difference"](groups) == pytest.approx(0.1)
    assert fair["equalised_odds_difference"](groups) == pytest.approx(0.3)


def test_differences_are_not_signed(fair: dict[str, Any]) -> None:
    a, b = cm(fair, 40, 10, 10, 40), cm(fair, 16, 16, 4, 64)
    assert fair["demographic_parity_difference"]({"A": a, "B": b}) == pytest.approx(
        fair["demographic_parity_difference"]({"A": b, "B": a})
    )
    assert fair["demographic_parity_difference"]({"A": b, "B": a}) > 0


def test_more_than_two_groups_use_largest_minus_smallest(fair: dict[str, Any]) -> None:
    # Selection rates 0.2, 0.5 and 0.3: difference 0.3, ratio 0.4.
    groups = {
        "A": cm(fair, 10, 10, 10, 70),
        "B": cm(fair, 30, 20, 10, 40),
        "C": cm(fair, 20, 10, 10, 60),
    }
    assert fair["demographic_parity_difference"](groups) == pytest.approx(0.3)
    assert fair["selection_rate_ratio"](groups) == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("selected_b", "passes"),
    [(40, True), (39, False), (50, True), (41, True)],  # group A selects 50 of 100
)
def test_four_fifths_boundary(fair: dict[str, Any], selected_b: int, passes: bool) -> None:
    # 40/100 against 50/100 is a ratio of exactly 0.8, which passes.
    groups = {"A": cm(fair, 25, 25, 25, 25), "B": cm(fair, selected_b, 0, 0, 100 - selected_b)}
    assert fair["passes_four_fifths"](groups) is passes
    assert fair["FOUR_FIFTHS"] == pytest.approx(0.8)


def test_selection_rate_identity(fair: dict[str, Any]) -> None:
    """Selection = TPR x base rate + FPR x (1 - base rate): a second formulation."""
    rng = random.Random(7)
    for _ in range(200):
        tp, fp, fn, tn = (rng.randint(1, 500) for _ in range(4))
        c = cm(fair, tp, fp, fn, tn)
        n = tp + fp + fn + tn
        base = (tp + fn) / n
        rebuilt = fair["true_positive_rate"](c) * base + fair["false_positive_rate"](c) * (1 - base)
        assert fair["selection_rate"](c) == pytest.approx(rebuilt)


def test_metrics_agree_with_an_independent_calculation(fair: dict[str, Any]) -> None:
    rng = random.Random(11)
    for _ in range(200):
        y_a = [int(rng.random() < 0.3) for _ in range(60)]
        y_b = [int(rng.random() < 0.6) for _ in range(40)]
        p_a = [int(rng.random() < (0.7 if y else 0.2)) for y in y_a]
        p_b = [int(rng.random() < (0.5 if y else 0.1)) for y in y_b]
        if not (0 < sum(y_a) < 60 and 0 < sum(y_b) < 40 and (sum(p_a) or sum(p_b))):
            continue
        groups = {"A": fair["confusion"](y_a, p_a), "B": fair["confusion"](y_b, p_b)}

        def rates(y: list[int], p: list[int]) -> tuple[float, float, float]:
            pos = [q for t, q in zip(y, p, strict=True) if t == 1]
            neg = [q for t, q in zip(y, p, strict=True) if t == 0]
            return sum(p) / len(p), sum(pos) / len(pos), sum(neg) / len(neg)

        (sa, ta, fa), (sb, tb, fb) = rates(y_a, p_a), rates(y_b, p_b)
        assert fair["demographic_parity_difference"](groups) == pytest.approx(abs(sa - sb))
        assert fair["equal_opportunity_difference"](groups) == pytest.approx(abs(ta - tb))
        assert fair["equalised_odds_difference"](groups) == pytest.approx(
            max(abs(ta - tb), abs(fa - fb))
        )
        assert fair["selection_rate_ratio"](groups) == pytest.approx(min(sa, sb) / max(sa, sb))
        assert fair["passes_four_fifths"](groups) == (5 * min(sa, sb) >= 4 * max(sa, sb) - 1e-12)
