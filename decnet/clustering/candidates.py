"""Candidate pairs: only observations that share something are ever compared.

Two indexes propose pairs. The inverted index on (kind, value) groups the
carriers of each value; the band index splits each 64-bit SimHash into
`hamming + 1` bands, so two hashes within that Hamming distance agree
exactly on at least one band (pigeonhole) and meet in one of its buckets.
Inside a group of up to `block_size` members every pair is proposed; a
larger group is sorted by a similarity key and each member is paired with
its next `window` neighbours (the sorted-neighbourhood method), which keeps
the work linear in the number of observations. Values carried by more than
`max_share` of the fleet, or too light to matter (see `floor_bits`), are
not used to find pairs at all.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from decnet import features
from decnet.clustering.evidence import parse_simhash
from decnet.clustering.params import ModelParams
from decnet.clustering.table import FeatureTable, IntArray, sorted_unique


@dataclasses.dataclass(frozen=True)
class Candidates:
    """Unique candidate pairs `(left[p], right[p])`, `left < right`, sorted.

    `density` maps each SimHash kind to the per-observation number of other
    observations found within the kind's Hamming distance. `skipped_values`
    counts values too common or too light to propose pairs, and
    `unindexed_bits` is the most a pair sharing only such values could score.
    """

    left: IntArray
    right: IntArray
    density: dict[str, IntArray]
    skipped_values: int
    unindexed_bits: float


def band_edges(hamming: int) -> list[tuple[int, int]]:
    """Split 64 bits into `hamming + 1` bands of near-equal width.

    Returns `(shift, width)` per band, most significant band first.
    """
    bands = hamming + 1
    if not 1 <= bands <= 64:
        raise ValueError(f"Hamming distance {hamming} must lie in 0..63")
    widths = [64 // bands + (1 if b < 64 % bands else 0) for b in range(bands)]
    edges = []
    top = 64
    for width in widths:
        top -= width
        edges.append((top, width))
    return edges


def block_pairs(
    members: IntArray,
    groups: IntArray,
    keys: IntArray,
    block_size: int,
    window: int,
    ties: IntArray | None = None,
) -> tuple[IntArray, IntArray]:
    """Propose pairs inside each group of `members`.

    `groups[r]` names the group of `members[r]`; `keys[r]` orders a large
    group so that likely matches sit close together, and `ties[r]` (default
    `members`) orders members with equal keys. Returns unordered member
    pairs (may repeat across groups).
    """
    if len(members) == 0:
        return _empty(), _empty()
    order = np.lexsort((members if ties is None else ties, keys, groups))
    members, groups = members[order], groups[order]
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    sizes = np.diff(np.r_[starts, len(groups)])
    lefts: list[IntArray] = []
    rights: list[IntArray] = []
    for size in np.unique(sizes[(sizes >= 2) & (sizes <= block_size)]):
        first = starts[sizes == size]
        grid = members[first[:, None] + np.arange(size)[None, :]]
        iu, ju = np.triu_indices(int(size), k=1)
        lefts.append(grid[:, iu].ravel())
        rights.append(grid[:, ju].ravel())
    big = sizes > block_size
    if big.any():
        position = np.arange(len(groups)) - np.repeat(starts, sizes)
        length = np.repeat(sizes, sizes)
        in_big = np.repeat(big, sizes)
        for step in range(1, window + 1):
            ok = in_big & (position + step < length)
            idx = np.flatnonzero(ok)
            lefts.append(members[idx])
            rights.append(members[idx + step])
    if not lefts:
        return _empty(), _empty()
    return np.concatenate(lefts), np.concatenate(rights)


def _empty() -> IntArray:
    return np.zeros(0, dtype=np.int64)


def floor_bits(needed_bits: float, n_groups: int) -> float:
    """Return the weight below which a value cannot be a pair's best evidence.

    A pair scores at most one value per comparison group, so a pair whose
    every shared value weighs under `needed_bits / n_groups` stays under the
    threshold.
    """
    return needed_bits / max(n_groups, 1)


def generate(
    table: FeatureTable,
    params: ModelParams,
    weights: np.ndarray,
    needed_bits: float,
) -> Candidates:
    """Return the candidate pairs of `table` under `params`.

    `weights` are the agreement weights of the values (see
    `evidence.value_weights`) and `needed_bits` the summed weight a link
    needs, which sets the floor of indexed values.
    """
    n = table.n_observations
    counts = table.counts()
    simhash_kinds = {
        k: params.kind(kind)
        for k, kind in enumerate(table.kinds)
        if kind in features.SIMHASH_KINDS and params.kind(kind) is not None
    }
    exact = np.ones(len(table.kinds), dtype=np.bool_)
    exact[list(simhash_kinds)] = False
    for k, kind in enumerate(table.kinds):
        if params.kind(kind) is None:
            exact[k] = False
    cap = max(params.block_size, int(params.max_share * table.fleet_size))
    floor = floor_bits(needed_bits, params.group_count())
    is_exact = exact[table.value_kind]
    indexed = is_exact & (counts >= 2) & (counts <= cap) & (weights >= floor)
    skipped = is_exact & (counts >= 2) & ~indexed
    unindexed = _unindexed_bits(table, weights, skipped)

    rank = _similarity_key(table, counts, indexed)
    rows = np.flatnonzero(indexed[table.row_val])
    members = table.row_obs[rows]
    left, right = block_pairs(
        members,
        table.row_val[rows],
        rank[members],
        params.block_size,
        params.window,
        ties=table.sort_rank[members],
    )
    # Each source is reduced to its sorted distinct pair codes before the
    # next one runs, so that the raw proposals (about twice the distinct
    # pairs) of only one source are in memory at a time.
    codes = [_pair_codes(left, right, n)]
    del left, right, rows, members
    density: dict[str, IntArray] = {}
    for k, kp in simhash_kinds.items():
        assert kp is not None
        sl, sr, dens = _simhash_pairs(table, k, kp.hamming, params)
        codes.append(sl * np.int64(n) + sr)
        density[table.kinds[k]] = dens
        del sl, sr
    merged = sorted_unique(np.concatenate(codes))
    del codes
    left, right = merged // max(n, 1), merged % max(n, 1)
    return Candidates(
        left=left,
        right=right,
        density=density,
        skipped_values=int(skipped.sum()),
        unindexed_bits=unindexed,
    )


def _unindexed_bits(
    table: FeatureTable, weights: np.ndarray, skipped: np.ndarray
) -> float:
    best = np.zeros(len(table.kinds))
    if skipped.any():
        np.maximum.at(best, table.value_kind[skipped], weights[skipped])
    return float(best.sum())


def _similarity_key(
    table: FeatureTable, counts: IntArray, indexed: np.ndarray
) -> IntArray:
    """Key each observation by its rarest indexed value, so that observations
    sharing a rare value sit together when a common value's group is windowed.
    """
    n = table.n_observations
    key = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    rows = np.flatnonzero(indexed[table.row_val])
    if len(rows):
        vals = table.row_val[rows]
        code = counts[vals] * max(table.n_values, 1) + vals
        np.minimum.at(key, table.row_obs[rows], code)
    return key


def _simhash_pairs(
    table: FeatureTable, k: int, hamming: int, params: ModelParams
) -> tuple[IntArray, IntArray, IntArray]:
    n = table.n_observations
    rows = np.flatnonzero(table.value_kind[table.row_val] == k)
    obs = table.row_obs[rows]
    parsed = [parse_simhash(table.values[v]) for v in table.row_val[rows]]
    ok = np.fromiter((p is not None for p in parsed), dtype=np.bool_, count=len(rows))
    obs = obs[ok]
    hashes = np.array([p for p in parsed if p is not None], dtype=np.uint64)
    if len(hashes) == 0:
        return _empty(), _empty(), np.zeros(n, dtype=np.int64)
    codes = []
    signed = hashes.view(np.int64)
    for shift, width in band_edges(hamming):
        bucket = (hashes >> np.uint64(shift)) & np.uint64((1 << width) - 1)
        a, b = block_pairs(
            np.arange(len(obs), dtype=np.int64),
            bucket.astype(np.int64),
            signed,
            params.block_size,
            params.window,
            ties=table.sort_rank[obs],
        )
        close = np.bitwise_count(hashes[a] ^ hashes[b]) <= hamming
        codes.append(_pair_codes(obs[a[close]], obs[b[close]], n))
        del a, b, close
    merged = sorted_unique(np.concatenate(codes))
    left, right = merged // n, merged % n
    density = np.bincount(left, minlength=n) + np.bincount(right, minlength=n)
    return left, right, density.astype(np.int64)


def _pair_codes(a: IntArray, b: IntArray, n: int) -> IntArray:
    """Return the sorted distinct codes `lo * n + hi` of the pairs (a, b),
    self-pairs left out."""
    lo = np.minimum(a, b)
    hi = np.maximum(a, b)
    keep = lo != hi
    return sorted_unique(lo[keep] * np.int64(n) + hi[keep])

