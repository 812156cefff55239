"""Identities that an incremental pass keeps whole without reading them whole.

An incremental pass reads the changed observations and their candidates. An
identity none of whose observations changed is *frozen*. The pass reads only
the members that are candidates, plus one observation of each identity in
its merge family so that the plan includes the family's winner. Forced
links hold those members together. A frozen identity can gain observations
or merge with another through a changed observation, but it cannot lose
members, so its stored rollup and links stay valid and the pass combines
them with what it adds. Two frozen identities are never compared with each
other. Identities with a changed member, and every identity in a full
pass, are re-decided from all their members.

The combined confidence is the lower of the stored one and that of the
links the pass adds. A full pass recomputes it from every link.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection

from decnet import features
from decnet.clustering import store
from decnet.clustering.evidence import parse_simhash
from decnet.clustering.reconcile import IdentityState
from decnet.clustering.rollup import Rollup, combine_rollups
from decnet.clustering.table import FeatureTable, IntArray

ROLLUP_COLUMNS = tuple(field.name for field in dataclasses.fields(Rollup))


@dataclasses.dataclass(frozen=True)
class Families:
    """The frozen identities of one pass and which observations belong to them.

    `code[i]` is the index in `roots` of observation `i`'s canonical identity
    when that identity is frozen, and -1 otherwise.
    """

    roots: list[str]
    code: IntArray

    @property
    def frozen(self) -> bool:
        return bool(self.roots)

    def internal(self, left: IntArray, right: IntArray) -> npt.NDArray[np.bool_]:
        """Mark the links whose two ends belong to the same frozen identity."""
        return (self.code[left] >= 0) & (self.code[left] == self.code[right])

    def node_sizes(self, conn: Connection) -> IntArray | None:
        """Return how many observations each node stands for in the cohesion
        check, or None when nothing is frozen.

        The first member read of a frozen identity stands for every member
        that was not read. A weak link that joins a large frozen identity to
        other observations is then cut as in a full pass, which reads it
        whole.
        """
        if not self.frozen:
            return None
        rows = store.load_rollup_columns(conn, self.roots, ("observation_count",))
        sizes = np.ones(len(self.code), dtype=np.int64)
        read = np.bincount(self.code[self.code >= 0], minlength=len(self.roots))
        seen: set[int] = set()
        for i, code in enumerate(self.code.tolist()):
            if code < 0 or code in seen:
                continue
            seen.add(code)
            total = rows.get(self.roots[code], {}).get("observation_count") or 0
            sizes[i] = max(int(total) - int(read[code]) + 1, 1)
        return sizes

    def chains(self) -> list[tuple[int, int]]:
        """Return forced links that hold each frozen identity's members together."""
        first: dict[int, int] = {}
        out = []
        for i, code in enumerate(self.code.tolist()):
            if code < 0:
                continue
            if code in first:
                out.append((first[code], i))
            else:
                first[code] = i
        return out


def find_families(
    direct: Sequence[str | None],
    states: Mapping[str, IdentityState],
    frozen_roots: set[str],
) -> Families:
    """Group the observations of a pass by their frozen canonical identity."""
    roots = sorted(frozen_roots)
    index = {root: k for k, root in enumerate(roots)}
    code = np.full(len(direct), -1, dtype=np.int64)
    for i, identity in enumerate(direct):
        if identity is None:
            continue
        state = states.get(identity)
        root = (state.merged_into if state is not None else None) or identity
        code[i] = index.get(root, -1)
    return Families(roots=roots, code=code)


def family_rollups(
    conn: Connection,
    table: FeatureTable,
    labels: IntArray,
    partial: Mapping[int, Rollup],
    confidence: Mapping[int, float],
    families: Families,
) -> tuple[dict[int, Rollup], dict[int, float]]:
    """Return the rollup and confidence of every part that contains a frozen
    identity and gains observations or merges, keyed by part label.

    `partial` contains the rollups of the parts' other observations and
    `confidence` the confidence of the links the pass found, both by label.
    """
    roots_of: dict[int, set[str]] = defaultdict(set)
    open_members: dict[int, list[int]] = defaultdict(list)
    for i, (label, code) in enumerate(
        zip(labels.tolist(), families.code.tolist(), strict=True)
    ):
        if code >= 0:
            roots_of[label].add(families.roots[code])
        else:
            open_members[label].append(i)

    # A part that is one frozen identity and nothing else keeps its row.
    changed = {
        label: roots
        for label, roots in roots_of.items()
        if len(roots) > 1 or label in open_members
    }
    stored = _stored_rollups(conn, sorted(set().union(*changed.values())))
    rollups: dict[int, Rollup] = {}
    combined_confidence: dict[int, float] = {}
    for label, roots in changed.items():
        parts = [stored[root] for root in sorted(roots) if root in stored]
        if label in partial:
            parts.append(partial[label])
        values = [p.confidence for p in parts if p.confidence is not None]
        if label in confidence:
            values.append(confidence[label])
        conf = min(values) if values else None
        if conf is not None:
            combined_confidence[label] = conf
        carriers = sum(1 for p in parts if p.kd_digraph_simhash)
        kd = None
        if carriers > 1:
            kd = _kd_values(conn, roots) | _table_kd(table, open_members[label])
        rollups[label] = combine_rollups(parts, kd, conf)
    return rollups, combined_confidence


def _stored_rollups(conn: Connection, roots: list[str]) -> dict[str, Rollup]:
    rows = store.load_rollup_columns(conn, roots, ROLLUP_COLUMNS)
    out = {}
    for root, row in rows.items():
        kd = row["kd_digraph_simhash"]
        out[root] = Rollup(**{**row, "kd_digraph_simhash": bytes(kd) if kd else None})
    return out


def _kd_values(conn: Connection, roots: set[str]) -> set[int]:
    family = store.family_identities(conn, roots)
    values = store.family_values(conn, family, features.KD_SIMHASH)
    return {v for v in map(parse_simhash, values) if v is not None}


def _table_kd(table: FeatureTable, members: list[int]) -> set[int]:
    out = set()
    for i in members:
        for kind, value in table.features_of(i):
            parsed = parse_simhash(value) if kind == features.KD_SIMHASH else None
            if parsed is not None:
                out.add(parsed)
    return out
