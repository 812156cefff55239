"""Metrics against small cases computed by hand."""

from __future__ import annotations

import pytest

from decnet.evaluation.metrics import score

# truth a a a b b c / predicted 1 1 2 2 2 3: contingency a{1:2, 2:1}, b{2:2}, c{3:1}.
MIXED_TRUTH = ["a", "a", "a", "b", "b", "c"]
MIXED_PREDICTED = [1, 1, 2, 2, 2, 3]


def test_bcubed_on_mixed_case() -> None:
    scores = score(MIXED_TRUTH, MIXED_PREDICTED)
    # precision: (1 + 1 + 1/3 + 2/3 + 2/3 + 1) / 6 = 7/9
    assert scores.bcubed_precision == pytest.approx(7 / 9)
    # recall: (2/3 + 2/3 + 1/3 + 1 + 1 + 1) / 6 = 7/9
    assert scores.bcubed_recall == pytest.approx(7 / 9)
    assert scores.bcubed_f1 == pytest.approx(7 / 9)


def test_pairwise_on_mixed_case() -> None:
    scores = score(MIXED_TRUTH, MIXED_PREDICTED)
    # pairs together in both: (a,a) in 1 and (b,b) in 2 = 2; predicted pairs
    # 1 + 3 = 4; true pairs 3 + 1 = 4.
    assert scores.pairwise_precision == pytest.approx(0.5)
    assert scores.pairwise_recall == pytest.approx(0.5)


def test_groups_on_mixed_case() -> None:
    scores = score(MIXED_TRUTH, MIXED_PREDICTED)
    assert scores.singleton_recall == pytest.approx(1.0)
    # b is whole but shares its predicted group with an a; a is split.
    assert scores.groups_whole == pytest.approx(0.5)
    assert scores.groups_exact == pytest.approx(0.0)
    assert scores.true_groups == 3
    assert scores.predicted_groups == 3


def test_one_group_per_item_has_perfect_precision() -> None:
    scores = score(["a", "a", "b"], [1, 2, 3])
    assert scores.bcubed_precision == pytest.approx(1.0)
    assert scores.bcubed_recall == pytest.approx(2 / 3)
    assert scores.pairwise_precision == pytest.approx(1.0)
    assert scores.pairwise_recall == pytest.approx(0.0)
    assert scores.homogeneity == pytest.approx(1.0)
    assert scores.groups_whole == pytest.approx(0.0)


def test_everything_merged_has_perfect_recall() -> None:
    scores = score(["a", "b", "c"], [1, 1, 1])
    assert scores.bcubed_precision == pytest.approx(1 / 3)
    assert scores.bcubed_recall == pytest.approx(1.0)
    assert scores.singleton_recall == pytest.approx(0.0)
    assert scores.groups_whole is None
    assert scores.completeness == pytest.approx(1.0)


def test_perfect_prediction_ignores_label_names() -> None:
    scores = score(["x", "x", "y", "z", "z"], ["q", "q", "r", "s", "s"])
    for name in (
        "ari",
        "homogeneity",
        "completeness",
        "v_measure",
        "bcubed_f1",
        "pairwise_precision",
        "pairwise_recall",
        "groups_exact",
    ):
        assert getattr(scores, name) == pytest.approx(1.0), name


def test_ari_on_mixed_case() -> None:
    # ARI = (index - expected) / (max - expected) with index 2, sums 4 and 4
    # over C(6,2) = 15 pairs: expected 16/15, max 4.
    expected = 4 * 4 / 15
    assert score(MIXED_TRUTH, MIXED_PREDICTED).ari == pytest.approx(
        (2 - expected) / (4 - expected)
    )


def test_no_singletons_gives_undefined_singleton_recall() -> None:
    assert score(["a", "a"], [1, 1]).singleton_recall is None


def test_empty_input_scores_zero_items() -> None:
    scores = score([], [])
    assert scores.items == 0
    assert scores.bcubed_f1 == 1.0


def test_length_mismatch_is_rejected() -> None:
    with pytest.raises(ValueError, match="2 true labels but 1 predicted"):
        score(["a", "b"], [1])
