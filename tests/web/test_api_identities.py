"""The identity endpoints over HTTP, on an empty and a populated database."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.web.conftest import auth
from tests.web.seed import HASSH, Seeded, seed

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
UNKNOWN = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
async def seeded(api_engine: AsyncEngine) -> Seeded:
    return await seed(api_engine)


async def test_list_empty_table_returns_empty_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/identities", headers=auth())
    assert response.status_code == 200
    assert response.json() == {"total": 0, "limit": 50, "offset": 0, "data": []}


async def test_detail_on_empty_table_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/api/v1/identities/{UNKNOWN}", headers=auth())
    assert response.status_code == 404
    assert response.json() == {"detail": "Identity not found"}


async def test_observations_on_empty_table_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get(
        f"/api/v1/identities/{UNKNOWN}/observations", headers=auth()
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Identity not found"}


async def test_evidence_on_empty_table_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get(
        f"/api/v1/identities/{UNKNOWN}/evidence", headers=auth()
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Identity not found"}


async def test_list_excludes_merged_newest_first(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    body = (await client.get("/api/v1/identities", headers=auth())).json()
    assert body["total"] == 2
    assert [row["uuid"] for row in body["data"]] == [seeded.new, seeded.old]


async def test_list_paginates(client: httpx.AsyncClient, seeded: Seeded) -> None:
    body = (
        await client.get("/api/v1/identities?limit=1&offset=1", headers=auth())
    ).json()
    assert body["total"] == 2
    assert body["limit"] == 1
    assert body["offset"] == 1
    assert [row["uuid"] for row in body["data"]] == [seeded.old]


async def test_list_offset_past_end_is_empty(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    body = (await client.get("/api/v1/identities?offset=10", headers=auth())).json()
    assert body["total"] == 2
    assert body["data"] == []


async def test_list_formats_values(client: httpx.AsyncClient, seeded: Seeded) -> None:
    body = (await client.get("/api/v1/identities", headers=auth())).json()
    new, old = body["data"]
    assert new["kd_digraph_simhash"] == "0123456789abcdef"
    assert new["ja3_hashes"] == ["e7d705a3286e19ea42f587b344ee6865"]
    assert new["hassh_hashes"] == []
    assert new["campaign_id"] == seeded.campaign
    assert old["c2_endpoints"] == ["198.51.100.200:4444"]
    assert old["kd_digraph_simhash"] is None
    assert ISO_UTC.match(old["updated_at"]), old["updated_at"]
    assert ISO_UTC.match(old["first_seen_at"]), old["first_seen_at"]


async def test_detail_counts_merged_observations(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    body = (await client.get(f"/api/v1/identities/{seeded.old}", headers=auth())).json()
    assert body["uuid"] == seeded.old
    assert body["observation_count_live"] == 3
    assert body["merged_uuids"] == [seeded.merged]
    assert body["resolved_from"] is None
    assert body["confidence"] == pytest.approx(0.91)


async def test_detail_follows_merge_to_winner(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    body = (
        await client.get(f"/api/v1/identities/{seeded.merged}", headers=auth())
    ).json()
    assert body["uuid"] == seeded.old
    assert body["merged_into_uuid"] is None
    assert body["resolved_from"] == seeded.merged


async def test_detail_accepts_upper_case_uuid(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    response = await client.get(
        f"/api/v1/identities/{seeded.new.upper()}", headers=auth()
    )
    assert response.status_code == 200
    assert response.json()["uuid"] == seeded.new


async def test_observations_include_merged_in(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    body = (
        await client.get(
            f"/api/v1/identities/{seeded.old}/observations", headers=auth()
        )
    ).json()
    assert body["total"] == 3
    uuids = {row["uuid"] for row in body["data"]}
    assert uuids == {*seeded.obs_old, seeded.obs_merged}


async def test_observations_of_loser_resolve_to_winner(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    body = (
        await client.get(
            f"/api/v1/identities/{seeded.merged}/observations?limit=1", headers=auth()
        )
    ).json()
    assert body["total"] == 3
    assert len(body["data"]) == 1
    assert body["data"][0]["identity_id"] in {seeded.old, seeded.merged}


async def test_evidence_lists_links_and_features(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    body = (
        await client.get(f"/api/v1/identities/{seeded.old}/evidence", headers=auth())
    ).json()
    assert body["identity_uuid"] == seeded.old
    assert body["total"] == 1
    assert body["data"][0]["weight_bits"] == pytest.approx(14.2)
    kinds = [feature["kind"] for feature in body["features"]]
    assert kinds == ["c2_endpoint", "hassh"]
    assert body["features"][1]["value"] == HASSH
    assert body["features"][1]["link_count"] == 1


async def test_evidence_of_identity_without_links_is_empty(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    body = (
        await client.get(f"/api/v1/identities/{seeded.new}/evidence", headers=auth())
    ).json()
    assert body["total"] == 0
    assert body["data"] == []
    assert body["features"] == []


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=1001",
        "limit=99999999999999999999999",
        "offset=-1",
        "offset=2147483648",
        "limit=x",
    ],
)
async def test_list_rejects_bad_window(client: httpx.AsyncClient, query: str) -> None:
    response = await client.get(f"/api/v1/identities?{query}", headers=auth())
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["loc"][0] == "query"
    assert detail[0]["loc"][1] == query.split("=")[0]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/identities/not-a-uuid",
        "/api/v1/identities/1234",
        "/api/v1/identities/not-a-uuid/observations",
        "/api/v1/identities/%27%3B--/evidence",
    ],
)
async def test_malformed_uuid_is_422(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path, headers=auth())
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "uuid_parsing"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/identities",
        f"/api/v1/identities/{UNKNOWN}",
        f"/api/v1/identities/{UNKNOWN}/observations",
        f"/api/v1/identities/{UNKNOWN}/evidence",
    ],
)
async def test_identity_endpoints_need_token(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_random_uuid_is_404_not_500(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    response = await client.get(f"/api/v1/identities/{uuid.uuid4()}", headers=auth())
    assert response.status_code == 404
