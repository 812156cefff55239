"""Assignments resolve merged identities and campaigns on every backend."""

from __future__ import annotations

import io

import orjson
from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.evaluation.assignments import iter_assignments, write_assignments
from decnet.evaluation.resolvers import resolve_trivial
from decnet.web.db.engine import session_factory, transaction
from decnet.web.db.models import Campaign
from decnet.web.db.repository import (
    create_identity,
    link_observation,
    merge_identities,
    update_identity,
    upsert_observation,
)


async def _seed(engine: AsyncEngine) -> dict[str, str]:
    async with transaction(session_factory(engine)) as session:
        first = await upsert_observation(session, "192.0.2.10")
        second = await upsert_observation(session, "198.51.100.20")
        alone = await upsert_observation(session, "203.0.113.30")
        winner = await create_identity(session)
        loser = await create_identity(session)
        campaign = Campaign(name="op")
        session.add(campaign)
        await session.flush()
        await update_identity(session, winner.uuid, campaign_id=campaign.uuid)
        await link_observation(session, first.uuid, winner.uuid)
        await link_observation(session, second.uuid, loser.uuid)
        await merge_identities(session, winner.uuid, loser.uuid)
        return {
            "winner": winner.uuid,
            "campaign": campaign.uuid,
            "alone": alone.uuid,
        }


async def test_merged_identity_resolves_to_winner(engine: AsyncEngine) -> None:
    ids = await _seed(engine)
    rows = {row["ip"]: row async for row in iter_assignments(engine)}
    assert rows["192.0.2.10"]["identity_uuid"] == ids["winner"]
    assert rows["198.51.100.20"]["identity_uuid"] == ids["winner"]


async def test_campaign_follows_canonical_identity(engine: AsyncEngine) -> None:
    ids = await _seed(engine)
    rows = {row["ip"]: row async for row in iter_assignments(engine)}
    assert rows["198.51.100.20"]["campaign_uuid"] == ids["campaign"]


async def test_unresolved_observation_has_no_identity(engine: AsyncEngine) -> None:
    ids = await _seed(engine)
    rows = {row["ip"]: row async for row in iter_assignments(engine)}
    assert rows["203.0.113.30"] == {
        "ip": "203.0.113.30",
        "observation_uuid": ids["alone"],
        "identity_uuid": None,
        "campaign_uuid": None,
    }


async def test_json_lines_are_ordered_by_ip(engine: AsyncEngine) -> None:
    await _seed(engine)
    stream = io.BytesIO()
    count = await write_assignments(engine, stream)
    lines = [orjson.loads(line) for line in stream.getvalue().splitlines()]
    assert count == 3
    assert [line["ip"] for line in lines] == sorted(line["ip"] for line in lines)


async def test_trivial_resolver_gives_each_observation_its_own(
    engine: AsyncEngine,
) -> None:
    await _seed(engine)
    created = await resolve_trivial(engine)
    rows = [row async for row in iter_assignments(engine)]
    assert created == 1
    assert all(row["identity_uuid"] for row in rows)
    assert len({row["identity_uuid"] for row in rows}) == 2


async def test_trivial_resolver_batches_large_tables(
    sqlite_engine: AsyncEngine,
) -> None:
    async with transaction(session_factory(sqlite_engine)) as session:
        for network in ("192.0.2", "198.51.100", "203.0.113"):
            for host in range(1, 255):
                await upsert_observation(session, f"{network}.{host}")
    created = await resolve_trivial(sqlite_engine)
    identities = {row["identity_uuid"] async for row in iter_assignments(sqlite_engine)}
    # 762 observations span two transactions of at most 500.
    assert created == 762
    assert len(identities) == 762
