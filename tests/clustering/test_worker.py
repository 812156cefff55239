"""The clusterer worker: passes on wake-up, one writer, a standby, retries."""

from __future__ import annotations

import asyncio
import logging

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.clustering.worker import LEASE_NAME, Worker, clusterer_lease
from decnet.web.db.models import (
    Attacker,
    AttackerIdentity,
    IdentityHistory,
    IdentityLink,
    Lease,
    OutboxEvent,
)
from decnet.web.db.models.identity import ClusterState, SimhashBand
from tests.clustering.fleet import add_observations
from tests.clustering.test_passes import actor, count, scanner

# A trigger that makes every insert into the outbox fail, so that a pass
# fails for real after it has written identities, moves and history rows.
FAIL_OUTBOX = {
    "sqlite": [
        "CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox_events "
        "BEGIN SELECT RAISE(ABORT, 'outbox insert rejected by test trigger'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION fail_outbox() RETURNS trigger AS $$ BEGIN "
        "RAISE EXCEPTION 'outbox insert rejected by test trigger'; END $$ "
        "LANGUAGE plpgsql",
        "CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox_events "
        "FOR EACH ROW EXECUTE FUNCTION fail_outbox()",
    ],
    "mysql": [
        "CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox_events FOR EACH ROW "
        "SIGNAL SQLSTATE '45000' "
        "SET MESSAGE_TEXT = 'outbox insert rejected by test trigger'"
    ],
}
DROP_FAIL_OUTBOX = {
    "sqlite": ["DROP TRIGGER fail_outbox"],
    "postgresql": [
        "DROP TRIGGER fail_outbox ON outbox_events",
        "DROP FUNCTION fail_outbox()",
    ],
    "mysql": ["DROP TRIGGER fail_outbox"],
}


async def _run_sql(engine: AsyncEngine, statements: list[str]) -> None:
    async with engine.begin() as conn:
        for statement in statements:
            await conn.execute(sa.text(statement))


async def _unresolved(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        query = sa.select(sa.func.count()).where(Attacker.identity_id.is_(None))
        return (await conn.execute(query)).scalar_one()


async def _lease_holder(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        query = sa.select(Lease.holder).where(Lease.name == LEASE_NAME)
        return (await conn.execute(query)).scalar_one_or_none()


async def _wait_for(condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not await condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met before the timeout")
        await asyncio.sleep(0.05)


async def _is_zero(value) -> bool:  # type: ignore[no-untyped-def]
    return await value == 0


async def _positive(worker: Worker) -> bool:
    return worker.passes > 0


async def test_worker_resolves_new_observations_on_wake(
    sqlite_engine: AsyncEngine,
) -> None:
    engine = sqlite_engine
    fleet = [actor(0) for _ in range(3)] + [scanner(s) for s in range(50)]
    await add_observations(engine, fleet)
    worker = Worker(engine, interval_s=30.0, lease_ttl_s=5.0, debounce_s=0.0)
    task = asyncio.create_task(worker.run())
    try:
        await _wait_for(lambda: _is_zero(_unresolved(engine)))
        await add_observations(engine, [actor(0)], start=len(fleet))
        worker.notify()
        await _wait_for(lambda: _is_zero(_unresolved(engine)))
    finally:
        worker.stop()
        await task
    assert worker.passes >= 2


async def test_second_worker_waits_as_standby(engine: AsyncEngine) -> None:
    await add_observations(engine, [scanner(s) for s in range(10)])
    first = Worker(engine, interval_s=0.2, lease_ttl_s=30.0)
    second = Worker(engine, interval_s=0.2, lease_ttl_s=30.0)
    first_task = asyncio.create_task(first.run())
    await _wait_for(lambda: _positive(first))
    second_task = asyncio.create_task(second.run())
    await asyncio.sleep(0.5)
    assert second.passes == 0
    assert await _lease_holder(engine) == first.holder
    first.stop()
    await first_task
    second.notify()
    await _wait_for(lambda: _positive(second))
    assert await _lease_holder(engine) == second.holder
    second.stop()
    await second_task


async def test_standby_takes_over_expired_lease(engine: AsyncEngine) -> None:
    await add_observations(engine, [scanner(s) for s in range(10)])
    # A holder that stopped without releasing: its lease only expires.
    crashed = clusterer_lease(engine, holder="crashed-clusterer", ttl_s=2.0)
    assert await crashed.acquire()
    worker = Worker(engine, interval_s=30.0, lease_ttl_s=3.0)
    task = asyncio.create_task(worker.run())
    try:
        await asyncio.sleep(0.5)
        assert worker.passes == 0
        assert await _unresolved(engine) == 10
        await _wait_for(lambda: _positive(worker))
        assert await _lease_holder(engine) == worker.holder
        assert await _unresolved(engine) == 0
    finally:
        worker.stop()
        await task


async def test_failed_pass_leaves_nothing_written(
    engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    uuids = await add_observations(
        engine, [actor(0) for _ in range(3)] + [scanner(s) for s in range(20)]
    )
    backend = engine.dialect.name
    await _run_sql(engine, FAIL_OUTBOX[backend])
    worker = Worker(
        engine, interval_s=30.0, lease_ttl_s=30.0, backoff_s=0.1, max_backoff_s=0.4
    )
    caplog.set_level(logging.ERROR, logger="decnet.clustering.worker")
    task = asyncio.create_task(worker.run())
    try:
        await _wait_for(lambda: _failed_times(worker, 4))
        assert worker.passes == 0
        assert await _unresolved(engine) == len(uuids)
        for model in (
            AttackerIdentity,
            IdentityHistory,
            IdentityLink,
            OutboxEvent,
            SimhashBand,
            ClusterState,
        ):
            assert await count(engine, model) == 0, model.__name__
        await _run_sql(engine, DROP_FAIL_OUTBOX[backend])
        await _wait_for(lambda: _positive(worker))
    finally:
        worker.stop()
        await task
    assert await _unresolved(engine) == 0
    assert await count(engine, OutboxEvent) > 0

    failures = [r for r in caplog.records if r.message.startswith("clusterer pass")]
    assert len(failures) >= 4
    first = failures[0]
    assert first.stage == "write"
    assert first.observation_count == len(uuids)
    assert set(first.observation_uuids) <= set(uuids)
    assert len(first.observation_uuids) == 20
    assert first.holder == worker.holder
    assert "outbox insert rejected by test trigger" in first.error
    assert [r.retry_in_s for r in failures[:4]] == [0.1, 0.2, 0.4, 0.4]


async def _failed_times(worker: Worker, times: int) -> bool:
    return worker.failures >= times


async def test_worker_rejects_backoff_above_maximum(
    sqlite_engine: AsyncEngine,
) -> None:
    with pytest.raises(ValueError, match="back-off 10.0 s"):
        Worker(sqlite_engine, backoff_s=10.0, max_backoff_s=5.0)
