"""The outbox tail: subject filter, batching and out-of-order commits."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.web.api.errors import TooManyStreamsError
from decnet.web.api.ratelimit import SlidingWindowLimiter
from decnet.web.api.streams import OutboxTail, StreamRegistry, latest_seq
from decnet.web.db.engine import session_factory, transaction
from decnet.web.db.models import OutboxEvent


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _insert(
    engine: AsyncEngine, seq: int, subject: str = "identity.formed"
) -> None:
    async with transaction(session_factory(engine)) as session:
        session.add(OutboxEvent(seq=seq, subject=subject, payload={"n": seq}))


async def _poll(engine: AsyncEngine, tail: OutboxTail) -> list[int]:
    async with session_factory(engine)() as session:
        rows, _ = await tail.poll(session)
    return [row.seq for row in rows if row.seq is not None]


async def test_tail_filters_by_prefix(api_engine: AsyncEngine) -> None:
    await _insert(api_engine, 1)
    await _insert(api_engine, 2, "attacker.observed")
    await _insert(api_engine, 3, "campaign.formed")
    tail = OutboxTail("identity.", 0)
    assert await _poll(api_engine, tail) == [1]
    assert tail.cursor == 3


async def test_tail_delivers_late_commit_inside_gap(api_engine: AsyncEngine) -> None:
    clock = FakeClock()
    tail = OutboxTail("identity.", 0, gap_timeout_s=10, clock=clock)
    await _insert(api_engine, 1)
    await _insert(api_engine, 3)
    assert await _poll(api_engine, tail) == [1, 3]
    assert set(tail.gaps) == {2}
    await _insert(api_engine, 2)
    assert await _poll(api_engine, tail) == [2]
    assert tail.gaps == {}


async def test_tail_gives_up_gap_after_timeout(api_engine: AsyncEngine) -> None:
    clock = FakeClock()
    tail = OutboxTail("identity.", 0, gap_timeout_s=10, clock=clock)
    await _insert(api_engine, 2)
    assert await _poll(api_engine, tail) == [2]
    clock.now += 11
    await _insert(api_engine, 1)
    assert await _poll(api_engine, tail) == []


async def test_prime_notes_gaps_below_start(api_engine: AsyncEngine) -> None:
    await _insert(api_engine, 1)
    await _insert(api_engine, 3)
    async with session_factory(api_engine)() as session:
        start = await latest_seq(session)
        tail = OutboxTail("identity.", start)
        await tail.prime(session)
    assert start == 3
    assert set(tail.gaps) == {2}
    await _insert(api_engine, 2)
    assert await _poll(api_engine, tail) == [2]


async def test_latest_seq_of_empty_outbox_is_zero(api_engine: AsyncEngine) -> None:
    async with session_factory(api_engine)() as session:
        assert await latest_seq(session) == 0


def test_stream_registry_limits_and_releases() -> None:
    registry = StreamRegistry(max_per_user=1)
    lease = registry.acquire("anna")
    with pytest.raises(TooManyStreamsError):
        registry.acquire("anna")
    lease.release()
    lease.release()
    assert registry.open_count("anna") == 0
    registry.acquire("anna")


def test_limiter_allows_after_window() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(2, 60, clock=clock)
    assert limiter.hit("a") is None
    assert limiter.hit("a") is None
    assert limiter.hit("a") == 60
    assert limiter.hit("b") is None
    clock.now += 61
    assert limiter.hit("a") is None


def test_limiter_bounds_memory() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(1, 60, clock=clock, max_keys=10)
    for n in range(100):
        limiter.hit(f"client-{n}")
    assert len(limiter._hits) <= 10
