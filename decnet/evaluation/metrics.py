"""Clustering metrics comparing predicted groups of addresses with the truth.

All metrics take two label sequences of equal length, item by item: the
true group and the predicted group of each scored address. Scikit-learn
supplies the adjusted Rand index, homogeneity (1.0 means no false merges),
completeness (1.0 means no false splits) and V-measure. The pair- and
item-based metrics are computed here from the contingency table:

- B-cubed precision: mean over items of the share of its predicted group
  that is in its true group; recall likewise with the roles swapped.
- Pairwise precision: of the pairs put together, the share that belong
  together; recall: of the pairs that belong together, the share found.
  With no predicted (true) pairs, precision (recall) is 1.0.
- Singleton recall: of the items alone in their true group, the share also
  alone in their predicted group; None when the truth has no singletons.
- Groups whole: of the true groups with two or more items, the share whose
  items all share one predicted group; groups exact: the share predicted
  exactly, with nothing else in the predicted group. None without such groups.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class Scores:
    """Every metric for one level (identity or campaign); see the module docstring."""

    items: int
    true_groups: int
    predicted_groups: int
    ari: float
    homogeneity: float
    completeness: float
    v_measure: float
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    pairwise_precision: float
    pairwise_recall: float
    singleton_recall: float | None
    groups_whole: float | None
    groups_exact: float | None

    def as_dict(self) -> dict[str, float | int | None]:
        return asdict(self)


METRIC_NAMES = (
    "ari",
    "homogeneity",
    "completeness",
    "v_measure",
    "bcubed_precision",
    "bcubed_recall",
    "bcubed_f1",
    "pairwise_precision",
    "pairwise_recall",
    "singleton_recall",
    "groups_whole",
    "groups_exact",
)


def _encode(labels: Sequence[object]) -> np.ndarray:
    _, codes = np.unique(
        np.asarray(labels, dtype=object).astype(str), return_inverse=True
    )
    return codes.astype(np.int64)


def _pairs(counts: np.ndarray) -> float:
    counts = counts.astype(np.float64)
    return float((counts * (counts - 1) / 2).sum())


def score(true_labels: Sequence[object], predicted_labels: Sequence[object]) -> Scores:
    """Compute every metric; raise ValueError when the sequences differ in length.

    Labels may be any values with a string form; equal strings are one group.
    Empty input gives perfect scores with zero items.
    """
    if len(true_labels) != len(predicted_labels):
        raise ValueError(
            f"{len(true_labels)} true labels but {len(predicted_labels)} predicted"
        )
    if len(true_labels) == 0:
        return Scores(
            0, 0, 0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, None, None, None
        )
    # scikit-learn takes most of a second to import, so only scoring pays
    # for it and the `decnet` command starts without it.
    from sklearn import metrics as skm

    truth = _encode(true_labels)
    predicted = _encode(predicted_labels)
    n = truth.size

    contingency = skm.cluster.contingency_matrix(truth, predicted, sparse=True).tocoo()
    cells = contingency.data.astype(np.float64)
    true_sizes = np.bincount(truth).astype(np.float64)
    predicted_sizes = np.bincount(predicted).astype(np.float64)

    bcubed_precision = float(
        (cells * cells / predicted_sizes[contingency.col]).sum() / n
    )
    bcubed_recall = float((cells * cells / true_sizes[contingency.row]).sum() / n)
    bcubed_f1 = _harmonic(bcubed_precision, bcubed_recall)

    together = _pairs(cells)
    predicted_pairs = _pairs(predicted_sizes)
    true_pairs = _pairs(true_sizes)
    pairwise_precision = together / predicted_pairs if predicted_pairs else 1.0
    pairwise_recall = together / true_pairs if true_pairs else 1.0

    singletons = true_sizes[truth] == 1
    singleton_recall = (
        float((predicted_sizes[predicted[singletons]] == 1).mean())
        if singletons.any()
        else None
    )
    whole, exact = _groups_recovered(contingency, true_sizes, predicted_sizes)

    homogeneity, completeness, v_measure = skm.homogeneity_completeness_v_measure(
        truth, predicted
    )
    return Scores(
        items=n,
        true_groups=int(true_sizes.size),
        predicted_groups=int(predicted_sizes.size),
        ari=float(skm.adjusted_rand_score(truth, predicted)),
        homogeneity=float(homogeneity),
        completeness=float(completeness),
        v_measure=float(v_measure),
        bcubed_precision=bcubed_precision,
        bcubed_recall=bcubed_recall,
        bcubed_f1=bcubed_f1,
        pairwise_precision=pairwise_precision,
        pairwise_recall=pairwise_recall,
        singleton_recall=singleton_recall,
        groups_whole=whole,
        groups_exact=exact,
    )


def _harmonic(precision: float, recall: float) -> float:
    total = precision + recall
    return 2 * precision * recall / total if total else 0.0


def _groups_recovered(
    contingency: object, true_sizes: np.ndarray, predicted_sizes: np.ndarray
) -> tuple[float | None, float | None]:
    rows = contingency.row  # type: ignore[attr-defined]
    cols = contingency.col  # type: ignore[attr-defined]
    cells = contingency.data  # type: ignore[attr-defined]
    multi = true_sizes >= 2
    if not multi.any():
        return None, None
    # A true group is whole when one cell contains all of its items.
    complete = cells == true_sizes[rows]
    whole_rows = np.zeros(true_sizes.size, dtype=bool)
    whole_rows[rows[complete]] = True
    exact_rows = np.zeros(true_sizes.size, dtype=bool)
    exact_rows[rows[complete & (cells == predicted_sizes[cols])]] = True
    groups = int(multi.sum())
    return (
        float((whole_rows & multi).sum() / groups),
        float((exact_rows & multi).sum() / groups),
    )
