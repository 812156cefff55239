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
# Posterior below which a pair outside one part counts as no own neighbour.
MIN_OWN_POSTERIOR = 0.05


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
    value_m: FloatArray
    value_cap: FloatArray
    same_hands: SameHands | None = None

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


@dataclasses.dataclass(frozen=True)
class SameHands:
    """The parts the previous round of the model formed.

    A value looks common when one actor carries it on many addresses, yet
    `u` is the chance that an *unrelated* observation carries it. The next
    round therefore leaves out of `n_v` the carriers that sit in the part
    of either side of the pair: under the hypothesis that the pair is one
    actor, both parts are that actor. `part_codes` (sorted codes
    `label * n_values + value`) and `part_counts` give how many
    observations of each part carry each value, and `part_sizes[label]`
    how many observations the part has.

    `near[k][i]` is the expected number of near neighbours of SimHash kind
    index `k` that are observation `i`'s own: those in its part count 1,
    those outside count their pair's posterior. `pair_codes` (sorted
    `left * n + right`) and `pair_posterior` hold each candidate pair's
    posterior, which is left out again when that pair is scored, so a pair
    never raises its own weight.
    """

    labels: IntArray
    part_sizes: IntArray
    part_codes: IntArray
    part_counts: IntArray
    near: dict[int, FloatArray]
    pair_codes: IntArray
    pair_posterior: FloatArray


def value_weights(table: FeatureTable, params: ModelParams) -> FloatArray:
    """Return the capped agreement weight of every value, in bits."""
    m, caps = _value_params(table, params)
    return _weights(table.counts() - 1, table.fleet_size, m, caps)


def _value_params(
    table: FeatureTable, params: ModelParams
) -> tuple[FloatArray, FloatArray]:
    """Return `m` and `max_bits` of every value (0 and 0 for ignored kinds)."""
    m = np.zeros(len(table.kinds))
    caps = np.zeros(len(table.kinds))
    for k, kind in enumerate(table.kinds):
        kp = params.kind(kind)
        if kp is not None:
            m[k], caps[k] = kp.m, kp.max_bits
    return m[table.value_kind], caps[table.value_kind]


