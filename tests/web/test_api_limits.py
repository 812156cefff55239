"""Request limits, health, metrics and routing outside the resources."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.web.db.engine import create_engine, session_factory
from decnet.web.db.migrate import head_revisions
from tests.web.conftest import auth
from tests.web.seed import seed


async def test_oversized_body_is_413(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/login",
        content=b'{"username": "' + b"a" * (2 * 1024 * 1024) + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert "larger than 1048576 bytes" in response.json()["detail"]


async def test_oversized_notes_change_nothing(
    client: httpx.AsyncClient, api_engine: AsyncEngine
) -> None:
    seeded = await seed(api_engine)
    body = b'{"notes": "' + b"n" * (2 * 1024 * 1024) + b'"}'
    response = await client.put(
        f"/api/v1/identities/{seeded.new}/notes",
        content=body,
        headers={**auth("analyst"), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    detail = await client.get(f"/api/v1/identities/{seeded.new}", headers=auth())
    assert detail.json()["notes"] is None
    decisions = await client.get("/api/v1/decisions", headers=auth())
    assert decisions.json()["total"] == 0


async def test_oversized_streamed_body_is_413(client: httpx.AsyncClient) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(40):
            yield b"x" * 65536

    response = await client.post(
        "/api/v1/auth/login",
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413


async def test_malformed_json_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/login",
        content=b'{"username": "anna", "password": ',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


async def test_health_reports_parts(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["database"]["revisions"] == sorted(head_revisions())
    assert body["bus"]["unpublished"] == 0
    assert body["clusterer"]["lease_live"] is False
    assert body["clusterer"]["unresolved_observations"] == 0


async def test_metrics_count_requests_by_route(client: httpx.AsyncClient) -> None:
    await client.get("/api/v1/identities", headers=auth())
    text = (await client.get("/metrics")).text
    assert 'route="/identities"' in text
    assert "decnet_http_request_duration_seconds_bucket" in text


async def test_unknown_api_path_is_json_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


async def test_openapi_lists_identity_paths(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/api/v1/openapi.json")).json()["paths"]
    assert "/api/v1/identities/{uuid}" in paths
    assert "/api/v1/identities/events" in paths


async def test_database_outage_is_503(app: FastAPI, client: httpx.AsyncClient) -> None:
    # Nothing listens on port 9 of the loopback address.
    down = create_engine("postgresql://postgres@127.0.0.1:9/none")
    state = app.state.decnet
    working = state.sessions
    state.sessions = session_factory(down)
    try:
        listed = await client.get("/api/v1/identities", headers=auth())
        health = await client.get("/api/v1/health")
    finally:
        state.sessions = working
        await down.dispose()
    assert listed.status_code == 503
    assert listed.json() == {"detail": "database unavailable; retry later"}
    assert health.status_code == 503
    assert health.json()["status"] == "unavailable"
    assert health.json()["database"]["ok"] is False


async def test_busy_pool_is_503_with_retry_after(
    app: FastAPI, client: httpx.AsyncClient, api_engine: AsyncEngine
) -> None:
    busy = create_engine(
        api_engine.url.render_as_string(hide_password=False),
        pool_size=1,
        max_overflow=0,
        pool_timeout=0.2,
    )
    state = app.state.decnet
    working = state.sessions
    state.sessions = session_factory(busy)
    try:
        async with busy.connect():
            response = await client.get("/api/v1/identities", headers=auth())
    finally:
        state.sessions = working
        await busy.dispose()
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert "database busy" in response.json()["detail"]
