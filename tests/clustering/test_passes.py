"""Clusterer passes against a real database on every backend."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.bus.lease import LeaseHeldError
from decnet.clustering.worker import cluster_once, clusterer_lease
from decnet.ingest.store import value_key
from decnet.web.db.models import (
    AnalystDecision,
    Attacker,
    AttackerIdentity,
    IdentityHistory,
    IdentityLink,
    ObservationFeature,
    OutboxEvent,
)
from decnet.web.db.models.identity import ClusterState
from tests.clustering.fleet import BASE_TIME, add_observations

SCANNERS = 150


def actor(
    k: int,
    *,
    payload: str | None = None,
    c2: str | None = None,
    script: str | None = None,
) -> list:
    """Features of one address of actor `k`: its own payload, C2 and script."""
    return [
        ("hassh", "0" * 32),
        ("payload_sha256", payload or f"{k + 1:064x}"),
        ("c2_endpoint", c2 or f"c2.actor{k}.example:443"),
        ("command_shingle", script or f"{k + 1:016x}"),
        ("credential", "root\x1f123456"),
    ]


def scanner(s: int) -> list:
    return [("hassh", "0" * 32 if s % 2 else "f" * 32), ("credential", "root\x1fadmin")]


# A second actor on the same client and password as actor 0, with its own
# script, payload and C2. Two groups of three that share a script as well
# are one actor to the model: once each group is a part, the script is
# carried by no unrelated observation.
OTHER_ACTOR = actor(0, payload="9" * 64, c2="c2.other.example:80", script="e" * 16)


def base_fleet() -> list[list]:
    fleet = [actor(k) for k in range(3) for _ in range(3)]
    fleet += [scanner(s) for s in range(SCANNERS)]
    return fleet


async def identity_of(engine: AsyncEngine) -> dict[str, str | None]:
    """Map each observation uuid to its canonical identity uuid."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.select(
                Attacker.uuid, Attacker.identity_id, AttackerIdentity.merged_into_uuid
            )
            .select_from(Attacker)
            .join(
                AttackerIdentity,
                AttackerIdentity.uuid == Attacker.identity_id,
                isouter=True,
            )
        )
        return {uuid: merged or identity for uuid, identity, merged in rows}


async def count(engine: AsyncEngine, model: type) -> int:
    async with engine.connect() as conn:
        return (
            await conn.execute(sa.select(sa.func.count()).select_from(model))
        ).scalar_one()


async def subjects(engine: AsyncEngine) -> Counter[str]:
    async with engine.connect() as conn:
        rows = await conn.execute(sa.select(OutboxEvent.subject))
        return Counter(row[0] for row in rows)


async def test_first_pass_forms_one_identity_per_actor(engine: AsyncEngine) -> None:
    uuids = await add_observations(engine, base_fleet())
    report = await cluster_once(engine)
    owners = await identity_of(engine)
    assert len({owners[u] for u in uuids[0:3]}) == 1
    assert owners[uuids[0]] != owners[uuids[3]]
    assert report.formed == 3 + SCANNERS
    assert None not in owners.values()


async def test_first_pass_publishes_formed_events(engine: AsyncEngine) -> None:
    await add_observations(engine, base_fleet())
    await cluster_once(engine)
    assert (await subjects(engine))["identity.formed"] == 3 + SCANNERS


async def test_rollups_and_links_describe_actor(engine: AsyncEngine) -> None:
    uuids = await add_observations(engine, base_fleet())
    await cluster_once(engine)
    owner = (await identity_of(engine))[uuids[0]]
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                sa.select(AttackerIdentity).where(AttackerIdentity.uuid == owner)
            )
        ).one()
        links = (
            await conn.execute(
                sa.select(IdentityLink.features).where(
                    IdentityLink.identity_uuid == owner
                )
            )
        ).all()
    assert row.observation_count == 3
    assert row.c2_endpoints == ["c2.actor0.example:443"]
    assert row.hassh_hashes == ["0" * 32]
    assert 0.0 < row.confidence <= 1.0
    assert len(links) == 2
    assert {"payload_sha256", "c2_domain"} <= {f["kind"] for f in links[0][0]}


async def test_rerun_on_unchanged_data_changes_nothing(engine: AsyncEngine) -> None:
    await add_observations(engine, base_fleet())
    await cluster_once(engine)
    before = (await count(engine, OutboxEvent), await count(engine, IdentityHistory))
    owners = await identity_of(engine)
    report = await cluster_once(engine)
    assert not report.changed
    assert (
        await count(engine, OutboxEvent),
        await count(engine, IdentityHistory),
    ) == before
    assert await identity_of(engine) == owners


