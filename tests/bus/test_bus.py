"""Publish and subscribe semantics, the same on the in-process bus and on NATS."""

from __future__ import annotations

import logging

import pytest

from decnet.bus import Bus, Event, connect
from decnet.errors import BusUnavailableError, InvalidSubjectError
from tests.bus.conftest import Collector

FORMED = {
    "identity_uuid": "0b7e3c8e-0000-4000-8000-000000000001",
    "observation_uuids": ["0b7e3c8e-0000-4000-8000-0000000000a1"],
    "confidence": None,
    "first_seen_at": None,
}
LINKED = {
    "identity_uuid": "0b7e3c8e-0000-4000-8000-000000000001",
    "observation_uuid": "0b7e3c8e-0000-4000-8000-0000000000a2",
    "confidence_after": 0.5,
}
CAMPAIGN = {
    "campaign_uuid": "0b7e3c8e-0000-4000-8000-0000000000c1",
    "identity_uuids": [],
    "confidence": None,
}


def _observed(number: int) -> dict[str, str]:
    return {"observation_uuid": f"obs-{number}", "ip": f"203.0.113.{number % 256}"}


async def test_subscriber_receives_payload_and_seq(bus: Bus) -> None:
    collector = Collector()
    await bus.subscribe("identity.>", collector)
    await bus.publish("identity.formed", FORMED, seq=7)
    [event] = await collector.wait_for(1)
    assert event == Event(subject="identity.formed", payload=FORMED, seq=7)


async def test_publish_without_seq_delivers_none(bus: Bus) -> None:
    collector = Collector()
    await bus.subscribe("identity.formed", collector)
    await bus.publish("identity.formed", FORMED)
    [event] = await collector.wait_for(1)
    assert event.seq is None


async def test_full_wildcard_receives_every_identity_event(bus: Bus) -> None:
    collector = Collector()
    await bus.subscribe("identity.>", collector)
    await bus.publish("identity.formed", FORMED, seq=1)
    await bus.publish("campaign.formed", CAMPAIGN, seq=2)
    await bus.publish("identity.observation.linked", LINKED, seq=3)
    events = await collector.wait_for(2)
    assert [e.subject for e in events] == [
        "identity.formed",
        "identity.observation.linked",
    ]


async def test_star_skips_two_token_identity_event(bus: Bus) -> None:
    collector = Collector()
    await bus.subscribe("identity.*", collector)
    await bus.publish("identity.observation.linked", LINKED, seq=1)
    await bus.publish("identity.formed", FORMED, seq=2)
    events = await collector.wait_for(1)
    assert [e.seq for e in events] == [2]


async def test_leading_wildcard_pattern_filters_subjects(bus: Bus) -> None:
    collector = Collector()
    await bus.subscribe("*.formed", collector)
    await bus.publish("attacker.observed", _observed(1), seq=1)
    await bus.publish("campaign.formed", CAMPAIGN, seq=2)
    await bus.publish("identity.observation.linked", LINKED, seq=3)
    await bus.publish("identity.formed", FORMED, seq=4)
    events = await collector.wait_for(2)
    assert [e.seq for e in events] == [2, 4]


async def test_events_arrive_in_publish_order(bus: Bus) -> None:
    collector = Collector()
    await bus.subscribe("attacker.observed", collector)
    for seq in range(1, 201):
        await bus.publish("attacker.observed", _observed(seq), seq=seq)
    await collector.wait_for(200)
    assert collector.seqs == list(range(1, 201))


async def test_each_subscription_gets_a_copy(bus: Bus) -> None:
    first, second = Collector(), Collector()
    await bus.subscribe("attacker.>", first)
    await bus.subscribe("attacker.observed", second)
    await bus.publish("attacker.observed", _observed(1), seq=1)
    await first.wait_for(1)
    await second.wait_for(1)
    assert first.events == second.events


async def test_handler_error_is_logged_not_raised(
    bus: Bus, caplog: pytest.LogCaptureFixture
) -> None:
    collector = Collector()

    async def failing(event: Event) -> None:
        await collector(event)
        if event.seq == 1:
            raise RuntimeError("handler fault")

    await bus.subscribe("attacker.observed", failing)
    with caplog.at_level(logging.ERROR, logger="decnet.bus"):
        await bus.publish("attacker.observed", _observed(1), seq=1)
        await bus.publish("attacker.observed", _observed(2), seq=2)
        await collector.wait_for(2)
    [record] = [r for r in caplog.records if r.getMessage() == "bus handler failed"]
    assert record.subject == "attacker.observed"
    assert record.seq == 1
    assert "handler fault" in (record.exc_text or "")


async def test_unsubscribe_stops_delivery(bus: Bus) -> None:
    stopped, control = Collector(), Collector()
    subscription = await bus.subscribe("attacker.observed", stopped)
    await bus.subscribe("attacker.observed", control)
    await bus.publish("attacker.observed", _observed(1), seq=1)
    await stopped.wait_for(1)
    await subscription.unsubscribe()
    await subscription.unsubscribe()
    await bus.publish("attacker.observed", _observed(2), seq=2)
    await control.wait_for(2)
    assert stopped.seqs == [1]


async def test_publish_rejects_unknown_subject(bus: Bus) -> None:
    with pytest.raises(InvalidSubjectError, match="no payload model for subject"):
        await bus.publish("identity.split", FORMED)


async def test_publish_rejects_pattern_subject(bus: Bus) -> None:
    with pytest.raises(InvalidSubjectError, match="wildcards"):
        await bus.publish("identity.>", FORMED)


async def test_subscribe_rejects_invalid_pattern(bus: Bus) -> None:
    with pytest.raises(InvalidSubjectError, match="'>' may only be the last token"):
        await bus.subscribe("identity.>.formed", Collector())


async def test_closed_bus_rejects_publish(bus_url: str) -> None:
    async with await connect(bus_url) as bus:
        pass
    with pytest.raises(BusUnavailableError, match="closed"):
        await bus.publish("identity.formed", FORMED)


async def test_clients_on_one_url_share_events(bus_url: str) -> None:
    collector = Collector()
    async with await connect(bus_url) as consumer, await connect(bus_url) as producer:
        await consumer.subscribe("identity.formed", collector)
        await producer.publish("identity.formed", FORMED, seq=3)
        await collector.wait_for(1)
    assert collector.seqs == [3]


async def test_unicode_payload_survives(bus: Bus) -> None:
    collector = Collector()
    await bus.subscribe("identity.unmerged", collector)
    payload = {
        "identity_uuid": "ïd-\u2603-\U0001f600",
        "former_winner_uuid": "w",
        "observation_uuids": ["a\x00b"],
    }
    await bus.publish("identity.unmerged", payload, seq=1)
    [event] = await collector.wait_for(1)
    assert event.payload == payload


async def test_repeated_seq_delivered_once(bus: Bus) -> None:
    collector = Collector()
    await bus.subscribe("attacker.observed", collector)
    await bus.publish("attacker.observed", _observed(5), seq=5)
    await bus.publish("attacker.observed", _observed(5), seq=5)
    await bus.publish("attacker.observed", _observed(6), seq=6)
    await collector.wait_for(2)
    await bus.publish("attacker.observed", _observed(7), seq=7)
    await collector.wait_for(3)
    assert collector.seqs == [5, 6, 7]


async def test_events_without_seq_never_skipped(bus: Bus) -> None:
    collector = Collector()
    await bus.subscribe("attacker.observed", collector)
    for _ in range(3):
        await bus.publish("attacker.observed", _observed(1))
    await collector.wait_for(3)
    assert collector.seqs == [None, None, None]
