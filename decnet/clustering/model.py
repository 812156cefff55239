"""The clusterer's decision as a pure function: feature table in, partition out."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from decnet.clustering.candidates import Candidates, generate
from decnet.clustering.evidence import (
    Evidence,
    PairScores,
    SameHands,
    build_evidence,
    near_pairs,
    posterior,
    same_hands,
    score_pairs,
)
from decnet.clustering.graph import Constraint, Partition, partition
from decnet.clustering.params import ModelParams
from decnet.clustering.table import FeatureTable, IntArray

# Re-estimation stops once no candidate pair's posterior moves this much.
SETTLED_POSTERIOR = 0.01
# An own near-neighbour count that moves less than this between rounds is
# treated as unchanged, because it shifts a weight by a small fraction of a bit.
NEAR_TOLERANCE = 0.01


@dataclasses.dataclass(frozen=True)
class ModelResult:
    """Everything one run of the model decided, for writing and explaining."""

    evidence: Evidence
    candidates: Candidates
    scores: PairScores
    partition: Partition
    risky: npt.NDArray[np.bool_]

    @property
    def labels(self) -> IntArray:
        return self.partition.labels


def multi_stack(table: FeatureTable, params: ModelParams) -> npt.NDArray[np.bool_]:
    """Mark observations carrying two or more values of a client-software kind,
    the sign of several clients behind one address (NAT, Tor exit, proxy).
    """
    out = np.zeros(table.n_observations, dtype=np.bool_)
    for kind in params.stack_kinds:
        k = table.kind_index(kind)
        if k is None:
            continue
        rows = table.value_kind[table.row_val] == k
        per_obs = np.bincount(table.row_obs[rows], minlength=table.n_observations)
        out |= per_obs >= 2
    return out


def run_model(
    table: FeatureTable,
    params: ModelParams,
    *,
    forced: Sequence[tuple[int, int]] = (),
    constraints: Sequence[Constraint] = (),
    sizes: IntArray | None = None,
    kept_apart: IntArray | None = None,
) -> ModelResult:
    """Find candidates, score them and partition the observations of `table`.

    The first round weighs each value by the addresses carrying it. Each
    further round (up to `params.reestimation_rounds`) re-weighs the same
    candidates, leaving out of every value's carriers those the previous
    round put with the pair (`evidence.SameHands`), and stops once the
    partition no longer changes. `sizes` (see `graph.partition`) lets a
    node stand for observations outside the table. Two observations with
    different non-negative `kept_apart` codes are never compared.
    """
    base = build_evidence(table, params)
    candidates = generate(table, params, base.weights, base.needed_bits)
    if kept_apart is not None:
        candidates = _drop_kept_apart(candidates, kept_apart)
    evidence = build_evidence(table, params, candidates.density)
    risky = table.flags | multi_stack(table, params)
    scores = score_pairs(evidence, candidates.left, candidates.right, per_kind=False)
    parts = _partition(evidence, scores, risky, forced, constraints, sizes)
    close = near_pairs(evidence, scores.left, scores.right)
    for _ in range(params.reestimation_rounds):
        hands = same_hands(
            evidence, scores.left, scores.right, scores.bits, parts.labels, close
        )
        changed = _changed(evidence.same_hands, hands)
        next_evidence = dataclasses.replace(evidence, same_hands=hands)
        next_scores = _rescore(next_evidence, scores, changed)
        next_parts = _partition(
            next_evidence, next_scores, risky, forced, constraints, sizes
        )
        stable = np.array_equal(next_parts.labels, parts.labels) and _settled(
            evidence, scores, next_scores
        )
        evidence, scores, parts = next_evidence, next_scores, next_parts
        if stable:
            break
    return ModelResult(
        evidence=evidence,
        candidates=candidates,
        scores=scores,
        partition=parts,
        risky=risky,
    )


def _drop_kept_apart(candidates: Candidates, codes: IntArray) -> Candidates:
    a, b = codes[candidates.left], codes[candidates.right]
    keep = (a < 0) | (b < 0) | (a == b)
    return dataclasses.replace(
        candidates, left=candidates.left[keep], right=candidates.right[keep]
    )


def _changed(before: SameHands | None, after: SameHands) -> npt.NDArray[np.bool_]:
    """Mark observations whose part or own near neighbours differ between two
    rounds; the first comparison is against singleton parts without any."""
    n = len(after.labels)
    if before is None:
        sizes = np.bincount(after.labels, minlength=n)[after.labels]
        changed = sizes >= 2
        for count in after.near.values():
            changed |= count > 0
        return changed
    moved = np.flatnonzero(before.labels != after.labels)
    touched_before = np.zeros(n, dtype=np.bool_)
    touched_after = np.zeros(n, dtype=np.bool_)
    touched_before[before.labels[moved]] = True
    touched_after[after.labels[moved]] = True
    changed = touched_before[before.labels] | touched_after[after.labels]
    for k, count in after.near.items():
        changed |= np.abs(count - before.near[k]) > NEAR_TOLERANCE
    return changed


def _rescore(
    evidence: Evidence, previous: PairScores, changed: npt.NDArray[np.bool_]
) -> PairScores:
    """Score again the pairs with a changed side. Every other pair has the
    same weights as in the previous round, so its score is kept."""
    touched = np.flatnonzero(changed[previous.left] | changed[previous.right])
    bits = previous.bits.copy()
    if len(touched):
        again = score_pairs(
            evidence, previous.left[touched], previous.right[touched], per_kind=False
        )
        bits[touched] = again.bits
    return dataclasses.replace(previous, bits=bits)


def _settled(evidence: Evidence, before: PairScores, after: PairScores) -> bool:
    """Tell whether no pair's posterior moved by SETTLED_POSTERIOR or more, so
    that a further round would count the same neighbours."""
    if len(before.bits) == 0:
        return True
    moved = np.abs(posterior(evidence, after.bits) - posterior(evidence, before.bits))
    return bool(moved.max() < SETTLED_POSTERIOR)


def _partition(
    evidence: Evidence,
    scores: PairScores,
    risky: npt.NDArray[np.bool_],
    forced: Sequence[tuple[int, int]],
    constraints: Sequence[Constraint],
    sizes: IntArray | None,
) -> Partition:
    return partition(
        evidence.table.n_observations,
        scores.left,
        scores.right,
        scores.bits,
        evidence.needed_bits,
        risky,
        cohesion_margin_bits=evidence.params.cohesion_margin_bits,
        forced=forced,
        constraints=constraints,
        rank=evidence.table.sort_rank,
        sizes=sizes,
    )
