"""`decnet relay` as a user runs it: a real subprocess, one-line errors, exit codes."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

from decnet.bus import connect
from decnet.bus.jetstream import NatsBus
from decnet.web.db.engine import create_engine
from decnet.web.db.migrate import upgrade
from tests.bus.conftest import Collector, delete_stream, nats_test_url, write_events
from tests.bus.natsserver import free_port
from tests.support.cli import run_decnet, terminate_after
from tests.support.services import NATS, require


def test_relay_rejects_in_process_bus(tmp_path: Path) -> None:
    result = run_decnet("relay", home=tmp_path)
    assert result.returncode == 2
    assert "bus URL 'inproc://' is the in-process bus" in result.stderr
    assert "--bus nats://HOST:PORT" in result.stderr


def test_relay_unknown_bus_scheme(tmp_path: Path) -> None:
    result = run_decnet("relay", "--bus", "kafka://127.0.0.1:9092", home=tmp_path)
    assert result.returncode == 2
    assert "unsupported bus URL 'kafka://127.0.0.1:9092'" in result.stderr
    assert "Traceback" not in result.stderr


def test_relay_bus_down_is_one_line_error(tmp_path: Path) -> None:
    url = f"nats://127.0.0.1:{free_port()}"
    result = run_decnet("relay", "--bus", url, home=tmp_path)
    assert result.returncode == 5
    assert f"NATS bus at {url} is unreachable" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "decnet.sqlite").exists()


def test_relay_once_publishes_pending_events(tmp_path: Path) -> None:
    require(NATS)
    database = f"sqlite:///{tmp_path / 'relay.sqlite'}"
    bus_url = nats_test_url(NATS.url, uuid.uuid4().hex[:12])
    collector = Collector()

    async def write() -> list[int]:
        engine = create_engine(database)
        await upgrade(engine)
        seqs = await write_events(engine, 3)
        await engine.dispose()
        return seqs

    async def read() -> list[int | None]:
        async with await connect(bus_url) as bus:
            assert isinstance(bus, NatsBus)
            await bus.subscribe("attacker.>", collector, durable="check")
            await collector.wait_for(3)
        await delete_stream(bus_url)
        return collector.seqs

    seqs = asyncio.run(write())
    result = run_decnet(
        "relay", "--once", "--db", database, "--bus", bus_url, home=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "published 3 events" in result.stdout
    assert asyncio.run(read()) == seqs


def test_sigterm_releases_relay_lease(tmp_path: Path) -> None:
    require(NATS)
    database = tmp_path / "relay.sqlite"
    bus_url = nats_test_url(NATS.url, uuid.uuid4().hex[:12])
    env = {**os.environ, "DECNET_HOME": str(tmp_path), "COLUMNS": "200"}
    process = subprocess.Popen(
        [sys.executable, "-m", "decnet.cli.main", "relay"]
        + ["--db", f"sqlite:///{database}", "--bus", bus_url],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        rest = terminate_after(process, "lease taken")
    finally:
        process.kill()
        asyncio.run(delete_stream(bus_url))
    assert "lease released" in rest
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM leases").fetchone() == (0,)
