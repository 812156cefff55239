"""Campaign endpoints over HTTP."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.web.conftest import auth
from tests.web.seed import Seeded, seed

UNKNOWN = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
async def seeded(api_engine: AsyncEngine) -> Seeded:
    return await seed(api_engine)


async def test_list_empty(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/v1/campaigns", headers=auth())).json()
    assert body == {"total": 0, "limit": 50, "offset": 0, "data": []}


async def test_list_counts_identities(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    body = (await client.get("/api/v1/campaigns", headers=auth())).json()
    assert body["total"] == 1
    assert body["data"][0]["uuid"] == seeded.campaign
    assert body["data"][0]["identity_count"] == 1


async def test_detail(client: httpx.AsyncClient, seeded: Seeded) -> None:
    body = (
        await client.get(f"/api/v1/campaigns/{seeded.campaign}", headers=auth())
    ).json()
    assert body["name"] == "ssh-miner"


async def test_identities_of_campaign(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    body = (
        await client.get(
            f"/api/v1/campaigns/{seeded.campaign}/identities", headers=auth()
        )
    ).json()
    assert [row["uuid"] for row in body["data"]] == [seeded.new]


@pytest.mark.parametrize("suffix", ["", "/identities"])
async def test_unknown_campaign_is_404(client: httpx.AsyncClient, suffix: str) -> None:
    response = await client.get(f"/api/v1/campaigns/{UNKNOWN}{suffix}", headers=auth())
    assert response.status_code == 404
    assert response.json() == {"detail": "Campaign not found"}
