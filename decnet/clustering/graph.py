"""From accepted links to a partition of the observations.

The steps, in order:

1. Links whose summed weight reaches the threshold are accepted; analyst
   must-links are added as forced links.
2. Risky observations (flagged private, gateway or multi-stack addresses, and
   observations carrying several values of a client-software kind) are held
   out, and the rest form connected components (SciPy).
3. Cohesion check: a component that only one link holds together, with two
   or more observations on each side, is cut there unless that link clears
   the threshold by `cohesion_margin_bits`.
4. A held-out observation joins a component when all its accepted links
   lead into that one component; otherwise it stays alone, so it never
   bridges two groups.
5. Cannot-link constraints: a component holding both sides of a constraint
   is rebuilt from its links, strongest first, skipping every union that
   would join the two sides.

Labels are the smallest observation index of each part, so the same links
always give the same labels.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree

from decnet.clustering.table import IntArray, sorted_unique

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
FORCED_BITS = 1.0e6


@dataclasses.dataclass(frozen=True)
class Constraint:
    """Two groups of observation indices that must end in different parts."""

    side_a: frozenset[int]
    side_b: frozenset[int]


@dataclasses.dataclass(frozen=True)
class Partition:
    """Parts of the observations and the links that hold each part together.

    `labels[i]` is the part of observation `i` (its smallest member index).
    `span_*` is a maximum spanning forest of the kept links: for each part of
    k observations, k - 1 links, the strongest that connect it.
    """

    labels: IntArray
    span_left: IntArray
    span_right: IntArray
    span_bits: FloatArray
    held_out: int
    guarded: int
    cut_links: int
    constrained_parts: int


def components(n: int, left: IntArray, right: IntArray) -> IntArray:
    """Return connected-component labels, each the smallest member index."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    graph = sp.coo_matrix(
        (np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n)
    ).tocsr()
    _, raw = connected_components(graph, directed=False)
    smallest = np.full(raw.max() + 1, n, dtype=np.int64)
    np.minimum.at(smallest, raw, np.arange(n, dtype=np.int64))
    return smallest[raw]


def partition(
    n: int,
    left: IntArray,
    right: IntArray,
    bits: FloatArray,
    needed_bits: float,
    risky: BoolArray,
    *,
    cohesion_margin_bits: float = 6.0,
    forced: Sequence[tuple[int, int]] = (),
    constraints: Sequence[Constraint] = (),
    rank: IntArray | None = None,
    sizes: IntArray | None = None,
) -> Partition:
    """Partition `n` observations from scored candidate pairs.

    `left`, `right`, `bits` are the candidate pairs and their summed weights;
    `risky[i]` marks observations that may join a part but never bridge two.
    `forced` pairs are linked whatever their score, even through a risky
    observation; `constraints` win over forced links. `sizes[i]` is how many
    observations node `i` stands for in the cohesion check (default 1 each).
    """
    accept = bits >= needed_bits
    left, right, bits = left[accept], right[accept], bits[accept]
    if forced:
        fl, fr = np.asarray(forced, dtype=np.int64).reshape(-1, 2).T
        left = np.concatenate([left, np.minimum(fl, fr)])
        right = np.concatenate([right, np.maximum(fl, fr)])
        bits = np.concatenate([bits, np.full(len(fl), FORCED_BITS)])
        left, right, bits = _dedupe(n, left, right, bits)
    is_forced = bits >= FORCED_BITS
    safe = (~risky[left] & ~risky[right]) | is_forced
    labels = components(n, left[safe], right[safe])
    cut = _weak_bridges(
        n,
        left[safe],
        right[safe],
        bits[safe],
        labels,
        needed_bits + cohesion_margin_bits,
        sizes,
    )
    keep = safe.copy()
    keep[np.flatnonzero(safe)[cut]] = False
    labels = components(n, left[keep], right[keep])

    labels, joined, guarded = _attach_risky(n, left, right, bits, keep, risky, labels)
    keep |= joined
    constrained = 0
    if constraints:
        labels, keep, constrained = _apply_constraints(
            n, left, right, bits, keep, labels, constraints
        )
    span_left, span_right, span_bits = spanning_forest(
        n, left[keep], right[keep], bits[keep], labels, rank=rank
    )
    return Partition(
        labels=labels,
        span_left=span_left,
        span_right=span_right,
        span_bits=span_bits,
        held_out=int(risky.sum()),
        guarded=guarded,
        cut_links=int(cut.sum()),
        constrained_parts=constrained,
    )


