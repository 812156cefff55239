"""Match weights, disagreement, comparison groups and derived features."""

from __future__ import annotations

import math

import numpy as np
import pytest

from decnet.clustering.candidates import generate
from decnet.clustering.derived import registered_domain
from decnet.clustering.evidence import build_evidence, score_pairs, value_weights
from decnet.clustering.explain import explain_pair
from decnet.clustering.params import KindParams, ModelParams
from decnet.clustering.rollup import majority_simhash
from decnet.clustering.table import build_table

UNCAPPED = ModelParams(
    kinds={
        "hassh": KindParams(m=0.95),
        "payload_sha256": KindParams(m=0.6),
        "client_version": KindParams(m=0.95),
    }
)


def _fleet(n: int, hassh_share: float) -> tuple[list[str], list[tuple[str, str, str]]]:
    fleet = [f"o{i:05d}" for i in range(n)]
    carriers = int(n * hassh_share)
    rows = [(obs, "hassh", "c" * 32) for obs in fleet[:carriers]]
    rows += [(obs, "hassh", f"{i:032x}") for i, obs in enumerate(fleet[carriers:])]
    rows += [(obs, "payload_sha256", "d" * 64) for obs in fleet[:3]]
    return fleet, rows


def test_common_hassh_weighs_about_one_bit() -> None:
    # 45 % of 10,000 observations: log2(0.95 / 0.45) is about 1.1 bits.
    fleet, rows = _fleet(10_000, 0.45)
    table = build_table(fleet, rows)
    weights = value_weights(table, UNCAPPED)
    v = table.values.index("c" * 32)
    assert weights[v] == pytest.approx(math.log2(0.95 / (4499 / 9999)), abs=1e-6)


def test_payload_on_three_observations_weighs_about_eleven_bits() -> None:
    fleet, rows = _fleet(10_000, 0.45)
    table = build_table(fleet, rows)
    weights = value_weights(table, UNCAPPED)
    v = table.values.index("d" * 64)
    assert weights[v] == pytest.approx(math.log2(0.6 / (2 / 9999)), abs=1e-6)


def test_kind_cap_limits_weight() -> None:
    fleet, rows = _fleet(1000, 0.45)
    table = build_table(fleet, rows)
    params = ModelParams(kinds={"payload_sha256": KindParams(m=0.6, max_bits=2.0)})
    v = table.values.index("d" * 64)
    assert value_weights(table, params)[v] == 2.0


def test_different_tooling_counts_against_a_link() -> None:
    rows = [("a", "hassh", "1" * 32), ("b", "hassh", "2" * 32)]
    rows += [(f"x{i}", "hassh", "3" * 32) for i in range(50)]
    table = build_table([r[0] for r in rows], rows)
    evidence = build_evidence(table, UNCAPPED)
    a, b = table.observations.index("a"), table.observations.index("b")
    scores = score_pairs(evidence, np.array([a]), np.array([b]))
    assert scores.bits[0] < 0


def test_group_counts_heaviest_agreement_once() -> None:
    rows = []
    for obs in ("a", "b"):
        rows += [(obs, "hassh", "1" * 32), (obs, "client_version", "SSH-2.0-Rare")]
    rows += [(f"x{i}", "hassh", f"{i:032x}") for i in range(100)]
    table = build_table([r[0] for r in rows], rows)
    evidence = build_evidence(table, UNCAPPED)
    scores = score_pairs(evidence, np.array([0]), np.array([1]))
    assert np.count_nonzero(scores.kind_bits[0]) == 1


def test_trivial_payload_hash_is_ignored() -> None:
    empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    rows = [("a", "payload_sha256", empty), ("b", "payload_sha256", empty)]
    table = build_table(["a", "b"], rows)
    assert table.n_values == 0


def test_explanation_lists_shared_value_with_frequency() -> None:
    fleet, rows = _fleet(1000, 0.45)
    table = build_table(fleet, rows)
    evidence = build_evidence(table, UNCAPPED)
    explanation = explain_pair(evidence, 0, 1)
    kinds = {entry["kind"]: entry for entry in explanation.features}
    assert kinds["payload_sha256"]["frequency"] == 3


def test_registered_domain_drops_rotating_subdomain() -> None:
    assert registered_domain("x7f2.example.net:443") == "example.net"


def test_registered_domain_of_ip_is_none() -> None:
    assert registered_domain("203.0.113.9:8080") is None


def test_majority_simhash_takes_bitwise_majority() -> None:
    assert majority_simhash([0b110, 0b011, 0b010]) == 0b010


def test_registered_domain_of_file_name_is_none() -> None:
    # "gz" is no top-level domain, so an archive name is not a C2 domain.
    assert registered_domain("k1q9.tar.gz") is None
    assert registered_domain("pool.kazuroxa.top:3333") == "kazuroxa.top"


def test_registered_domain_under_special_use_name() -> None:
    assert registered_domain("x7f2.c2.lab.example:443") == "lab.example"


def test_simhash_density_counts_every_duplicate() -> None:
    # 100 copies of one script hash fill a band bucket far beyond the
    # window of 12, yet each copy has 99 neighbours.
    fleet = [f"o{i:04d}" for i in range(400)]
    rows = [(obs, "command_simhash", "00ff00ff00ff00ff") for obs in fleet[:100]]
    table = build_table(fleet, rows)
    params = ModelParams()
    found = generate(table, params, value_weights(table, params), 10.0)
    evidence = build_evidence(table, params, found.density)
    k = table.kinds.index("command_simhash")
    assert found.density["command_simhash"][:100].min() < 99
    assert (evidence.simhash[k].density[:100] == 99).all()
