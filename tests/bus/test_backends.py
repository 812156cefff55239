"""Backend selection by URL, start-up failures, and what only NATS retains."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import nats
import pytest

from decnet.bus import connect
from decnet.bus.inproc import InProcessBus
from decnet.bus.jetstream import NatsBus, stream_subjects
from decnet.errors import BusUnavailableError, ConfigError
from tests.bus.conftest import Collector, delete_stream, nats_test_url
from tests.bus.natsserver import NatsServer, free_port
from tests.support.services import NATS, require

FORMED = {
    "identity_uuid": "i-1",
    "observation_uuids": ["o-1"],
    "confidence": None,
    "first_seen_at": None,
}


@pytest.fixture
def nats_url() -> str:
    require(NATS)
    return nats_test_url(NATS.url, uuid.uuid4().hex[:12])


async def _stream_message_count(bus: NatsBus) -> int:
    info = await bus._js.stream_info(bus.stream)
    return int(info.state.messages)


# URL selection


@pytest.mark.parametrize("url", [None, "", "inproc://", "inproc://fleet"])
async def test_inproc_urls_select_in_process_bus(url: str | None) -> None:
    async with await connect(url) as bus:
        assert isinstance(bus, InProcessBus)


@pytest.mark.parametrize(
    "url", ["redis://127.0.0.1:6379", "amqp://127.0.0.1", "127.0.0.1:4222", "nats"]
)
async def test_unknown_scheme_names_url(url: str) -> None:
    with pytest.raises(ConfigError) as raised:
        await connect(url)
    assert repr(url) in str(raised.value)
    assert "inproc://" in str(raised.value)


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("nats://127.0.0.1:4222?durable=x", "unknown option durable"),
        ("nats://127.0.0.1:99999", "invalid port"),
        ("nats://:4222", "names no host"),
        ("nats://127.0.0.1:4222?stream=a.b", "invalid stream name 'a.b'"),
        ("nats://127.0.0.1:4222?prefix=a b", "invalid subject prefix"),
        ("nats://127.0.0.1:4222?publish_timeout=0", "invalid publish_timeout='0'"),
        ("nats://127.0.0.1:4222?connect_timeout=soon", "invalid connect_timeout"),
        ("inproc://x?stream=y", "takes no options"),
    ],
)
async def test_malformed_bus_url_rejected(url: str, fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        await connect(url)


async def test_inproc_names_are_separate_hubs() -> None:
    collector = Collector()
    name = uuid.uuid4().hex
    async with (
        await connect(f"inproc://{name}-a") as first,
        await connect(f"inproc://{name}-b") as second,
    ):
        await first.subscribe("identity.formed", collector)
        await second.publish("identity.formed", FORMED, seq=1)
        await first.publish("identity.formed", FORMED, seq=2)
        await collector.wait_for(1)
    assert collector.seqs == [2]


# Start-up failures


async def test_nats_down_at_start_fails_fast() -> None:
    url = f"nats://127.0.0.1:{free_port()}"
    with pytest.raises(BusUnavailableError) as raised:
        await connect(url)
    message = str(raised.value)
    assert url in message
    assert "nats-server -js" in message
    assert "\n" not in message


async def test_silent_server_fails_within_timeout() -> None:
    # A listener that accepts TCP but never sends the NATS greeting.
    async def stay_silent(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await reader.read()
        writer.close()

    server = await asyncio.start_server(stay_silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    url = f"nats://127.0.0.1:{port}?connect_timeout=0.5"
    try:
        async with asyncio.timeout(30):
            with pytest.raises(BusUnavailableError, match="is unreachable"):
                await connect(url)
    finally:
        server.close()


async def test_nats_without_jetstream_names_fix(tmp_path: Path) -> None:
    server = NatsServer(tmp_path / "nats", jetstream=False)
    server.start()
    try:
        with pytest.raises(BusUnavailableError, match="JetStream") as raised:
            await connect(server.url)
    finally:
        server.kill()
    assert "-js" in str(raised.value)


# What the NATS backend retains


async def test_nats_stream_created_with_subjects(nats_url: str) -> None:
    async with await connect(nats_url) as bus:
        assert isinstance(bus, NatsBus)
        info = await bus._js.stream_info(bus.stream)
    await delete_stream(nats_url)
    assert sorted(info.config.subjects) == sorted(stream_subjects(bus.prefix))


async def test_nats_stream_creation_is_idempotent(nats_url: str) -> None:
    try:
        async with await connect(nats_url) as first:
            await first.publish("identity.formed", FORMED, seq=1)
            async with await connect(nats_url) as second:
                assert isinstance(second, NatsBus)
                assert await _stream_message_count(second) == 1
    finally:
        await delete_stream(nats_url)


async def test_nats_stream_with_other_subjects_rejected(nats_url: str) -> None:
    stream = nats_url.split("stream=")[1].split("&")[0]
    nc = await nats.connect(NATS.url)
    js = nc.jetstream()
    await js.add_stream(name=stream, subjects=[f"other{uuid.uuid4().hex[:8]}.>"])
    try:
        with pytest.raises(ConfigError, match=f"stream '{stream}'.*has subjects"):
            await connect(nats_url)
    finally:
        await js.delete_stream(stream)
        await nc.close()


async def test_nats_repeated_seq_stored_once(nats_url: str) -> None:
    try:
        async with await connect(nats_url) as bus:
            assert isinstance(bus, NatsBus)
            for _ in range(3):
                await bus.publish("identity.formed", FORMED, seq=41)
            await bus.publish("identity.formed", FORMED, seq=42)
            assert await _stream_message_count(bus) == 2
    finally:
        await delete_stream(nats_url)


async def test_nats_durable_consumer_resumes(nats_url: str) -> None:
    before, after = Collector(), Collector()
    try:
        async with await connect(nats_url) as bus:
            await bus.publish("identity.formed", FORMED, seq=1)
            subscription = await bus.subscribe("identity.>", before, durable="ui")
            await bus.publish("identity.formed", FORMED, seq=2)
            await before.wait_for(2)
            await subscription.unsubscribe()
            await bus.publish("identity.formed", FORMED, seq=3)
            await bus.publish("identity.formed", FORMED, seq=4)
            await bus.subscribe("identity.>", after, durable="ui")
            await after.wait_for(2)
    finally:
        await delete_stream(nats_url)
    assert before.seqs == [1, 2]
    assert after.seqs == [3, 4]


async def test_nats_ephemeral_consumer_starts_at_new(nats_url: str) -> None:
    collector = Collector()
    try:
        async with await connect(nats_url) as bus:
            await bus.publish("identity.formed", FORMED, seq=1)
            await bus.subscribe("identity.>", collector)
            await bus.publish("identity.formed", FORMED, seq=2)
            await collector.wait_for(1)
    finally:
        await delete_stream(nats_url)
    assert collector.seqs == [2]


async def test_nats_prefix_isolates_deployments(nats_url: str) -> None:
    other_url = nats_test_url(NATS.url, uuid.uuid4().hex[:12])
    mine, theirs = Collector(), Collector()
    try:
        async with await connect(nats_url) as bus, await connect(other_url) as other:
            await other.subscribe("identity.>", theirs)
            await bus.subscribe("identity.>", mine)
            await bus.publish("identity.formed", FORMED, seq=1)
            await other.publish("identity.formed", FORMED, seq=9)
            await mine.wait_for(1)
            await theirs.wait_for(1)
    finally:
        await delete_stream(nats_url)
        await delete_stream(other_url)
    assert mine.seqs == [1]
    assert theirs.seqs == [9]


async def test_nats_undecodable_message_skipped(nats_url: str) -> None:
    collector = Collector()
    try:
        async with await connect(nats_url) as bus:
            assert isinstance(bus, NatsBus)
            await bus.subscribe("identity.>", collector)
            subject = bus.prefix + "identity.formed"
            await bus._js.publish(subject, b"{not json", headers={"Nats-Msg-Id": "1"})
            await bus._js.publish(subject, b"[1, 2]", headers={"Nats-Msg-Id": "2"})
            await bus.publish("identity.formed", FORMED, seq=3)
            await collector.wait_for(1)
    finally:
        await delete_stream(nats_url)
    assert collector.seqs == [3]