def _dedupe(
    n: int, left: IntArray, right: IntArray, bits: FloatArray
) -> tuple[IntArray, IntArray, FloatArray]:
    """Keep one link per pair, the heaviest."""
    codes = left * np.int64(n) + right
    order = np.lexsort((-bits, codes))
    codes, bits = codes[order], bits[order]
    first = np.r_[True, codes[1:] != codes[:-1]]
    return codes[first] // n, codes[first] % n, bits[first]


def _attach_risky(
    n: int,
    left: IntArray,
    right: IntArray,
    bits: FloatArray,
    keep: BoolArray,
    risky: BoolArray,
    labels: IntArray,
) -> tuple[IntArray, BoolArray, int]:
    """Join each risky observation to the one part all its links lead to.

    Returns the new labels, the links that joined, and how many risky
    observations were kept alone because their links led to several parts.
    """
    joined = np.zeros(len(left), dtype=np.bool_)
    candidates = ~keep & (risky[left] ^ risky[right])
    idx = np.flatnonzero(candidates)
    if len(idx) == 0:
        return labels, joined, 0
    node = np.where(risky[left[idx]], left[idx], right[idx])
    other = np.where(risky[left[idx]], right[idx], left[idx])
    target = labels[other]
    order = np.lexsort((target, node))
    node, target, idx = node[order], target[order], idx[order]
    first = np.r_[True, node[1:] != node[:-1]]
    starts = np.flatnonzero(first)
    group = np.cumsum(first) - 1
    distinct = np.r_[True, (node[1:] != node[:-1]) | (target[1:] != target[:-1])]
    parts_per_node = np.bincount(group, weights=distinct).astype(np.int64)
    single = parts_per_node[group] == 1
    joined[idx[single]] = True
    new_labels = labels.copy()
    members = node[starts][parts_per_node == 1]
    owners = target[starts][parts_per_node == 1]
    new_labels[members] = owners
    guarded = int((parts_per_node > 1).sum())
    relabel = components(n, *_pairs(new_labels))
    return relabel, joined, guarded


def _pairs(labels: IntArray) -> tuple[IntArray, IntArray]:
    nodes = np.arange(len(labels), dtype=np.int64)
    other = labels != nodes
    return nodes[other], labels[other]


def _weak_bridges(
    n: int,
    left: IntArray,
    right: IntArray,
    bits: FloatArray,
    labels: IntArray,
    strong_bits: float,
    node_sizes: IntArray | None = None,
) -> BoolArray:
    """Mark links that alone hold two groups of two or more together and are
    weaker than `strong_bits`. Uses an iterative Tarjan bridge search over
    components of four or more observations, each node counting as
    `node_sizes[i]` observations (default 1).
    """
    cut = np.zeros(len(left), dtype=np.bool_)
    if len(left) == 0:
        return cut
    if node_sizes is None:
        node_sizes = np.ones(n, dtype=np.int64)
    sizes = np.bincount(labels, weights=node_sizes, minlength=n).astype(np.int64)
    big = sizes[labels[left]] >= 4
    weak = bits < strong_bits
    if not (big & weak).any():
        return cut
    edge_ids = np.flatnonzero(big)
    heads = np.concatenate([left[edge_ids], right[edge_ids]])
    tails = np.concatenate([right[edge_ids], left[edge_ids]])
    ids = np.concatenate([edge_ids, edge_ids])
    order = np.argsort(heads, kind="stable")
    heads, tails, ids = heads[order], tails[order], ids[order]
    offsets = np.searchsorted(heads, np.arange(n + 1))
    bridges = _bridges(n, offsets, tails, ids, sorted_unique(heads), node_sizes)
    for edge, below in bridges:
        if weak[edge] and below >= 2 and sizes[labels[left[edge]]] - below >= 2:
            cut[edge] = True
    return cut


