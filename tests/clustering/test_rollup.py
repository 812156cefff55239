"""Rollups combined from groups of observations."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from decnet.clustering.rollup import (
    MAX_LIST_VALUES,
    Rollup,
    combine_rollups,
    majority_simhash,
)


def rollup(count: int, day: int, **lists: list[str] | None) -> Rollup:
    return Rollup(
        observation_count=count,
        first_seen_at=datetime(2026, 1, day, tzinfo=UTC),
        last_seen_at=datetime(2026, 1, day + 1, tzinfo=UTC),
        ja3_hashes=lists.get("ja3"),
        hassh_hashes=lists.get("hassh"),
        payload_simhashes=None,
        c2_endpoints=lists.get("c2"),
        kd_digraph_simhash=lists.get("kd"),  # type: ignore[arg-type]
        confidence=0.9,
    )


def test_combine_adds_counts_and_spans_times() -> None:
    combined = combine_rollups([rollup(3, 5), rollup(2, 1)], None, 0.5)
    assert combined.observation_count == 5
    assert combined.first_seen_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert combined.last_seen_at == datetime(2026, 1, 6, tzinfo=UTC)
    assert combined.confidence == 0.5


def test_combine_unites_lists() -> None:
    combined = combine_rollups(
        [rollup(1, 1, c2=["b", "c"]), rollup(1, 2, c2=["a", "b"]), rollup(1, 3)],
        None,
        None,
    )
    assert combined.c2_endpoints == ["a", "b", "c"]
    assert combined.ja3_hashes is None


def test_combine_keeps_smallest_capped_values() -> None:
    left = [f"{i:05d}" for i in range(0, 2 * MAX_LIST_VALUES, 2)]
    right = [f"{i:05d}" for i in range(1, 2 * MAX_LIST_VALUES, 2)]
    combined = combine_rollups(
        [rollup(1, 1, hassh=left), rollup(1, 2, hassh=right)], None, None
    )
    assert combined.hassh_hashes == [f"{i:05d}" for i in range(MAX_LIST_VALUES)]


def test_combine_recomputes_centroid_from_values() -> None:
    values = {0b0111, 0b0011, 0b1001}
    parts = [rollup(1, 1, kd=b"\x00" * 8), rollup(2, 2, kd=b"\xff" * 8)]
    combined = combine_rollups(parts, values, None)
    expected = majority_simhash(sorted(values)).to_bytes(8, "big")
    assert combined.kd_digraph_simhash == expected


def test_combine_keeps_single_centroid() -> None:
    parts = [rollup(1, 1, kd=b"\x01" * 8), rollup(2, 2)]
    assert combine_rollups(parts, None, None).kd_digraph_simhash == b"\x01" * 8


def test_combine_rejects_two_centroids_without_values() -> None:
    parts = [rollup(1, 1, kd=b"\x01" * 8), rollup(2, 2, kd=b"\x02" * 8)]
    with pytest.raises(ValueError, match="kd_values"):
        combine_rollups(parts, None, None)


def test_combine_rejects_empty_input() -> None:
    with pytest.raises(ValueError, match="at least one"):
        combine_rollups([], None, None)
