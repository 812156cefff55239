"""Measure bus publish rate, delivery latency and outbox relay throughput.

    python -m bench.bus_latency [--nats URL] [--db BACKEND ...] [--events N]

BACKEND is sqlite, postgresql or mariadb; each run gets a scratch database
of its own on the test servers (see tests/support/databases.py).

For each bus (in-process, and NATS when `--nats` is given):

- publish: N events published one after another, each awaited (on NATS
  that includes the JetStream acknowledgement), in events per second;
  then 500 events one at a time, each waiting for its delivery, for the
  latency from calling `publish` to the subscriber's handler.
- relay: N events committed to the outbox in transactions of 100, then
  `OutboxRelay.drain()` to the bus; events per second.
- end to end: 200 events committed one per transaction every 5 ms while
  `OutboxRelay.run()` polls every 50 ms; latency from commit to handler.

NATS runs use a stream and subject prefix of their own, deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.bus import Bus, Event, connect
from decnet.bus.jetstream import NatsBus
from decnet.bus.outbox import append_event
from decnet.bus.payloads import AttackerObserved
from decnet.bus.relay import OutboxRelay
from decnet.web.db.engine import create_engine, session_factory, transaction
from decnet.web.db.migrate import upgrade
from tests.support.databases import scratch_database

SUBJECT = "attacker.observed"


def _payload(number: int) -> AttackerObserved:
    return AttackerObserved(
        observation_uuid=str(uuid.UUID(int=number)), ip=f"198.51.100.{number % 256}"
    )


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {p50 * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms"


class Timer:
    """A handler that records the arrival time of each seq."""

    def __init__(self) -> None:
        self.arrived: dict[int, float] = {}
        self.done = asyncio.Event()
        self.expected = 0

    async def __call__(self, event: Event) -> None:
        self.arrived[event.seq or 0] = time.perf_counter()
        if len(self.arrived) >= self.expected:
            self.done.set()


async def bench_publish(bus: Bus, events: int) -> list[str]:
    """Return the burst publish rate and the one-at-a-time delivery latency."""
    timer = Timer()
    timer.expected = events
    await bus.subscribe(SUBJECT, timer)
    payload = _payload(1).model_dump(mode="json")
    # Seqs far above the outbox's own, so that NATS does not drop the relay's
    # events as repeats of these (it deduplicates by seq).
    first = 1_000_000_000
    start = time.perf_counter()
    for seq in range(first, first + events):
        await bus.publish(SUBJECT, payload, seq=seq)
    elapsed = time.perf_counter() - start
    await asyncio.wait_for(timer.done.wait(), 60)

    latency = []
    for seq in range(first + events, first + events + 500):
        timer.expected = len(timer.arrived) + 1
        timer.done.clear()
        sent = time.perf_counter()
        await bus.publish(SUBJECT, payload, seq=seq)
        await asyncio.wait_for(timer.done.wait(), 10)
        latency.append(timer.arrived[seq] - sent)
    return [
        f"publish burst {events / elapsed:,.0f} events/s",
        f"publish-to-handler, one at a time: {_percentiles(latency)}",
    ]


async def _write(engine: AsyncEngine, events: int) -> None:
    sessions = session_factory(engine)
    for start in range(0, events, 100):
        async with transaction(sessions) as session:
            for number in range(start, min(start + 100, events)):
                append_event(session, SUBJECT, _payload(number))


async def bench_relay(engine: AsyncEngine, bus: Bus, events: int) -> str:
    await _write(engine, events)
    start = time.perf_counter()
    count = await OutboxRelay(engine, bus).drain()
    elapsed = time.perf_counter() - start
    return f"relay drain {count / elapsed:,.0f} events/s ({count} events)"


async def bench_end_to_end(engine: AsyncEngine, bus: Bus) -> str:
    timer = Timer()
    timer.expected = 200
    await bus.subscribe(SUBJECT, timer)
    relay = asyncio.create_task(OutboxRelay(engine, bus, poll_interval=0.05).run())
    sessions = session_factory(engine)
    committed: dict[int, float] = {}
    for number in range(200):
        async with transaction(sessions) as session:
            row = append_event(session, SUBJECT, _payload(number))
            await session.flush()
        committed[row.seq or 0] = time.perf_counter()
        await asyncio.sleep(0.005)
    await asyncio.wait_for(timer.done.wait(), 60)
    relay.cancel()
    await asyncio.gather(relay, return_exceptions=True)
    latency = [timer.arrived[seq] - committed[seq] for seq in committed]
    return f"commit-to-handler {_percentiles(latency)} (poll 50 ms)"


async def run_one(bus_url: str, db_url: str, events: int) -> None:
    bus = await connect(bus_url)
    engine = create_engine(db_url)
    try:
        await upgrade(engine)
        print(f"[{bus.url.split('?')[0]} | {db_url.split('://')[0]}]")
        for line in await bench_publish(bus, events):
            print("  " + line)
        print("  " + await bench_relay(engine, bus, events))
        print("  " + await bench_end_to_end(engine, bus))
    finally:
        if isinstance(bus, NatsBus):
            await bus.delete_stream()
        await bus.close()
        await engine.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nats", help="NATS server URL, e.g. nats://127.0.0.1:4222")
    parser.add_argument(
        "--db",
        action="append",
        choices=("sqlite", "postgresql", "mariadb"),
        help="database backend (repeatable); default sqlite",
    )
    parser.add_argument("--events", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        buses = [f"inproc://bench-{uuid.uuid4().hex}"]
        if args.nats:
            name = uuid.uuid4().hex[:12]
            buses.append(f"{args.nats}?stream=BENCH_{name}&prefix=bench{name}")
        for bus_url in buses:
            for number, backend in enumerate(args.db or ["sqlite"]):
                scratch = Path(folder) / f"{number}-{bus_url[:4]}"
                scratch.mkdir()
                async with scratch_database(backend, scratch) as db_url:
                    await run_one(bus_url, db_url, args.events)


if __name__ == "__main__":
    asyncio.run(main())
