"""Server-Sent Events over a running uvicorn: tickets, snapshot, live, resume."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import orjson
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.bus import topics
from decnet.bus.outbox import append_event
from decnet.bus.payloads import AttackerObserved, CampaignChanged, IdentityFormed
from decnet.config import Settings
from decnet.web.api.app import create_app
from decnet.web.api.state import ApiOptions
from decnet.web.db.engine import create_engine, session_factory, transaction
from decnet.web.db.models.auth import StreamTicket
from tests.web.conftest import auth
from tests.web.seed import Seeded, seed
from tests.web.sse import next_event, read_events, running_server

IDENTITY_UUID = "11111111-1111-4111-8111-111111111111"


@pytest.fixture
def options() -> ApiOptions:
    return ApiOptions(stream_poll_s=0.05, keepalive_s=0.5, max_streams_per_user=2)


@pytest.fixture
async def base_url(app: FastAPI) -> AsyncIterator[str]:
    async with running_server(app) as url:
        yield url


@pytest.fixture
async def http(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        yield client


async def _ticket(http: httpx.AsyncClient) -> str:
    response = await http.post("/api/v1/auth/sse-ticket", headers=auth())
    assert response.status_code == 200
    return str(response.json()["ticket"])


async def _publish_formed(engine: AsyncEngine, observation: str = "obs-1") -> None:
    async with transaction(session_factory(engine)) as session:
        append_event(
            session,
            topics.identity(topics.IDENTITY_FORMED),
            IdentityFormed(
                identity_uuid=IDENTITY_UUID,
                observation_uuids=[observation],
                confidence=0.9,
                first_seen_at=None,
            ),
        )


async def _publish_observed(engine: AsyncEngine) -> None:
    async with transaction(session_factory(engine)) as session:
        append_event(
            session,
            topics.attacker(topics.ATTACKER_OBSERVED),
            AttackerObserved(observation_uuid="obs-9", ip="192.0.2.9"),
        )


async def test_stream_sends_snapshot_then_live_event(
    http: httpx.AsyncClient, api_engine: AsyncEngine
) -> None:
    seeded = await seed(api_engine)
    ticket = await _ticket(http)
    async with http.stream(
        "GET", "/api/v1/identities/events", params={"ticket": ticket}
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = read_events(response)
        snapshot = await next_event(events)
        assert snapshot.event == "snapshot"
        assert snapshot.id == "0"
        body = orjson.loads(snapshot.data)
        assert body["total"] == 2
        assert [row["uuid"] for row in body["data"]] == [seeded.new, seeded.old]

        await _publish_observed(api_engine)
        await _publish_formed(api_engine)
        live = await next_event(events)
    assert live.event == "identity.formed"
    assert live.id == "2"
    assert orjson.loads(live.data)["payload"]["identity_uuid"] == IDENTITY_UUID


async def test_reused_ticket_is_401(http: httpx.AsyncClient) -> None:
    ticket = await _ticket(http)
    async with http.stream(
        "GET", "/api/v1/identities/events", params={"ticket": ticket}
    ) as first:
        assert first.status_code == 200
    second = await http.get("/api/v1/identities/events", params={"ticket": ticket})
    assert second.status_code == 401
    assert second.headers["www-authenticate"] == "Bearer"
    assert "already used" in second.json()["detail"]


async def test_ticket_works_on_another_replica(
    http: httpx.AsyncClient,
    api_engine: AsyncEngine,
    settings: Settings,
    options: ApiOptions,
) -> None:
    # A second app with its own engine on the same database plays another
    # API process, because it shares no memory with the first app.
    replica = create_app(
        settings,
        engine=create_engine(api_engine.url.render_as_string(hide_password=False)),
        options=options,
        announce_admin=lambda admin: None,
    )
    ticket = await _ticket(http)
    async with (
        replica.router.lifespan_context(replica),
        running_server(replica) as replica_url,
        httpx.AsyncClient(base_url=replica_url, timeout=10) as other,
    ):
        path = "/api/v1/identities/events?snapshot_limit=0"
        async with other.stream("GET", path, params={"ticket": ticket}) as response:
            assert response.status_code == 200
        again = await http.get(path, params={"ticket": ticket})
        await replica.state.decnet.engine.dispose()
    assert again.status_code == 401
    assert "already used" in again.json()["detail"]


async def test_expired_ticket_is_401(
    http: httpx.AsyncClient, api_engine: AsyncEngine
) -> None:
    ticket = await _ticket(http)
    async with transaction(session_factory(api_engine)) as session:
        await session.execute(
            sa.update(StreamTicket).values(
                expires_at=datetime.now(UTC) - timedelta(seconds=1)
            )
        )
    response = await http.get("/api/v1/identities/events", params={"ticket": ticket})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "expired" in response.json()["detail"]


async def test_unknown_ticket_is_401(http: httpx.AsyncClient) -> None:
    response = await http.get("/api/v1/identities/events", params={"ticket": "forged"})
    assert response.status_code == 401


async def test_stream_without_credentials_is_401(http: httpx.AsyncClient) -> None:
    response = await http.get("/api/v1/campaigns/events")
    assert response.status_code == 401


async def test_resume_skips_snapshot_and_replays(
    http: httpx.AsyncClient, api_engine: AsyncEngine
) -> None:
    await _publish_formed(api_engine, "a")
    await _publish_formed(api_engine, "b")
    await _publish_formed(api_engine, "c")
    headers = {**auth(), "Last-Event-ID": "1"}
    async with http.stream(
        "GET", "/api/v1/identities/events", headers=headers
    ) as response:
        events = read_events(response)
        first = await next_event(events)
        second = await next_event(events)
    assert (first.event, first.id) == ("identity.formed", "2")
    assert second.id == "3"


@pytest.mark.parametrize("value", ["yesterday", "-3", str(2**63), "9" * 30])
async def test_bad_last_event_id_is_422(http: httpx.AsyncClient, value: str) -> None:
    headers = {**auth(), "Last-Event-ID": value}
    response = await http.get("/api/v1/identities/events", headers=headers)
    assert response.status_code == 422
    assert "Last-Event-ID" in response.json()["detail"]


async def test_stream_limit_per_user_is_429(http: httpx.AsyncClient) -> None:
    path = "/api/v1/identities/events"
    async with http.stream("GET", path, headers=auth()) as one:
        async with http.stream("GET", path, headers=auth()) as two:
            assert one.status_code == 200
            assert two.status_code == 200
            third = await http.get(path, headers=auth())
            assert third.status_code == 429
            assert "limit 2" in third.json()["detail"]
    # Closed streams free their places.
    async with http.stream("GET", path, headers=auth()) as again:
        assert again.status_code == 200


async def test_idle_stream_sends_keepalive(http: httpx.AsyncClient) -> None:
    async with http.stream(
        "GET", "/api/v1/campaigns/events?snapshot_limit=0", headers=auth()
    ) as response:
        event = await next_event(read_events(response), skip_comments=False)
    assert event.comments
    assert event.data == ""


async def test_campaign_stream_snapshot_and_live(
    http: httpx.AsyncClient, api_engine: AsyncEngine
) -> None:
    seeded: Seeded = await seed(api_engine)
    async with http.stream(
        "GET", "/api/v1/campaigns/events", headers=auth()
    ) as response:
        events = read_events(response)
        snapshot = orjson.loads((await next_event(events)).data)
        assert [row["uuid"] for row in snapshot["data"]] == [seeded.campaign]
        await _publish_formed(api_engine)
        async with transaction(session_factory(api_engine)) as session:
            append_event(
                session,
                topics.campaign(topics.CAMPAIGN_UPDATED),
                CampaignChanged(
                    campaign_uuid=seeded.campaign, identity_uuids=[], confidence=None
                ),
            )
        live = await next_event(events)
    assert live.event == "campaign.updated"
    assert live.id == "2"


async def test_identity_routes_still_reach_detail(
    http: httpx.AsyncClient, api_engine: AsyncEngine
) -> None:
    seeded = await seed(api_engine)
    response = await http.get(f"/api/v1/identities/{seeded.new}", headers=auth())
    assert response.status_code == 200
    assert response.json()["uuid"] == seeded.new