def _bridges(
    n: int,
    offsets: IntArray,
    tails: IntArray,
    ids: IntArray,
    roots: IntArray,
    node_sizes: IntArray,
) -> list[tuple[int, int]]:
    """Return `(edge id, size below it)` for every bridge of the graph, the
    size summing `node_sizes` over the nodes below."""
    order = [-1] * n
    low = [0] * n
    size = node_sizes.tolist()
    off = offsets.tolist()
    tail_list = tails.tolist()
    id_list = ids.tolist()
    found: list[tuple[int, int]] = []
    counter = 0
    for root in roots.tolist():
        if order[root] >= 0:
            continue
        order[root] = low[root] = counter
        counter += 1
        stack = [(root, -1, off[root])]
        while stack:
            node, via, pos = stack[-1]
            if pos < off[node + 1]:
                stack[-1] = (node, via, pos + 1)
                nxt, edge = tail_list[pos], id_list[pos]
                if edge == via:
                    continue
                if order[nxt] < 0:
                    order[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append((nxt, edge, off[nxt]))
                elif order[nxt] < low[node]:
                    low[node] = order[nxt]
                continue
            stack.pop()
            if stack:
                parent = stack[-1][0]
                size[parent] += size[node]
                if low[node] < low[parent]:
                    low[parent] = low[node]
                if low[node] > order[parent]:
                    found.append((via, size[node]))
    return found


def _apply_constraints(
    n: int,
    left: IntArray,
    right: IntArray,
    bits: FloatArray,
    keep: BoolArray,
    labels: IntArray,
    constraints: Sequence[Constraint],
) -> tuple[IntArray, BoolArray, int]:
    tags: dict[int, set[tuple[int, int]]] = {}
    violated: set[int] = set()
    for c, constraint in enumerate(constraints):
        parts_a = {int(labels[i]) for i in constraint.side_a if i < n}
        parts_b = {int(labels[i]) for i in constraint.side_b if i < n}
        violated |= parts_a & parts_b
        for side, members in ((0, constraint.side_a), (1, constraint.side_b)):
            for i in members:
                if i < n:
                    tags.setdefault(int(i), set()).add((c, side))
    if not violated:
        return labels, keep, 0
    in_violated = np.isin(labels, np.fromiter(violated, dtype=np.int64))
    edges = np.flatnonzero(keep & in_violated[left])
    edges = edges[np.argsort(-bits[edges], kind="stable")]
    parent = {int(i): int(i) for i in np.flatnonzero(in_violated)}
    root_tags = {i: set(tags.get(i, ())) for i in parent}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    new_keep = keep & ~in_violated[left]
    for e in edges.tolist():
        a, b = find(int(left[e])), find(int(right[e]))
        if a == b:
            new_keep[e] = True
            continue
        if any((c, 1 - side) in root_tags[b] for c, side in root_tags[a]):
            continue
        parent[b] = a
        root_tags[a] |= root_tags.pop(b)
        new_keep[e] = True
    relabelled = components(n, left[new_keep], right[new_keep])
    return relabelled, new_keep, len(violated)


def spanning_forest(
    n: int,
    left: IntArray,
    right: IntArray,
    bits: FloatArray,
    labels: IntArray,
    *,
    rank: IntArray | None = None,
) -> tuple[IntArray, IntArray, FloatArray]:
    """Return the strongest links that connect each part (a maximum spanning
    forest), restricted to links inside one part, sorted by (left, right).

    Among links of equal weight the tree keeps those that come first in
    node order. `rank` (a permutation of the nodes, such as the IP order)
    sets that order, so the same logs keep the same links in every
    database. Without it the node index order is used.
    """
    inside = labels[left] == labels[right]
    left, right, bits = left[inside], right[inside], bits[inside]
    if len(left) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    if rank is not None:
        # Each link is entered once, from its lower-ranked end, so that the
        # matrix (and the tree's tie-breaking) is the same in every database.
        left, right = (
            np.minimum(rank[left], rank[right]),
            np.maximum(rank[left], rank[right]),
        )
    # minimum_spanning_tree ignores zero entries, so every cost stays positive.
    cost = (bits.max() + 1.0) - bits
    graph = sp.coo_matrix((cost, (left, right)), shape=(n, n)).tocsr()
    tree = minimum_spanning_tree(graph).tocoo()
    rows, cols = tree.row.astype(np.int64), tree.col.astype(np.int64)
    if rank is not None:
        node_at = np.argsort(rank)
        rows, cols = node_at[rows], node_at[cols]
    a = np.minimum(rows, cols)
    b = np.maximum(rows, cols)
    order = np.lexsort((b, a))
    a, b = a[order], b[order]
    span_bits = (bits.max() + 1.0) - tree.data[order]
    return a, b, span_bits
