"""Match weights of the Fellegi-Sunter kind with term-frequency adjustment.

For a value `v` of kind `k` carried by `n_v` of `N` observations, the chance
that an unrelated observation shares it is `u_v = max(n_v - 1, 1) / (N - 1)`
and agreement adds `log2(m_k / u_v)` bits, capped at the kind's `max_bits`.
When both observations carry a tooling kind and share none of its values,
the pair loses `log2((1 - m_k) / (1 - U_k))` bits, where `U_k` is the chance
that two random observations agree on the kind. Several values of one kind
count once: a pair scores the heaviest value it shares in each kind, because
values of one kind (credentials of one wordlist, shingles of one script) are
far from independent. SimHash kinds agree within their Hamming distance; a
near match loses `near_penalty_bits` per differing bit and its `u` comes from
the number of observations found that close.
"""

from __future__ import annotations

import dataclasses
import functools
import math

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from decnet import features
from decnet.clustering.params import ModelParams
from decnet.clustering.table import FeatureTable, IntArray

FloatArray = npt.NDArray[np.float64]
MAX_SIMHASHES_PER_OBSERVATION = 4


@dataclasses.dataclass(frozen=True)
class Evidence:
    """Per-value weights and per-kind constants for one feature table.

    `weights[v]` is the agreement weight of value `v` in bits (zero for a
    kind the model ignores); `disagreement[k]` is the (negative) weight of a
    disagreement on kind index `k`, zero for kinds that are not tooling.
    """

    table: FeatureTable
    params: ModelParams
    counts: IntArray
    weights: FloatArray
    disagreement: FloatArray
    prior_bits: float
    threshold_bits: float
    simhash: dict[int, SimhashIndex]
    group_of_kind: IntArray

    @property
    def needed_bits(self) -> float:
        """Return the summed weight a pair needs to be linked."""
        return self.threshold_bits - self.prior_bits

    @functools.cached_property
    def incidence(self) -> sp.csr_matrix:
        """The observation-by-value 0/1 matrix of the table."""
        table = self.table
        return sp.csr_matrix(
            (
                np.ones(len(table.row_obs), dtype=np.float32),
                (table.row_obs, table.row_val),
            ),
            shape=(table.n_observations, max(table.n_values, 1)),
        )

    @functools.cached_property
    def has_kind(self) -> npt.NDArray[np.bool_]:
        """`has_kind[i, k]`: observation `i` carries kind index `k`."""
        table = self.table
        has = np.zeros((table.n_observations, len(table.kinds)), dtype=np.bool_)
        has[table.row_obs, table.value_kind[table.row_val]] = True
        return has


@dataclasses.dataclass(frozen=True)
class SimhashIndex:
    """The SimHash values of one kind, at most a few per observation.

    `hashes[i]` holds up to MAX_SIMHASHES_PER_OBSERVATION values of
    observation `i` (0 where absent, with `present` False); `density[i]` is
    the number of other observations found within the kind's distance.
    """

    kind: str
    hamming: int
    hashes: npt.NDArray[np.uint64]
    present: npt.NDArray[np.bool_]
    density: IntArray


def value_weights(table: FeatureTable, params: ModelParams) -> FloatArray:
    """Return the capped agreement weight of every value, in bits."""
    n = table.fleet_size
    counts = table.counts()
    u = np.maximum(counts - 1, 1) / max(n - 1, 1)
    m = np.zeros(len(table.kinds))
    caps = np.zeros(len(table.kinds))
    for k, kind in enumerate(table.kinds):
        kp = params.kind(kind)
        if kp is not None:
            m[k], caps[k] = kp.m, kp.max_bits
    mk = m[table.value_kind]
    with np.errstate(divide="ignore"):
        raw = np.where(mk > 0, np.log2(np.where(mk > 0, mk, 1.0) / u), 0.0)
    return np.minimum(raw, caps[table.value_kind])


