"""Explanations of pair scores: the evidence behind a link, feature by feature."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from decnet.clustering.evidence import Evidence, pair_distance, score_pairs
from decnet.clustering.table import IntArray


@dataclasses.dataclass(frozen=True)
class PairExplanation:
    """The evidence of one pair: each kind's contribution and the verdict.

    `features` lists `{"kind", "value", "frequency", "weight"}` per kind that
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


def explain_pair(evidence: Evidence, i: int, j: int) -> PairExplanation:
    """Explain the score of observations `i` and `j` (indices, any order)."""
    a, b = min(i, j), max(i, j)
    return explain_pairs(evidence, np.array([a]), np.array([b]))[0]


def explain_pairs(
    evidence: Evidence, left: IntArray, right: IntArray
) -> list[PairExplanation]:
    """Explain many pairs at once (vectorised; `left[p] < right[p]`)."""
    table = evidence.table
    scores = score_pairs(evidence, left, right)
    best = _best_shared_values(evidence, left, right)
    distances = {
        k: pair_distance(index, left, right) for k, index in evidence.simhash.items()
    }
    out = []
    for p in range(len(left)):
        entries: list[dict[str, Any]] = []
        row = scores.kind_bits[p]
        for k in np.flatnonzero(row).tolist():
            weight = round(float(row[k]), 3)
            kind = table.kinds[k]
            if weight < 0:
                entries.append(
                    {"kind": kind, "value": None, "frequency": None, "weight": weight}
                )
            elif k in evidence.simhash:
                entries.append(
                    _simhash_entry(
                        evidence,
                        k,
                        int(left[p]),
                        int(right[p]),
                        weight,
                        int(distances[k][p]),
                    )
                )
            else:
                v = best[(p, k)]
                entries.append(
                    {
                        "kind": kind,
                        "value": table.values[v],
                        "frequency": int(evidence.counts[v]),
                        "weight": weight,
                    }
                )
        entries.sort(key=lambda entry: -entry["weight"])
        bits = float(scores.bits[p])
        out.append(
            PairExplanation(
                bits=round(bits, 3),
                posterior=float(1.0 / (1.0 + 2.0 ** -(bits + evidence.prior_bits))),
                needed_bits=round(evidence.needed_bits, 3),
                features=entries,
            )
        )
    return out


def _best_shared_values(
    evidence: Evidence, left: IntArray, right: IntArray
) -> dict[tuple[int, int], int]:
    """Return the heaviest shared value of each (pair, kind index)."""
    table = evidence.table
    shared = evidence.incidence[left].multiply(evidence.incidence[right]).tocoo()
    rows = shared.row.astype(np.int64)
    cols = shared.col.astype(np.int64)
    kinds = table.value_kind[cols]
    order = np.lexsort((-evidence.weights[cols], kinds, rows))
    rows, kinds, cols = rows[order], kinds[order], cols[order]
    first = np.r_[True, (rows[1:] != rows[:-1]) | (kinds[1:] != kinds[:-1])]
    return {
        (r, k): v
        for r, k, v in zip(
            rows[first].tolist(),
            kinds[first].tolist(),
            cols[first].tolist(),
            strict=True,
        )
    }


def _simhash_entry(
    evidence: Evidence, k: int, a: int, b: int, weight: float, distance: int
) -> dict[str, Any]:
    index = evidence.simhash[k]
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
