"""The clusterer's decision as a pure function: feature table in, partition out."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from decnet.clustering.candidates import Candidates, generate
from decnet.clustering.evidence import Evidence, PairScores, build_evidence, score_pairs
from decnet.clustering.graph import Constraint, Partition, partition
from decnet.clustering.params import ModelParams
from decnet.clustering.table import FeatureTable, IntArray


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
) -> ModelResult:
    """Find candidates, score them and partition the observations of `table`."""
    n = table.n_observations
    base = build_evidence(table, params)
    candidates = generate(table, params, base.weights, base.needed_bits)
    evidence = build_evidence(table, params, candidates.density)
    scores = score_pairs(evidence, candidates.left, candidates.right, per_kind=False)
    risky = table.flags | multi_stack(table, params)
    parts = partition(
        n,
        scores.left,
        scores.right,
        scores.bits,
        evidence.needed_bits,
        risky,
        cohesion_margin_bits=params.cohesion_margin_bits,
        forced=forced,
        constraints=constraints,
    )
    return ModelResult(
        evidence=evidence,
        candidates=candidates,
        scores=scores,
        partition=parts,
        risky=risky,
    )
