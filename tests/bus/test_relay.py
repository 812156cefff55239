"""The outbox relay on every database and both buses: order, outages, two relays."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.bus import Bus, Handler, Subscription
from decnet.bus.lease import LeaseHeldError
from decnet.bus.outbox import append_event
from decnet.bus.relay import OutboxRelay
from decnet.errors import BusUnavailableError
from decnet.web.db.engine import session_factory, transaction
from decnet.web.db.models import OutboxEvent
from tests.bus.conftest import OBSERVED, Collector, observed, write_events


class OutageBus(Bus):
    """A real bus that rejects every publish while `down` is set, as in an outage.

    `fail_after` sets `down` once that many publishes have been accepted.
    """

    def __init__(self, inner: Bus, *, fail_after: int | None = None) -> None:
        self.inner = inner
        self.url = inner.url
        self.fail_after = fail_after
        self.down = False
        self.accepted = 0
        self.rejected = 0

    async def publish(
        self, subject: str, payload: Mapping[str, Any], *, seq: int | None = None
    ) -> None:
        if self.fail_after is not None and self.accepted >= self.fail_after:
            self.down = True
            self.fail_after = None
        if self.down:
            self.rejected += 1
            raise BusUnavailableError(f"bus {self.url} is down (test outage)")
        await self.inner.publish(subject, payload, seq=seq)
        self.accepted += 1

    async def subscribe(
        self, pattern: str, handler: Handler, *, durable: str | None = None
    ) -> Subscription:
        return await self.inner.subscribe(pattern, handler, durable=durable)

    async def close(self) -> None:
        await self.inner.close()


@pytest.fixture
async def collector(bus: Bus) -> Collector:
    collector = Collector()
    await bus.subscribe("attacker.>", collector)
    return collector


@pytest.fixture
async def running() -> AsyncIterator[list[asyncio.Task[None]]]:
    """Relay tasks started by a test, cancelled at its end."""
    tasks: list[asyncio.Task[None]] = []
    yield tasks
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _unpublished(engine: AsyncEngine) -> int:
    async with session_factory(engine)() as session:
        query = sa.select(sa.func.count()).where(OutboxEvent.published_at.is_(None))
        return int((await session.execute(query)).scalar_one())


async def _wait_until(
    condition: Callable[[], Awaitable[bool]], timeout: float = 20.0
) -> None:
    async with asyncio.timeout(timeout):
        while not await condition():
            await asyncio.sleep(0.02)


def _fast(engine: AsyncEngine, bus: Bus, **options: Any) -> OutboxRelay:
    options = {"poll_interval": 0.02, "max_backoff": 0.05, **options}
    return OutboxRelay(engine, bus, **options)


async def test_drain_publishes_in_seq_order(
    engine: AsyncEngine, bus: Bus, collector: Collector
) -> None:
    seqs = await write_events(engine, 30)
    assert await _fast(engine, bus, batch_size=7).drain() == 30
    await collector.wait_for(30)
    assert collector.seqs == seqs
    assert await _unpublished(engine) == 0


async def test_drain_payload_matches_row(
    engine: AsyncEngine, bus: Bus, collector: Collector
) -> None:
    await write_events(engine, 1)
    await _fast(engine, bus).drain()
    [event] = await collector.wait_for(1)
    assert event.subject == OBSERVED
    assert event.payload == observed(1).model_dump(mode="json")


async def test_drain_twice_publishes_nothing_new(engine: AsyncEngine, bus: Bus) -> None:
    await write_events(engine, 3)
    relay = _fast(engine, bus)
    assert await relay.drain() == 3
    assert await relay.drain() == 0


async def test_drain_of_empty_outbox_returns_zero(
    engine: AsyncEngine, bus: Bus
) -> None:
    assert await _fast(engine, bus).drain() == 0


async def test_run_publishes_later_commits(
    engine: AsyncEngine,
    bus: Bus,
    collector: Collector,
    running: list[asyncio.Task[None]],
) -> None:
    running.append(asyncio.create_task(_fast(engine, bus).run()))
    first = await write_events(engine, 5)
    await collector.wait_for(5)
    second = await write_events(engine, 5, start=6)
    await collector.wait_for(10)
    assert collector.seqs == first + second


async def test_run_releases_lease_when_cancelled(
    engine: AsyncEngine, bus: Bus, collector: Collector
) -> None:
    relay = _fast(engine, bus)
    task = asyncio.create_task(relay.run())
    await write_events(engine, 1)
    await collector.wait_for(1)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert await relay.lease.current_holder() is None


async def test_outage_delays_but_loses_nothing(
    engine: AsyncEngine,
    bus: Bus,
    collector: Collector,
    running: list[asyncio.Task[None]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    seqs = await write_events(engine, 20)
    outage = OutageBus(bus, fail_after=7)
    with caplog.at_level(logging.WARNING, logger="decnet.bus.relay"):
        running.append(asyncio.create_task(_fast(engine, outage, batch_size=5).run()))

        async def rejected_some() -> bool:
            return outage.rejected >= 3

        await _wait_until(rejected_some)
        seqs += await write_events(engine, 5, start=21)
        assert collector.seqs == seqs[:7]
        outage.down = False
        await collector.wait_for(25)
        seqs += await write_events(engine, 1, start=26)
        await collector.wait_for(26)
    assert collector.seqs == seqs
    failures = [r for r in caplog.records if r.getMessage().startswith("outbox relay")]
    assert "is down" in failures[0].error


async def test_bus_failure_keeps_sent_rows_marked(
    engine: AsyncEngine, bus: Bus, collector: Collector
) -> None:
    seqs = await write_events(engine, 10)
    outage = OutageBus(bus, fail_after=4)
    with pytest.raises(BusUnavailableError, match="is down"):
        await _fast(engine, outage).drain()
    assert await _unpublished(engine) == 6
    outage.down = False
    assert await _fast(engine, outage).drain() == 6
    await collector.wait_for(10)
    assert collector.seqs == seqs


async def test_two_relays_publish_each_event_once(
    engine: AsyncEngine,
    bus: Bus,
    collector: Collector,
    running: list[asyncio.Task[None]],
) -> None:
    for holder in ("relay-a", "relay-b"):
        relay = _fast(engine, bus, batch_size=3, holder=holder)
        running.append(asyncio.create_task(relay.run()))
    seqs = []
    for start in range(1, 41, 8):
        seqs += await write_events(engine, 8, start=start)
        await asyncio.sleep(0.01)
    await collector.wait_for(40)
    await _wait_until(lambda: _no_pending(engine))
    seqs += await write_events(engine, 1, start=41)
    await collector.wait_for(41)
    assert collector.seqs == seqs


async def _no_pending(engine: AsyncEngine) -> bool:
    return await _unpublished(engine) == 0


async def test_drain_rejected_while_lease_held(engine: AsyncEngine, bus: Bus) -> None:
    holder = _fast(engine, bus, holder="relay-a")
    assert await holder.lease.acquire()
    with pytest.raises(LeaseHeldError, match="relay relay-a has the outbox lease"):
        await _fast(engine, bus, holder="relay-b").drain()


async def test_unknown_subject_row_skipped(
    engine: AsyncEngine,
    bus: Bus,
    collector: Collector,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with transaction(session_factory(engine)) as session:
        session.add(OutboxEvent(subject="attacker.vanished", payload={}))
    seqs = await write_events(engine, 2)
    with caplog.at_level(logging.ERROR, logger="decnet.bus.relay"):
        assert await _fast(engine, bus).drain() == 3
    await collector.wait_for(2)
    assert collector.seqs == seqs
    assert await _unpublished(engine) == 0
    [record] = [r for r in caplog.records if "unknown subject" in r.getMessage()]
    assert record.subject == "attacker.vanished"


async def test_open_transaction_holds_later_events(
    server_engine: AsyncEngine, bus: Bus, collector: Collector
) -> None:
    engine = server_engine
    relay = _fast(engine, bus)
    assert await relay.lease.acquire()
    sessions = session_factory(engine)
    async with sessions() as slow, slow.begin():
        early = append_event(slow, OBSERVED, observed(1))
        await slow.flush()
        [late] = await write_events(engine, 1, start=2)
        assert late > (early.seq or 0)
        assert await relay.step() == (0, True)
    assert await relay.step() == (2, False)
    await collector.wait_for(2)
    assert collector.seqs == [early.seq, late]


async def test_rolled_back_gap_skipped_after_timeout(
    server_engine: AsyncEngine, bus: Bus, collector: Collector
) -> None:
    engine = server_engine
    sessions = session_factory(engine)
    async with sessions() as aborted:
        async with aborted.begin():
            append_event(aborted, OBSERVED, observed(1))
            await aborted.flush()
            await aborted.rollback()
    [seq] = await write_events(engine, 1, start=2)
    waiting = _fast(engine, bus, gap_timeout=3600)
    assert await waiting.lease.acquire()
    assert await waiting.step() == (0, True)
    await waiting.lease.release()
    assert await _fast(engine, bus, gap_timeout=0).drain() == 1
    await collector.wait_for(1)
    assert collector.seqs == [seq]


async def _remaining_seqs(engine: AsyncEngine) -> list[int]:
    async with session_factory(engine)() as session:
        query = sa.select(OutboxEvent.seq).order_by(OutboxEvent.seq)
        return [seq for seq in (await session.execute(query)).scalars()]


async def test_prune_keeps_newest_published_row(engine: AsyncEngine, bus: Bus) -> None:
    published = await write_events(engine, 4)
    relay = _fast(engine, bus)
    await relay.drain()
    pending = await write_events(engine, 2, start=5)
    assert await relay.prune(timedelta(0)) == 3
    assert await _remaining_seqs(engine) == [published[-1], *pending]


async def test_prune_keeps_recent_rows(engine: AsyncEngine, bus: Bus) -> None:
    seqs = await write_events(engine, 3)
    relay = _fast(engine, bus)
    await relay.drain()
    assert await relay.prune(timedelta(days=1)) == 0
    assert await _remaining_seqs(engine) == seqs


async def test_run_prunes_with_retention(
    engine: AsyncEngine,
    bus: Bus,
    collector: Collector,
    running: list[asyncio.Task[None]],
) -> None:
    seqs = await write_events(engine, 5)
    relay = _fast(engine, bus, retention=timedelta(0))
    running.append(asyncio.create_task(relay.run()))
    await collector.wait_for(5)

    async def pruned() -> bool:
        return await _remaining_seqs(engine) == seqs[-1:]

    await _wait_until(pruned)
    assert collector.seqs == seqs
