"""Per-identity summaries computed from the members of one part.

`confidence` is the posterior match probability of the weakest link in the
part's maximum spanning forest: the chance, under the model, that the link
the identity can least afford to lose joins the same hands. An identity of
one observation has no links and no confidence (None).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

import numpy as np
import orjson

from decnet import features
from decnet.clustering.evidence import parse_simhash
from decnet.clustering.table import FeatureTable, IntArray, sorted_unique

# The fingerprint lists of one identity keep at most this many values each;
# a botnet of thousands of IPs would otherwise write megabytes per row.
MAX_LIST_VALUES = 500

LIST_KINDS: dict[str, tuple[str, ...]] = {
    "ja3_hashes": (features.JA3,),
    "hassh_hashes": (features.HASSH,),
    "payload_simhashes": (features.PAYLOAD_SIMHASH, features.COMMAND_SIMHASH),
    "c2_endpoints": (features.C2_ENDPOINT,),
}


@dataclasses.dataclass(frozen=True)
class Rollup:
    """The clusterer-owned columns of one identity row."""

    observation_count: int
    first_seen_at: datetime | None
    last_seen_at: datetime | None
    ja3_hashes: list[str] | None
    hassh_hashes: list[str] | None
    payload_simhashes: list[str] | None
    c2_endpoints: list[str] | None
    kd_digraph_simhash: bytes | None
    confidence: float | None

    def digest(self) -> str:
        """Return the SHA-256 hex of the rollup; confidence to three places."""
        data = (
            self.observation_count,
            self.first_seen_at.isoformat() if self.first_seen_at else None,
            self.last_seen_at.isoformat() if self.last_seen_at else None,
            self.ja3_hashes,
            self.hassh_hashes,
            self.payload_simhashes,
            self.c2_endpoints,
            self.kd_digraph_simhash.hex() if self.kd_digraph_simhash else None,
            None if self.confidence is None else round(self.confidence, 3),
        )
        return hashlib.sha256(orjson.dumps(data)).hexdigest()

    def columns(self) -> dict[str, object]:
        """Return the values to write, keyed by column name."""
        return {field.name: getattr(self, field.name) for field in _FIELDS}


_FIELDS = dataclasses.fields(Rollup)


def majority_simhash(values: Sequence[int]) -> int:
    """Return the bitwise majority of 64-bit values (a tie gives 0)."""
    if not values:
        raise ValueError("majority_simhash needs at least one value")
    arr = np.asarray(values, dtype=np.uint64)
    bits = (arr[:, None] >> np.arange(64, dtype=np.uint64)) & np.uint64(1)
    ones = bits.sum(axis=0)
    chosen = (ones * 2 > len(values)).astype(np.uint64)
    return int((chosen << np.arange(64, dtype=np.uint64)).sum())


def compute_rollups(
    table: FeatureTable,
    labels: IntArray,
    first_seen: Sequence[datetime | None],
    last_seen: Sequence[datetime | None],
    confidence: dict[int, float],
) -> dict[int, Rollup]:
    """Return the rollup of every part, keyed by part label.

    `first_seen[i]` and `last_seen[i]` are observation `i`'s activity times
    (not the clusterer's clock); `confidence` maps a part label to its
    confidence, absent for parts of one observation.
    """
    lists: dict[str, dict[int, set[str]]] = {
        key: defaultdict(set) for key in LIST_KINDS
    }
    kd: dict[int, set[int]] = defaultdict(set)
    kind_to_list = {kind: key for key, kinds in LIST_KINDS.items() for kind in kinds}
    wanted = {k: kind_to_list.get(kind) for k, kind in enumerate(table.kinds)}
    kd_kind = table.kind_index(features.KD_SIMHASH)
    row_kind = table.value_kind[table.row_val]
    interesting = np.flatnonzero(
        np.isin(row_kind, [k for k, key in wanted.items() if key] + [kd_kind or -1])
    )
    for r in interesting.tolist():
        label = int(labels[table.row_obs[r]])
        k = int(row_kind[r])
        value = table.values[table.row_val[r]]
        if k == kd_kind:
            parsed = parse_simhash(value)
            if parsed is not None:
                kd[label].add(parsed)
            continue
        key = wanted[k]
        if key:
            lists[key][label].add(value)

    sizes = np.bincount(labels, minlength=len(labels))
    firsts = _extreme_by_label(labels, first_seen, earliest=True)
    lasts = _extreme_by_label(labels, last_seen, earliest=False)

    out = {}
    for label in sorted_unique(labels).tolist():
        centroid = kd.get(label)
        out[label] = Rollup(
            observation_count=int(sizes[label]),
            first_seen_at=firsts.get(label),
            last_seen_at=lasts.get(label),
            ja3_hashes=_capped(lists["ja3_hashes"].get(label)),
            hassh_hashes=_capped(lists["hassh_hashes"].get(label)),
            payload_simhashes=_capped(lists["payload_simhashes"].get(label)),
            c2_endpoints=_capped(lists["c2_endpoints"].get(label)),
            kd_digraph_simhash=(
                majority_simhash(sorted(centroid)).to_bytes(8, "big")
                if centroid
                else None
            ),
            confidence=confidence.get(label),
        )
    return out


def _extreme_by_label(
    labels: IntArray, times: Sequence[datetime | None], *, earliest: bool
) -> dict[int, datetime]:
    """Return the earliest (or latest) time per label, skipping None."""
    best: dict[int, datetime] = {}
    for label, when in zip(labels.tolist(), times, strict=True):
        if when is None:
            continue
        current = best.get(label)
        if current is None or (when < current if earliest else when > current):
            best[label] = when
    return best


def _capped(values: set[str] | None) -> list[str] | None:
    if not values:
        return None
    # NOTE: beyond MAX_LIST_VALUES the list keeps the smallest values only.
    return sorted(values)[:MAX_LIST_VALUES]


def combine_rollups(
    parts: Sequence[Rollup], kd_values: set[int] | None, confidence: float | None
) -> Rollup:
    """Return the rollup of the union of disjoint groups of observations.

    Counts, times and the capped lists are exact: each list keeps the
    smallest values of its group, and the smallest MAX_LIST_VALUES values of
    a union are among those of its groups. When the caller gives
    `kd_values`, the distinct keystroke SimHashes of every member, the
    keystroke centroid is their majority. Otherwise at most one group may
    carry a centroid, and it is kept.
    """
    if not parts:
        raise ValueError("combine_rollups needs at least one rollup")
    firsts = [p.first_seen_at for p in parts if p.first_seen_at is not None]
    lasts = [p.last_seen_at for p in parts if p.last_seen_at is not None]
    if kd_values is not None:
        kd = (
            majority_simhash(sorted(kd_values)).to_bytes(8, "big")
            if kd_values
            else None
        )
    else:
        carried = [p.kd_digraph_simhash for p in parts if p.kd_digraph_simhash]
        if len(carried) > 1:
            raise ValueError("several groups carry a centroid; pass kd_values")
        kd = carried[0] if carried else None
    return Rollup(
        observation_count=sum(p.observation_count for p in parts),
        first_seen_at=min(firsts, default=None),
        last_seen_at=max(lasts, default=None),
        ja3_hashes=_union(p.ja3_hashes for p in parts),
        hassh_hashes=_union(p.hassh_hashes for p in parts),
        payload_simhashes=_union(p.payload_simhashes for p in parts),
        c2_endpoints=_union(p.c2_endpoints for p in parts),
        kd_digraph_simhash=kd,
        confidence=confidence,
    )


def _union(lists: Iterable[list[str] | None]) -> list[str] | None:
    merged: set[str] = set()
    for values in lists:
        merged.update(values or ())
    return _capped(merged)