def _weights(
    unrelated: npt.ArrayLike, n: int, m: FloatArray, caps: FloatArray
) -> FloatArray:
    """Return `min(log2(m / u), cap)` with `u = max(unrelated, 1) / (n - 1)`:
    `unrelated` is how many other observations carry the value by chance."""
    u = np.maximum(np.asarray(unrelated, dtype=np.float64), 1.0) / max(n - 1, 1)
    with np.errstate(divide="ignore"):
        raw = np.where(m > 0, np.log2(np.where(m > 0, m, 1.0) / u), 0.0)
    return np.minimum(raw, caps)


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
        if kp is None or kind not in params.disagreement_kinds:
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
    near neighbours found by the band index; absent kinds count zero. The
    band index pairs only a window of neighbours in a large bucket, so each
    count is raised to the carriers of the observation's own exact hashes.
    """
    n = table.fleet_size
    simhash: dict[int, SimhashIndex] = {}
    for k, kind in enumerate(table.kinds):
        kp = params.kind(kind)
        if kind in features.SIMHASH_KINDS and kp is not None:
            density = np.maximum(
                (simhash_density or {}).get(kind, 0), _exact_carriers(table, k) - 1
            )
            simhash[k] = simhash_index(table, k, kp.hamming, density)
    m, caps = _value_params(table, params)
    return Evidence(
        table=table,
        params=params,
        counts=table.counts(),
        weights=_weights(table.counts() - 1, n, m, caps),
        disagreement=disagreement_weights(table, params),
        prior_bits=params.prior_bits(n),
        threshold_bits=params.threshold_bits(),
        simhash=simhash,
        group_of_kind=_group_ids(table, params),
        value_m=m,
        value_cap=caps,
    )


def _exact_carriers(table: FeatureTable, k: int) -> IntArray:
    """Return per observation the most carriers of any one of its values of
    kind index `k` (0 without one)."""
    out = np.zeros(table.n_observations, dtype=np.int64)
    rows = np.flatnonzero(table.value_kind[table.row_val] == k)
    np.maximum.at(out, table.row_obs[rows], table.counts()[table.row_val[rows]])
    return out


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
        rows, cols = shared.row[keep], shared.col[keep]
        if evidence.same_hands is None:
            weights = evidence.weights[cols]
        else:
            weights = _weights_left_out(evidence, a[rows], b[rows], cols)
        np.maximum.at(out, (rows, kind[keep]), weights.astype(np.float32))
    for k, index in evidence.simhash.items():
        out[:, k] = _simhash_bits(evidence, index, a, b)
    agreed = out > 0
    for k in np.flatnonzero(evidence.disagreement):
        both = has_kind[a, k] & has_kind[b, k] & ~agreed[:, k]
        out[both, k] = evidence.disagreement[k]
    _keep_one_per_group(out, evidence.group_of_kind)
    _limit_campaign_evidence(evidence, has_kind, out, a, b)
    return out


def _limit_campaign_evidence(
    evidence: Evidence,
    has_kind: npt.NDArray[np.bool_],
    out: npt.NDArray[np.float32],
    a: IntArray,
    b: IntArray,
) -> None:
    """Cap what infrastructure and public downloads may add to a pair.

    Two operators of one campaign share its C2 and payload builds while
    their hands (client, script, typing) differ, so when the client software
    disagrees the campaign kinds add at most `campaign_bits_on_tooling_conflict`.
    When both observations fetched from public hosting, the payload they
    share is most likely that public download and weighs no more than a
    public endpoint.
    """
    params = evidence.params
    kinds = evidence.table.kinds
    tooling = [k for k, kind in enumerate(kinds) if kind in params.tooling_kinds]
    campaign = [k for k, kind in enumerate(kinds) if kind in params.campaign_kinds]
    if tooling and campaign:
        conflict = out[:, tooling].sum(axis=1) < 0
        if conflict.any():
            limit = np.float32(params.campaign_bits_on_tooling_conflict)
            rows = np.flatnonzero(conflict)
            out[np.ix_(rows, campaign)] = np.minimum(out[np.ix_(rows, campaign)], limit)
    public = evidence.table.kind_index(features.PUBLIC_ENDPOINT)
    public_params = params.kind(features.PUBLIC_ENDPOINT)
    payload = [
        k
        for k, kind in enumerate(kinds)
        if kind in (features.PAYLOAD_SHA256, features.PAYLOAD_SIMHASH)
    ]
    if public is None or public_params is None or not payload:
        return
    # NOTE: features do not say which URL a payload came from, so an actor
    # that fetches a public tool and its own build loses weight on the build.
    both = np.flatnonzero(has_kind[a, public] & has_kind[b, public])
    if len(both):
        limit = np.float32(public_params.max_bits)
        out[np.ix_(both, payload)] = np.minimum(out[np.ix_(both, payload)], limit)


def _weights_left_out(
    evidence: Evidence, a: IntArray, b: IntArray, values: IntArray
) -> FloatArray:
    """Return the weight of each shared value `values[s]` of pair `(a[s], b[s])`,
    leaving out of its carriers those in the previous parts of either side."""
    hands = evidence.same_hands
    assert hands is not None
    n_values = max(evidence.table.n_values, 1)
    la, lb = hands.labels[a], hands.labels[b]
    in_a = _part_count(hands, la, values, n_values)
    in_b = _part_count(hands, lb, values, n_values)
    # Carriers beyond the pair itself; the other side stays counted, as in
    # the first round, so that one round with singleton parts changes nothing.
    extra = np.where(la != lb, (in_a - 1) + (in_b - 1), in_a - 2)
    unrelated = evidence.counts[values] - 1 - np.maximum(extra, 0)
    return _weights(
        unrelated,
        evidence.table.fleet_size,
        evidence.value_m[values],
        evidence.value_cap[values],
    )


def _part_count(
    hands: SameHands, labels: IntArray, values: IntArray, n_values: int
) -> IntArray:
    """Return how many members of part `labels[s]` carry `values[s]`.

    The caller knows one member to carry it, so only parts of two or more
    are looked up.
    """
    out = np.ones(len(labels), dtype=np.int64)
    grouped = np.flatnonzero(hands.part_sizes[labels] >= 2)
    if len(grouped):
        codes = labels[grouped] * n_values + values[grouped]
        out[grouped] = _lookup(hands.part_codes, hands.part_counts, codes)
    return out


def _lookup(codes: IntArray, values: npt.NDArray, keys: IntArray) -> npt.NDArray:
    """Return `values` at the positions of `keys` in sorted `codes`, 0 where absent."""
    if len(codes) == 0:
        return np.zeros(len(keys), dtype=values.dtype)
    pos = np.minimum(np.searchsorted(codes, keys), len(codes) - 1)
    return np.where(codes[pos] == keys, values[pos], 0)


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
    density_a = index.density[a].astype(np.float64)
    density_b = index.density[b].astype(np.float64)
    hands = evidence.same_hands
    k = evidence.table.kinds.index(index.kind)
    if hands is not None and k in hands.near:
        # Leave out each side's own near neighbours, except the other side
        # of the pair itself.
        same = hands.labels[a] == hands.labels[b]
        own = np.zeros(len(a))
        close = np.flatnonzero(near)
        previous = _lookup(
            hands.pair_codes,
            hands.pair_posterior,
            a[close] * np.int64(evidence.table.n_observations) + b[close],
        )
        own[close] = np.where(same[close], 1.0, previous)
        density_a -= np.maximum(hands.near[k][a] - own, 0.0)
        density_b -= np.maximum(hands.near[k][b] - own, 0.0)
    neighbours = np.maximum(np.maximum(density_a, density_b), 1.0)
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


def near_pairs(
    evidence: Evidence, left: IntArray, right: IntArray
) -> dict[int, npt.NDArray[np.bool_]]:
    """Mark, per SimHash kind index, the pairs within the kind's distance."""
    return {
        k: pair_distance(index, left, right) <= index.hamming
        for k, index in evidence.simhash.items()
    }


