"""Candidate generation: the band index, blocks and the sliding window."""

from __future__ import annotations

import random

import numpy as np
import pytest

from decnet.clustering.candidates import band_edges, block_pairs, generate
from decnet.clustering.evidence import value_weights
from decnet.clustering.params import ModelParams
from decnet.clustering.table import build_table


@pytest.mark.parametrize("hamming", [0, 2, 3, 5, 6])
def test_band_edges_cover_64_bits(hamming: int) -> None:
    edges = band_edges(hamming)
    assert len(edges) == hamming + 1
    assert sum(width for _, width in edges) == 64
    assert edges[-1][0] == 0


def test_band_edges_reject_out_of_range_distance() -> None:
    with pytest.raises(ValueError, match="Hamming distance 64"):
        band_edges(64)


def _flip(value: int, bits: int, rng: random.Random) -> int:
    for position in rng.sample(range(64), bits):
        value ^= 1 << position
    return value


@pytest.mark.parametrize("seed", range(5))
def test_band_index_finds_every_pair_within_distance(seed: int) -> None:
    rng = random.Random(seed)
    rows, expected = [], set()
    for group in range(40):
        base = rng.getrandbits(64)
        a, b = f"g{group}a", f"g{group}b"
        rows.append((a, "command_simhash", f"{base:016x}"))
        rows.append(
            (b, "command_simhash", f"{_flip(base, rng.randint(0, 3), rng):016x}")
        )
        expected.add((a, b))
    table = build_table([r[0] for r in rows], rows)
    params = ModelParams()
    found = generate(table, params, value_weights(table, params), 10.0)
    pairs = {
        (table.observations[a], table.observations[b])
        for a, b in zip(found.left.tolist(), found.right.tolist(), strict=True)
    }
    assert expected <= pairs


def test_small_block_proposes_every_pair() -> None:
    members = np.array([5, 6, 7, 8], dtype=np.int64)
    groups = np.zeros(4, dtype=np.int64)
    left, right = block_pairs(members, groups, members, block_size=10, window=2)
    assert len(left) == 6


def test_large_block_is_windowed_not_all_pairs() -> None:
    n = 1000
    members = np.arange(n, dtype=np.int64)
    groups = np.zeros(n, dtype=np.int64)
    left, right = block_pairs(members, groups, members, block_size=48, window=5)
    assert len(left) == sum(min(5, n - 1 - i) for i in range(n))
    assert np.all(np.abs(left - right) <= 5)


def test_value_on_one_observation_proposes_nothing() -> None:
    rows = [("a", "payload_sha256", "1" * 64), ("b", "payload_sha256", "2" * 64)]
    table = build_table(["a", "b"], rows)
    params = ModelParams()
    found = generate(table, params, value_weights(table, params), 10.0)
    assert len(found.left) == 0


def test_value_over_share_cap_is_skipped() -> None:
    fleet = [f"o{i:04d}" for i in range(2000)]
    rows = [(obs, "hassh", "a" * 32) for obs in fleet]
    table = build_table(fleet, rows)
    params = ModelParams()
    found = generate(table, params, value_weights(table, params), 10.0)
    assert len(found.left) == 0
    assert found.skipped_values == 1
