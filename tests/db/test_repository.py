"""Repository behaviour on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.errors import InputError, IntegrityViolationError, NotFoundError
from decnet.web.db import repository as repo
from decnet.web.db.engine import session_factory, transaction


async def _identities(engine: AsyncEngine, count: int) -> list[str]:
    async with transaction(session_factory(engine)) as session:
        rows = [await repo.create_identity(session) for _ in range(count)]
        return [row.uuid for row in rows]


async def _observation(
    engine: AsyncEngine, ip: str, identity: str | None = None
) -> str:
    async with transaction(session_factory(engine)) as session:
        row = await repo.upsert_observation(session, ip, session_count=1)
        if identity is not None:
            await repo.link_observation(session, row.uuid, identity)
        return row.uuid


async def test_upsert_normalises_mapped_ipv4(engine: AsyncEngine) -> None:
    first = await _observation(engine, "::ffff:198.51.100.7")
    second = await _observation(engine, "198.51.100.7")
    assert first == second
    async with session_factory(engine)() as session:
        row = await repo.get_observation_by_ip(session, "::FFFF:198.51.100.7")
    assert row is not None
    assert row.ip == "198.51.100.7"


async def test_upsert_updates_fields_without_identity(engine: AsyncEngine) -> None:
    async with transaction(session_factory(engine)) as session:
        row = await repo.upsert_observation(session, "2001:DB8::0:1", event_count=3)
        await repo.upsert_observation(session, "2001:db8::1", event_count=5)
    async with session_factory(engine)() as session:
        stored = await repo.get_observation(session, row.uuid)
    assert stored is not None
    assert stored.ip == "2001:db8::1"
    assert stored.event_count == 5
    assert stored.identity_id is None


async def test_upsert_rejects_identity_id(engine: AsyncEngine) -> None:
    async with transaction(session_factory(engine)) as session:
        with pytest.raises(InputError, match="identity_id"):
            await repo.upsert_observation(session, "192.0.2.1", identity_id="x")


async def test_upsert_rejects_invalid_ip(engine: AsyncEngine) -> None:
    async with transaction(session_factory(engine)) as session:
        with pytest.raises(InputError, match="not-an-ip"):
            await repo.upsert_observation(session, "not-an-ip")


async def test_link_follows_merge_to_winner(engine: AsyncEngine) -> None:
    winner, loser = await _identities(engine, 2)
    async with transaction(session_factory(engine)) as session:
        await repo.merge_identities(session, winner, loser)
    observation = await _observation(engine, "192.0.2.10", loser)
    async with session_factory(engine)() as session:
        row = await repo.get_observation(session, observation)
    assert row is not None
    assert row.identity_id == winner


async def test_link_unknown_identity_raises(engine: AsyncEngine) -> None:
    observation = await _observation(engine, "192.0.2.11")
    async with transaction(session_factory(engine)) as session:
        with pytest.raises(NotFoundError):
            await repo.link_observation(session, observation, "missing")


async def test_merge_keeps_loser_row(engine: AsyncEngine) -> None:
    winner, loser = await _identities(engine, 2)
    observation = await _observation(engine, "192.0.2.20", loser)
    async with transaction(session_factory(engine)) as session:
        moved = await repo.merge_identities(session, winner, loser)
    assert moved == [observation]
    async with session_factory(engine)() as session:
        stored = await repo.get_identity(session, loser)
        resolved = await repo.resolve_identity(session, loser)
        count = await repo.live_observation_count(session, winner)
    assert stored is not None
    assert stored.merged_into_uuid == winner
    assert resolved is not None
    assert resolved.uuid == winner
    assert count == 1


async def test_merge_compresses_chain(engine: AsyncEngine) -> None:
    first, second, third = await _identities(engine, 3)
    async with transaction(session_factory(engine)) as session:
        await repo.merge_identities(session, second, first)
    async with transaction(session_factory(engine)) as session:
        await repo.merge_identities(session, third, second)
    async with session_factory(engine)() as session:
        rows = {
            uuid: await repo.get_identity(session, uuid) for uuid in (first, second)
        }
    assert rows[first].merged_into_uuid == third
    assert rows[second].merged_into_uuid == third


async def test_merge_into_itself_rejected(engine: AsyncEngine) -> None:
    (only,) = await _identities(engine, 1)
    async with transaction(session_factory(engine)) as session:
        with pytest.raises(IntegrityViolationError, match="itself"):
            await repo.merge_identities(session, only, only)


async def test_merge_into_own_loser_rejected(engine: AsyncEngine) -> None:
    winner, loser = await _identities(engine, 2)
    async with transaction(session_factory(engine)) as session:
        await repo.merge_identities(session, winner, loser)
    async with transaction(session_factory(engine)) as session:
        with pytest.raises(IntegrityViolationError, match="already one identity"):
            await repo.merge_identities(session, loser, winner)
    async with session_factory(engine)() as session:
        stored = await repo.get_identity(session, winner)
    assert stored is not None
    assert stored.merged_into_uuid is None


async def test_merge_unknown_identity_raises(engine: AsyncEngine) -> None:
    (only,) = await _identities(engine, 1)
    async with transaction(session_factory(engine)) as session:
        with pytest.raises(NotFoundError):
            await repo.merge_identities(session, only, "missing")


async def test_unmerge_restores_canonical(engine: AsyncEngine) -> None:
    winner, loser = await _identities(engine, 2)
    await _observation(engine, "192.0.2.30", loser)
    async with transaction(session_factory(engine)) as session:
        await repo.merge_identities(session, winner, loser)
    async with transaction(session_factory(engine)) as session:
        former = await repo.unmerge_identity(session, loser)
    assert former == winner
    async with session_factory(engine)() as session:
        winner_count = await repo.live_observation_count(session, winner)
        loser_count = await repo.live_observation_count(session, loser)
        page = await repo.list_identities(session, limit=10)
    assert winner_count == 0
    assert loser_count == 1
    assert page.total == 2


async def test_list_identities_excludes_merged(engine: AsyncEngine) -> None:
    first, second, third = await _identities(engine, 3)
    async with transaction(session_factory(engine)) as session:
        await repo.merge_identities(session, first, second)
        await repo.update_identity(session, third, notes="newest")
    async with session_factory(engine)() as session:
        page = await repo.list_identities(session, limit=10)
    assert page.total == 2
    assert [row.uuid for row in page.data] == [third, first]


async def test_list_identities_paginates(engine: AsyncEngine) -> None:
    await _identities(engine, 5)
    async with session_factory(engine)() as session:
        page = await repo.list_identities(session, limit=2, offset=4)
    assert page.total == 5
    assert len(page.data) == 1


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (1001, 0), (10, -1)])
async def test_list_rejects_bad_window(
    engine: AsyncEngine, limit: int, offset: int
) -> None:
    async with session_factory(engine)() as session:
        with pytest.raises(InputError):
            await repo.list_identities(session, limit=limit, offset=offset)


async def test_identity_observations_include_merged_in(engine: AsyncEngine) -> None:
    winner, loser = await _identities(engine, 2)
    own = await _observation(engine, "192.0.2.40", winner)
    merged = await _observation(engine, "192.0.2.41", loser)
    await _observation(engine, "192.0.2.42")
    async with transaction(session_factory(engine)) as session:
        await repo.merge_identities(session, winner, loser)
    async with session_factory(engine)() as session:
        page = await repo.list_identity_observations(session, loser, limit=10)
        filtered = await repo.list_observations(session, identity_uuid=loser)
    assert {row.uuid for row in page.data} == {own, merged}
    assert filtered.total == 2


async def test_list_observations_filters(engine: AsyncEngine) -> None:
    (identity,) = await _identities(engine, 1)
    await _observation(engine, "192.0.2.50", identity)
    await _observation(engine, "192.0.2.51")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    async with transaction(session_factory(engine)) as session:
        await repo.upsert_observation(
            session,
            "192.0.2.52",
            first_seen_at=start,
            last_seen_at=start + timedelta(hours=1),
        )
    async with session_factory(engine)() as session:
        resolved = await repo.list_observations(session, resolved=True)
        unresolved = await repo.list_observations(session, resolved=False)
        by_ip = await repo.list_observations(session, ip="::ffff:192.0.2.51")
        window = await repo.list_observations(
            session, since=start + timedelta(minutes=30)
        )
    assert resolved.total == 1
    assert unresolved.total == 2
    assert by_ip.total == 1
    assert [row.ip for row in window.data] == ["192.0.2.52"]
    assert window.data[0].first_seen_at == start