def disagreement_weights(table: FeatureTable, params: ModelParams) -> FloatArray:
    """Return the weight of a disagreement on each kind (0 for non-tooling).

    NOTE: on a partial table (an incremental pass) `U_k` sums only the
    values present, which underestimates it slightly.
    """
    n = table.fleet_size
    counts = table.counts().astype(np.float64)
    out = np.zeros(len(table.kinds))
    if n < 2:
        return out
    for k, kind in enumerate(table.kinds):
        kp = params.kind(kind)
        if kp is None or kind not in params.tooling_kinds:
            continue
        c = counts[table.value_kind == k]
        agree = float(np.sum(c * (c - 1))) / (n * (n - 1))
        out[k] = math.log2((1.0 - kp.m) / max(1.0 - agree, 1e-9))
    return out


def build_evidence(
    table: FeatureTable,
    params: ModelParams,
    simhash_density: dict[str, IntArray] | None = None,
) -> Evidence:
    """Compute the weights of `table` under `params`.

    `simhash_density` maps a SimHash kind to the per-observation count of
    near neighbours found by the band index; absent kinds count zero.
    """
    n = table.fleet_size
    simhash: dict[int, SimhashIndex] = {}
    for k, kind in enumerate(table.kinds):
        kp = params.kind(kind)
        if kind in features.SIMHASH_KINDS and kp is not None:
            density = (simhash_density or {}).get(kind)
            simhash[k] = simhash_index(table, k, kp.hamming, density)
    return Evidence(
        table=table,
        params=params,
        counts=table.counts(),
        weights=value_weights(table, params),
        disagreement=disagreement_weights(table, params),
        prior_bits=params.prior_bits(n),
        threshold_bits=params.threshold_bits(),
        simhash=simhash,
        group_of_kind=_group_ids(table, params),
    )


def _group_ids(table: FeatureTable, params: ModelParams) -> IntArray:
    names = sorted({params.group(kind) for kind in table.kinds})
    return np.array(
        [names.index(params.group(kind)) for kind in table.kinds], dtype=np.int64
    )


def parse_simhash(text: str) -> int | None:
    """Return the 64-bit integer of a 16-hex-digit SimHash, or None if malformed."""
    if len(text) != 16:
        return None
    try:
        return int(text, 16)
    except ValueError:
        return None


def simhash_index(
    table: FeatureTable, k: int, hamming: int, density: IntArray | None
) -> SimhashIndex:
    """Collect the SimHash values of kind index `k` per observation."""
    n = table.n_observations
    hashes = np.zeros((n, MAX_SIMHASHES_PER_OBSERVATION), dtype=np.uint64)
    present = np.zeros((n, MAX_SIMHASHES_PER_OBSERVATION), dtype=np.bool_)
    rows = np.flatnonzero(table.value_kind[table.row_val] == k)
    slot = np.zeros(n, dtype=np.int64)
    # NOTE: an observation keeps only its first four SimHashes of a kind
    # (in value order); more sessions with distinct scripts are not compared.
    for r in rows:
        i = int(table.row_obs[r])
        s = slot[i]
        if s >= MAX_SIMHASHES_PER_OBSERVATION:
            continue
        value = parse_simhash(table.values[table.row_val[r]])
        if value is None:
            continue
        hashes[i, s] = np.uint64(value)
        present[i, s] = True
        slot[i] = s + 1
    if density is None:
        density = np.zeros(n, dtype=np.int64)
    return SimhashIndex(
        kind=table.kinds[k],
        hamming=hamming,
        hashes=hashes,
        present=present,
        density=density,
    )


@dataclasses.dataclass(frozen=True)
class PairScores:
    """Scores of candidate pairs `(left[p], right[p])` with `left < right`.

    `bits` is the summed match weight; `kind_bits[p, k]` the contribution of
    kind index `k` (negative for a disagreement).
    """

    left: IntArray
    right: IntArray
    bits: FloatArray
    kind_bits: npt.NDArray[np.float32]


