"""Analyst actions over HTTP: notes, merge, split, cannot-link, revoke."""

from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.web.db.engine import session_factory
from decnet.web.db.models import (
    AnalystDecision,
    AttackerIdentity,
    IdentityHistory,
    OutboxEvent,
)
from tests.web.conftest import auth
from tests.web.seed import Seeded, seed

UNKNOWN = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
async def seeded(api_engine: AsyncEngine) -> Seeded:
    return await seed(api_engine)


async def _count(engine: AsyncEngine, model: type) -> int:
    async with session_factory(engine)() as session:
        return int(
            await session.scalar(sa.select(sa.func.count()).select_from(model)) or 0
        )


async def _merged_into(engine: AsyncEngine, uuid: str) -> str | None:
    async with session_factory(engine)() as session:
        identity = await session.get(AttackerIdentity, uuid)
        assert identity is not None
        return identity.merged_into_uuid


async def test_notes_need_analyst_role(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    response = await client.put(
        f"/api/v1/identities/{seeded.new}/notes", json={"notes": "x"}, headers=auth()
    )
    assert response.status_code == 403
    assert "needs analyst" in response.json()["detail"]


async def test_notes_are_saved_with_decision(
    client: httpx.AsyncClient, seeded: Seeded, api_engine: AsyncEngine
) -> None:
    response = await client.put(
        f"/api/v1/identities/{seeded.new}/notes",
        json={"notes": "Uses a custom loader"},
        headers=auth("analyst"),
    )
    assert response.status_code == 200
    assert response.json()["notes"] == "Uses a custom loader"
    async with session_factory(api_engine)() as session:
        decision = await session.scalar(sa.select(AnalystDecision))
    assert decision is not None
    assert decision.kind == "note"
    assert decision.username == "anna"


async def test_notes_on_loser_go_to_winner(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    response = await client.put(
        f"/api/v1/identities/{seeded.merged}/notes",
        json={"notes": "n"},
        headers=auth("analyst"),
    )
    assert response.json()["uuid"] == seeded.old


async def test_notes_empty_string_clears(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    url = f"/api/v1/identities/{seeded.new}/notes"
    await client.put(url, json={"notes": "x"}, headers=auth("analyst"))
    response = await client.put(url, json={"notes": ""}, headers=auth("analyst"))
    assert response.json()["notes"] is None


async def test_notes_too_long_is_422(client: httpx.AsyncClient, seeded: Seeded) -> None:
    response = await client.put(
        f"/api/v1/identities/{seeded.new}/notes",
        json={"notes": "x" * 20_001},
        headers=auth("analyst"),
    )
    assert response.status_code == 422


async def test_notes_unknown_identity_is_404(client: httpx.AsyncClient) -> None:
    response = await client.put(
        f"/api/v1/identities/{UNKNOWN}/notes",
        json={"notes": "x"},
        headers=auth("analyst"),
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Identity not found"}


async def test_merge_moves_loser_and_publishes_event(
    client: httpx.AsyncClient, seeded: Seeded, api_engine: AsyncEngine
) -> None:
    response = await client.post(
        f"/api/v1/identities/{seeded.old}/merge",
        json={"loser_uuid": seeded.new, "reason": "same loader"},
        headers=auth("analyst"),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["identity"]["uuid"] == seeded.old
    assert body["identity"]["observation_count_live"] == 4
    assert body["observation_uuids"] == [seeded.obs_new]
    assert body["decision"]["kind"] == "merge"
    assert body["decision"]["subject_b"] == seeded.new
    assert await _merged_into(api_engine, seeded.new) == seeded.old
    async with session_factory(api_engine)() as session:
        event = await session.scalar(sa.select(OutboxEvent))
        history = await session.scalar(
            sa.select(IdentityHistory).where(IdentityHistory.actor == "anna")
        )
    assert event is not None
    assert event.subject == "identity.merged"
    assert event.payload["loser_uuid"] == seeded.new
    assert history is not None
    assert history.previous_identity_uuid == seeded.new


async def test_merge_into_itself_is_409_and_changes_nothing(
    client: httpx.AsyncClient, seeded: Seeded, api_engine: AsyncEngine
) -> None:
    response = await client.post(
        f"/api/v1/identities/{seeded.old}/merge",
        json={"loser_uuid": seeded.old},
        headers=auth("analyst"),
    )
    assert response.status_code == 409
    assert "into itself" in response.json()["detail"]
    assert await _count(api_engine, AnalystDecision) == 0
    assert await _count(api_engine, OutboxEvent) == 0


async def test_merge_into_own_loser_is_409_and_changes_nothing(
    client: httpx.AsyncClient, seeded: Seeded, api_engine: AsyncEngine
) -> None:
    response = await client.post(
        f"/api/v1/identities/{seeded.merged}/merge",
        json={"loser_uuid": seeded.old},
        headers=auth("analyst"),
    )
    assert response.status_code == 409
    assert "one of the losers of" in response.json()["detail"]
    assert await _merged_into(api_engine, seeded.old) is None
    assert await _merged_into(api_engine, seeded.merged) == seeded.old
    assert await _count(api_engine, AnalystDecision) == 0


async def test_merge_of_already_merged_loser_is_409(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    response = await client.post(
        f"/api/v1/identities/{seeded.new}/merge",
        json={"loser_uuid": seeded.merged},
        headers=auth("analyst"),
    )
    assert response.status_code == 409
    assert "already merged into" in response.json()["detail"]


async def test_merge_unknown_loser_is_404(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    response = await client.post(
        f"/api/v1/identities/{seeded.old}/merge",
        json={"loser_uuid": UNKNOWN},
        headers=auth("analyst"),
    )
    assert response.status_code == 404
    assert UNKNOWN in response.json()["detail"]


async def test_merge_needs_analyst(client: httpx.AsyncClient, seeded: Seeded) -> None:
    response = await client.post(
        f"/api/v1/identities/{seeded.old}/merge",
        json={"loser_uuid": seeded.new},
        headers=auth("viewer"),
    )
    assert response.status_code == 403


async def test_merge_rejects_malformed_loser(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    response = await client.post(
        f"/api/v1/identities/{seeded.old}/merge",
        json={"loser_uuid": "nope"},
        headers=auth("analyst"),
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "loser_uuid"]


async def test_split_records_decision(
    client: httpx.AsyncClient, seeded: Seeded, api_engine: AsyncEngine
) -> None:
    response = await client.post(
        f"/api/v1/identities/{seeded.old}/split",
        json={"observation_uuids": [seeded.obs_merged], "reason": "different hands"},
        headers=auth("analyst"),
    )
    assert response.status_code == 202
    body = response.json()
    assert body["kind"] == "split"
    assert body["subject_a"] == seeded.old
    assert body["detail"]["observation_uuids"] == [seeded.obs_merged]


async def test_split_of_foreign_observation_is_422(
    client: httpx.AsyncClient, seeded: Seeded, api_engine: AsyncEngine
) -> None:
    response = await client.post(
        f"/api/v1/identities/{seeded.old}/split",
        json={"observation_uuids": [seeded.obs_new]},
        headers=auth("analyst"),
    )
    assert response.status_code == 422
    assert seeded.obs_new in response.json()["detail"]
    assert await _count(api_engine, AnalystDecision) == 0


async def test_split_of_every_observation_is_422(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    response = await client.post(
        f"/api/v1/identities/{seeded.new}/split",
        json={"observation_uuids": [seeded.obs_new]},
        headers=auth("analyst"),
    )
    assert response.status_code == 422
    assert "leaves it empty" in response.json()["detail"]


async def test_split_needs_observations(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    response = await client.post(
        f"/api/v1/identities/{seeded.old}/split",
        json={"observation_uuids": []},
        headers=auth("analyst"),
    )
    assert response.status_code == 422


async def test_cannot_link_identities(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    body = {"subject_type": "identity", "a": seeded.new, "b": seeded.old}
    response = await client.post(
        "/api/v1/decisions/cannot-link", json=body, headers=auth("analyst")
    )
    assert response.status_code == 201
    assert {response.json()["subject_a"], response.json()["subject_b"]} == {
        seeded.new,
        seeded.old,
    }
    again = await client.post(
        "/api/v1/decisions/cannot-link", json=body, headers=auth("analyst")
    )
    assert again.status_code == 409


async def test_cannot_link_observations(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    response = await client.post(
        "/api/v1/decisions/cannot-link",
        json={
            "subject_type": "observation",
            "a": seeded.obs_old[0],
            "b": seeded.obs_new,
        },
        headers=auth("analyst"),
    )
    assert response.status_code == 201


async def test_cannot_link_same_subject_is_422(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    response = await client.post(
        "/api/v1/decisions/cannot-link",
        json={"subject_type": "identity", "a": seeded.new, "b": seeded.new},
        headers=auth("analyst"),
    )
    assert response.status_code == 422
    assert "same identity" in response.text


async def test_cannot_link_unknown_is_404(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    response = await client.post(
        "/api/v1/decisions/cannot-link",
        json={"subject_type": "observation", "a": seeded.obs_new, "b": UNKNOWN},
        headers=auth("analyst"),
    )
    assert response.status_code == 404


async def test_decisions_list_and_revoke(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    created = await client.post(
        "/api/v1/decisions/cannot-link",
        json={"subject_type": "identity", "a": seeded.new, "b": seeded.old},
        headers=auth("analyst"),
    )
    decision_id = created.json()["id"]
    listed = (await client.get("/api/v1/decisions", headers=auth())).json()
    assert [d["id"] for d in listed["data"]] == [decision_id]
    revoked = await client.delete(
        f"/api/v1/decisions/{decision_id}", headers=auth("analyst")
    )
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert (await client.get("/api/v1/decisions", headers=auth())).json()["total"] == 0
    twice = await client.delete(
        f"/api/v1/decisions/{decision_id}", headers=auth("analyst")
    )
    assert twice.status_code == 409


async def test_decisions_empty(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/v1/decisions", headers=auth())).json()
    assert body == {"total": 0, "limit": 50, "offset": 0, "data": []}


async def test_revoke_unknown_decision_is_404(client: httpx.AsyncClient) -> None:
    response = await client.delete("/api/v1/decisions/999", headers=auth("analyst"))
    assert response.status_code == 404


async def test_revoke_merge_is_409(client: httpx.AsyncClient, seeded: Seeded) -> None:
    merged = await client.post(
        f"/api/v1/identities/{seeded.old}/merge",
        json={"loser_uuid": seeded.new},
        headers=auth("analyst"),
    )
    decision_id = merged.json()["decision"]["id"]
    response = await client.delete(
        f"/api/v1/decisions/{decision_id}", headers=auth("admin")
    )
    assert response.status_code == 409


async def test_notes_with_nul_are_422(
    client: httpx.AsyncClient, seeded: Seeded, api_engine: AsyncEngine
) -> None:
    response = await client.put(
        f"/api/v1/identities/{seeded.new}/notes",
        json={"notes": "before\u0000after"},
        headers=auth("analyst"),
    )
    assert response.status_code == 422
    assert "NUL character" in response.text
    assert await _count(api_engine, AnalystDecision) == 0


async def test_merge_against_cannot_link_is_409(
    client: httpx.AsyncClient, seeded: Seeded, api_engine: AsyncEngine
) -> None:
    body = {"subject_type": "identity", "a": seeded.new, "b": seeded.old}
    ruling = await client.post(
        "/api/v1/decisions/cannot-link", json=body, headers=auth("analyst")
    )
    assert ruling.status_code == 201
    response = await client.post(
        f"/api/v1/identities/{seeded.old}/merge",
        json={"loser_uuid": seeded.new},
        headers=auth("analyst"),
    )
    assert response.status_code == 409
    assert "marked cannot-link" in response.json()["detail"]
    assert await _merged_into(api_engine, seeded.new) is None


async def test_cannot_link_of_merged_pair_is_409(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    body = {"subject_type": "identity", "a": seeded.old, "b": seeded.merged}
    response = await client.post(
        "/api/v1/decisions/cannot-link", json=body, headers=auth("analyst")
    )
    assert response.status_code == 409
    assert "one identity" in response.json()["detail"]
