"""Analyst decisions posted over HTTP and honoured by later clusterer passes.

Each test clusters a small fleet with `cluster_once(engine, full=True)`,
records a decision through the API, runs more full passes and reads the
resulting identities back through the API. The fleet has three actors of
three addresses each, which share a rare payload, C2 endpoint and command
script, and 150 scanners that share only common values, so the evidence
weights match those of a real sensor.
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.clustering.worker import cluster_once
from decnet.web.db.models import AttackerIdentity
from tests.clustering.fleet import add_observations
from tests.web.conftest import auth

SCANNERS = 150


def actor(k: int, *, payload: str | None = None, c2: str | None = None) -> list:
    """Return the features of one address of actor `k`."""
    return [
        ("hassh", "0" * 32),
        ("payload_sha256", payload or f"{k + 1:064x}"),
        ("c2_endpoint", c2 or f"c2.actor{k}.example:443"),
        ("command_shingle", f"{k + 1:016x}"),
        ("credential", "root\x1f123456"),
    ]


def scanner(s: int) -> list:
    return [("hassh", "0" * 32 if s % 2 else "f" * 32), ("credential", "root\x1fadmin")]


async def clustered_fleet(engine: AsyncEngine) -> list[str]:
    """Insert three actors (observations 0-2, 3-5, 6-8) and the scanners, then
    run a full pass; return the observation uuids."""
    fleet = [actor(k) for k in range(3) for _ in range(3)]
    fleet += [scanner(s) for s in range(SCANNERS)]
    uuids = await add_observations(engine, fleet)
    await cluster_once(engine, full=True)
    return uuids


async def owner(client: httpx.AsyncClient, observation: str) -> str | None:
    """Return the canonical identity of an observation as the API reports it."""
    response = await client.get(f"/api/v1/attackers/{observation}", headers=auth())
    assert response.status_code == 200, response.text
    return response.json()["canonical_identity_id"]


async def members(client: httpx.AsyncClient, identity: str) -> set[str]:
    response = await client.get(
        f"/api/v1/identities/{identity}/observations?limit=1000", headers=auth()
    )
    assert response.status_code == 200, response.text
    return {row["uuid"] for row in response.json()["data"]}


async def test_fleet_forms_one_identity_per_actor(
    client: httpx.AsyncClient, api_engine: AsyncEngine
) -> None:
    uuids = await clustered_fleet(api_engine)
    first = await owner(client, uuids[0])
    assert first is not None
    assert await members(client, first) == set(uuids[0:3])
    assert await owner(client, uuids[3]) not in (None, first)


async def test_split_is_applied_by_next_pass(
    client: httpx.AsyncClient, api_engine: AsyncEngine
) -> None:
    uuids = await clustered_fleet(api_engine)
    identity = await owner(client, uuids[0])
    response = await client.post(
        f"/api/v1/identities/{identity}/split",
        json={"observation_uuids": [uuids[2]], "reason": "different operator"},
        headers=auth("analyst"),
    )
    assert response.status_code == 202, response.text
    assert await owner(client, uuids[2]) == identity

    report = await cluster_once(api_engine, full=True)
    assert report.split == 1
    assert await owner(client, uuids[0]) == identity
    assert await owner(client, uuids[1]) == identity
    assert await owner(client, uuids[2]) not in (None, identity)
    assert await members(client, identity) == set(uuids[0:2])

    again = await cluster_once(api_engine, full=True)
    assert again.split == 0
    assert await owner(client, uuids[2]) not in (None, identity)


async def test_revoked_split_rejoins_on_next_pass(
    client: httpx.AsyncClient, api_engine: AsyncEngine
) -> None:
    uuids = await clustered_fleet(api_engine)
    identity = await owner(client, uuids[0])
    response = await client.post(
        f"/api/v1/identities/{identity}/split",
        json={"observation_uuids": [uuids[2]]},
        headers=auth("analyst"),
    )
    decision = response.json()["id"]
    await cluster_once(api_engine, full=True)
    assert await owner(client, uuids[2]) != identity

    revoked = await client.delete(
        f"/api/v1/decisions/{decision}", headers=auth("analyst")
    )
    assert revoked.status_code == 200, revoked.text
    await cluster_once(api_engine, full=True)
    assert await owner(client, uuids[2]) == await owner(client, uuids[0])


async def test_observation_cannot_link_is_honoured(
    client: httpx.AsyncClient, api_engine: AsyncEngine
) -> None:
    uuids = await clustered_fleet(api_engine)
    identity = await owner(client, uuids[0])
    response = await client.post(
        "/api/v1/decisions/cannot-link",
        json={"subject_type": "observation", "a": uuids[0], "b": uuids[2]},
        headers=auth("analyst"),
    )
    assert response.status_code == 201, response.text

    await cluster_once(api_engine, full=True)
    first = await owner(client, uuids[0])
    last = await owner(client, uuids[2])
    assert first is not None
    assert last is not None
    assert first != last
    assert identity in (first, last)


@pytest.mark.parametrize("ruled", [True, False], ids=["ruled", "unruled"])
async def test_identity_cannot_link_blocks_bridge(
    client: httpx.AsyncClient, api_engine: AsyncEngine, ruled: bool
) -> None:
    uuids = await clustered_fleet(api_engine)
    left, right = await owner(client, uuids[0]), await owner(client, uuids[3])
    if ruled:
        response = await client.post(
            "/api/v1/decisions/cannot-link",
            json={"subject_type": "identity", "a": left, "b": right},
            headers=auth("analyst"),
        )
        assert response.status_code == 201, response.text

    # Two addresses that carry the rare values of both actors join them
    # unless the ruling is in force.
    bridge = actor(0)[:4] + [
        ("payload_sha256", f"{2:064x}"),
        ("c2_endpoint", "c2.actor1.example:443"),
    ]
    bridges = await add_observations(api_engine, [bridge, bridge], start=len(uuids))
    report = await cluster_once(api_engine, full=True)
    assert await owner(client, bridges[0]) is not None
    if ruled:
        assert report.merged == 0
        assert await owner(client, uuids[0]) == left
        assert await owner(client, uuids[3]) == right
    else:
        assert report.merged == 1
        assert await owner(client, uuids[0]) == await owner(client, uuids[3])


async def test_merge_survives_full_passes(
    client: httpx.AsyncClient, api_engine: AsyncEngine
) -> None:
    uuids = await clustered_fleet(api_engine)
    winner, loser = await owner(client, uuids[0]), await owner(client, uuids[3])
    assert winner is not None
    assert loser is not None
    # The clusterer on its own keeps the oldest identity as the winner; the
    # analyst picks the newer one.
    async with api_engine.begin() as conn:
        await conn.execute(
            sa.update(AttackerIdentity)
            .where(AttackerIdentity.uuid == loser)
            .values(created_at=datetime(2026, 1, 1, tzinfo=UTC))
        )
    response = await client.post(
        f"/api/v1/identities/{winner}/merge",
        json={"loser_uuid": loser, "reason": "same operator, seen in chat logs"},
        headers=auth("analyst"),
    )
    assert response.status_code == 200, response.text

    for _ in range(2):
        report = await cluster_once(api_engine, full=True)
        assert report.unmerged == 0
        for observation in uuids[0:6]:
            assert await owner(client, observation) == winner
    detail = await client.get(f"/api/v1/identities/{loser}", headers=auth())
    assert detail.json()["uuid"] == winner
    assert await owner(client, uuids[6]) not in (None, winner)


async def test_decisions_hold_on_incremental_pass(
    client: httpx.AsyncClient, api_engine: AsyncEngine
) -> None:
    uuids = await clustered_fleet(api_engine)
    winner, loser = await owner(client, uuids[0]), await owner(client, uuids[3])
    third = await owner(client, uuids[6])
    merged = await client.post(
        f"/api/v1/identities/{winner}/merge",
        json={"loser_uuid": loser},
        headers=auth("analyst"),
    )
    assert merged.status_code == 200, merged.text
    split = await client.post(
        f"/api/v1/identities/{third}/split",
        json={"observation_uuids": [uuids[8]]},
        headers=auth("analyst"),
    )
    assert split.status_code == 202, split.text
    await cluster_once(api_engine, full=True)

    # New addresses of actors 1 and 2 wake an incremental pass around the
    # merged identity and the split one.
    late = await add_observations(api_engine, [actor(1), actor(2)], start=len(uuids))
    report = await cluster_once(api_engine, full=False)
    assert not report.full
    assert await owner(client, late[0]) == winner
    assert await owner(client, uuids[3]) == winner
    assert await owner(client, late[1]) == third
    assert await owner(client, uuids[8]) not in (None, third)
