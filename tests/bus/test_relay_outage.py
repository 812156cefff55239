"""A NATS server killed mid-stream and restarted: every event arrives once, in order.

The test runs its own nats-server on a free loopback port with a store
folder of its own, kills it with SIGKILL while the relay publishes, and
starts it again on the same port and folder.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.bus import Event, connect
from decnet.bus.jetstream import NatsBus
from decnet.bus.relay import OutboxRelay
from decnet.web.db.engine import session_factory
from decnet.web.db.models import OutboxEvent
from tests.bus.conftest import Collector, write_events
from tests.bus.natsserver import NatsServer

TOTAL_BEFORE = 100
TOTAL_DURING = 15
KILL_AT = 12


@pytest.fixture
def server(tmp_path: Path) -> AsyncIterator[NatsServer]:
    server = NatsServer(tmp_path / "nats")
    server.start()
    yield server
    server.kill()


async def _published(engine: AsyncEngine) -> int:
    async with session_factory(engine)() as session:
        query = sa.select(sa.func.count()).where(OutboxEvent.published_at.is_not(None))
        return int((await session.execute(query)).scalar_one())


async def _wait_for(
    condition: Callable[[], Awaitable[bool]], timeout: float = 30.0
) -> None:
    async with asyncio.timeout(timeout):
        while not await condition():
            await asyncio.sleep(0.02)


async def test_relay_survives_nats_restart(
    engine: AsyncEngine,
    server: NatsServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = f"{server.url}?stream=OUTAGE&prefix=o{uuid.uuid4().hex[:8]}&publish_timeout=1"
    bus = await connect(url)
    assert isinstance(bus, NatsBus)
    live = Collector()

    async def kill_mid_stream(event: Event) -> None:
        await live(event)
        if len(live.events) == KILL_AT:
            server.kill()

    await bus.subscribe("attacker.>", kill_mid_stream, durable="live")
    seqs = await write_events(engine, TOTAL_BEFORE)
    relay = OutboxRelay(engine, bus, batch_size=4, poll_interval=0.02, max_backoff=0.2)

    async def relay_failed() -> bool:
        return any(
            r.getMessage().startswith("outbox relay failed") for r in caplog.records
        )

    async def all_published() -> bool:
        return await _published(engine) == len(seqs)

    with caplog.at_level(logging.WARNING, logger="decnet.bus.relay"):
        task = asyncio.create_task(relay.run())
        try:
            await _wait_for(relay_failed)
            assert await _published(engine) < TOTAL_BEFORE
            seqs += await write_events(engine, TOTAL_DURING, start=TOTAL_BEFORE + 1)
            server.start()
            await _wait_for(all_published)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    replay = Collector()
    await bus.subscribe("attacker.>", replay, durable="replay")
    await replay.wait_for(len(seqs))
    await live.wait_for(len(seqs))
    info = await bus._js.stream_info(bus.stream)
    await bus.close()
    assert replay.seqs == seqs
    assert live.seqs == seqs
    assert info.state.messages == len(seqs)
