"""The whole model on small fleets: re-estimation and campaign evidence."""

from __future__ import annotations

import numpy as np

from decnet.clustering.evidence import build_evidence, score_pairs
from decnet.clustering.model import run_model
from decnet.clustering.params import ModelParams
from decnet.clustering.table import build_table

ACTOR = 100
SCANNERS = 500
C2_DOMAINS = 5
FAMILY = 0x5A5A_0F0F_3C3C_9696


def _big_actor_fleet() -> tuple[list[str], list[tuple[str, str, str]]]:
    """Build one actor on 100 of 600 addresses among scanners on its library.

    Each actor address shares one build with one other address. With the
    rest it shares only values the actor carries on many addresses: the
    loader script, the password, one of five C2 domains, payload content
    within two bits.
    """
    fleet = [f"o{i:04d}" for i in range(ACTOR + SCANNERS)]
    rows: list[tuple[str, str, str]] = []
    for i, obs in enumerate(fleet[:ACTOR]):
        rows += [
            (obs, "hassh", "a" * 32),
            (obs, "command_shingle", "1" * 16),
            (obs, "command_shingle", "2" * 16),
            (obs, "login_success", "root\x1f7ujMko0admin"),
            (obs, "credential", "root\x1f7ujMko0admin"),
            (obs, "c2_endpoint", f"s{i}.bot{i % C2_DOMAINS}.example:443"),
            # Each build lands on two addresses, so the first round already
            # links pairs of them.
            (obs, "payload_sha256", f"{i // 2:064x}"),
            # Rebuilt per address, so the contents differ by a bit or two.
            (obs, "payload_simhash", f"{FAMILY ^ (1 << (i % 64)):016x}"),
        ]
    for s, obs in enumerate(fleet[ACTOR:]):
        rows += [
            (obs, "hassh", "a" * 32 if s % 2 else "b" * 32),
            (obs, "credential", f"root\x1fword{s % 40}"),
            (obs, "credential", "root\x1f7ujMko0admin"),
        ]
    return fleet, rows


def test_actor_on_sixth_of_fleet_resolves_whole() -> None:
    fleet, rows = _big_actor_fleet()
    labels = run_model(build_table(fleet, rows), ModelParams()).labels
    assert len(set(labels[:ACTOR].tolist())) == 1


def test_scanners_beside_big_actor_stay_alone() -> None:
    fleet, rows = _big_actor_fleet()
    labels = run_model(build_table(fleet, rows), ModelParams()).labels
    sizes = np.bincount(labels, minlength=len(fleet))
    assert (sizes[labels[ACTOR:]] == 1).all()


def test_big_actor_splits_without_reestimation() -> None:
    # The first round alone weighs each shared value by its 100 carriers,
    # which is what keeps the actor apart: the rounds do the work.
    fleet, rows = _big_actor_fleet()
    params = ModelParams(reestimation_rounds=0)
    labels = run_model(build_table(fleet, rows), params).labels
    assert len(set(labels[:ACTOR].tolist())) > 1


def _two_operators() -> tuple[list[str], list[tuple[str, str, str]]]:
    """Two operators of one campaign (same C2 and payload, different clients)
    among scanners."""
    fleet = [f"o{i:04d}" for i in range(60)]
    rows: list[tuple[str, str, str]] = []
    for i, obs in enumerate(fleet[:6]):
        client = "c" * 32 if i < 3 else "d" * 32
        rows += [
            (obs, "hassh", client),
            (obs, "c2_endpoint", "cdn.campaign.example:8080"),
            (obs, "payload_sha256", "9" * 64),
        ]
    for s, obs in enumerate(fleet[6:]):
        rows += [(obs, "hassh", "e" * 32 if s % 2 else "f" * 32)]
    return fleet, rows


def test_campaign_kit_does_not_join_different_clients() -> None:
    fleet, rows = _two_operators()
    labels = run_model(build_table(fleet, rows), ModelParams()).labels
    assert labels[0] == labels[2]
    assert labels[3] == labels[5]
    assert labels[0] != labels[3]


def test_campaign_kit_counts_when_conflict_limit_lifted() -> None:
    fleet, rows = _two_operators()
    table = build_table(fleet, rows)
    lifted = ModelParams(campaign_bits_on_tooling_conflict=64.0)
    pair = (np.array([0]), np.array([3]))
    limited = score_pairs(build_evidence(table, ModelParams()), *pair)
    unlimited = score_pairs(build_evidence(table, lifted), *pair)
    assert limited.bits[0] < 0
    assert unlimited.bits[0] > limited.bits[0] + 4


def test_public_download_weighs_like_public_endpoint() -> None:
    fleet = [f"o{i:04d}" for i in range(60)]
    rows: list[tuple[str, str, str]] = []
    for obs in fleet[:4]:
        rows += [
            (obs, "payload_sha256", "7" * 64),
            (obs, "public_endpoint", "github.com"),
        ]
    labels = run_model(build_table(fleet, rows), ModelParams()).labels
    assert len(set(labels[:4].tolist())) == 4


def test_kept_apart_observations_never_compared() -> None:
    fleet, rows = _big_actor_fleet()
    table = build_table(fleet, rows)
    codes = np.full(len(fleet), -1, dtype=np.int64)
    # Two frozen identities: the first ten actor addresses and the next ten.
    codes[:10] = 0
    codes[10:20] = 1
    result = run_model(table, ModelParams(), kept_apart=codes)
    left, right = result.candidates.left, result.candidates.right
    crossing = (codes[left] >= 0) & (codes[right] >= 0) & (codes[left] != codes[right])
    assert not crossing.any()
    assert ((codes[left] == 0) & (codes[right] == 0)).any()
    # The other actor addresses still join both groups into one part.
    assert len(set(result.labels[:ACTOR].tolist())) == 1
