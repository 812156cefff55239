"""Why two observations were or were not linked, feature by feature."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from decnet.clustering.evidence import Evidence, pair_distance, score_pairs
from decnet.clustering.table import IntArray


@dataclasses.dataclass(frozen=True)
class PairExplanation:
    """The evidence of one pair: each kind's contribution and the verdict.

    `features` holds `{"kind", "value", "frequency", "weight"}` per kind that
    counted: the heaviest shared value (frequency = observations carrying
    it), or for a disagreement `value` None and a negative weight. For a
    SimHash kind `value` is the first side's hash and `distance` is added.
    """

    bits: float
    posterior: float
    needed_bits: float
    features: list[dict[str, Any]]

    @property
    def linked_by_score(self) -> bool:
        return self.bits >= self.needed_bits


def _values_of(evidence: Evidence, i: int) -> IntArray:
    table = evidence.table
    start, stop = np.searchsorted(table.row_obs, [i, i + 1])
    return table.row_val[start:stop]


def explain_pair(evidence: Evidence, i: int, j: int) -> PairExplanation:
    """Explain the score of observations `i` and `j` (indices, any order)."""
    a, b = min(i, j), max(i, j)
    table = evidence.table
    scores = score_pairs(evidence, np.array([a]), np.array([b]))
    kind_bits = scores.kind_bits[0]
    shared = np.intersect1d(_values_of(evidence, a), _values_of(evidence, b))
    out: list[dict[str, Any]] = []
    for k in np.flatnonzero(kind_bits).tolist():
        weight = round(float(kind_bits[k]), 3)
        kind = table.kinds[k]
        if weight < 0:
            out.append(
                {"kind": kind, "value": None, "frequency": None, "weight": weight}
            )
            continue
        if k in evidence.simhash:
            out.append(_simhash_entry(evidence, k, a, b, weight))
            continue
        of_kind = shared[table.value_kind[shared] == k]
        best = of_kind[np.argmax(evidence.weights[of_kind])]
        out.append(
            {
                "kind": kind,
                "value": table.values[best],
                "frequency": int(evidence.counts[best]),
                "weight": weight,
            }
        )
    out.sort(key=lambda entry: -entry["weight"])
    bits = float(scores.bits[0])
    posterior = float(1.0 / (1.0 + 2.0 ** -(bits + evidence.prior_bits)))
    return PairExplanation(
        bits=round(bits, 3),
        posterior=posterior,
        needed_bits=round(evidence.needed_bits, 3),
        features=out,
    )


def _simhash_entry(
    evidence: Evidence, k: int, a: int, b: int, weight: float
) -> dict[str, Any]:
    index = evidence.simhash[k]
    distance = int(pair_distance(index, np.array([a]), np.array([b]))[0])
    values = index.hashes[a][index.present[a]]
    value = f"{int(values[0]):016x}" if len(values) else None
    density = int(max(index.density[a], index.density[b], 1))
    return {
        "kind": index.kind,
        "value": value,
        "frequency": density + 1,
        "weight": weight,
        "distance": distance,
    }
