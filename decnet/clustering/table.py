"""The feature table: observations and their (kind, value) features as arrays.

Observation `i` is `observations[i]`; value `v` is `values[v]` of kind
`kinds[value_kind[v]]`. Observations are sorted by uuid and values by
(kind, value), so that the same data always yields the same indices and the
clusterer's output does not depend on the order rows came from the database.
"""

from __future__ import annotations

import dataclasses
from array import array
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from decnet import features
from decnet.clustering.derived import DERIVED_KINDS, with_derived

# SHA-256 of empty content and of a lone newline: shell redirects and empty
# uploads carry them, so they tell nothing about who sent them.
TRIVIAL_VALUES: frozenset[tuple[str, str]] = frozenset(
    {
        (
            features.PAYLOAD_SHA256,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ),
        (
            features.PAYLOAD_SHA256,
            "01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b",
        ),
    }
)

IntArray = npt.NDArray[np.int64]


def sorted_unique(values: IntArray) -> IntArray:
    """Return the distinct values of an integer array, sorted.

    Sorting and comparing neighbours; measured faster than `np.unique` on
    millions of int64 codes with numpy 2.4.
    """
    if len(values) == 0:
        return values
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]]


@dataclasses.dataclass(frozen=True)
class FeatureTable:
    """Observations, values and the (observation, value) incidence rows.

    `row_obs[r]` carries `row_val[r]`; each pair appears once and rows are
    sorted by observation, then value. `flags[i]` is True when observation
    `i` must never bridge identities (private, gateway or multi-stack).
    """

    observations: list[str]
    kinds: list[str]
    values: list[str]
    value_kind: IntArray
    row_obs: IntArray
    row_val: IntArray
    flags: npt.NDArray[np.bool_]
    # Set when the table holds only part of the fleet (an incremental pass):
    # the fleet size and each value's carrier count in the whole fleet.
    population: int | None = None
    fleet_counts: IntArray | None = None
    # Rank of each observation in a content order (its IP address) when the
    # caller knows one. Observations are indexed by uuid, which is random
    # per database, so windowed candidate search breaks ties by this rank to
    # propose the same pairs for the same logs in every database.
    ip_rank: IntArray | None = None

    @property
    def sort_rank(self) -> IntArray:
        """Return `ip_rank`, or the uuid order when no content order is set."""
        if self.ip_rank is not None:
            return self.ip_rank
        return np.arange(self.n_observations, dtype=np.int64)

    @property
    def n_observations(self) -> int:
        return len(self.observations)

    @property
    def fleet_size(self) -> int:
        """Return the number of observations frequencies are relative to."""
        return self.population if self.population is not None else self.n_observations

    @property
    def n_values(self) -> int:
        return len(self.values)

    def counts(self) -> IntArray:
        """Return the number of observations carrying each value in the fleet."""
        local = np.bincount(self.row_val, minlength=self.n_values).astype(np.int64)
        if self.fleet_counts is None:
            return local
        return np.maximum(local, self.fleet_counts)

    def value_index(self) -> dict[tuple[str, str], int]:
        """Return a map from (kind, value) to value index."""
        return {
            (self.kinds[self.value_kind[v]], value): v
            for v, value in enumerate(self.values)
        }

    def kind_index(self, kind: str) -> int | None:
        """Return the index of `kind` in `kinds`, or None when absent."""
        try:
            return self.kinds.index(kind)
        except ValueError:
            return None

    def index_of(self) -> dict[str, int]:
        """Return a map from observation uuid to its index."""
        return {uuid: i for i, uuid in enumerate(self.observations)}

    def features_of(self, i: int) -> list[tuple[str, str]]:
        """Return the (kind, value) features of observation `i`, sorted."""
        start, stop = np.searchsorted(self.row_obs, [i, i + 1])
        vals = self.row_val[start:stop]
        return [(self.kinds[self.value_kind[v]], self.values[v]) for v in vals]


def build_table(
    observations: Sequence[str],
    rows: Iterable[tuple[str, str, str]],
    flagged: Iterable[str] = (),
) -> FeatureTable:
    """Build a FeatureTable from `(observation_uuid, kind, value)` rows.

    Rows naming an observation outside `observations`, an unknown kind or a
    trivial value are dropped; duplicates count once. Kinds outside
    `decnet.features.ALL_KINDS` are ignored so that a newer ingest cannot
    break an older clusterer. Derived kinds (`decnet.clustering.derived`)
    are added here.
    """
    known = features.ALL_KINDS | DERIVED_KINDS
    uuids = sorted(set(observations))
    index = {uuid: i for i, uuid in enumerate(uuids)}
    interned: dict[tuple[str, str], int] = {}
    obs_ids = array("q")
    val_ids = array("q")
    for chunk in _chunks(with_derived(rows), 65_536):
        # One list comprehension per column keeps the per-row cost low.
        keep = [
            (index.get(obs), (kind, value))
            for obs, kind, value in chunk
            if kind in known and (kind, value) not in TRIVIAL_VALUES
        ]
        keep = [(i, key) for i, key in keep if i is not None]
        obs_ids.extend(i for i, _ in keep)
        val_ids.extend(interned.setdefault(key, len(interned)) for _, key in keep)
    return _finish(uuids, interned, obs_ids, val_ids, flagged, index)


def _chunks(
    rows: Iterable[tuple[str, str, str]], size: int
) -> Iterable[list[tuple[str, str, str]]]:
    chunk: list[tuple[str, str, str]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _finish(
    uuids: list[str],
    interned: dict[tuple[str, str], int],
    obs_ids: array[int],
    val_ids: array[int],
    flagged: Iterable[str],
    index: dict[str, int],
) -> FeatureTable:
    keys = list(interned)
    order = sorted(range(len(keys)), key=keys.__getitem__)
    remap = np.empty(len(keys), dtype=np.int64)
    remap[np.asarray(order, dtype=np.int64)] = np.arange(len(keys), dtype=np.int64)
    sorted_keys = [keys[k] for k in order]
    kinds = sorted({kind for kind, _ in sorted_keys})
    kind_pos = {kind: k for k, kind in enumerate(kinds)}
    value_kind = np.fromiter(
        (kind_pos[kind] for kind, _ in sorted_keys), dtype=np.int64, count=len(keys)
    )
    row_obs = np.frombuffer(obs_ids, dtype=np.int64)
    row_val = remap[np.frombuffer(val_ids, dtype=np.int64)]
    codes = sorted_unique(row_obs * max(len(keys), 1) + row_val)
    flags = np.zeros(len(uuids), dtype=np.bool_)
    for uuid in flagged:
        i = index.get(uuid)
        if i is not None:
            flags[i] = True
    width = max(len(keys), 1)
    return FeatureTable(
        observations=uuids,
        kinds=kinds,
        values=[value for _, value in sorted_keys],
        value_kind=value_kind,
        row_obs=codes // width,
        row_val=codes % width,
        flags=flags,
    )
