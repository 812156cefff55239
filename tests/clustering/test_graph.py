"""Components, the bridge guard, the cohesion check and cannot-link constraints."""

from __future__ import annotations

import random

import numpy as np
import pytest

from decnet.clustering.graph import Constraint, components, partition


def union_find_labels(n: int, edges: list[tuple[int, int]]) -> list[int]:
    """An independent reference: union-find, labels = smallest member."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return [find(i) for i in range(n)]


@pytest.mark.parametrize("seed", range(20))
def test_components_match_union_find_on_random_graphs(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(1, 300)
    m = rng.randint(0, 2 * n)
    edges = [(rng.randrange(n), rng.randrange(n)) for _ in range(m)]
    edges = [(min(a, b), max(a, b)) for a, b in edges if a != b]
    left = np.array([a for a, _ in edges], dtype=np.int64)
    right = np.array([b for _, b in edges], dtype=np.int64)
    assert components(n, left, right).tolist() == union_find_labels(n, edges)


def test_components_of_empty_graph_are_empty() -> None:
    empty = np.zeros(0, dtype=np.int64)
    assert components(0, empty, empty).tolist() == []


def _chain(bits: list[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    left = np.arange(len(bits), dtype=np.int64)
    return left, left + 1, np.array(bits, dtype=np.float64)


def test_partition_joins_links_over_threshold() -> None:
    left, right, bits = _chain([30.0, 30.0, 5.0])
    result = partition(4, left, right, bits, 20.0, np.zeros(4, dtype=bool))
    assert result.labels.tolist() == [0, 0, 0, 3]


def test_cohesion_check_cuts_weak_bridge_between_groups() -> None:
    left, right, bits = _chain([40.0, 40.0, 21.0, 40.0, 40.0])
    result = partition(6, left, right, bits, 20.0, np.zeros(6, dtype=bool))
    assert result.labels.tolist() == [0, 0, 0, 3, 3, 3]
    assert result.cut_links == 1


def test_cohesion_check_keeps_strong_bridge() -> None:
    left, right, bits = _chain([40.0, 40.0, 39.0, 40.0, 40.0])
    result = partition(6, left, right, bits, 20.0, np.zeros(6, dtype=bool))
    assert set(result.labels.tolist()) == {0}


def test_cohesion_check_keeps_weak_leaf() -> None:
    left, right, bits = _chain([40.0, 40.0, 40.0, 21.0])
    result = partition(5, left, right, bits, 20.0, np.zeros(5, dtype=bool))
    assert set(result.labels.tolist()) == {0}


def test_risky_observation_does_not_bridge_two_groups() -> None:
    # 0-1 and 3-4 are groups; 2 is a gateway linked strongly to both.
    left = np.array([0, 1, 2, 3], dtype=np.int64)
    right = np.array([1, 2, 3, 4], dtype=np.int64)
    bits = np.array([40.0, 40.0, 40.0, 40.0])
    risky = np.array([False, False, True, False, False])
    result = partition(5, left, right, bits, 20.0, risky)
    assert result.labels.tolist() == [0, 0, 2, 3, 3]
    assert result.guarded == 1


def test_risky_observation_joins_its_only_group() -> None:
    left = np.array([0, 1], dtype=np.int64)
    right = np.array([1, 2], dtype=np.int64)
    risky = np.array([False, False, True])
    result = partition(3, left, right, np.array([40.0, 40.0]), 20.0, risky)
    assert result.labels.tolist() == [0, 0, 0]


def test_forced_link_joins_unlinked_observations() -> None:
    empty = np.zeros(0, dtype=np.int64)
    result = partition(
        3, empty, empty, np.zeros(0), 20.0, np.zeros(3, dtype=bool), forced=[(0, 2)]
    )
    assert result.labels.tolist() == [0, 1, 0]


def test_cannot_link_separates_a_component() -> None:
    left, right, bits = _chain([40.0, 25.0, 40.0])
    constraint = Constraint(frozenset({0}), frozenset({3}))
    result = partition(
        4, left, right, bits, 20.0, np.zeros(4, dtype=bool), constraints=[constraint]
    )
    assert result.labels[0] != result.labels[3]
    assert result.labels.tolist() == [0, 0, 2, 2]


def test_cannot_link_wins_over_must_link() -> None:
    empty = np.zeros(0, dtype=np.int64)
    result = partition(
        2,
        empty,
        empty,
        np.zeros(0),
        20.0,
        np.zeros(2, dtype=bool),
        forced=[(0, 1)],
        constraints=[Constraint(frozenset({0}), frozenset({1}))],
    )
    assert result.labels.tolist() == [0, 1]


def test_spanning_forest_has_one_link_fewer_than_members() -> None:
    # A triangle plus a pendant: four members, three spanning links.
    left = np.array([0, 0, 1, 2], dtype=np.int64)
    right = np.array([1, 2, 2, 3], dtype=np.int64)
    bits = np.array([30.0, 50.0, 40.0, 35.0])
    result = partition(4, left, right, bits, 20.0, np.zeros(4, dtype=bool))
    assert len(result.span_left) == 3
    spanned = set(
        zip(result.span_left.tolist(), result.span_right.tolist(), strict=True)
    )
    assert (0, 1) not in spanned


def test_node_sizes_make_weak_link_a_cut() -> None:
    left, right = np.array([0]), np.array([1])
    bits = np.array([21.0])
    alone = partition(2, left, right, bits, 20.0, np.zeros(2, dtype=bool))
    sized = partition(
        2, left, right, bits, 20.0, np.zeros(2, dtype=bool), sizes=np.array([5, 7])
    )
    # Two single nodes stay linked; two nodes that stand for 5 and 7
    # observations are two groups held by one weak link.
    assert alone.labels[0] == alone.labels[1]
    assert sized.labels[0] != sized.labels[1]
    assert sized.cut_links == 1