def score_pairs(
    evidence: Evidence,
    left: IntArray,
    right: IntArray,
    chunk: int = 500_000,
    *,
    per_kind: bool = True,
) -> PairScores:
    """Score every candidate pair, `chunk` pairs at a time to bound memory.

    With `per_kind` False, `kind_bits` is left empty (shape (0, kinds)): a
    full pass needs only the sums, and the per-kind matrix of millions of
    pairs would dominate its memory.
    """
    table = evidence.table
    n_kinds = len(table.kinds)
    incidence = evidence.incidence
    has_kind = evidence.has_kind
    parts, sums = [], []
    for start in range(0, len(left), chunk):
        a = left[start : start + chunk]
        b = right[start : start + chunk]
        part = _score_chunk(evidence, incidence, has_kind, a, b, n_kinds)
        sums.append(part.sum(axis=1, dtype=np.float64))
        if per_kind:
            parts.append(part)
    empty = np.zeros((0, n_kinds), dtype=np.float32)
    return PairScores(
        left=left,
        right=right,
        bits=np.concatenate(sums) if sums else np.zeros(0),
        kind_bits=np.concatenate(parts) if parts else empty,
    )


def _score_chunk(
    evidence: Evidence,
    incidence: sp.csr_matrix,
    has_kind: npt.NDArray[np.bool_],
    a: IntArray,
    b: IntArray,
    n_kinds: int,
) -> npt.NDArray[np.float32]:
    table = evidence.table
    out = np.zeros((len(a), n_kinds), dtype=np.float32)
    shared = incidence[a].multiply(incidence[b]).tocoo()
    if shared.nnz:
        kind = table.value_kind[shared.col]
        exact = np.ones(len(table.kinds), dtype=np.bool_)
        exact[list(evidence.simhash)] = False
        keep = exact[kind]
        np.maximum.at(
            out,
            (shared.row[keep], kind[keep]),
            evidence.weights[shared.col[keep]].astype(np.float32),
        )
    for k, index in evidence.simhash.items():
        out[:, k] = _simhash_bits(evidence, index, a, b)
    agreed = out > 0
    for k in np.flatnonzero(evidence.disagreement):
        both = has_kind[a, k] & has_kind[b, k] & ~agreed[:, k]
        out[both, k] = evidence.disagreement[k]
    _keep_one_per_group(out, evidence.group_of_kind)
    return out


def _keep_one_per_group(out: npt.NDArray[np.float32], groups: IntArray) -> None:
    """Zero every entry but the one each group counts: its heaviest agreement,
    or without one its strongest disagreement."""
    for g in np.unique(groups):
        cols = np.flatnonzero(groups == g)
        if len(cols) < 2:
            continue
        block = out[:, cols]
        best = block.max(axis=1)
        pick = np.where(best > 0, block.argmax(axis=1), block.argmin(axis=1))
        kept = block[np.arange(len(block)), pick]
        block[:] = 0
        block[np.arange(len(block)), pick] = kept
        out[:, cols] = block


def _simhash_bits(
    evidence: Evidence, index: SimhashIndex, a: IntArray, b: IntArray
) -> npt.NDArray[np.float32]:
    kp = evidence.params.kind(index.kind)
    assert kp is not None
    distance = pair_distance(index, a, b)
    near = distance <= index.hamming
    n = evidence.table.fleet_size
    neighbours = np.maximum(np.maximum(index.density[a], index.density[b]), 1)
    u = neighbours / max(n - 1, 1)
    bits = np.minimum(np.log2(kp.m / u), kp.max_bits) - kp.near_penalty_bits * distance
    return np.where(near, np.maximum(bits, 0.0), 0.0).astype(np.float32)


def pair_distance(index: SimhashIndex, a: IntArray, b: IntArray) -> IntArray:
    """Return the least Hamming distance between the SimHashes of each pair.

    A pair where either side has no value of the kind gets distance 65.
    """
    best = np.full(len(a), 65, dtype=np.int64)
    for s in range(MAX_SIMHASHES_PER_OBSERVATION):
        for t in range(MAX_SIMHASHES_PER_OBSERVATION):
            valid = index.present[a, s] & index.present[b, t]
            if not valid.any():
                continue
            d = np.bitwise_count(index.hashes[a, s] ^ index.hashes[b, t]).astype(
                np.int64
            )
            best = np.where(valid, np.minimum(best, d), best)
    return best


def posterior(evidence: Evidence, bits: FloatArray | float) -> FloatArray:
    """Return the posterior match probability of summed weights `bits`."""
    odds_bits = np.clip(np.asarray(bits) + evidence.prior_bits, -1000, 1000)
    return 1.0 / (1.0 + np.exp2(-odds_bits))
