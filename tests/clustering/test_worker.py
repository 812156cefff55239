"""The clusterer worker: passes on wake-up, one writer, a standby, retries."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.clustering import worker as worker_module
from decnet.clustering.passes import PassReport
from decnet.clustering.worker import Worker
from decnet.web.db.models import Attacker
from tests.clustering.fleet import add_observations
from tests.clustering.test_passes import actor, scanner


async def _unresolved(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        query = sa.select(sa.func.count()).where(Attacker.identity_id.is_(None))
        return (await conn.execute(query)).scalar_one()


async def _wait_for(condition, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not await condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met before the timeout")
        await asyncio.sleep(0.05)


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


async def _is_zero(value) -> bool:  # type: ignore[no-untyped-def]
    return await value == 0


async def test_second_worker_waits_as_standby(sqlite_engine: AsyncEngine) -> None:
    engine = sqlite_engine
    await add_observations(engine, [scanner(s) for s in range(10)])
    first = Worker(engine, interval_s=0.2, lease_ttl_s=30.0)
    second = Worker(engine, interval_s=0.2, lease_ttl_s=30.0)
    first_task = asyncio.create_task(first.run())
    await _wait_for(lambda: _positive(first))
    second_task = asyncio.create_task(second.run())
    await asyncio.sleep(0.5)
    assert second.passes == 0
    first.stop()
    await first_task
    second.notify()
    await _wait_for(lambda: _positive(second))
    second.stop()
    await second_task


async def _positive(worker: Worker) -> bool:
    return worker.passes > 0


async def test_failed_pass_is_retried(
    sqlite_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = sqlite_engine
    await add_observations(engine, [scanner(s) for s in range(5)])
    real = worker_module.cluster_once
    calls = {"n": 0}

    async def fail_once(*args: object, **kwargs: object) -> PassReport:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("simulated database failure")
        return await real(*args, **kwargs)

    monkeypatch.setattr(worker_module, "cluster_once", fail_once)
    worker = Worker(engine, interval_s=0.1, lease_ttl_s=30.0, max_backoff_s=0.1)
    task = asyncio.create_task(worker.run())
    await _wait_for(lambda: _positive(worker))
    worker.stop()
    await task
    assert worker.failures == 1
    assert await _unresolved(engine) == 0
