"""Observation endpoints over HTTP: list filters, detail, identity history."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.web.conftest import auth
from tests.web.seed import HASSH, Seeded, seed

UNKNOWN = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
async def seeded(api_engine: AsyncEngine) -> Seeded:
    return await seed(api_engine)


async def test_list_empty(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/v1/attackers", headers=auth())).json()
    assert body == {"total": 0, "limit": 50, "offset": 0, "data": []}


async def test_list_all(client: httpx.AsyncClient, seeded: Seeded) -> None:
    body = (await client.get("/api/v1/attackers", headers=auth())).json()
    assert body["total"] == 5
    assert body["data"][0]["hassh_hashes"] == [HASSH]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ip=192.0.2.10", 1),
        ("ip=::ffff:192.0.2.10", 1),
        ("ip=2001:DB8:0::5", 1),
        ("resolved=false", 1),
        ("resolved=true", 4),
        ("since=2026-11-01T16:30:00Z", 1),
        ("until=2026-11-01T12:30:00Z", 1),
    ],
)
async def test_list_filters(
    client: httpx.AsyncClient, seeded: Seeded, query: str, expected: int
) -> None:
    body = (await client.get(f"/api/v1/attackers?{query}", headers=auth())).json()
    assert body["total"] == expected


async def test_list_filters_by_identity_with_merged(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    body = (
        await client.get(f"/api/v1/attackers?identity={seeded.old}", headers=auth())
    ).json()
    assert body["total"] == 3


async def test_list_rejects_bad_ip(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/attackers?ip=300.1.1.1", headers=auth())
    assert response.status_code == 422
    assert "300.1.1.1" in response.json()["detail"]


async def test_list_rejects_bad_time(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/attackers?since=yesterday", headers=auth())
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "since"]


async def test_detail_has_identity_and_sessions(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    a = seeded.obs_old[0]
    body = (await client.get(f"/api/v1/attackers/{a}", headers=auth())).json()
    assert body["identity_id"] == seeded.old
    assert body["canonical_identity_id"] == seeded.old
    assert body["session_total"] == 1
    assert body["sessions"][0]["session_id"] == "a1b2c3d4e5f6"
    assert body["sessions"][0]["kd_digraph_simhash"] == "0000000000000001"


async def test_detail_of_merged_observation_names_winner(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    body = (
        await client.get(f"/api/v1/attackers/{seeded.obs_merged}", headers=auth())
    ).json()
    assert body["identity_id"] == seeded.merged
    assert body["canonical_identity_id"] == seeded.old


async def test_detail_of_unresolved_has_null_identity(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    body = (
        await client.get(f"/api/v1/attackers/{seeded.obs_unresolved}", headers=auth())
    ).json()
    assert body["identity_id"] is None
    assert body["canonical_identity_id"] is None
    assert body["sessions"] == []


async def test_detail_unknown_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/api/v1/attackers/{UNKNOWN}", headers=auth())
    assert response.status_code == 404
    assert response.json() == {"detail": "Attacker not found"}


async def test_detail_malformed_is_422(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/attackers/192.0.2.1", headers=auth())
    assert response.status_code == 422


async def test_history_oldest_first(client: httpx.AsyncClient, seeded: Seeded) -> None:
    a = seeded.obs_old[0]
    body = (
        await client.get(f"/api/v1/attackers/{a}/identity-history", headers=auth())
    ).json()
    assert body["total"] == 2
    assert [entry["action"] for entry in body["data"]] == ["linked", "relinked"]


async def test_history_empty(client: httpx.AsyncClient, seeded: Seeded) -> None:
    body = (
        await client.get(
            f"/api/v1/attackers/{seeded.obs_unresolved}/identity-history",
            headers=auth(),
        )
    ).json()
    assert body == {"total": 0, "limit": 50, "offset": 0, "data": []}


async def test_history_unknown_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get(
        f"/api/v1/attackers/{UNKNOWN}/identity-history", headers=auth()
    )
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/attackers", f"/api/v1/attackers/{UNKNOWN}"])
async def test_attackers_need_token(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
