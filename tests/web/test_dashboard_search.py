"""Identity list search and sort, as the dashboard's identity page calls them."""

from __future__ import annotations

import hashlib

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from decnet import features
from decnet.web.db.engine import session_factory, transaction
from decnet.web.db.models import ObservationFeature
from tests.web.conftest import auth
from tests.web.seed import HASSH, Seeded, seed

JA3 = "e7d705a3286e19ea42f587b344ee6865"
C2 = "198.51.100.200:4444"


def _feature(observation: str, kind: str, value: str) -> ObservationFeature:
    key = hashlib.sha256(value.encode()).hexdigest()
    return ObservationFeature(
        observation_uuid=observation, kind=kind, value=value, value_key=key
    )


@pytest.fixture
async def seeded(api_engine: AsyncEngine) -> Seeded:
    """The seed, plus features: HASSH on `old`'s and `new`'s observations,
    JA3 on `new`'s, a C2 endpoint on the one merged into `old`, and a
    credential (not a searchable kind) on the unresolved one."""
    rows = await seed(api_engine)
    async with transaction(session_factory(api_engine)) as session:
        session.add(_feature(rows.obs_old[0], features.HASSH, HASSH))
        session.add(_feature(rows.obs_new, features.HASSH, HASSH))
        session.add(_feature(rows.obs_new, features.JA3, JA3))
        session.add(_feature(rows.obs_merged, features.C2_ENDPOINT, C2))
        session.add(_feature(rows.obs_unresolved, features.CREDENTIAL, "root\x1froot"))
    return rows


async def _search(client: httpx.AsyncClient, **params: str) -> dict:
    response = await client.get("/api/v1/identities", params=params, headers=auth())
    assert response.status_code == 200, response.text
    return response.json()


async def test_search_ip_finds_identity(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    page = await _search(client, search="198.51.100.7")
    assert page["total"] == 1
    assert [row["uuid"] for row in page["data"]] == [seeded.new]


async def test_search_ip_of_merged_finds_winner(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    page = await _search(client, search=" 203.0.113.5 ")
    assert [row["uuid"] for row in page["data"]] == [seeded.old]


async def test_search_mapped_ipv4_spelling(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    page = await _search(client, search="::FFFF:198.51.100.7")
    assert [row["uuid"] for row in page["data"]] == [seeded.new]


async def test_search_unresolved_ip_is_empty(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    # 2001:db8::5 is in the seed but has no identity.
    page = await _search(client, search="2001:DB8:0:0::5")
    assert page["total"] == 0
    assert page["data"] == []


async def test_search_hassh_finds_both(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    page = await _search(client, search=HASSH.upper())
    assert page["total"] == 2
    assert {row["uuid"] for row in page["data"]} == {seeded.old, seeded.new}


async def test_search_ja3_finds_one(client: httpx.AsyncClient, seeded: Seeded) -> None:
    page = await _search(client, search=JA3)
    assert [row["uuid"] for row in page["data"]] == [seeded.new]


async def test_search_c2_follows_merge(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    page = await _search(client, search=C2)
    assert [row["uuid"] for row in page["data"]] == [seeded.old]


async def test_search_ignores_other_kinds(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    page = await _search(client, search="root\x1froot")
    assert page["total"] == 0


async def test_search_no_match_is_empty(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    page = await _search(client, search="0" * 32)
    assert page == {"total": 0, "limit": 50, "offset": 0, "data": []}


async def test_search_pages(client: httpx.AsyncClient, seeded: Seeded) -> None:
    first = await _search(client, search=HASSH, limit="1", offset="0")
    second = await _search(client, search=HASSH, limit="1", offset="1")
    assert first["total"] == 2
    assert second["total"] == 2
    assert len(first["data"]) == 1
    assert len(second["data"]) == 1
    assert first["data"][0]["uuid"] != second["data"][0]["uuid"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("updated", ["new", "old"]),
        ("observations", ["old", "new"]),
        ("confidence", ["old", "new"]),
        ("first_seen", ["old", "new"]),
        ("last_seen", ["old", "new"]),
    ],
)
async def test_sort_orders_all_rows(
    client: httpx.AsyncClient, seeded: Seeded, sort: str, expected: list[str]
) -> None:
    # `new` has no confidence and no last_seen_at: nulls sort last.
    # Both were first seen at T0, so the uuid breaks that tie, largest first.
    if sort == "first_seen":
        expected = sorted(
            expected, key=lambda name: getattr(seeded, name), reverse=True
        )
    page = await _search(client, sort=sort)
    assert [row["uuid"] for row in page["data"]] == [
        getattr(seeded, name) for name in expected
    ]


async def test_sort_unknown_is_422(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/api/v1/identities", params={"sort": "size"}, headers=auth()
    )
    assert response.status_code == 422
    assert "updated" in response.text


async def test_search_empty_is_422(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/api/v1/identities", params={"search": ""}, headers=auth()
    )
    assert response.status_code == 422