def same_hands(
    evidence: Evidence,
    left: IntArray,
    right: IntArray,
    bits: FloatArray,
    labels: IntArray,
    close: dict[int, npt.NDArray[np.bool_]] | None = None,
) -> SameHands:
    """Summarise a round's parts (`labels`) and pair scores (`bits` of the
    candidate pairs `left < right`) for the next round's weights.

    The candidates include every near pair of each SimHash kind that the
    band index found, so the near counts are complete. `close` may give,
    per SimHash kind index, which candidate pairs are near (see
    `near_pairs`), to save computing it again each round.
    """
    table = evidence.table
    n = table.n_observations
    n_values = max(table.n_values, 1)
    codes = np.sort(labels[table.row_obs] * n_values + table.row_val)
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else []
    counts = np.diff(np.r_[starts, len(codes)]).astype(np.int64)
    probability = posterior(evidence, bits)
    # Pairs under MIN_OWN_POSTERIOR count no neighbour: at 100,000
    # observations, common scanner scripts otherwise make a third of the
    # fleet change between rounds for a few hundredths of a bit.
    own = np.where(labels[left] == labels[right], 1.0, probability)
    own[own < MIN_OWN_POSTERIOR] = 0.0
    near: dict[int, FloatArray] = {}
    if close is None:
        close = near_pairs(evidence, left, right)
    for k, near_pair in close.items():
        count = np.bincount(left[near_pair], weights=own[near_pair], minlength=n)
        count += np.bincount(right[near_pair], weights=own[near_pair], minlength=n)
        near[k] = count
    pair_codes = left * np.int64(n) + right
    order = np.argsort(pair_codes, kind="stable")
    return SameHands(
        labels=labels,
        part_sizes=np.bincount(labels, minlength=n),
        part_codes=codes[starts],
        part_counts=counts,
        near=near,
        pair_codes=pair_codes[order],
        pair_posterior=probability[order],
    )