async def test_new_observation_links_to_existing_identity(engine: AsyncEngine) -> None:
    uuids = await add_observations(engine, base_fleet())
    await cluster_once(engine)
    [late] = await add_observations(engine, [actor(1)], start=len(uuids))
    report = await cluster_once(engine)
    owners = await identity_of(engine)
    assert owners[late] == owners[uuids[3]]
    assert report.linked == 1
    assert (await subjects(engine))["identity.observation.linked"] == 1


async def test_incremental_pass_reads_only_neighbourhood(engine: AsyncEngine) -> None:
    uuids = await add_observations(engine, base_fleet())
    await cluster_once(engine)
    [late] = await add_observations(engine, [actor(2)], start=len(uuids))
    report = await cluster_once(engine, full=False)
    owners = await identity_of(engine)
    assert not report.full
    assert report.observations < len(uuids)
    assert owners[late] == owners[uuids[6]]


async def _identity_rows(engine: AsyncEngine) -> dict[str, tuple]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.select(
                AttackerIdentity.uuid,
                AttackerIdentity.updated_at,
                AttackerIdentity.rollup_digest,
            )
        )
        return {uuid: (updated, digest) for uuid, updated, digest in rows}


async def _history_by_observation(engine: AsyncEngine) -> Counter[str]:
    async with engine.connect() as conn:
        rows = await conn.execute(sa.select(IdentityHistory.observation_uuid))
        return Counter(row[0] for row in rows)


async def test_incremental_pass_writes_only_neighbourhood(
    engine: AsyncEngine,
) -> None:
    uuids = await add_observations(engine, base_fleet())
    await cluster_once(engine)
    identities_before = await _identity_rows(engine)
    history_before = await _history_by_observation(engine)
    subjects_before = await subjects(engine)
    links_before = await count(engine, IdentityLink)

    [late] = await add_observations(engine, [actor(2)], start=len(uuids))
    report = await cluster_once(engine, full=False)

    owners = await identity_of(engine)
    identities_after = await _identity_rows(engine)
    rewritten = {
        uuid
        for uuid, row in identities_after.items()
        if identities_before.get(uuid) != row
    }
    assert not report.full
    assert report.observations < len(uuids)
    assert rewritten == {owners[late]}
    new_history = await _history_by_observation(engine) - history_before
    assert new_history == Counter({late: 1})
    assert await subjects(engine) - subjects_before == Counter(
        {"identity.observation.linked": 1}
    )
    assert await count(engine, IdentityLink) == links_before + 1


async def test_bridging_evidence_merges_into_oldest(engine: AsyncEngine) -> None:
    fleet = [actor(0) for _ in range(3)] + [scanner(s) for s in range(SCANNERS)]
    first = await add_observations(engine, fleet)
    await cluster_once(engine)
    second = await add_observations(
        engine,
        [OTHER_ACTOR for _ in range(3)],
        start=len(first),
    )
    await cluster_once(engine)
    owners = await identity_of(engine)
    older, newer = owners[first[0]], owners[second[0]]
    assert older != newer
    bridge = actor(0)[:4] + [
        ("payload_sha256", "9" * 64),
        ("c2_endpoint", "c2.other.example:80"),
    ]
    await add_observations(engine, [bridge, bridge], start=len(first) + 3)
    report = await cluster_once(engine)
    owners = await identity_of(engine)
    assert owners[second[0]] == older
    assert report.merged == 1
    assert (await subjects(engine))["identity.merged"] == 1


async def _identity_row(engine: AsyncEngine, uuid: str | None) -> sa.Row:
    async with engine.connect() as conn:
        query = sa.select(AttackerIdentity).where(AttackerIdentity.uuid == uuid)
        return (await conn.execute(query)).one()


async def _links_of(engine: AsyncEngine, uuid: str | None) -> int:
    async with engine.connect() as conn:
        query = (
            sa.select(sa.func.count())
            .select_from(IdentityLink)
            .where(IdentityLink.identity_uuid == uuid)
        )
        return (await conn.execute(query)).scalar_one()


# More addresses than `block_size` (48), so that an incremental pass reads
# only some of them as candidates. The values they share stay under the
# frequency cap (5 % of the fleet) with CROWD scanners beside them.
LARGE = 60
CROWD = 1_400


