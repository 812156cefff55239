"""Latency from `attacker.observed` to the identity event, on a clustered fleet.

Takes a database that `bench/cluster_scale.py` left behind (already
clustered), starts in one process the clusterer worker woken by
`attacker.observed` on the in-process bus and the outbox relay, and then,
`--rounds` times: inserts one new observation that shares an existing
actor's payload, C2 and script, publishes `attacker.observed`, and waits
for the `identity.*` event that names it. Prints each latency, the time
the worker's pass took within it, and the median.

    python bench/cluster_scale.py 100000 --db /tmp/bench-100k.sqlite
    python bench/cluster_latency.py --db /tmp/bench-100k.sqlite

It marks the events the scale benchmark left unpublished as published, so
run it on a copy of the database.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

from decnet.bus import connect, topics
from decnet.bus.relay import OutboxRelay
from decnet.clustering.passes import PassReport
from decnet.clustering.worker import Worker
from decnet.web.db.engine import create_engine
from decnet.web.db.models import Attacker, ObservationFeature, OutboxEvent
from decnet.web.db.types import utcnow


async def _actor_features(engine: sa.ext.asyncio.AsyncEngine) -> list[tuple[str, str]]:
    """Return the features of one observation that has a payload."""
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                sa.select(ObservationFeature.observation_uuid)
                .where(ObservationFeature.kind == "payload_sha256")
                .limit(1)
            )
        ).first()
        if row is None:
            raise SystemExit("the database has no observation with a payload")
        rows = await conn.execute(
            sa.select(ObservationFeature.kind, ObservationFeature.value).where(
                ObservationFeature.observation_uuid == row[0]
            )
        )
        return [(kind, value) for kind, value in rows]


async def _insert(engine: sa.ext.asyncio.AsyncEngine, n: int, feats: list) -> str:
    obs = str(uuid.uuid4())
    now = utcnow()
    async with engine.begin() as conn:
        await conn.execute(
            sa.insert(Attacker.__table__).values(
                uuid=obs,
                ip=f"2001:db8:ffff::{n:x}",
                first_seen_at=now,
                last_seen_at=now,
                created_at=now,
                updated_at=now,
            )
        )
        await conn.execute(
            sa.insert(ObservationFeature.__table__),
            [
                {
                    "observation_uuid": obs,
                    "kind": kind,
                    "value": value,
                    "value_key": hashlib.sha256(value.encode()).hexdigest(),
                    "occurrences": 1,
                }
                for kind, value in feats
            ],
        )
    return obs


async def measure(db: Path, rounds: int) -> None:
    engine = create_engine(f"sqlite:///{db}")
    # The scale benchmark leaves its events unpublished; mark them published
    # so that the relay's backlog does not count as latency.
    async with engine.begin() as conn:
        await conn.execute(
            sa.update(OutboxEvent.__table__)
            .where(OutboxEvent.published_at.is_(None))
            .values(published_at=utcnow())
        )
    bus = await connect("inproc://")
    worker = Worker(engine, interval_s=3600.0, debounce_s=0.0, lease_ttl_s=120.0)
    first_pass = asyncio.Event()
    pass_seconds: list[float] = []

    def on_pass(report: PassReport) -> None:
        pass_seconds.append(report.duration_s)
        first_pass.set()

    worker.on_pass = on_pass
    arrived: dict[str, float] = {}

    async def on_identity(event: object) -> None:
        payload = getattr(event, "payload", {}) or {}
        names = set(payload.get("observation_uuids") or [])
        if payload.get("observation_uuid"):
            names.add(payload["observation_uuid"])
        for name in names:
            arrived.setdefault(name, time.perf_counter())

    async def on_observed(_event: object) -> None:
        worker.notify()

    await bus.subscribe("identity.>", on_identity)
    await bus.subscribe(topics.attacker(topics.ATTACKER_OBSERVED), on_observed)
    relay = OutboxRelay(engine, bus, poll_interval=0.05)
    tasks = [asyncio.create_task(worker.run()), asyncio.create_task(relay.run())]
    started = time.perf_counter()
    await first_pass.wait()
    print(f"startup full pass: {time.perf_counter() - started:.1f} s")
    feats = await _actor_features(engine)
    latencies = []
    for n in range(rounds):
        obs = await _insert(engine, n, feats)
        sent = time.perf_counter()
        await bus.publish(
            topics.attacker(topics.ATTACKER_OBSERVED),
            {"observation_uuid": obs, "ip": f"2001:db8:ffff::{n:x}"},
        )
        while obs not in arrived:
            await asyncio.sleep(0.01)
        latencies.append(arrived[obs] - sent)
        # The pass that linked the observation is the last one finished.
        print(
            f"round {n}: {latencies[-1]:.2f} s, of which the pass "
            f"{pass_seconds[-1]:.2f} s, load={os.getloadavg()[0]:.1f}"
        )
    print(f"median latency {statistics.median(latencies):.2f} s over {rounds} rounds")
    worker.stop()
    for task in tasks[1:]:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await bus.close()
    await engine.dispose()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="clustered SQLite file")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    asyncio.run(measure(args.db, args.rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
