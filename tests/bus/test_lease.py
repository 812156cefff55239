"""The database lease on every backend: one holder, renewal, expiry, release."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.bus.lease import DatabaseLease


def _lease(engine: AsyncEngine, holder: str, ttl: float = 60.0) -> DatabaseLease:
    return DatabaseLease(engine, "test-lease", holder=holder, ttl=ttl)


async def test_first_holder_takes_lease(engine: AsyncEngine) -> None:
    lease = _lease(engine, "a")
    assert await lease.acquire()
    assert await lease.current_holder() == "a"


async def test_second_holder_is_rejected(engine: AsyncEngine) -> None:
    assert await _lease(engine, "a").acquire()
    assert not await _lease(engine, "b").acquire()


async def test_holder_renews_lease(engine: AsyncEngine) -> None:
    lease = _lease(engine, "a")
    assert await lease.acquire()
    assert await lease.acquire()
    assert lease.held


async def test_expired_lease_taken_over(engine: AsyncEngine) -> None:
    assert await _lease(engine, "a", ttl=0).acquire()
    taker = _lease(engine, "b")
    assert await taker.acquire()
    assert await taker.current_holder() == "b"


async def test_expired_holder_loses_lease(engine: AsyncEngine) -> None:
    first = _lease(engine, "a", ttl=0)
    assert await first.acquire()
    assert await _lease(engine, "b").acquire()
    assert not await first.acquire()
    assert not first.held


async def test_release_lets_next_holder_in(engine: AsyncEngine) -> None:
    first = _lease(engine, "a")
    assert await first.acquire()
    await first.release()
    assert await first.current_holder() is None
    assert await _lease(engine, "b").acquire()


async def test_release_by_other_holder_keeps_lease(engine: AsyncEngine) -> None:
    assert await _lease(engine, "a").acquire()
    await _lease(engine, "b").release()
    assert await _lease(engine, "c").current_holder() == "a"


async def test_concurrent_acquire_has_one_winner(engine: AsyncEngine) -> None:
    leases = [_lease(engine, f"holder-{n}") for n in range(6)]
    results = await asyncio.gather(*(lease.acquire() for lease in leases))
    assert sum(results) == 1