def crowd() -> list[list]:
    return [scanner(s) for s in range(CROWD)]


async def test_incremental_pass_grows_large_identity(engine: AsyncEngine) -> None:
    fleet = [actor(0) for _ in range(LARGE)] + crowd()
    uuids = await add_observations(engine, fleet)
    await cluster_once(engine)
    [late] = await add_observations(engine, [actor(0)], start=len(uuids))

    report = await cluster_once(engine, full=False)

    owners = await identity_of(engine)
    owner = owners[uuids[0]]
    row = await _identity_row(engine, owner)
    assert not report.full
    assert report.observations < LARGE
    assert owners[late] == owner
    assert row.observation_count == LARGE + 1
    assert row.last_seen_at == BASE_TIME + timedelta(minutes=5 * (LARGE + CROWD) + 1)
    assert row.c2_endpoints == ["c2.actor0.example:443"]
    assert await _links_of(engine, owner) == LARGE


async def test_full_pass_after_incremental_moves_nothing(engine: AsyncEngine) -> None:
    fleet = [actor(0) for _ in range(LARGE)] + crowd()
    uuids = await add_observations(engine, fleet)
    await cluster_once(engine)
    await add_observations(engine, [actor(0), actor(1)], start=len(uuids))
    await cluster_once(engine, full=False)
    owners = await identity_of(engine)
    count_before = (await _identity_row(engine, owners[uuids[0]])).observation_count

    report = await cluster_once(engine, full=True)

    assert await identity_of(engine) == owners
    assert report.linked + report.relinked + report.split == 0
    assert report.merged + report.unmerged + report.formed == 0
    assert report.rollups_written == 0
    row = await _identity_row(engine, owners[uuids[0]])
    assert row.observation_count == count_before == LARGE + 1


async def test_incremental_bridge_merges_large_identity(engine: AsyncEngine) -> None:
    fleet = [actor(0) for _ in range(3)] + crowd()
    first = await add_observations(engine, fleet)
    await cluster_once(engine)
    second = await add_observations(
        engine, [OTHER_ACTOR for _ in range(LARGE)], start=len(first)
    )
    await cluster_once(engine, full=False)
    owners = await identity_of(engine)
    older, newer = owners[first[0]], owners[second[0]]
    history_before = await _history_by_observation(engine)
    bridge = actor(0)[:4] + [
        ("payload_sha256", "9" * 64),
        ("c2_endpoint", "c2.other.example:80"),
    ]
    await add_observations(engine, [bridge, bridge], start=len(first) + LARGE)

    report = await cluster_once(engine, full=False)

    owners = await identity_of(engine)
    async with engine.connect() as conn:
        merged = (
            await conn.execute(
                sa.select(OutboxEvent.payload).where(
                    OutboxEvent.subject == "identity.merged"
                )
            )
        ).scalar_one()
    new_history = await _history_by_observation(engine) - history_before
    assert not report.full
    assert report.observations < LARGE
    assert older != newer
    assert owners[second[0]] == older
    assert merged["loser_uuid"] == newer
    assert sorted(merged["observation_uuids"]) == sorted(second)
    assert all(new_history[uuid] == 1 for uuid in second)
    row = await _identity_row(engine, older)
    assert row.observation_count == 3 + LARGE + 2
    assert row.c2_endpoints == ["c2.actor0.example:443", "c2.other.example:80"]


async def test_full_pass_stores_common_counts(engine: AsyncEngine) -> None:
    await add_observations(engine, [actor(0) for _ in range(3)] + crowd())
    await cluster_once(engine)
    async with engine.connect() as conn:
        stored = (
            await conn.execute(sa.select(ClusterState.common_counts))
        ).scalar_one()
    counts = {(kind, key): count for kind, key, count in stored}
    # Half the crowd and the three actor addresses carry hassh 0…0.
    assert counts[("hassh", value_key("0" * 32))] == CROWD // 2 + 3
    assert counts[("hassh", value_key("f" * 32))] == CROWD // 2
    assert ("payload_sha256", value_key(f"{1:064x}")) not in counts


