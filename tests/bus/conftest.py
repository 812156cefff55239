"""Bus fixtures: every bus test runs on the in-process bus and on NATS.

NATS tests use a stream and subject prefix of their own on the shared
server and delete the stream afterwards.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.bus import Bus, Event, connect, topics
from decnet.bus.jetstream import NatsBus
from decnet.bus.outbox import append_event
from decnet.bus.payloads import AttackerObserved
from decnet.web.db.engine import create_engine, session_factory, transaction
from decnet.web.db.migrate import upgrade
from tests.support.databases import scratch_database
from tests.support.services import NATS, require

BUS_BACKENDS = ("inproc", "nats")
OBSERVED = topics.attacker(topics.ATTACKER_OBSERVED)


def nats_test_url(server_url: str, name: str) -> str:
    """Return a NATS bus URL with a stream and subject prefix unique to `name`."""
    return f"{server_url}?stream=DECNET_T_{name}&prefix=t{name}"


async def delete_stream(url: str) -> None:
    """Delete the stream that the NATS bus URL `url` names."""
    bus = await connect(url)
    try:
        assert isinstance(bus, NatsBus)
        await bus.delete_stream()
    finally:
        await bus.close()


@pytest.fixture(params=("postgresql", "mariadb"))
async def server_engine(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[AsyncEngine]:
    """A migrated database on a server backend, where writers run concurrently.

    SQLite runs one writer at a time, so tests of interleaved transactions
    use this fixture instead of `engine`.
    """
    async with scratch_database(request.param, tmp_path) as url:
        engine = create_engine(url)
        await upgrade(engine)
        yield engine
        await engine.dispose()


@pytest.fixture(params=BUS_BACKENDS)
def bus_backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
async def bus_url(bus_backend: str) -> AsyncIterator[str]:
    """A bus URL on the current backend that no other test uses."""
    name = uuid.uuid4().hex[:12]
    if bus_backend == "inproc":
        yield f"inproc://test-{name}"
        return
    require(NATS)
    url = nats_test_url(NATS.url, name)
    yield url
    await delete_stream(url)


@pytest.fixture
async def bus(bus_url: str) -> AsyncIterator[Bus]:
    client = await connect(bus_url)
    yield client
    await client.close()


class Collector:
    """A bus handler that records events and lets a test wait for a count."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._changed = asyncio.Event()

    async def __call__(self, event: Event) -> None:
        self.events.append(event)
        self._changed.set()

    async def wait_for(self, count: int, timeout: float = 15.0) -> list[Event]:
        """Wait until `count` events arrived; fail naming what did arrive."""
        try:
            async with asyncio.timeout(timeout):
                while len(self.events) < count:
                    self._changed.clear()
                    await self._changed.wait()
        except TimeoutError:
            pytest.fail(
                f"expected {count} events within {timeout} s, got "
                f"{len(self.events)}: {[e.subject for e in self.events]}"
            )
        return self.events

    @property
    def seqs(self) -> list[int | None]:
        return [event.seq for event in self.events]


def observed(number: int) -> AttackerObserved:
    """Return an `attacker.observed` payload numbered `number` (a documentation IP)."""
    return AttackerObserved(
        observation_uuid=str(uuid.UUID(int=number)),
        ip=f"198.51.100.{number % 256}",
    )


async def write_events(engine: AsyncEngine, count: int, start: int = 1) -> list[int]:
    """Commit `count` `attacker.observed` events, one transaction each; return seqs."""
    sessions = session_factory(engine)
    seqs = []
    for number in range(start, start + count):
        async with transaction(sessions) as session:
            event = append_event(session, OBSERVED, observed(number))
            await session.flush()
            seqs.append(event.seq)
    return seqs