async def test_incremental_pass_uses_stored_counts(engine: AsyncEngine) -> None:
    uuids = await add_observations(engine, [actor(0) for _ in range(3)] + crowd())
    await cluster_once(engine)
    # A stored count above the real one (703) shows which count was used.
    async with engine.begin() as conn:
        await conn.execute(
            sa.update(ClusterState).values(
                common_counts=[["hassh", value_key("0" * 32), 1_000]]
            )
        )
    [late] = await add_observations(engine, [actor(0)], start=len(uuids))
    await cluster_once(engine, full=False)
    async with engine.connect() as conn:
        features = (
            await conn.execute(
                sa.select(IdentityLink.features).where(
                    (IdentityLink.observation_a == late)
                    | (IdentityLink.observation_b == late)
                )
            )
        ).scalar_one()
    hassh = next(f for f in features if f["kind"] == "hassh")
    assert hassh["frequency"] == 1_000


async def test_gateway_does_not_bridge_two_actors(engine: AsyncEngine) -> None:
    uuids = await add_observations(engine, base_fleet())
    both = actor(0) + actor(1)
    [gateway] = await add_observations(
        engine, [both], start=len(uuids), flagged=[len(uuids)]
    )
    await cluster_once(engine)
    owners = await identity_of(engine)
    assert owners[uuids[0]] != owners[uuids[3]]
    assert owners[gateway] not in (owners[uuids[0]], owners[uuids[3]])


async def test_split_decision_is_honoured(engine: AsyncEngine) -> None:
    uuids = await add_observations(engine, base_fleet())
    await cluster_once(engine)
    owner = (await identity_of(engine))[uuids[0]]
    async with engine.begin() as conn:
        await conn.execute(
            sa.insert(AnalystDecision.__table__).values(
                kind="split",
                subject_type="identity",
                subject_a=owner,
                detail={"observation_uuids": [uuids[2]]},
                username="analyst",
            )
        )
    report = await cluster_once(engine)
    owners = await identity_of(engine)
    assert owners[uuids[2]] != owner
    assert owners[uuids[1]] == owner
    assert report.split == 1


async def test_must_link_decision_joins_strangers(engine: AsyncEngine) -> None:
    uuids = await add_observations(engine, base_fleet())
    a, b = uuids[9], uuids[10]
    async with engine.begin() as conn:
        await conn.execute(
            sa.insert(AnalystDecision.__table__).values(
                kind="must_link",
                subject_type="observation",
                subject_a=a,
                subject_b=b,
                username="analyst",
            )
        )
    await cluster_once(engine)
    owners = await identity_of(engine)
    assert owners[a] == owners[b]


async def test_removed_evidence_unmerges_identity(engine: AsyncEngine) -> None:
    fleet = [actor(0) for _ in range(3)] + [scanner(s) for s in range(SCANNERS)]
    first = await add_observations(engine, fleet)
    await cluster_once(engine)
    other = [OTHER_ACTOR for _ in range(3)]
    second = await add_observations(engine, other, start=len(first))
    await cluster_once(engine)
    bridge = actor(0)[:4] + [
        ("payload_sha256", "9" * 64),
        ("c2_endpoint", "c2.other.example:80"),
    ]
    bridges = await add_observations(engine, [bridge, bridge], start=len(first) + 3)
    await cluster_once(engine)
    async with engine.begin() as conn:
        await conn.execute(
            sa.delete(ObservationFeature.__table__).where(
                ObservationFeature.observation_uuid.in_(bridges)
            )
        )
    report = await cluster_once(engine)
    owners = await identity_of(engine)
    assert owners[first[0]] != owners[second[0]]
    assert report.unmerged == 1
    assert (await subjects(engine))["identity.unmerged"] == 1


async def test_held_lease_blocks_second_clusterer(engine: AsyncEngine) -> None:
    other = clusterer_lease(engine, holder="other-host:1", ttl_s=60.0)
    assert await other.acquire()
    with pytest.raises(LeaseHeldError, match="other-host:1 until .* UTC"):
        await cluster_once(engine)
    assert await other.current_holder() == "other-host:1"
    current = await other.current()
    assert current is not None
    assert current[0] == "other-host:1"


async def test_empty_database_pass_writes_nothing(engine: AsyncEngine) -> None:
    report = await cluster_once(engine)
    assert report.observations == 0
    assert not report.changed


async def test_malformed_and_unknown_features_are_skipped(engine: AsyncEngine) -> None:
    odd = [
        ("command_simhash", "not-a-simhash"),
        ("kd_simhash", "zzzzzzzzzzzzzzzz"),
        ("future_kind", "x" * 5000),
        ("credential", "root\x1f\x01\ufffd\t"),
    ]
    uuids = await add_observations(engine, [odd, odd, []])
    report = await cluster_once(engine)
    owners = await identity_of(engine)
    assert report.formed == 3
    assert len({owners[u] for u in uuids}) == 3
